import type { CaasKind, FilterOp, Granularity, SearchAnalyticsShow } from './types';

/**
 * All UI text of the data source in one place (as grafana/clickhouse-datasource does): editors, preview line, test
 * results and panel errors. Tests assert on these strings, so wording changes happen here once.
 */
export const labels = {
  config: {
    connection: 'Connection',
    url: {
      label: 'Backend URL',
      description:
        'Base URL of the CAAS backend as Grafana (not your browser) reaches it, e.g. http://caas-backend:8080',
      placeholder: 'http://localhost:8080',
      invalid: 'Enter an http:// or https:// URL, e.g. http://localhost:8080',
      trailingSlash: 'Remove the trailing "/": the data proxy appends /health and /v1/analytics to this URL',
    },
    apiKey: {
      label: 'API key (read key)',
      description:
        'A read key: backend role viewer (reads every tenant), or tenant-viewer (reads its own tenant). Create one with `npx caas keys create --role viewer` or `npx caas keys create --tenant acme --role tenant-viewer`. Every Grafana Viewer who queries this data source makes Grafana send it, so never use an admin key. Stored encrypted and added by the data proxy; it never reaches the browser.',
      placeholder: 'caas_… (role viewer or tenant-viewer)',
    },
    tenant: {
      label: 'Default tenant',
      description:
        'Tenant id used when a query names none. Leave empty with a tenant-viewer key (it reads its own tenant); a viewer key reads any tenant, so name one here or in each query.',
      placeholder: 'acme',
      invalid: 'Lower-case letters, digits, "-" and "_", starting with a letter or digit',
    },
  },

  editor: {
    kind: { label: 'Query', tooltip: 'What to ask the analytics backend' },
    tenant: { label: 'Tenant', placeholder: 'default tenant', tooltip: 'A tenant id or a variable such as $tenant' },
    metric: { label: 'Metric', property: 'Property', propertyPlaceholder: 'properties.duration_s' },
    eventTypes: { label: 'Event types', placeholder: 'all event types' },
    filters: {
      label: 'Filters',
      add: 'Add filter',
      remove: 'Remove filter',
      field: 'field',
      value: 'value',
      listValue: 'a, b, c',
    },
    groupBy: { label: 'Group by', placeholder: 'no grouping', max: 'At most two fields' },
    granularity: { label: 'Granularity', auto: 'auto (from the panel interval)' },
    funnel: {
      steps: 'Steps',
      step: (n: number) => `Step ${n}`,
      eventType: 'event type',
      label: 'label (optional)',
      add: 'Add step',
      remove: 'Remove step',
      moveUp: 'Move step up',
      moveDown: 'Move step down',
      window: 'Within',
      breakdown: 'Breakdown',
      noBreakdown: 'no breakdown',
    },
    retention: {
      cohortEvent: 'First did',
      returnEvent: 'Came back and did',
      period: 'Period',
      periods: 'Periods',
    },
    cohorts: { period: 'Cohort period' },
    topN: { field: 'Field', metric: 'Count', limit: 'Limit' },
    heatmap: { timezone: 'Time zone', timezonePlaceholder: 'UTC' },
    adoption: { feature: 'Feature event', granularity: 'Per' },
    searchAnalytics: {
      show: 'Show',
      showTooltip:
        'Every search is a search_query event; pick the part of search analytics this query draws (one per panel)',
      limit: 'Rows',
      limitTooltip: 'How many queries the table lists, most searched first',
      granularity: 'Per',
      auto: 'auto (from the time range)',
      filtersTooltip: 'Narrow the searches, e.g. user_id (the API key that searched) or properties.entities',
    },
    annotations: {
      eventTypes: 'Event types',
      textProperty: 'Text from property',
      textPropertyPlaceholder: 'version (default: the event type)',
      limit: 'Limit',
    },
    eventPlaceholder: 'event type',
    fieldPlaceholder: 'type, platform or properties.<key>',
    preview: 'Asks',
  },

  kinds: {
    timeseries: { label: 'Time series', description: 'Events, users or a property over time' },
    active_users: { label: 'Active users', description: 'DAU, WAU, MAU and stickiness' },
    retention: { label: 'Retention', description: 'Who comes back after their first event' },
    funnel: { label: 'Funnel', description: 'Users through ordered steps' },
    cohorts: { label: 'Cohorts', description: 'New users by first period, return rate' },
    top_n: { label: 'Top N', description: 'Most frequent values of a field' },
    heatmap: { label: 'Heatmap', description: 'Events by weekday and hour' },
    geo: { label: 'Geography', description: 'Events by country' },
    adoption: { label: 'Feature adoption', description: 'Share of active users doing an event' },
    search_analytics: {
      label: 'Search analytics',
      description: 'Popular and zero-result queries, search latency and volume',
    },
    annotations: { label: 'Annotations', description: 'Events as annotations' },
  } satisfies Record<CaasKind, { label: string; description: string }>,

  metrics: {
    events: 'Events',
    unique_users: 'Unique users',
    sum: 'Sum of',
    avg: 'Average of',
    p95: '95th percentile of',
  },

  ops: {
    '=': 'is',
    '!=': 'is not',
    in: 'is one of',
    not_in: 'is none of',
    contains: 'contains',
    '>': '>',
    '>=': '≥',
    '<': '<',
    '<=': '≤',
  } satisfies Record<FilterOp, string>,

  /** The parts of search analytics a query can show (constants.ts SEARCH_ANALYTICS_PARTS). */
  searchShows: {
    popular: 'Popular queries',
    zero_results: 'Zero-result queries',
    latency: 'Latency p50/p95',
    volume: 'Search volume',
  } satisfies Record<SearchAnalyticsShow, string>,

  granularities: {
    minute: 'minute',
    hour: 'hour',
    day: 'day',
    week: 'week',
    month: 'month',
  } satisfies Record<Granularity, string>,

  variables: {
    name: 'Values of',
    key: 'Key',
    keyPlaceholder: 'message_type',
    column: 'Column',
    eventType: 'Event type',
    eventTypePlaceholder: 'any event type',
    tenant: 'Tenant',
    definition: 'Short form (usable in dashboard JSON)',
    names: {
      tenants: 'Tenants',
      event_types: 'Event types',
      property_keys: 'Property keys',
      property_values: 'Property values',
      dimension_values: 'Column values',
    },
  },

  /** What the query will ask, in words (the preview line under the builder). */
  describe: {
    allEvents: 'all events',
    eventsOfType: (types: string) => `events of type ${types}`,
    where: (conditions: string) => ` where ${conditions}`,
    and: ' and ',
    forTenant: (tenant: string) => ` for tenant ${tenant}`,
    defaultTenant: ' for the default tenant',
    splitBy: (fields: string) => `, split by ${fields}`,
    per: (g: string) => ` per ${g}`,
    perAuto: ' per panel interval',
    missing: (what: string) => `(${what}?)`,
    metric: {
      events: 'Number of events',
      unique_users: 'Unique users',
      sum: (p: string) => `Sum of ${p}`,
      avg: (p: string) => `Average of ${p}`,
      p95: (p: string) => `95th percentile of ${p}`,
    },
    timeseries: (metric: string, scope: string) => `${metric} in ${scope}`,
    activeUsers: (scope: string) => `Daily, weekly and monthly active users and stickiness (DAU/MAU) over ${scope}`,
    retention: (cohort: string, ret: string, period: string, periods: number) =>
      `Of users who first did ${cohort} (cohorts per ${period}), how many did ${ret} in each of the next ${periods} ${period}s`,
    funnel: (steps: string, window: string) => `Users who did ${steps} in this order within ${window}`,
    breakdown: (field: string) => `, broken down by ${field}`,
    cohorts: (period: string, scope: string) =>
      `New users by the ${period} of their first event in ${scope}, how many came back and events per user`,
    topN: (limit: number, field: string, metric: string, scope: string) =>
      `Top ${limit} values of ${field} by ${metric} in ${scope}`,
    heatmap: (metric: string, tz: string, scope: string) => `${metric} by weekday and hour (${tz}) in ${scope}`,
    geo: (metric: string, scope: string) => `${metric} by country in ${scope}`,
    adoption: (feature: string, granularity: string) => `Share of active users who did ${feature} per ${granularity}`,
    searchAnalytics: {
      popular: (limit: number, scope: string) => `The ${limit} most searched queries in ${scope}`,
      zero_results: (limit: number, scope: string) => `The ${limit} most searched queries without results in ${scope}`,
      latency: (scope: string) => `Search latency p50 and p95 (ms) of ${scope}`,
      volume: (scope: string) => `Number of searches in ${scope}`,
    } satisfies Record<SearchAnalyticsShow, (...args: never[]) => string>,
    searches: 'search_query events',
    perRange: ' per interval chosen from the time range',
    annotations: (types: string, text: string) => `Annotations from ${types} events, text ${text}`,
    annotationText: (property?: string) => (property ? `from property ${property}` : 'is the event type'),
    countMetric: { events: 'events', unique_users: 'unique users' },
  },

  /** Query problems found before anything is sent (validateQuery). */
  invalid: {
    metricProperty: 'Choose the numeric property the metric reads, e.g. properties.duration_s',
    field: (field: string) =>
      `"${field}" is not a field: use type, platform, device, country, app_version, user_id or properties.<key>`,
    groupBy: 'Group by at most two fields',
    filterValue: (field: string) => `The filter on ${field} has no value`,
    retentionEvents: 'Choose the first event and the return event of the retention query',
    funnelSteps: 'A funnel needs at least two steps, each with an event type',
    adoptionFeature: 'Choose the feature event whose adoption to measure',
    annotationEvents: 'Choose at least one event type to show as annotations',
    searchEventTypes:
      'Search analytics reads the search_query events: remove event_types from the query and narrow it with filters (e.g. user_id)',
    searchShow: (show: string) =>
      `"${show}" is not a part of search analytics: show popular, zero_results, latency or volume`,
    tenant: (tenant: string) =>
      `"${tenant}" is not a tenant id (lower-case letters, digits, "-" and "_"); check the tenant field or its variable`,
    adHocOperator: (op: string) => `Ad-hoc filter operator "${op}" is not supported: use =, !=, <, >`,
  },

  errors: {
    noUrl:
      'Set the backend URL in the data source settings (Connections → Data sources → CAAS Analytics), e.g. http://localhost:8080',
    unauthorized: (detail: string) =>
      `The API key is rejected by the backend (${detail}): set a valid key under API key in the data source settings`,
    forbidden: (detail: string) =>
      `The API key may not do this (${detail}): use a read key of this tenant (tenant-viewer) or of every tenant (viewer), or change the default tenant in the data source settings`,
    unreachable: (status?: number) =>
      `Grafana cannot reach the CAAS backend${status ? ` (HTTP ${status})` : ''}: check the backend URL in the data source settings and that the backend is running`,
    timeout: (seconds: number) =>
      `The CAAS backend did not answer within ${seconds} s: try a shorter time range or a coarser granularity`,
    network: 'No answer from Grafana: check your network connection and that Grafana is running',
    noRoute:
      "Grafana's data proxy has no route for this request: reinstall or update the CAAS plugin (plugin.json routes)",
    backend: (status: number, message: string) => `CAAS backend (HTTP ${status}): ${message}`,
    unexpected: (what: string) =>
      `Unexpected answer from the CAAS backend: ${what}. Is the backend the same version as the plugin?`,
    unknown: (message: string) => `Query failed: ${message}`,
  },

  test: {
    ok: (engines: string) => `Connected to the CAAS backend; the API key is accepted. ${engines}`,
    engine: (name: string, mode: string, ms: number) => `${name} ${mode} (${ms} ms)`,
    engineDown: (name: string, error: string) => `${name} is not answering: ${error}`,
    notReady: (problems: string) => `The CAAS backend answers but is not ready. ${problems}`,
    noAnalytics:
      'The backend answers but has no analytics API (GET /v1/analytics/variables/tenants is missing): update the CAAS backend',
    tenantUnknown: (tenant: string, detail: string) =>
      `The default tenant "${tenant}" is not readable with this key (${detail}): change the default tenant or use an admin key`,
  },

  engines: {
    clickhouse: 'ClickHouse',
    postgres: 'PostgreSQL',
    meilisearch: 'Meilisearch',
  } as Record<string, string>,
};
