/**
 * The browser workbench, rendered outside Grafana against a real backend, in two parts:
 * - "App": the app's real router (src/components/App, built from the route table src/routes.ts) at Grafana's URLs
 *   `/a/caas-observatory-app/<page>`, with a nav built from the same table (Grafana builds its sidebar from plugin.json's
 *   includes, which routes.test.ts holds to the table). Home (health, jobs, storage, features) and the Analytics
 *   explorer (which mounts the data source's real QueryEditor over an adapter that answers through the app's proxy
 *   route) keep their state in this page's URL, as they do in Grafana's.
 * - "Data source panel" (DataSourcePanel.tsx): the real CaasDataSource, built from provisioned-style instance settings,
 *   with its QueryEditor; runs go through `ds.query()` (data proxy route `<url>/caas/...`, toDataFrames, error
 *   responses) and are drawn by the panel stand-in below; "Test" calls `ds.testDatasource()`.
 * Opened first as `/index.html?backend=<backend base URL>&viewerKey=<read key>[&adminKey=<admin key>][&role=<org role>]
 * [&days=<range in days>][&tenant=<default tenant>]` (`viewerKey`: the app's secureJsonData.viewerKey and the data
 * source's apiKey, a key of backend role viewer; `adminKey`: the app's secureJsonData.adminKey, left out by the browser
 * tests; `role`: the signed-in user's Grafana org role, Viewer by default; `tenant`: the data source's
 * jsonData.defaultTenant), which goes on to the app's Home. These settings are Grafana's server-side state, so the
 * workbench keeps them in localStorage: an app URL opened later (a copied link in another tab, a reload) finds them again without
 * carrying them.
 *
 * What Grafana would provide is stood in for here:
 * - getBackendSrv(): Grafana's plugin proxies, then a real fetch() to the backend. A proxy URL (the app's
 *   `/api/plugin-proxy/<app>/api/...`, a data source's `/api/datasources/proxy/uid/<uid>/caas/...`) is answered by
 *   grafana-proxy.mjs, the same port of Grafana's route matching that backend/test/grafana-routes.test.ts checks the
 *   routes with: the route Grafana would pick from plugin.json / src/datasource/plugin.json for the method and path,
 *   refused (403) or not found (404) as Grafana would for the user's role, else forwarded to the route's URL with the
 *   route's headers rendered from the keys above (a key the workbench was not given renders as Grafana renders it,
 *   "<no value>"). Every request is logged in `window.caasWorkbench.proxyLog`.
 * - Grafana's router and its link handling: a BrowserRouter, and a click on a link to an app page navigates in place
 *   (Grafana intercepts such clicks the same way), so the page keeps its state.
 * - The app's plugin context (meta.jsonData.apiUrl), getTemplateSrv() (no dashboard, no variables), and the signed-in
 *   user's org role in config.bootData.user.orgRole (`role`).
 * - PanelRenderer: Grafana's panel plugin registry does not exist outside Grafana, so panels are drawn with
 *   @grafana/ui's TimeSeries (uPlot) and Table components from the same options and field config.
 */
import React, { type ComponentType, useEffect } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter, Link, Navigate, Route, Routes, useNavigate } from 'react-router-dom';
import { Observable } from 'rxjs';
import {
  applyFieldOverrides,
  createTheme,
  type DataFrame,
  type AppRootProps,
  type FieldConfigSource,
  type OrgRole as GrafanaOrgRole,
  type PanelData,
  type PanelProps,
  PluginContextProvider,
  type PluginMeta,
  PluginType,
  type TimeRange,
  rangeUtil,
} from '@grafana/data';
import {
  type BackendSrv,
  type BackendSrvRequest,
  config,
  type FetchResponse,
  setBackendSrv,
  setTemplateSrv,
  type TemplateSrv,
} from '@grafana/runtime';
import { GlobalStyles, Stack, Table, ThemeContext, TimeSeries } from '@grafana/ui';
// @ts-expect-error: an alias of @grafana/runtime's PanelRenderer module (tests/workbench/webpack.config.ts)
import { setPanelRenderer } from 'workbench-panel-renderer';
import appPluginJson from '../../plugin.json';
import App from '../../src/components/App/App';
import { PLUGIN_BASE_URL, PLUGIN_ID } from '../../src/constants';
import dsPluginJson from '../../src/datasource/plugin.json';
import { APP_PAGES, DEFAULT_PAGE, prefixRoute } from '../../src/routes';
import { plugin as searchPanelPlugin } from '../../src/panels/search/module';
import type { SearchPanelOptions } from '../../src/panels/search/options';
import { DataSourcePanel, WORKBENCH_DS_UID } from './DataSourcePanel';
import {
  ORG_ROLES,
  proxyRequest,
  routeSecrets,
  type GrafanaSetup,
  type OrgRole,
  type PluginRoute,
} from './grafana-proxy.mjs';

