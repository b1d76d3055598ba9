import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import fc from 'fast-check';
import type { AmAlert, AmGroup, AmSilence } from '../src/alerts/alertmanager/client.js';
import type { WebhookPayload } from '../src/alerts/alertmanager/webhook.js';
import { startAlertmanager, startWebhookReceiver, testConfig, type TestAlertmanager, type WebhookReceiver } from './alertmanager-support.js';
import { freePort, waitUntil } from './child-process.js';
import { createKey, createTenant, startApp, type TestApp } from './helpers.js';
import { endpointText, queryString, SQLISH, UNICODE } from './hostile/arbitraries.js';

/**
 * Event rules, silences and test fires on a real Alertmanager 0.25 (issue "Alert management", items 1, 2
 * and 7), started by the test with its own configuration (a webhook receiver that is an HTTP server here,
 * grouping by alertname and tenant, an inhibition rule), storage and port, clustering off:
 * - the ruler's alerts reach it with their labels, annotations, endsAt and generatorURL, under the
 *   fingerprint the ruler gave them, grouped as its route says, notified to the webhook, re-sent before
 *   endsAt, resolved once;
 * - the inhibition rule of its configuration is shown, and mutes a warning under a critical alert;
 * - silences created and expired through our API are Alertmanager's (amtool sees them), tenant-scoped;
 * - a test fire of an event or a metric rule arrives at the receiver, marked as a test;
 * - hostile silences and filters never get a 5xx, and a tenant's silence always matches its tenant only;
 * - Alertmanager also notifies the backend itself (POST /v1/alertmanager/webhook with its secret): the whole
 *   path from an event rule to a resolved incident;
 * - Alertmanager gone: 503s that say so, and the ruler records why it could not send.
 *
 *   cd backend && node --import tsx --test test/alertmanager.test.ts
 */
const run = promisify(execFile);
let am: TestAlertmanager;
let hook: WebhookReceiver;
let t: TestApp;
const keys: Record<string, string> = {};
const as = (name: string) => ({ authorization: `Bearer ${keys[name]}` });

const api = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, headers: Record<string, string>, payload?: unknown) =>
  t.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });

function ok<T>(res: LightMyRequestResponse, code = 200): T {
  assert.equal(res.statusCode, code, `expected ${code}, got ${res.statusCode}: ${res.body}`);
  return res.json() as T;
}
function refused(res: LightMyRequestResponse, code: number, message?: RegExp, errCode?: string): void {
  assert.equal(res.statusCode, code, `expected ${code}, got ${res.statusCode}: ${res.body}`);
  const e = (res.json() as { error: { code: string; message: string } }).error;
  assert.ok(e.message, 'an error message');
  if (message) {
    assert.match(e.message, message);
  }
  if (errCode) {
    assert.equal(e.code, errCode);
  }
}

const noLogins = (over: Record<string, unknown> = {}) => ({
  id: 'no-logins',
  name: 'NoLogins',
  window: '15m',
  queries: { A: { kind: 'timeseries', metric: { type: 'events' }, event_types: ['login'] } },
  condition: { reducer: 'sum', op: '==', threshold: 0 },
  severity: 'warning',
  labels: { team: 'identity' },
  annotations: { summary: 'nobody logged in to {{ $labels.tenant_id }} for 15 minutes', runbook_url: 'https://runbooks.example.com/no-logins' },
  ...over,
});

const amAlerts = (filter: string) => am.api<AmAlert[]>(`alerts?${new URLSearchParams({ filter })}`);

const WEBHOOK_SECRET = 'am-webhook-secret-0123456789';

