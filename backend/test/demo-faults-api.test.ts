/**
 * The demo platform's fault switch API (issue "Alert management", live demo platform): GET, POST and
 * DELETE /v1/demo/faults exist only on a --demo backend, are declared like every route (admin writes,
 * admin and viewer read; in the OpenAPI document with their roles), refuse bad bodies with a reason, and
 * a fault ends by itself on the platform's clock. The same switch under a real Prometheus and the CLI:
 * test/ops-dashboards.test.ts.
 *
 *   cd backend && node --import tsx --test test/demo-faults-api.test.ts
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AddressInfo } from 'node:net';
import { run } from '../src/cli/caas.js';
import { FaultSwitch } from '../src/demo/platform-metrics/faults.js';
import { PlatformMetrics } from '../src/demo/platform-metrics/simulation.js';
import { demoRoutes } from '../src/http/routes/demo.js';
import { ADMIN_KEY, createKey, createTenant, startApp, tempDir, type TestApp } from './helpers.js';

const dataDir = tempDir('caas-demo-faults-');
let now = Date.UTC(2026, 5, 1, 14, 0);
const clock = () => now;
const platform = new PlatformMetrics({ now: clock, faults: new FaultSwitch(clock) });
let t: TestApp;
let viewer: string;
let tenantAdmin: string;

const json = (t: TestApp, method: 'GET' | 'POST' | 'DELETE', url: string, key: string | null, payload?: unknown) =>
  t.app.inject({ method, url, headers: key ? { authorization: `Bearer ${key}` } : {}, ...(payload === undefined ? {} : { payload: payload as object }) });

describe('without --demo', () => {
  it('there is no fault switch, and npx caas demo fault says why', async () => {
    const plain = await startApp({}, dataDir);
    try {
      assert.equal(plain.app.routeTable.some((r) => r.url.startsWith('/v1/demo')), false);
      const res = await plain.app.inject({ method: 'POST', url: '/v1/demo/faults', headers: plain.admin, payload: { kind: 'lag', minutes: 1 } });
      assert.equal(res.statusCode, 404);
      assert.equal((res.json() as { error: { code: string } }).error.code, 'not_found');
      await plain.app.listen({ port: 0, host: '127.0.0.1' });
      const url = `http://127.0.0.1:${(plain.app.server.address() as AddressInfo).port}`;
      process.env.CAAS_ADMIN_KEY = ADMIN_KEY;
      await assert.rejects(run(['demo', 'fault', 'lag', '--minutes', '1', '--url', url], () => undefined), /the backend at http:\/\/127\.0\.0\.1:\d+ runs without --demo: faults exist only on the demo platform/);
      await assert.rejects(run(['demo', 'faults', '--url', url], () => undefined), /runs without --demo/);
    } finally {
      await plain.close();
    }
  });
});

describe('with --demo', () => {
  before(async () => {
    t = await startApp({}, dataDir, (app) => void app.register(demoRoutes({ platform, metricsUrl: 'http://127.0.0.1:9464' })));
    await createTenant(t, 'acme').catch(() => undefined);
    viewer = await createKey(t, undefined, 'viewer');
    tenantAdmin = await createKey(t, 'acme', 'tenant-admin');
  });
  after(async () => t?.close());

  it('is declared like every route: admin switches, admin and viewer read, in the OpenAPI document', async () => {
    const routes = t.app.routeTable.filter((r) => r.url === '/v1/demo/faults');
    assert.deepEqual(
      routes.map((r) => [r.method, r.access.kind === 'api-key' ? [...r.access.roles] : r.access.kind, r.access.kind === 'api-key' && r.access.writes]).sort(),
      [
        ['DELETE', ['admin'], true],
        ['GET', ['admin', 'viewer', 'responder'], false],
        ['POST', ['admin'], true],
      ]
    );
    const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json() as { paths: Record<string, Record<string, { security: unknown; description: string; responses: Record<string, unknown>; tags: string[] }>> };
    for (const method of ['get', 'post', 'delete']) {
      const op = doc.paths['/v1/demo/faults']?.[method];
      assert.ok(op, method);
      assert.deepEqual(op.security, [{ apiKey: [] }]);
      assert.match(op.description, /Roles: admin/);
      assert.ok(op.responses['401'] && op.responses['403'] && op.tags.includes('demo'));
    }
  });

  it('keys other than admin cannot switch; no key is a 401', async () => {
    assert.equal((await json(t, 'POST', '/v1/demo/faults', null, { kind: 'lag', minutes: 1 })).statusCode, 401);
    assert.equal((await json(t, 'POST', '/v1/demo/faults', viewer, { kind: 'lag', minutes: 1 })).statusCode, 403);
    assert.equal((await json(t, 'POST', '/v1/demo/faults', tenantAdmin, { kind: 'lag', minutes: 1 })).statusCode, 403);
    assert.equal((await json(t, 'DELETE', '/v1/demo/faults', viewer)).statusCode, 403);
    assert.equal((await json(t, 'GET', '/v1/demo/faults', tenantAdmin)).statusCode, 403);
    assert.equal((await json(t, 'GET', '/v1/demo/faults', viewer)).statusCode, 200);
    assert.deepEqual(platform.faults.active(), [], 'nothing was switched on');
  });

  it('bad bodies get a 400 that says what to send', async () => {
    const cases: Array<[unknown, string, RegExp]> = [
      [{ kind: 'meltdown', minutes: 1 }, 'invalid_kind', /kind must be one of error-spike, latency, disconnect-storm, lag, got 'meltdown'/],
      [{ minutes: 1 }, 'invalid_kind', /kind must be one of/],
      [{ kind: 'lag' }, 'invalid_minutes', /minutes must be a number more than 0 and at most 1440/],
      [{ kind: 'lag', minutes: 0 }, 'invalid_minutes', /got 0/],
      [{ kind: 'lag', minutes: -3 }, 'invalid_minutes', /got -3/],
      [{ kind: 'lag', minutes: 1441 }, 'invalid_minutes', /at most 1440/],
      [{ kind: 'lag', minutes: '10' }, 'invalid_minutes', /got "10"/],
      [{ kind: 'lag', minutes: 1, tenant: 'acme' }, 'unknown_field', /unknown field 'tenant': a fault takes kind and minutes/],
      [['lag', 1], 'invalid_body', /a JSON object/],
    ];
    for (const [body, code, message] of cases) {
      const res = await json(t, 'POST', '/v1/demo/faults', ADMIN_KEY, body);
      assert.equal(res.statusCode, 400, JSON.stringify(body));
      const e = (res.json() as { error: { code: string; message: string } }).error;
      assert.equal(e.code, code, JSON.stringify(body));
      assert.match(e.message, message);
    }
    const q = await json(t, 'DELETE', '/v1/demo/faults?kind=meltdown', ADMIN_KEY);
    assert.equal(q.statusCode, 400);
    assert.deepEqual(platform.faults.active(), []);
  });

  it('a fault is listed with its rule and end, extends when switched again, and ends by itself', async () => {
    const start = now;
    const res = await t.app.inject({ method: 'POST', url: '/v1/demo/faults', headers: t.admin, payload: { kind: 'latency', minutes: 10 } });
    assert.equal(res.statusCode, 201, res.body);
    assert.deepEqual(res.json(), {
      fault: {
        kind: 'latency',
        started_at: new Date(start).toISOString(),
        ends_at: new Date(start + 600_000).toISOString(),
        rule: 'std-high-latency',
        alert: 'HighLatency',
        effect: (res.json() as { fault: { effect: string } }).fault.effect,
      },
    });
    now += 120_000;
    const again = (await t.app.inject({ method: 'POST', url: '/v1/demo/faults', headers: t.admin, payload: { kind: 'latency', minutes: 0.5 } })).json() as { fault: { started_at: string; ends_at: string } };
    assert.deepEqual([again.fault.started_at, again.fault.ends_at], [new Date(start).toISOString(), new Date(now + 30_000).toISOString()]);
    await t.app.inject({ method: 'POST', url: '/v1/demo/faults', headers: t.admin, payload: { kind: 'lag', minutes: 5 } });

    const list = (await json(t, 'GET', '/v1/demo/faults', viewer)).json() as { faults: Array<{ kind: string }>; kinds: Array<{ kind: string; rule: string }>; metrics_url: string };
    assert.deepEqual(list.faults.map((f) => f.kind), ['latency', 'lag'], 'soonest end first');
    assert.deepEqual(list.kinds.map((k) => `${k.kind}:${k.rule}`), ['error-spike:std-error-rate', 'latency:std-high-latency', 'disconnect-storm:std-socket-disconnect-storm', 'lag:std-consumer-lag']);
    assert.equal(list.metrics_url, 'http://127.0.0.1:9464/metrics');
    assert.match(await platform.metrics(), /caas_demo_fault_active\{kind="latency"\} 1/);

    now += 31_000; // latency's half minute is over
    assert.deepEqual(((await json(t, 'GET', '/v1/demo/faults', viewer)).json() as { faults: Array<{ kind: string }> }).faults.map((f) => f.kind), ['lag']);
    assert.match(await platform.metrics(), /caas_demo_fault_active\{kind="latency"\} 0/);

    const cleared = (await json(t, 'DELETE', '/v1/demo/faults?kind=lag', ADMIN_KEY)).json() as { ended: Array<{ kind: string; ends_at: string }> };
    assert.deepEqual(cleared.ended.map((f) => [f.kind, f.ends_at]), [['lag', new Date(now).toISOString()]]);
    assert.deepEqual(((await json(t, 'DELETE', '/v1/demo/faults', ADMIN_KEY)).json() as { ended: unknown[] }).ended, [], 'nothing left to end');
    assert.deepEqual(platform.faults.active(), []);
  });
});
