import type { PluginMeta } from '@grafana/data';
import type { AppJsonData, AppSecureJsonData } from '../types';
import { fetchGrafana, request, type CallOptions } from './client';
import { ApiError } from './errors';

export interface AppSettingsUpdate {
  enabled: boolean;
  pinned: boolean;
  jsonData: AppJsonData;
  /** Omit to keep the stored secrets; a key set to '' is cleared (e.g. `{ apiKey: '' }` removes the old single key). */
  secureJsonData?: AppSecureJsonData;
}

/** Saves the app's settings through Grafana's plugin settings API (admin only), as the create-plugin scaffold does. */
export async function updateAppSettings(pluginId: string, update: AppSettingsUpdate): Promise<void> {
  const data: Partial<PluginMeta<AppJsonData>> & { secureJsonData?: AppSecureJsonData } = update;
  await fetchGrafana(`/api/plugins/${encodeURIComponent(pluginId)}/settings`, { method: 'POST', data });
}

/**
 * Checks the saved read key: a read every Viewer's page makes (the tenants variable), through the route open to
 * Viewers (plugin.json `GET api/v1/analytics/*`), which sends secureJsonData.viewerKey. Rejects with the client's
 * errors.
 */
export async function checkReadKey(options: CallOptions = {}): Promise<void> {
  await request('/v1/analytics/variables/tenants', options);
}

/** An incident id no incident has: acting on it proves a key may act on incidents without changing one. */
const NO_INCIDENT = 'inc_0000000000000000';

/**
 * Checks the saved responder key: acknowledging an incident that does not exist, through the Editor route (plugin.json
 * `POST api/v1/incidents/*`, `reqRole: Editor`), which sends secureJsonData.responderKey. The backend checks the key's
 * role before it looks for the incident, so a 404 means the key may act (and nothing changed); a 401 or 403 rejects
 * with the client's errors, as any other failure does.
 */
export async function checkResponderKey(options: CallOptions = {}): Promise<void> {
  try {
    await request(`/v1/incidents/${NO_INCIDENT}/acknowledge`, { ...options, method: 'POST' });
  } catch (error) {
    if (error instanceof ApiError && error.fromBackend && error.status === 404) {
      return;
    }
    throw error;
  }
}

/**
 * Checks the saved admin key: listing API keys (never their secrets) through the Admin-only route
 * (plugin.json `GET api/v1/keys`, `reqRole: Admin`), which sends secureJsonData.adminKey.
 */
export async function checkAdminKey(options: CallOptions = {}): Promise<void> {
  await request('/v1/keys', options);
}
