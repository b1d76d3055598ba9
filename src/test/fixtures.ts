import { Observable, of, throwError } from 'rxjs';
import type { BackendSrvRequest, FetchResponse } from '@grafana/runtime';
import type { HealthResponse, ReadyResponse } from '../api/health';
import type { Job, ScheduleInfo, StorageReport } from '../api/jobs';

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

/** GET /v1/tenants as the demo's read key sees it. */
export const tenantsResponse = {
  tenants: [
    { id: 'globex', name: 'Globex', created_at: '2026-11-01T10:00:00.000Z' },
    { id: 'acme', name: 'Acme Corp', created_at: '2026-11-01T10:00:00.000Z' },
    { id: 'initech', name: 'initech', created_at: '2026-11-01T10:00:00.000Z' },
  ],
};

/** A job as GET /v1/jobs lists it; fields overridable. */
export function job(overrides: Partial<Job> & Pick<Job, 'id'>): Job {
  return {
    kind: 'storage.report',
    tenant_id: null,
    state: 'succeeded',
    progress: { done: 5, total: 5, message: 'measured users' },
    attempts: 1,
    created_at: '2026-12-01T03:00:00.000Z',
    started_at: '2026-12-01T03:00:01.000Z',
    finished_at: '2026-12-01T03:00:09.000Z',
    last_error: null,
    ...overrides,
  };
}

/** GET /v1/storage with a report of two tenants. */
export const storageResponse: { report: StorageReport } = {
  report: {
    taken_at: '2026-12-01T03:00:09.000Z',
    job_id: '0f8e2f7a-3c1d-4b9e-8f00-1a2b3c4d5e6f',
    tenants: [
      {
        tenant_id: 'acme',
        rows: 1_250_000,
        bytes: 3 * 1024 * 1024 * 1024,
        tables: [
          { table: 'events', rows: 1_250_000, bytes: 2 * 1024 * 1024 * 1024 },
          { table: 'events_hourly', rows: 40_000, bytes: 1024 * 1024 * 1024 },
        ],
      },
      {
        tenant_id: 'globex',
        rows: 80_000,
        bytes: 120 * 1024 * 1024,
        tables: [{ table: 'events', rows: 80_000, bytes: 120 * 1024 * 1024 }],
      },
    ],
    totals: { rows: 1_330_000, bytes: 3 * 1024 * 1024 * 1024 + 120 * 1024 * 1024 },
  },
};

/** A schedule as GET /v1/schedules lists it (the nightly storage report by default); fields overridable. */
export function schedule(overrides: Partial<ScheduleInfo> = {}): ScheduleInfo {
  return {
    name: 'storage-report',
    kind: 'storage.report',
    cron: '0 3 * * *',
    timezone: 'UTC',
    tenant_id: null,
    enabled: true,
    last_fire_at: '2026-12-01T03:00:00.000Z',
    next_fire_at: '2026-12-02T03:00:00.000Z',
    ...overrides,
  };
}

/** GET /v1/schedules as a default backend answers it: only the nightly storage report. */
export const schedulesResponse: { schedules: ScheduleInfo[] } = { schedules: [schedule()] };
