import { Type, type Static } from '@sinclair/typebox';
import { ErrorBody, TenantId } from './common.js';
import { Delivery } from './delivery.js';

/** Alert channels (issue "Alert management", item 6). A channel's secret is never shown: only whether one is set and its last characters. */
export const ChannelKindSchema = Type.Union(
  [Type.Literal('email'), Type.Literal('slack'), Type.Literal('pagerduty'), Type.Literal('sms'), Type.Literal('phone'), Type.Literal('webhook')],
  { description: 'email (SMTP), slack (incoming webhook, Block Kit), pagerduty (Events API v2), sms / phone (Twilio-style provider), webhook (signed JSON)' }
);

const Settings = Type.Object(
  {
    to: Type.Optional(Type.Array(Type.String({ maxLength: 320 }), { minItems: 1, maxItems: 50, description: 'email: addresses; sms/phone: E.164 numbers' })),
    from: Type.Optional(Type.String({ maxLength: 32, description: 'sms/phone: the E.164 number texts and calls come from' })),
    api_url: Type.Optional(Type.String({ maxLength: 2048, description: "pagerduty: the Events API (default https://events.pagerduty.com/v2/enqueue); sms/phone: the provider's endpoint (default Twilio's Messages.json / Calls.json)" })),
    url: Type.Optional(Type.String({ maxLength: 2048, description: 'webhook: the http(s) URL to POST to' })),
    alertmanager: Type.Optional(Type.Boolean({ description: 'slack, pagerduty, email: Alertmanager pages this channel itself too (in GET /v1/alerts/alertmanager.yml)' })),
  },
  { additionalProperties: false }
);

const SecretInput = Type.Object(
  {
    webhook_url: Type.Optional(Type.String({ maxLength: 2048, description: "slack: the incoming webhook's URL" })),
    routing_key: Type.Optional(Type.String({ maxLength: 512, description: 'pagerduty: the integration (routing) key' })),
    account_sid: Type.Optional(Type.String({ maxLength: 512, description: "sms/phone: the provider account's id (Basic auth user)" })),
    auth_token: Type.Optional(Type.String({ maxLength: 512, description: "sms/phone: the provider account's token (Basic auth password)" })),
    signing_secret: Type.Optional(Type.String({ maxLength: 256, description: 'webhook: signs each request (X-Caas-Signature), at least 16 characters' })),
  },
  { additionalProperties: false, description: 'kept sealed; never shown again' }
);

export const Channel = Type.Object({
  id: Type.String({ description: 'ch_ and 16 hex digits' }),
  tenant_id: Type.Union([Type.String(), Type.Null()], { description: 'null: a platform channel' }),
  kind: ChannelKindSchema,
  name: Type.String(),
  enabled: Type.Boolean(),
  settings: Settings,
  secret: Type.Object({ set: Type.Boolean(), hint: Type.Union([Type.String(), Type.Null()], { description: 'the last four characters of the main secret, e.g. …f00d' }) }),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
});
export const ChannelList = Type.Object({ channels: Type.Array(Channel) });

export const ChannelBody = Type.Object(
  {
    tenant_id: Type.Optional(Type.Union([TenantId, Type.Null()], { description: 'admin keys: the tenant (null or left out: the platform); tenant keys: their own' })),
    kind: ChannelKindSchema,
    name: Type.String({ minLength: 1, maxLength: 200 }),
    enabled: Type.Optional(Type.Boolean({ default: true })),
    settings: Type.Optional(Settings),
    secret: Type.Optional(SecretInput),
  },
  { additionalProperties: false }
);
export type ChannelBody = Static<typeof ChannelBody>;

export const ChannelIdParams = Type.Object({ id: Type.String({ maxLength: 100, description: 'a channel id (ch_ and 16 hex digits)' }) }, { additionalProperties: false });

export const ChannelTestAnswer = Type.Object({
  channel_id: Type.String(),
  delivery_id: Type.String({ description: 'follow it in GET /v1/deliveries/:id or GET /v1/alerts/channels/:id/deliveries' }),
  delivery_ids: Type.Array(Type.String(), { description: 'every delivery (sms and phone: one per number)' }),
});

export const ChannelDelivery = Type.Intersect([
  Delivery,
  Type.Object({ channel_id: Type.String(), incident_id: Type.Union([Type.String(), Type.Null()]), event: Type.String({ description: 'trigger, acknowledge or resolve' }), test: Type.Boolean() }),
]);
export const ChannelDeliveryList = Type.Object({ deliveries: Type.Array(ChannelDelivery) });
export const ChannelDeliveriesQuery = Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })) }, { additionalProperties: false });

export const ActionParams = Type.Object(
  {
    id: Type.String({ maxLength: 100, description: 'the incident' }),
    action: Type.Union([Type.Literal('acknowledge'), Type.Literal('resolve')]),
  },
  { additionalProperties: false }
);
export const ActionQuery = Type.Object({ link: Type.String({ maxLength: 4096, description: 'the signed action link token' }) });
export const ActionDone = Type.Object({ incident_id: Type.String(), action: Type.String(), state: Type.String(), message: Type.String() });

export const CHANNEL_ERRORS = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };
