import { isoSql, type MetadataDb, type Queryable } from '../../store/metadata-db.js';
import type { Responder } from './directory.js';
import type { IcalFeed, Layer, Override, Schedule } from './model.js';

/** Responders, schedules and overrides in the metadata store (migration 15). Scoping is the service's. */
interface ResponderRow extends Responder {
  created_at: string;
  updated_at: string;
}
interface ScheduleRow {
  id: string;
  tenant_id: string | null;
  name: string;
  time_zone: string;
  layers: Layer[] | string;
  ical: IcalFeed | string | null;
  created_at: string;
  updated_at: string;
}
interface OverrideRow {
  id: string;
  schedule_id: string;
  responder_id: string;
  from: string;
  to: string;
  note: string | null;
  created_at: string;
}

export type StoredResponder = ResponderRow;

const R_COLS = `id, tenant_id, name, email, phone, slack_user_id, ${isoSql('created_at')}, ${isoSql('updated_at')}`;
const S_COLS = `id, tenant_id, name, time_zone, layers, ical, ${isoSql('created_at')}, ${isoSql('updated_at')}`;
const O_COLS = `id, schedule_id, responder_id, to_char(starts_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "from", to_char(ends_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "to", note, ${isoSql('created_at')}`;

const json = <T>(v: T | string): T => (typeof v === 'string' ? (JSON.parse(v) as T) : v);
const scope = (tenant: string | null, col = 'tenant_id', n = 1) => (tenant === null ? 'true' : `(${col} = $${n} OR ${col} IS NULL)`);

export class OnCallStore {
  constructor(readonly db: MetadataDb) {}

  async responders(tenant: string | null): Promise<StoredResponder[]> {
    return this.db.query<ResponderRow>(`SELECT ${R_COLS} FROM oncall_responders WHERE ${scope(tenant)} ORDER BY tenant_id NULLS FIRST, name, id`, tenant === null ? [] : [tenant]);
  }

  async responder(q: Queryable, id: string): Promise<StoredResponder | undefined> {
    return (await q.query<ResponderRow>(`SELECT ${R_COLS} FROM oncall_responders WHERE id = $1`, [id]))[0];
  }

  async respondersByIds(ids: string[]): Promise<StoredResponder[]> {
    return ids.length === 0 ? [] : this.db.query<ResponderRow>(`SELECT ${R_COLS} FROM oncall_responders WHERE id = ANY($1::text[])`, [ids]);
  }

  async insertResponder(r: Responder): Promise<StoredResponder | undefined> {
    return (
      await this.db.query<ResponderRow>(
        `INSERT INTO oncall_responders (id, tenant_id, name, email, phone, slack_user_id) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING RETURNING ${R_COLS}`,
        [r.id, r.tenant_id, r.name, r.email, r.phone, r.slack_user_id]
      )
    )[0];
  }

  async updateResponder(r: Responder): Promise<StoredResponder | undefined> {
    return (
      await this.db.query<ResponderRow>(
        `UPDATE oncall_responders SET name = $2, email = $3, phone = $4, slack_user_id = $5, updated_at = now() WHERE id = $1 RETURNING ${R_COLS}`,
        [r.id, r.name, r.email, r.phone, r.slack_user_id]
      )
    )[0];
  }

  async deleteResponder(id: string): Promise<boolean> {
    return (await this.db.query(`DELETE FROM oncall_responders WHERE id = $1 RETURNING id`, [id])).length > 0;
  }

  /** Schedules whose layers name the responder. */
  async schedulesUsing(id: string): Promise<string[]> {
    const rows = await this.db.query<{ id: string }>(
      `SELECT id FROM oncall_schedules s WHERE EXISTS (SELECT 1 FROM jsonb_array_elements(s.layers) l WHERE l->'participants' ? $1)
         OR EXISTS (SELECT 1 FROM jsonb_each_text(coalesce(s.ical->'assignments', '{}'::jsonb)) a WHERE a.value = $1) ORDER BY id`,
      [id]
    );
    return rows.map((r) => r.id);
  }

