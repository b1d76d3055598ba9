import { Type, type Static } from '@sinclair/typebox';
import { ErrorBody, TenantId } from './common.js';
import { Job, JobState } from './jobs.js';

/**
 * Crawl sources and crawls (issue "Crawler and search"). A source's secrets (token, connection string)
 * are write-only: answers say whether one is set, never what it is.
 * POST /v1/sources (admin), GET /v1/sources, DELETE /v1/sources/:id; POST /v1/crawls → 202 {job_id},
 * progress through GET /v1/jobs/:id.
 */
const Entity = Type.Union([Type.Literal('messages'), Type.Literal('files'), Type.Literal('users'), Type.Literal('conversations')]);
const CrawlType = Type.Union([Type.Literal('full_reindex'), Type.Literal('incremental'), Type.Literal('deleted')], {
  description: 'full_reindex: build a new index and swap it in; incremental: changes since the cursor; deleted: deletions since the cursor',
});
const SourceIdString = Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,62}$', description: 'source id, e.g. demo' });
const Cron = Type.String({ minLength: 1, maxLength: 100, description: 'cron pattern in UTC' });

export const CreateSourceBody = Type.Object(
  {
    id: SourceIdString,
    kind: Type.Union([Type.Literal('caas_http'), Type.Literal('postgres')]),
    url: Type.Optional(Type.String({ minLength: 1, maxLength: 2048, description: 'caas_http: base URL of the CAAS HTTP API' })),
    connection_string: Type.Optional(Type.String({ minLength: 1, maxLength: 4096, description: 'postgres: the platform database URL (write-only)' })),
    token: Type.Optional(Type.String({ minLength: 1, maxLength: 4096, description: 'caas_http: bearer token (write-only)' })),
    rate_limit_per_s: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 10000, description: 'requests per second to the source' })),
    incremental_cron: Type.Optional(Cron),
    deletions_cron: Type.Optional(Cron),
  },
  { additionalProperties: false }
);
export type CreateSourceBody = Static<typeof CreateSourceBody>;

const Nullable = <T extends ReturnType<typeof Type.String> | ReturnType<typeof Type.Integer>>(t: T) => Type.Union([t, Type.Null()]);

/** The newest crawl job of one type for a cursor (from the jobs, kept JOBS_RETENTION_DAYS; looked up over the last 7 days). */
export const CrawlRunSummary = Type.Object({
  job_id: Type.String(),
  state: JobState,
  created_at: Type.String(),
  finished_at: Nullable(Type.String()),
  done: Type.Integer({ description: 'documents indexed (incremental) or removed (deleted) so far' }),
  last_error: Nullable(Type.String()),
});
export type CrawlRunSummary = Static<typeof CrawlRunSummary>;

export const CrawlCursor = Type.Object({
  source_id: Type.String(),
  entity: Entity,
  tenant_id: Type.String(),
  updated_at: Nullable(Type.Integer({ description: 'epoch ms of the last committed item' })),
  last_id: Nullable(Type.String()),
  deleted_since: Nullable(Type.Integer({ description: 'epoch ms: the next deletion sync reads from here' })),
  indexed: Type.Integer(),
  last_full_at: Nullable(Type.String()),
  last_run_at: Nullable(Type.String()),
  last_error: Nullable(Type.String()),
  last_incremental: Type.Union([CrawlRunSummary, Type.Null()], { description: 'the newest incremental crawl of the last 7 days, any state' }),
  last_deletion_sync: Type.Union([CrawlRunSummary, Type.Null()], { description: 'the newest deletion sync (type deleted) of the last 7 days, any state' }),
});
export type CrawlCursor = Static<typeof CrawlCursor>;

export const SourceInfo = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  url: Nullable(Type.String({ description: 'without credentials or query' })),
  token: Type.Object({ set: Type.Boolean() }),
  connection_string: Type.Object({ set: Type.Boolean() }),
  rate_limit_per_s: Type.Union([Type.Number(), Type.Null()]),
  schedules: Type.Object({ incremental: Type.String(), deleted: Type.String() }),
  created_at: Type.String(),
  cursors: Type.Array(CrawlCursor),
});
export type SourceInfo = Static<typeof SourceInfo>;
export const SourceList = Type.Object({ sources: Type.Array(SourceInfo) });
export const SourceIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) });
export const CursorParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }), entity: Entity, tenant_id: TenantId });

export const CreateCrawlBody = Type.Object(
  {
    source_id: Type.String({ minLength: 1, maxLength: 200 }),
    type: CrawlType,
    entity: Entity,
    tenant_id: TenantId,
    from_timestamp: Type.Optional(Type.Integer({ minimum: 0, maximum: 4102444800000, description: 'epoch ms (incremental, deleted)' })),
    batch_size: Type.Integer({ minimum: 1, maximum: 1000 }),
  },
  { additionalProperties: false }
);
export type CreateCrawlBody = Static<typeof CreateCrawlBody>;
export const CrawlAccepted = Type.Object({ job_id: Type.String() });

/**
 * GET /v1/crawls: crawl jobs (kind crawl.run) newest first, each with what it crawls and how fast. `rate_per_s` is
 * documents per second since the run started (to its end once finished); `expected_total` is the progress total once
 * known, else for a full reindex the size of the index it replaces (the cursor's indexed count), else null;
 * `eta_s` is (expected_total - done) / rate_per_s while running, null when either is unknown or done has passed it.
 */
export const CrawlRun = Type.Intersect([
  Job,
  Type.Object({
    source_id: Type.String(),
    type: CrawlType,
    entity: Entity,
    rate_per_s: Type.Union([Type.Number({ minimum: 0 }), Type.Null()]),
    expected_total: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]),
    eta_s: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]),
  }),
]);
export type CrawlRun = Static<typeof CrawlRun>;
export const CrawlList = Type.Object({ crawls: Type.Array(CrawlRun) });
export const CrawlsQuery = Type.Object(
  {
    source_id: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    tenant_id: Type.Optional(TenantId),
    type: Type.Optional(CrawlType),
    entity: Type.Optional(Entity),
    state: Type.Optional(JobState),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50, description: 'newest first' })),
  },
  { additionalProperties: false }
);
export type CrawlsQuery = Static<typeof CrawlsQuery>;
export const CrawlErrorResponses = { 409: ErrorBody };
