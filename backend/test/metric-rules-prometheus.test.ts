import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { checkSpec, type MetricRuleSpec } from '../src/alerts/metric-rules/model.js';
import { STANDARD_PACK } from '../src/alerts/metric-rules/pack.js';
import { PrometheusRuleSync, RULE_FILE_NAME } from '../src/alerts/metric-rules/prometheus.js';
import { renderRuleFile } from '../src/alerts/metric-rules/render.js';
import { freePort, waitUntil } from './child-process.js';
import { startApp, tempDir, type TestApp } from './helpers.js';
import { CONTROL, UNICODE, wellFormed } from './hostile/arbitraries.js';
import { startPrometheus, type PromGroup, type PromRule, type TestPrometheus } from './prometheus-support.js';

/**
 * Metric rules handed to a real Prometheus (Debian's 2.42; issue "Alert management", item 1): with
 * PROMETHEUS_URL and PROMETHEUS_RULES_DIR set, the backend writes its rule file into the directory
 * Prometheus' rule_files reads and POSTs /-/reload; Prometheus' own GET /api/v1/rules then shows every
 * change made through the API, and its GET /api/v1/alerts the rules firing. Also: what the backend
 * says when Prometheus runs without --web.enable-lifecycle or does not answer, and that any text the
 * API accepts reaches Prometheus unchanged (the YAML quoting, read back by Prometheus' Go parser).
 *
 * Prometheus runs on a free loopback port with its own config and storage under a temp dir.
 *
 *   cd backend && node --import tsx --test test/metric-rules-prometheus.test.ts
 */
let prom: TestPrometheus;
let t: TestApp;

const rulesOf = async (p: TestPrometheus): Promise<PromRule[]> => (await p.api<{ groups: PromGroup[] }>('rules')).groups.flatMap((g) => g.rules);
const groupsOf = async (p: TestPrometheus): Promise<PromGroup[]> => (await p.api<{ groups: PromGroup[] }>('rules')).groups;
const byRuleId = (rules: PromRule[], id: string) => rules.filter((r) => r.labels.caas_rule_id === id);

before(async () => {
  prom = await startPrometheus();
  t = await startApp({ PROMETHEUS_URL: prom.url, PROMETHEUS_RULES_DIR: prom.rulesDir });
});
after(async () => {
  await t?.close();
  await prom?.stop();
});

