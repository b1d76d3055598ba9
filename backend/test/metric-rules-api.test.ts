import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import fc from 'fast-check';
import { STANDARD_PACK } from '../src/alerts/metric-rules/pack.js';
import { renderRuleFile } from '../src/alerts/metric-rules/render.js';
import { MetricRuleRepo } from '../src/alerts/metric-rules/store.js';
import { Promtool } from '../src/alerts/promtool.js';
import { openMetadataDb } from '../src/store/metadata-db.js';
import { migratePostgres } from '../src/store/pg-migrations.js';
import { createKey, createTenant, startApp, type TestApp } from './helpers.js';
import { CONTROL, encodeSegment, endpointText, SQLISH, UNICODE, wellFormed } from './hostile/arbitraries.js';
import { serverDatabase } from './pg-server.js';

/**
 * The metric rule API on a real backend (embedded ClickHouse and PGlite, the real promtool; issue "Alert
 * management", items 1, 7 and 8): the standard pack seeded once, CRUD under /v1/alerts/metric-rules with
 * every expression checked by Prometheus' parser, GET /v1/alerts/rules.yml, the tenant-scoped
 * GET /monitoring/rules, who may do what, and property tests: random and hostile rules never get a 5xx,
 * and whatever the API accepted, the rule file it serves still passes `promtool check rules`.
 *
 *   cd backend && node --import tsx --test test/metric-rules-api.test.ts
 */
let t: TestApp;
const keys: Record<string, string> = {};
const as = (name: string) => ({ authorization: `Bearer ${keys[name]}` });
const promtool = new Promtool({ path: process.env.PROMTOOL_PATH ?? 'promtool' });

interface Rule {
  id: string;
  name: string;
  tenant_id: string | null;
  group: string;
  expr: string;
  for: string;
  severity: 'critical' | 'warning' | 'info';
  labels: Record<string, string>;
  annotations: { summary: string; description: string; runbook_url: string | null };
  enabled: boolean;
  origin: string;
  created_at: string;
  updated_at: string;
}
interface Sync {
  state: string;
  file: string | null;
  message: string | null;
}

function errorOf(res: LightMyRequestResponse): { code: string; message: string } {
  const body = res.json() as { error?: { code: string; message: string } };
  assert.ok(body.error?.code && body.error.message, `an error body: ${res.body}`);
  return body.error;
}

function status(res: LightMyRequestResponse, code: number, message?: RegExp, errCode?: string): void {
  assert.equal(res.statusCode, code, `expected ${code}, got ${res.statusCode}: ${res.body}`);
  if (message) {
    assert.match(errorOf(res).message, message);
  }
  if (errCode) {
    assert.equal(errorOf(res).code, errCode);
  }
}

const api = (method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, headers: Record<string, string>, payload?: unknown) =>
  t.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });
const list = async (headers = t.admin) => (await api('GET', '/v1/alerts/metric-rules', headers)).json() as { rules: Rule[]; prometheus: Sync | null };
const ruleFile = async () => (await api('GET', '/v1/alerts/rules.yml', t.admin)).body;

const valid = (over: Record<string, unknown> = {}) => ({
  name: 'MessageFailures',
  expr: 'sum by (tenant_id) (rate(caas_messages_total{status="failed"}[5m])) / sum by (tenant_id) (rate(caas_messages_total[5m])) > 0.02',
  for: '5m',
  severity: 'critical',
  group: 'caas-messages',
  labels: { team: 'messaging' },
  annotations: { summary: 'Message sends fail for {{ $labels.tenant_id }}', description: '{{ $value | humanizePercentage }} of sends failed', runbook_url: 'https://runbooks.example.com/message-failures' },
  ...over,
});