/** One request through the stand-in proxy: what the page asked and what Grafana would have done with it. */
export interface ProxyLogEntry {
  method: string;
  url: string;
  /** Grafana's own answer (403, 404, 502), or 'proxied'. */
  outcome: number | 'proxied';
  /** Index of the plugin.json route that was picked, if any. */
  route?: number;
  /** The secureJsonData keys the route's headers rendered, e.g. ['viewerKey']. */
  keys: string[];
}

declare global {
  interface Window {
    caasWorkbench: {
      backendUrl: string;
      role: OrgRole;
      proxyLog: ProxyLogEntry[];
      /** getBackendSrv().fetch as the pages get it, for the browser tests' probes; resolves to status and data. */
      request: (options: BackendSrvRequest) => Promise<{ status: number; data: unknown }>;
    };
  }
}

/** The workbench's settings (Grafana's server-side state): from the first URL, then from localStorage. */
const SETTINGS_KEY = 'caas-workbench-settings';
const SETTING_NAMES = ['backend', 'viewerKey', 'responderKey', 'adminKey', 'role', 'days', 'tenant'] as const;
function readSettings(): URLSearchParams {
  const fromUrl = new URLSearchParams(window.location.search);
  // Only the settings URL carries them: an app page's own `tenant` (the shared picker's) is not the data source's.
  const settingsUrl = !window.location.pathname.startsWith(`${PLUGIN_BASE_URL}/`);
  if (settingsUrl && SETTING_NAMES.some((name) => fromUrl.has(name))) {
    const settings = new URLSearchParams();
    for (const name of SETTING_NAMES) {
      const value = fromUrl.get(name);
      if (value !== null) {
        settings.set(name, value);
      }
    }
    localStorage.setItem(SETTINGS_KEY, settings.toString());
    return settings;
  }
  return new URLSearchParams(localStorage.getItem(SETTINGS_KEY) ?? '');
}

const params = readSettings();
const roleParam = params.get('role') ?? 'Viewer';
const role: OrgRole = (ORG_ROLES as readonly string[]).includes(roleParam) ? (roleParam as OrgRole) : 'Viewer';
// What Grafana's boot data tells the app about the signed-in user (the pages read config.bootData.user.orgRole to
// offer Admin actions only to Admins; the proxy below enforces the same role).
config.bootData.user.orgRole = role === 'None' ? '' : (role as GrafanaOrgRole);
const backendUrl = (params.get('backend') ?? '/backend').replace(/\/$/, '');
// jsonData holds an absolute URL (the Configuration page and the ConfigEditor save one), without a trailing slash.
const backendAbsolute = new URL(backendUrl, window.location.href).href.replace(/\/$/, '');
const viewerKey = params.get('viewerKey') ?? undefined;
const adminKey = params.get('adminKey') ?? undefined;
const responderKey = params.get('responderKey') ?? undefined;
const days = Number(params.get('days') ?? '14');
const defaultTenant = params.get('tenant') || undefined;

/** Only the keys the workbench was given: a missing one renders as "<no value>", as Go's text/template renders it. */
function secrets(values: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).filter((e): e is [string, string] => e[1] !== undefined));
}

