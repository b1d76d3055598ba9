import { Type, type Static } from '@sinclair/typebox';
import { Role, TenantId } from './common.js';

/**
 * Names are free text, but PostgreSQL text cannot hold NUL and nobody means a control character
 * in a name (issue "Hardening", defect 9). U+FEFF neither: PGlite drops it from the start of a text
 * it reads back, so "\ufeffAcme" would be stored as one name and shown as another (hostile suite).
 */
const Name = (minLength: number) =>
  Type.String({ minLength, maxLength: 200, pattern: '^(?!\\ufeff)[^\\u0000-\\u001f\\u007f]*$', description: 'free text without control characters, not starting with U+FEFF' });

export const CreateTenantBody = Type.Object(
  { id: TenantId, name: Name(1) },
  { additionalProperties: false }
);
export type CreateTenantBody = Static<typeof CreateTenantBody>;

/** ISO 8601 in UTC, e.g. 2026-12-01T15:31:36.094Z */
export const Timestamp = Type.String({ format: 'date-time', description: 'ISO 8601 in UTC, e.g. 2026-12-01T15:31:36.094Z' });

export const Tenant = Type.Object({ id: Type.String(), name: Type.String(), created_at: Timestamp });
export type Tenant = Static<typeof Tenant>;
export const TenantList = Type.Object({ tenants: Type.Array(Tenant) });

export const CreateKeyBody = Type.Object(
  {
    tenant_id: Type.Optional(TenantId),
    role: Role,
    name: Type.Optional(Name(0)),
  },
  { additionalProperties: false }
);
export type CreateKeyBody = Static<typeof CreateKeyBody>;

export const TenantIdParams = Type.Object({ id: TenantId }, { additionalProperties: false });
export type TenantIdParams = Static<typeof TenantIdParams>;

/** Key ids are made by the backend: `key_` and hex, or `key_bootstrap_<role>`. */
export const KeyIdParams = Type.Object(
  { id: Type.String({ pattern: '^key_[a-z0-9_]{1,60}$', description: 'a key id as GET /v1/keys lists it, e.g. key_3fa2c1d09b7e' }) },
  { additionalProperties: false }
);
export type KeyIdParams = Static<typeof KeyIdParams>;

export const KeysQuery = Type.Object({ tenant_id: Type.Optional(TenantId) }, { additionalProperties: false });
export type KeysQuery = Static<typeof KeysQuery>;

export const ApiKeyInfo = Type.Object({
  id: Type.String(),
  tenant_id: Type.Union([Type.String(), Type.Null()]),
  role: Role,
  name: Type.String(),
  created_at: Timestamp,
  revoked_at: Type.Union([Timestamp, Type.Null()]),
});
export type ApiKeyInfo = Static<typeof ApiKeyInfo>;
export const KeyList = Type.Object({ keys: Type.Array(ApiKeyInfo) });

/** POST /v1/keys answers the key itself once; only its hash is stored. */
export const CreatedKey = Type.Composite([ApiKeyInfo, Type.Object({ key: Type.String({ description: "the key itself: shown once, only its hash is stored" }) })]);
export type CreatedKey = Static<typeof CreatedKey>;

export const DeadLetter = Type.Object({
  id: Type.String(),
  tenant_id: Type.String(),
  received_at: Timestamp,
  reason: Type.String(),
  payload: Type.String({ description: 'the event as received (one JSON value)' }),
  request_id: Type.Union([Type.String(), Type.Null()]),
  replayed_at: Type.Union([Timestamp, Type.Null()]),
  replay_count: Type.Integer(),
});
export type DeadLetter = Static<typeof DeadLetter>;
export const DeadLetterList = Type.Object({
  dead_letters: Type.Array(DeadLetter),
  next_before_id: Type.Union([Type.String(), Type.Null()], { description: 'pass as before_id for the next page; null at the end' }),
});

/** A dead letter's id: a PostgreSQL bigint, as text (the service checks it is at most 2^63-1). */
export const DeadLetterId = Type.String({ pattern: '^[0-9]{1,19}$', description: 'dead-letter id, a whole number as text' });

export const DeadLetterQuery = Type.Object(
  {
    tenant_id: Type.Optional(TenantId),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
    before_id: Type.Optional(DeadLetterId),
    include_replayed: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false }
);
export type DeadLetterQuery = Static<typeof DeadLetterQuery>;

export const ReplayBody = Type.Object(
  {
    ids: Type.Array(DeadLetterId, { minItems: 1, maxItems: 10000 }),
  },
  { additionalProperties: false }
);
export type ReplayBody = Static<typeof ReplayBody>;

export const ReplayResponse = Type.Object({
  replayed: Type.Array(Type.String()),
  failed: Type.Array(Type.Object({ id: Type.String(), reason: Type.String() })),
});
export type ReplayResponse = Static<typeof ReplayResponse>;
