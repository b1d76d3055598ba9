import { Type, type Static } from '@sinclair/typebox';
import { Timestamp } from './admin.js';
import { TenantId } from './common.js';

/** Webhook secrets, signing keys and signed links (issue "Platform", part 1). */
export const CreateWebhookSecretBody = Type.Object(
  {
    name: Type.String({ pattern: '^[a-z][a-z0-9_-]{0,62}$', description: 'what the secret is for, e.g. alertmanager' }),
    expires_in_days: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })),
  },
  { additionalProperties: false }
);
export type CreateWebhookSecretBody = Static<typeof CreateWebhookSecretBody>;

export const WebhookSecretInfo = Type.Object({
  id: Type.String(),
  name: Type.String(),
  created_at: Timestamp,
  expires_at: Type.Union([Timestamp, Type.Null()]),
  revoked_at: Type.Union([Timestamp, Type.Null()]),
});
export const CreatedWebhookSecret = Type.Composite([WebhookSecretInfo, Type.Object({ secret: Type.String({ description: 'shown once; only its hash is stored' }) })]);
export const WebhookSecretList = Type.Object({ webhook_secrets: Type.Array(WebhookSecretInfo) });
export const WebhookSecretIdParams = Type.Object({ id: Type.String({ pattern: '^whs_[0-9a-f]{12}$' }) }, { additionalProperties: false });

export const SigningKeyInfo = Type.Object({ kid: Type.String(), created_at: Timestamp, retired_at: Type.Union([Timestamp, Type.Null()]) });
export const SigningKeyList = Type.Object({ signing_keys: Type.Array(SigningKeyInfo) });
export const SigningKeyParams = Type.Object({ kid: Type.String({ pattern: '^sk_[0-9a-f]{12}$' }) }, { additionalProperties: false });

export const CreateLinkBody = Type.Object(
  {
    /** the address to share, with its query; it must be a route that takes signed links */
    path: Type.String({ minLength: 2, maxLength: 2000, pattern: '^/', description: 'e.g. /v1/shared/analytics/messages?from=2026-11-01&to=2026-11-30&format=csv' }),
    expires_in_seconds: Type.Integer({ minimum: 1, maximum: 90 * 86400 }),
    /** admin keys name the tenant the link reads; tenant keys may omit it */
    tenant_id: Type.Optional(TenantId),
  },
  { additionalProperties: false }
);
export type CreateLinkBody = Static<typeof CreateLinkBody>;

export const LinkInfo = Type.Object({
  id: Type.String(),
  tenant_id: Type.String(),
  path: Type.String(),
  expires_at: Timestamp,
  created_at: Timestamp,
  revoked_at: Type.Union([Timestamp, Type.Null()]),
});
export const CreatedLink = Type.Composite([LinkInfo, Type.Object({ url: Type.String({ description: 'the path with its signed `link` parameter: share it whole' }) })]);
export const LinkList = Type.Object({ links: Type.Array(LinkInfo) });
export const LinkIdParams = Type.Object({ id: Type.String({ pattern: '^lnk_[A-Za-z0-9_-]{12}$' }) }, { additionalProperties: false });
export const LinksQuery = Type.Object({ tenant_id: Type.Optional(TenantId) }, { additionalProperties: false });
