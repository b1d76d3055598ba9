import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { SMTPServer } from 'smtp-server';
import { startAlertmanager, testConfig, type TestAlertmanager } from './alertmanager-support.js';
import { freePort, spawnCaptured, waitUntil, type Spawned } from './child-process.js';
import { verifySignature } from '../src/delivery/signature.js';
import { ADMIN_KEY, tempDir } from './helpers.js';
import { startPrometheus, type PromGroup, type TestPrometheus } from './prometheus-support.js';

/**
 * The whole alerting loop on real engines (issue "Alert management", Tests: "demo fault → Prometheus rule fires →
 * Alertmanager → webhook → incident → escalation steps → notifications, with acknowledge stopping the escalation and
 * the resolved notification closing the incident"):
 *
 * - the backend runs as `npm start -- --demo` runs it (src/main.ts, its own process, embedded ClickHouse and PGlite),
 *   with PROMETHEUS_URL / PROMETHEUS_RULES_DIR (it writes its rule file there and reloads Prometheus),
 *   ALERTMANAGER_URL, ALERTMANAGER_WEBHOOK_SECRET and SMTP_URL (a real SMTP server, npm `smtp-server`);
 * - a real Prometheus 2.42 scrapes the demo CAAS platform's /metrics and sends its alerts to a real Alertmanager 0.25
 *   running the configuration the backend generates (`GET /v1/alerts/alertmanager.yml`, only its group timings
 *   shortened for a test): every alert to the backend's webhook with the bearer secret;
 * - the standard pack's HighErrorRate rule, tuned through the API as an operator would for a short test (rate windows
 *   of 20 s instead of 5 m, `for` 5 s), fires when the demo's `error-spike` fault is switched on;
 * - the incident's escalation pages step 1 at once through the platform's channels — an email over SMTP, a Slack
 *   Block Kit message and a PagerDuty Events v2 trigger (local receivers stand in for Slack and PagerDuty) — the
 *   on-call person presses the Slack message's Acknowledge button (the signed link: opening it changes nothing, its
 *   form POSTs), PagerDuty is told `acknowledge`, step 2 (after a minute) never pages, the fault is cleared,
 *   Prometheus resolves the alert, Alertmanager sends the resolved notification, the incident is resolved by it and
 *   PagerDuty is told `resolve`;
 * - the same for an event rule over the backend's embedded ClickHouse: a tenant's message send failures above 2% over
 *   the last minute → the backend's ruler → Alertmanager → webhook → the tenant's incident → its own policy pages its
 *   signed webhook channel → a responder key acknowledges and step 2 never pages → the failures age out of the window →
 *   the ruler resolves the alert and Alertmanager's resolved notification closes the incident.
 *
 *   cd backend && node --import tsx --test test/alert-loop.test.ts      (~2.5 minutes)
 */
const backendDir = join(fileURLToPath(import.meta.url), '..', '..');
const READY = '==== CAAS Observatory backend is ready ====';
const SECRET = 'alert-loop-webhook-secret-0123456789';
const RESPONDER_KEY = 'alert-loop-responder-key-0123456789';
const admin = { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' };
const responder = { authorization: `Bearer ${RESPONDER_KEY}`, 'content-type': 'application/json' };

let prom: TestPrometheus;
let am: TestAlertmanager;
let backend: Spawned;
let base = '';
let smtp: SMTPServer;
let receiver: Server;
let receiverUrl = '';
const mails: Array<{ rcpt: string[]; raw: string; at: number }> = [];
const hooks: Array<{ path: string; body: string; at: number; signature: string | undefined }> = [];

interface TimelineEntry {
  kind: string;
  actor: { type: string; id: string | null; name: string | null };
  detail: unknown;
}
interface Incident {
  id: string;
  group_key: string;
  state: string;
  via: string;
  title: string;
  severity: string;
  acknowledged_by: { type: string; id: string | null } | null;
  resolved_by: { type: string } | null;
  created_at: string;
  timeline?: TimelineEntry[];
}

async function call<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = admin): Promise<{ status: number; json: T }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? { authorization: headers.authorization as string } : headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: (text ? JSON.parse(text) : null) as T };
}
async function ok<T>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<T> {
  const r = await call<T>(method, path, body, headers);
  assert.ok(r.status < 300, `${method} ${path}: ${r.status} ${JSON.stringify(r.json)}`);
  return r.json;
}

