import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { WebhookPayload } from '../src/alerts/alertmanager/webhook.js';
import type { AlertRow } from '../src/alerts/event-rules/store.js';
import { RULER_KIND, RULER_SCHEDULE } from '../src/alerts/event-rules/ruler.js';
import { waitUntil } from './child-process.js';
import { createKey, createTenant, drained, startApp, tempDir, type TestApp } from './helpers.js';

/**
 * The ruler on real analytics events (embedded ClickHouse, PGlite; issue "Alert management", item 1): the
 * seed's event rules, "message send failures > 2% over 5 m per tenant" (a ratio of two queries) and "zero
 * logins for 15 m", evaluated with a clock the test moves minute by minute over events ingested through
 * the API: pending → firing after `for` → keeps firing for `keep_firing_for` → resolved, per tenant, the
 * state kept across a restart. Without Alertmanager the alerts reach the incidents as webhook payloads
 * (the real incident service opens and resolves an incident). Last, the ruler's own schedule runs it on
 * the platform's jobs.
 *
 *   cd backend && node --import tsx --test test/ruler.test.ts
 */
const MIN = 60_000;
/** the events' minute 0: an hour ago, on a whole minute */
const T = Math.floor(Date.now() / MIN) * MIN - 60 * MIN;
const at = (m: number) => T + m * MIN;

const dataDir = tempDir();
let t: TestApp;
const payloads: WebhookPayload[] = [];
let acmeViewer = '';
let globexViewer = '';

/** Jobs do not run (JOBS_CONCURRENCY=0): the test's clock alone drives the ruler. */
async function start(): Promise<TestApp> {
  const app = await startApp({ JOBS_CONCURRENCY: '0', TENANT_RATE_LIMIT: '0' }, dataDir);
  // What the ruler hands to the incidents, recorded on its way to the real incident service.
  const incidents = app.svc.incidents;
  const receive = incidents.receive.bind(incidents);
  incidents.receive = async (p, via) => {
    payloads.push(structuredClone(p));
    await receive(p, via);
  };
  return app;
}

function ev(type: string, tenant: string, minute: number, i: number, properties: Record<string, unknown> = {}) {
  return { type, tenant_id: tenant, user_id: `u${i % 7}`, timestamp: at(minute) + 1000 + i * 100, properties };
}

const failureRule = {
  id: 'msg-send-failures',
  name: 'MessageSendFailures',
  tenant_id: null,
  window: '5m',
  queries: {
    A: { kind: 'timeseries', metric: { type: 'events' }, event_types: ['message_sent'], filters: [{ field: 'properties.status', op: '=', value: 'failed' }] },
    B: { kind: 'timeseries', metric: { type: 'events' }, event_types: ['message_sent'] },
  },
  condition: { expression: 'A / B', reducer: 'sum', op: '>', threshold: 0.02 },
  for: '2m',
  keep_firing_for: '2m',
  severity: 'critical',
  labels: { team: 'messaging' },
  annotations: {
    summary: '{{ $value | humanizePercentage }} of message sends failed for {{ $labels.tenant_id }}',
    description: 'over the last 5 minutes',
    runbook_url: 'https://runbooks.example.com/message-send-failures',
  },
};

const noLoginRule = {
  id: 'no-logins',
  name: 'NoLogins',
  window: '15m',
  queries: { A: { kind: 'timeseries', metric: { type: 'events' }, event_types: ['login'] } },
  condition: { reducer: 'sum', op: '==', threshold: 0 },
  severity: 'warning',
  annotations: { summary: 'nobody logged in to {{ $labels.tenant_id }} for 15 minutes' },
};

const api = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown, headers: Record<string, string> = t.admin) =>
  t.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });

async function alertsOf(ruleId: string): Promise<AlertRow[]> {
  return t.svc.ruler.state.list({ ruleIds: [ruleId] });
}
const stateOf = async (ruleId: string, tenant: string) => (await alertsOf(ruleId)).filter((a) => a.tenant_id === tenant).map((a) => a.state);

