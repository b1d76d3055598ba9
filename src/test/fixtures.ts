import { Observable, of, throwError } from 'rxjs';
import type { BackendSrvRequest, FetchResponse } from '@grafana/runtime';
import type { HealthResponse, ReadyResponse } from '../api/health';

/** Test helpers shared by the jest tests: canned backend answers and a scriptable getBackendSrv().fetch. */

export const healthyResponse: HealthResponse = {
  status: 'ok',
  version: '0.1.0',
  uptime_s: 3 * 3600 + 120,
  checks: {
    postgres: { ok: true, mode: 'server', latency_ms: 12.4 },
    clickhouse: { ok: true, mode: 'embedded', latency_ms: 3.2 },
  },
  wal: { backlog_events: 1234, backlog_bytes: 2 * 1024 * 1024, segments: 2, store_rejected_events: 3 },
};

export const degradedResponse: HealthResponse = {
  ...healthyResponse,
  status: 'degraded',
  checks: {
    clickhouse: { ok: false, mode: 'server', latency_ms: 2000, error: 'connect ECONNREFUSED 10.0.0.5:8123' },
    postgres: { ok: true, mode: 'embedded', latency_ms: 0.4 },
  },
  wal: { backlog_events: 0, backlog_bytes: 0, segments: 0, store_rejected_events: 0 },
};

export const readyResponse: ReadyResponse = {
  status: 'ready',
  checks: {
    clickhouse: { ok: true, mode: 'embedded', latency_ms: 2 },
    postgres: { ok: true, mode: 'embedded', latency_ms: 1 },
  },
};

export const notReadyResponse: ReadyResponse = {
  status: 'not_ready',
  checks: {
    clickhouse: { ok: true, mode: 'embedded', latency_ms: 2 },
    postgres: { ok: false, mode: 'server', latency_ms: 5000, error: 'password authentication failed for user "caas"' },
  },
};

export function ok<T>(data: T, status = 200): Observable<FetchResponse<T>> {
  return of({ data, status, ok: true, statusText: 'OK' } as FetchResponse<T>);
}

/** What Grafana's backend_srv throws for a non-2xx answer: a FetchError `{ status, data }`. */
export function httpError(status: number, data: unknown): Observable<never> {
  return throwError(() => ({ status, data, statusText: '', config: { url: '' } }));
}

export type FetchHandler = (options: BackendSrvRequest) => Observable<FetchResponse<unknown>>;
