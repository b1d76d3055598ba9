import { Type, type Static } from '@sinclair/typebox';
import { Role, TenantId } from './common.js';

export const CreateTenantBody = Type.Object(
  { id: TenantId, name: Type.String({ minLength: 1, maxLength: 200 }) },
  { additionalProperties: false }
);
export type CreateTenantBody = Static<typeof CreateTenantBody>;

export const Tenant = Type.Object({ id: Type.String(), name: Type.String(), created_at: Type.String() });
export type Tenant = Static<typeof Tenant>;

export const CreateKeyBody = Type.Object(
  {
    tenant_id: Type.Optional(TenantId),
    role: Role,
    name: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false }
);
export type CreateKeyBody = Static<typeof CreateKeyBody>;

export const ApiKeyInfo = Type.Object({
  id: Type.String(),
  tenant_id: Type.Union([Type.String(), Type.Null()]),
  role: Role,
  name: Type.String(),
  created_at: Type.String(),
  revoked_at: Type.Union([Type.String(), Type.Null()]),
});
export type ApiKeyInfo = Static<typeof ApiKeyInfo>;

/** POST /v1/keys answers the key itself once; only its hash is stored. */
export const CreatedKey = Type.Intersect([ApiKeyInfo, Type.Object({ key: Type.String() })]);
export type CreatedKey = Static<typeof CreatedKey>;

export const DeadLetter = Type.Object({
  id: Type.String(),
  tenant_id: Type.String(),
  received_at: Type.String(),
  reason: Type.String(),
  payload: Type.String({ description: 'the event as received (one JSON value)' }),
  request_id: Type.Union([Type.String(), Type.Null()]),
  replayed_at: Type.Union([Type.String(), Type.Null()]),
  replay_count: Type.Integer(),
});
export type DeadLetter = Static<typeof DeadLetter>;

export const DeadLetterQuery = Type.Object(
  {
    tenant_id: Type.Optional(TenantId),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
    before_id: Type.Optional(Type.String({ pattern: '^[0-9]+$' })),
    include_replayed: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false }
);
export type DeadLetterQuery = Static<typeof DeadLetterQuery>;

export const ReplayBody = Type.Object(
  {
    ids: Type.Array(Type.String({ pattern: '^[0-9]+$' }), { minItems: 1, maxItems: 10000 }),
  },
  { additionalProperties: false }
);
export type ReplayBody = Static<typeof ReplayBody>;

export const ReplayResponse = Type.Object({
  replayed: Type.Array(Type.String()),
  failed: Type.Array(Type.Object({ id: Type.String(), reason: Type.String() })),
});
export type ReplayResponse = Static<typeof ReplayResponse>;