before(async () => {
  hook = await startWebhookReceiver();
  // Alertmanager also notifies the backend itself (its incidents), which listens on a port chosen first.
  const backendPort = await freePort();
  am = await startAlertmanager(testConfig(hook.url, { url: `http://127.0.0.1:${backendPort}`, secret: WEBHOOK_SECRET }));
  t = await startApp({ ALERTMANAGER_URL: am.url, ALERTMANAGER_WEBHOOK_SECRET: WEBHOOK_SECRET, JOBS_CONCURRENCY: '0', TENANT_RATE_LIMIT: '0', PUBLIC_URL: 'http://caas.test:8080' });
  await t.app.listen({ port: backendPort, host: '127.0.0.1' });
  await createTenant(t, 'acme');
  await createTenant(t, 'globex');
  keys.acmeAdmin = await createKey(t, 'acme', 'tenant-admin');
  keys.acmeViewer = await createKey(t, 'acme', 'tenant-viewer');
  keys.globexAdmin = await createKey(t, 'globex', 'tenant-admin');
  keys.globexViewer = await createKey(t, 'globex', 'tenant-viewer');
  keys.viewer = await createKey(t, undefined, 'viewer');
});
after(async () => {
  if (process.env.ALERTMANAGER_LOG_LEVEL) {
    console.log(am.proc.output());
  }
  await t?.close();
  await am?.stop();
  await hook?.close();
});

