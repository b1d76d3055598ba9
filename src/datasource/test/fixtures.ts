import {
  type DataQueryRequest,
  type DataSourceInstanceSettings,
  dateTime,
  PluginType,
  type ScopedVars,
  type TimeRange,
} from '@grafana/data';
import type { BackendSrvRequest, FetchResponse, TemplateSrv } from '@grafana/runtime';
import { type Observable, of, throwError } from 'rxjs';
import { CaasDataSource } from '../datasource';
import type { CaasDataSourceOptions, CaasQuery, QueryResponse } from '../types';

/** Test helpers of the data source: instance settings, a template service with variables, canned answers. */

export const PROXY_URL = '/api/datasources/proxy/uid/caas-uid';
export const ROUTE_URL = `${PROXY_URL}/caas`;

export function instanceSettings(
  jsonData: CaasDataSourceOptions = { url: 'http://backend:8080' }
): DataSourceInstanceSettings<CaasDataSourceOptions> {
  // `id` is deprecated (Grafana 13 drops it) and the data source never reads it.
  return {
    uid: 'caas-uid',
    type: 'caas-analytics-datasource',
    name: 'CAAS Analytics',
    access: 'proxy',
    url: PROXY_URL,
    jsonData,
    readOnly: false,
    meta: {
      id: 'caas-analytics-datasource',
      name: 'CAAS Analytics',
      type: PluginType.datasource,
      info: {
        author: { name: 'CAAS Observatory' },
        description: '',
        links: [],
        logos: { small: '', large: '' },
        screenshots: [],
        updated: '',
        version: '',
      },
      module: '',
      baseUrl: '',
    },
  } as DataSourceInstanceSettings<CaasDataSourceOptions>;
}

/** Dashboard variables the fake TemplateSrv knows: single and multi-value. */
export const VARIABLES: Record<string, string | string[]> = {
  tenant: 'acme',
  types: ['message_sent', 'message_read'],
  platform: 'ios',
  platforms: ['ios', 'android'],
  prop: 'duration_s',
};

/**
 * Grafana's TemplateSrv in miniature: `$name` and `${name}`; a multi-value variable goes through a format function
 * when one is given (as Grafana does) and is joined with commas otherwise. Unknown variables stay as typed.
 */
export function fakeTemplateSrv(vars: Record<string, string | string[]> = VARIABLES): TemplateSrv {
  return {
    getVariables: () => Object.keys(vars).map((name) => ({ name }) as ReturnType<TemplateSrv['getVariables']>[number]),
    replace: (target?: string, _scopedVars?: ScopedVars, format?: string | Function) =>
      (target ?? '').replace(/\$\{(\w+)\}|\$(\w+)/g, (match, braced: string | undefined, bare: string | undefined) => {
        const value = vars[(braced ?? bare) as string];
        if (value === undefined) {
          return match;
        }
        if (typeof format === 'function') {
          return format(value);
        }
        return Array.isArray(value) ? value.join(',') : value;
      }),
    containsTemplate: (target?: string) => /\$/.test(target ?? ''),
    updateTimeRange: () => {},
  };
}

export function makeDataSource(
  jsonData?: CaasDataSourceOptions,
  vars?: Record<string, string | string[]>
): CaasDataSource {
  return new CaasDataSource(instanceSettings(jsonData), fakeTemplateSrv(vars));
}

export const FROM = Date.UTC(2024, 0, 1);
export const TO = Date.UTC(2024, 0, 8);

export function timeRange(from = FROM, to = TO): TimeRange {
  return { from: dateTime(from), to: dateTime(to), raw: { from: dateTime(from), to: dateTime(to) } };
}

export function dataRequest(
  targets: CaasQuery[],
  extra: Partial<DataQueryRequest<CaasQuery>> = {}
): DataQueryRequest<CaasQuery> {
  return {
    requestId: 'Q1',
    interval: '1h',
    intervalMs: 3_600_000,
    range: timeRange(),
    scopedVars: {},
    targets,
    timezone: 'utc',
    app: 'dashboard',
    startTime: FROM,
    ...extra,
  };
}

export function ok<T>(data: T, status = 200): Observable<FetchResponse<T>> {
  return of({
    data,
    status,
    ok: true,
    statusText: 'OK',
    headers: new Headers(),
    redirected: false,
    type: 'basic',
    url: '',
    config: { url: '' },
  });
}

/** What Grafana's backend_srv throws for a non-2xx answer: a FetchError `{ status, data }`. */
export function httpError(status: number, data: unknown): Observable<never> {
  return throwError(() => ({ status, data, statusText: '', config: { url: '' } }));
}

export type FetchCall = BackendSrvRequest;

/** A wide time series as the backend sends it: time + one number field per series with labels. */
export const timeseriesResponse: QueryResponse = {
  meta: {
    kind: 'timeseries',
    tenant_id: 'acme',
    source: 'rollup_hourly',
    granularity: 'hour',
    from: FROM,
    to: TO,
    elapsed_ms: 12,
  },
  frames: [
    {
      fields: [
        { name: 'time', type: 'time', values: [FROM, FROM + 3_600_000] },
        { name: 'events', type: 'number', unit: 'short', labels: { type: 'text' }, values: [10, 12] },
        { name: 'events', type: 'number', unit: 'short', labels: { type: 'image' }, values: [3, null] },
      ],
    },
  ],
};

export const funnelResponse: QueryResponse = {
  meta: { kind: 'funnel', tenant_id: 'acme', source: 'events', from: FROM, to: TO, elapsed_ms: 30 },
  frames: [
    {
      name: 'funnel',
      fields: [
        { name: 'step', type: 'string', values: ['signup', 'first message'] },
        { name: 'users', type: 'number', unit: 'short', values: ['1200', '300'] },
        { name: 'conversion', type: 'number', unit: 'percentunit', values: [1, 0.25] },
      ],
    },
  ],
};

/**
 * A search_analytics answer as the backend sends it (backend/src/analytics/search-analytics.ts; its frame and field
 * names are asserted by backend/test/search-api.test.ts): two tables and the latency frame with the volume.
 */
export const searchAnalyticsResponse: QueryResponse = {
  meta: {
    kind: 'search_analytics',
    tenant_id: 'acme',
    source: 'raw',
    granularity: 'day',
    from: FROM,
    to: TO,
    elapsed_ms: 21,
  },
  frames: [
    {
      name: 'popular queries',
      fields: [
        { name: 'query', type: 'string', values: ['budget', 'nothingmatches', 'friday'] },
        { name: 'searches', type: 'number', unit: 'short', values: ['3', '2', '1'] },
        { name: 'users', type: 'number', unit: 'short', values: [2, 1, 1] },
        { name: 'average results', type: 'number', unit: 'short', values: [4.33, 0, 2] },
        { name: 'zero results', type: 'number', unit: 'short', values: [0, 2, 0] },
      ],
    },
    {
      name: 'zero-result queries',
      fields: [
        { name: 'query', type: 'string', values: ['nothingmatches'] },
        { name: 'searches', type: 'number', unit: 'short', values: [2] },
        { name: 'users', type: 'number', unit: 'short', values: [1] },
        { name: 'last searched', type: 'time', values: [FROM + 3_600_000] },
      ],
    },
    {
      name: 'search latency',
      fields: [
        { name: 'time', type: 'time', values: [FROM, FROM + 86_400_000] },
        { name: 'p50', type: 'number', unit: 'ms', values: [12.5, null] },
        { name: 'p95', type: 'number', unit: 'ms', values: [40.1, null] },
        { name: 'searches', type: 'number', unit: 'short', values: [6, 0] },
      ],
    },
  ],
};
