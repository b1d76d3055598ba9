/**
 * The browser workbench, rendered outside Grafana against a real backend, in two sections:
 * - "Analytics explorer": the app's page (src/pages/Analytics), which mounts the data source's real QueryEditor over
 *   an adapter that answers through the app's proxy route;
 * - "Data source panel" (DataSourcePanel.tsx): the real CaasDataSource, built from provisioned-style instance settings,
 *   with its QueryEditor; runs go through `ds.query()` (data proxy route `<url>/caas/...`, toDataFrames, error
 *   responses) and are drawn by the panel stand-in below; "Test" calls `ds.testDatasource()`.
 * Opened as `/index.html?backend=<backend base URL>&key=<API key>[&days=<range in days>][&tenant=<default tenant>]`
 * (`tenant`: the data source's jsonData.defaultTenant).
 *
 * What Grafana would provide is stood in for here:
 * - getBackendSrv(): a real fetch() to the backend; Grafana proxy URLs (the app's `/api/plugin-proxy/<app>/api/...`
 *   and a data source's `<url>/caas/...`) are rewritten to the backend URL, with `Authorization: Bearer <key>` added,
 *   as the plugin.json routes do.
 * - getTemplateSrv(): no dashboard, no variables.
 * - PanelRenderer: Grafana's panel plugin registry does not exist outside Grafana, so panels are drawn with
 *   @grafana/ui's TimeSeries (uPlot) and Table components from the same options and field config.
 */
import React, { type ComponentType } from 'react';
import { createRoot } from 'react-dom/client';
import { Observable } from 'rxjs';
import {
  applyFieldOverrides,
  createTheme,
  type DataFrame,
  type FieldConfigSource,
  type PanelData,
  type TimeRange,
  rangeUtil,
} from '@grafana/data';
import {
  type BackendSrv,
  type BackendSrvRequest,
  type FetchResponse,
  setBackendSrv,
  setTemplateSrv,
  type TemplateSrv,
} from '@grafana/runtime';
import { GlobalStyles, Table, ThemeContext, TimeSeries } from '@grafana/ui';
// @ts-expect-error: an alias of @grafana/runtime's PanelRenderer module (tests/workbench/webpack.config.ts)
import { setPanelRenderer } from 'workbench-panel-renderer';
import { API_PROXY_BASE } from '../../src/constants';
import Analytics from '../../src/pages/Analytics/Analytics';
import { DataSourcePanel } from './DataSourcePanel';

declare global {
  interface Window {
    caasWorkbench: { backendUrl: string; apiKey: string };
  }
}

const params = new URLSearchParams(window.location.search);
window.caasWorkbench = {
  backendUrl: (params.get('backend') ?? '/backend').replace(/\/$/, ''),
  apiKey: params.get('key') ?? '',
};
const days = Number(params.get('days') ?? '14');
const defaultTenant = params.get('tenant') || undefined;

/** Grafana proxy URL → backend URL (undefined: not a proxy URL; answered 404 like Grafana would). */
function toBackendUrl(url: string): string | undefined {
  const { backendUrl } = window.caasWorkbench;
  if (url.startsWith(`${API_PROXY_BASE}/`)) {
    return backendUrl + url.slice(API_PROXY_BASE.length);
  }
  const ds = url.indexOf('/caas/');
  if (ds >= 0) {
    return backendUrl + url.slice(ds + '/caas'.length);
  }
  return undefined;
}

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
    const target = toBackendUrl(options.url);
    (async () => {
      if (!target) {
        throw {
          status: 404,
          statusText: 'Not Found',
          data: { message: `workbench: no route for ${options.url}` },
          config: options,
        };
      }
      const method = options.method ?? 'GET';
      const headers: Record<string, string> = {
        ...(options.headers ?? {}),
        authorization: `Bearer ${window.caasWorkbench.apiKey}`,
      };
      let body: string | undefined;
      if (options.data !== undefined && method !== 'GET') {
        headers['content-type'] = 'application/json';
        body = JSON.stringify(options.data);
      }
      const res = await fetch(withParams(target, options.params), { method, headers, body, signal: controller.signal });
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

function Workbench() {
  return (
    <ThemeContext.Provider value={theme}>
      <GlobalStyles />
      <main style={{ padding: 16, background: theme.colors.background.primary, minHeight: '100vh' }}>
        <h2>CAAS Observatory workbench</h2>
        <section data-testid="workbench-explorer">
          <h3>Analytics explorer</h3>
          <Analytics initialRange={initialRange} />
        </section>
        <section style={{ marginTop: 32 }}>
          <h3>Data source panel</h3>
          <DataSourcePanel
            // jsonData.url as the ConfigEditor saves it: an absolute http(s) URL of the backend.
            backendUrl={new URL(window.caasWorkbench.backendUrl, window.location.href).href}
            defaultTenant={defaultTenant}
            range={initialRange}
          />
        </section>
      </main>
    </ThemeContext.Provider>
  );
}

createRoot(document.getElementById('root')!).render(<Workbench />);