before(async () => {
  t = await startApp();
  await createTenant(t, 'acme');
  await createTenant(t, 'globex');
  keys.viewer = await createKey(t, undefined, 'viewer');
  keys.acmeAdmin = await createKey(t, 'acme', 'tenant-admin');
  keys.acmeViewer = await createKey(t, 'acme', 'tenant-viewer');
  keys.globexViewer = await createKey(t, 'globex', 'tenant-viewer');
  keys.ingest = await createKey(t, 'acme', 'ingest');
});
after(async () => t?.close());

describe('metric rules: the standard pack', () => {
  it('is stored at the first start: every rule of the pack, origin standard, enabled', async () => {
    const { rules, prometheus } = await list();
    const standard = rules.filter((r) => r.origin === 'standard');
    assert.deepEqual(standard.map((r) => r.id).sort(), STANDARD_PACK.map((r) => r.id).sort());
    for (const p of STANDARD_PACK) {
      const r = standard.find((x) => x.id === p.id);
      assert.ok(r);
      assert.deepEqual(
        { name: r.name, expr: r.expr, for: r.for, severity: r.severity, group: r.group, tenant_id: r.tenant_id, enabled: r.enabled, annotations: r.annotations },
        { name: p.name, expr: p.expr, for: p.for, severity: p.severity, group: p.group, tenant_id: null, enabled: true, annotations: p.annotations }
      );
      assert.match(r.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    }
    // no PROMETHEUS_RULES_DIR: nothing was handed over
    assert.equal(prometheus, null);
  });

  it('GET /v1/alerts/rules.yml serves the rendered rule file of the enabled rules, which promtool check rules accepts', async () => {
    const res = await api('GET', '/v1/alerts/rules.yml', t.admin);
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^application\/yaml/);
    const { rules } = await list();
    assert.equal(res.body, renderRuleFile(rules.filter((r) => r.enabled)));
    const check = await promtool.checkRules(res.body);
    assert.deepEqual(check.problems, []);
    for (const p of STANDARD_PACK) {
      assert.ok(res.body.includes(`alert: "${p.name}"`), `${p.name} in the file`);
    }
  });

  it('is seeded once: a standard rule deleted or changed stays so when the service starts again', async () => {
    status(await api('DELETE', '/v1/alerts/metric-rules/std-memory', t.admin), 200);
    status(await api('PATCH', '/v1/alerts/metric-rules/std-cpu', t.admin, { expr: '100 - (avg by (instance) (irate(node_cpu_seconds_total{mode="idle"}[5m])) * 100) > 90' }), 200);
    // what every start does (the store is the same database a restart would open)
    await t.svc.metricRules.start();
    assert.equal(await t.svc.metricRules.repo.seedPack('standard', STANDARD_PACK), 0);
    const { rules } = await list();
    assert.equal(rules.filter((r) => r.id === 'std-memory').length, 0, 'the deleted rule did not come back');
    assert.match(rules.find((r) => r.id === 'std-cpu')?.expr ?? '', /> 90$/);
    assert.equal(rules.filter((r) => r.origin === 'standard').length, STANDARD_PACK.length - 1);
    assert.ok(!(await ruleFile()).includes('HighMemoryUsage'));
  });
});

