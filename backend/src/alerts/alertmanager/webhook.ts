import { Type, type Static } from '@sinclair/typebox';

/**
 * Alertmanager's webhook payload, version 4 (Alertmanager 0.25: notify/webhook/webhook.go, `Message`), the shape the
 * incidents consume (issue "Alert management", backend item 3). A firing alert's `endsAt` is `0001-01-01T00:00:00Z`
 * (Go's zero time) unless Alertmanager was given one. The ruler, when no Alertmanager is configured, hands its alerts
 * to the incidents in this same shape (one group per rule and label set), so there is one intake.
 */
const LabelSet = Type.Record(Type.String(), Type.String());

export const WebhookAlert = Type.Object({
  status: Type.Union([Type.Literal('firing'), Type.Literal('resolved')]),
  labels: LabelSet,
  annotations: LabelSet,
  startsAt: Type.String(),
  endsAt: Type.String(),
  generatorURL: Type.String(),
  fingerprint: Type.String(),
});
export type WebhookAlert = Static<typeof WebhookAlert>;

export const WebhookPayload = Type.Object({
  version: Type.Literal('4'),
  groupKey: Type.String({ minLength: 1 }),
  truncatedAlerts: Type.Integer({ minimum: 0 }),
  status: Type.Union([Type.Literal('firing'), Type.Literal('resolved')]),
  receiver: Type.String(),
  groupLabels: LabelSet,
  commonLabels: LabelSet,
  commonAnnotations: LabelSet,
  externalURL: Type.String(),
  alerts: Type.Array(WebhookAlert),
});
export type WebhookPayload = Static<typeof WebhookPayload>;

/** Go's zero time: what Alertmanager sends as `endsAt` of a firing alert. */
export const GO_ZERO_TIME = '0001-01-01T00:00:00Z';

/** Where alert groups go: the incidents (alerts/incidents/), from Alertmanager's webhook or straight from the ruler. */
export interface IncidentIntake {
  receive(payload: WebhookPayload, via: 'alertmanager' | 'ruler'): Promise<void>;
}
