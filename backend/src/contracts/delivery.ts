import { Type, type Static } from '@sinclair/typebox';
import { ErrorBody, TenantId } from './common.js';

/**
 * The delivery log and the channel test (issue "Platform", part 3). Timestamps are ISO 8601 in UTC.
 * A delivery never shows what it carried (the body, attachments) nor a signing secret, and its
 * destination is redacted: no credentials, no query string, webhook paths cut after the first segment.
 */
export const DeliveryKind = Type.Union([Type.Literal('email'), Type.Literal('webhook')], { description: 'email (SMTP, or a .eml file in DATA_DIR/outbox) or webhook (an HTTP POST of JSON)' });
export type DeliveryKind = Static<typeof DeliveryKind>;

export const DeliveryStatus = Type.Union([Type.Literal('queued'), Type.Literal('sending'), Type.Literal('sent'), Type.Literal('failed')], {
  description: 'queued (waiting, or waiting for a retry), sending (an attempt is running), sent, failed (attempts used up, refused by the receiver, or its job cancelled)',
});
export type DeliveryStatus = Static<typeof DeliveryStatus>;

const Instant = Type.String({ format: 'date-time', description: 'ISO 8601 in UTC, e.g. 2026-12-01T15:31:36.094Z' });

export const Delivery = Type.Object({
  id: Type.String({ description: 'delivery id (dlv_ and 24 hex digits); webhooks carry it as X-Caas-Delivery' }),
  tenant_id: Type.Union([Type.String(), Type.Null()], { description: 'the tenant it was sent for; null for platform-wide messages' }),
  kind: DeliveryKind,
  destination: Type.String({ description: 'where it goes, secrets redacted: email addresses, or the URL without credentials or query and cut after its first path segment' }),
  idempotency_key: Type.String({ description: "the sender's key: a second send with the same key (and tenant) answers this delivery and sends nothing" }),
  status: DeliveryStatus,
  attempts: Type.Integer({ minimum: 0, description: 'tries made to hand it over' }),
  last_error: Type.Union([Type.String(), Type.Null()], { description: 'why the latest try failed (the status and the start of the answer, a timeout, a refusal)' }),
  response_status: Type.Union([Type.Integer(), Type.Null()], { description: "the receiver's latest HTTP status (webhooks) or SMTP reply code (email)" }),
  job_id: Type.Union([Type.String(), Type.Null()], { description: 'the delivery.send job (GET /v1/jobs/:id has its run log)' }),
  created_at: Instant,
  sent_at: Type.Union([Instant, Type.Null()]),
});
export type Delivery = Static<typeof Delivery>;

export const DeliveryList = Type.Object({ deliveries: Type.Array(Delivery) });
export type DeliveryList = Static<typeof DeliveryList>;

export const DeliveriesQuery = Type.Object(
  {
    status: Type.Optional(DeliveryStatus),
    kind: Type.Optional(DeliveryKind),
    tenant_id: Type.Optional(TenantId),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100, description: 'newest first' })),
  },
  { additionalProperties: false }
);
export type DeliveriesQuery = Static<typeof DeliveriesQuery>;

export const DELIVERY_ID_PATTERN = '^dlv_[0-9a-f]{24}$';
export const DeliveryIdParams = Type.Object(
  { id: Type.String({ maxLength: 100, description: 'a delivery id as GET /v1/deliveries lists it (dlv_ and 24 hex digits)' }) },
  { additionalProperties: false }
);
export type DeliveryIdParams = Static<typeof DeliveryIdParams>;

/** POST /v1/deliveries/test: send a test message to a channel and follow it in the delivery log. */
export const TestDeliveryBody = Type.Object(
  {
    kind: DeliveryKind,
    to: Type.Optional(
      Type.Union([Type.String({ maxLength: 320 }), Type.Array(Type.String({ maxLength: 320 }), { minItems: 1, maxItems: 50 })], {
        description: 'email: the address, or a list of addresses, to send the test message to',
      })
    ),
    url: Type.Optional(Type.String({ maxLength: 2048, description: 'webhook: the http(s) URL to POST the test message to' })),
    secret: Type.Optional(
      Type.String({ minLength: 16, maxLength: 256, description: 'webhook: a signing secret; the request then carries X-Caas-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">' })
    ),
    tenant_id: Type.Optional(TenantId),
    idempotency_key: Type.Optional(
      Type.String({ minLength: 1, maxLength: 200, description: 'send the same key again to get the same delivery instead of a second message (default: a new key each time)' })
    ),
  },
  { additionalProperties: false }
);
export type TestDeliveryBody = Static<typeof TestDeliveryBody>;

/** The error answers of the delivery routes, for the OpenAPI document. */
export const DELIVERY_ERRORS = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 413: ErrorBody };
