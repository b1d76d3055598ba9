import { Type, type Static, type TLiteral, type TSchema, type TUnion } from '@sinclair/typebox';
import { TenantId } from './common.js';

/**
 * The analytics API (issue "CAAS analytics"; seed: CAAS plan, Phase 3.3). One request shape per
 * query kind (a discriminated union on `kind`), one response shape for all: data frames that map
 * one-to-one onto Grafana's DataFrame (fields with a type, unit, labels and values).
 */

/** A union of string literals that keeps its literal types (Static gives 'a' | 'b', not string). */
function literals<const T extends readonly string[]>(values: T): TUnion<Array<TLiteral<T[number]>>> {
  return Type.Union(values.map((v) => Type.Literal(v))) as unknown as TUnion<Array<TLiteral<T[number]>>>;
}

export const Granularity = literals(['minute', 'hour', 'day', 'week', 'month']);
export type Granularity = Static<typeof Granularity>;

/** Event columns that may be filtered and grouped by. */
export const DIMENSIONS = ['type', 'platform', 'device', 'country', 'app_version', 'user_id'] as const;
export type Dimension = (typeof DIMENSIONS)[number];

/**
 * A field: one of DIMENSIONS, or `properties.<key>` for an event property
 * (e.g. `properties.message_type`). Property keys are bound as parameters, never spliced into SQL.
 */
export const FieldRef = Type.String({
  pattern: '^(type|platform|device|country|app_version|user_id|properties\\.[A-Za-z0-9_.:-]{1,128})$',
  description: 'a column (type, platform, device, country, app_version, user_id) or properties.<key>',
});

export const FilterOp = literals(['=', '!=', 'in', 'not_in', 'contains', '>', '>=', '<', '<=']);
export type FilterOp = Static<typeof FilterOp>;

const Scalar = Type.Union([Type.String({ maxLength: 1000 }), Type.Number()]);
export const Filter = Type.Object(
  {
    field: FieldRef,
    op: FilterOp,
    /** a scalar, or a list for `in` / `not_in`; `>`… compare numerically */
    value: Type.Union([Scalar, Type.Array(Scalar, { maxItems: 1000 })]),
  },
  { additionalProperties: false }
);
export type Filter = Static<typeof Filter>;

/** Epoch milliseconds or an ISO 8601 string (Grafana sends both). */
export const Instant = Type.Union([Type.Number(), Type.String({ minLength: 4, maxLength: 40 })]);

const base = {
  /** admin keys choose the tenant; tenant keys may omit it (their own) */
  tenant_id: Type.Optional(TenantId),
  from: Instant,
  to: Instant,
  event_types: Type.Optional(Type.Array(Type.String({ maxLength: 64 }), { maxItems: 50 })),
  filters: Type.Optional(Type.Array(Filter, { maxItems: 20 })),
};

export const Metric = Type.Union([
  Type.Object({ type: Type.Literal('events') }, { additionalProperties: false }),
  Type.Object({ type: Type.Literal('unique_users') }, { additionalProperties: false }),
  Type.Object(
    {
      type: Type.Union([Type.Literal('sum'), Type.Literal('avg'), Type.Literal('p95')]),
      /** a numeric event property, e.g. properties.duration_s */
      property: Type.String({ pattern: '^properties\\.[A-Za-z0-9_.:-]{1,128}$' }),
    },
    { additionalProperties: false }
  ),
]);
export type Metric = Static<typeof Metric>;

function kind<K extends string, P extends Record<string, TSchema>>(k: K, props: P) {
  return Type.Object({ kind: Type.Literal(k), ...base, ...props }, { additionalProperties: false });
}

export const TimeseriesQuery = kind('timeseries', {
  metric: Metric,
  group_by: Type.Optional(Type.Array(FieldRef, { maxItems: 2 })),
  /** absent: chosen from interval_ms (Grafana's $__interval) and the range */
  granularity: Type.Optional(Granularity),
  interval_ms: Type.Optional(Type.Integer({ minimum: 1 })),
});

