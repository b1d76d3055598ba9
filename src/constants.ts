import pluginJson from './plugin.json';

export const PLUGIN_ID = pluginJson.id;

export const PLUGIN_BASE_URL = `/a/${PLUGIN_ID}`;

/** Grafana's own page for the app's settings (the config page added in module.tsx). */
export const CONFIG_PAGE_URL = `/plugins/${PLUGIN_ID}`;

/**
 * Every backend call goes through the app's plugin-proxy route (plugin.json `routes`, path `api/*`), so Grafana adds
 * the API key from secureJsonData and the browser never sees it (DESIGN.md, Data flows 3).
 */
export const API_PROXY_BASE = `/api/plugin-proxy/${PLUGIN_ID}/api`;

/** Where the backend listens by default (backend `PORT`, docker-compose service). */
export const DEFAULT_API_URL = 'http://localhost:8080';

/**
 * The dashboards bundled in the app (plugin.json `includes`, files in dashboards/) and provisioned from dist/. Their
 * uids are stable so that links to `/d/<uid>` work whichever way they reached Grafana (dashboards/README.md).
 */
export const DASHBOARDS = [
  { id: 'usage', file: 'usage-overview', uid: 'caas-usage-overview' },
  { id: 'messages', file: 'message-analytics', uid: 'caas-message-analytics' },
  { id: 'users', file: 'user-activity-retention', uid: 'caas-user-activity-retention' },
  { id: 'adoption', file: 'feature-adoption', uid: 'caas-feature-adoption' },
  { id: 'cost', file: 'cost-tracking', uid: 'caas-cost-tracking' },
  { id: 'search', file: 'search-analytics', uid: 'caas-search-analytics' },
] as const;

export type DashboardId = (typeof DASHBOARDS)[number]['id'];

/**
 * The operational dashboards (Prometheus, dashboards/ops-*.json): provisioned with the others and importable by hand
 * (`${DS_PROMETHEUS}` input), but not in plugin.json `includes`: the app's Dashboards tab imports with no inputs, which
 * fails for a dashboard that declares one (dashboards/README.md).
 */
export const OPS_DASHBOARDS = [
  { id: 'platform', file: 'ops-platform-overview', uid: 'caas-ops-platform-overview' },
  { id: 'socket', file: 'ops-socket-service', uid: 'caas-ops-socket-service' },
  { id: 'gateway', file: 'ops-api-gateway', uid: 'caas-ops-api-gateway' },
  { id: 'kafka', file: 'ops-kafka', uid: 'caas-ops-kafka' },
  { id: 'mongodb', file: 'ops-mongodb', uid: 'caas-ops-mongodb' },
  { id: 'alerts', file: 'ops-alerts-incidents', uid: 'caas-ops-alerts-incidents' },
  { id: 'backend', file: 'ops-backend-health', uid: 'caas-ops-backend-health' },
] as const;

export type OpsDashboardId = (typeof OPS_DASHBOARDS)[number]['id'];

/** Grafana's URL of a dashboard by uid. */
export function dashboardUrl(uid: string): string {
  return `/d/${uid}`;
}
