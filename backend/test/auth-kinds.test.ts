import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { webhook } from '../src/http/authenticate.js';
import { createKey, createTenant, startApp, type TestApp } from './helpers.js';

/**
 * Issue "Platform", part 1: each access kind with good, missing, wrong and expired credentials.
 * API keys are covered by bad-input, hardening and the route suites; here: webhook secrets,
 * signed links, public (rate-limited per client address) and probes.
 */
function status(res: LightMyRequestResponse, code: number, message?: RegExp): void {
  assert.equal(res.statusCode, code, `expected ${code}, got ${res.statusCode}: ${res.body}`);
  if (message) {
    assert.match((res.json() as { error: { message: string } }).error.message, message);
  }
}

describe('access kinds', () => {
  let t: TestApp;
  let acmeAdmin: string;
  const received: unknown[] = [];
  before(async () => {
    t = await startApp({ PUBLIC_RATE_LIMIT: '5' }, undefined, (app) => {
      // Alertmanager's receiver comes with alert management; the kind is tried on a route of its own.
      app.post('/test/alertmanager', { config: webhook('receiving alerts', 'alertmanager') }, async (req) => {
        received.push(req.body);
        return { ok: true };
      });
    });
    await createTenant(t, 'acme');
    await createTenant(t, 'globex');
    acmeAdmin = await createKey(t, 'acme', 'tenant-admin');
  });
  after(async () => t.close());

  describe('webhook secret', () => {
    const send = (authorization?: string) =>
      t.app.inject({ method: 'POST', url: '/test/alertmanager', headers: authorization ? { authorization } : {}, payload: { version: '4' } });
    let secret = '';
    let id = '';

    it('is created by an admin and shown once', async () => {
      const res = await t.app.inject({ method: 'POST', url: '/v1/webhook-secrets', headers: t.admin, payload: { name: 'alertmanager' } });
      status(res, 201);
      ({ secret, id } = res.json() as { secret: string; id: string });
      assert.match(secret, /^whs_/);
      const list = (await t.app.inject({ method: 'GET', url: '/v1/webhook-secrets', headers: t.admin })).body;
      assert.ok(list.includes(id) && !list.includes(secret), 'listed without the secret');
      status(await t.app.inject({ method: 'POST', url: '/v1/webhook-secrets', headers: { authorization: `Bearer ${acmeAdmin}` }, payload: { name: 'x' } }), 403);
    });

    it('good: Bearer, or Basic with the secret as password, as Alertmanager sends them', async () => {
      status(await send(`Bearer ${secret}`), 200);
      status(await send(`Basic ${Buffer.from(`alertmanager:${secret}`).toString('base64')}`), 200);
      assert.equal(received.length, 2);
    });

    it('missing, wrong, another name\'s, or an API key: 401 with what to set', async () => {
      status(await send(), 401, /missing alertmanager webhook secret/);
      status(await send(`Bearer ${secret}x`), 401, /wrong or revoked/);
      status(await send(`Basic ${Buffer.from(`alertmanager:nope`).toString('base64')}`), 401, /wrong or revoked/);
      status(await send(t.admin.authorization), 401, /wrong or revoked/);
      status(await send('Token abc'), 401, /malformed/);
      const other = (await t.app.inject({ method: 'POST', url: '/v1/webhook-secrets', headers: t.admin, payload: { name: 'slack' } })).json() as { secret: string };
      status(await send(`Bearer ${other.secret}`), 401, /wrong or revoked/);
    });

    it('expired: 401 naming when; revoked: 401', async () => {
      const res = await t.app.inject({ method: 'POST', url: '/v1/webhook-secrets', headers: t.admin, payload: { name: 'alertmanager', expires_in_days: 1 } });
      const old = res.json() as { secret: string; id: string };
      await t.svc.db.query("UPDATE webhook_secrets SET expires_at = now() - interval '1 minute' WHERE id = $1", [old.id]);
      await t.svc.webhookSecrets.revoke(id); // also drops the cached secrets of the name
      status(await send(`Bearer ${old.secret}`), 401, /expired at/);
      status(await send(`Bearer ${secret}`), 401, /wrong or revoked/);
      status(await t.app.inject({ method: 'DELETE', url: `/v1/webhook-secrets/${id}`, headers: t.admin }), 404);
      status(await t.app.inject({ method: 'DELETE', url: '/v1/webhook-secrets/nope', headers: t.admin }), 400);
    });
  });

  describe('signed link', () => {
    const path = '/v1/shared/analytics/messages?from=2026-11-01&to=2026-11-30&format=csv';
    const mint = (body: Record<string, unknown>, key = acmeAdmin) =>
      t.app.inject({ method: 'POST', url: '/v1/links', headers: { authorization: `Bearer ${key}` }, payload: { path, expires_in_seconds: 3600, ...body } });

    it('good: the shared address answers for the link\'s tenant without a key', async () => {
      const res = await mint({});
      status(res, 201);
      const link = res.json() as { url: string; tenant_id: string; expires_at: string };
      assert.equal(link.tenant_id, 'acme');
      assert.match(link.url, /^\/v1\/shared\/analytics\/messages\?format=csv&from=2026-11-01&to=2026-11-30&link=/);
      const shared = await t.app.inject({ method: 'GET', url: link.url });
      status(shared, 200);
      assert.match(shared.body, /^date,count\n/);
    });

    it('missing, forged, cut short or used for another address: 401', async () => {
      status(await t.app.inject({ method: 'GET', url: path }), 401, /needs a signed link/);
      const { url } = (await mint({})).json() as { url: string };
      const token = new URL(url, 'http://x').searchParams.get('link') ?? '';
      status(await t.app.inject({ method: 'GET', url: url.slice(0, -3) }), 401, /does not verify/);
      const [payload] = token.split('.');
      status(await t.app.inject({ method: 'GET', url: `${path}&link=${payload}.${Buffer.from('x'.repeat(32)).toString('base64url')}` }), 401, /does not verify/);
      status(await t.app.inject({ method: 'GET', url: url.replace('from=2026-11-01', 'from=2025-01-01') }), 401, /another address/);
      status(await t.app.inject({ method: 'GET', url: `${url}&tenant_id=globex` }), 401, /another address/);
      // An API key does not stand in for a link.
      status(await t.app.inject({ method: 'GET', url: path, headers: t.admin }), 401);
    });

    it('a link never reads another tenant, and only addresses that take links can be signed', async () => {
      const res = await mint({ path: `${path}&tenant_id=globex` });
      status(res, 201);
      status(await t.app.inject({ method: 'GET', url: (res.json() as { url: string }).url }), 403, /cannot act for tenant 'globex'/);
      status(await mint({ path: '/v1/keys' }), 400, /takes no signed links/);
      status(await mint({ tenant_id: 'globex' }), 403);
      status(await mint({}, await createKey(t, 'acme', 'tenant-viewer')), 403);
      status(await mint({ expires_in_seconds: 0 }), 400);
    });

    it('expired: 410 naming when', async () => {
      const { url } = (await mint({ expires_in_seconds: 1 })).json() as { url: string };
      await new Promise((r) => setTimeout(r, 1100));
      status(await t.app.inject({ method: 'GET', url }), 410, /expired at/);
    });

    it('revoked, or signed by a retired key: 410; a rotated key keeps older links working', async () => {
      const a = (await mint({})).json() as { url: string; id: string };
      status(await t.app.inject({ method: 'DELETE', url: `/v1/links/${a.id}`, headers: { authorization: `Bearer ${acmeAdmin}` } }), 204);
      status(await t.app.inject({ method: 'GET', url: a.url }), 410, /revoked by its owner/);

      const before = (await mint({})).json() as { url: string };
      const rotated = await t.app.inject({ method: 'POST', url: '/v1/signing-keys/rotate', headers: t.admin });
      status(rotated, 201);
      const afterRotation = (await mint({})).json() as { url: string };
      status(await t.app.inject({ method: 'GET', url: before.url }), 200);
      status(await t.app.inject({ method: 'GET', url: afterRotation.url }), 200);
      const keys = (await t.app.inject({ method: 'GET', url: '/v1/signing-keys', headers: t.admin })).json() as { signing_keys: Array<{ kid: string }> };
      const oldKid = keys.signing_keys[1]?.kid ?? '';
      status(await t.app.inject({ method: 'DELETE', url: `/v1/signing-keys/${oldKid}`, headers: t.admin }), 204);
      status(await t.app.inject({ method: 'GET', url: before.url }), 410, /signing key was retired/);
      status(await t.app.inject({ method: 'GET', url: afterRotation.url }), 200);
    });
  });

  describe('public and probe', () => {
    it('public: rate-limited per client address, with Retry-After; X-Forwarded-For does not reset it', async () => {
      const get = (remoteAddress: string, headers: Record<string, string> = {}) => t.app.inject({ method: 'GET', url: '/openapi.json', remoteAddress, headers });
      for (let i = 0; i < 5; i++) {
        status(await get('10.1.1.1'), 200);
      }
      const limited = await get('10.1.1.1');
      status(limited, 429, /PUBLIC_RATE_LIMIT/);
      assert.ok(Number(limited.headers['retry-after']) >= 1, 'Retry-After in seconds');
      status(await get('10.1.1.1', { 'x-forwarded-for': '192.0.2.77' }), 429);
      status(await get('10.2.2.2'), 200);
    });

    it('probe: health and metrics are never limited', async () => {
      for (let i = 0; i < 12; i++) {
        status(await t.app.inject({ method: 'GET', url: '/health/live', remoteAddress: '10.3.3.3' }), 200);
      }
    });
  });
});
