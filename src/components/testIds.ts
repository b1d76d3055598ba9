/**
 * Every test selector of the app, shared by the jest tests and the browser tests (Playwright, plugin-e2e).
 * The "data-testid " prefix matches Grafana's own selectors so plugin-e2e's getByGrafanaSelector works too.
 */
export const testIds = {
  appConfig: {
    container: 'data-testid ac-container',
    apiUrl: 'data-testid ac-api-url',
    apiKey: 'data-testid ac-api-key',
    submit: 'data-testid ac-submit-form',
    saveError: 'data-testid ac-save-error',
    testConnection: 'data-testid ac-test-connection',
    testResult: 'data-testid ac-test-result',
  },
  home: {
    container: 'data-testid home-container',
    features: 'data-testid home-features',
    feature: (id: string) => `data-testid home-feature-${id}`,
    health: 'data-testid home-health',
    healthStatus: 'data-testid home-health-status',
    healthLoading: 'data-testid home-health-loading',
    healthError: 'data-testid home-health-error',
    healthRefresh: 'data-testid home-health-refresh',
    engine: (name: string) => `data-testid home-engine-${name}`,
    wal: 'data-testid home-wal',
    dashboards: 'data-testid home-dashboards',
    dashboard: (id: string) => `data-testid home-dashboard-${id}`,
    importDashboards: 'data-testid home-import-dashboards',
  },
  analytics: {
    container: 'data-testid analytics-container',
    timeRange: 'data-testid analytics-time-range',
    run: 'data-testid analytics-run',
    view: 'data-testid analytics-view',
    results: 'data-testid analytics-results',
    panel: 'data-testid analytics-panel',
    meta: 'data-testid analytics-meta',
    empty: 'data-testid analytics-empty',
    noData: 'data-testid analytics-no-data',
    loading: 'data-testid analytics-loading',
    error: 'data-testid analytics-error',
  },
};