before(async () => {
  t = await start();
  await createTenant(t, 'acme');
  await createTenant(t, 'globex');
  acmeViewer = await createKey(t, 'acme', 'tenant-viewer');
  globexViewer = await createKey(t, 'globex', 'tenant-viewer');
  const events: unknown[] = [];
  for (let m = 0; m < 25; m++) {
    for (let i = 0; i < 20; i++) {
      events.push(ev('message_sent', 'acme', m, i, { message_type: 'text', status: 'ok' }));
      events.push(ev('message_sent', 'globex', m, i, { message_type: 'text', status: 'ok' }));
    }
    // acme: 5 of 25 sends fail in minutes 5 to 8 (20%); globex never fails
    if (m >= 5 && m <= 8) {
      for (let i = 0; i < 5; i++) {
        events.push(ev('message_sent', 'acme', m, 20 + i, { message_type: 'text', status: 'failed' }));
      }
    }
    // acme logs in during minutes 0 to 2 only; globex never
    if (m <= 2) {
      events.push(ev('login', 'acme', m, 1, { method: 'password' }));
    }
  }
  const res = await t.app.inject({ method: 'POST', url: '/v1/events', headers: t.admin, payload: events as object[] });
  assert.equal(res.statusCode, 202, res.body);
  await drained(t.svc);
  assert.equal((await api('POST', '/v1/alerts/event-rules', failureRule)).statusCode, 201);
  assert.equal((await api('POST', '/v1/alerts/event-rules', noLoginRule)).statusCode, 201);
});
after(async () => t.close());

