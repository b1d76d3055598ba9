import { Type, type Static } from '@sinclair/typebox';
import { ErrorBody, TenantId } from './common.js';

/**
 * Incidents and escalation policies (issue "Alert management", items 3, 4, 7 and 8): Alertmanager's webhook
 * receiver POST /v1/alertmanager/webhook, GET /v1/incidents, GET /v1/incidents/:id (with its alerts and timeline),
 * POST /v1/incidents/:id/acknowledge|unacknowledge|resolve|snooze, PUT /v1/incidents/:id/postmortem, the seed's
 * GET /monitoring/alerts and POST /monitoring/alerts/:id/acknowledge, and /v1/escalation-policies.
 */
const Instant = Type.String({ description: 'ISO 8601, UTC' });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const StringMap = Type.Record(Type.String(), Type.String());
const State = Type.Union([Type.Literal('triggered'), Type.Literal('acknowledged'), Type.Literal('resolved')]);

export const Actor = Type.Object(
  {
    type: Type.Union([Type.Literal('key'), Type.Literal('link'), Type.Literal('alertmanager'), Type.Literal('ruler'), Type.Literal('system')]),
    id: Nullable(Type.String({ description: "an API key's id, a signed link's id" })),
    name: Nullable(Type.String({ description: "the key's name" })),
  },
  { description: 'who did it' }
);

export const WebhookAccepted = Type.Object({
  notification_id: Type.String({ description: 'the stored notification (a repeat answers the one it repeats)' }),
  duplicate: Type.Boolean({ description: "true: the same as the group's last notification (Alertmanager's repeat_interval, or a retry); counted, not applied again" }),
  applied: Type.Boolean({ description: 'false: stored, but applying it failed; a job applies it later' }),
  incidents: Type.Array(Type.String(), { description: 'the incidents it opened, changed or resolved' }),
});

const IncidentFields = {
  id: Type.String({ description: 'inc_ and 16 hex digits' }),
  group_key: Type.String({ description: "Alertmanager's group key: one open incident per group key and tenant" }),
  tenant_id: Nullable(Type.String({ description: "the alerts' tenant_id label; null: the platform's (admin and viewer keys only)" })),
  state: State,
  title: Type.String(),
  severity: Type.String({ description: "the severity label (the highest of the alerts' when they differ); none when no alert has one" }),
  service: Nullable(Type.String({ description: 'the service (or job) label' })),
  summary: Nullable(Type.String()),
  description: Nullable(Type.String()),
  runbook_url: Nullable(Type.String({ description: 'the runbook_url annotation' })),
  labels: Type.Record(Type.String(), Type.String(), { description: 'the labels every alert shares' }),
  annotations: Type.Record(Type.String(), Type.String(), { description: 'the annotations every alert shares' }),
  via: Type.Union([Type.Literal('alertmanager'), Type.Literal('ruler')], { description: "ruler: opened without Alertmanager (no grouping or silences)" }),
  receiver: Type.String(),
  external_url: Type.String({ description: "Alertmanager's address, as it sent it" }),
  created_at: Instant,
  updated_at: Instant,
  acknowledged_at: Nullable(Instant),
  acknowledged_by: Nullable(Actor),
  resolved_at: Nullable(Instant),
  resolved_by: Nullable(Actor),
  snoozed_until: Nullable(Type.String({ description: 'while snoozed: no pages until then, then triggered again' })),
  alerts_firing: Type.Integer(),
  alerts_total: Type.Integer(),
  postmortem: Nullable(Type.Object({ text: Type.String(), updated_at: Instant, by: Nullable(Actor) })),
  escalation: Type.Object({
    policy_id: Nullable(Type.String()),
    state: Type.Union([Type.Literal('running'), Type.Literal('stopped'), Type.Literal('finished'), Type.Literal('none')], {
      description: 'running: a next step is due; stopped: acknowledged, snoozed or resolved; finished: the last step ran; none: no policy',
    }),
    next: Nullable(Type.Object({ pass: Type.Integer(), step: Type.Integer({ description: '0-based' }), at: Instant })),
  }),
};
export const Incident = Type.Object(IncidentFields);

export const IncidentAlert = Type.Object({
  fingerprint: Type.String(),
  status: Type.Union([Type.Literal('firing'), Type.Literal('resolved')]),
  labels: StringMap,
  annotations: StringMap,
  starts_at: Instant,
  ends_at: Nullable(Type.String({ description: 'null while it fires' })),
  generator_url: Type.String(),
  first_seen_at: Instant,
  updated_at: Instant,
});

export const TimelineEvent = Type.Object({
  id: Type.String(),
  at: Instant,
  kind: Type.String({
    description:
      'triggered, notification, acknowledged, unacknowledged, snoozed, snooze_ended, resolved, postmortem, page (an escalation step paging a target; detail.outcome says what became of it), reminder, escalation',
  }),
  actor: Actor,
  message: Type.String(),
  detail: Type.Record(Type.String(), Type.Unknown()),
  notification_id: Nullable(Type.String()),
  delivery_id: Nullable(Type.String({ description: 'the delivery that carried a page (GET /v1/deliveries/:id)' })),
  repeats: Nullable(Type.Integer({ description: 'a notification: how many times Alertmanager sent it again unchanged' })),
  last_received_at: Nullable(Instant),
});

