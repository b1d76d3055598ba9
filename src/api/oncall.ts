import type { Static } from '@sinclair/typebox';
import type {
  Channel as ChannelSchema,
  ChannelBody as ChannelBodySchema,
  ChannelDelivery as ChannelDeliverySchema,
  ChannelTestAnswer as ChannelTestAnswerSchema,
} from '../../backend/src/contracts/channels';
import type {
  CreatePolicyBody,
  EscalationPolicy as EscalationPolicySchema,
  Target as TargetSchema,
} from '../../backend/src/contracts/incidents';
import type {
  IcalImported as IcalImportedSchema,
  OnCallNow as OnCallNowSchema,
  Responder as ResponderSchema,
  ResponderBody as ResponderBodySchema,
  Schedule as ScheduleSchema,
  ScheduleBody as ScheduleBodySchema,
  Shifts as ShiftsSchema,
} from '../../backend/src/contracts/oncall';
import { API_PROXY_BASE } from '../constants';
import { request, type CallOptions } from './client';
import { expectShape } from './errors';

/**
 * The on-call API the On-call page uses (issue "Alert management", Grafana side): responders, schedules (layers,
 * overrides, shifts, iCal), who is on call now (/v1/oncall/*), escalation policies (/v1/escalation-policies) and alert
 * channels with their test send and delivery log (/v1/alerts/channels). Reads go through the Viewer routes (read key),
 * writes through the Admin routes (admin key).
 */
export type Responder = Static<typeof ResponderSchema>;
export type ResponderInput = Static<typeof ResponderBodySchema>;
export type Schedule = Static<typeof ScheduleSchema>;
export type ScheduleInput = Static<typeof ScheduleBodySchema>;
export type Layer = Schedule['layers'][number];
export type Override = Schedule['overrides'][number];
export type Shifts = Static<typeof ShiftsSchema>;
export type Shift = Shifts['shifts'][number];
export type OnCallNow = Static<typeof OnCallNowSchema>;
export type NowEntry = OnCallNow['schedules'][number];
export type IcalImported = Static<typeof IcalImportedSchema>;
export type EscalationPolicy = Static<typeof EscalationPolicySchema>;
export type PolicyInput = Static<typeof CreatePolicyBody>;
export type Target = Static<typeof TargetSchema>;
export type Channel = Static<typeof ChannelSchema>;
export type ChannelInput = Static<typeof ChannelBodySchema>;
export type ChannelKind = Channel['kind'];
export type ChannelDelivery = Static<typeof ChannelDeliverySchema>;
export type ChannelTestAnswer = Static<typeof ChannelTestAnswerSchema>;

export const CHANNEL_KINDS: readonly ChannelKind[] = ['email', 'slack', 'pagerduty', 'sms', 'phone', 'webhook'];

const enc = encodeURIComponent;
const hasId = (d: Record<string, unknown>) => typeof d.id === 'string';
const isSchedule = (d: Record<string, unknown>) =>
  typeof d.id === 'string' && Array.isArray(d.layers) && Array.isArray(d.overrides);

// ---- responders ----

export async function listResponders(options: CallOptions = {}): Promise<Responder[]> {
  const { data } = await request<unknown>('/v1/oncall/responders', options);
  return expectShape<{ responders: Responder[] }>('GET /v1/oncall/responders without responders', data, (d) =>
    Array.isArray(d.responders)
  ).responders;
}

/** POST /v1/oncall/responders, or PUT /v1/oncall/responders/:id when `id` is given. */
export async function saveResponder(id: string | undefined, body: ResponderInput): Promise<Responder> {
  const { data } = await request<unknown>(id ? `/v1/oncall/responders/${enc(id)}` : '/v1/oncall/responders', {
    method: id ? 'PUT' : 'POST',
    data: body,
  });
  return expectShape<Responder>('a responder save without the responder', data, hasId);
}

// ---- schedules ----

export async function listSchedules(options: CallOptions = {}): Promise<Schedule[]> {
  const { data } = await request<unknown>('/v1/oncall/schedules', options);
  return expectShape<{ schedules: Schedule[] }>('GET /v1/oncall/schedules without schedules', data, (d) =>
    Array.isArray(d.schedules)
  ).schedules;
}

export async function saveSchedule(id: string | undefined, body: ScheduleInput): Promise<Schedule> {
  const { data } = await request<unknown>(id ? `/v1/oncall/schedules/${enc(id)}` : '/v1/oncall/schedules', {
    method: id ? 'PUT' : 'POST',
    data: body,
  });
  return expectShape<Schedule>('a schedule save without the schedule', data, isSchedule);
}

/** GET /v1/oncall/schedules/:id/shifts: the final shifts over [from, to), with local times in the schedule's zone. */
export async function getShifts(id: string, from: Date, to: Date, options: CallOptions = {}): Promise<Shifts> {
  const { data } = await request<unknown>(`/v1/oncall/schedules/${enc(id)}/shifts`, {
    params: { from: from.toISOString(), to: to.toISOString() },
    ...options,
  });
  return expectShape<Shifts>(`GET /v1/oncall/schedules/${id}/shifts without shifts`, data, (d) =>
    Array.isArray(d.shifts)
  );
}