describe('event rules on a real Alertmanager 0.25', () => {
  it('the test configuration is one amtool accepts', async () => {
    const { stdout } = await run(process.env.AMTOOL_BIN ?? 'amtool', ['check-config', am.configFile]);
    assert.match(stdout, /SUCCESS/);
  });

  it("the ruler's alerts reach Alertmanager with their labels, annotations, endsAt = now + 4 × interval and generatorURL, under the ruler's fingerprint", async () => {
    ok(await api('POST', '/v1/alerts/event-rules', t.admin, noLogins()), 201);
    const now = Date.now();
    const r = await t.svc.ruler.run(now);
    assert.equal(r.error, null);
    assert.equal(r.alerts_sent, 2, 'acme and globex: no logins at all');
    const sent = await amAlerts('caas_rule_id="no-logins"');
    assert.deepEqual(sent.map((a) => a.labels.tenant_id).sort(), ['acme', 'globex']);
    const rows = await t.svc.ruler.state.list({ ruleIds: ['no-logins'] });
    for (const a of sent) {
      const row = rows.find((x) => x.tenant_id === a.labels.tenant_id);
      assert.equal(a.fingerprint, row?.fingerprint, "Alertmanager's fingerprint is the ruler's");
      assert.deepEqual(a.labels, { alertname: 'NoLogins', caas_rule_id: 'no-logins', service: 'caas-events', severity: 'warning', team: 'identity', tenant_id: a.labels.tenant_id });
      assert.equal(a.annotations.summary, `nobody logged in to ${a.labels.tenant_id} for 15 minutes`);
      assert.equal(a.annotations.runbook_url, 'https://runbooks.example.com/no-logins');
      assert.equal(a.generatorURL, 'http://caas.test:8080/v1/alerts/event-rules/no-logins');
      assert.equal(Date.parse(a.endsAt), now + 4 * 60_000, 'endsAt: 4 × the 1m interval');
      assert.equal(Date.parse(a.startsAt), now);
      assert.equal(a.status.state, 'active');
    }
  });

  it('Alertmanager groups them by alertname and tenant and notifies the webhook once per group', async () => {
    for (const tenant of ['acme', 'globex']) {
      const p = await hook.next(`the ${tenant} group`, (x) => x.groupLabels.tenant_id === tenant && x.groupLabels.alertname === 'NoLogins');
      assert.equal(p.version, '4');
      assert.equal(p.status, 'firing');
      assert.equal(p.receiver, 'caas');
      assert.deepEqual(p.groupLabels, { alertname: 'NoLogins', tenant_id: tenant });
      assert.equal(p.alerts.length, 1);
      assert.equal(p.alerts[0]?.endsAt, '0001-01-01T00:00:00Z', 'a firing alert as Alertmanager sends it');
    }
    const admin = ok<{ groups: AmGroup[] }>(await api('GET', '/v1/alertmanager/groups', t.admin));
    const ours = admin.groups.filter((g) => g.labels.alertname === 'NoLogins');
    assert.deepEqual(ours.map((g) => g.labels.tenant_id).sort(), ['acme', 'globex']);
    assert.ok(ours.every((g) => g.receiver.name === 'caas'));
    const acme = ok<{ groups: AmGroup[] }>(await api('GET', '/v1/alertmanager/groups', as('acmeViewer')));
    assert.ok(acme.groups.length >= 1);
    assert.ok(acme.groups.every((g) => g.alerts.every((a) => a.labels.tenant_id === 'acme')), "acme sees only its own alerts' groups");
    const alerts = ok<{ alerts: AmAlert[] }>(await api('GET', '/v1/alertmanager/alerts', as('acmeViewer')));
    assert.deepEqual([...new Set(alerts.alerts.map((a) => a.labels.tenant_id))], ['acme']);
    const viaFilter = ok<{ alerts: AmAlert[] }>(await api('GET', `/v1/alertmanager/alerts?${queryString({ filter: 'tenant_id="globex"' })}`, as('acmeViewer')));
    assert.deepEqual(viaFilter.alerts, [], "asking for globex's alerts with a filter gives acme nothing");
  });

  it('the inhibition rule of its configuration is shown, and mutes the warning under a critical alert of the same name and tenant', async () => {
    const status = ok<{ version: string; cluster: { status: string }; inhibit_rules: unknown[]; receivers: string[] }>(await api('GET', '/v1/alertmanager/status', as('acmeViewer')));
    assert.equal(status.version, '0.25.0');
    assert.equal(status.cluster.status, 'disabled');
    assert.deepEqual(status.receivers, ['caas']);
    assert.deepEqual(status.inhibit_rules, [{ source_matchers: ['severity="critical"'], target_matchers: ['severity="warning"'], equal: ['alertname', 'tenant_id'] }]);
    ok(await api('POST', '/v1/alerts/event-rules', as('acmeAdmin'), noLogins({ id: 'no-logins-critical', severity: 'critical' })), 201);
    await t.svc.ruler.run(Date.now());
    const [warning] = await amAlerts('caas_rule_id="no-logins"').then((xs) => xs.filter((a) => a.labels.tenant_id === 'acme'));
    assert.equal(warning?.status.state, 'suppressed');
    const [critical] = await amAlerts('caas_rule_id="no-logins-critical"');
    assert.deepEqual(warning?.status.inhibitedBy, [critical?.fingerprint]);
    const [globexWarning] = await amAlerts('caas_rule_id="no-logins"').then((xs) => xs.filter((a) => a.labels.tenant_id === 'globex'));
    assert.equal(globexWarning?.status.state, 'active', 'equal: tenant_id keeps globex unmuted');
    ok(await api('DELETE', '/v1/alerts/event-rules/no-logins-critical', as('acmeAdmin')));
  });

  it('firing alerts are re-sent at each evaluation (endsAt moves on); a resolved one is sent once with endsAt = when it resolved', async () => {
    const before = (await amAlerts('caas_rule_id="no-logins"'))[0];
    await new Promise((r) => setTimeout(r, 20));
    const later = Date.now();
    await t.svc.ruler.run(later, { all: true });
    const again = (await amAlerts('caas_rule_id="no-logins"')).find((a) => a.fingerprint === before?.fingerprint);
    assert.equal(Date.parse(again?.endsAt ?? ''), later + 4 * 60_000);
    assert.ok(Date.parse(again?.updatedAt ?? '') > Date.parse(before?.updatedAt ?? ''), 'Alertmanager took the update');
    ok(await api('PATCH', '/v1/alerts/event-rules/no-logins', t.admin, { enabled: false }));
    const resolvedAt = Date.now();
    const r = await t.svc.ruler.run(resolvedAt);
    assert.equal(r.alerts_sent, 2, 'two resolved alerts');
    assert.deepEqual(await amAlerts('caas_rule_id="no-logins"'), [], 'resolved: no longer among the active alerts');
    const p = await hook.next('the resolved acme group', (x) => x.status === 'resolved' && x.groupLabels.tenant_id === 'acme' && x.groupLabels.alertname === 'NoLogins');
    assert.equal(Date.parse(p.alerts[0]?.endsAt ?? ''), resolvedAt, 'endsAt is when it resolved');
    const again2 = await t.svc.ruler.run(Date.now(), { all: true });
    assert.equal(again2.alerts_sent, 0, 'sent once');
    // The whole path: event rule → ruler → Alertmanager → its webhook → the backend's incidents.
    type I = { state: string; via: string; tenant_id: string | null; labels: Record<string, string>; alerts_total: number };
    let incident: I | undefined;
    await waitUntil("acme's NoLogins incident resolved through Alertmanager's webhook", 30_000, async () => {
      const list = ok<{ incidents: I[] }>(await api('GET', '/v1/incidents?tenant_id=acme', as('acmeViewer')));
      incident = list.incidents.find((i) => i.labels.alertname === 'NoLogins');
      return incident?.state === 'resolved';
    });
    assert.equal(incident?.via, 'alertmanager');
    assert.equal(incident?.tenant_id, 'acme');
    assert.equal(incident?.alerts_total, 2, 'the warning and the critical alert of its group');
    const globex = ok<{ incidents: I[] }>(await api('GET', '/v1/incidents', as('globexViewer')));
    assert.ok(globex.incidents.every((i) => i.tenant_id === 'globex') && globex.incidents.some((i) => i.labels.alertname === 'NoLogins'), "globex has its own, acme's is not in it");
    ok(await api('PATCH', '/v1/alerts/event-rules/no-logins', t.admin, { enabled: true }));
    await t.svc.ruler.run(Date.now());
  });
});

