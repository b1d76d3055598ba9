import type { Queryable } from '../store/metadata-db.js';
import { iso } from '../jobs/store.js';
import { storableText } from '../ingest/dead-letters.js';
import type { Entity } from './source.js';

/**
 * A crawl cursor per (source, entity, tenant) (migration 8): the (updated_at, id) of the last item of
 * the last batch committed to the search engine, and `deleted_since`, the deleted_at of the last
 * deletion applied. A batch goes to the engine first and its cursor second, so a crawl that dies between
 * the two reads that one batch again at its next run; upserts replace by id and removes are idempotent,
 * so re-reading loses nothing and duplicates nothing.
 */
export interface CrawlCursor {
  source_id: string;
  entity: Entity;
  tenant_id: string;
  /** epoch ms of the last committed item; null before the first batch */
  updated_at: number | null;
  last_id: string | null;
  /** epoch ms: the next deletion sync reads deletions from here */
  deleted_since: number | null;
  /** documents this cursor's crawls have indexed (the last full reindex's count, plus increments since) */
  indexed: number;
  last_full_at: string | null;
  last_run_at: string | null;
  last_error: string | null;
}

interface Row {
  source_id: string;
  entity: Entity;
  tenant_id: string;
  updated_at: string | null;
  last_id: string | null;
  deleted_since: string | null;
  indexed: string;
  last_full_at: unknown;
  last_run_at: unknown;
  last_error: string | null;
}

const num = (v: string | number | null): number | null => (v === null ? null : Number(v));
const toCursor = (r: Row): CrawlCursor => ({
  source_id: r.source_id,
  entity: r.entity,
  tenant_id: r.tenant_id,
  updated_at: num(r.updated_at),
  last_id: r.last_id,
  deleted_since: num(r.deleted_since),
  indexed: Number(r.indexed),
  last_full_at: iso(r.last_full_at),
  last_run_at: iso(r.last_run_at),
  last_error: r.last_error,
});

const COLUMNS = `source_id, entity, tenant_id, updated_at::text AS updated_at, last_id, deleted_since::text AS deleted_since,
  indexed::text AS indexed, last_full_at, last_run_at, last_error`;

export class CursorRepo {
  constructor(private readonly db: Queryable) {}

  async get(source: string, entity: Entity, tenant: string): Promise<CrawlCursor | null> {
    const [r] = await this.db.query<Row>(`SELECT ${COLUMNS} FROM crawl_cursors WHERE source_id = $1 AND entity = $2 AND tenant_id = $3`, [
      source,
      entity,
      tenant,
    ]);
    return r ? toCursor(r) : null;
  }

  async list(filter: { source?: string; tenant?: string } = {}): Promise<CrawlCursor[]> {
    const rows = await this.db.query<Row>(
      `SELECT ${COLUMNS} FROM crawl_cursors WHERE ($1::text IS NULL OR source_id = $1) AND ($2::text IS NULL OR tenant_id = $2)
       ORDER BY source_id, tenant_id, entity`,
      [filter.source ?? null, filter.tenant ?? null]
    );
    return rows.map(toCursor);
  }

  /** After a batch of upserts reached the engine: moves the cursor to the batch's last item. */
  async commitBatch(source: string, entity: Entity, tenant: string, last: { updated_at: number; id: string }, added: number): Promise<void> {
    await this.db.query(
      `INSERT INTO crawl_cursors (source_id, entity, tenant_id, updated_at, last_id, indexed, last_run_at)
       VALUES ($1, $2, $3, $4, $5, $6, now())
       ON CONFLICT (source_id, entity, tenant_id) DO UPDATE SET updated_at = EXCLUDED.updated_at, last_id = EXCLUDED.last_id,
         indexed = crawl_cursors.indexed + EXCLUDED.indexed, last_run_at = now(), last_error = NULL`,
      [source, entity, tenant, last.updated_at, last.id, added]
    );
  }

  /** After a page of deletions reached the engine. */
  async commitDeletions(source: string, entity: Entity, tenant: string, since: number, removed: number): Promise<void> {
    await this.db.query(
      `INSERT INTO crawl_cursors (source_id, entity, tenant_id, deleted_since, last_run_at) VALUES ($1, $2, $3, $4, now())
       ON CONFLICT (source_id, entity, tenant_id) DO UPDATE SET deleted_since = EXCLUDED.deleted_since,
         indexed = GREATEST(0, crawl_cursors.indexed - $5), last_run_at = now(), last_error = NULL`,
      [source, entity, tenant, since, removed]
    );
  }

  /** After a full reindex was swapped in: the cursor restarts from what it read. */
  async commitFull(
    source: string,
    entity: Entity,
    tenant: string,
    c: { updated_at: number | null; last_id: string | null; deleted_since: number; indexed: number }
  ): Promise<void> {
    await this.db.query(
      `INSERT INTO crawl_cursors (source_id, entity, tenant_id, updated_at, last_id, deleted_since, indexed, last_full_at, last_run_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, now(), now())
       ON CONFLICT (source_id, entity, tenant_id) DO UPDATE SET
         updated_at = EXCLUDED.updated_at, last_id = EXCLUDED.last_id,
         deleted_since = LEAST(COALESCE(crawl_cursors.deleted_since, EXCLUDED.deleted_since), EXCLUDED.deleted_since),
         indexed = EXCLUDED.indexed, last_full_at = now(), last_run_at = now(), last_error = NULL`,
      [source, entity, tenant, c.updated_at, c.last_id, c.deleted_since, c.indexed]
    );
  }

  async setError(source: string, entity: Entity, tenant: string, error: string): Promise<void> {
    await this.db.query(
      `INSERT INTO crawl_cursors (source_id, entity, tenant_id, last_error, last_run_at) VALUES ($1, $2, $3, $4, now())
       ON CONFLICT (source_id, entity, tenant_id) DO UPDATE SET last_error = EXCLUDED.last_error, last_run_at = now()`,
      [source, entity, tenant, storableText(error.slice(0, 2000))]
    );
  }

  /** Forgets a cursor: the next incremental crawl reads everything again. */
  async reset(source: string, entity: Entity, tenant: string): Promise<boolean> {
    const rows = await this.db.query('DELETE FROM crawl_cursors WHERE source_id = $1 AND entity = $2 AND tenant_id = $3 RETURNING 1 AS ok', [
      source,
      entity,
      tenant,
    ]);
    return rows.length > 0;
  }
}