  async schedules(tenant: string | null): Promise<Schedule[]> {
    const rows = await this.db.query<ScheduleRow>(`SELECT ${S_COLS} FROM oncall_schedules WHERE ${scope(tenant)} ORDER BY tenant_id NULLS FIRST, name, id`, tenant === null ? [] : [tenant]);
    const overrides = await this.db.query<OverrideRow>(
      `SELECT ${O_COLS} FROM oncall_overrides WHERE schedule_id = ANY($1::text[]) ORDER BY created_at, id`,
      [rows.map((r) => r.id)]
    );
    return rows.map((r) => this.toSchedule(r, overrides.filter((o) => o.schedule_id === r.id)));
  }

  async schedule(q: Queryable, id: string): Promise<Schedule | undefined> {
    const row = (await q.query<ScheduleRow>(`SELECT ${S_COLS} FROM oncall_schedules WHERE id = $1`, [id]))[0];
    if (!row) {
      return undefined;
    }
    const overrides = await q.query<OverrideRow>(`SELECT ${O_COLS} FROM oncall_overrides WHERE schedule_id = $1 ORDER BY created_at, id`, [id]);
    return this.toSchedule(row, overrides);
  }

  async insertSchedule(s: Pick<Schedule, 'id' | 'tenant_id' | 'name' | 'time_zone' | 'layers'>): Promise<boolean> {
    const rows = await this.db.query(
      `INSERT INTO oncall_schedules (id, tenant_id, name, time_zone, layers) VALUES ($1, $2, $3, $4, $5::jsonb) ON CONFLICT (id) DO NOTHING RETURNING id`,
      [s.id, s.tenant_id, s.name, s.time_zone, JSON.stringify(s.layers)]
    );
    return rows.length > 0;
  }

  async updateSchedule(s: Pick<Schedule, 'id' | 'name' | 'time_zone' | 'layers'>): Promise<boolean> {
    const rows = await this.db.query(`UPDATE oncall_schedules SET name = $2, time_zone = $3, layers = $4::jsonb, updated_at = now() WHERE id = $1 RETURNING id`, [
      s.id,
      s.name,
      s.time_zone,
      JSON.stringify(s.layers),
    ]);
    return rows.length > 0;
  }

  async setIcal(id: string, feed: IcalFeed | null): Promise<void> {
    await this.db.query(`UPDATE oncall_schedules SET ical = $2::jsonb, updated_at = now() WHERE id = $1`, [id, feed === null ? null : JSON.stringify(feed)]);
  }

  async deleteSchedule(id: string): Promise<boolean> {
    return (await this.db.query(`DELETE FROM oncall_schedules WHERE id = $1 RETURNING id`, [id])).length > 0;
  }

  async countOverrides(scheduleId: string): Promise<number> {
    return Number((await this.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM oncall_overrides WHERE schedule_id = $1`, [scheduleId]))[0]?.n ?? 0);
  }

  async insertOverride(scheduleId: string, o: Omit<Override, 'created_at'>): Promise<void> {
    await this.db.query(`INSERT INTO oncall_overrides (id, schedule_id, responder_id, starts_at, ends_at, note) VALUES ($1, $2, $3, $4, $5, $6)`, [
      o.id,
      scheduleId,
      o.responder_id,
      o.from,
      o.to,
      o.note,
    ]);
  }

  async deleteOverride(scheduleId: string, id: string): Promise<boolean> {
    return (await this.db.query(`DELETE FROM oncall_overrides WHERE schedule_id = $1 AND id = $2 RETURNING id`, [scheduleId, id])).length > 0;
  }

  private toSchedule(r: ScheduleRow, overrides: OverrideRow[]): Schedule {
    return {
      id: r.id,
      tenant_id: r.tenant_id,
      name: r.name,
      time_zone: r.time_zone,
      layers: json(r.layers),
      overrides: overrides.map(({ schedule_id: _s, ...o }) => o),
      ical: r.ical === null ? null : json(r.ical),
      created_at: r.created_at,
      updated_at: r.updated_at,
    };
  }
}