describe('silences through our API, tenant-scoped', () => {
  let acmeSilence: AmSilence;

  it("a tenant's silence gets its tenant_id matcher, is Alertmanager's (amtool lists it) and silences only that tenant's alerts", async () => {
    acmeSilence = ok<AmSilence>(
      await api('POST', '/v1/alertmanager/silences', as('acmeAdmin'), { matchers: [{ name: 'alertname', value: 'NoLogins', isRegex: false }], duration: '2h', comment: 'maintenance window', createdBy: 'ops@acme' }),
      201
    );
    assert.equal(acmeSilence.status.state, 'active');
    assert.deepEqual(
      acmeSilence.matchers.map((m) => [m.name, m.value, m.isRegex, m.isEqual]).sort(),
      [
        ['alertname', 'NoLogins', false, true],
        ['tenant_id', 'acme', false, true],
      ]
    );
    assert.equal(acmeSilence.createdBy, 'ops@acme');
    assert.ok(Math.abs(Date.parse(acmeSilence.endsAt) - Date.parse(acmeSilence.startsAt) - 2 * 3_600_000) < 2000);
    const { stdout } = await run(process.env.AMTOOL_BIN ?? 'amtool', ['silence', 'query', '--alertmanager.url', am.url, '-o', 'json']);
    const listed = JSON.parse(stdout) as AmSilence[];
    assert.ok(listed.some((s) => s.id === acmeSilence.id && s.comment === 'maintenance window'), 'amtool sees it in Alertmanager');
    await t.svc.ruler.run(Date.now(), { all: true });
    const alerts = await amAlerts('caas_rule_id="no-logins"');
    const acme = alerts.find((a) => a.labels.tenant_id === 'acme');
    const globex = alerts.find((a) => a.labels.tenant_id === 'globex');
    assert.equal(acme?.status.state, 'suppressed');
    assert.deepEqual(acme?.status.silencedBy, [acmeSilence.id]);
    assert.equal(globex?.status.state, 'active', "acme's silence does not touch globex");
  });

  it("another tenant neither sees, reads, expires nor creates silences for it; a regex or negative tenant matcher is refused", async () => {
    const globexList = ok<{ silences: AmSilence[] }>(await api('GET', '/v1/alertmanager/silences', as('globexAdmin')));
    assert.ok(!globexList.silences.some((s) => s.id === acmeSilence.id));
    refused(await api('GET', `/v1/alertmanager/silences/${acmeSilence.id}`, as('globexAdmin')), 404, /not found for tenant 'globex'/);
    refused(await api('DELETE', `/v1/alertmanager/silences/${acmeSilence.id}`, as('globexAdmin')), 404, /not found for tenant 'globex'/);
    const base = { duration: '1h', comment: 'x' };
    refused(await api('POST', '/v1/alertmanager/silences', as('globexAdmin'), { ...base, matchers: [{ name: 'tenant_id', value: 'acme', isRegex: false }] }), 403, /its silences match tenant_id="globex" only/);
    refused(await api('POST', '/v1/alertmanager/silences', as('globexAdmin'), { ...base, matchers: [{ name: 'tenant_id', value: '.*', isRegex: true }] }), 403, /match tenant_id="globex" only/);
    refused(await api('POST', '/v1/alertmanager/silences', as('globexAdmin'), { ...base, matchers: [{ name: 'tenant_id', value: 'globex', isRegex: false, isEqual: false }] }), 403);
    refused(await api('POST', '/v1/alertmanager/silences', as('acmeViewer'), { ...base, matchers: [{ name: 'alertname', value: 'x', isRegex: false }] }), 403, /silencing alerts needs a key with role admin or responder or tenant-admin/);
    const acmeList = ok<{ silences: AmSilence[] }>(await api('GET', '/v1/alertmanager/silences', as('acmeViewer')));
    assert.deepEqual(acmeList.silences.map((s) => s.id), [acmeSilence.id]);
    const adminList = ok<{ silences: AmSilence[] }>(await api('GET', '/v1/alertmanager/silences', as('viewer')));
    assert.ok(adminList.silences.some((s) => s.id === acmeSilence.id), 'a viewer key sees every silence');
  });

  it("Alertmanager's own refusals and ours are 400s with the reason", async () => {
    refused(await api('POST', '/v1/alertmanager/silences', t.admin, { matchers: [{ name: 'alertname', value: '(', isRegex: true }], duration: '1h', comment: 'x' }), 400, /Alertmanager refused POST \/api\/v2\/silences: .*(regex|parse|missing)/i, 'alertmanager_refused');
    refused(await api('POST', '/v1/alertmanager/silences', t.admin, { matchers: [{ name: 'alertname', value: 'x', isRegex: false }], comment: 'x' }), 400, /give endsAt \(RFC 3339\) or duration/);
    refused(await api('POST', '/v1/alertmanager/silences', t.admin, { matchers: [{ name: 'alertname', value: 'x', isRegex: false }], endsAt: '2001-01-01T00:00:00Z', comment: 'x' }), 400, /(endsAt must be after startsAt|in the past)/);
    refused(await api('POST', '/v1/alertmanager/silences', t.admin, { matchers: [{ name: '1x', value: 'x', isRegex: false }], duration: '1h', comment: 'x' }), 400, /not a label name/);
    refused(await api('GET', '/v1/alertmanager/silences/not-a-uuid', t.admin), 404, /not a silence id/);
    refused(await api('GET', `/v1/alertmanager/alerts?${queryString({ filter: 'alertname=~"(' })}`, t.admin), 400, /Alertmanager refused GET \/api\/v2\/alerts/);
  });

  it('the tenant expires its own silence: Alertmanager shows it expired and the alert active again; expiring twice is a 409', async () => {
    const expired = ok<AmSilence>(await api('DELETE', `/v1/alertmanager/silences/${acmeSilence.id}`, as('acmeAdmin')));
    assert.equal(expired.status.state, 'expired');
    const raw = await am.api<AmSilence>(`silence/${acmeSilence.id}`);
    assert.equal(raw.status.state, 'expired');
    refused(await api('DELETE', `/v1/alertmanager/silences/${acmeSilence.id}`, as('acmeAdmin')), 409, /already expired/);
    await t.svc.ruler.run(Date.now(), { all: true });
    const acme = (await amAlerts('caas_rule_id="no-logins"')).find((a) => a.labels.tenant_id === 'acme');
    assert.equal(acme?.status.state, 'active');
  });

  it('property: hostile silences as a tenant key answer 201 or a 4xx, never a 5xx, and every silence a tenant made matches its own tenant_id', async () => {
    const text = endpointText(['NoLogins', 'tenant_id', 'acme', 'globex', '.*', ...SQLISH.slice(0, 3), ...UNICODE.slice(0, 3)]);
    const matcher = fc.record(
      {
        name: fc.oneof({ weight: 4, arbitrary: fc.constantFrom('alertname', 'tenant_id', 'severity', 'team') }, { weight: 1, arbitrary: fc.oneof(fc.constantFrom('__name__', 'a b', ''), text) }),
        value: fc.oneof({ weight: 3, arbitrary: fc.constantFrom('acme', 'globex', '.*', 'NoLogins', 'critical') }, { weight: 2, arbitrary: fc.oneof(fc.constantFrom('(', ''), text) }),
        isRegex: fc.oneof({ weight: 30, arbitrary: fc.boolean() }, { weight: 1, arbitrary: fc.constant('yes' as unknown as boolean) }),
        isEqual: fc.option(fc.boolean(), { nil: undefined }),
      },
      { requiredKeys: ['name', 'value', 'isRegex'] }
    );
    const seen = new Map<number, number>();
    const reasons = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('acmeAdmin', 'globexAdmin'),
        fc.oneof({ weight: 6, arbitrary: fc.array(matcher, { minLength: 1, maxLength: 3 }) }, { weight: 1, arbitrary: fc.constant([]) }),
        fc.option(fc.oneof({ weight: 3, arbitrary: fc.constantFrom('1h', '5m', '1h30m') }, { weight: 1, arbitrary: fc.oneof(fc.constantFrom('0s', '-1h', '100y'), text) }), { nil: undefined, freq: 6 }),
        fc.option(fc.oneof(fc.constantFrom('2001-01-01T00:00:00Z', new Date(Date.now() + 3_600_000).toISOString(), 'tomorrow', '9999-12-31T23:59:59Z'), text), { nil: undefined, freq: 5 }),
        fc.oneof({ weight: 5, arbitrary: fc.constantFrom('why', 'maintenance') }, { weight: 1, arbitrary: fc.oneof(fc.constant(''), text) }),
        async (who, matchers, duration, endsAt, comment) => {
          const body: Record<string, unknown> = { matchers, comment, ...(duration === undefined ? {} : { duration }), ...(endsAt === undefined ? {} : { endsAt }) };
          const res = await api('POST', '/v1/alertmanager/silences', as(who), body);
          seen.set(res.statusCode, (seen.get(res.statusCode) ?? 0) + 1);
          if (res.statusCode >= 400) {
            const m = ((res.json() as { error?: { message?: string } }).error?.message ?? '').replace(/'.*?'/g, "'…'").slice(0, 60);
            reasons.set(m, (reasons.get(m) ?? 0) + 1);
          }
          assert.ok(res.statusCode === 201 || (res.statusCode >= 400 && res.statusCode < 500), `${res.statusCode} ${res.body} for ${JSON.stringify(body)}`);
          assert.ok((res.json() as { error?: { message?: string } }).error?.message || res.statusCode === 201);
          if (res.statusCode === 201) {
            const tenant = who === 'acmeAdmin' ? 'acme' : 'globex';
            const s = res.json() as AmSilence;
            assert.ok(
              s.matchers.some((m) => m.name === 'tenant_id' && m.value === tenant && !m.isRegex && m.isEqual !== false),
              `a ${tenant} silence matches tenant_id="${tenant}": ${JSON.stringify(s.matchers)}`
            );
            assert.ok(!s.matchers.some((m) => m.name === 'tenant_id' && m.value !== tenant), 'and no other tenant');
          }
        }
      ),
      { seed: 0xa1e47, numRuns: 60 }
    );
    assert.ok((seen.get(201) ?? 0) >= 3, `some were created: ${JSON.stringify([...seen])} ${JSON.stringify([...reasons])}`);
    assert.ok((seen.get(400) ?? 0) >= 10, `many refused: ${JSON.stringify([...seen])}`);
    for (const s of await am.api<AmSilence[]>('silences')) {
      const tenants = s.matchers.filter((m) => m.name === 'tenant_id').map((m) => m.value);
      assert.ok(tenants.length >= 1, `every silence in Alertmanager was made by a tenant key and names a tenant: ${JSON.stringify(s.matchers)}`);
      if (s.status.state !== 'expired') {
        // they would mute the alerts the next tests wait for
        ok(await api('DELETE', `/v1/alertmanager/silences/${s.id}`, t.admin));
      }
    }
  });

  it('property: hostile filters, flags and silence ids answer 200 or a 4xx, never a 5xx, and never show a tenant another tenant\'s alerts', async () => {
    const text = endpointText(['tenant_id="globex"', 'tenant_id=~".*"', '{tenant_id!="acme"}', 'alertname="NoLogins"', 'true', '00000000-0000-0000-0000-000000000000']);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('alerts', 'groups', 'silences'), text, fc.constantFrom('filter', 'active', 'silenced', 'inhibited', 'receiver', 'state', 'x'), text, async (what, value, param, id) => {
        const res = await api('GET', `/v1/alertmanager/${what}?${queryString({ [param]: value })}`, as('acmeViewer'));
        assert.ok(res.statusCode === 200 || (res.statusCode >= 400 && res.statusCode < 500), `${what}?${param}=${value}: ${res.statusCode} ${res.body}`);
        if (res.statusCode === 200 && what === 'alerts') {
          assert.ok((res.json() as { alerts: AmAlert[] }).alerts.every((a) => a.labels.tenant_id === 'acme'));
        }
        if (res.statusCode === 200 && what === 'groups') {
          assert.ok((res.json() as { groups: AmGroup[] }).groups.every((g) => g.alerts.every((a) => a.labels.tenant_id === 'acme')));
        }
        const one = await api('GET', `/v1/alertmanager/silences/${encodeURIComponent(id.isWellFormed() ? id : id.toWellFormed()) || 'x'}`, as('acmeViewer'));
        assert.ok(one.statusCode < 500, `silence ${JSON.stringify(id)}: ${one.statusCode} ${one.body}`);
      }),
      { seed: 0xf11e, numRuns: 60 }
    );
  });
});

