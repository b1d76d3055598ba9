import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { freePort, spawnCaptured, waitForHttp, waitUntil, type Spawned } from './child-process.js';
import { createTenant, startApp, tempDir, type TestApp } from './helpers.js';

/**
 * Incidents fed by a real Alertmanager 0.25 (Debian package `prometheus-alertmanager`; ALERTMANAGER_BIN, AMTOOL_BIN),
 * started here with its own configuration (checked by the real amtool), storage dir, a free loopback port and
 * clustering off. Its webhook receiver points at the backend under test (listening on a free port) with
 * `http_config.authorization` carrying ALERTMANAGER_WEBHOOK_SECRET as Bearer; a second receiver carries a wrong secret.
 * Alerts go in through Alertmanager's own API (`POST /api/v2/alerts`); what comes out is Alertmanager's notification,
 * grouping and repeats as it does them:
 * - a firing alert opens an incident with Alertmanager's group key and fingerprint; repeats (repeat_interval 2s) are
 *   counted on the one notification, never a second incident; an alert joining the group joins the incident;
 * - an acknowledge holds while Alertmanager keeps repeating the group;
 * - resolving through Alertmanager (endsAt in the past) resolves the incident; firing again opens a new one;
 * - a receiver with the wrong secret gets 401s (Alertmanager counts the failed notifications) and opens nothing.
 *
 *   cd backend && node --import tsx --test test/incidents-alertmanager.test.ts
 */
const SECRET = 'am-webhook-secret-for-the-real-alertmanager';
const run = promisify(execFile);

let t: TestApp;
let am: { url: string; proc: Spawned; dir: string };
let acmeAdmin = '';
const webhookAnswers: number[] = [];

interface AmAlert {
  fingerprint: string;
  startsAt: string;
  labels: Record<string, string>;
  status: { state: string };
}
interface Ev {
  kind: string;
  actor: { type: string; name: string | null };
  notification_id: string | null;
  repeats: number | null;
}
interface Incident {
  id: string;
  group_key: string;
  tenant_id: string | null;
  state: string;
  title: string;
  severity: string;
  runbook_url: string | null;
  via: string;
  receiver: string;
  external_url: string;
  acknowledged_by: { name: string | null } | null;
  resolved_by: { type: string } | null;
  alerts_total: number;
  alerts: Array<{ fingerprint: string; status: string; starts_at: string; ends_at: string | null }>;
  timeline: Ev[];
}

