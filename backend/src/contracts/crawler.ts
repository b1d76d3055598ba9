import { Type, type Static } from '@sinclair/typebox';
import { ErrorBody, TenantId } from './common.js';

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
});

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
export const CrawlErrorResponses = { 409: ErrorBody };