describe('metric rules: CRUD', () => {
  it('creates a rule (201), reads it back, lists it, and puts it into the rule file with its labels', async () => {
    const res = await api('POST', '/v1/alerts/metric-rules', t.admin, valid({ id: 'msg-failures' }));
    status(res, 201);
    const { rule, prometheus } = res.json() as { rule: Rule; prometheus: Sync };
    assert.equal(rule.id, 'msg-failures');
    assert.equal(rule.origin, 'custom');
    assert.equal(rule.enabled, true);
    assert.deepEqual(rule.labels, { team: 'messaging' });
    assert.equal(prometheus.state, 'disabled');
    assert.deepEqual((await api('GET', '/v1/alerts/metric-rules/msg-failures', t.admin)).json(), rule);
    assert.ok((await list()).rules.some((r) => r.id === 'msg-failures'));
    const file = await ruleFile();
    assert.match(file, /- name: "caas-messages"\n {4}rules:\n {6}- alert: "MessageFailures"/);
    assert.match(file, /labels:\n {10}team: "messaging"\n {10}severity: "critical"\n {10}caas_rule_id: "msg-failures"/);
    assert.match(file, /runbook_url: "https:\/\/runbooks\.example\.com\/message-failures"/);
  });

  it('generates an id when none is given; defaults: group caas-custom, for 0s, no labels, enabled', async () => {
    const res = await api('POST', '/v1/alerts/metric-rules', t.admin, { name: 'AnyDown', expr: 'up == 0', severity: 'info', annotations: { summary: 'down' } });
    status(res, 201);
    const { rule } = res.json() as { rule: Rule };
    assert.match(rule.id, /^mr-[0-9a-f]{12}$/);
    assert.deepEqual(
      { group: rule.group, for: rule.for, labels: rule.labels, enabled: rule.enabled, tenant_id: rule.tenant_id, annotations: rule.annotations },
      { group: 'caas-custom', for: '0s', labels: {}, enabled: true, tenant_id: null, annotations: { summary: 'down', description: '', runbook_url: null } }
    );
    status(await api('DELETE', `/v1/alerts/metric-rules/${rule.id}`, t.admin), 200);
    status(await api('GET', `/v1/alerts/metric-rules/${rule.id}`, t.admin), 404, /list them with GET \/v1\/alerts\/metric-rules/);
  });

  it('PATCH changes the given fields; disabling takes the rule out of the file, enabling puts it back', async () => {
    const before = (await api('GET', '/v1/alerts/metric-rules/msg-failures', t.admin)).json() as Rule;
    const res = await api('PATCH', '/v1/alerts/metric-rules/msg-failures', t.admin, { enabled: false, annotations: { description: 'now {{ $value }}' } });
    status(res, 200);
    const { rule } = res.json() as { rule: Rule };
    assert.equal(rule.enabled, false);
    assert.deepEqual(rule.annotations, { ...before.annotations, description: 'now {{ $value }}' });
    assert.equal(rule.expr, before.expr);
    assert.equal(rule.created_at, before.created_at);
    assert.ok(rule.updated_at >= before.updated_at);
    assert.ok(!(await ruleFile()).includes('MessageFailures'));
    status(await api('PATCH', '/v1/alerts/metric-rules/msg-failures', t.admin, { enabled: true }), 200);
    assert.ok((await ruleFile()).includes('MessageFailures'));
    // runbook_url: null removes it
    const cleared = await api('PATCH', '/v1/alerts/metric-rules/msg-failures', t.admin, { annotations: { runbook_url: null } });
    assert.equal((cleared.json() as { rule: Rule }).rule.annotations.runbook_url, null);
  });

  it('PUT replaces the whole rule: fields left out take their defaults', async () => {
    const res = await api('PUT', '/v1/alerts/metric-rules/msg-failures', t.admin, { name: 'MessageFailures', expr: 'vector(1)', severity: 'warning', annotations: { summary: 'x' } });
    status(res, 200);
    const { rule } = res.json() as { rule: Rule };
    assert.deepEqual({ expr: rule.expr, severity: rule.severity, group: rule.group, labels: rule.labels, for: rule.for }, { expr: 'vector(1)', severity: 'warning', group: 'caas-custom', labels: {}, for: '0s' });
    status(await api('PUT', '/v1/alerts/metric-rules/nope', t.admin, valid()), 404);
  });

  it('a tenant rule names an existing tenant and carries it as the tenant_id label of its alerts', async () => {
    status(await api('POST', '/v1/alerts/metric-rules', t.admin, valid({ id: 'acme-failures', tenant_id: 'acme', expr: 'sum(rate(caas_messages_total{tenant_id="acme",status="failed"}[5m])) > 1' })), 201);
    assert.match(await ruleFile(), /severity: "critical"\n {10}tenant_id: "acme"\n {10}caas_rule_id: "acme-failures"/);
    status(await api('POST', '/v1/alerts/metric-rules', t.admin, valid({ tenant_id: 'nope' })), 400, /tenant 'nope' does not exist: create it with POST \/v1\/tenants/, 'unknown_tenant');
    status(await api('PATCH', '/v1/alerts/metric-rules/acme-failures', t.admin, { tenant_id: 'nope' }), 400, /tenant 'nope' does not exist/);
  });

  it('refuses what Prometheus would refuse, naming the reason (400), and stores nothing', async () => {
    const count = (await list()).rules.length;
    const cases: Array<[Record<string, unknown>, RegExp, string]> = [
      [valid({ expr: 'sum(rate(http_requests_total[5m]) > ' }), /expr: 1:\d+: parse error: unclosed left parenthesis/, 'invalid_promql'],
      [valid({ expr: 'rate(up)' }), /expr: 1:\d+: parse error: expected type range vector in call to function "rate", got instant vector/, 'invalid_promql'],
      [valid({ expr: 'up{job="api"' }), /expr: .*parse error/, 'invalid_promql'],
      [valid({ expr: 'no_such_function(up)' }), /expr: .*unknown function with name "no_such_function"/, 'invalid_promql'],
      [valid({ expr: "'; DROP TABLE metric_rules; --" }), /expr: .*parse error/, 'invalid_promql'],
      [valid({ annotations: { summary: 'value {{ $value ' } }), /annotations\.summary: template: .*unclosed action/, 'invalid_metric_rule'],
      [valid({ annotations: { summary: 'ok', description: '{{ nosuchfunc $value }}' } }), /annotations\.description: template: .*function "nosuchfunc" not defined/, 'invalid_metric_rule'],
      [valid({ labels: { team: '{{ $labels.x ' } }), /labels\.team: template: .*unclosed action/, 'invalid_metric_rule'],
      [valid({ for: '5 minutes' }), /for '5 minutes' is not a duration: use Prometheus units largest first, e\.g\. 30s, 5m, 1h30m or 0s/, 'invalid_metric_rule'],
      [valid({ for: '5m1h' }), /is not a duration/, 'invalid_metric_rule'],
      [valid({ for: '31d' }), /longer than 30d/, 'invalid_metric_rule'],
      [valid({ for: '99999999999999999999s' }), /is not a duration/, 'invalid_metric_rule'],
      [valid({ name: 'High Error Rate' }), /name 'High Error Rate' is not an alert name: use letters, digits and _/, 'invalid_metric_rule'],
      [valid({ group: 'a/b' }), /group 'a\/b' is not a group name/, 'invalid_metric_rule'],
      [valid({ labels: { severity: 'page' } }), /label 'severity' is set by the rule itself: use the rule's severity field instead/, 'invalid_metric_rule'],
      [valid({ labels: { alertname: 'x' } }), /use the rule's name field instead/, 'invalid_metric_rule'],
      [valid({ labels: { caas_rule_id: 'x' } }), /use the rule's id field instead/, 'invalid_metric_rule'],
      [valid({ labels: { __name__: 'x' } }), /label name '__name__' is not valid/, 'invalid_metric_rule'],
      [valid({ labels: { 'team-name': 'x' } }), /label name 'team-name' is not valid/, 'invalid_metric_rule'],
      [valid({ labels: { team: 'a\u0000b' } }), /label 'team' holds a control character/, 'invalid_metric_rule'],
      [valid({ annotations: { summary: 'a\ud800b' } }), /annotations\.summary holds a lone UTF-16 surrogate/, 'invalid_metric_rule'],
      [valid({ annotations: { summary: '   ' } }), /annotations\.summary is empty/, 'invalid_metric_rule'],
      [valid({ annotations: { summary: 'x', runbook_url: 'javascript:alert(1)' } }), /runbook_url 'javascript:alert\(1\)' is not an http\(s\) URL/, 'invalid_metric_rule'],
      [valid({ severity: 'page' }), /'severity' must be one of critical, warning, info/, 'invalid_request'],
      [valid({ expresion: 'up == 0' }), /unknown field 'expresion': a metric rule takes id, name, tenant_id, group, expr, for, severity, labels, annotations, enabled/, 'unknown_field'],
      [valid({ annotations: { summary: 'x', runbook: 'https://x' } }), /unknown field 'annotations\.runbook': annotations are summary, description, runbook_url/, 'unknown_field'],
      [valid({ id: 'Bad Id' }), /'id' has an invalid format/, 'invalid_request'],
      [{ name: 'X', severity: 'info', annotations: { summary: 'x' } }, /missing required field 'expr'/, 'invalid_request'],
    ];
    for (const [body, re, code] of cases) {
      status(await api('POST', '/v1/alerts/metric-rules', t.admin, body), 400, re, code);
    }
    status(await api('PATCH', '/v1/alerts/metric-rules/msg-failures', t.admin, { expr: 'sum(' }), 400, /expr: .*parse error/, 'invalid_promql');
    status(await api('PATCH', '/v1/alerts/metric-rules/msg-failures', t.admin, {}), 400);
    status(await api('PATCH', '/v1/alerts/metric-rules/msg-failures', t.admin, { for_: '5m' }), 400, /unknown field 'for_'/, 'unknown_field');
    status(await api('POST', '/v1/alerts/metric-rules', t.admin, valid({ id: 'msg-failures' })), 409, /metric rule 'msg-failures' already exists/);
    status(await api('DELETE', '/v1/alerts/metric-rules/nope', t.admin), 404);
    status(await api('GET', '/v1/alerts/metric-rules/NOT%20AN%20ID', t.admin), 404);
    assert.equal((await list()).rules.length, count, 'nothing refused was stored');
    assert.deepEqual((await promtool.checkRules(await ruleFile())).problems, []);
  });
});

describe('metric rules: who may do what', () => {
  it('routes declare their access: admin writes; admin and viewer read the rules and the file; every reader the seed\'s /monitoring/rules', () => {
    const routes = t.app.routeTable.filter((r) => r.url.startsWith('/v1/alerts/metric-rules') || r.url === '/v1/alerts/rules.yml' || r.url === '/monitoring/rules');
    const access = Object.fromEntries(routes.map((r) => [`${r.method} ${r.url}`, r.access.kind === 'api-key' ? `${r.access.writes ? 'writes' : 'reads'}:${r.access.roles.join(',')}` : 'other']));
    assert.deepEqual(access, {
      'GET /v1/alerts/metric-rules': 'reads:admin,viewer,responder',
      'GET /v1/alerts/metric-rules/:id': 'reads:admin,viewer,responder',
      'POST /v1/alerts/metric-rules': 'writes:admin',
      'PUT /v1/alerts/metric-rules/:id': 'writes:admin',
      'PATCH /v1/alerts/metric-rules/:id': 'writes:admin',
      'DELETE /v1/alerts/metric-rules/:id': 'writes:admin',
      'GET /v1/alerts/rules.yml': 'reads:admin,viewer,responder',
      'GET /monitoring/rules': 'reads:admin,viewer,responder,tenant-admin,tenant-viewer',
    });
  });

  it('a viewer key reads rules and the file but changes nothing; tenant keys get 403 on the global API; no key 401', async () => {
    status(await api('GET', '/v1/alerts/metric-rules', as('viewer')), 200);
    status(await api('GET', '/v1/alerts/rules.yml', as('viewer')), 200);
    status(await api('POST', '/v1/alerts/metric-rules', as('viewer'), valid()), 403, /creating metric rules needs a key with role admin; this key has role viewer/);
    status(await api('PATCH', '/v1/alerts/metric-rules/msg-failures', as('viewer'), { enabled: false }), 403);
    status(await api('DELETE', '/v1/alerts/metric-rules/msg-failures', as('acmeAdmin')), 403);
    status(await api('GET', '/v1/alerts/metric-rules', as('acmeAdmin')), 403);
    status(await api('GET', '/v1/alerts/rules.yml', as('acmeViewer')), 403);
    status(await api('GET', '/v1/alerts/metric-rules', {}), 401);
    status(await api('GET', '/monitoring/rules', as('ingest')), 403);
    assert.equal(((await api('GET', '/v1/alerts/metric-rules/msg-failures', t.admin)).json() as Rule).enabled, true, 'the refused PATCH changed nothing');
  });

  it("GET /monitoring/rules: a tenant's keys see its own rules and the platform's, never another tenant's", async () => {
    status(await api('POST', '/v1/alerts/metric-rules', t.admin, valid({ id: 'globex-failures', tenant_id: 'globex', expr: 'sum(rate(caas_messages_total{tenant_id="globex",status="failed"}[5m])) > 1' })), 201);
    type M = { rules: Array<{ id: string; kind: string; tenant_id: string | null; condition: string; severity: string; summary: string }> };
    const acme = (await api('GET', '/monitoring/rules', as('acmeViewer'))).json() as M;
    assert.ok(acme.rules.some((r) => r.id === 'acme-failures'));
    assert.ok(acme.rules.some((r) => r.id === 'std-error-rate' && r.kind === 'metric' && r.tenant_id === null && r.severity === 'critical' && r.condition.includes('http_requests_total')));
    assert.ok(!acme.rules.some((r) => r.tenant_id === 'globex'), 'no globex rule for acme');
    assert.ok(acme.rules.every((r) => r.tenant_id === null || r.tenant_id === 'acme'));
    const globex = (await api('GET', '/monitoring/rules', as('globexViewer'))).json() as M;
    assert.ok(globex.rules.some((r) => r.id === 'globex-failures') && !globex.rules.some((r) => r.id === 'acme-failures'));
    status(await api('GET', '/monitoring/rules?tenant_id=globex', as('acmeViewer')), 403, /belongs to tenant 'acme' and cannot act for tenant 'globex'/);
    const all = (await api('GET', '/monitoring/rules', t.admin)).json() as M;
    assert.ok(all.rules.some((r) => r.id === 'acme-failures') && all.rules.some((r) => r.id === 'globex-failures'));
    const scoped = (await api('GET', '/monitoring/rules?tenant_id=acme', as('viewer'))).json() as M;
    assert.deepEqual(scoped.rules.map((r) => r.id).sort(), acme.rules.map((r) => r.id).sort());
  });
});

describe('metric rules: property tests', () => {
  const text = endpointText(["'; DROP TABLE metric_rules; --", 'std-error-rate', 'HighErrorRate', '{{ $value }}', 'up == 0', 'caas-api']);
  const header = fc.constantFrom('admin', 'viewer', 'acmeAdmin', 'none');
  const headersOf = (h: string): Record<string, string> => (h === 'admin' ? t.admin : h === 'none' ? {} : as(h));
  const EXPRS = [
    'up == 0',
    'vector(1)',
    'sum by (tenant_id) (rate(caas_messages_total{status="failed"}[5m])) > 0.02',
    'histogram_quantile(0.99, sum by (le) (rate(caas_request_duration_seconds_bucket[5m]))) > 0.5',
    'absent(up{job="caas-api"})',
    'up{job=~".+", instance!="x\\"y"} == 0',
    'count(up) by (job) < 2 unless on (job) vector(1)',
    'sum(rate(x[5m]) > ',
    'rate(up)',
    '{__name__=~".*"}',
    'up[5m]',
    'x'.repeat(5000),
    '((((((((((up))))))))))',
    '-- comment',
    'up # a comment\n== 0',
  ];
  const TEMPLATES = ['{{ $value }}', '{{ $labels.job }}', '{{ $value | humanizePercentage }}', '{{', '}}', '{{ .Foo }}', '{{ template "x" }}', '{{ printf "%s" $value }}', '{{- /* c */ -}}'];
  const str = (max: number) => fc.oneof(wellFormed(max), text, fc.constantFrom(...CONTROL, ...SQLISH, ...UNICODE, ...TEMPLATES));
  const labelName = fc.oneof(fc.stringMatching(/^[a-z_][a-z0-9_]{0,20}$/), fc.constantFrom('severity', 'tenant_id', '__name__', 'team-x', '', '0abc', 'é'), text);
  const ruleBody = fc.record(
    {
      id: fc.oneof(fc.stringMatching(/^[a-z0-9][a-z0-9_-]{0,20}$/), text),
      name: fc.oneof(fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,30}$/), text),
      tenant_id: fc.oneof(fc.constantFrom('acme', 'globex', 'nope', null), text),
      group: fc.oneof(fc.stringMatching(/^[a-z][a-z0-9_.:-]{0,30}$/), text),
      expr: fc.oneof(fc.constantFrom(...EXPRS), str(200)),
      for: fc.oneof(fc.constantFrom('0s', '30s', '5m', '1h30m', '2d', '0', '1y', '5 m', '-1m', '1.5h', ''), text),
      severity: fc.oneof(fc.constantFrom('critical', 'warning', 'info'), text),
      labels: fc.oneof(fc.dictionary(labelName, str(100), { maxKeys: 5 }), fc.constant(null), fc.integer()),
      annotations: fc.oneof(
        fc.record({ summary: str(300), description: str(300), runbook_url: fc.oneof(fc.webUrl(), str(60), fc.constant(null)) }, { requiredKeys: ['summary'] }),
        fc.jsonValue({ maxDepth: 1 })
      ),
      enabled: fc.oneof(fc.boolean(), text),
      extra: fc.jsonValue({ maxDepth: 1 }),
    },
    { requiredKeys: [] }
  );
  // nearly valid: these pass the schema and reach promtool with hostile text in every string
  const nearlyValid = fc.record({
    name: fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,30}$/),
    tenant_id: fc.constantFrom('acme', null),
    group: fc.constantFrom('caas-api', 'prop', 'a.b:c-d_e'),
    expr: fc.constantFrom(...EXPRS),
    for: fc.constantFrom('0s', '1m', '5m', '1h30m'),
    severity: fc.constantFrom('critical', 'warning', 'info'),
    labels: fc.dictionary(fc.stringMatching(/^[a-z][a-z0-9_]{0,15}$/).filter((k) => !['severity', 'tenant_id', 'alertname', 'caas_rule_id'].includes(k)), str(80), { maxKeys: 4 }),
    annotations: fc.record({ summary: str(200), description: str(200) }),
  });
  const seen = new Map<number, number>();
  const check = (r: LightMyRequestResponse, what: string) => {
    seen.set(r.statusCode, (seen.get(r.statusCode) ?? 0) + 1);
    assert.ok(r.statusCode < 500, `${what} → ${r.statusCode}: ${r.body.slice(0, 400)}`);
    if (r.statusCode >= 400 && r.statusCode !== 414) {
      assert.ok(errorOf(r).message.trim().length > 0, `${what}: an error with a message`);
    }
  };

  it('random and hostile bodies and ids on every metric rule endpoint never get a 5xx', { timeout: 300_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof({ weight: 2, arbitrary: ruleBody }, { weight: 3, arbitrary: nearlyValid }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) }),
        fc.oneof({ weight: 3, arbitrary: fc.constant('admin') }, { weight: 1, arbitrary: header }),
        async (b, h) => {
          check(await api('POST', '/v1/alerts/metric-rules', headersOf(h), b), `POST ${JSON.stringify(b).slice(0, 300)} as ${h}`);
        }
      ),
      { seed: 0xa1e7, numRuns: 120 }
    );
    await fc.assert(
      fc.asyncProperty(fc.oneof(text, fc.constantFrom('std-error-rate', 'msg-failures')), fc.oneof(ruleBody, nearlyValid), fc.constantFrom('PUT', 'PATCH') as fc.Arbitrary<'PUT' | 'PATCH'>, async (id, b, m) => {
        check(await api(m, `/v1/alerts/metric-rules/${encodeSegment(id)}`, t.admin, b), `${m} ${id} ${JSON.stringify(b).slice(0, 300)}`);
      }),
      { seed: 0xa1e8, numRuns: 80 }
    );
    await fc.assert(
      fc.asyncProperty(text, header, fc.constantFrom('GET', 'DELETE') as fc.Arbitrary<'GET' | 'DELETE'>, async (id, h, m) => {
        check(await api(m, `/v1/alerts/metric-rules/${encodeSegment(id)}`, headersOf(h)), `${m} ${id} as ${h}`);
      }),
      { seed: 0xa1e9, numRuns: 80 }
    );
    await fc.assert(
      fc.asyncProperty(fc.dictionary(fc.constantFrom('tenant_id', 'kind', 'tenant_id[]'), text, { maxKeys: 2 }), fc.constantFrom('admin', 'viewer', 'acmeViewer', 'none'), async (q, h) => {
        const qs = Object.entries(q).map(([k, v]) => `${k}=${encodeSegment(v)}`).join('&');
        check(await api('GET', `/monitoring/rules?${qs}`, headersOf(h)), `GET /monitoring/rules?${qs} as ${h}`);
      }),
      { seed: 0xa1ea, numRuns: 80 }
    );
    assert.ok((seen.get(201) ?? 0) >= 5, `some generated rules were stored: ${JSON.stringify([...seen])}`);
    assert.ok((seen.get(400) ?? 0) >= 20, `many were refused: ${JSON.stringify([...seen])}`);
  });

  it('whatever was accepted, the served rule file still passes promtool check rules, and every stored rule is in it once', async () => {
    const file = await ruleFile();
    assert.deepEqual((await promtool.checkRules(file)).problems, []);
    const { rules } = await list();
    const enabled = rules.filter((r) => r.enabled);
    assert.ok(enabled.length > STANDARD_PACK.length, `${enabled.length} enabled rules`);
    for (const r of enabled) {
      assert.equal(file.split(`caas_rule_id: "${r.id}"\n`).length, 2, `${r.id} once in the file`);
    }
  });
});