async function amPost(alerts: unknown[]): Promise<void> {
  const res = await fetch(`${am.url}/api/v2/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(alerts) });
  assert.equal(res.status, 200, await res.text());
}
async function amAlerts(filter: string): Promise<AmAlert[]> {
  const res = await fetch(`${am.url}/api/v2/alerts?filter=${encodeURIComponent(filter)}`);
  return (await res.json()) as AmAlert[];
}
const api = async (method: 'GET' | 'POST', url: string, headers = t.admin) => {
  const res = await t.app.inject({ method, url, headers });
  assert.ok(res.statusCode < 300, `${method} ${url}: ${res.statusCode} ${res.body}`);
  return res.json() as unknown;
};
const incidentsOf = async (alertname: string, tenant = 'acme') =>
  ((await api('GET', `/v1/incidents?tenant_id=${tenant}&limit=500`)) as { incidents: Incident[] }).incidents.filter((i) => i.group_key.includes(`alertname="${alertname}"`));
const incident = async (id: string) => (await api('GET', `/v1/incidents/${id}`)) as Incident;

const errorRate = (over: Record<string, string> = {}) => ({
  labels: { alertname: 'HighErrorRate', tenant_id: 'acme', severity: 'critical', service: 'api-gateway', ...over },
  annotations: { summary: 'Error rate above 1% for acme', runbook_url: 'https://runbooks.example.com/error-rate' },
  generatorURL: 'http://prometheus.example.com/graph?g0.expr=caas_error_rate',
});

before(async () => {
  t = await startApp({ ALERTMANAGER_WEBHOOK_SECRET: SECRET, JOBS_POLL_MS: '100' }, undefined, (app) => {
    app.addHook('onResponse', async (req, reply) => {
      if (req.url === '/v1/alertmanager/webhook') {
        webhookAnswers.push(reply.statusCode);
      }
    });
  });
  await createTenant(t, 'acme');
  const k = await t.app.inject({ method: 'POST', url: '/v1/keys', headers: t.admin, payload: { tenant_id: 'acme', role: 'tenant-admin', name: 'oncall-bob' } });
  acmeAdmin = (k.json() as { key: string }).key;
  const backend = await t.app.listen({ port: 0, host: '127.0.0.1' });
  const hook = `${backend}/v1/alertmanager/webhook`;
  const dir = tempDir('caas-alertmanager-');
  const configFile = join(dir, 'alertmanager.yml');
  writeFileSync(
    configFile,
    `route:
  receiver: caas
  group_by: ['alertname', 'tenant_id']
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 2s
  routes:
    - matchers: ['tenant_id="intruder"']
      receiver: wrong-secret
receivers:
  - name: caas
    webhook_configs:
      - url: ${JSON.stringify(hook)}
        send_resolved: true
        http_config:
          authorization:
            type: Bearer
            credentials: ${JSON.stringify(SECRET)}
  - name: wrong-secret
    webhook_configs:
      - url: ${JSON.stringify(hook)}
        send_resolved: true
        http_config:
          authorization:
            credentials: 'not-the-secret-0123456789'
`
  );
  // the real amtool accepts the configuration before Alertmanager runs it
  const check = await run(process.env.AMTOOL_BIN ?? 'amtool', ['check-config', configFile]);
  assert.match(check.stdout, /SUCCESS/);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc = spawnCaptured(
    process.env.ALERTMANAGER_BIN ?? 'prometheus-alertmanager',
    [`--config.file=${configFile}`, `--storage.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address=', '--log.level=warn'],
    { cwd: dir }
  );
  am = { url, proc, dir };
  await waitForHttp(proc, `${url}/-/ready`, 60_000);
});

after(async () => {
  if (am && am.proc.child.exitCode === null && am.proc.child.signalCode === null) {
    am.proc.child.kill('SIGTERM');
    await am.proc.exited(20_000).catch(() => am.proc.child.kill('SIGKILL'));
  }
  await t?.close();
});

