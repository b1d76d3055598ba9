import type { FastifyInstance, FastifyRequest } from 'fastify';
import { requireRole, type KeyRepo, type Principal } from '../auth/keys.js';
import type { ActionGrant, ActionLinks } from '../auth/action-links.js';
import type { LinkGrant, SignedLinks } from '../auth/signed-links.js';
import type { WebhookSecretRepo } from '../auth/webhook-secrets.js';
import type { Role } from '../contracts/common.js';
import { tooMany } from '../errors.js';

/**
 * How a route is reached, declared in its options (`config.access`) so that the check is part of
 * the route table, not of its handler (issues "Hardening" and "Platform", part 1). Every kind says
 * whether the route `writes` (changes state): no Grafana route open to Viewers may reach one
 * (test/grafana-routes.test.ts).
 * - `api-key`: `Authorization: Bearer <key>` with one of `roles`.
 * - `webhook`: a secret of the named kind (`webhook_secrets`), as Bearer or Basic: for senders that
 *   hold no API key, e.g. Alertmanager's webhook receiver.
 * - `signed-link`: a `link=` parameter signed by the backend (share links); it grants one tenant,
 *   read only, at the address it was signed for.
 * - `action-link`: a `link=` parameter signed by the backend for one action (acknowledge, resolve) on one incident
 *   (auth/action-links.ts): the buttons of channel messages. GET shows a page (writes false), POST acts.
 * - `public`: no login, rate-limited per client address (PUBLIC_RATE_LIMIT a minute).
 * - `probe`: no login, no limit: health and metrics, which orchestrators and Prometheus poll.
 */
export type RouteAccess =
  | { kind: 'api-key'; roles: readonly Role[]; writes: boolean; what: string }
  | { kind: 'webhook'; secret: string; writes: boolean; what: string }
  | { kind: 'signed-link'; writes: false; what: string }
  | { kind: 'action-link'; writes: boolean; what: string }
  | { kind: 'public'; writes: false }
  | { kind: 'probe'; writes: false };

/** Every role that may read; `ingest` keys only send events. */
export const READ_ROLES: readonly Role[] = ['admin', 'viewer', 'responder', 'tenant-admin', 'tenant-viewer'];
/** The roles that read across tenants (e.g. crawl sources and metric rules, which span them). */
export const GLOBAL_READERS = ['admin', 'viewer', 'responder'] as const satisfies readonly Role[];
/** Who acts on incidents and silences: admins, on-call responders, and a tenant's admins (their own tenant's). */
export const RESPONDERS = ['admin', 'responder', 'tenant-admin'] as const satisfies readonly Role[];
export const ALL_ROLES: readonly Role[] = [...READ_ROLES, 'ingest'];

export const reads = (what: string, roles: readonly Role[] = READ_ROLES): { access: RouteAccess } => ({
  access: { kind: 'api-key', roles, writes: false, what },
});
export const writes = (what: string, roles: readonly Role[]): { access: RouteAccess } => ({
  access: { kind: 'api-key', roles, writes: true, what },
});
export const webhook = (what: string, secret: string): { access: RouteAccess } => ({ access: { kind: 'webhook', secret, writes: true, what } });
export const signedLink = (what: string): { access: RouteAccess } => ({ access: { kind: 'signed-link', writes: false, what } });
/** A signed action link (auth/action-links.ts): one action on one incident, from a Slack button, an email or a webhook. */
export const actionLink = (what: string, writes: boolean): { access: RouteAccess } => ({ access: { kind: 'action-link', writes, what } });
export const publicRoute: { access: RouteAccess } = { access: { kind: 'public', writes: false } };
export const probeRoute: { access: RouteAccess } = { access: { kind: 'probe', writes: false } };

/** One row of the route table: what the Grafana-route test and the OpenAPI test walk. */
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
    /** set on signed-link routes: what the link grants */
    link: LinkGrant | null;
    /** set on action-link routes: the one action on one incident the link grants */
    actionGrant: ActionGrant | null;
  }
  interface FastifyInstance {
    routeTable: RouteEntry[];
  }
}