describe('the ruler over real events, minute by minute', () => {
  it('the failure ratio: inactive at 0%; pending once it passes 2%; not yet firing before for (2m); only the tenant whose sends fail', async () => {
    await t.svc.ruler.run(at(5));
    assert.deepEqual(await stateOf('msg-send-failures', 'acme'), [], 'minutes 0-4: no failures');
    await t.svc.ruler.run(at(6));
    assert.deepEqual(await stateOf('msg-send-failures', 'acme'), ['pending'], 'minutes 1-5: 5 of 105 failed (4.8%)');
    const [pending] = await alertsOf('msg-send-failures');
    assert.equal(pending?.active_at, new Date(at(6)).toISOString());
    assert.ok(Math.abs((pending?.value ?? 0) - 5 / 105) < 1e-9, `the ratio ${pending?.value}`);
    assert.equal(pending?.annotations.summary, '4.762% of message sends failed for acme');
    assert.deepEqual(pending?.labels, {
      alertname: 'MessageSendFailures',
      caas_rule_id: 'msg-send-failures',
      service: 'caas-events',
      severity: 'critical',
      team: 'messaging',
      tenant_id: 'acme',
    });
    await t.svc.ruler.run(at(7));
    assert.deepEqual(await stateOf('msg-send-failures', 'acme'), ['pending'], '1 minute < for 2m');
    assert.deepEqual(await stateOf('msg-send-failures', 'globex'), [], 'globex never fails');
    assert.equal(payloads.filter((p) => p.groupLabels.caas_rule_id === 'msg-send-failures').length, 0, 'pending alerts are not sent');
  });

  it('a restart keeps the pending alert: the next evaluation after for fires it', async () => {
    await t.close();
    t = await start();
    assert.deepEqual(await stateOf('msg-send-failures', 'acme'), ['pending'], 'read back from PostgreSQL');
    await t.svc.ruler.run(at(8));
    const [firing] = await alertsOf('msg-send-failures');
    assert.equal(firing?.state, 'firing');
    assert.equal(firing?.fired_at, new Date(at(8)).toISOString());
    assert.equal(firing?.active_at, new Date(at(6)).toISOString(), 'active since before the restart');
    const sent = payloads.filter((p) => p.groupLabels.caas_rule_id === 'msg-send-failures');
    assert.equal(sent.length, 1, 'one notification when it fires');
    const p = sent[0] as WebhookPayload;
    assert.equal(p.status, 'firing');
    assert.equal(p.groupKey, 'ruler:{alertname="MessageSendFailures", caas_rule_id="msg-send-failures", tenant_id="acme"}');
    assert.equal(p.alerts[0]?.endsAt, '0001-01-01T00:00:00Z');
    assert.equal(p.alerts[0]?.startsAt, new Date(at(8)).toISOString());
    assert.equal(p.alerts[0]?.fingerprint, firing?.fingerprint);
    assert.match(p.alerts[0]?.generatorURL ?? '', /\/v1\/alerts\/event-rules\/msg-send-failures$/);
  });

  it('keeps firing while failures stay in the window and for keep_firing_for after, then resolves once', async () => {
    for (const m of [9, 10, 11, 12, 13]) {
      await t.svc.ruler.run(at(m));
      assert.deepEqual(await stateOf('msg-send-failures', 'acme'), ['firing'], `minute ${m}: failures of minute 8 are in the window`);
    }
    assert.equal(payloads.filter((p) => p.groupLabels.caas_rule_id === 'msg-send-failures').length, 1, 'no change, no new notification');
    await t.svc.ruler.run(at(14));
    const [kept] = await alertsOf('msg-send-failures');
    assert.equal(kept?.state, 'firing', 'the condition stopped holding: keeps firing');
    assert.equal(kept?.keep_firing_since, new Date(at(14)).toISOString());
    await t.svc.ruler.run(at(15));
    assert.deepEqual(await stateOf('msg-send-failures', 'acme'), ['firing'], '1 minute < keep_firing_for 2m');
    await t.svc.ruler.run(at(16));
    const [resolved] = await alertsOf('msg-send-failures');
    assert.equal(resolved?.state, 'resolved');
    assert.equal(resolved?.resolved_at, new Date(at(16)).toISOString());
    const sent = payloads.filter((p) => p.groupLabels.caas_rule_id === 'msg-send-failures');
    assert.equal(sent.length, 2);
    assert.equal(sent[1]?.status, 'resolved');
    assert.equal(sent[1]?.alerts[0]?.endsAt, new Date(at(16)).toISOString());
    await t.svc.ruler.run(at(17));
    assert.equal(payloads.filter((p) => p.groupLabels.caas_rule_id === 'msg-send-failures').length, 2, 'resolved is sent once');
  });

  it('the incidents got them: one incident for acme, opened by the ruler and resolved by its resolved notification', async () => {
    const res = await api('GET', '/v1/incidents?tenant_id=acme');
    assert.equal(res.statusCode, 200, res.body);
    type I = { group_key: string; state: string; tenant_id: string | null; via: string; runbook_url: string | null; labels: Record<string, string> };
    const incidents = (res.json() as { incidents: I[] }).incidents.filter((i) => i.labels.caas_rule_id === 'msg-send-failures');
    assert.equal(incidents.length, 1, JSON.stringify(incidents));
    assert.equal(incidents[0]?.state, 'resolved');
    assert.equal(incidents[0]?.tenant_id, 'acme');
    assert.equal(incidents[0]?.via, 'ruler');
    assert.equal(incidents[0]?.runbook_url, 'https://runbooks.example.com/message-send-failures');
    const globex = (await api('GET', '/v1/incidents?tenant_id=globex')).json() as { incidents: I[] };
    assert.ok(!globex.incidents.some((i) => i.labels.caas_rule_id === 'msg-send-failures'), 'none for globex');
  });

  it('zero logins for 15m: fires at once (for 0s) for the tenant without logins, and later for the other', async () => {
    await t.svc.ruler.run(at(10), { all: true });
    assert.deepEqual(await stateOf('no-logins', 'globex'), ['firing'], 'globex never logs in');
    assert.deepEqual(await stateOf('no-logins', 'acme'), [], 'acme logged in at minutes 0-2');
    await t.svc.ruler.run(at(18), { all: true });
    assert.deepEqual(await stateOf('no-logins', 'acme'), ['firing'], 'minutes 3-17: no login');
    const [g] = (await alertsOf('no-logins')).filter((a) => a.tenant_id === 'globex');
    assert.equal(g?.annotations.summary, 'nobody logged in to globex for 15 minutes');
    assert.equal(g?.value, 0);
  });

  it("a tenant's keys see their own alerts of a rule for every tenant, never another tenant's", async () => {
    const mine = (await api('GET', '/v1/alerts/event-rules/no-logins', undefined, { authorization: `Bearer ${acmeViewer}` })).json() as {
      alerts: Array<{ tenant_id: string }>;
      status: { state: string; firing: number };
    };
    assert.deepEqual(mine.alerts.map((a) => a.tenant_id), ['acme']);
    assert.equal(mine.status.firing, 1);
    const theirs = (await api('GET', '/v1/alerts/event-rules/no-logins', undefined, { authorization: `Bearer ${globexViewer}` })).json() as { alerts: Array<{ tenant_id: string }> };
    assert.deepEqual(theirs.alerts.map((a) => a.tenant_id), ['globex']);
    const all = (await api('GET', '/v1/alerts/event-rules/no-logins')).json() as { alerts: Array<{ tenant_id: string }> };
    assert.deepEqual(all.alerts.map((a) => a.tenant_id).sort(), ['acme', 'globex']);
    const rules = (await api('GET', '/monitoring/rules', undefined, { authorization: `Bearer ${globexViewer}` })).json() as { rules: Array<{ id: string; kind: string; state: string | null; last_evaluation: string | null }> };
    const noLogins = rules.rules.find((r) => r.id === 'no-logins');
    assert.equal(noLogins?.kind, 'event');
    assert.equal(noLogins?.state, 'firing');
    assert.equal(noLogins?.last_evaluation, new Date(at(18)).toISOString());
    const status = (await api('GET', '/monitoring/status', undefined, { authorization: `Bearer ${globexViewer}` })).json() as { alerts: { source: string; firing: { warning: number; critical: number } } };
    assert.equal(status.alerts.source, 'ruler');
    assert.deepEqual([status.alerts.firing.warning, status.alerts.firing.critical], [1, 0], "globex's own: no-logins, not acme's resolved failures");
  });

  it('a disabled rule resolves its firing alerts at the next run, each tenant its own resolved notification', async () => {
    assert.equal((await api('PATCH', '/v1/alerts/event-rules/no-logins', { enabled: false })).statusCode, 200);
    const before = payloads.length;
    await t.svc.ruler.run(at(19));
    assert.deepEqual((await alertsOf('no-logins')).map((a) => a.state), ['resolved', 'resolved']);
    const resolved = payloads.slice(before);
    assert.deepEqual(resolved.map((p) => [p.groupLabels.tenant_id, p.status]).sort(), [
      ['acme', 'resolved'],
      ['globex', 'resolved'],
    ]);
    assert.equal((await api('DELETE', '/v1/alerts/event-rules/no-logins')).statusCode, 200);
  });

  it('a query that fails now (a tenant over its concurrent-query limit) keeps the state and records why', async () => {
    assert.equal((await api('POST', '/v1/alerts/event-rules', { ...noLoginRule, id: 'no-logins-2', tenant_id: 'globex' })).statusCode, 201);
    await t.svc.ruler.run(at(20));
    assert.deepEqual(await stateOf('no-logins-2', 'globex'), ['firing']);
    const analytics = t.svc.analytics as unknown as { running: Map<string, number> };
    analytics.running.set('globex', 99);
    try {
      await t.svc.ruler.run(at(22), { all: true });
    } finally {
      analytics.running.set('globex', 0);
    }
    assert.deepEqual(await stateOf('no-logins-2', 'globex'), ['firing'], 'unchanged');
    const rule = (await api('GET', '/v1/alerts/event-rules/no-logins-2')).json() as { status: { errors: Record<string, string> } };
    assert.match(rule.status.errors.globex ?? '', /query A: tenant 'globex' already runs 99 analytics queries/);
    const status = (await api('GET', '/monitoring/status')).json() as { ruler: { errors: Array<{ rule_id: string; tenant_id: string }>; rules: { failing: number } } };
    assert.ok(status.ruler.errors.some((e) => e.rule_id === 'no-logins-2' && e.tenant_id === 'globex'));
    const acmeStatus = (await api('GET', '/monitoring/status', undefined, { authorization: `Bearer ${acmeViewer}` })).json() as { ruler: { errors: unknown[] } };
    assert.deepEqual(acmeStatus.ruler.errors, [], "acme does not see globex's errors");
  });
});

