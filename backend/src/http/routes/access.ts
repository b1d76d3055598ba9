import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { scopeTenant } from '../../auth/keys.js';
import { checkSecretName } from '../../auth/webhook-secrets.js';
import {
  CreatedLink,
  CreatedWebhookSecret,
  CreateLinkBody,
  CreateWebhookSecretBody,
  LinkIdParams,
  LinkList,
  LinksQuery,
  SigningKeyInfo,
  SigningKeyList,
  SigningKeyParams,
  WebhookSecretIdParams,
  WebhookSecretList,
} from '../../contracts/access.js';
import { ErrorResponses } from '../../contracts/common.js';
import { badRequest } from '../../errors.js';
import type { Services } from '../../services.js';
import { reads, writes } from '../authenticate.js';

/** Turns a route pattern (`/v1/x/:id`) into a test of concrete paths. */
function patternTest(url: string): RegExp {
  return new RegExp(`^${url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:[A-Za-z_]+/g, '[^/]+')}$`);
}

/** Webhook secrets, signing keys and signed links: the credentials of the non-key access kinds. */
export function accessRoutes(svc: Services): FastifyPluginAsyncTypebox {
  return async (app) => {
    const adminOnly = ['admin'] as const;
    const linkMakers = ['admin', 'tenant-admin'] as const;

    app.post(
      '/v1/webhook-secrets',
      {
        schema: { tags: ['access'], summary: 'Create a webhook secret (shown once)', body: CreateWebhookSecretBody, response: { 201: CreatedWebhookSecret, ...ErrorResponses } },
        config: writes('creating webhook secrets', adminOnly),
      },
      async (req, reply) => reply.status(201).send(await svc.webhookSecrets.create(checkSecretName(req.body.name), req.body.expires_in_days))
    );
    app.get(
      '/v1/webhook-secrets',
      { schema: { tags: ['access'], summary: 'Webhook secrets (never the secrets)', response: { 200: WebhookSecretList, ...ErrorResponses } }, config: reads('listing webhook secrets', adminOnly) },
      async () => ({ webhook_secrets: await svc.webhookSecrets.list() })
    );
    app.delete(
      '/v1/webhook-secrets/:id',
      { schema: { tags: ['access'], summary: 'Revoke a webhook secret', params: WebhookSecretIdParams, response: { 204: Type.Null(), ...ErrorResponses } }, config: writes('revoking webhook secrets', adminOnly) },
      async (req, reply) => {
        await svc.webhookSecrets.revoke(req.params.id);
        return reply.status(204).send(null);
      }
    );

    app.post(
      '/v1/signing-keys/rotate',
      {
        schema: { tags: ['access'], summary: 'Sign new links with a new key (older keys keep verifying theirs)', response: { 201: SigningKeyInfo, ...ErrorResponses } },
        config: writes('rotating signing keys', adminOnly),
      },
      async (_req, reply) => reply.status(201).send(await svc.links.rotate())
    );
    app.get(
      '/v1/signing-keys',
      { schema: { tags: ['access'], summary: 'Signing keys (never the secrets)', response: { 200: SigningKeyList, ...ErrorResponses } }, config: reads('listing signing keys', adminOnly) },
      async () => ({ signing_keys: await svc.links.listKeys() })
    );
    app.delete(
      '/v1/signing-keys/:kid',
      {
        schema: { tags: ['access'], summary: 'Retire a signing key: every link it signed answers 410', params: SigningKeyParams, response: { 204: Type.Null(), ...ErrorResponses } },
        config: writes('retiring signing keys', adminOnly),
      },
      async (req, reply) => {
        await svc.links.retireKey(req.params.kid);
        return reply.status(204).send(null);
      }
    );

    app.post(
      '/v1/links',
      {
        schema: { tags: ['access'], summary: 'Sign a share link to an address that takes signed links', body: CreateLinkBody, response: { 201: CreatedLink, ...ErrorResponses } },
        config: writes('creating share links', linkMakers),
      },
      async (req, reply) => {
        const tenant = scopeTenant(req.principal, req.body.tenant_id);
        if (!tenant) {
          throw badRequest('tenant_required', 'a share link reads one tenant: set tenant_id');
        }
        const pathname = new URL(req.body.path, 'http://x').pathname;
        const target = app.routeTable.find((r) => r.method === 'GET' && r.access.kind === 'signed-link' && patternTest(r.url).test(pathname));
        if (!target) {
          const allowed = app.routeTable.filter((r) => r.access.kind === 'signed-link').map((r) => r.url);
          throw badRequest('not_shareable', `'${pathname.slice(0, 200)}' takes no signed links; shareable addresses: ${allowed.join(', ')}`);
        }
        return reply.status(201).send(await svc.links.sign({ tenantId: tenant, path: req.body.path, expiresInSeconds: req.body.expires_in_seconds, createdBy: req.principal.keyId }));
      }
    );
    app.get(
      '/v1/links',
      { schema: { tags: ['access'], summary: 'Share links (without their signatures)', querystring: LinksQuery, response: { 200: LinkList, ...ErrorResponses } }, config: reads('listing share links', linkMakers) },
      async (req) => ({ links: await svc.links.list(scopeTenant(req.principal, req.query.tenant_id)) })
    );
    app.delete(
      '/v1/links/:id',
      { schema: { tags: ['access'], summary: 'Revoke a share link: it answers 410', params: LinkIdParams, response: { 204: Type.Null(), ...ErrorResponses } }, config: writes('revoking share links', linkMakers) },
      async (req, reply) => {
        await svc.links.revoke(req.params.id, scopeTenant(req.principal, undefined));
        return reply.status(204).send(null);
      }
    );
  };
}
