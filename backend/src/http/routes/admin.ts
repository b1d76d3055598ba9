import type { FastifyPluginAsync } from 'fastify';
import { scopeTenant } from '../../auth/keys.js';
import { CreateKeyBody, CreateTenantBody, KeyIdParams, KeysQuery, TenantIdParams } from '../../contracts/admin.js';
import type { Services } from '../../services.js';
import { ALL_ROLES, reads, writes } from '../authenticate.js';
import { notFound } from '../errors.js';

/** Tenants and API keys (issue "Foundation", item 4). */
export function adminRoutes(svc: Services): FastifyPluginAsync {
  return async (app) => {
    app.post<{ Body: CreateTenantBody }>(
      '/v1/tenants',
      { schema: { body: CreateTenantBody }, config: writes('creating tenants', ['admin']) },
      async (req, reply) => reply.status(201).send(await svc.tenants.create(req.body.id, req.body.name))
    );

    app.get('/v1/tenants', { config: reads('listing tenants', ALL_ROLES) }, async (req) => {
      if (req.principal.tenantId === null) {
        return { tenants: await svc.tenants.list() };
      }
      const own = await svc.tenants.get(req.principal.tenantId);
      return { tenants: own ? [own] : [] };
    });

    app.get<{ Params: TenantIdParams }>(
      '/v1/tenants/:id',
      { schema: { params: TenantIdParams }, config: reads('reading a tenant', ALL_ROLES) },
      async (req) => {
        scopeTenant(req.principal, req.params.id);
        const t = await svc.tenants.get(req.params.id);
        if (!t) {
          throw notFound(`tenant '${req.params.id}' not found`);
        }
        return t;
      }
    );

    app.post<{ Body: CreateKeyBody }>(
      '/v1/keys',
      { schema: { body: CreateKeyBody }, config: writes('creating keys', ['admin', 'tenant-admin']) },
      async (req, reply) => reply.status(201).send(await svc.keys.create(req.body, req.principal))
    );

    app.get<{ Querystring: KeysQuery }>(
      '/v1/keys',
      { schema: { querystring: KeysQuery }, config: reads('listing keys', ['admin', 'tenant-admin']) },
      async (req) => ({ keys: await svc.keys.list(scopeTenant(req.principal, req.query.tenant_id)) })
    );

    app.delete<{ Params: KeyIdParams }>(
      '/v1/keys/:id',
      { schema: { params: KeyIdParams }, config: writes('revoking keys', ['admin', 'tenant-admin']) },
      async (req, reply) => {
        await svc.keys.revoke(req.params.id, req.principal);
        return reply.status(204).send();
      }
    );
  };
}
