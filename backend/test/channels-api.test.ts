import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import fc from 'fast-check';
import { createTenant, startApp, type TestApp } from './helpers.js';
import { encodeSegment, hostileString, wrongType } from './hostile/arbitraries.js';

/**
 * The alert channel API on a real backend (issue "Alert management", item 6): CRUD with per-kind checks (400 naming the
 * field), secrets sealed and never answered (only set + last four), PUT keeping the secret when left out, tenant
 * isolation (a tenant key never sees, changes or tests another tenant's channel: 404), who may read and write, the
 * generated alertmanager.yml (admin and viewer only), and property tests: hostile bodies and ids answer 4xx, never 5xx,
 * and nothing refused is stored.
 *
 *   cd backend && node --import tsx --test test/channels-api.test.ts
 */
let t: TestApp;
const keys: Record<string, string> = {};
const as = (name: string) => ({ authorization: `Bearer ${keys[name]}` });
const api = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, headers: Record<string, string>, payload?: unknown) =>
  t.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });
function status(res: LightMyRequestResponse, code: number, message?: RegExp): void {
  assert.equal(res.statusCode, code, `expected ${code}, got ${res.statusCode}: ${res.body.slice(0, 500)}`);
  if (message) {
    assert.match((res.json() as { error: { message: string } }).error.message, message);
  }
}
const SLACK_URL = 'https://hooks.slack.com/services/T0/B0/verySECRETslackTOKEN1234';
const count = async () => Number((await t.svc.db.query<{ n: number }>('SELECT count(*)::int AS n FROM alert_channels'))[0]?.n);

before(async () => {
  t = await startApp({ ALERTMANAGER_WEBHOOK_SECRET: 'am-webhook-secret-0123456789abcdef', PUBLIC_URL: 'https://caas.example.com' });
  for (const tenant of ['acme', 'globex']) {
    await createTenant(t, tenant);
  }
  const key = async (name: string, role: string, tenant_id?: string) => {
    const res = await api('POST', '/v1/keys', t.admin, { role, tenant_id, name });
    status(res, 201);
    keys[name] = (res.json() as { key: string }).key;
  };
  await key('viewer', 'viewer');
  await key('acme-admin', 'tenant-admin', 'acme');
  await key('acme-viewer', 'tenant-viewer', 'acme');
  await key('globex-admin', 'tenant-admin', 'globex');
  await key('acme-ingest', 'ingest', 'acme');
});
after(async () => {
  await t?.close();
});

interface Ch {
  id: string;
  tenant_id: string | null;
  kind: string;
  name: string;
  enabled: boolean;
  settings: Record<string, unknown>;
  secret: { set: boolean; hint: string | null };
}