/** What Grafana's proxies know: the user's org role, the app's settings, the provisioned data source's settings. */
const grafana: GrafanaSetup = {
  role,
  apps: {
    [PLUGIN_ID]: {
      routes: appPluginJson.routes as PluginRoute[],
      jsonData: { apiUrl: backendAbsolute },
      secureJsonData: secrets({ viewerKey, responderKey, adminKey }),
    },
  },
  dataSources: {
    [WORKBENCH_DS_UID]: {
      routes: dsPluginJson.routes as PluginRoute[],
      jsonData: { url: backendAbsolute },
      // The data source's key is documented as a read key (src/datasource/labels.ts): the same viewer key.
      secureJsonData: secrets({ apiKey: viewerKey }),
    },
  },
};

/** The secureJsonData keys the workbench holds for the app or for the data source. */
function keyNames(kind: 'app' | 'datasource'): string[] {
  const plugin = kind === 'app' ? grafana.apps[PLUGIN_ID] : grafana.dataSources[WORKBENCH_DS_UID];
  return Object.keys(plugin?.secureJsonData ?? {});
}

window.caasWorkbench = {
  backendUrl,
  role,
  proxyLog: [],
  request: (options) =>
    new Promise((resolve, reject) =>
      fetchBackend(options).subscribe({ next: (r) => resolve({ status: r.status, data: r.data }), error: reject })
    ),
};

function withParams(url: string, params: BackendSrvRequest['params']): string {
  if (!params) {
    return url;
  }
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(params as Record<string, unknown>)) {
    if (v !== undefined && v !== null) {
      search.append(k, String(v));
    }
  }
  const q = search.toString();
  return q ? `${url}${url.includes('?') ? '&' : '?'}${q}` : url;
}

function fetchBackend<T>(options: BackendSrvRequest): Observable<FetchResponse<T>> {
  return new Observable<FetchResponse<T>>((subscriber) => {
    const controller = new AbortController();
    const onAbort = () => controller.abort();
    options.abortSignal?.addEventListener('abort', onAbort);
    const method = (options.method ?? 'GET').toUpperCase();
    const url = withParams(options.url, options.params);
    const answer = proxyRequest({ method, url }, grafana);
    // Which secureJsonData keys the route renders (names only; a key the workbench lacks is marked).
    const keys =
      answer.status === 'proxied' && answer.route
        ? routeSecrets(answer.route).map((k) => (keyNames(answer.kind).includes(k) ? k : `${k} (not set)`))
        : [];
    window.caasWorkbench.proxyLog.push({
      method,
      url,
      outcome: answer.status === 'proxied' ? 'proxied' : answer.status,
      route: answer.index,
      keys,
    });
    (async () => {
      if (answer.status !== 'proxied') {
        // Grafana answers itself: a JSON `{ message }`, which backend_srv turns into a FetchError.
        throw {
          status: answer.status,
          statusText: answer.message,
          data: { message: answer.message },
          config: options,
        };
      }
      const headers: Record<string, string> = { ...(options.headers ?? {}) };
      for (const [name, values] of Object.entries(answer.headers)) {
        headers[name] = values.join(', ');
      }
      let body: string | undefined;
      if (options.data !== undefined && method !== 'GET') {
        headers['content-type'] = 'application/json';
        body = JSON.stringify(options.data);
      }
      const res = await fetch(answer.url, { method, headers, body, signal: controller.signal });
      const text = await res.text();
      let data: unknown = text;
      try {
        data = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON: keep the text
      }
      const response = {
        data: data as T,
        status: res.status,
        statusText: res.statusText,
        ok: res.ok,
        headers: res.headers,
        redirected: res.redirected,
        type: res.type,
        url: res.url,
        config: options,
      } as FetchResponse<T>;
      if (!res.ok) {
        // Grafana's backend_srv errors with a FetchError-like object.
        throw { status: res.status, statusText: res.statusText, data, config: options };
      }
      return response;
    })().then(
      (response) => {
        subscriber.next(response);
        subscriber.complete();
      },
      (error: unknown) => {
        if (error instanceof Error) {
          // fetch() itself failed (aborted, refused): Grafana reports status -1 with cancelled for aborts.
          subscriber.error({
            status: -1,
            cancelled: controller.signal.aborted,
            data: { message: error.message },
            config: options,
          });
        } else {
          subscriber.error(error);
        }
      }
    );
    return () => {
      options.abortSignal?.removeEventListener('abort', onAbort);
      controller.abort();
    };
  });
}

