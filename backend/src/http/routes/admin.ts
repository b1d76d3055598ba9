import type { FastifyPluginAsync } from 'fastify';
import { requireRole, scopeTenant } from '../../auth/keys.js';
import { CreateKeyBody, CreateTenantBody } from '../../contracts/admin.js';
import type { Services } from '../../services.js';
import { authenticate } from '../app.js';
import { notFound } from '../errors.js';

/** Tenants and API keys (issue "Foundation", item 4). */
export function adminRoutes(svc: Services): FastifyPluginAsync {
  return async (app) => {
    app.addHook('preHandler', authenticate(svc));

    app.post<{ Body: CreateTenantBody }>('/v1/tenants', { schema: { body: CreateTenantBody } }, async (req, reply) => {
      requireRole(req.principal, ['admin'], 'creating tenants');
      return reply.status(201).send(await svc.tenants.create(req.body.id, req.body.name));
    });

    app.get('/v1/tenants', async (req) => {
      if (req.principal.role === 'admin') {
        return { tenants: await svc.tenants.list() };
      }
      const own = await svc.tenants.get(req.principal.tenantId as string);
      return { tenants: own ? [own] : [] };
    });

    app.get<{ Params: { id: string } }>('/v1/tenants/:id', async (req) => {
      scopeTenant(req.principal, req.params.id);
      const t = await svc.tenants.get(req.params.id);
      if (!t) {
        throw notFound(`tenant '${req.params.id}' not found`);
      }
      return t;
    });

    app.post<{ Body: CreateKeyBody }>('/v1/keys', { schema: { body: CreateKeyBody } }, async (req, reply) => {
      requireRole(req.principal, ['admin', 'tenant-admin'], 'creating keys');
      return reply.status(201).send(await svc.keys.create(req.body, req.principal));
    });

    app.get<{ Querystring: { tenant_id?: string } }>('/v1/keys', async (req) => {
      requireRole(req.principal, ['admin', 'tenant-admin'], 'listing keys');
      return { keys: await svc.keys.list(scopeTenant(req.principal, req.query.tenant_id)) };
    });

    app.delete<{ Params: { id: string } }>('/v1/keys/:id', async (req, reply) => {
      await svc.keys.revoke(req.params.id, req.principal);
      return reply.status(204).send();
    });
  };
}