before(async () => {
  const port = await freePort();
  const demoPort = await freePort();
  base = `http://127.0.0.1:${port}`;

  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push({ raw: Buffer.concat(chunks).toString('utf8'), rcpt: session.envelope.rcptTo.map((r) => r.address), at: Date.now() });
        callback();
      });
    },
  });
  await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
  const smtpPort = (smtp.server.address() as AddressInfo).port;

  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      hooks.push({ path: req.url ?? '', body, at: Date.now(), signature: req.headers['x-caas-signature'] as string | undefined });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

  // Alertmanager first (the backend's ALERTMANAGER_URL), its receiver the backend's webhook on the port chosen above
  am = await startAlertmanager(testConfig(receiverUrl, { url: base, secret: SECRET }));
  prom = await startPrometheus({
    alertmanagers: [am.url.replace('http://', '')],
    scrapeConfigs: () => [`  - job_name: caas-platform`, `    honor_labels: true`, `    static_configs: [{ targets: ['127.0.0.1:${demoPort}'] }]`].join('\n'),
  });

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: tempDir('caas-alert-loop-'),
    PORT: String(port),
    HOST: '127.0.0.1',
    DEMO_METRICS_PORT: String(demoPort),
    CAAS_ADMIN_KEY: ADMIN_KEY,
    CAAS_RESPONDER_KEY: RESPONDER_KEY,
    PROMETHEUS_URL: prom.url,
    PROMETHEUS_RULES_DIR: prom.rulesDir,
    ALERTMANAGER_URL: am.url,
    ALERTMANAGER_WEBHOOK_SECRET: SECRET,
    SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
    PUBLIC_URL: base,
    DELIVERY_ALLOW_PRIVATE: 'true', // the test's receivers are on loopback
    LOG_LEVEL: 'warn',
    JOBS_POLL_MS: '200',
    RULER_INTERVAL_SECONDS: '5',
  };
  for (const k of ['CLICKHOUSE_URL', 'DATABASE_URL', 'MEILI_URL']) delete env[k];
  backend = spawnCaptured(process.execPath, ['--import', 'tsx', 'src/main.ts', '--demo', '--demo-no-search', '--demo-days', '1', '--demo-events-per-day', '200'], { cwd: backendDir, env });
  await waitUntil('the demo backend is ready', 120_000, () => {
    if (backend.child.exitCode !== null) throw new Error(`the backend exited with ${backend.child.exitCode}:\n${backend.output()}`);
    return backend.output().includes(READY);
  });
  await waitUntil('Prometheus scraping the demo platform', 60_000, async () => {
    const up = await prom.api<{ result: unknown[] }>(`query?query=${encodeURIComponent('up{job="caas-platform"} == 1')}`);
    return up.result.length === 1;
  });
});

after(async () => {
  if (backend && backend.child.exitCode === null && backend.child.signalCode === null) {
    backend.child.kill('SIGTERM');
    await backend.exited(30_000).catch(() => backend.child.kill('SIGKILL'));
  }
  await prom?.stop();
  await am?.stop();
  await new Promise<void>((r) => (smtp ? smtp.close(() => r()) : r()));
  await new Promise<void>((r) => (receiver ? receiver.close(() => r()) : r()));
});