describe('test fire through the real route', () => {
  it('an event rule for every tenant, as a tenant-admin: one alert with test="true", "[TEST]" summary and a short endsAt reaches the webhook receiver', async () => {
    const res = ok<{ via: string; kind: string; labels: Record<string, string>; annotations: Record<string, string>; fingerprint: string; endsAt: string; startsAt: string }>(
      await api('POST', '/monitoring/test/no-logins', as('acmeAdmin'))
    );
    assert.equal(res.via, 'alertmanager');
    assert.equal(res.kind, 'event');
    assert.equal(res.labels.test, 'true');
    assert.equal(res.labels.tenant_id, 'acme', "the alert is the tenant's");
    assert.equal(res.annotations.summary, '[TEST] nobody logged in to acme for 15 minutes');
    assert.equal(Date.parse(res.endsAt) - Date.parse(res.startsAt), 5 * 60_000);
    const p = await hook.next('the test alert', (x) => x.alerts.some((a) => a.labels.test === 'true' && a.labels.caas_rule_id === 'no-logins'));
    const a = p.alerts.find((x) => x.labels.test === 'true') as WebhookPayload['alerts'][number];
    assert.equal(a.fingerprint, res.fingerprint);
    assert.equal(a.annotations.summary, '[TEST] nobody logged in to acme for 15 minutes');
    assert.equal(p.groupLabels.tenant_id, 'acme');
  });

  it("a tenant's metric rule: as Prometheus would label it, plus test=\"true\"; a platform metric rule is an admin's to test; another tenant's is not found", async () => {
    ok(
      await api('POST', '/v1/alerts/metric-rules', t.admin, {
        id: 'acme-latency',
        name: 'AcmeLatency',
        tenant_id: 'acme',
        expr: 'histogram_quantile(0.99, sum by (le) (rate(caas_request_duration_seconds_bucket{tenant_id="acme"}[5m]))) > 0.5',
        for: '5m',
        severity: 'warning',
        annotations: { summary: 'p99 latency above 500 ms for acme' },
      }),
      201
    );
    const res = ok<{ kind: string; labels: Record<string, string> }>(await api('POST', '/monitoring/test/acme-latency', as('acmeAdmin')));
    assert.equal(res.kind, 'metric');
    assert.deepEqual(res.labels, { alertname: 'AcmeLatency', caas_rule_id: 'acme-latency', severity: 'warning', tenant_id: 'acme', test: 'true' });
    await hook.next('the metric test alert', (x) => x.alerts.some((a) => a.labels.caas_rule_id === 'acme-latency' && a.labels.test === 'true' && a.annotations.summary === '[TEST] p99 latency above 500 ms for acme'));
    refused(await api('POST', '/monitoring/test/acme-latency', as('globexAdmin')), 404, /rule 'acme-latency' not found for tenant 'globex'/);
    refused(await api('POST', '/monitoring/test/std-error-rate', as('acmeAdmin')), 403, /platform metric rule/);
    refused(await api('POST', '/monitoring/test/acme-latency', as('acmeViewer')), 403, /test-firing alert rules needs a key with role admin or tenant-admin/);
    const platform = ok<{ labels: Record<string, string> }>(await api('POST', '/monitoring/test/std-error-rate', t.admin));
    assert.equal(platform.labels.test, 'true');
    assert.equal(platform.labels.tenant_id, undefined, 'a platform alert has no tenant');
    await hook.next('the platform test alert', (x) => x.alerts.some((a) => a.labels.caas_rule_id === 'std-error-rate' && a.labels.test === 'true'));
  });
});

