import type { Logger } from 'pino';
import { SecretBox } from '../auth/secret-box.js';
import { badRequest, conflict, CaasError, notFound } from '../errors.js';
import type { JobRunner } from '../jobs/runner.js';
import { jobColumns, toView, type JobRow, type JobState, type JobView } from '../jobs/store.js';
import { ZonedCron } from '../jobs/zoned-cron.js';
import type { SearchEngine } from '../search/types.js';
import type { MetadataDb } from '../store/metadata-db.js';
import { CaasHttpSource } from './caas-http.js';
import { CursorRepo, type CursorView } from './cursors.js';
import { IsolatedExtractor } from './extract-isolated.js';
import {
  CRAWL_KIND,
  CRAWL_SWEEP_KIND,
  CRAWL_TYPES,
  crawlDedupKey,
  crawlHandler,
  type CrawlDeps,
  type CrawlPayload,
  type CrawlType,
  type SweepPayload,
} from './jobs.js';
import { PostgresSource } from './postgres.js';
import { isEntity, SourceError, type CrawlSource, type Entity } from './source.js';

/**
 * Crawl sources, cursors and crawl jobs (issue "Crawler and search", items 2, 3 and 6). A source's secrets
 * (its token, its connection string) are kept in the metadata store and used only to build the source:
 * they are never returned (the API says whether one is set), logged, or put in a job's payload (which
 * holds the source's id).
 */
export type SourceKind = 'caas_http' | 'postgres';

export interface NewSource {
  id: string;
  kind: SourceKind;
  url?: string;
  connection_string?: string;
  token?: string;
  rate_limit_per_s?: number;
  incremental_cron?: string;
  deletions_cron?: string;
}

export interface SourceView {
  id: string;
  kind: SourceKind;
  /** caas_http: the base URL without credentials or query; postgres: null */
  url: string | null;
  token: { set: boolean };
  connection_string: { set: boolean };
  rate_limit_per_s: number | null;
  schedules: { incremental: string; deleted: string };
  created_at: string;
  cursors: CursorView[];
}

/** A crawl job (GET /v1/crawls): the job, what it crawls, and its rate and estimated time left. */
export interface CrawlRunView extends JobView {
  source_id: string;
  type: CrawlType;
  entity: Entity;
  /** documents per second since the run started (to its end once finished); null before it started */
  rate_per_s: number | null;
  /** the progress total once known; for a full reindex before that, the size of the index it replaces */
  expected_total: number | null;
  /** seconds left at the current rate while running, when expected_total is known and not yet reached */
  eta_s: number | null;
}

export interface CrawlsFilter {
  source_id?: string;
  tenant_id?: string;
  type?: CrawlType;
  entity?: Entity;
  state?: JobState;
  limit?: number;
}

/**
 * A crawl's rate and estimated time left from its progress: `elapsedS` is the run's time so far (to its end once
 * finished), `indexBefore` the document count of the cursor it crawls (what a full reindex replaces).
 */
export function crawlEstimate(r: {
  state: JobState;
  type: CrawlType;
  done: number;
  total: number | null;
  elapsedS: number | null;
  indexBefore: number | null;
}): { rate_per_s: number | null; expected_total: number | null; eta_s: number | null } {
  const started = r.state === 'running' || r.state === 'succeeded' || r.state === 'failed' || r.state === 'cancelled';
  const rate = started && r.elapsedS !== null && r.elapsedS > 0 ? r.done / r.elapsedS : null;
  const active = r.state === 'running' || r.state === 'queued';
  const expected = r.total ?? (active && r.type === 'full_reindex' && r.indexBefore !== null && r.indexBefore > 0 ? r.indexBefore : null);
  const eta = r.state === 'running' && rate !== null && rate > 0 && expected !== null && expected > r.done ? Math.ceil((expected - r.done) / rate) : null;
  return { rate_per_s: rate === null ? null : Math.round(rate * 100) / 100, expected_total: expected, eta_s: eta };
}

interface SourceRow {
  id: string;
  kind: SourceKind;
  url: string | null;
  connection_string: string | null;
  token: string | null;
  rate_limit_per_s: number | null;
  incremental_cron: string;
  deletions_cron: string;
  created_at: unknown;
}

