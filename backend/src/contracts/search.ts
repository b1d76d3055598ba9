import { Type, type Static } from '@sinclair/typebox';
import { TenantId } from './common.js';

/**
 * The search API (issue "Crawler and search", items 4 and 5): GET /v1/search (POST for long
 * filters) over the search engine (search/), and the search analytics read back from ClickHouse.
 * The tenant comes from the key; admin and viewer keys name it with tenant_id.
 */

/** comma-separated lists in the query string: entities, conversation_id, sender_id, type */
const List = (what: string) => Type.String({ maxLength: 4000, description: `${what}, comma-separated` });
/** epoch milliseconds or ISO 8601 (a bare date as `to` means the whole day) */
const InstantText = Type.String({ minLength: 1, maxLength: 40, description: 'epoch milliseconds or ISO 8601' });
const Sort = Type.Union([Type.Literal('relevance'), Type.Literal('time')]);
const Page = Type.Integer({ minimum: 1, maximum: 1000, description: '1-based, default 1' });
const Limit = Type.Integer({ minimum: 1, maximum: 100, description: 'hits a page, default 20' });
const Q = Type.String({ maxLength: 1000, description: 'words (all must match), "quoted phrases", -excluded words; empty: every document, newest first' });

export const SearchQueryString = Type.Object(
  {
    q: Type.Optional(Q),
    tenant_id: Type.Optional(TenantId),
    entities: Type.Optional(List('messages, files, users, conversations (default all)')),
    conversation_id: Type.Optional(List('conversation ids')),
    sender_id: Type.Optional(List('sender (messages), uploader (files) or user (users) ids')),
    type: Type.Optional(List('message types, file mime types, conversation kinds')),
    from: Type.Optional(InstantText),
    to: Type.Optional(InstantText),
    sort: Type.Optional(Sort),
    page: Type.Optional(Page),
    limit: Type.Optional(Limit),
  },
  { additionalProperties: false }
);
export type SearchQueryString = Static<typeof SearchQueryString>;

const ListBody = Type.Array(Type.String({ maxLength: 256 }), { maxItems: 100 });
const InstantBody = Type.Union([Type.Number(), InstantText]);
export const SearchBody = Type.Object(
  {
    q: Type.Optional(Q),
    tenant_id: Type.Optional(TenantId),
    entities: Type.Optional(Type.Array(Type.String({ maxLength: 32 }), { maxItems: 4 })),
    conversation_id: Type.Optional(ListBody),
    sender_id: Type.Optional(ListBody),
    type: Type.Optional(ListBody),
    from: Type.Optional(InstantBody),
    to: Type.Optional(InstantBody),
    sort: Type.Optional(Sort),
    page: Type.Optional(Page),
    limit: Type.Optional(Limit),
  },
  { additionalProperties: false }
);
export type SearchBody = Static<typeof SearchBody>;

export const SearchHit = Type.Object({
  entity: Type.String(),
  id: Type.String(),
  score: Type.Number(),
  highlights: Type.Record(Type.String(), Type.String(), { description: 'field → text with the matched words in <mark>…</mark>, the rest HTML-escaped' }),
  doc: Type.Record(Type.String(), Type.Unknown()),
  context: Type.Optional(
    Type.Object(
      {
        conversation: Type.Optional(Type.Object({ id: Type.String(), title: Type.String(), kind: Type.String() })),
        sender: Type.Optional(Type.Object({ id: Type.String(), name: Type.String(), handle: Type.String() })),
      },
      { description: "messages and files: their conversation and sender (uploader), when those are indexed" }
    )
  ),
});
export const SearchResponse = Type.Object({
  total: Type.Integer({ description: 'every match of q and the filters, not only this page' }),
  hits: Type.Array(SearchHit),
  facets: Type.Object({
    entity: Type.Record(Type.String(), Type.Integer(), { description: 'matches per entity' }),
    type: Type.Record(Type.String(), Type.Integer(), { description: 'matches per message type, file mime, conversation kind' }),
  }),
});
export type SearchResponse = Static<typeof SearchResponse>;

/** GET /v1/search/analytics/{popular,zero-results,latency} */
export const SearchAnalyticsQuery = Type.Object(
  {
    tenant_id: Type.Optional(TenantId),
    from: InstantText,
    to: InstantText,
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, description: 'rows, default 20 (popular, zero-results)' })),
    granularity: Type.Optional(Type.Union([Type.Literal('minute'), Type.Literal('hour'), Type.Literal('day'), Type.Literal('week'), Type.Literal('month')], { description: 'latency buckets; default from the range' })),
  },
  { additionalProperties: false }
);
export type SearchAnalyticsQuery = Static<typeof SearchAnalyticsQuery>;

const RangeMeta = { tenant_id: Type.String(), from: Type.Number(), to: Type.Number() };
export const PopularResponse = Type.Object({
  ...RangeMeta,
  queries: Type.Array(Type.Object({ q: Type.String(), searches: Type.Integer(), users: Type.Integer(), avg_results: Type.Number(), zero_results: Type.Integer() })),
});
export const ZeroResultsResponse = Type.Object({
  ...RangeMeta,
  queries: Type.Array(Type.Object({ q: Type.String(), searches: Type.Integer(), users: Type.Integer(), last_at: Type.Number() })),
});
export const LatencyResponse = Type.Object({
  ...RangeMeta,
  granularity: Type.String(),
  summary: Type.Object({ searches: Type.Integer(), p50_ms: Type.Union([Type.Number(), Type.Null()]), p95_ms: Type.Union([Type.Number(), Type.Null()]), max_ms: Type.Union([Type.Number(), Type.Null()]) }),
  points: Type.Array(Type.Object({ time: Type.Number(), searches: Type.Integer(), p50_ms: Type.Union([Type.Number(), Type.Null()]), p95_ms: Type.Union([Type.Number(), Type.Null()]) })),
});
