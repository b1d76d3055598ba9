import type {
  AnalyticsQuery,
  QueryResponse,
  VariableName,
  VariableResponse,
} from '../../backend/src/contracts/analytics';
import { request, type CallOptions } from './client';
import { isRecord, UnexpectedResponseError } from './errors';

export type { AnalyticsQuery, QueryResponse, VariableName, VariableResponse };

/** Heavy analytics (a funnel over months) may take a while; the backend has its own query time limit. */
export const ANALYTICS_TIMEOUT_MS = 60_000;

/**
 * POST /v1/analytics/query through the app's proxy route: one query of any kind, answered as data frames
 * (backend/src/contracts/analytics.ts). A 2xx answer without frames is version skew, not an empty result.
 */
export async function queryAnalytics(body: AnalyticsQuery, options: CallOptions = {}): Promise<QueryResponse> {
  const { data } = await request<unknown>('/v1/analytics/query', {
    method: 'POST',
    data: body,
    timeoutMs: ANALYTICS_TIMEOUT_MS,
    ...options,
  });
  if (!isRecord(data) || !Array.isArray(data.frames) || !isRecord(data.meta)) {
    throw new UnexpectedResponseError('POST /v1/analytics/query without frames and meta', data);
  }
  for (const frame of data.frames) {
    if (!isRecord(frame) || !Array.isArray(frame.fields)) {
      throw new UnexpectedResponseError('POST /v1/analytics/query with a frame without fields', data);
    }
  }
  return data as QueryResponse;
}

export interface VariableLookupParams {
  tenant_id?: string;
  /** property_values: the property key; dimension_values: the column */
  key?: string;
  event_type?: string;
  from?: number;
  to?: number;
}

/** GET /v1/analytics/variables/:name: tenants, event types, property keys and values, dimension values. */
export async function getVariableValues(
  name: VariableName,
  params: VariableLookupParams = {},
  options: CallOptions = {}
): Promise<Array<{ text: string; value: string }>> {
  const query = Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined && v !== ''));
  const { data } = await request<unknown>(`/v1/analytics/variables/${name}`, { params: query, ...options });
  if (!isRecord(data) || !Array.isArray(data.values)) {
    throw new UnexpectedResponseError(`GET /v1/analytics/variables/${name} without values`, data);
  }
  return data.values
    .filter((v): v is { text?: unknown; value: string } => isRecord(v) && typeof v.value === 'string')
    .map((v) => ({ text: typeof v.text === 'string' && v.text !== '' ? v.text : v.value, value: v.value }));
}
