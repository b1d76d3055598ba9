import type { EngineCheck, HealthResponse, ReadyResponse } from '../../backend/src/contracts/health';
import { request, type RequestOptions } from './client';
import { isRecord, UnexpectedResponseError } from './errors';

export type { EngineCheck, HealthResponse, ReadyResponse };

type CallOptions = Pick<RequestOptions, 'signal' | 'timeoutMs'>;

/**
 * GET /health: version, per-engine checks and the WAL backlog. The backend answers 503 with the same body when an
 * engine is down, which is an answer to show, not an error.
 */
export async function getHealth(options: CallOptions = {}): Promise<HealthResponse> {
  const { data } = await request<unknown>('/health', { ...options, acceptStatus: [503] });
  if (!isRecord(data) || !isRecord(data.checks) || !isRecord(data.wal) || typeof data.status !== 'string') {
    throw new UnexpectedResponseError('GET /health without status, checks and wal', data);
  }
  return data as HealthResponse;
}

/** GET /health/ready: 200 when every configured engine answers, 503 (same body) otherwise. */
export async function getReady(options: CallOptions = {}): Promise<ReadyResponse> {
  const { data } = await request<unknown>('/health/ready', { ...options, acceptStatus: [503] });
  if (!isRecord(data) || !isRecord(data.checks) || typeof data.status !== 'string') {
    throw new UnexpectedResponseError('GET /health/ready without status and checks', data);
  }
  return data as ReadyResponse;
}

/** Engines in a stable order: the known ones first (analytics, metadata, search), then any others by name. */
export function sortedChecks(checks: Record<string, EngineCheck>): Array<[string, EngineCheck]> {
  const order = ['clickhouse', 'postgres', 'meilisearch'];
  const rank = (name: string) => (order.includes(name) ? order.indexOf(name) : order.length);
  return Object.entries(checks).sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b));
}