/** DAU, WAU, MAU and stickiness (DAU/MAU) per UTC day. */
export const ActiveUsersQuery = kind('active_users', {});

/** Users whose first `cohort_event` falls in a period, and how many do `return_event` N periods later. */
export const RetentionQuery = kind('retention', {
  cohort_event: Type.String({ maxLength: 64 }),
  return_event: Type.String({ maxLength: 64 }),
  period: Type.Union([Type.Literal('day'), Type.Literal('week')]),
  periods: Type.Integer({ minimum: 1, maximum: 52 }),
});

export const FunnelStep = Type.Object(
  {
    event_type: Type.String({ maxLength: 64 }),
    filters: Type.Optional(Type.Array(Filter, { maxItems: 10 })),
    label: Type.Optional(Type.String({ maxLength: 100 })),
  },
  { additionalProperties: false }
);
export type FunnelStep = Static<typeof FunnelStep>;

/** Ordered steps done within `window_seconds` of the first (ClickHouse windowFunnel). */
export const FunnelQuery = kind('funnel', {
  steps: Type.Array(FunnelStep, { minItems: 2, maxItems: 10 }),
  window_seconds: Type.Integer({ minimum: 1, maximum: 90 * 86400 }),
  breakdown: Type.Optional(FieldRef),
});

/** Users by the period of their first event in the range: new users, how many came back later, events per user. */
export const CohortsQuery = kind('cohorts', {
  period: Type.Union([Type.Literal('day'), Type.Literal('week'), Type.Literal('month')]),
});

export const TopNQuery = kind('top_n', {
  field: FieldRef,
  metric: Type.Optional(Type.Union([Type.Literal('events'), Type.Literal('unique_users')])),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
});

/** Events by day of week (1 = Monday) and hour, in an IANA time zone (peak usage). */
export const HeatmapQuery = kind('heatmap', {
  timezone: Type.Optional(Type.String({ pattern: '^[A-Za-z_]+(/[A-Za-z0-9_+-]+){0,2}$|^UTC$', maxLength: 64 })),
  metric: Type.Optional(Type.Union([Type.Literal('events'), Type.Literal('unique_users')])),
});

export const GeoQuery = kind('geo', {
  metric: Type.Optional(Type.Union([Type.Literal('events'), Type.Literal('unique_users')])),
});

/** Share of active users doing `feature_event` per period. */
export const AdoptionQuery = kind('adoption', {
  feature_event: Type.String({ maxLength: 64 }),
  granularity: Type.Optional(Type.Union([Type.Literal('day'), Type.Literal('week'), Type.Literal('month')])),
});

/**
 * Search analytics (issue "Crawler and search", item 5): the tenant's search_query events as three
 * frames: popular queries, queries without results (tables, `limit` rows each) and latency p50/p95
 * with the number of searches over time.
 */
export const SearchAnalyticsKindQuery = kind('search_analytics', {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  granularity: Type.Optional(Granularity),
});

export const AnalyticsQuery = Type.Union([
  TimeseriesQuery,
  ActiveUsersQuery,
  RetentionQuery,
  FunnelQuery,
  CohortsQuery,
  TopNQuery,
  HeatmapQuery,
  GeoQuery,
  AdoptionQuery,
  SearchAnalyticsKindQuery,
]);
export type AnalyticsQuery = Static<typeof AnalyticsQuery>;
export type QueryKind = AnalyticsQuery['kind'];
export const QUERY_KINDS: QueryKind[] = ['timeseries', 'active_users', 'retention', 'funnel', 'cohorts', 'top_n', 'heatmap', 'geo', 'adoption', 'search_analytics'];

export const FieldType = Type.Union([Type.Literal('time'), Type.Literal('number'), Type.Literal('string')]);

