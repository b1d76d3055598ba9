import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import fc from 'fast-check';
import type { WebhookPayload } from '../src/alerts/alertmanager/webhook.js';
import { createKey, createTenant, drained, startApp, type TestApp } from './helpers.js';
import { analyticsQuery, encodeSegment, endpointText, queryString, SQLISH, UNICODE } from './hostile/arbitraries.js';

/**
 * The event rule API on a real backend without Alertmanager (embedded ClickHouse, PGlite; issue "Alert
 * management", items 1, 2 and 7): CRUD under /v1/alerts/event-rules with every rule checked by running its
 * queries (an analytics refusal is a 400 with the analytics reason), who may do what (admin: every rule;
 * tenant-admin: its tenant's; readers: their tenant's and those for every tenant), the preview, the
 * Alertmanager routes' 503 without ALERTMANAGER_URL, a test fire that goes to the incidents instead, and
 * property tests: hostile rules, patches, previews and ids never get a 5xx, and never reach another tenant.
 *
 *   cd backend && node --import tsx --test test/event-rules-api.test.ts
 */
let t: TestApp;
const keys: Record<string, string> = {};
const as = (name: string) => ({ authorization: `Bearer ${keys[name]}` });
const intake: WebhookPayload[] = [];

type Rule = {
  id: string;
  name: string;
  tenant_id: string | null;
  window: string;
  queries: Record<string, Record<string, unknown>>;
  condition: { expression: string; reducer: string; field: string | null; op: string; threshold: number };
  for: string;
  keep_firing_for: string;
  interval: string;
  severity: string;
  labels: Record<string, string>;
  annotations: { summary: string; description: string; runbook_url: string | null };
  enabled: boolean;
  status: { state: string; evaluated_at: string | null; errors: Record<string, string> };
};

const api = (method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, headers: Record<string, string>, payload?: unknown) =>
  t.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });

function ok<T>(res: LightMyRequestResponse, code = 200): T {
  assert.equal(res.statusCode, code, `expected ${code}, got ${res.statusCode}: ${res.body}`);
  return res.json() as T;
}
function refused(res: LightMyRequestResponse, code: number, message?: RegExp, errCode?: string): void {
  assert.equal(res.statusCode, code, `expected ${code}, got ${res.statusCode}: ${res.body}`);
  const e = (res.json() as { error: { code: string; message: string } }).error;
  assert.ok(e.message);
  if (message) {
    assert.match(e.message, message);
  }
  if (errCode) {
    assert.equal(e.code, errCode);
  }
}

const failures = (over: Record<string, unknown> = {}) => ({
  name: 'MessageSendFailures',
  window: '5m',
  queries: {
    A: { kind: 'timeseries', metric: { type: 'events' }, event_types: ['message_sent'], filters: [{ field: 'properties.status', op: '=', value: 'failed' }] },
    B: { kind: 'timeseries', metric: { type: 'events' }, event_types: ['message_sent'] },
  },
  condition: { expression: 'A / B', reducer: 'sum', op: '>', threshold: 0.02 },
  for: '5m',
  severity: 'critical',
  annotations: { summary: '{{ $value | humanizePercentage }} of sends failed for {{ $labels.tenant_id }}' },
  ...over,
});

before(async () => {
  t = await startApp({ JOBS_CONCURRENCY: '0', TENANT_RATE_LIMIT: '0' });
  for (const tenant of ['acme', 'globex']) {
    await createTenant(t, tenant);
    keys[`${tenant}Admin`] = await createKey(t, tenant, 'tenant-admin');
    keys[`${tenant}Viewer`] = await createKey(t, tenant, 'tenant-viewer');
  }
  keys.viewer = await createKey(t, undefined, 'viewer');
  keys.ingest = await createKey(t, 'acme', 'ingest');
  const incidents = t.svc.incidents;
  const receive = incidents.receive.bind(incidents);
  incidents.receive = async (p, via) => {
    intake.push(structuredClone(p));
    await receive(p, via);
  };
  // acme: 20 sends a minute over the last 10 minutes, 3 of them failed each minute (15%)
  const now = Date.now();
  const events = [];
  for (let m = 1; m <= 10; m++) {
    for (let i = 0; i < 20; i++) {
      events.push({ type: 'message_sent', tenant_id: 'acme', user_id: `u${i}`, timestamp: now - m * 60_000 + i * 100, properties: { status: i < 3 ? 'failed' : 'ok', message_type: i % 2 ? 'text' : 'image' } });
    }
  }
  ok(await api('POST', '/v1/events', t.admin, events), 202);
  await drained(t.svc);
});
after(async () => t.close());

