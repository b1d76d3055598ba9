import { Type, type Static } from '@sinclair/typebox';

/**
 * One analytics event as clients send it: the seed's `AnalyticsEvent` (CAAS plan, Phase 3.2),
 * with optional event_id (made when absent) and a few optional context fields.
 */
export const EventContext = Type.Object(
  {
    device: Type.Optional(Type.String({ maxLength: 64 })),
    platform: Type.Optional(Type.String({ maxLength: 64 })),
    app_version: Type.Optional(Type.String({ maxLength: 64 })),
    /** ISO 3166-1 alpha-2; when absent the trusted country header (COUNTRY_HEADER) is used */
    country: Type.Optional(Type.String({ pattern: '^[A-Za-z]{2}$' })),
  },
  { additionalProperties: true }
);

export const AnalyticsEventInput = Type.Object(
  {
    event_id: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    type: Type.String({
      pattern: '^[a-z][a-z0-9_.:-]{0,63}$',
      description: 'event type, e.g. message_sent, call_started, file_shared, user_active, login',
    }),
    tenant_id: Type.String({ minLength: 1, maxLength: 63 }),
    user_id: Type.String({ minLength: 1, maxLength: 256 }),
    /** epoch milliseconds (the seed's `timestamp: number`) or an ISO 8601 string */
    timestamp: Type.Union([Type.Number(), Type.String({ maxLength: 40 })]),
    properties: Type.Optional(Type.Record(Type.String({ maxLength: 128 }), Type.Unknown())),
    context: Type.Optional(EventContext),
  },
  { additionalProperties: false }
);
export type AnalyticsEventInput = Static<typeof AnalyticsEventInput>;

export const RejectedEvent = Type.Object({
  index: Type.Integer({ description: 'position of the event in the array, or line number (0-based) in NDJSON' }),
  reason: Type.String(),
});
export type RejectedEvent = Static<typeof RejectedEvent>;

/** POST /v1/events answers 202 with this body once every accepted event is on disk (WAL, fsynced). */
export const IngestResponse = Type.Object({
  accepted: Type.Integer(),
  rejected: Type.Array(RejectedEvent),
});
export type IngestResponse = Static<typeof IngestResponse>;

/** 400 / 403 when no event of the request was accepted: the reasons per event, and why overall. */
export const IngestFailedResponse = Type.Object({
  accepted: Type.Optional(Type.Integer()),
  rejected: Type.Optional(Type.Array(RejectedEvent)),
  error: Type.Object({ code: Type.String(), message: Type.String(), details: Type.Optional(Type.Unknown()) }),
});
