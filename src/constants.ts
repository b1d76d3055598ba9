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

export enum ROUTES {
  Home = 'home',
}
