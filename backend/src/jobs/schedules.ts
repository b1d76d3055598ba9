import type { Logger } from 'pino';
import type { MetadataDb } from '../store/metadata-db.js';
import { iso, JobStore } from './store.js';
import { ZonedCron } from './zoned-cron.js';

/**
 * Cron schedules (issue "Platform", part 2). A schedule names a cron pattern, an IANA time zone and
 * the job (kind, payload, tenant) each firing enqueues. Every instance ticks every schedule; a
 * firing is claimed once across instances by locking the schedule's row and inserting
 * (schedule, fire_at) into `job_schedule_firings`, whose primary key refuses a second claim; the
 * firing's job is enqueued in the same transaction, so a claimed firing always has its job.
 *
 * Catch-up policy: when firings were missed (every instance was down, or the schedule was
 * disabled), the next tick runs the **most recent missed firing once** and skips the older ones
 * (they are counted in the log and in `caas_job_schedule_firings_total{outcome="skipped"}`). A
 * nightly report that was down for three nights runs once, for the last night, not three times.
 * A new schedule (or one whose cron or time zone changed) counts firings from that moment on.
 */
export interface Schedule {
  name: string;
  cron: string;
  timezone: string;
  kind: string;
  payload?: unknown;
  tenantId?: string | null;
  enabled?: boolean;
}

export interface Firing {
  schedule: string;
  fireAt: number;
  jobId: string;
  skipped: number;
}

interface ScheduleRow {
  name: string;
  cron: string;
  timezone: string;
  kind: string;
  payload: unknown;
  tenant_id: string | null;
  anchor_at: unknown;
  last_fire_at: unknown;
}

const epoch = (v: unknown): number | null => {
  const s = iso(v);
  return s === null ? null : Date.parse(s);
};

export class ScheduleRepo {
  private readonly crons = new Map<string, ZonedCron>();

  constructor(
    private readonly db: MetadataDb,
    private readonly jobs: JobStore,
    private readonly owner: string,
    private readonly log: Logger,
    private readonly onFiring: (f: Firing & { kind: string }) => void = () => undefined
  ) {}

  private cronOf(pattern: string, timezone: string): ZonedCron {
    const key = `${timezone}\u0000${pattern}`;
    let c = this.crons.get(key);
    if (!c) {
      c = new ZonedCron(pattern, timezone);
      this.crons.set(key, c);
    }
    return c;
  }

  /**
   * Creates or updates a schedule (every instance may call this at start). `nowMs` anchors a new
   * schedule, or one whose cron or time zone changed: firings count from then on.
   */
  async upsert(s: Schedule, nowMs: number): Promise<void> {
    this.cronOf(s.cron, s.timezone); // validates both (400-style CaasError when wrong)
    await this.db.query(
      `INSERT INTO job_schedules (name, cron, timezone, kind, payload, tenant_id, enabled, anchor_at)
       VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, to_timestamp($8::float8 / 1000))
       ON CONFLICT (name) DO UPDATE SET
         anchor_at = CASE WHEN job_schedules.cron <> EXCLUDED.cron OR job_schedules.timezone <> EXCLUDED.timezone
                          THEN EXCLUDED.anchor_at ELSE job_schedules.anchor_at END,
         cron = EXCLUDED.cron, timezone = EXCLUDED.timezone, kind = EXCLUDED.kind, payload = EXCLUDED.payload,
         tenant_id = EXCLUDED.tenant_id, enabled = EXCLUDED.enabled, updated_at = now()`,
      [s.name, s.cron, s.timezone, s.kind, JSON.stringify(s.payload ?? {}), s.tenantId ?? null, s.enabled ?? true, nowMs]
    );
  }

  async remove(name: string): Promise<void> {
    await this.db.query('DELETE FROM job_schedules WHERE name = $1', [name]);
  }

