import { badRequest } from '../errors.js';
import { isoSql, type MetadataDb } from '../store/metadata-db.js';

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
  /** where a row rejected by the store came from (`wal-<segment>:<line>`): writing it twice keeps one */
  origin?: string;
}

// `id::text AS id` would shadow the bigint in ORDER BY (ids sorted as text: 9, 8, …, 19, …, 1), so
// ordering names the table's column (issue "Hardening", defect 10).
const COLUMNS = `id::text AS id, tenant_id, ${isoSql('received_at')}, reason, payload, request_id, ${isoSql('replayed_at')}, replay_count`;

const MAX_BIGINT = 9_223_372_036_854_775_807n;

/** A dead-letter id from a client: digits (the contract's pattern) that a PostgreSQL bigint holds. */
export function checkDeadLetterId(id: string, field: string): string {
  if (!/^[0-9]{1,19}$/.test(id) || BigInt(id) > MAX_BIGINT) {
    throw badRequest('invalid_id', `${field} '${id.slice(0, 40)}' is not a dead-letter id: ids are whole numbers from 1 to ${MAX_BIGINT} as GET /v1/dead-letters lists them`);
  }
  return id;
}

/**
 * PostgreSQL text holds neither NUL nor lone UTF-16 surrogates; a payload holding one is kept with
 * that character written as a JSON escape (`\u0000`), so every rejected line is kept (defect 9).
 */
export function storableText(s: string): string {
  if (!s.includes('\u0000') && s.isWellFormed()) {
    return s;
  }
  return s.replace(/\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Rejected events with their raw payload and reason, kept in the metadata store for listing and replay. */
export class DeadLetterRepo {
  constructor(private readonly db: MetadataDb) {}

  async add(items: NewDeadLetter[]): Promise<void> {
    if (items.length === 0) {
      return;
    }
    await this.db.query(
      `INSERT INTO dead_letters (tenant_id, reason, payload, request_id, origin)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])
       ON CONFLICT (origin) WHERE origin IS NOT NULL DO NOTHING`,
      [
        items.map((i) => i.tenant_id),
        items.map((i) => storableText(i.reason)),
        items.map((i) => storableText(i.payload)),
        items.map((i) => (i.request_id === undefined ? null : storableText(i.request_id))),
        items.map((i) => i.origin ?? null),
      ]
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
      params.push(checkDeadLetterId(opts.beforeId, 'before_id'));
      where.push(`id < $${params.length}::bigint`);
    }
    if (!opts.includeReplayed) {
      where.push('replayed_at IS NULL');
    }
    params.push(opts.limit);
    return this.db.query<DeadLetter>(
      `SELECT ${COLUMNS} FROM dead_letters ${where.length ? 'WHERE ' + where.join(' AND ') : ''}
       ORDER BY dead_letters.id DESC LIMIT $${params.length}`,
      params
    );
  }

  async get(ids: string[], tenant: string | null): Promise<DeadLetter[]> {
    ids.forEach((id, i) => checkDeadLetterId(id, `ids[${i}]`));
    return this.db.query<DeadLetter>(
      `SELECT ${COLUMNS} FROM dead_letters WHERE id = ANY($1::bigint[]) AND replayed_at IS NULL
       ${tenant ? 'AND tenant_id = $2' : ''} ORDER BY dead_letters.id`,
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
        [failures.map((f) => f.id), failures.map((f) => storableText(f.reason))]
      );
    }
  }
}