describe('metric rules on a real Prometheus', () => {
  it('at start the backend writes the standard pack into PROMETHEUS_RULES_DIR and Prometheus loads it', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/alerts/metric-rules', headers: t.admin });
    const { prometheus } = res.json() as { prometheus: { state: string; file: string } };
    assert.equal(prometheus.state, 'reloaded');
    assert.equal(prometheus.file, join(prom.rulesDir, RULE_FILE_NAME));
    const served = (await t.app.inject({ method: 'GET', url: '/v1/alerts/rules.yml', headers: t.admin })).body;
    assert.equal(readFileSync(join(prom.rulesDir, RULE_FILE_NAME), 'utf8'), served, 'the file on disk is the one the API serves');
    const groups = await groupsOf(prom);
    assert.deepEqual(groups.map((g) => g.name).sort(), [...new Set(STANDARD_PACK.map((r) => r.group))].sort());
    const rules = groups.flatMap((g) => g.rules);
    assert.deepEqual(rules.map((r) => r.labels.caas_rule_id).sort(), STANDARD_PACK.map((r) => r.id).sort());
    for (const p of STANDARD_PACK) {
      const [r] = byRuleId(rules, p.id);
      assert.ok(r);
      assert.equal(r.name, p.name);
      assert.equal(r.type, 'alerting');
      assert.equal(r.labels.severity, p.severity);
      assert.deepEqual(r.annotations, { summary: p.annotations.summary, description: p.annotations.description });
    }
  });

  it('a rule created, changed, disabled and deleted through the API shows in Prometheus at each step', async () => {
    const create = await t.app.inject({
      method: 'POST',
      url: '/v1/alerts/metric-rules',
      headers: t.admin,
      payload: { id: 'always', name: 'AlwaysFiring', group: 'caas-test', expr: 'vector(1) > 0', for: '0s', severity: 'info', labels: { team: 'observatory' }, annotations: { summary: 'fires at once: {{ $value }}' } },
    });
    assert.equal(create.statusCode, 201, create.body);
    assert.equal((create.json() as { prometheus: { state: string } }).prometheus.state, 'reloaded');
    let [r] = byRuleId(await rulesOf(prom), 'always');
    assert.ok(r, 'Prometheus has the new rule');
    assert.deepEqual({ name: r.name, query: r.query, labels: r.labels }, { name: 'AlwaysFiring', query: 'vector(1) > 0', labels: { team: 'observatory', severity: 'info', caas_rule_id: 'always' } });

    // Prometheus evaluates it: the alert fires with the rule's labels and its expanded summary
    let firing: Array<{ labels: Record<string, string>; annotations: Record<string, string>; state: string }> = [];
    await waitUntil('AlwaysFiring firing in Prometheus', 30_000, async () => {
      firing = (await prom.api<{ alerts: typeof firing }>('alerts')).alerts.filter((a) => a.labels.caas_rule_id === 'always' && a.state === 'firing');
      return firing.length === 1;
    });
    assert.deepEqual(firing[0]?.labels, { alertname: 'AlwaysFiring', team: 'observatory', severity: 'info', caas_rule_id: 'always' });
    assert.equal(firing[0]?.annotations.summary, 'fires at once: 1');

    const patch = await t.app.inject({ method: 'PATCH', url: '/v1/alerts/metric-rules/always', headers: t.admin, payload: { expr: 'vector(2) > 1', for: '10m', severity: 'warning' } });
    assert.equal(patch.statusCode, 200, patch.body);
    [r] = byRuleId(await rulesOf(prom), 'always');
    assert.deepEqual({ query: r?.query, duration: r?.duration, severity: r?.labels.severity }, { query: 'vector(2) > 1', duration: 600, severity: 'warning' });

    const disable = await t.app.inject({ method: 'PATCH', url: '/v1/alerts/metric-rules/always', headers: t.admin, payload: { enabled: false } });
    assert.equal(disable.statusCode, 200, disable.body);
    assert.equal(byRuleId(await rulesOf(prom), 'always').length, 0, 'a disabled rule leaves Prometheus');
    await t.app.inject({ method: 'PATCH', url: '/v1/alerts/metric-rules/always', headers: t.admin, payload: { enabled: true } });
    assert.equal(byRuleId(await rulesOf(prom), 'always').length, 1);

    const del = await t.app.inject({ method: 'DELETE', url: '/v1/alerts/metric-rules/always', headers: t.admin });
    assert.equal(del.statusCode, 200, del.body);
    assert.equal((del.json() as { prometheus: { state: string } }).prometheus.state, 'reloaded');
    const left = await rulesOf(prom);
    assert.equal(byRuleId(left, 'always').length, 0, 'a deleted rule leaves Prometheus');
    assert.equal(left.length, STANDARD_PACK.length, 'the pack stays');
    assert.ok(left.every((x) => x.health !== 'err'), JSON.stringify(left.filter((x) => x.health === 'err')));
  });

  it("GET /monitoring/rules shows a metric rule's state as Prometheus has it, counting a tenant's own alerts; GET /monitoring/status finds Prometheus", async () => {
    await t.app.inject({ method: 'POST', url: '/v1/tenants', headers: t.admin, payload: { id: 'initech', name: 'Initech' } });
    const key = (await t.app.inject({ method: 'POST', url: '/v1/keys', headers: t.admin, payload: { tenant_id: 'initech', role: 'tenant-viewer' } })).json() as { key: string };
    for (const [id, tenant_id] of [['state-platform', null], ['state-initech', 'initech']] as const) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/alerts/metric-rules',
        headers: t.admin,
        payload: { id, name: 'StateProbe', tenant_id, group: 'caas-test', expr: 'vector(1) > 0', severity: 'info', annotations: { summary: 'always' } },
      });
      assert.equal(res.statusCode, 201, res.body);
    }
    type M = { rules: Array<{ id: string; state: string | null; last_evaluation: string | null; error: string | null }> };
    const rules = async (headers: Record<string, string>) => ((await t.app.inject({ method: 'GET', url: '/monitoring/rules', headers })).json() as M).rules;
    await waitUntil('both probes firing in /monitoring/rules', 30_000, async () => {
      const r = await rules(t.admin);
      return r.filter((x) => x.id.startsWith('state-') && x.state === 'firing').length === 2;
    });
    const admin = await rules(t.admin);
    assert.ok(admin.find((x) => x.id === 'state-platform')?.last_evaluation, 'Prometheus evaluated it');
    assert.equal(admin.find((x) => x.id === 'std-service-down')?.state, 'inactive', 'a standard rule with nothing to fire on');
    const tenant = await rules({ authorization: `Bearer ${key.key}` });
    assert.equal(tenant.find((x) => x.id === 'state-initech')?.state, 'firing', "the tenant's own rule");
    assert.equal(tenant.find((x) => x.id === 'state-platform')?.state, 'inactive', "the platform rule's alert is not the tenant's (no tenant_id label)");
    const status = (await t.app.inject({ method: 'GET', url: '/monitoring/status', headers: t.admin })).json() as { prometheus: { reachable: boolean; version: string } };
    assert.equal(status.prometheus.reachable, true);
    assert.match(status.prometheus.version, /^2\./);
    for (const id of ['state-platform', 'state-initech']) {
      await t.app.inject({ method: 'DELETE', url: `/v1/alerts/metric-rules/${id}`, headers: t.admin });
    }
  });

  it('a tenant rule reaches Prometheus with its tenant_id label', async () => {
    await t.app.inject({ method: 'POST', url: '/v1/tenants', headers: t.admin, payload: { id: 'acme', name: 'Acme' } });
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/alerts/metric-rules',
      headers: t.admin,
      payload: { id: 'acme-sends', name: 'MessageFailures', tenant_id: 'acme', expr: 'sum(rate(caas_messages_total{tenant_id="acme",status="failed"}[5m])) > 1', for: '5m', severity: 'critical', annotations: { summary: 'acme sends fail' } },
    });
    assert.equal(res.statusCode, 201, res.body);
    const [r] = byRuleId(await rulesOf(prom), 'acme-sends');
    assert.deepEqual(r?.labels, { severity: 'critical', tenant_id: 'acme', caas_rule_id: 'acme-sends' });
  });

  it('property: any text the API accepts in labels and annotations reaches Prometheus unchanged', { timeout: 180_000 }, async () => {
    // the backend's own hand-over, into the directory Prometheus reads (the API's file is put back at the end)
    const real = new PrometheusRuleSync({ url: prom.url, rulesDir: prom.rulesDir });
    let reached = 0;
    const text = fc
      .oneof(
        wellFormed(120),
        // the same without the control characters the API refuses, so most cases reach Prometheus
        wellFormed(120).map((x) => x.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]/gu, '')),
        wellFormed(120).map((x) => x.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]/gu, '')),
        fc.constantFrom(...CONTROL, ...UNICODE, 'a "quoted" \\ text', 'key: value', '- item', '# not a comment', '&anchor *alias !tag', '|\n  block', "'single'", 'null', '~', '0x1F', '1e3', 'yes', '  lead and trail  ', '\\n literally'))
      .filter((s) => !s.includes('{{'));
    await fc.assert(
      fc.asyncProperty(fc.array(text, { minLength: 1, maxLength: 8 }), text, text, async (values, summary, description) => {
        const spec: MetricRuleSpec = {
          name: 'RoundTrip',
          tenant_id: null,
          group: 'round-trip',
          expr: 'vector(1) > 0',
          for: '0s',
          severity: 'info',
          labels: Object.fromEntries(values.map((v, i) => [`l${i}`, v])),
          annotations: { summary: summary.trim() ? summary : `x${summary}`, description, runbook_url: null },
          enabled: true,
        };
        try {
          checkSpec(spec);
        } catch {
          return; // the API refuses it (a control character, a lone surrogate): it never reaches a file
        }
        reached++;
        const status = await real.push(renderRuleFile([{ ...spec, id: 'round-trip' }]));
        assert.equal(status.state, 'reloaded', status.message ?? '');
        const [r] = byRuleId(await rulesOf(prom), 'round-trip');
        assert.ok(r, 'the rule is in Prometheus');
        // the rules API shows a rule's labels as written, empty values too (an alert would drop those)
        assert.deepEqual(r.labels, { ...spec.labels, severity: 'info', caas_rule_id: 'round-trip' });
        assert.deepEqual(r.annotations, { summary: spec.annotations.summary, ...(description ? { description } : {}) });
      }),
      { seed: 0x9b0d, numRuns: 80 }
    );
    assert.ok(reached >= 20, `only ${reached} generated rules passed the API's checks`);
    // the API's own file again (the property replaced it)
    await t.svc.metricRules.sync();
  });
});

