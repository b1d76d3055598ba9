/**
 * Every test selector of the data source, shared by the jest tests and the browser tests (Playwright, plugin-e2e).
 * The "data-testid " prefix matches Grafana's own selectors, as src/components/testIds.ts does for the app.
 */
export const dsTestIds = {
  config: {
    url: 'data-testid caas-ds-config-url',
    apiKey: 'data-testid caas-ds-config-api-key',
    tenant: 'data-testid caas-ds-config-tenant',
  },
  editor: {
    container: 'data-testid caas-ds-editor',
    kind: 'data-testid caas-ds-kind',
    tenant: 'data-testid caas-ds-tenant',
    preview: 'data-testid caas-ds-preview',
    metric: 'data-testid caas-ds-metric',
    metricProperty: 'data-testid caas-ds-metric-property',
    eventTypes: 'data-testid caas-ds-event-types',
    groupBy: 'data-testid caas-ds-group-by',
    granularity: 'data-testid caas-ds-granularity',
    filters: {
      container: 'data-testid caas-ds-filters',
      add: 'data-testid caas-ds-filter-add',
      field: (i: number) => `data-testid caas-ds-filter-${i}-field`,
      op: (i: number) => `data-testid caas-ds-filter-${i}-op`,
      value: (i: number) => `data-testid caas-ds-filter-${i}-value`,
      remove: (i: number) => `data-testid caas-ds-filter-${i}-remove`,
    },
    funnel: {
      container: 'data-testid caas-ds-funnel',
      step: (i: number) => `data-testid caas-ds-funnel-step-${i}`,
      stepEvent: (i: number) => `data-testid caas-ds-funnel-step-${i}-event`,
      stepLabel: (i: number) => `data-testid caas-ds-funnel-step-${i}-label`,
      stepUp: (i: number) => `data-testid caas-ds-funnel-step-${i}-up`,
      stepDown: (i: number) => `data-testid caas-ds-funnel-step-${i}-down`,
      stepRemove: (i: number) => `data-testid caas-ds-funnel-step-${i}-remove`,
      add: 'data-testid caas-ds-funnel-add',
      window: 'data-testid caas-ds-funnel-window',
      windowUnit: 'data-testid caas-ds-funnel-window-unit',
      breakdown: 'data-testid caas-ds-funnel-breakdown',
    },
    retention: {
      cohortEvent: 'data-testid caas-ds-retention-cohort-event',
      returnEvent: 'data-testid caas-ds-retention-return-event',
      period: 'data-testid caas-ds-retention-period',
      periods: 'data-testid caas-ds-retention-periods',
    },
    cohorts: { period: 'data-testid caas-ds-cohorts-period' },
    topN: {
      field: 'data-testid caas-ds-top-n-field',
      metric: 'data-testid caas-ds-top-n-metric',
      limit: 'data-testid caas-ds-top-n-limit',
    },
    heatmap: {
      timezone: 'data-testid caas-ds-heatmap-timezone',
      metric: 'data-testid caas-ds-heatmap-metric',
    },
    geo: { metric: 'data-testid caas-ds-geo-metric' },
    adoption: {
      feature: 'data-testid caas-ds-adoption-feature',
      granularity: 'data-testid caas-ds-adoption-granularity',
    },
    searchAnalytics: {
      show: 'data-testid caas-ds-search-analytics-show',
      limit: 'data-testid caas-ds-search-analytics-limit',
      granularity: 'data-testid caas-ds-search-analytics-granularity',
    },
    annotations: {
      container: 'data-testid caas-ds-annotations',
      eventTypes: 'data-testid caas-ds-annotations-event-types',
      textProperty: 'data-testid caas-ds-annotations-text-property',
      limit: 'data-testid caas-ds-annotations-limit',
    },
  },
  variables: {
    container: 'data-testid caas-ds-variable-editor',
    name: 'data-testid caas-ds-variable-name',
    key: 'data-testid caas-ds-variable-key',
    eventType: 'data-testid caas-ds-variable-event-type',
    tenant: 'data-testid caas-ds-variable-tenant',
    definition: 'data-testid caas-ds-variable-definition',
  },
};
