// Types of grafana-proxy.mjs (Grafana's plugin proxies, shared by backend/test/grafana-routes.test.ts and the
// workbench).

export type OrgRole = 'None' | 'Viewer' | 'Editor' | 'Admin';

/** A plugin.json `routes[]` entry, as Grafana reads it. */
export interface PluginRoute {
  path?: string;
  method?: string;
  url?: string;
  reqRole?: string;
  reqAction?: string;
  headers?: Array<{ name: string; content?: string }>;
  [other: string]: unknown;
}

export type Picked =
  | { outcome: 'proxied'; route: PluginRoute; index: number; forwardPath: string }
  | { outcome: 'forbidden'; route: PluginRoute; index: number }
  | { outcome: 'not-found' }
  | { outcome: 'unrouted' };

export interface PluginInstance {
  routes?: PluginRoute[];
  jsonData?: Record<string, unknown>;
  secureJsonData?: Record<string, string>;
  /** Data source instances only: the instance's own URL, where unrouted requests go. */
  url?: string;
}

export interface GrafanaSetup {
  role: OrgRole;
  apps: Record<string, PluginInstance>;
  dataSources: Record<string, PluginInstance>;
}

export type ProxyAnswer =
  | { status: number; message: string; route?: PluginRoute; index?: number }
  | {
      status: 'proxied';
      kind: 'app' | 'datasource';
      route?: PluginRoute;
      index?: number;
      url: string;
      headers: Record<string, string[]>;
    };

export const ORG_ROLES: readonly OrgRole[];
export function parseReqRole(value: unknown): OrgRole | undefined;
export function roleIncludes(userRole: OrgRole, required: OrgRole): boolean;
export function routeMinRole(route: PluginRoute): OrgRole;
export function goPathClean(p: string): string;
export function goPathUnescape(s: string): string | undefined;
export function joinURLFragments(a: string, b: string): string;
export function treeMatch(pattern: string, url: string): Record<string, string> | undefined;
export function pickAppRoute(
  routes: PluginRoute[] | undefined,
  method: string,
  proxyPath: string,
  userRole: OrgRole
): Picked;
export function cleanRelativePath(p: string): string;
export function pickDataSourceRoute(
  routes: PluginRoute[] | undefined,
  method: string,
  proxyPath: string,
  userRole: OrgRole
): Picked;
export function interpolate(
  text: string,
  data: { JsonData?: Record<string, unknown>; SecureJsonData?: Record<string, unknown> }
): string;
export function routeSecrets(route: PluginRoute): string[];
export function targetURL(
  route: PluginRoute,
  forwardPath: string,
  jsonData: Record<string, unknown>,
  search?: string
): string;
export function routeHeaders(
  route: PluginRoute,
  jsonData: Record<string, unknown>,
  secureJsonData: Record<string, unknown>
): Record<string, string[]>;
export function appProxyPath(escapedPath: string): { pluginId: string; proxyPath: string } | undefined;
export function dataSourceProxyPath(escapedPath: string): { id?: string; uid?: string; proxyPath: string } | undefined;
export function proxyRequest(request: { method: string; url: string }, grafana: GrafanaSetup): ProxyAnswer;