describe('CRUD and secrets', () => {
  let slack: Ch;
  it('a tenant admin creates its own channels; the secret is sealed, answered only as set + last four', async () => {
    const res = await api('POST', '/v1/alerts/channels', as('acme-admin'), { kind: 'slack', name: 'acme #ops', secret: { webhook_url: SLACK_URL } });
    status(res, 201);
    slack = res.json() as Ch;
    assert.match(slack.id, /^ch_[0-9a-f]{16}$/);
    assert.equal(slack.tenant_id, 'acme');
    assert.deepEqual(slack.secret, { set: true, hint: '…1234' });
    assert.ok(!res.body.includes('verySECRET'));
    const stored = await t.svc.db.query<{ secret: string }>('SELECT secret FROM alert_channels WHERE id = $1', [slack.id]);
    assert.match(stored[0]?.secret ?? '', /^sealed:v1:/);
    for (const r of [await api('GET', `/v1/alerts/channels/${slack.id}`, as('acme-viewer')), await api('GET', '/v1/alerts/channels', t.admin)]) {
      status(r, 200);
      assert.ok(!r.body.includes('verySECRET'), 'no secret in any answer');
    }
  });

  it('PUT without secret keeps it; with one replaces it; kind and owner cannot change', async () => {
    const res = await api('PUT', `/v1/alerts/channels/${slack.id}`, as('acme-admin'), { kind: 'slack', name: 'acme #incidents', enabled: false });
    status(res, 200);
    const put = res.json() as Ch;
    assert.equal(put.name, 'acme #incidents');
    assert.equal(put.enabled, false);
    assert.deepEqual(put.secret, { set: true, hint: '…1234' });
    const again = (await api('PUT', `/v1/alerts/channels/${slack.id}`, as('acme-admin'), { kind: 'slack', name: 'x', secret: { webhook_url: 'https://hooks.slack.com/services/T0/B0/otherTOKEN9876' } })).json() as Ch;
    assert.equal(again.secret.hint, '…9876');
    status(await api('PUT', `/v1/alerts/channels/${slack.id}`, as('acme-admin'), { kind: 'email', name: 'x', settings: { to: ['a@b.test'] } }), 400, /kind cannot change/);
    status(await api('PUT', `/v1/alerts/channels/${slack.id}`, t.admin, { kind: 'slack', name: 'x', tenant_id: 'globex' }), 400, /tenant_id cannot change/);
  });

  it('per-kind checks: a 400 naming the field', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ kind: 'slack', name: 'x' }, /secret\.webhook_url is required/],
      [{ kind: 'slack', name: 'x', secret: { webhook_url: 'ftp://x' } }, /secret\.webhook_url/],
      [{ kind: 'email', name: 'x' }, /settings\.to is required/],
      [{ kind: 'email', name: 'x', settings: { to: ['not an address'] } }, /is not an email address/],
      [{ kind: 'sms', name: 'x', settings: { from: '12345', to: ['+4915112345678'] }, secret: { account_sid: 'AC1', auth_token: 't' } }, /settings\.from .* E\.164/],
      [{ kind: 'sms', name: 'x', settings: { from: '+15005550006', to: ['0151'] }, secret: { account_sid: 'AC1', auth_token: 't' } }, /settings\.to\[0\]/],
      [{ kind: 'phone', name: 'x', settings: { from: '+15005550006', to: ['+4915112345678'] } }, /secret\.account_sid is required/],
      [{ kind: 'pagerduty', name: 'x', settings: { to: ['a@b.test'] }, secret: { routing_key: 'k' } }, /settings\.to is not a setting of a pagerduty channel/],
      [{ kind: 'pagerduty', name: 'x', secret: { webhook_url: 'https://x.test' } }, /secret\.webhook_url is not a secret of a pagerduty channel/],
      [{ kind: 'webhook', name: 'x', settings: { url: 'https://example.com/h' }, secret: { signing_secret: 'short' } }, /too short/],
      [{ kind: 'webhook', name: 'x', settings: { url: 'http://127.0.0.1/h' } }, /private, loopback/],
      [{ kind: 'webhook', name: '   ', settings: { url: 'https://example.com/h' } }, /name/],
      [{ kind: 'pigeon', name: 'x' }, /kind/],
      [{ kind: 'email', name: 'x', tenant_id: 'nope', settings: { to: ['a@b.test'] } }, /tenant 'nope' does not exist/],
      [{ kind: 'email', name: 'x', settings: { to: ['a@b.test'] }, extra: 1 }, /unknown field 'extra'/],
    ];
    const before = await count();
    for (const [body, msg] of cases) {
      status(await api('POST', '/v1/alerts/channels', t.admin, body), 400, msg);
    }
    assert.equal(await count(), before, 'nothing refused was stored');
  });

  it('DELETE removes it; then 404', async () => {
    const made = (await api('POST', '/v1/alerts/channels', t.admin, { kind: 'email', name: 'temp', settings: { to: ['a@b.test'] } })).json() as Ch;
    assert.equal(made.tenant_id, null, 'an admin without tenant_id makes a platform channel');
    status(await api('DELETE', `/v1/alerts/channels/${made.id}`, t.admin), 200);
    status(await api('GET', `/v1/alerts/channels/${made.id}`, t.admin), 404);
    status(await api('DELETE', `/v1/alerts/channels/${made.id}`, t.admin), 404);
  });
});