/** One column of a frame; `time` values are epoch milliseconds. */
export const FrameField = Type.Object({
  name: Type.String(),
  type: FieldType,
  /** a Grafana unit id: short, percentunit, s, bytes, … */
  unit: Type.Optional(Type.String()),
  labels: Type.Optional(Type.Record(Type.String(), Type.String())),
  values: Type.Array(Type.Union([Type.Number(), Type.String(), Type.Null()])),
});
export type FrameField = Static<typeof FrameField>;

export const Frame = Type.Object({
  name: Type.Optional(Type.String()),
  fields: Type.Array(FrameField),
});
export type Frame = Static<typeof Frame>;

export const QueryMeta = Type.Object({
  kind: Type.String(),
  tenant_id: Type.String(),
  /** what answered: 'raw' (events), or the rollup tables read, coarsest first, e.g. 'events_total_day+events_total_hour+raw' */
  source: Type.String(),
  granularity: Type.Optional(Granularity),
  from: Type.Number(),
  to: Type.Number(),
  elapsed_ms: Type.Number(),
});
export type QueryMeta = Static<typeof QueryMeta>;

/** POST /v1/analytics/query answer (and `format=csv` gives the first frame as CSV). */
export const QueryResponse = Type.Object({ meta: QueryMeta, frames: Type.Array(Frame) });
export type QueryResponse = Static<typeof QueryResponse>;

/** The seed's GET /analytics/messages (Phase 3.3), exactly. */
export const MessagesQuery = Type.Object(
  {
    tenant_id: Type.Optional(TenantId),
    from: Type.String({ minLength: 4, maxLength: 40 }),
    to: Type.String({ minLength: 4, maxLength: 40 }),
    granularity: Type.Optional(Granularity),
    group_by: Type.Optional(literals(['type', 'platform', 'device', 'country', 'app_version'])),
    format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')])),
  },
  { additionalProperties: false }
);
export type MessagesQuery = Static<typeof MessagesQuery>;

/** `{"data": [{"date": "2024-01-01", "type": "text", "count": 15000}, …]}`; the group_by column is named after it. */
export const MessagesResponse = Type.Object({
  data: Type.Array(Type.Record(Type.String(), Type.Union([Type.String(), Type.Number()]))),
});
export type MessagesResponse = Static<typeof MessagesResponse>;

/** GET /v1/analytics/variables/:name (template variables): tenants, event_types, property_keys, property_values. */
export const VariableName = literals(['tenants', 'event_types', 'property_keys', 'property_values', 'dimension_values']);
export type VariableName = Static<typeof VariableName>;
export const VariableQuery = Type.Object(
  {
    tenant_id: Type.Optional(TenantId),
    /** property_values: the property key; dimension_values: the column */
    key: Type.Optional(Type.String({ maxLength: 128 })),
    event_type: Type.Optional(Type.String({ maxLength: 64 })),
    from: Type.Optional(Instant),
    to: Type.Optional(Instant),
  },
  { additionalProperties: false }
);
export type VariableQuery = Static<typeof VariableQuery>;
export const VariableResponse = Type.Object({ values: Type.Array(Type.Object({ text: Type.String(), value: Type.String() })) });
export type VariableResponse = Static<typeof VariableResponse>;

/** POST /v1/analytics/annotations: events of chosen types as Grafana annotations (e.g. app releases). */
export const AnnotationsQuery = Type.Object(
  {
    tenant_id: Type.Optional(TenantId),
    from: Instant,
    to: Instant,
    event_types: Type.Array(Type.String({ maxLength: 64 }), { minItems: 1, maxItems: 20 }),
    /** property whose value is the annotation text (default: the event type) */
    text_property: Type.Optional(Type.String({ maxLength: 128 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000 })),
  },
  { additionalProperties: false }
);
export type AnnotationsQuery = Static<typeof AnnotationsQuery>;
export const AnnotationsResponse = Type.Object({
  annotations: Type.Array(Type.Object({ time: Type.Number(), title: Type.String(), text: Type.String(), tags: Type.Array(Type.String()) })),
});
export type AnnotationsResponse = Static<typeof AnnotationsResponse>;