const promised =
  (method: string) =>
  async (url: string, data?: unknown, options: Partial<BackendSrvRequest> = {}) =>
    new Promise((resolve, reject) =>
      fetchBackend({ ...options, url, method, data }).subscribe({ next: (r) => resolve(r.data), error: reject })
    );

setBackendSrv({
  fetch: fetchBackend,
  get: (url: string, params?: BackendSrvRequest['params']) => promised('GET')(url, undefined, { params }),
  post: promised('POST'),
  put: promised('PUT'),
  patch: promised('PATCH'),
  delete: promised('DELETE'),
  request: (options: BackendSrvRequest) =>
    new Promise((resolve, reject) => fetchBackend(options).subscribe({ next: (r) => resolve(r.data), error: reject })),
  datasourceRequest: (options: BackendSrvRequest) =>
    new Promise((resolve, reject) => fetchBackend(options).subscribe({ next: resolve, error: reject })),
} as unknown as BackendSrv);

setTemplateSrv({
  getVariables: () => [],
  replace: (target?: string) => target ?? '',
  containsTemplate: () => false,
  updateTimeRange: () => {},
} as unknown as TemplateSrv);

const theme = createTheme({ colors: { mode: 'dark' } });

interface PanelRendererProps {
  pluginId: string;
  width: number;
  height: number;
  data?: PanelData;
  options?: Record<string, unknown>;
  fieldConfig?: FieldConfigSource;
  timeZone?: string;
}

/** PanelRenderer's stand-in: the same frames, options and field config, drawn by @grafana/ui's own components. */
function WorkbenchPanel({
  pluginId,
  width,
  height,
  data,
  options,
  fieldConfig,
  timeZone = 'browser',
}: PanelRendererProps) {
  if (!data) {
    return null;
  }
  const frames: DataFrame[] = applyFieldOverrides({
    data: data.series,
    fieldConfig: fieldConfig ?? { defaults: {}, overrides: [] },
    replaceVariables: (v: string) => v,
    theme,
    timeZone,
  });
  if (pluginId === 'timeseries') {
    const legend = (options?.legend as {
      showLegend: boolean;
      displayMode: 'list';
      placement: 'bottom';
      calcs: string[];
    }) ?? {
      showLegend: true,
      displayMode: 'list',
      placement: 'bottom',
      calcs: [],
    };
    return (
      <div data-testid="workbench-panel-timeseries">
        <TimeSeries
          frames={frames}
          width={width}
          height={height}
          timeRange={data.timeRange}
          timeZone={timeZone}
          legend={legend as never}
          options={options}
        />
      </div>
    );
  }
  return (
    <div data-testid="workbench-panel-table">
      {frames.map((frame, i) => (
        <Table key={i} data={frame} width={width} height={Math.floor(height / frames.length)} />
      ))}
    </div>
  );
}
setPanelRenderer(WorkbenchPanel as ComponentType<PanelRendererProps>);

const initialRange: TimeRange = rangeUtil.convertRawToRange({ from: `now-${days}d`, to: 'now' });

/** The app's meta as Grafana hands it to the root page: jsonData with the backend URL (the keys stay server-side). */
const appMeta = {
  id: PLUGIN_ID,
  name: appPluginJson.name,
  type: PluginType.app,
  enabled: true,
  jsonData: { apiUrl: backendAbsolute },
} as unknown as PluginMeta;