export interface CrawlServiceOptions {
  db: MetadataDb;
  /** seals each source's token and connection string in the metadata store */
  secrets: SecretBox;
  jobs: JobRunner;
  search: SearchEngine;
  log: Logger;
  /** the Observatory's own DATABASE_URL: a postgres source pointing there is refused */
  ownDatabaseUrl?: string | null;
  files?: { maxBytes?: number; timeoutMs?: number };
  /** tests: options every CAAS HTTP source gets (shorter timeouts, fewer retries) */
  httpDefaults?: { timeoutMs?: number; retries?: number; backoffMs?: number };
  afterBatch?: CrawlDeps['afterBatch'];
}

export const SOURCE_ID = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const MAX_BATCH = 1000;

/** A URL as shown: scheme, host and path, without user, password, query or fragment. */
export function shownUrl(raw: string | null): string | null {
  if (!raw) return null;
  try {
    const u = new URL(raw);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return null;
  }
}

export class CrawlService {
  readonly cursors: CursorRepo;
  readonly extractor = new IsolatedExtractor();
  private readonly sources = new Map<string, CrawlSource>();
  private readonly log: Logger;
  /** called after every committed batch of a crawl (tests stop a crawl there, as a crash would) */
  afterBatch: CrawlDeps['afterBatch'];

  constructor(private readonly o: CrawlServiceOptions) {
    this.cursors = new CursorRepo(o.db);
    this.afterBatch = o.afterBatch;
    this.log = o.log.child({ component: 'crawler' });
  }

  /** Registers the crawl job kinds on the runner (before it starts). */
  register(jobs: JobRunner): void {
    const deps: CrawlDeps = {
      search: this.o.search,
      cursors: this.cursors,
      extractor: this.extractor,
      source: (id) => this.source(id),
      files: { maxBytes: this.o.files?.maxBytes ?? 20 * 1024 * 1024, timeoutMs: this.o.files?.timeoutMs ?? 20_000 },
      afterBatch: (p, n) => this.afterBatch?.(p, n),
    };
    jobs.register<CrawlPayload>(CRAWL_KIND, crawlHandler(deps));
    jobs.register<SweepPayload>(CRAWL_SWEEP_KIND, async (ctx) => {
      const { source_id, type } = ctx.payload;
      const cursors = await this.cursors.list({ source: source_id });
      let queued = 0;
      let busy = 0;
      for (const c of cursors) {
        try {
          const r = await this.enqueue({ source_id, type, entity: c.entity, tenant_id: c.tenant_id, batch_size: ctx.payload.batch_size ?? 200 });
          if (r.created) queued++;
        } catch (e) {
          // another crawl of this (entity, tenant) is queued or running (a full reindex): it covers this firing
          if (!(e instanceof CaasError && e.code === 'crawl_running')) throw e;
          busy++;
        }
      }
      if (busy > 0) await ctx.log(`${busy} (entity, tenant) pair(s) skipped: another crawl of theirs is queued or running`);
      await ctx.progress(cursors.length, cursors.length, `${queued} ${type} crawl(s) queued for ${cursors.length} (entity, tenant) cursor(s) of source '${source_id}'`);
    });
  }

  private async row(id: string): Promise<SourceRow | undefined> {
    const [r] = await this.o.db.query<SourceRow>(
      'SELECT id, kind, url, connection_string, token, rate_limit_per_s, incremental_cron, deletions_cron, created_at FROM crawl_sources WHERE id = $1',
      [id]
    );
    return r;
  }

  private build(r: SourceRow): CrawlSource {
    const name = `source '${r.id}'`;
    const open = (v: string | null, what: string) => (v === null ? null : this.o.secrets.open(v, `the ${what} of ${name}`));
    if (r.kind === 'postgres') {
      return new PostgresSource({ connectionString: open(r.connection_string, 'connection string') ?? '', name, refuseSameAs: this.o.ownDatabaseUrl ?? null });
    }
    return new CaasHttpSource({
      baseUrl: r.url ?? '',
      name,
      token: open(r.token, 'token'),
      ...(r.rate_limit_per_s ? { requestsPerSecond: r.rate_limit_per_s, burst: Math.max(1, Math.ceil(r.rate_limit_per_s)) } : {}),
      ...this.o.httpDefaults,
    });
  }

  private seal(v: string | null): string | null {
    return v === null ? null : this.o.secrets.seal(v);
  }