describe('when Prometheus cannot take the file', () => {
  it('Prometheus without --web.enable-lifecycle: the file is written and the answer says how to let the backend reload it', async () => {
    const noLifecycle = await startPrometheus({ lifecycle: false });
    try {
      const status = await new PrometheusRuleSync({ url: noLifecycle.url, rulesDir: noLifecycle.rulesDir }).push(renderRuleFile(STANDARD_PACK));
      assert.equal(status.state, 'failed');
      assert.match(status.message ?? '', /answered 403.*start Prometheus with --web\.enable-lifecycle/s);
      assert.equal(readFileSync(join(noLifecycle.rulesDir, RULE_FILE_NAME), 'utf8'), renderRuleFile(STANDARD_PACK));
      assert.equal((await rulesOf(noLifecycle)).length, 0, 'not reloaded: Prometheus still has no rules');
    } finally {
      await noLifecycle.stop();
    }
  });

  it('Prometheus not answering: the file is written, the reason is given, nothing throws', async () => {
    const dir = tempDir('caas-rules-');
    const port = await freePort();
    const status = await new PrometheusRuleSync({ url: `http://127.0.0.1:${port}`, rulesDir: dir, timeoutMs: 2000 }).push('groups: []\n');
    assert.equal(status.state, 'failed');
    assert.match(status.message ?? '', /POST http:\/\/127\.0\.0\.1:\d+\/-\/reload failed .*the file is written; Prometheus loads it at its next start or reload/);
    assert.equal(readFileSync(join(dir, RULE_FILE_NAME), 'utf8'), 'groups: []\n');
  });

  it('PROMETHEUS_URL without PROMETHEUS_RULES_DIR: nothing is written and the state says what to set', async () => {
    const status = await new PrometheusRuleSync({ url: prom.url }).push('groups: []\n');
    assert.equal(status.state, 'disabled');
    assert.match(status.message ?? '', /PROMETHEUS_RULES_DIR is not set/);
    const written = await new PrometheusRuleSync({ rulesDir: tempDir('caas-rules-') }).push('groups: []\n');
    assert.equal(written.state, 'written');
  });
});