const appProps = {
  basename: PLUGIN_BASE_URL,
  meta: appMeta,
  query: {},
  path: PLUGIN_BASE_URL,
  onNavChanged: () => {},
} as unknown as AppRootProps;

/** Grafana's handling of a click on a link inside the app: the app's pages open in place (no reload). */
function useInPlaceLinks() {
  const navigate = useNavigate();
  useEffect(() => {
    const onClick = (event: MouseEvent) => {
      const anchor = (event.target as Element | null)?.closest?.('a[href]');
      if (!anchor || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) {
        return;
      }
      const href = anchor.getAttribute('href') ?? '';
      if (href.startsWith(`${PLUGIN_BASE_URL}/`) && !anchor.getAttribute('target')) {
        event.preventDefault();
        navigate(href);
      }
    };
    document.addEventListener('click', onClick);
    return () => document.removeEventListener('click', onClick);
  }, [navigate]);
}

/** Grafana's sidebar for the app, built as Grafana builds it: from the page includes, i.e. from the route table. */
function WorkbenchNav() {
  return (
    <nav data-testid="workbench-nav" aria-label="App pages">
      <Stack direction="row" gap={2}>
        {APP_PAGES.map((page) => (
          <Link key={page.route} to={prefixRoute(page.route)} data-testid={`workbench-nav-${page.route}`}>
            {page.title}
          </Link>
        ))}
      </Stack>
    </nav>
  );
}

/**
 * The search panel (src/panels/search) as a dashboard shows it: its plugin module's panel component with the panel's
 * default options (Tenant `$tenant`), a dashboard variable `tenant` holding the workbench's tenant, the dashboard's time
 * range; it reaches the backend through the app's plugin-proxy route like the app's pages.
 */
function WorkbenchSearchPanel() {
  const Panel = searchPanelPlugin.panel as ComponentType<PanelProps<SearchPanelOptions>>;
  if (!Panel) {
    return null;
  }
  const replaceVariables = (value: string) => value.replace(/\$\{?tenant\}?/g, defaultTenant ?? '');
  return (
    <div data-testid="workbench-search-panel" style={{ border: `1px solid ${theme.colors.border.weak}`, padding: 8 }}>
      <Panel
        {...({} as PanelProps<SearchPanelOptions>)}
        id={1}
        title="Search"
        options={{} as SearchPanelOptions}
        timeRange={initialRange}
        timeZone="browser"
        width={1000}
        height={520}
        replaceVariables={replaceVariables}
      />
    </div>
  );
}

function Workbench() {
  useInPlaceLinks();
  return (
    <ThemeContext.Provider value={theme}>
      <GlobalStyles />
      <main style={{ padding: 16, background: theme.colors.background.primary, minHeight: '100vh' }}>
        <h2>CAAS Observatory workbench</h2>
        <WorkbenchNav />
        <section data-testid="workbench-app" style={{ marginTop: 16 }}>
          <PluginContextProvider meta={appMeta}>
            <Routes>
              <Route path={`${PLUGIN_BASE_URL}/*`} element={<App {...appProps} />} />
              {/* The first URL (/index.html?settings) goes on to the app's default page. */}
              <Route path="*" element={<Navigate to={prefixRoute(DEFAULT_PAGE.route)} replace />} />
            </Routes>
          </PluginContextProvider>
        </section>
        <section style={{ marginTop: 32 }}>
          <h3>Search panel</h3>
          <WorkbenchSearchPanel />
        </section>
        <section style={{ marginTop: 32 }}>
          <h3>Data source panel</h3>
          <DataSourcePanel
            // jsonData.url as the ConfigEditor saves it: an absolute http(s) URL of the backend.
            backendUrl={backendAbsolute}
            defaultTenant={defaultTenant}
            range={initialRange}
          />
        </section>
      </main>
    </ThemeContext.Provider>
  );
}

createRoot(document.getElementById('root')!).render(
  <BrowserRouter future={{ v7_startTransition: true, v7_relativeSplatPath: true }}>
    <Workbench />
  </BrowserRouter>
);