export interface AccessChecks {
  keys: KeyRepo;
  webhookSecrets: WebhookSecretRepo;
  links: SignedLinks;
  actionLinks: ActionLinks;
}

const SECURITY: Partial<Record<RouteAccess['kind'], string>> = { 'api-key': 'apiKey', webhook: 'webhookSecret', 'signed-link': 'signedLink', 'action-link': 'actionLink' };

/**
 * Registers the access model on the root instance: every route must declare its access (a route
 * that does not fails at start), and credentials are checked in `onRequest`, before the body is
 * read, so a 10 MB body with a missing or wrong key costs a 401 and nothing more.
 */
export function registerAccess(app: FastifyInstance, checks: AccessChecks, opts: { publicPrefixes: string[]; publicRatePerMinute: number }): void {
  const table: RouteEntry[] = [];
  app.decorate('routeTable', table);
  app.decorateRequest('principal', null as unknown as Principal);
  app.decorateRequest('link', null);
  app.decorateRequest('actionGrant', null);
  app.addHook('onRoute', (route) => {
    const config = (route.config ?? {}) as { access?: RouteAccess };
    if (!config.access && opts.publicPrefixes.some((p) => route.url.startsWith(p))) {
      // routes a plugin registers (the OpenAPI browser's pages and assets)
      route.config = { ...config, access: publicRoute.access };
    }
    const access = (route.config as { access?: RouteAccess } | undefined)?.access;
    if (!access) {
      throw new Error(`route ${String(route.method)} ${route.url} declares no access (config.access): use reads(), writes(), webhook(), signedLink(), publicRoute or probeRoute`);
    }
    if (access.kind === 'public') {
      // @fastify/rate-limit (registered after this hook) reads the route's own limit.
      route.config = { ...(route.config as object), rateLimit: { max: opts.publicRatePerMinute, timeWindow: 60_000 } };
    }
    const scheme = SECURITY[access.kind];
    if (scheme) {
      // What the OpenAPI document shows: the credential and, for keys, the roles.
      const schema = (route.schema ?? {}) as Record<string, unknown>;
      const note =
        access.kind === 'api-key'
          ? `Roles: ${access.roles.join(', ')}.${access.writes ? ' Changes state.' : ''}`
          : access.kind === 'webhook'
            ? `A '${access.secret}' webhook secret (Bearer, or Basic with the secret as password).`
            : access.kind === 'action-link'
              ? 'A signed action link (the `link` parameter of an Acknowledge or Resolve link in a Slack message, an email or a webhook body); expired links answer 410.'
              : 'A signed link (the `link` parameter of a URL from POST /v1/links).';
      route.schema = { ...schema, security: [{ [scheme]: [] }], description: schema.description ? `${String(schema.description)} ${note}` : note };
    }
    for (const method of Array.isArray(route.method) ? route.method : [route.method]) {
      if (method !== 'HEAD') {
        table.push({ method, url: route.url, access });
      }
    }
  });
  app.addHook('onRequest', async (req: FastifyRequest) => {
    const access = req.routeOptions.config.access;
    switch (access?.kind) {
      case 'api-key':
        req.principal = await checks.keys.authenticate(req.headers.authorization);
        requireRole(req.principal, [...access.roles], access.what);
        return;
      case 'webhook':
        await checks.webhookSecrets.verify(access.secret, req.headers.authorization);
        return;
      case 'signed-link': {
        const grant = await checks.links.verify(req.url);
        req.link = grant;
        req.principal = { keyId: `link:${grant.id}`, role: 'tenant-viewer', tenantId: grant.tenantId };
        return;
      }
      case 'action-link':
        req.actionGrant = await checks.actionLinks.verify(req.url);
        return;
      default:
        return; // public, probe, and the not-found handler
    }
  });
}

/** What @fastify/rate-limit throws past a public route's limit: a domain error with Retry-After. */
export function publicLimitError(retryAfterMs: number, max: number): Error {
  return tooMany('rate_limited', `more than ${max} requests a minute from this address (PUBLIC_RATE_LIMIT): retry after the given seconds`, Math.max(1, Math.ceil(retryAfterMs / 1000)));
}