describe('incidents from a real Alertmanager 0.25', () => {
  let id = '';
  let first: AmAlert;

  it("a firing alert posted to Alertmanager comes back through its webhook as an incident: its group key, fingerprint and startsAt, still firing (Go's zero endsAt)", async () => {
    await amPost([errorRate({ instance: 'a' })]);
    await waitUntil('an incident for the alert', 30_000, async () => (await incidentsOf('HighErrorRate')).length === 1);
    [first] = (await amAlerts('alertname="HighErrorRate"')) as [AmAlert];
    const [listed] = await incidentsOf('HighErrorRate');
    id = (listed as Incident).id;
    const inc = await incident(id);
    assert.equal(inc.group_key, '{}:{alertname="HighErrorRate", tenant_id="acme"}');
    assert.equal(inc.via, 'alertmanager');
    assert.equal(inc.receiver, 'caas');
    assert.equal(inc.state, 'triggered');
    assert.equal(inc.title, 'Error rate above 1% for acme');
    assert.equal(inc.severity, 'critical');
    assert.equal(inc.runbook_url, 'https://runbooks.example.com/error-rate');
    assert.deepEqual(
      inc.alerts.map((a) => [a.fingerprint, a.status, a.ends_at]),
      [[first.fingerprint, 'firing', null]]
    );
    assert.equal(Date.parse(inc.alerts[0]?.starts_at ?? ''), Math.floor(Date.parse(first.startsAt)));
    assert.ok(webhookAnswers.every((s) => s === 200), `webhook answers: ${webhookAnswers.join(',')}`);
  });

  it("Alertmanager's repeats (repeat_interval 2s) are counted on the one notification: no second incident, no second timeline entry", async () => {
    await waitUntil('Alertmanager repeated the group', 30_000, async () => ((await incident(id)).timeline.find((e) => e.kind === 'triggered')?.repeats ?? 0) >= 2);
    assert.equal((await incidentsOf('HighErrorRate')).length, 1);
    const inc = await incident(id);
    assert.equal(inc.timeline.filter((e) => e.notification_id !== null).length, 1);
    assert.ok(webhookAnswers.length >= 3);
  });

  it('an alert joining the group joins the incident; an acknowledge holds while Alertmanager keeps repeating the group', async () => {
    await amPost([errorRate({ instance: 'b' })]);
    await waitUntil('the second alert joined', 30_000, async () => (await incident(id)).alerts_total === 2);
    assert.equal((await incidentsOf('HighErrorRate')).length, 1);
    const acked = (await api('POST', `/v1/incidents/${id}/acknowledge`, { authorization: `Bearer ${acmeAdmin}` })) as Incident;
    assert.equal(acked.state, 'acknowledged');
    assert.equal(acked.acknowledged_by?.name, 'oncall-bob');
    const answered = webhookAnswers.length;
    await waitUntil('two more repeats', 30_000, () => webhookAnswers.length >= answered + 2);
    const inc = await incident(id);
    assert.equal(inc.state, 'acknowledged');
    assert.equal(inc.timeline.filter((e) => e.kind === 'acknowledged').length, 1);
  });

  it('resolving through Alertmanager (endsAt in the past) resolves the incident; the alert firing again opens a new incident', async () => {
    const firing = await amAlerts('alertname="HighErrorRate"');
    assert.equal(firing.length, 2);
    const ended = new Date(Date.now() - 1000).toISOString();
    await amPost(firing.map((a) => ({ ...errorRate({ instance: a.labels.instance as string }), startsAt: a.startsAt, endsAt: ended })));
    await waitUntil('the incident resolved', 30_000, async () => (await incident(id)).state === 'resolved');
    const inc = await incident(id);
    assert.deepEqual(inc.resolved_by, { type: 'alertmanager', id: null, name: null });
    assert.ok(inc.alerts.every((a) => a.status === 'resolved' && a.ends_at !== null));
    assert.ok(inc.timeline.some((e) => e.kind === 'resolved' && e.actor.type === 'alertmanager'));
    await amPost([errorRate({ instance: 'a' })]);
    await waitUntil('a new incident for the same group', 30_000, async () => (await incidentsOf('HighErrorRate')).length === 2);
    const [newest] = await incidentsOf('HighErrorRate');
    assert.notEqual(newest?.id, id);
    assert.equal(newest?.state, 'triggered');
    assert.equal(newest?.group_key, inc.group_key);
    assert.equal((await incident(id)).state, 'resolved');
  });

  it("a receiver with the wrong secret gets 401s, which Alertmanager counts as failed notifications; it opens no incident", async () => {
    const failed = async () => {
      const text = await (await fetch(`${am.url}/metrics`)).text();
      const m = /^alertmanager_notifications_failed_total\{integration="webhook"\} (\d+)/m.exec(text);
      return Number(m?.[1] ?? 0);
    };
    const before = await failed();
    await amPost([{ labels: { alertname: 'Intruder', tenant_id: 'intruder', severity: 'critical' }, annotations: { summary: 'should not open' } }]);
    await waitUntil('Alertmanager failed to notify', 30_000, async () => (await failed()) > before);
    assert.ok(webhookAnswers.includes(401));
    const all = (await api('GET', '/v1/incidents?limit=500')) as { incidents: Incident[] };
    assert.ok(!all.incidents.some((i) => i.group_key.includes('Intruder')));
    const stored = await t.svc.db.query(`SELECT 1 FROM alert_notifications WHERE group_key LIKE '%Intruder%'`);
    assert.equal(stored.length, 0);
  });
});