describe('demo fault → Prometheus → Alertmanager → incident → escalation → resolved', () => {
  it('HighErrorRate fires on the error-spike fault, pages step 1 by email, Slack and PagerDuty, the Slack Acknowledge link stops step 2 and tells PagerDuty, the resolved notification closes the incident', { timeout: 300_000 }, async () => {
    // Alertmanager on the backend's generated configuration (group timings shortened for the test)
    const generated = await fetch(`${base}/v1/alerts/alertmanager.yml`, { headers: { authorization: admin.authorization } });
    assert.equal(generated.status, 200);
    const yml = (await generated.text()).replace(/group_wait: "[^"]+"/, 'group_wait: "1s"').replace(/group_interval: "[^"]+"/, 'group_interval: "1s"');
    assert.match(yml, new RegExp(`url: "${base}/v1/alertmanager/webhook"`));
    writeFileSync(am.configFile, yml);
    const reload = await fetch(`${am.url}/-/reload`, { method: 'POST' });
    assert.equal(reload.status, 200, await reload.text());
    const receivers = (await am.api<Array<{ name: string }>>('receivers')).map((r) => r.name);
    assert.deepEqual(receivers, ['caas-backend']);

    // the platform's channels: Slack and PagerDuty (local receivers stand in for them)
    await ok('POST', '/v1/alerts/channels', { kind: 'slack', name: 'ops slack', tenant_id: null, secret: { webhook_url: `${receiverUrl}/slack` } });
    await ok('POST', '/v1/alerts/channels', { kind: 'pagerduty', name: 'ops pagerduty', tenant_id: null, settings: { api_url: `${receiverUrl}/pagerduty` }, secret: { routing_key: 'R0UTINGKEY0123456789abcdef012345' } });

    // the platform's default policy: step 1 at once (email + Slack + PagerDuty), step 2 a minute later (a webhook)
    await ok('PUT', '/v1/escalation-policies/esc-default', {
      name: 'alert loop',
      tenant_id: null,
      is_default: true,
      steps: [
        {
          wait_minutes: 0,
          targets: [
            { type: 'channel', channel: 'email', address: 'oncall@example.com' },
            { type: 'channel', channel: 'slack' },
            { type: 'channel', channel: 'pagerduty' },
          ],
        },
        { wait_minutes: 1, targets: [{ type: 'channel', channel: 'webhook', address: `${receiverUrl}/step-2` }], important: true },
      ],
      reminder_minutes: null,
    });

    // the standard rule, tuned for a short test: 20 s windows, for 5 s
    const std = await ok<{ expr: string; name: string; group: string; severity: string; labels: Record<string, string>; annotations: unknown; tenant_id: null; enabled: boolean }>(
      'GET',
      '/v1/alerts/metric-rules/std-error-rate'
    );
    assert.match(std.expr, /\[5m\]/);
    await ok('PUT', '/v1/alerts/metric-rules/std-error-rate', {
      name: std.name,
      tenant_id: null,
      group: std.group,
      expr: std.expr.replaceAll('[5m]', '[20s]'),
      for: '5s',
      severity: std.severity,
      labels: std.labels,
      annotations: std.annotations,
      enabled: true,
    });
    await waitUntil('Prometheus loaded the tuned rule', 60_000, async () => {
      const groups = (await prom.api<{ groups: PromGroup[] }>('rules')).groups;
      const r = groups.flatMap((g) => g.rules).find((x) => x.name === 'HighErrorRate');
      return r !== undefined && r.duration === 5 && r.query.includes('[20s]');
    });
    const quiet = await ok<{ incidents: Incident[] }>('GET', '/v1/incidents?limit=100');
    assert.equal(quiet.incidents.filter((i) => i.group_key.includes('HighErrorRate')).length, 0, 'no incident before the fault');

    // the fault
    const faultAt = Date.now();
    await ok('POST', '/v1/demo/faults', { kind: 'error-spike', minutes: 3 });
    let inc: Incident | undefined;
    await waitUntil('an incident for HighErrorRate, through Alertmanager', 120_000, async () => {
      const list = await ok<{ incidents: Incident[] }>('GET', '/v1/incidents?limit=100');
      inc = list.incidents.find((i) => i.group_key.includes('alertname="HighErrorRate"'));
      return inc !== undefined;
    });
    assert.ok(inc);
    assert.equal(inc.via, 'alertmanager');
    assert.equal(inc.severity, 'critical');
    assert.equal(inc.state, 'triggered');
    const triggeredAt = Date.now();
    console.log(`# incident ${inc.id} ${Math.round((triggeredAt - faultAt) / 1000)} s after the fault`);

    // step 1 pages at once: the email (real SMTP), Slack (Block Kit) and PagerDuty (Events v2 trigger)
    await waitUntil('step 1: email, Slack and PagerDuty', 60_000, () => mails.some((m) => m.rcpt.includes('oncall@example.com')) && hooks.some((h) => h.path === '/slack') && hooks.some((h) => h.path === '/pagerduty'));
    const mail = mails.find((m) => m.rcpt.includes('oncall@example.com'));
    assert.ok(mail);
    assert.match(mail.raw, /Subject: .*(HighErrorRate|High error rate)/i);
    const pd = () => hooks.filter((h) => h.path === '/pagerduty').map((h) => JSON.parse(h.body) as { routing_key: string; event_action: string; dedup_key: string; payload?: { severity: string } });
    assert.deepEqual(pd().map((e) => [e.event_action, e.dedup_key, e.routing_key]), [['trigger', inc.id, 'R0UTINGKEY0123456789abcdef012345']]);
    assert.equal(pd()[0]?.payload?.severity, 'critical');
    const slack = JSON.parse(hooks.find((h) => h.path === '/slack')?.body ?? '{}') as { blocks?: Array<{ type: string; elements?: Array<{ action_id?: string; url?: string }> }> };
    const buttons = slack.blocks?.find((b) => b.type === 'actions')?.elements ?? [];
    const ackUrl = buttons.find((b) => b.action_id === 'acknowledge')?.url;
    assert.ok(ackUrl?.startsWith(`${base}/v1/incidents/${inc.id}/actions/acknowledge?link=`), `the Slack Acknowledge button: ${ackUrl}`);
    const link = ackUrl ?? '';

    // the on-call person presses Acknowledge in Slack: the page opens (nothing changes), its button POSTs
    const confirm = await fetch(link);
    assert.equal(confirm.status, 200);
    assert.match(await confirm.text(), /<form method="post"/);
    assert.equal((await ok<Incident>('GET', `/v1/incidents/${inc.id}`)).state, 'triggered', 'opening the link changed nothing');
    const acked = await fetch(link, { method: 'POST' });
    assert.equal(acked.status, 200, await acked.text());
    assert.equal((await ok<Incident>('GET', `/v1/incidents/${inc.id}`)).acknowledged_by?.type, 'link');
    await waitUntil('PagerDuty told acknowledge', 30_000, () => pd().some((e) => e.event_action === 'acknowledge' && e.dedup_key === inc?.id));

    // the fault ends; Prometheus resolves the alert, Alertmanager sends the resolved notification
    await ok('DELETE', '/v1/demo/faults');
    let done: Incident | undefined;
    await waitUntil('the incident resolved by Alertmanager', 150_000, async () => {
      done = await ok<Incident>('GET', `/v1/incidents/${inc?.id}`);
      return done.state === 'resolved';
    });
    assert.ok(done);
    assert.equal(done.resolved_by?.type, 'alertmanager');
    assert.equal(done.acknowledged_by?.type, 'link');
    await waitUntil('PagerDuty told resolve', 30_000, () => pd().some((e) => e.event_action === 'resolve' && e.dedup_key === inc?.id));

    // step 2 was due a minute after the trigger: it never pages
    const due = triggeredAt + 60_000 + 10_000;
    if (Date.now() < due) {
      await new Promise((r) => setTimeout(r, due - Date.now()));
    }
    assert.equal(hooks.filter((h) => h.path === '/step-2').length, 0, 'acknowledge stopped step 2');
    assert.equal(hooks.filter((h) => h.path === '/slack').length, 1, 'step 1 paged Slack once');
    assert.deepEqual(pd().map((e) => e.event_action), ['trigger', 'acknowledge', 'resolve']);

    const kinds = ((await ok<Incident>('GET', `/v1/incidents/${inc.id}`)).timeline ?? []).map((e) => e.kind);
    for (const k of ['triggered', 'acknowledged', 'resolved']) {
      assert.ok(kinds.includes(k), `timeline has ${k}: ${kinds.join(', ')}`);
    }
  });

  it('an event rule over the embedded ClickHouse: send failures of one tenant → ruler → Alertmanager → its incident → its signed webhook channel → a responder acknowledges, step 2 never pages → the failures age out → resolved', { timeout: 300_000 }, async () => {
    await ok('POST', '/v1/tenants', { id: 'loop', name: 'Loop Inc' });
    const signingSecret = 'loop-channel-signing-secret-0123456789';
    await ok('POST', '/v1/alerts/channels', { kind: 'webhook', name: 'loop hook', tenant_id: 'loop', settings: { url: `${receiverUrl}/loop` }, secret: { signing_secret: signingSecret } });
    await ok('POST', '/v1/escalation-policies', {
      id: 'loop-oncall',
      name: 'loop on-call',
      tenant_id: 'loop',
      is_default: true,
      steps: [
        { wait_minutes: 0, targets: [{ type: 'channel', channel: 'webhook' }] },
        { wait_minutes: 1, targets: [{ type: 'channel', channel: 'webhook', address: `${receiverUrl}/loop-step-2` }], important: true },
      ],
    });
    await ok('POST', '/v1/alerts/event-rules', {
      id: 'loop-send-failures',
      name: 'MessageSendFailures',
      tenant_id: 'loop',
      window: '1m',
      queries: {
        A: { kind: 'timeseries', metric: { type: 'events' }, event_types: ['message_sent'], filters: [{ field: 'properties.status', op: '=', value: 'failed' }] },
        B: { kind: 'timeseries', metric: { type: 'events' }, event_types: ['message_sent'] },
      },
      condition: { expression: 'A / B', reducer: 'sum', op: '>', threshold: 0.02 },
      for: '0s',
      keep_firing_for: '0s',
      interval: '5s',
      severity: 'critical',
      annotations: { summary: '{{ $value | humanizePercentage }} of sends failed for {{ $labels.tenant_id }}' },
    });

    // 40 sends, 6 of them failed (15%), just now
    const now = Date.now();
    const events = Array.from({ length: 40 }, (_, i) => ({ type: 'message_sent', tenant_id: 'loop', user_id: `u${i}`, timestamp: now - 5_000 + i * 10, properties: { status: i < 6 ? 'failed' : 'ok' } }));
    await ok('POST', '/v1/events', events);

    let inc: Incident | undefined;
    await waitUntil("the tenant's incident, through the ruler and Alertmanager", 90_000, async () => {
      const list = await ok<{ incidents: Array<Incident & { tenant_id: string | null }> }>('GET', '/v1/incidents?tenant_id=loop&limit=50');
      inc = list.incidents.find((i) => i.group_key.includes('MessageSendFailures'));
      return inc !== undefined;
    });
    assert.ok(inc);
    assert.equal(inc.via, 'alertmanager');
    assert.match(inc.title, /of sends failed for loop/);
    const triggeredAt = Date.now();

    // step 1: the tenant's own webhook channel, signed with its secret
    await waitUntil("step 1: the tenant's webhook channel", 60_000, () => hooks.some((h) => h.path === '/loop'));
    const hook = hooks.find((h) => h.path === '/loop');
    assert.ok(hook);
    assert.ok(verifySignature(signingSecret, hook.signature, hook.body), 'signed with the channel secret');
    assert.equal((JSON.parse(hook.body) as { incident?: { id: string } }).incident?.id, inc.id);

    // a responder acknowledges (what a Grafana Editor's route sends)
    await ok('POST', `/v1/incidents/${inc.id}/acknowledge`, undefined, responder);

    // no more failures: they leave the one-minute window, the ruler resolves, Alertmanager notifies the resolution
    let done: Incident | undefined;
    await waitUntil('the incident resolved by Alertmanager', 150_000, async () => {
      done = await ok<Incident>('GET', `/v1/incidents/${inc?.id}`);
      return done.state === 'resolved';
    });
    assert.equal(done?.resolved_by?.type, 'alertmanager');
    assert.equal(done?.acknowledged_by?.type, 'key');
    const due = triggeredAt + 70_000;
    if (Date.now() < due) {
      await new Promise((r) => setTimeout(r, due - Date.now()));
    }
    assert.equal(hooks.filter((h) => h.path === '/loop-step-2').length, 0, 'acknowledge stopped step 2');
    assert.equal(hooks.filter((h) => h.path === '/loop').length, 1, 'step 1 paged once');
  });
});