describe('status', () => {
  it('GET /monitoring/status: Alertmanager reachable with its version, firing alerts by severity from Alertmanager, per tenant', async () => {
    type S = { alertmanager: { reachable: boolean; version: string; cluster: string }; prometheus: { configured: boolean }; alerts: { source: string; firing: Record<string, number>; suppressed: number }; ruler: { mode: string; last_run: { error: string | null } } };
    const admin = ok<S>(await api('GET', '/monitoring/status', t.admin));
    assert.deepEqual([admin.alertmanager.reachable, admin.alertmanager.version, admin.alertmanager.cluster], [true, '0.25.0', 'disabled']);
    assert.equal(admin.prometheus.configured, false);
    assert.equal(admin.alerts.source, 'alertmanager');
    assert.equal(admin.ruler.mode, 'alertmanager');
    assert.equal(admin.ruler.last_run.error, null);
    const inAm = await am.api<AmAlert[]>('alerts');
    const active = (tenant?: string) => inAm.filter((a) => a.status.state === 'active' && (tenant === undefined || a.labels.tenant_id === tenant));
    assert.equal(admin.alerts.firing.warning, active().filter((a) => a.labels.severity === 'warning').length);
    assert.ok(admin.alerts.firing.warning >= 2);
    const acme = ok<S>(await api('GET', '/monitoring/status', as('acmeViewer')));
    assert.equal(acme.alerts.firing.warning, active('acme').filter((a) => a.labels.severity === 'warning').length);
    assert.ok(acme.alerts.firing.warning < admin.alerts.firing.warning, 'a tenant counts its own');
  });

  it('Alertmanager gone: its routes answer 503 saying so, the status says unreachable, the ruler records why it could not send', async () => {
    await am.stop();
    refused(await api('GET', '/v1/alertmanager/alerts', t.admin), 503, /did not answer GET \/api\/v2\/alerts .*is it running/, 'alertmanager_unreachable');
    refused(await api('POST', '/monitoring/test/no-logins', as('acmeAdmin')), 503, /did not answer POST \/api\/v2\/alerts/);
    const s = ok<{ alertmanager: { reachable: boolean; error: string }; alerts: { source: string } }>(await api('GET', '/monitoring/status', t.admin));
    assert.equal(s.alertmanager.reachable, false);
    assert.equal(s.alerts.source, 'ruler');
    const r = await t.svc.ruler.run(Date.now(), { all: true });
    assert.match(r.error ?? '', /did not answer POST \/api\/v2\/alerts/);
    const after = ok<{ ruler: { last_run: { error: string | null } } }>(await api('GET', '/monitoring/status', t.admin));
    assert.match(after.ruler.last_run.error ?? '', /Alertmanager/);
    const tenantView = ok<{ ruler: { last_run: { error: string | null } } }>(await api('GET', '/monitoring/status', as('acmeViewer')));
    assert.match(tenantView.ruler.last_run.error ?? '', /could not deliver every alert \(an admin key sees why\)/);
  });
});
