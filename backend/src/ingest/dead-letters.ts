import type { MetadataDb } from '../store/metadata-db.js';

export interface DeadLetter {
  id: string;
  tenant_id: string;
  received_at: string;
  reason: string;
  payload: string;
  request_id: string | null;
  replayed_at: string | null;
  replay_count: number;
}

export interface NewDeadLetter {
  tenant_id: string;
  reason: string;
  payload: string;
  request_id?: string;
}

const COLUMNS = 'id::text, tenant_id, received_at::text, reason, payload, request_id, replayed_at::text, replay_count';

/** Rejected events with their raw payload and reason, kept in the metadata store for listing and replay. */
export class DeadLetterRepo {
  constructor(private readonly db: MetadataDb) {}

  async add(items: NewDeadLetter[]): Promise<void> {
    if (items.length === 0) {
      return;
    }
    await this.db.query(
      `INSERT INTO dead_letters (tenant_id, reason, payload, request_id)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])`,
      [items.map((i) => i.tenant_id), items.map((i) => i.reason), items.map((i) => i.payload), items.map((i) => i.request_id ?? null)]
    );
  }

  /** Newest first; `beforeId` pages backwards. `tenant` null = every tenant (admins). */
  async list(opts: { tenant: string | null; limit: number; beforeId?: string; includeReplayed?: boolean }): Promise<DeadLetter[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (opts.tenant) {
      params.push(opts.tenant);
      where.push(`tenant_id = $${params.length}`);
    }
    if (opts.beforeId) {
      params.push(opts.beforeId);
      where.push(`id < $${params.length}::bigint`);
    }
    if (!opts.includeReplayed) {
      where.push('replayed_at IS NULL');
    }
    params.push(opts.limit);
    return this.db.query<DeadLetter>(
      `SELECT ${COLUMNS} FROM dead_letters ${where.length ? 'WHERE ' + where.join(' AND ') : ''}
       ORDER BY id DESC LIMIT $${params.length}`,
      params
    );
  }

  async get(ids: string[], tenant: string | null): Promise<DeadLetter[]> {
    return this.db.query<DeadLetter>(
      `SELECT ${COLUMNS} FROM dead_letters WHERE id = ANY($1::bigint[]) AND replayed_at IS NULL
       ${tenant ? 'AND tenant_id = $2' : ''} ORDER BY id`,
      tenant ? [ids, tenant] : [ids]
    );
  }

  async markReplayed(ids: string[]): Promise<void> {
    if (ids.length) {
      await this.db.query('UPDATE dead_letters SET replayed_at = now(), replay_count = replay_count + 1 WHERE id = ANY($1::bigint[])', [ids]);
    }
  }

  async markFailedAgain(failures: Array<{ id: string; reason: string }>): Promise<void> {
    if (failures.length) {
      await this.db.query(
        `UPDATE dead_letters d SET reason = f.reason, replay_count = d.replay_count + 1
         FROM unnest($1::bigint[], $2::text[]) AS f(id, reason) WHERE d.id = f.id`,
        [failures.map((f) => f.id), failures.map((f) => f.reason)]
      );
    }
  }
}
