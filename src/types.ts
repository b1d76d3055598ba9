/**
 * The app's settings as Grafana stores them (plugin settings API).
 * jsonData is readable by every Viewer, so nothing secret goes here (DESIGN.md, Non-negotiables).
 */
export interface AppJsonData {
  /** Base URL of the CAAS Observatory backend as Grafana's server sees it, e.g. http://localhost:8080 (no final /). */
  apiUrl?: string;
}

/**
 * Write-only secrets; Grafana encrypts them and only tells the browser which ones are set (secureJsonFields). One key
 * per privilege, and plugin.json's routes inject the least one that serves each request (DESIGN.md, Data flows 3;
 * checked by backend/test/grafana-routes.test.ts):
 */
export interface AppSecureJsonData {
  /**
   * A read key, backend role `viewer` (reads every tenant, writes nothing): sent on the routes open to Grafana
   * Viewers (GET and POST api/v1/analytics/*). Create it with `npx caas keys create --role viewer`.
   */
  viewerKey?: string;
  /**
   * A responder key, backend role `responder` (reads what a viewer reads, acts on incidents and silences): sent on the
   * routes gated by `reqRole: Editor` (incident actions, silences). Create it with `npx caas keys create --role responder`.
   */
  responderKey?: string;
  /**
   * The backend's admin key, role `admin`: sent only on the routes gated by `reqRole: Admin` (API keys, creating
   * tenants, replaying dead letters).
   */
  adminKey?: string;
  /**
   * The single key of versions before the Hardening issue (usually the admin key). No route sends it any more; the
   * Configuration page asks for the two keys above and removes it on save.
   */
  apiKey?: string;
}

/** The secureJsonData keys, as the Configuration page sets them. */
export type AppKeyName = 'viewerKey' | 'responderKey' | 'adminKey';

/** The keys in the order the Configuration page shows them: least privilege first. */
export const APP_KEY_NAMES: readonly AppKeyName[] = ['viewerKey', 'responderKey', 'adminKey'];