describe('metric rules on the PostgreSQL server', () => {
  it('two instances starting together store the standard pack once; labels round-trip as jsonb', async (ctx) => {
    const server = await serverDatabase();
    if (typeof server === 'string') {
      ctx.skip(server);
      return;
    }
    const dbs = await Promise.all([0, 1].map(() => openMetadataDb({ databaseUrl: server.url, dataDir: '/nonexistent' })));
    try {
      await Promise.all(dbs.map((d) => migratePostgres(d)));
      const [a, b] = dbs.map((d) => new MetricRuleRepo(d));
      assert.ok(a && b);
      const stored = await Promise.all([a.seedPack('standard', STANDARD_PACK), b.seedPack('standard', STANDARD_PACK)]);
      assert.deepEqual(stored.sort(), [0, STANDARD_PACK.length], 'one instance stored the pack, the other nothing');
      assert.equal((await b.list()).length, STANDARD_PACK.length);
      assert.equal(await a.seedPack('standard', STANDARD_PACK), 0);
      const { id, ...spec } = STANDARD_PACK[0] ?? assert.fail('a pack rule');
      const changed = await b.update(id, { ...spec, labels: { team: 'sre', 'odd"value': 'x' } as Record<string, string> });
      assert.deepEqual(changed?.labels, { team: 'sre', 'odd"value': 'x' });
      assert.deepEqual((await a.get(id))?.labels, { team: 'sre', 'odd"value': 'x' });
      assert.equal((await a.list({ tenant: 'nobody', platform: true })).length, STANDARD_PACK.length, 'platform rules for any tenant');
      assert.equal((await a.list({ tenant: 'nobody' })).length, 0);
    } finally {
      await Promise.all(dbs.map((d) => d.close()));
      await server.drop();
    }
  });
});