describe("the ruler on the platform's jobs", () => {
  it('its schedule is enabled while there are rules, runs as a job and records the run; deleting the rules resolves their alerts and disables it', async () => {
    await t.close();
    t = await startApp({ RULER_INTERVAL_SECONDS: '1', JOBS_POLL_MS: '50', JOBS_SCHEDULE_TICK_MS: '100' }, dataDir);
    const schedule = (await t.svc.jobs.schedules.list()).find((s) => s.name === RULER_SCHEDULE);
    assert.equal(schedule?.enabled, true, 'there is an enabled rule');
    assert.equal(schedule?.cron, '* * * * * *');
    await waitUntil('a ruler job ran', 20_000, async () => (await t.svc.jobs.list({ kind: RULER_KIND, state: 'succeeded', tenant: null, limit: 5 })).length > 0);
    const run = await t.svc.ruler.state.lastRun();
    assert.ok(run && Date.now() - Date.parse(run.run_at) < 30_000, `a recent run: ${JSON.stringify(run)}`);
    assert.equal(run?.instance, t.svc.jobs.instanceId);
    const status = (await api('GET', '/monitoring/status')).json() as { ruler: { interval_seconds: number; last_run: { at: string } | null; mode: string } };
    assert.equal(status.ruler.interval_seconds, 1);
    assert.equal(status.ruler.mode, 'incidents');
    assert.ok(status.ruler.last_run);
    for (const r of ['msg-send-failures', 'no-logins-2']) {
      assert.equal((await api('DELETE', `/v1/alerts/event-rules/${r}`)).statusCode, 200);
    }
    await waitUntil('the alerts of the deleted rules resolved and the schedule disabled', 20_000, async () => {
      const s = (await t.svc.jobs.schedules.list()).find((x) => x.name === RULER_SCHEDULE);
      return s?.enabled === false;
    });
    assert.deepEqual((await t.svc.ruler.state.list()).filter((a) => a.state !== 'resolved'), [], 'nothing pending or firing is left');
  });
});
