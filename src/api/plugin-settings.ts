import type { PluginMeta } from '@grafana/data';
import type { AppJsonData, AppSecureJsonData } from '../types';
import { fetchGrafana } from './client';

export interface AppSettingsUpdate {
  enabled: boolean;
  pinned: boolean;
  jsonData: AppJsonData;
  /** Omit to keep the stored secrets; `{ apiKey: '' }` clears the key. */
  secureJsonData?: AppSecureJsonData;
}

/** Saves the app's settings through Grafana's plugin settings API (admin only), as the create-plugin scaffold does. */
export async function updateAppSettings(pluginId: string, update: AppSettingsUpdate): Promise<void> {
  const data: Partial<PluginMeta<AppJsonData>> & { secureJsonData?: AppSecureJsonData } = update;
  await fetchGrafana(`/api/plugins/${encodeURIComponent(pluginId)}/settings`, { method: 'POST', data });
}