describe('tenant isolation and access', () => {
  let acme: Ch;
  let platform: Ch;
  before(async () => {
    acme = (await api('POST', '/v1/alerts/channels', as('acme-admin'), { kind: 'email', name: 'acme mail', settings: { to: ['ops@acme.test'] } })).json() as Ch;
    platform = (await api('POST', '/v1/alerts/channels', t.admin, { kind: 'email', name: 'platform mail', settings: { to: ['ops@caas.test'] } })).json() as Ch;
  });

  it("another tenant's key never sees, changes, tests or reads the log of a channel: 404, never 403", async () => {
    for (const [method, url, body] of [
      ['GET', `/v1/alerts/channels/${acme.id}`, undefined],
      ['PUT', `/v1/alerts/channels/${acme.id}`, { kind: 'email', name: 'mine now', settings: { to: ['x@globex.test'] } }],
      ['DELETE', `/v1/alerts/channels/${acme.id}`, undefined],
      ['POST', `/v1/alerts/channels/${acme.id}/test`, undefined],
      ['GET', `/v1/alerts/channels/${acme.id}/deliveries`, undefined],
      ['GET', `/v1/alerts/channels/${platform.id}`, undefined],
      ['POST', `/v1/alerts/channels/${platform.id}/test`, undefined],
    ] as const) {
      status(await api(method, url, as('globex-admin'), body), 404);
    }
    const list = (await api('GET', '/v1/alerts/channels', as('globex-admin'))).json() as { channels: Ch[] };
    assert.ok(list.channels.every((c) => c.tenant_id === 'globex'));
    const acmeList = (await api('GET', '/v1/alerts/channels', as('acme-viewer'))).json() as { channels: Ch[] };
    assert.ok(acmeList.channels.length >= 1 && acmeList.channels.every((c) => c.tenant_id === 'acme'));
    status(await api('POST', '/v1/alerts/channels', as('globex-admin'), { tenant_id: 'acme', kind: 'email', name: 'x', settings: { to: ['a@b.test'] } }), 403);
    assert.equal((await api('GET', `/v1/alerts/channels/${acme.id}`, t.admin)).json().name, 'acme mail', 'unchanged');
  });

  it('who may: readers read, only admin and tenant-admin write or test; ingest keys and no key neither', async () => {
    status(await api('GET', `/v1/alerts/channels/${acme.id}`, as('viewer')), 200);
    status(await api('GET', `/v1/alerts/channels/${acme.id}/deliveries`, as('acme-viewer')), 200);
    for (const k of ['viewer', 'acme-viewer', 'acme-ingest']) {
      status(await api('POST', `/v1/alerts/channels/${acme.id}/test`, as(k)), 403);
      status(await api('DELETE', `/v1/alerts/channels/${acme.id}`, as(k)), 403);
      status(await api('POST', '/v1/alerts/channels', as(k), { kind: 'email', name: 'x', settings: { to: ['a@b.test'] } }), 403);
    }
    status(await api('GET', '/v1/alerts/channels', as('acme-ingest')), 403);
    status(await api('GET', '/v1/alerts/channels', {}), 401);
  });

  it('a test send answers its delivery, listed in the channel log (tenant-scoped in the delivery log)', async () => {
    const res = await api('POST', `/v1/alerts/channels/${acme.id}/test`, as('acme-admin'));
    status(res, 200);
    const { delivery_id } = res.json() as { delivery_id: string };
    const log = (await api('GET', `/v1/alerts/channels/${acme.id}/deliveries`, as('acme-viewer'))).json() as { deliveries: Array<{ id: string; test: boolean; destination: string }> };
    assert.equal(log.deliveries[0]?.id, delivery_id);
    assert.equal(log.deliveries[0]?.test, true);
    assert.equal(log.deliveries[0]?.destination, 'ops@acme.test');
    status(await api('GET', `/v1/deliveries/${delivery_id}`, as('acme-viewer')), 200);
    status(await api('GET', `/v1/deliveries/${delivery_id}`, as('globex-admin')), 404);
  });

  it('GET /v1/alerts/alertmanager.yml: admin, viewer and responder keys only (it names every tenant\'s receivers); never a channel secret, the webhook secret for admin keys only', async () => {
    await api('POST', '/v1/alerts/channels', as('acme-admin'), { kind: 'slack', name: 'native', settings: { alertmanager: true }, secret: { webhook_url: SLACK_URL } });
    const res = await api('GET', '/v1/alerts/alertmanager.yml', as('viewer'));
    status(res, 200);
    assert.match(String(res.headers['content-type']), /application\/yaml/);
    assert.match(res.body, /name: "tenant-acme"/);
    assert.match(res.body, /url: "https:\/\/caas\.example\.com\/v1\/alertmanager\/webhook"/);
    assert.match(res.body, /api_url_file:/);
    assert.ok(!res.body.includes('verySECRET'));
    // the webhook secret: written in for admin keys only; a read key (Grafana's Viewer route) gets the file to provision
    assert.ok(!res.body.includes('am-webhook-secret-0123456789abcdef'), 'a read key never sees the webhook secret');
    assert.match(res.body, /credentials_file:/);
    const full = await api('GET', '/v1/alerts/alertmanager.yml', t.admin);
    status(full, 200);
    assert.match(full.body, /credentials: "am-webhook-secret-0123456789abcdef"/);
    for (const k of ['acme-admin', 'acme-viewer', 'acme-ingest']) {
      status(await api('GET', '/v1/alerts/alertmanager.yml', as(k)), 403);
    }
  });
});