  /**
   * Seals the tokens and connection strings stored before sealing existed (plain text in crawl_sources), once at
   * start; returns how many values it sealed.
   */
  async resealLegacy(): Promise<number> {
    const rows = await this.o.db.query<{ id: string; token: string | null; connection_string: string | null }>(
      'SELECT id, token, connection_string FROM crawl_sources'
    );
    let sealed = 0;
    for (const r of rows) {
      for (const column of ['token', 'connection_string'] as const) {
        const v = r[column];
        if (v !== null && !SecretBox.isSealed(v)) {
          // only if still the plain value read above (another instance may have sealed it meanwhile)
          await this.o.db.query(`UPDATE crawl_sources SET ${column} = $1 WHERE id = $2 AND ${column} = $3`, [this.o.secrets.seal(v), r.id, v]);
          sealed++;
        }
      }
    }
    if (sealed > 0) this.log.info({ sealed }, 'crawl source secrets stored in plain text were sealed');
    return sealed;
  }

  /** The source by id (built once, reused); null when there is none. */
  async source(id: string): Promise<CrawlSource | null> {
    const have = this.sources.get(id);
    if (have) return have;
    const r = await this.row(id);
    if (!r) return null;
    const s = this.build(r);
    this.sources.set(id, s);
    return s;
  }

  private view(r: SourceRow, cursors: CursorView[]): SourceView {
    return {
      id: r.id,
      kind: r.kind,
      url: r.kind === 'caas_http' ? shownUrl(r.url) : null,
      token: { set: !!r.token },
      connection_string: { set: !!r.connection_string },
      rate_limit_per_s: r.rate_limit_per_s === null ? null : Number(r.rate_limit_per_s),
      schedules: { incremental: r.incremental_cron, deleted: r.deletions_cron },
      created_at: new Date(r.created_at instanceof Date ? r.created_at : String(r.created_at)).toISOString(),
      cursors: cursors.filter((c) => c.source_id === r.id),
    };
  }

