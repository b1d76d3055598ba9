import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { scopeTenant } from '../../auth/keys.js';
import { CreatedKey, CreateKeyBody, CreateTenantBody, KeyIdParams, KeyList, KeysQuery, Tenant, TenantIdParams, TenantList } from '../../contracts/admin.js';
import { ErrorBody, ErrorResponses } from '../../contracts/common.js';
import type { Services } from '../../services.js';
import { ALL_ROLES, reads, writes } from '../authenticate.js';
import { notFound } from '../errors.js';
import { Type } from '@sinclair/typebox';

/** Tenants and API keys (issue "Foundation", item 4). */
export function adminRoutes(svc: Services): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      '/v1/tenants',
      { schema: { tags: ['tenants'], summary: 'Create a tenant', body: CreateTenantBody, response: { 201: Tenant, 409: ErrorBody, ...ErrorResponses } }, config: writes('creating tenants', ['admin']) },
      async (req, reply) => reply.status(201).send(await svc.tenants.create(req.body.id, req.body.name))
    );

    app.get(
      '/v1/tenants',
      { schema: { tags: ['tenants'], summary: 'Tenants this key sees', response: { 200: TenantList, ...ErrorResponses } }, config: reads('listing tenants', ALL_ROLES) },
      async (req) => {
        if (req.principal.tenantId === null) {
          return { tenants: await svc.tenants.list() };
        }
        const own = await svc.tenants.get(req.principal.tenantId);
        return { tenants: own ? [own] : [] };
      }
    );

    app.get(
      '/v1/tenants/:id',
      { schema: { tags: ['tenants'], summary: 'One tenant', params: TenantIdParams, response: { 200: Tenant, ...ErrorResponses } }, config: reads('reading a tenant', ALL_ROLES) },
      async (req) => {
        scopeTenant(req.principal, req.params.id);
        const t = await svc.tenants.get(req.params.id);
        if (!t) {
          throw notFound(`tenant '${req.params.id}' not found`);
        }
        return t;
      }
    );

    app.post(
      '/v1/keys',
      {
        schema: { tags: ['keys'], summary: 'Create an API key (the answer holds it once)', body: CreateKeyBody, response: { 201: CreatedKey, ...ErrorResponses } },
        config: writes('creating keys', ['admin', 'tenant-admin']),
      },
      async (req, reply) => reply.status(201).send(await svc.keys.create(req.body, req.principal))
    );

    app.get(
      '/v1/keys',
      { schema: { tags: ['keys'], summary: 'List keys (never their secrets)', querystring: KeysQuery, response: { 200: KeyList, ...ErrorResponses } }, config: reads('listing keys', ['admin', 'tenant-admin']) },
      async (req) => ({ keys: await svc.keys.list(scopeTenant(req.principal, req.query.tenant_id)) })
    );

    app.delete(
      '/v1/keys/:id',
      { schema: { tags: ['keys'], summary: 'Revoke a key', params: KeyIdParams, response: { 204: Type.Null(), ...ErrorResponses } }, config: writes('revoking keys', ['admin', 'tenant-admin']) },
      async (req, reply) => {
        await svc.keys.revoke(req.params.id, req.principal);
        return reply.status(204).send(null);
      }
    );
  };
}