export const IncidentDetail = Type.Object({ ...IncidentFields, alerts: Type.Array(IncidentAlert), timeline: Type.Array(TimelineEvent) });
export const IncidentList = Type.Object({
  incidents: Type.Array(Incident),
  next_cursor: Nullable(Type.String({ description: 'pass as cursor for the next (older) page; null on the last' })),
});
export const MonitoringAlerts = Type.Object({
  incidents: Type.Array(Type.Object({ ...IncidentFields, alerts: Type.Array(IncidentAlert) })),
  next_cursor: Nullable(Type.String()),
});

const Limit = Type.Integer({ minimum: 1, maximum: 500, default: 50, description: 'newest first' });
const Cursor = Type.String({ maxLength: 40, description: 'next_cursor of the previous page' });
const Since = Type.String({ maxLength: 40, description: 'opened at or after this instant (RFC 3339, e.g. 2024-05-01T00:00:00Z)' });

export const IncidentsQuery = Type.Object(
  {
    state: Type.Optional(State),
    severity: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    tenant_id: Type.Optional(TenantId),
    since: Type.Optional(Since),
    cursor: Type.Optional(Cursor),
    limit: Type.Optional(Limit),
  },
  { additionalProperties: false }
);
export type IncidentsQuery = Static<typeof IncidentsQuery>;

export const MonitoringAlertsQuery = Type.Object(
  {
    tenant_id: Type.Optional(TenantId),
    include_resolved: Type.Optional(Type.Boolean({ default: false, description: 'default: active incidents only (triggered and acknowledged)' })),
    cursor: Type.Optional(Cursor),
    limit: Type.Optional(Limit),
  },
  { additionalProperties: false }
);
export type MonitoringAlertsQuery = Static<typeof MonitoringAlertsQuery>;

export const IncidentIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100, description: 'inc_ and 16 hex digits' }) }, { additionalProperties: false });
export const SnoozeBody = Type.Object(
  { minutes: Type.Integer({ minimum: 1, maximum: 10_080, description: 'no pages for this long (at most a week), then triggered again' }) },
  { additionalProperties: false }
);
export const PostmortemBody = Type.Object(
  { text: Type.String({ maxLength: 100_000, description: 'the post-mortem note (Markdown); empty removes it' }) },
  { additionalProperties: false }
);

export const INCIDENT_ERRORS = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };
export const WEBHOOK_ERRORS = { 400: ErrorBody, 401: ErrorBody, 413: ErrorBody, 415: ErrorBody };

// ---- escalation policies ----

export const Target = Type.Union([
  Type.Object({ type: Type.Literal('user'), user: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false }),
  Type.Object({ type: Type.Literal('schedule'), schedule: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false }),
  Type.Object(
    {
      type: Type.Literal('channel'),
      channel: Type.Union([Type.Literal('slack'), Type.Literal('email'), Type.Literal('pagerduty'), Type.Literal('sms'), Type.Literal('phone'), Type.Literal('webhook')]),
      address: Type.Optional(Type.String({ minLength: 1, maxLength: 2048, description: 'email: the address; webhook: the URL (sent to directly, instead of the channels of the kind)' })),
      channel_id: Type.Optional(Type.String({ pattern: '^ch_[0-9a-f]{16}$', description: 'one channel (GET /v1/alerts/channels) instead of every enabled channel of the kind for the tenant' })),
    },
    { additionalProperties: false }
  ),
]);
export const EscalationStep = Type.Object(
  {
    wait_minutes: Type.Integer({ minimum: 0, maximum: 10_080, description: 'after the previous step (after the trigger, for the first)' }),
    targets: Type.Array(Target, { minItems: 1, maxItems: 20 }),
    important: Type.Optional(Type.Boolean({ default: false })),
  },
  { additionalProperties: false }
);
const PolicyFields = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  tenant_id: Type.Optional(Nullable(TenantId)),
  is_default: Type.Optional(Type.Boolean({ description: "the policy new incidents of its tenant (or the platform's, null) follow; one per tenant" })),
  steps: Type.Array(EscalationStep, { minItems: 1, maxItems: 20 }),
  repeat: Type.Optional(
    Type.Object(
      {
        times: Type.Integer({ minimum: 0, maximum: 10, description: 'the ladder runs again from the first step up to this many more times' }),
        after_minutes: Type.Integer({ minimum: 0, maximum: 10_080 }),
      },
      { additionalProperties: false }
    )
  ),
  reminder_minutes: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 10_080, description: 'remind whoever acknowledged when still not resolved after this long' }))),
};
export const CreatePolicyBody = Type.Object({ id: Type.Optional(Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,62}$' })), ...PolicyFields }, { additionalProperties: false });
export type CreatePolicyBody = Static<typeof CreatePolicyBody>;
export const ReplacePolicyBody = Type.Object(PolicyFields, { additionalProperties: false });
export type ReplacePolicyBody = Static<typeof ReplacePolicyBody>;
export const EscalationPolicy = Type.Object({
  id: Type.String(),
  name: Type.String(),
  tenant_id: Nullable(Type.String()),
  is_default: Type.Boolean(),
  steps: Type.Array(Type.Object({ wait_minutes: Type.Integer(), targets: Type.Array(Target), important: Type.Boolean() })),
  repeat: Type.Object({ times: Type.Integer(), after_minutes: Type.Integer() }),
  reminder_minutes: Nullable(Type.Integer()),
  origin: Type.Union([Type.Literal('standard'), Type.Literal('custom')]),
  created_at: Instant,
  updated_at: Instant,
});
export const EscalationPolicyList = Type.Object({ policies: Type.Array(EscalationPolicy) });
export const PolicyIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false });
