import type { Queryable } from '../store/metadata-db.js';
import { iso } from '../jobs/store.js';
import { storableText } from '../ingest/dead-letters.js';
import type { Entity } from './source.js';

/** The crawl jobs' kind (jobs.ts CRAWL_KIND; not imported: jobs.ts imports this file). */
const CRAWL_JOB_KIND = 'crawl.run';
/** How far back the newest incremental crawl and deletion sync of a cursor are looked up among the jobs. */
export const RUN_LOOKBACK_DAYS = 7;

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

/** The newest crawl job of one type for a cursor, as GET /v1/sources shows it. */
export interface RunSummary {
  job_id: string;
  state: 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
  created_at: string;
  finished_at: string | null;
  /** documents indexed (incremental) or removed (deleted) */
  done: number;
  last_error: string | null;
}

/** A cursor with its newest incremental crawl and deletion sync (null when none ran in the last RUN_LOOKBACK_DAYS). */
export interface CursorView extends CrawlCursor {
  last_incremental: RunSummary | null;
  last_deletion_sync: RunSummary | null;
}

interface ViewRow extends Row {
  inc_id: string | null;
  inc_state: RunSummary['state'] | null;
  inc_created: unknown;
  inc_finished: unknown;
  inc_done: number | null;
  inc_error: string | null;
  del_id: string | null;
  del_state: RunSummary['state'] | null;
  del_created: unknown;
  del_finished: unknown;
  del_done: number | null;
  del_error: string | null;
}

const summary = (id: string | null, state: RunSummary['state'] | null, created: unknown, finished: unknown, done: number | null, error: string | null): RunSummary | null =>
  id === null || state === null
    ? null
    : { job_id: id, state, created_at: iso(created) as string, finished_at: iso(finished), done: Number(done ?? 0), last_error: error };

/** The newest crawl job of a type for the cursor `c` (by its payload), as a LATERAL subquery. */
const newestRun = (type: 'incremental' | 'deleted') => `LEFT JOIN LATERAL (
    SELECT j.id::text AS id, j.state, j.created_at, j.finished_at, j.progress_done::float8 AS done, j.last_error FROM jobs j
    WHERE j.kind = '${CRAWL_JOB_KIND}' AND j.tenant_id = c.tenant_id AND j.payload->>'source_id' = c.source_id
      AND j.payload->>'entity' = c.entity AND j.payload->>'type' = '${type}'
      AND j.created_at > now() - interval '${RUN_LOOKBACK_DAYS} days'
    ORDER BY j.created_at DESC LIMIT 1
  )`;

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

/** A cursor's columns; `t` qualifies them with a table alias. */
const cursorColumns = (t?: string) => {
  const c = t ? `${t}.` : '';
  return `${c}source_id, ${c}entity, ${c}tenant_id, ${c}updated_at::text AS updated_at, ${c}last_id, ${c}deleted_since::text AS deleted_since,
  ${c}indexed::text AS indexed, ${c}last_full_at, ${c}last_run_at, ${c}last_error`;
};
const COLUMNS = cursorColumns();

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

  /**
   * The cursors with their newest incremental crawl and deletion sync (GET /v1/sources): when each last ran, in what
   * state, how much it did and why it failed. Read from the crawl jobs, so a running one shows too.
   */
  async listViews(filter: { source?: string; tenant?: string } = {}): Promise<CursorView[]> {
    const rows = await this.db.query<ViewRow>(
      `SELECT ${cursorColumns('c')},
         inc.id AS inc_id, inc.state AS inc_state, inc.created_at AS inc_created, inc.finished_at AS inc_finished, inc.done AS inc_done, inc.last_error AS inc_error,
         del.id AS del_id, del.state AS del_state, del.created_at AS del_created, del.finished_at AS del_finished, del.done AS del_done, del.last_error AS del_error
       FROM crawl_cursors c
       ${newestRun('incremental')} inc ON true
       ${newestRun('deleted')} del ON true
       WHERE ($1::text IS NULL OR c.source_id = $1) AND ($2::text IS NULL OR c.tenant_id = $2)
       ORDER BY c.source_id, c.tenant_id, c.entity`,
      [filter.source ?? null, filter.tenant ?? null]
    );
    return rows.map((r) => ({
      ...toCursor(r),
      last_incremental: summary(r.inc_id, r.inc_state, r.inc_created, r.inc_finished, r.inc_done, r.inc_error),
      last_deletion_sync: summary(r.del_id, r.del_state, r.del_created, r.del_finished, r.del_done, r.del_error),
    }));
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