describe('event rules: CRUD, checks and access', () => {
  it('an admin creates a rule for every tenant; defaults filled in; its queries ran once', async () => {
    const r = ok<Rule>(await api('POST', '/v1/alerts/event-rules', t.admin, failures({ id: 'msg-failures' })), 201);
    assert.equal(r.tenant_id, null, 'an admin rule without tenant_id is every tenant\'s');
    assert.deepEqual([r.keep_firing_for, r.interval, r.enabled, r.condition.field], ['0s', '60s', true, null]);
    assert.deepEqual(r.labels, {});
    assert.equal(r.status.state, 'inactive');
    assert.equal(r.status.evaluated_at, null, 'not evaluated by the ruler yet');
    refused(await api('POST', '/v1/alerts/event-rules', t.admin, failures({ id: 'msg-failures' })), 409, /already exists/);
    refused(await api('POST', '/v1/alerts/event-rules', t.admin, failures({ id: 'std-error-rate' })), 409, /is the id of a metric rule/);
  });

  it('a query the analytics engine refuses is a 400 with the analytics reason, naming the query', async () => {
    refused(
      await api('POST', '/v1/alerts/event-rules', t.admin, failures({ queries: { A: { kind: 'timeseries', metric: { type: 'p95' } } }, condition: { reducer: 'max', op: '>', threshold: 1 } })),
      400,
      /^query A: timeseries query: 'metric.type' must be one of/
    );
    refused(await api('POST', '/v1/alerts/event-rules', t.admin, failures({ queries: { A: { kind: 'nope' }, B: { kind: 'geo' } } })), 400, /query A: unknown query kind 'nope'/, 'unknown_kind');
    refused(
      await api('POST', '/v1/alerts/event-rules', t.admin, failures({ queries: { A: { kind: 'heatmap', timezone: 'Mars/Olympus' }, B: { kind: 'geo' } } })),
      400,
      /query A: 'timezone'='Mars\/Olympus' is not a time zone ClickHouse knows/
    );
    refused(await api('POST', '/v1/alerts/event-rules', t.admin, failures({ queries: { A: { kind: 'geo', from: 0, to: 1 }, B: { kind: 'geo' } } })), 400, /query A: 'from' is set by the rule/);
    refused(await api('POST', '/v1/alerts/event-rules', t.admin, failures({ queries: { A: { kind: 'geo', tenant_id: 'globex' }, B: { kind: 'geo' } } })), 400, /query A: 'tenant_id' is set by the rule/);
    refused(await api('POST', '/v1/alerts/event-rules', t.admin, failures({ condition: { expression: 'A / B', reducer: 'sum', op: '>', threshold: 0.02, field: 'users' } })), 400, /condition.field 'users' is not in the answer of query A: its number fields are 'events'/);
    refused(await api('POST', '/v1/alerts/event-rules', t.admin, failures({ condition: { expression: 'A / B', reducer: 'median', op: '>', threshold: 1 } })), 400, /reducer/);
    refused(await api('POST', '/v1/alerts/event-rules', t.admin, failures({ condition: { expression: 'A / B / C', reducer: 'sum', op: '>', threshold: 1 } })), 400, /uses C, which is not one of the queries/);
    refused(await api('POST', '/v1/alerts/event-rules', t.admin, failures({ window: '40d' })), 400, /window '40d' is longer than 31d/);
    refused(await api('POST', '/v1/alerts/event-rules', t.admin, failures({ interval: '10s' })), 400, /shorter than the ruler's tick \(RULER_INTERVAL_SECONDS=60\)/);
    refused(await api('POST', '/v1/alerts/event-rules', t.admin, failures({ fro: '5m' })), 400, /unknown field 'fro'/, 'unknown_field');
    refused(await api('POST', '/v1/alerts/event-rules', t.admin, failures({ condition: { reducer: 'sum', op: '>', threshold: 1, treshold: 2 } })), 400, /unknown field 'condition.treshold'/);
    refused(await api('POST', '/v1/alerts/event-rules', t.admin, failures({ annotations: { summary: '{{ $value | title }}' } })), 400, /not one the ruler expands/);
    refused(await api('POST', '/v1/alerts/event-rules', t.admin, failures({ tenant_id: 'nobody' })), 400, /tenant 'nobody' does not exist/, 'unknown_tenant');
  });

  it("a tenant-admin manages its own tenant's rules only; readers see theirs and the rules for every tenant", async () => {
    const mine = ok<Rule>(await api('POST', '/v1/alerts/event-rules', as('acmeAdmin'), failures({ id: 'acme-failures' })), 201);
    assert.equal(mine.tenant_id, 'acme', "a tenant key's rule is its tenant's");
    refused(await api('POST', '/v1/alerts/event-rules', as('acmeAdmin'), failures({ tenant_id: 'globex' })), 403, /cannot make rules for tenant 'globex'/);
    refused(await api('POST', '/v1/alerts/event-rules', as('acmeAdmin'), failures({ tenant_id: null })), 403, /needs an admin key/);
    ok(await api('POST', '/v1/alerts/event-rules', as('globexAdmin'), failures({ id: 'globex-failures' })), 201);
    refused(await api('PATCH', '/v1/alerts/event-rules/globex-failures', as('acmeAdmin'), { enabled: false }), 404, /not found for tenant 'acme'/);
    refused(await api('DELETE', '/v1/alerts/event-rules/globex-failures', as('acmeAdmin')), 404);
    refused(await api('GET', '/v1/alerts/event-rules/globex-failures', as('acmeViewer')), 404);
    refused(await api('PATCH', '/v1/alerts/event-rules/msg-failures', as('acmeAdmin'), { enabled: false }), 403, /evaluated for every tenant: only an admin key changes it/);
    refused(await api('PATCH', '/v1/alerts/event-rules/acme-failures', as('acmeAdmin'), { tenant_id: 'globex' }), 403, /its rules stay its own/);
    refused(await api('POST', '/v1/alerts/event-rules', as('acmeViewer'), failures()), 403, /creating event rules needs a key with role admin or tenant-admin/);
    refused(await api('POST', '/v1/alerts/event-rules', as('viewer'), failures()), 403);
    refused(await api('GET', '/v1/alerts/event-rules', as('ingest')), 403);
    refused(await api('GET', '/v1/alerts/event-rules', {}), 401);
    const acme = ok<{ rules: Rule[] }>(await api('GET', '/v1/alerts/event-rules', as('acmeViewer')));
    assert.deepEqual(acme.rules.map((r) => r.id).sort(), ['acme-failures', 'msg-failures']);
    refused(await api('GET', '/v1/alerts/event-rules?tenant_id=globex', as('acmeViewer')), 403, /cannot act for tenant 'globex'/);
    const all = ok<{ rules: Rule[] }>(await api('GET', '/v1/alerts/event-rules', as('viewer')));
    assert.deepEqual(all.rules.map((r) => r.id).sort(), ['acme-failures', 'globex-failures', 'msg-failures']);
    const scoped = ok<{ rules: Rule[] }>(await api('GET', '/v1/alerts/event-rules?tenant_id=globex', as('viewer')));
    assert.deepEqual(scoped.rules.map((r) => r.id).sort(), ['globex-failures', 'msg-failures']);
    const monitoring = ok<{ rules: Array<{ id: string; kind: string; condition: string }> }>(await api('GET', '/monitoring/rules', as('acmeViewer')));
    const ev = monitoring.rules.filter((r) => r.kind === 'event');
    assert.deepEqual(ev.map((r) => r.id).sort(), ['acme-failures', 'msg-failures']);
    assert.equal(ev.find((r) => r.id === 'acme-failures')?.condition, 'A / B > 0.02 (sum over the last 5m; A: timeseries, B: timeseries)');
    assert.ok(monitoring.rules.some((r) => r.kind === 'metric'), 'metric rules are listed too');
  });

  it('PUT replaces (defaults for what is left out), PATCH changes fields one by one and is checked again, DELETE removes', async () => {
    const put = ok<Rule>(await api('PUT', '/v1/alerts/event-rules/acme-failures', as('acmeAdmin'), failures({ name: 'AcmeFailures', keep_firing_for: '10m', labels: { team: 'chat' } })));
    assert.deepEqual([put.name, put.keep_firing_for, put.labels.team, put.tenant_id], ['AcmeFailures', '10m', 'chat', 'acme']);
    const patched = ok<Rule>(await api('PATCH', '/v1/alerts/event-rules/acme-failures', as('acmeAdmin'), { condition: { threshold: 0.05 }, annotations: { runbook_url: 'https://runbooks.example.com/x' } }));
    assert.equal(patched.condition.threshold, 0.05);
    assert.equal(patched.condition.expression, 'A / B', 'the rest of the condition kept');
    assert.equal(patched.annotations.runbook_url, 'https://runbooks.example.com/x');
    assert.equal(patched.keep_firing_for, '10m');
    refused(await api('PATCH', '/v1/alerts/event-rules/acme-failures', as('acmeAdmin'), { queries: { A: { kind: 'top_n' }, B: { kind: 'geo' } } }), 400, /query A: top_n query/);
    refused(await api('PATCH', '/v1/alerts/event-rules/acme-failures', as('acmeAdmin'), {}), 400);
    const got = ok<Rule>(await api('GET', '/v1/alerts/event-rules/acme-failures', as('acmeViewer')));
    assert.equal(got.condition.threshold, 0.05, 'a refused PATCH changed nothing');
    ok(await api('DELETE', '/v1/alerts/event-rules/acme-failures', as('acmeAdmin')));
    refused(await api('GET', '/v1/alerts/event-rules/acme-failures', as('acmeViewer')), 404);
  });

  it("preview: each query reduced, the expression per series and whether it holds, on the tenant's events now", async () => {
    type P = { tenant_id: string; samples: Record<string, Array<{ value: number }>>; series: Array<{ value: number; active: boolean; inputs: Record<string, number>; annotations: Record<string, string>; labels: Record<string, string> }> };
    const p = ok<P>(await api('POST', '/v1/alerts/event-rules/preview', as('acmeViewer'), failures()));
    assert.equal(p.tenant_id, 'acme');
    const [s] = p.series;
    assert.ok(s && s.inputs.A !== undefined && s.inputs.B !== undefined);
    assert.ok((s.inputs.B ?? 0) >= 60 && (s.inputs.B ?? 0) <= 100, `about 4-5 minutes of 20 sends: ${s.inputs.B}`);
    assert.equal(s.value, (s.inputs.A ?? 0) / (s.inputs.B ?? 1));
    assert.ok(s.value > 0.1 && s.value < 0.2, `about 3 of every 20 failed: ${s.value}`);
    assert.equal(s.active, true);
    assert.equal(s.labels.tenant_id, 'acme');
    assert.match(s.annotations.summary ?? '', /^1\d(\.\d+)?% of sends failed for acme$/);
    const byType = ok<P>(
      await api('POST', '/v1/alerts/event-rules/preview', t.admin, {
        ...failures(),
        queries: { A: { kind: 'timeseries', metric: { type: 'events' }, event_types: ['message_sent'], group_by: ['properties.message_type'], filters: [{ field: 'properties.status', op: '=', value: 'failed' }] }, B: { kind: 'timeseries', metric: { type: 'events' }, event_types: ['message_sent'] } },
        preview_tenant_id: 'acme',
      })
    );
    assert.deepEqual(byType.series.map((x) => x.labels.message_type).sort(), ['image', 'text'], 'a series per group_by value, the total B applied to each');
    const globex = ok<P>(await api('POST', '/v1/alerts/event-rules/preview', as('globexViewer'), failures()));
    assert.deepEqual(globex.series, [], 'globex sent nothing: 0 / 0 is no data');
    refused(await api('POST', '/v1/alerts/event-rules/preview', as('globexViewer'), failures({ tenant_id: 'acme' })), 403, /cannot preview rules of tenant 'acme'/);
    refused(await api('POST', '/v1/alerts/event-rules/preview', as('globexViewer'), { ...failures(), preview_tenant_id: 'acme' }), 403, /cannot preview with tenant 'acme'/);
  });
});

describe('without Alertmanager', () => {
  it('the Alertmanager routes answer 503 saying to set ALERTMANAGER_URL', async () => {
    for (const url of ['/v1/alertmanager/status', '/v1/alertmanager/alerts', '/v1/alertmanager/groups', '/v1/alertmanager/silences']) {
      refused(await api('GET', url, as('acmeViewer')), 503, /set ALERTMANAGER_URL/, 'alertmanager_not_configured');
    }
    refused(await api('POST', '/v1/alertmanager/silences', as('acmeAdmin'), { matchers: [{ name: 'a', value: 'b', isRegex: false }], duration: '1h', comment: 'x' }), 503, /set ALERTMANAGER_URL/);
    const s = ok<{ alertmanager: { configured: boolean; reachable: null }; ruler: { mode: string } }>(await api('GET', '/monitoring/status', as('acmeViewer')));
    assert.deepEqual([s.alertmanager.configured, s.alertmanager.reachable, s.ruler.mode], [false, null, 'incidents']);
  });

  it('a test fire goes to the incidents as a webhook payload marked test, and opens a test incident for the tenant', async () => {
    const res = ok<{ via: string; labels: Record<string, string> }>(await api('POST', '/monitoring/test/msg-failures', as('globexAdmin')));
    assert.equal(res.via, 'incidents');
    assert.equal(res.labels.tenant_id, 'globex');
    const p = intake.at(-1) as WebhookPayload;
    assert.equal(p.groupLabels.test, 'true');
    assert.equal(p.groupKey, 'ruler-test:{alertname="MessageSendFailures", caas_rule_id="msg-failures", tenant_id="globex", test="true"}');
    assert.match(p.alerts[0]?.annotations.summary ?? '', /^\[TEST\] 2% of sends failed for globex$/);
    const incidents = ok<{ incidents: Array<{ tenant_id: string; labels: Record<string, string> }> }>(await api('GET', '/v1/incidents', as('globexViewer')));
    assert.ok(incidents.incidents.some((i) => i.labels.test === 'true' && i.tenant_id === 'globex'));
    const acme = ok<{ incidents: Array<{ labels: Record<string, string> }> }>(await api('GET', '/v1/incidents', as('acmeViewer')));
    assert.ok(!acme.incidents.some((i) => i.labels.test === 'true'), "not acme's");
    // without Alertmanager nothing would resolve the test alert at its endsAt: a job does, as Alertmanager would
    const jobs = await t.svc.db.query<{ payload: { payload: WebhookPayload }; due_ms: number; tenant_id: string | null }>(
      `SELECT payload, tenant_id, (extract(epoch FROM run_after) * 1000)::float8 AS due_ms FROM jobs WHERE kind = 'alerts.test-resolve' ORDER BY created_at DESC LIMIT 1`
    );
    const job = jobs[0];
    assert.ok(job, 'a resolve job is queued');
    assert.equal(job.tenant_id, 'globex');
    assert.ok(Math.abs(job.due_ms - Date.parse(p.alerts[0]?.endsAt ?? '')) < 5_000, 'due at the alert\'s endsAt');
    assert.equal(job.payload.payload.status, 'resolved');
    await t.svc.incidents.receive(job.payload.payload, 'ruler');
    const after = ok<{ incidents: Array<{ state: string; labels: Record<string, string> }> }>(await api('GET', '/v1/incidents?tenant_id=globex', t.admin));
    assert.ok(after.incidents.filter((i) => i.labels.test === 'true').every((i) => i.state === 'resolved'), 'the test incident is resolved by it');
    refused(await api('POST', '/monitoring/test/globex-failures', as('acmeAdmin')), 404, /not found for tenant 'acme'/);
    refused(await api('POST', '/monitoring/test/msg-failures?tenant_id=acme', as('globexAdmin')), 403, /cannot act for tenant 'acme'/);
    refused(await api('POST', '/monitoring/test/nothing-here', t.admin), 404, /list them with GET \/monitoring\/rules/);
  });
});

describe('event rules: property tests', () => {
  const text = endpointText(["'; DROP TABLE event_rules; --", 'msg-failures', 'MessageSendFailures', '{{ $value }}', 'A / B', '5m', ...SQLISH.slice(0, 2), ...UNICODE.slice(0, 2)]);
  const header = fc.constantFrom('admin', 'viewer', 'acmeAdmin', 'globexViewer', 'none');
  const headersOf = (h: string): Record<string, string> => (h === 'admin' ? t.admin : h === 'none' ? {} : as(h));
  const ruleQuery = analyticsQuery({ hostile: 8, kinds: ['timeseries', 'top_n', 'geo', 'funnel', 'active_users', 'heatmap'] }).map((q) => {
    const { from: _f, to: _t, tenant_id: _x, ...rest } = q;
    return rest;
  });
  const field = <T>(valid: fc.Arbitrary<T>) => fc.oneof({ weight: 15, arbitrary: valid }, { weight: 1, arbitrary: fc.oneof(text, fc.integer(), fc.constant(null), fc.anything({ maxDepth: 1 })) });
  const rule = fc.record(
    {
      id: field(fc.constantFrom('p-1', 'p-2', 'msg-failures', 'std-error-rate')),
      name: field(fc.constantFrom('PropRule', 'X_1')),
      tenant_id: field(fc.constantFrom('acme', 'globex', null, 'nobody')),
      window: field(fc.constantFrom('5m', '15m', '1h')),
      queries: field(fc.oneof({ weight: 6, arbitrary: fc.record({ A: ruleQuery }) }, { weight: 2, arbitrary: fc.record({ A: ruleQuery, B: ruleQuery }) }, { weight: 1, arbitrary: fc.dictionary(text, ruleQuery, { maxKeys: 3 }) })),
      condition: field(
        fc.record(
          {
            expression: fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom('A', 'A / B', '(A - B) * 100', 'A +', 'C') }, { weight: 1, arbitrary: text }),
            reducer: field(fc.constantFrom('last', 'avg', 'min', 'max', 'sum', 'count')),
            field: fc.oneof({ weight: 6, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: field(fc.constantFrom(null, 'events', 'unique users', 'count')) }),
            op: field(fc.constantFrom('>', '>=', '<', '<=', '==', '!=')),
            threshold: field(fc.oneof(fc.double({ noNaN: false }), fc.integer())),
          },
          { requiredKeys: ['reducer', 'op', 'threshold'] }
        )
      ),
      for: field(fc.constantFrom('0s', '5m', '1h')),
      keep_firing_for: field(fc.constantFrom('0s', '10m')),
      interval: field(fc.constantFrom('1m', '5m')),
      severity: field(fc.constantFrom('critical', 'warning', 'info')),
      labels: fc.oneof({ weight: 5, arbitrary: fc.dictionary(fc.constantFrom('team', 'service'), fc.constantFrom('chat', 'x')) }, { weight: 1, arbitrary: fc.dictionary(fc.oneof(fc.constantFrom('tenant_id', 'alertname'), text), text, { maxKeys: 3 }) }),
      annotations: field(fc.record({ summary: field(fc.constantFrom('x {{ $value }}', '{{ $labels.tenant_id }}')), runbook_url: field(fc.constantFrom('https://r.example.com/a', null)) }, { requiredKeys: ['summary'] })),
      enabled: field(fc.boolean()),
    },
    { requiredKeys: ['name', 'window', 'queries', 'condition', 'severity', 'annotations'] }
  );
  const never5xx = (res: LightMyRequestResponse, what: string) => {
    assert.ok(res.statusCode < 500, `${what}: ${res.statusCode} ${res.body.slice(0, 400)}`);
    if (res.statusCode >= 400) {
      assert.ok((res.json() as { error?: { message?: string } }).error?.message, `${what}: an error message`);
    }
  };

  it('hostile rules (create, replace, patch, preview) answer 2xx or a 4xx with a reason, never a 5xx; a tenant key never stores or sees another tenant\'s rule', async () => {
    const seen = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(header, rule, fc.constantFrom('POST', 'PUT', 'PATCH', 'PREVIEW'), async (h, body, how) => {
        const res =
          how === 'POST'
            ? await api('POST', '/v1/alerts/event-rules', headersOf(h), body)
            : how === 'PREVIEW'
              ? await api('POST', '/v1/alerts/event-rules/preview', headersOf(h), { ...body, id: undefined })
              : await api(how, `/v1/alerts/event-rules/${encodeSegment(String(body.id ?? 'p-1'))}`, headersOf(h), how === 'PUT' ? { ...body, id: undefined } : body);
        seen.set(res.statusCode, (seen.get(res.statusCode) ?? 0) + 1);
        never5xx(res, `${how} as ${h}`);
        if (res.statusCode < 300 && how !== 'PREVIEW' && (h === 'acmeAdmin' || h === 'globexViewer')) {
          assert.equal((res.json() as Rule).tenant_id, h === 'acmeAdmin' ? 'acme' : 'globex');
        }
      }),
      { seed: 0xe7e7, numRuns: 150 }
    );
    assert.ok((seen.get(201) ?? 0) + (seen.get(200) ?? 0) >= 5, `some were accepted: ${JSON.stringify([...seen])}`);
    assert.ok((seen.get(400) ?? 0) >= 30, `many were refused: ${JSON.stringify([...seen])}`);
    const acme = ok<{ rules: Rule[] }>(await api('GET', '/v1/alerts/event-rules', as('acmeViewer')));
    assert.ok(acme.rules.every((r) => r.tenant_id === null || r.tenant_id === 'acme'), 'acme lists nothing of globex');
  });

  it('whatever was stored, the ruler evaluates without failing the run, and the list and /monitoring/rules answer', async () => {
    const r = await t.svc.ruler.run(Date.now(), { all: true });
    assert.equal(typeof r.rules_evaluated, 'number');
    ok(await api('GET', '/v1/alerts/event-rules', t.admin));
    ok(await api('GET', '/monitoring/rules', as('acmeViewer')));
    ok(await api('GET', '/monitoring/status', as('globexViewer')));
  });

  it('hostile ids, query strings and test fires answer 2xx or a 4xx, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(header, text, fc.constantFrom('GET', 'DELETE', 'TEST', 'LIST', 'STATUS'), text, async (h, id, how, q) => {
        const res =
          how === 'GET' || how === 'DELETE'
            ? await api(how, `/v1/alerts/event-rules/${encodeSegment(id) || 'x'}`, headersOf(h))
            : how === 'TEST'
              ? await api('POST', `/monitoring/test/${encodeSegment(id) || 'x'}?${queryString({ kind: q })}`, headersOf(h))
              : how === 'LIST'
                ? await api('GET', `/v1/alerts/event-rules?${queryString({ tenant_id: q })}`, headersOf(h))
                : await api('GET', `/monitoring/status?${queryString({ tenant_id: q })}`, headersOf(h));
        never5xx(res, `${how} ${JSON.stringify(id)} ${JSON.stringify(q)} as ${h}`);
      }),
      { seed: 0x1d5, numRuns: 120 }
    );
  });
});