  async list(): Promise<Array<Schedule & { lastFireAt: string | null; nextFireAt: string | null }>> {
    const rows = await this.db.query<ScheduleRow & { enabled: boolean }>(
      'SELECT name, cron, timezone, kind, payload, tenant_id, enabled, anchor_at, last_fire_at FROM job_schedules ORDER BY name'
    );
    return rows.map((r) => {
      const after = Math.max(epoch(r.anchor_at) ?? 0, epoch(r.last_fire_at) ?? 0, Date.now());
      let next: number | null = null;
      try {
        next = this.cronOf(r.cron, r.timezone).next(after);
      } catch {
        next = null;
      }
      return {
        name: r.name,
        cron: r.cron,
        timezone: r.timezone,
        kind: r.kind,
        payload: r.payload,
        tenantId: r.tenant_id,
        enabled: r.enabled,
        lastFireAt: iso(r.last_fire_at),
        nextFireAt: next === null ? null : new Date(next).toISOString(),
      };
    });
  }

  /** Claims and enqueues every schedule's due firing at `nowMs` (at most one per schedule). */
  async tick(nowMs: number): Promise<Firing[]> {
    const rows = await this.db.query<ScheduleRow>(
      'SELECT name, cron, timezone, kind, payload, tenant_id, anchor_at, last_fire_at FROM job_schedules WHERE enabled'
    );
    const fired: Firing[] = [];
    for (const s of rows) {
      try {
        const f = await this.fire(s, nowMs);
        if (f) {
          fired.push(f);
        }
      } catch (e) {
        // one broken schedule (a cron this version cannot read) must not stop the others
        this.log.warn({ err: e, schedule: s.name }, 'schedule tick failed');
      }
    }
    return fired;
  }

  private async fire(s: ScheduleRow, nowMs: number): Promise<Firing | null> {
    const cron = this.cronOf(s.cron, s.timezone);
    const after = Math.max(epoch(s.anchor_at) ?? 0, epoch(s.last_fire_at) ?? -Infinity);
    const due = cron.latest(after, nowMs);
    if (due === null) {
      return null;
    }
    const firing = await this.db.transaction(async (tx) => {
      // The row lock orders instances: the second one sees the first one's last_fire_at.
      const [cur] = await tx.query<{ anchor_at: unknown; last_fire_at: unknown; enabled: boolean }>(
        'SELECT anchor_at, last_fire_at, enabled FROM job_schedules WHERE name = $1 FOR UPDATE',
        [s.name]
      );
      if (!cur || !cur.enabled || due <= Math.max(epoch(cur.anchor_at) ?? 0, epoch(cur.last_fire_at) ?? -Infinity)) {
        return null;
      }
      const claimed = await tx.query(
        `INSERT INTO job_schedule_firings (schedule_name, fire_at, claimed_by) VALUES ($1, to_timestamp($2::float8 / 1000), $3)
         ON CONFLICT (schedule_name, fire_at) DO NOTHING RETURNING 1 AS ok`,
        [s.name, due, this.owner]
      );
      if (claimed.length === 0) {
        return null;
      }
      const job = await this.jobs.enqueue(
        { kind: s.kind, payload: s.payload, tenantId: s.tenant_id, scheduleName: s.name, fireAt: due },
        tx
      );
      await tx.query('UPDATE job_schedule_firings SET job_id = $3 WHERE schedule_name = $1 AND fire_at = to_timestamp($2::float8 / 1000)', [s.name, due, job.id]);
      await tx.query('UPDATE job_schedules SET last_fire_at = to_timestamp($2::float8 / 1000) WHERE name = $1', [s.name, due]);
      const skipped = cron.countBetween(Math.max(epoch(cur.anchor_at) ?? 0, epoch(cur.last_fire_at) ?? -Infinity), due);
      return { schedule: s.name, fireAt: due, jobId: job.id, skipped };
    });
    if (firing) {
      if (firing.skipped > 0) {
        await this.jobs.log(
          firing.jobId,
          0,
          'warn',
          `catch-up: ${firing.skipped}${firing.skipped >= 1000 ? ' or more' : ''} earlier firing(s) of schedule '${s.name}' were missed while no instance ran it; only this most recent one runs`
        );
      }
      await this.jobs.log(firing.jobId, 0, 'info', `enqueued by schedule '${s.name}' (${s.cron}, ${s.timezone}) for ${new Date(firing.fireAt).toISOString()} by ${this.owner}`);
      this.onFiring({ ...firing, kind: s.kind });
    }
    return firing;
  }
}
