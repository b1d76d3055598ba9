import type { Dimension, FilterOp, Granularity, QueryKind, VariableName } from '../../backend/src/contracts/analytics';

/**
 * Runtime constants of the data source. The backend contract (backend/src/contracts/analytics.ts) is the source of
 * truth for the *types*; these lists mirror it at runtime because nothing from backend/ (TypeBox included) may be
 * bundled into the plugin. The `satisfies` clauses make tsc fail when the contract and these lists drift apart.
 */

export const DATASOURCE_ID = 'caas-analytics-datasource';

/**
 * plugin.json `routes[].path`. Grafana's data source proxy matches routes by path *prefix* (no `*` wildcard, unlike
 * the app plugin proxy's `api/*`) and strips the prefix before forwarding to the route URL, so
 * `<instance url>/caas/v1/analytics/query` reaches `<backend URL>/v1/analytics/query` with the API key added.
 */
export const PROXY_ROUTE = 'caas';

/** Current version of saved queries; bump it together with a step in migrateQuery(). */
export const QUERY_VERSION = 1;

/** A query never waits longer than this for the backend: the panel shows an error instead of spinning. */
export const QUERY_TIMEOUT_MS = 60_000;

/** Where the backend listens by default (backend `PORT`, docker-compose service). */
export const DEFAULT_BACKEND_URL = 'http://localhost:8080';

/** Kinds offered in the query editor, in the order a user meets them. */
export const QUERY_KINDS = [
  'timeseries',
  'active_users',
  'retention',
  'funnel',
  'cohorts',
  'top_n',
  'heatmap',
  'geo',
  'adoption',
  'search_analytics',
] as const satisfies readonly QueryKind[];

// Every kind of the contract is offered: this fails to compile when the backend adds a kind we do not list.
type MissingKinds = Exclude<QueryKind, (typeof QUERY_KINDS)[number]>;
const allKindsListed: MissingKinds extends never ? true : MissingKinds = true;
void allKindsListed;

/** Event columns that may be filtered and grouped by (contract: DIMENSIONS). */
export const DIMENSIONS = [
  'type',
  'platform',
  'device',
  'country',
  'app_version',
  'user_id',
] as const satisfies readonly Dimension[];

export const PROPERTY_PREFIX = 'properties.';

/** Contract FieldRef: a dimension or `properties.<key>`. */
export const FIELD_REF_PATTERN =
  /^(type|platform|device|country|app_version|user_id|properties\.[A-Za-z0-9_.:-]{1,128})$/;

/** Contract Metric's property: `properties.<key>`. */
export const METRIC_PROPERTY_PATTERN = /^properties\.[A-Za-z0-9_.:-]{1,128}$/;

export const FILTER_OPS = [
  '=',
  '!=',
  'in',
  'not_in',
  'contains',
  '>',
  '>=',
  '<',
  '<=',
] as const satisfies readonly FilterOp[];
export const LIST_OPS: readonly FilterOp[] = ['in', 'not_in'];
export const NUMERIC_OPS: readonly FilterOp[] = ['>', '>=', '<', '<='];

export const GRANULARITIES = ['minute', 'hour', 'day', 'week', 'month'] as const satisfies readonly Granularity[];
export const RETENTION_PERIODS = ['day', 'week'] as const;
export const COHORT_PERIODS = ['day', 'week', 'month'] as const;
export const ADOPTION_GRANULARITIES = ['day', 'week', 'month'] as const;

/**
 * The parts of a `search_analytics` answer a query can show (its editor-only `show`). The backend answers three frames
 * (backend/src/analytics/search-analytics.ts): `popular queries` and `zero-result queries` (tables) and `search
 * latency` (time, p50, p95, searches); a panel draws one part, so the latency frame is split into latency (p50, p95)
 * and volume (searches). `fields` lists the columns kept, in order; absent: all of them.
 */
export const SEARCH_ANALYTICS_PARTS = {
  popular: { frame: 'popular queries', name: 'popular queries', time: false },
  zero_results: { frame: 'zero-result queries', name: 'zero-result queries', time: false },
  latency: { frame: 'search latency', name: 'search latency', time: true, fields: ['time', 'p50', 'p95'] },
  volume: { frame: 'search latency', name: 'search volume', time: true, fields: ['time', 'searches'] },
} as const satisfies Record<
  string,
  { frame: string; name: string; time: boolean; fields?: readonly [string, ...string[]] }
>;
export const SEARCH_ANALYTICS_SHOWS = ['popular', 'zero_results', 'latency', 'volume'] as const satisfies ReadonlyArray<
  keyof typeof SEARCH_ANALYTICS_PARTS
>;

export const METRIC_TYPES = ['events', 'unique_users', 'sum', 'avg', 'p95'] as const;
export const PROPERTY_METRICS: ReadonlyArray<(typeof METRIC_TYPES)[number]> = ['sum', 'avg', 'p95'];
export const COUNT_METRICS = ['events', 'unique_users'] as const;

export const VARIABLE_NAMES = [
  'tenants',
  'event_types',
  'property_keys',
  'property_values',
  'dimension_values',
] as const satisfies readonly VariableName[];

/** Contract limits the editors enforce before the backend has to say no. */
export const LIMITS = {
  groupBy: 2,
  funnelSteps: { min: 2, max: 10 },
  filters: 20,
  eventTypes: 50,
  retentionPeriods: { min: 1, max: 52 },
  funnelWindowSeconds: { min: 1, max: 90 * 86400 },
  topN: { min: 1, max: 1000 },
  annotations: { min: 1, max: 5000 },
  annotationEventTypes: 20,
  searchAnalytics: { min: 1, max: 1000 },
} as const;

export const DEFAULTS = {
  retentionPeriods: 8,
  funnelWindowSeconds: 86400,
  topNLimit: 10,
  annotationLimit: 500,
  /** the backend's default row count of the search analytics tables */
  searchAnalyticsLimit: 20,
} as const;
