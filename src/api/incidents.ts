import type { Static } from '@sinclair/typebox';
import type {
  Incident as IncidentSchema,
  IncidentDetail as IncidentDetailSchema,
  IncidentsQuery,
} from '../../backend/src/contracts/incidents';
import { request, type RequestOptions } from './client';
import { isRecord, UnexpectedResponseError } from './errors';

export type Incident = Static<typeof IncidentSchema>;
export type IncidentDetail = Static<typeof IncidentDetailSchema>;
export type IncidentState = Incident['state'];
export type { IncidentsQuery };
export type IncidentAction = 'acknowledge' | 'unacknowledge' | 'resolve' | 'snooze';

type CallOptions = Pick<RequestOptions, 'signal' | 'timeoutMs'>;

function isIncident(value: unknown): value is Incident {
  return (
    isRecord(value) &&
    typeof value.id === 'string' &&
    typeof value.state === 'string' &&
    typeof value.title === 'string' &&
    typeof value.created_at === 'string' &&
    isRecord(value.escalation)
  );
}

/** GET /v1/incidents (README, Alerts: incidents): newest first, the read key sees every tenant's and the platform's. */
export async function listIncidents(
  query: IncidentsQuery = {},
  options: CallOptions = {}
): Promise<{ incidents: Incident[]; next_cursor: string | null }> {
  const params = Object.fromEntries(Object.entries(query).filter(([, v]) => v !== undefined && v !== ''));
  const { data } = await request<unknown>('/v1/incidents', { params, ...options });
  if (!isRecord(data) || !Array.isArray(data.incidents) || !data.incidents.every(isIncident)) {
    throw new UnexpectedResponseError('GET /v1/incidents without incidents', data);
  }
  return { incidents: data.incidents, next_cursor: typeof data.next_cursor === 'string' ? data.next_cursor : null };
}

/** GET /v1/incidents/:id: one incident with its alerts and timeline. */
export async function getIncident(id: string, options: CallOptions = {}): Promise<IncidentDetail> {
  const { data } = await request<unknown>(`/v1/incidents/${encodeURIComponent(id)}`, options);
  if (!isIncident(data) || !Array.isArray((data as { timeline?: unknown }).timeline)) {
    throw new UnexpectedResponseError(`GET /v1/incidents/${id} without an incident and its timeline`, data);
  }
  return data as IncidentDetail;
}

/**
 * POST /v1/incidents/:id/<action> through the app's Admin route (the admin key): acknowledge stops every further page,
 * snooze pauses them for `minutes`.
 */
export async function actOnIncident(
  id: string,
  action: IncidentAction,
  minutes?: number,
  options: CallOptions = {}
): Promise<Incident> {
  const { data } = await request<unknown>(`/v1/incidents/${encodeURIComponent(id)}/${action}`, {
    method: 'POST',
    data: action === 'snooze' ? { minutes } : {},
    ...options,
  });
  if (!isIncident(data)) {
    throw new UnexpectedResponseError(`POST /v1/incidents/${id}/${action} without the incident`, data);
  }
  return data;
}
