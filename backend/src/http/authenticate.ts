import type { FastifyInstance, FastifyRequest } from 'fastify';
import { requireRole, type Principal } from '../auth/keys.js';
import type { Role } from '../contracts/common.js';
import type { KeyRepo } from '../auth/keys.js';

/**
 * How a route is reached, declared in its options (`config.access`) so that the role check is
 * part of the route table, not of its handler (issue "Hardening", least privilege).
 * - `public`: no credentials (health, metrics).
 * - `api-key`: `Authorization: Bearer <key>` with one of `roles`; `writes` marks routes that
 *   change state, which no Grafana route open to Viewers may reach (test/grafana-routes.test.ts).
 */
export type RouteAccess =
  | { kind: 'public' }
  | { kind: 'api-key'; roles: readonly Role[]; writes: boolean; what: string };

/** Every role that may read; `ingest` keys only send events. */
export const READ_ROLES: readonly Role[] = ['admin', 'viewer', 'tenant-admin', 'tenant-viewer'];
export const ALL_ROLES: readonly Role[] = [...READ_ROLES, 'ingest'];

export const reads = (what: string, roles: readonly Role[] = READ_ROLES): { access: RouteAccess } => ({
  access: { kind: 'api-key', roles, writes: false, what },
});
export const writes = (what: string, roles: readonly Role[]): { access: RouteAccess } => ({
  access: { kind: 'api-key', roles, writes: true, what },
});
export const publicRoute: { access: RouteAccess } = { access: { kind: 'public' } };

/** One row of the route table: what the Grafana-route test walks. */
export interface RouteEntry {
  method: string;
  url: string;
  access: RouteAccess;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess;
  }
  interface FastifyRequest {
    principal: Principal;
  }
  interface FastifyInstance {
    routeTable: RouteEntry[];
  }
}

/**
 * Registers the access model on the root instance: every route must declare its access (a route
 * that does not fails at start), and the API key is checked in `onRequest`, before the body is
 * read, so a 10 MB body with a missing or wrong key costs a 401 and nothing more.
 */
export function registerAccess(app: FastifyInstance, keys: KeyRepo, opts: { publicPrefixes: string[] }): void {
  const table: RouteEntry[] = [];
  app.decorate('routeTable', table);
  app.decorateRequest('principal', null as unknown as Principal);
  app.addHook('onRoute', (route) => {
    const config = (route.config ?? {}) as { access?: RouteAccess };
    if (!config.access && opts.publicPrefixes.some((p) => route.url.startsWith(p))) {
      // routes a plugin registers (the OpenAPI browser's pages and assets)
      route.config = { ...config, access: { kind: 'public' } };
    }
    const access = (route.config as { access?: RouteAccess } | undefined)?.access;
    if (!access) {
      throw new Error(`route ${String(route.method)} ${route.url} declares no access (config.access): use reads(), writes() or publicRoute`);
    }
    if (access.kind === 'api-key') {
      // What the OpenAPI document shows: the key and the roles it must have.
      const schema = (route.schema ?? {}) as Record<string, unknown>;
      const roles = `Roles: ${access.roles.join(', ')}.${access.writes ? ' Changes state.' : ''}`;
      route.schema = { ...schema, security: [{ apiKey: [] }], description: schema.description ? `${String(schema.description)} ${roles}` : roles };
    }
    for (const method of Array.isArray(route.method) ? route.method : [route.method]) {
      if (method !== 'HEAD') {
        table.push({ method, url: route.url, access });
      }
    }
  });
  app.addHook('onRequest', async (req: FastifyRequest) => {
    const access = req.routeOptions.config.access;
    if (!access || access.kind === 'public') {
      return; // public routes, and the not-found handler
    }
    req.principal = await keys.authenticate(req.headers.authorization);
    requireRole(req.principal, [...access.roles], access.what);
  });
}
