import { DEFAULTS, QUERY_VERSION } from './constants';
import type { BuilderOf, CaasKind, CaasQuery } from './types';

/**
 * A valid builder for each kind: what the editor switches to when the user picks a kind, and what migrateQuery()
 * fills missing required fields from. Event names are left empty where the user must choose; the preview line and
 * validateQuery() say what is missing.
 */
export function defaultBuilder<K extends CaasKind>(kind: K): BuilderOf<K> {
  return BUILDERS[kind]();
}

const BUILDERS: { [K in CaasKind]: () => BuilderOf<K> } = {
  timeseries: () => ({ kind: 'timeseries', metric: { type: 'events' } }),
  active_users: () => ({ kind: 'active_users' }),
  retention: () => ({
    kind: 'retention',
    cohort_event: '',
    return_event: '',
    period: 'week',
    periods: DEFAULTS.retentionPeriods,
  }),
  funnel: () => ({
    kind: 'funnel',
    steps: [{ event_type: '' }, { event_type: '' }],
    window_seconds: DEFAULTS.funnelWindowSeconds,
  }),
  cohorts: () => ({ kind: 'cohorts', period: 'week' }),
  top_n: () => ({ kind: 'top_n', field: 'type', metric: 'events', limit: DEFAULTS.topNLimit }),
  heatmap: () => ({ kind: 'heatmap', metric: 'events' }),
  geo: () => ({ kind: 'geo', metric: 'events' }),
  adoption: () => ({ kind: 'adoption', feature_event: '', granularity: 'week' }),
  search_analytics: () => ({ kind: 'search_analytics', show: 'popular', limit: DEFAULTS.searchAnalyticsLimit }),
  annotations: () => ({ kind: 'annotations', event_types: [], limit: DEFAULTS.annotationLimit }),
};

/** A new panel query: message volume over time, the first thing an operator asks. */
export function defaultQuery(refId = 'A'): CaasQuery {
  return { refId, version: QUERY_VERSION, ...defaultBuilder('timeseries') };
}

/**
 * Switches a query to another kind. Keeps what every kind shares (refId, tenant, hide, event types, filters) and
 * starts the kind-specific part from its defaults, so the result is always a valid query of the new kind. Search
 * analytics reads the search_query events only (the backend refuses event types for it), so it keeps the filters only.
 */
export function withKind(query: CaasQuery, kind: CaasKind): CaasQuery {
  if (query.kind === kind) {
    return query;
  }
  const { refId, hide, datasource, tenant, version } = query;
  const shared: Partial<CaasQuery> = { refId, version };
  if (hide !== undefined) {
    shared.hide = hide;
  }
  if (datasource !== undefined) {
    shared.datasource = datasource;
  }
  if (tenant !== undefined) {
    shared.tenant = tenant;
  }
  const next = { ...shared, ...defaultBuilder(kind) } as CaasQuery;
  const eventTypes = 'event_types' in query ? query.event_types : undefined;
  const filters = 'filters' in query ? query.filters : undefined;
  if (next.kind !== 'annotations') {
    if (eventTypes?.length && next.kind !== 'search_analytics') {
      next.event_types = eventTypes;
    }
    if (filters?.length) {
      next.filters = filters;
    }
  } else if (eventTypes?.length) {
    next.event_types = eventTypes;
  }
  return next;
}