export async function getOnCallNow(options: CallOptions = {}): Promise<OnCallNow> {
  const { data } = await request<unknown>('/v1/oncall/now', options);
  return expectShape<OnCallNow>('GET /v1/oncall/now without schedules', data, (d) => Array.isArray(d.schedules));
}

export async function addOverride(
  scheduleId: string,
  body: { responder_id: string; from: string; to: string; note?: string | null }
): Promise<Schedule> {
  const { data } = await request<unknown>(`/v1/oncall/schedules/${enc(scheduleId)}/overrides`, {
    method: 'POST',
    data: body,
  });
  return expectShape<Schedule>('an override without the schedule', data, isSchedule);
}

export async function deleteOverride(scheduleId: string, overrideId: string): Promise<Schedule> {
  const { data } = await request<unknown>(`/v1/oncall/schedules/${enc(scheduleId)}/overrides/${enc(overrideId)}`, {
    method: 'DELETE',
  });
  return expectShape<Schedule>('an override deletion without the schedule', data, isSchedule);
}

/** What the On-call page can delete: a responder, a schedule, an escalation policy or a channel. */
export type Deletable = 'responder' | 'schedule' | 'policy' | 'channel';
const DELETE_PATHS: Record<Deletable, string> = {
  responder: '/v1/oncall/responders',
  schedule: '/v1/oncall/schedules',
  policy: '/v1/escalation-policies',
  channel: '/v1/alerts/channels',
};

/** Deletes one; the backend's refusal (e.g. a responder a schedule still names: 409) rejects with its reason. */
export async function deleteObject(what: Deletable, id: string): Promise<void> {
  await request<unknown>(`${DELETE_PATHS[what]}/${enc(id)}`, { method: 'DELETE' });
}

export async function importIcal(scheduleId: string, text: string, skipUnmatched: boolean): Promise<IcalImported> {
  const { data } = await request<unknown>(`/v1/oncall/schedules/${enc(scheduleId)}/ical`, {
    method: 'POST',
    data: { text, skip_unmatched: skipUnmatched },
  });
  return expectShape<IcalImported>('an iCal import without its summary', data, (d) => Array.isArray(d.unmatched));
}

// ---- escalation policies ----

export async function listPolicies(options: CallOptions = {}): Promise<EscalationPolicy[]> {
  const { data } = await request<unknown>('/v1/escalation-policies', options);
  return expectShape<{ policies: EscalationPolicy[] }>('GET /v1/escalation-policies without policies', data, (d) =>
    Array.isArray(d.policies)
  ).policies;
}

export async function savePolicy(id: string | undefined, body: PolicyInput): Promise<EscalationPolicy> {
  const { id: _newId, ...replace } = body;
  const { data } = await request<unknown>(id ? `/v1/escalation-policies/${enc(id)}` : '/v1/escalation-policies', {
    method: id ? 'PUT' : 'POST',
    data: id ? replace : body,
  });
  return expectShape<EscalationPolicy>('a policy save without the policy', data, hasId);
}

// ---- channels ----

export async function listChannels(options: CallOptions = {}): Promise<Channel[]> {
  const { data } = await request<unknown>('/v1/alerts/channels', options);
  return expectShape<{ channels: Channel[] }>('GET /v1/alerts/channels without channels', data, (d) =>
    Array.isArray(d.channels)
  ).channels;
}

export async function saveChannel(id: string | undefined, body: ChannelInput): Promise<Channel> {
  const { data } = await request<unknown>(id ? `/v1/alerts/channels/${enc(id)}` : '/v1/alerts/channels', {
    method: id ? 'PUT' : 'POST',
    data: body,
  });
  return expectShape<Channel>('a channel save without the channel', data, hasId);
}

export async function testChannel(id: string): Promise<ChannelTestAnswer> {
  const { data } = await request<unknown>(`/v1/alerts/channels/${enc(id)}/test`, { method: 'POST', data: {} });
  return expectShape<ChannelTestAnswer>(
    'a channel test without its delivery',
    data,
    (d) => typeof d.delivery_id === 'string'
  );
}

export async function listChannelDeliveries(id: string, options: CallOptions = {}): Promise<ChannelDelivery[]> {
  const { data } = await request<unknown>(`/v1/alerts/channels/${enc(id)}/deliveries`, {
    params: { limit: 20 },
    ...options,
  });
  return expectShape<{ deliveries: ChannelDelivery[] }>(`GET /v1/alerts/channels/${id}/deliveries`, data, (d) =>
    Array.isArray(d.deliveries)
  ).deliveries;
}

/** Where the browser opens the generated alertmanager.yml (the Viewer route; Grafana adds the read key). */
export const ALERTMANAGER_YML_URL = `${API_PROXY_BASE}/v1/alerts/alertmanager.yml`;