describe('hostile input', () => {
  it('hostile channel bodies answer 4xx with an error body, never 5xx; refused ones store nothing', { timeout: 120_000 }, async () => {
    const kind = fc.oneof(fc.constantFrom('email', 'slack', 'pagerduty', 'sms', 'phone', 'webhook'), hostileString(20), wrongType);
    const text = fc.oneof(hostileString(80), wrongType, fc.constantFrom('https://hooks.slack.com/x', 'http://[::1]/x', 'javascript:alert(1)', '+4915112345678', 'a@b.test', '', ' '));
    const body = fc.record(
      {
        kind,
        name: text,
        tenant_id: fc.oneof(fc.constantFrom('acme', 'globex', 'nope', null), hostileString(30), wrongType),
        enabled: fc.oneof(fc.boolean(), wrongType),
        settings: fc.oneof(fc.record({ to: fc.oneof(fc.array(text, { maxLength: 4 }), text), from: text, api_url: text, url: text, alertmanager: fc.oneof(fc.boolean(), wrongType) }, { requiredKeys: [] }), wrongType),
        secret: fc.oneof(fc.record({ webhook_url: text, routing_key: text, account_sid: text, auth_token: text, signing_secret: text }, { requiredKeys: [] }), wrongType),
      },
      { requiredKeys: [] }
    );
    await fc.assert(
      fc.asyncProperty(body, fc.constantFrom('admin', 'acme-admin'), async (b, who) => {
        const before = await count();
        const res = await api('POST', '/v1/alerts/channels', who === 'admin' ? t.admin : as(who), b);
        assert.ok(res.statusCode < 500, `${res.statusCode} ${res.body}`);
        if (res.statusCode >= 400) {
          assert.ok((res.json() as { error?: { message?: string } }).error?.message, res.body);
          assert.equal(await count(), before);
        } else {
          assert.equal(res.statusCode, 201);
          const c = res.json() as Ch;
          for (const v of Object.values((b as { secret?: Record<string, unknown> }).secret ?? {})) {
            if (typeof v === 'string' && v.length >= 8) {
              assert.ok(!res.body.includes(v), 'no secret answered');
            }
          }
          await api('DELETE', `/v1/alerts/channels/${c.id}`, t.admin);
        }
      }),
      { numRuns: 150 }
    );
  });

  it('hostile ids and action links answer 4xx, never 5xx', { timeout: 60_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(hostileString(60), fc.constantFrom('GET', 'DELETE'), async (id, method) => {
        const res = await api(method as 'GET', `/v1/alerts/channels/${encodeSegment(id)}`, t.admin);
        assert.ok(res.statusCode >= 400 && res.statusCode < 500, `${res.statusCode} ${res.body}`);
        const link = await t.app.inject({ method: 'POST', url: `/v1/incidents/${encodeSegment(id)}/actions/acknowledge?link=${encodeSegment(id)}` });
        assert.ok(link.statusCode >= 400 && link.statusCode < 500, `${link.statusCode} ${link.body}`);
      }),
      { numRuns: 100 }
    );
  });
});