  /** Checks a new source and stores it; its incremental and deletion schedules start. */
  async create(s: NewSource, opts: { replace?: boolean } = {}): Promise<SourceView> {
    if (typeof s.id !== 'string' || !SOURCE_ID.test(s.id)) {
      throw badRequest('invalid_source', 'id must be 1-63 characters of a-z, 0-9, _ and -, starting with a letter or digit');
    }
    if (s.kind === 'caas_http') {
      if (!s.url) throw badRequest('invalid_source', 'a caas_http source needs "url": the base URL of the CAAS HTTP API (e.g. https://caas.example.com/caas/v1)');
      if (s.connection_string) throw badRequest('invalid_source', 'a caas_http source takes "url", not "connection_string"');
      let u: URL;
      try {
        u = new URL(s.url);
      } catch {
        throw badRequest('invalid_source', '"url" is not a URL: give the base URL of the CAAS HTTP API, e.g. https://caas.example.com/caas/v1');
      }
      if (u.protocol !== 'http:' && u.protocol !== 'https:') throw badRequest('invalid_source', `"url" must be http(s), got ${u.protocol}`);
    } else if (s.kind === 'postgres') {
      if (!s.connection_string) throw badRequest('invalid_source', 'a postgres source needs "connection_string": the platform database URL (postgres://user:password@host/db)');
      if (s.url) throw badRequest('invalid_source', 'a postgres source takes "connection_string", not "url"');
      if (s.token) throw badRequest('invalid_source', 'a postgres source takes no "token" (credentials go in the connection string)');
    } else {
      throw badRequest('invalid_source', 'kind must be "caas_http" or "postgres"');
    }
    if (s.rate_limit_per_s !== undefined && !(Number.isFinite(s.rate_limit_per_s) && s.rate_limit_per_s > 0 && s.rate_limit_per_s <= 10_000)) {
      throw badRequest('invalid_source', 'rate_limit_per_s must be a number of requests per second above 0 and at most 10000');
    }
    const incremental = s.incremental_cron ?? '* * * * *';
    const deletions = s.deletions_cron ?? '*/5 * * * *';
    for (const [field, c] of [['incremental_cron', incremental], ['deletions_cron', deletions]] as const) {
      try {
        new ZonedCron(c, 'UTC');
      } catch (e) {
        throw badRequest('invalid_source', `${field}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    for (const [field, v] of [['token', s.token], ['connection_string', s.connection_string]] as const) {
      if (v && SecretBox.isSealed(v)) throw badRequest('invalid_source', `${field} looks like a sealed value of this backend: give the plain ${field}`);
    }
    const row: SourceRow = {
      id: s.id,
      kind: s.kind,
      url: s.url ?? null,
      connection_string: s.connection_string ?? null,
      token: s.token ?? null,
      rate_limit_per_s: s.rate_limit_per_s ?? null,
      incremental_cron: incremental,
      deletions_cron: deletions,
      created_at: new Date(),
    };
    try {
      await this.build(row).close();
    } catch (e) {
      if (e instanceof SourceError) throw badRequest('invalid_source', e.message);
      throw e;
    }
    const inserted = await this.o.db.query<{ created_at: unknown }>(
      `INSERT INTO crawl_sources (id, kind, url, connection_string, token, rate_limit_per_s, incremental_cron, deletions_cron)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (id) DO ${opts.replace ? `UPDATE SET kind = EXCLUDED.kind, url = EXCLUDED.url, connection_string = EXCLUDED.connection_string,
         token = EXCLUDED.token, rate_limit_per_s = EXCLUDED.rate_limit_per_s, incremental_cron = EXCLUDED.incremental_cron,
         deletions_cron = EXCLUDED.deletions_cron` : 'NOTHING'}
       RETURNING created_at`,
      [row.id, row.kind, row.url, this.seal(row.connection_string), this.seal(row.token), row.rate_limit_per_s, incremental, deletions]
    );
    if (!inserted[0]) throw conflict(`source '${s.id}' already exists: delete it first (DELETE /v1/sources/${s.id}) to change it`);
    row.created_at = inserted[0].created_at;
    const old = this.sources.get(s.id);
    this.sources.delete(s.id);
    await old?.close().catch(() => undefined);
    const now = Date.now();
    await this.o.jobs.schedules.upsert({ name: `crawl:${s.id}:incremental`, cron: incremental, timezone: 'UTC', kind: CRAWL_SWEEP_KIND, payload: { source_id: s.id, type: 'incremental' } }, now);
    await this.o.jobs.schedules.upsert({ name: `crawl:${s.id}:deleted`, cron: deletions, timezone: 'UTC', kind: CRAWL_SWEEP_KIND, payload: { source_id: s.id, type: 'deleted' } }, now);
    this.log.info({ source: s.id, kind: s.kind, url: shownUrl(row.url), token_set: !!row.token }, 'crawl source registered');
    return this.view(row, await this.cursors.listViews({ source: s.id }));
  }

  async list(): Promise<SourceView[]> {
    const rows = await this.o.db.query<SourceRow>(
      'SELECT id, kind, url, connection_string, token, rate_limit_per_s, incremental_cron, deletions_cron, created_at FROM crawl_sources ORDER BY id'
    );
    const cursors = await this.cursors.listViews();
    return rows.map((r) => this.view(r, cursors));
  }

  async get(id: string): Promise<SourceView | null> {
    const r = await this.row(id);
    return r ? this.view(r, await this.cursors.listViews({ source: id })) : null;
  }

  /** Crawl jobs newest first, with what each crawls and its rate and estimated time left (GET /v1/crawls). */
  async listCrawls(f: CrawlsFilter = {}): Promise<CrawlRunView[]> {
    const rows = await this.o.db.query<JobRow & { source_id: string; type: CrawlType; entity: Entity; elapsed_s: number | null; index_before: number | null }>(
      `SELECT ${jobColumns('j')}, j.payload->>'source_id' AS source_id, j.payload->>'type' AS type, j.payload->>'entity' AS entity,
         EXTRACT(EPOCH FROM (COALESCE(j.finished_at, now()) - j.started_at))::float8 AS elapsed_s, c.indexed::float8 AS index_before
       FROM jobs j
       LEFT JOIN crawl_cursors c ON c.source_id = j.payload->>'source_id' AND c.entity = j.payload->>'entity' AND c.tenant_id = j.tenant_id
       WHERE j.kind = $1 AND ($2::text IS NULL OR j.payload->>'source_id' = $2) AND ($3::text IS NULL OR j.tenant_id = $3)
         AND ($4::text IS NULL OR j.payload->>'type' = $4) AND ($5::text IS NULL OR j.payload->>'entity' = $5) AND ($6::text IS NULL OR j.state = $6)
       ORDER BY j.created_at DESC, j.id
       LIMIT $7`,
      [CRAWL_KIND, f.source_id ?? null, f.tenant_id ?? null, f.type ?? null, f.entity ?? null, f.state ?? null, f.limit ?? 50]
    );
    return rows.map((r) => {
      const job = toView(r);
      const est = crawlEstimate({
        state: job.state,
        type: r.type,
        done: job.progress.done,
        total: job.progress.total,
        elapsedS: r.elapsed_s === null ? null : Number(r.elapsed_s),
        indexBefore: r.index_before === null ? null : Number(r.index_before),
      });
      return { ...job, source_id: r.source_id, type: r.type, entity: r.entity, ...est };
    });
  }

  /** Removes a source, its cursors and its schedules (what it indexed stays searchable). */
  async remove(id: string): Promise<void> {
    const rows = await this.o.db.query('DELETE FROM crawl_sources WHERE id = $1 RETURNING 1 AS ok', [id]);
    if (rows.length === 0) throw notFound(`source '${id}' not found: list sources with GET /v1/sources`);
    await this.o.jobs.schedules.remove(`crawl:${id}:incremental`);
    await this.o.jobs.schedules.remove(`crawl:${id}:deleted`);
    const s = this.sources.get(id);
    this.sources.delete(id);
    await s?.close().catch(() => undefined);
    this.log.info({ source: id }, 'crawl source removed');
  }

  /**
   * Queues a crawl. One run at a time per (source, entity, tenant): while one is queued or running, the
   * same type answers that job; another type is refused (409) naming it.
   */
  async enqueue(req: {
    source_id: string;
    type: CrawlType;
    entity: Entity;
    tenant_id: string;
    from_timestamp?: number | null;
    batch_size: number;
  }): Promise<{ id: string; created: boolean }> {
    if (!(CRAWL_TYPES as readonly string[]).includes(req.type)) throw badRequest('invalid_crawl', `type must be one of ${CRAWL_TYPES.join(', ')}`);
    if (!isEntity(req.entity)) throw badRequest('invalid_crawl', 'entity must be one of messages, files, users, conversations');
    if (!Number.isInteger(req.batch_size) || req.batch_size < 1 || req.batch_size > MAX_BATCH) {
      throw badRequest('invalid_crawl', `batch_size must be a whole number from 1 to ${MAX_BATCH}`);
    }
    if (req.from_timestamp !== undefined && req.from_timestamp !== null) {
      if (req.type === 'full_reindex') throw badRequest('invalid_crawl', 'a full_reindex reads everything: from_timestamp applies to incremental and deleted crawls');
      if (!Number.isSafeInteger(req.from_timestamp) || req.from_timestamp < 0) throw badRequest('invalid_crawl', 'from_timestamp must be epoch milliseconds ≥ 0');
    }
    if (!(await this.row(req.source_id))) throw notFound(`source '${req.source_id}' not found: register it with POST /v1/sources`);
    const payload: CrawlPayload = {
      source_id: req.source_id,
      type: req.type,
      entity: req.entity,
      tenant_id: req.tenant_id,
      ...(req.from_timestamp !== undefined && req.from_timestamp !== null ? { from_timestamp: req.from_timestamp } : {}),
      batch_size: req.batch_size,
    };
    const r = await this.o.jobs.enqueue({ kind: CRAWL_KIND, payload, tenantId: req.tenant_id, dedupKey: crawlDedupKey(payload) });
    if (!r.created) {
      const [other] = await this.o.db.query<{ type: string | null }>("SELECT payload->>'type' AS type FROM jobs WHERE id = $1", [r.id]);
      if (other && other.type !== req.type) {
        throw new CaasError(
          'conflict',
          'crawl_running',
          `a ${other.type} crawl of ${req.entity} for ${req.tenant_id} from '${req.source_id}' is queued or running (job ${r.id}): one crawl at a time per source, entity and tenant; try again when it finished`,
          { job_id: r.id }
        );
      }
    }
    return r;
  }

  async close(): Promise<void> {
    const all = [...this.sources.values()];
    this.sources.clear();
    await Promise.all(all.map((s) => s.close().catch(() => undefined)));
    await this.extractor.close();
  }
}
