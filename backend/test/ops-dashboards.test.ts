/**
 * The operational dashboards on a real Prometheus (Debian's 2.42; issue "Alert management", live demo
 * platform): the backend runs as `npm start -- --demo` does (main.ts, its own process), Prometheus
 * scrapes the demo CAAS platform's /metrics (honor_labels, as deploy/prometheus/prometheus.yml does),
 * the backend's /metrics and itself every second, with the standard rule pack the backend hands it.
 *
 * 1. Quiet: no rule of the standard pack holds on the demo platform.
 * 2. Each fault, switched on through the API or `npx caas demo fault`, makes its own standard rule's
 *    expression true in Prometheus (and not the others'); the rules themselves go pending.
 * 3. Every PromQL target (and annotation) of every ops dashboard (dashboards/ops-*.json), with its
 *    variables interpolated as Grafana would (each query variable's values read from Prometheus: the
 *    "All" value and a single value), answers with data: at least one series with a number.
 * 4. The faults end by themselves: GET /v1/demo/faults is empty, caas_demo_fault_active is 0, the lag
 *    rule's expression is false again after the consumers catch up, and the rate-based rules' quantities
 *    over the last seconds are back under their thresholds (their 5-minute windows keep them true
 *    for up to 5 minutes, as in any Prometheus).
 *
 *   cd backend && node --import tsx --test test/ops-dashboards.test.ts
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { STANDARD_PACK } from '../src/alerts/metric-rules/pack.js';
import { run } from '../src/cli/caas.js';
import { FAULT_EFFECTS, FAULT_KINDS, type FaultKind } from '../src/demo/platform-metrics/faults.js';
import { freePort, spawnCaptured, waitUntil, type Spawned } from './child-process.js';
import { ADMIN_KEY, event, tempDir } from './helpers.js';
import { startPrometheus, type TestPrometheus } from './prometheus-support.js';

const backendDir = join(fileURLToPath(import.meta.url), '..', '..');
const dashboardsDir = join(backendDir, '..', 'dashboards');
const READY = '==== CAAS Observatory backend is ready ====';
const WEBHOOK_SECRET = 'ops-dashboards-webhook-secret-0123456789';
const admin = { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' };

let prom: TestPrometheus;
let backend: Spawned;
let base: string;
let demoMetrics: string;
let receiver: Server;
let receiverUrl: string;
let activity: NodeJS.Timeout | null = null;
const received: string[] = [];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const packExpr = (kind: FaultKind) => {
  const r = STANDARD_PACK.find((p) => p.id === FAULT_EFFECTS[kind].rule);
  assert.ok(r, `the pack has ${FAULT_EFFECTS[kind].rule}`);
  return r.expr;
};

interface Sample {
  metric: Record<string, string>;
  value?: [number, string];
  values?: Array<[number, string]>;
}
async function query(expr: string): Promise<Sample[]> {
  return (await prom.api<{ result: Sample[] }>(`query?query=${encodeURIComponent(expr)}`)).result;
}
async function queryRange(expr: string, seconds: number, step: number): Promise<Sample[]> {
  const end = Date.now() / 1000;
  return (await prom.api<{ result: Sample[] }>(`query_range?query=${encodeURIComponent(expr)}&start=${end - seconds}&end=${end}&step=${step}`)).result;
}
const numbers = (rs: Sample[]) => rs.flatMap((r) => [...(r.value ? [r.value] : []), ...(r.values ?? [])]).map(([, v]) => Number(v)).filter((v) => Number.isFinite(v));
const holds = async (expr: string) => (await query(expr)).length > 0;

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${base}${path}`, { method, headers: body === undefined ? { authorization: admin.authorization } : admin, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as unknown) : null };
}

/** The CLI's run() in this process (what bin/caas.mjs calls), for its refusals: exit code 2 and the message. */
async function cliHere(args: string[]): Promise<{ code: number; out: string }> {
  process.env.CAAS_URL = base;
  process.env.CAAS_ADMIN_KEY = ADMIN_KEY;
  const lines: string[] = [];
  try {
    await run(args, (s) => lines.push(s));
    return { code: 0, out: lines.join('\n') };
  } catch (e) {
    return { code: 2, out: (e as Error).message };
  }
}

/** `npx caas …` against the test backend, as its own process (bin/caas.mjs). */
async function cli(args: string[]): Promise<{ code: number | null; out: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, CAAS_URL: base, CAAS_ADMIN_KEY: ADMIN_KEY };
  const s = spawnCaptured(process.execPath, [join(backendDir, 'bin', 'caas.mjs'), ...args], { cwd: backendDir, env });
  const { code } = await s.exited(60_000);
  return { code, out: s.output() };
}

before(async () => {
  const port = await freePort();
  const demoPort = await freePort();
  base = `http://127.0.0.1:${port}`;
  demoMetrics = `http://127.0.0.1:${demoPort}`;
  prom = await startPrometheus({
    scrapeConfigs: (self) =>
      [
        `  - job_name: prometheus`,
        `    static_configs: [{ targets: ['${self}'] }]`,
        `  - job_name: caas-backend`,
        `    static_configs: [{ targets: ['127.0.0.1:${port}'] }]`,
        `  - job_name: caas-platform`,
        `    honor_labels: true`,
        `    static_configs: [{ targets: ['127.0.0.1:${demoPort}'] }]`,
      ].join('\n'),
  });
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      received.push(body);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hook`;

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: tempDir('caas-ops-dashboards-'),
    PORT: String(port),
    HOST: '127.0.0.1',
    DEMO_METRICS_PORT: String(demoPort),
    CAAS_ADMIN_KEY: ADMIN_KEY,
    PROMETHEUS_URL: prom.url,
    PROMETHEUS_RULES_DIR: prom.rulesDir,
    ALERTMANAGER_WEBHOOK_SECRET: WEBHOOK_SECRET,
    DELIVERY_ALLOW_PRIVATE: 'true', // the test's webhook receiver is on loopback
    LOG_LEVEL: 'warn',
    BATCH_MAX_AGE_MS: '200',
    JOBS_POLL_MS: '200',
  };
  for (const k of ['CLICKHOUSE_URL', 'DATABASE_URL', 'ALERTMANAGER_URL', 'MEILI_URL', 'SMTP_URL']) delete env[k];
  backend = spawnCaptured(process.execPath, ['--import', 'tsx', 'src/main.ts', '--demo', '--demo-no-search', '--demo-days', '1', '--demo-events-per-day', '300'], { cwd: backendDir, env });
  await waitUntil('the demo backend is ready', 120_000, () => {
    if (backend.child.exitCode !== null) throw new Error(`the backend exited with ${backend.child.exitCode}:\n${backend.output()}`);
    return backend.output().includes(READY);
  });
  // Prometheus scrapes all three targets
  await waitUntil('Prometheus scraping the backend, the demo platform and itself', 60_000, async () => {
    const up = await query('up == 1');
    return new Set(up.map((s) => s.metric.job)).size === 3;
  });
  // A live backend: events keep arriving (one of them bad: a dead letter), and webhooks go out.
  let n = 0;
  activity = setInterval(() => {
    n++;
    const events = Array.from({ length: 20 }, (_, i) => event({ user_id: `u${i}`, timestamp: Date.now() - 500 }));
    if (n % 10 === 0) events.push({ type: 'message_sent', tenant_id: 'acme', user_id: '', timestamp: 'yesterday' });
    void fetch(`${base}/v1/events`, { method: 'POST', headers: admin, body: JSON.stringify(events) }).catch(() => undefined);
    if (n % 15 === 1) void call('POST', '/v1/deliveries/test', { kind: 'webhook', url: receiverUrl }).catch(() => undefined);
  }, 300);
});

after(async () => {
  if (activity) clearInterval(activity);
  if (backend && backend.child.exitCode === null && backend.child.signalCode === null) {
    backend.child.kill('SIGTERM');
    await backend.exited(30_000).catch(() => backend.child.kill('SIGKILL'));
  }
  await prom?.stop();
  await new Promise<void>((r) => (receiver ? receiver.close(() => r()) : r()));
});

describe('the demo platform and the ops dashboards on a real Prometheus', () => {
  it('the demo backend serves the platform metrics and says where; Prometheus has the standard pack', async () => {
    assert.ok(backend.output().includes(`metrics    the demo platform's Prometheus target: ${demoMetrics}/metrics`), 'the ready block names the target');
    const faults = await call('GET', '/v1/demo/faults');
    assert.equal(faults.status, 200);
    assert.deepEqual((faults.json as { faults: unknown[]; metrics_url: string }).faults, []);
    assert.equal((faults.json as { metrics_url: string }).metrics_url, `${demoMetrics}/metrics`);
    const text = await (await fetch(`${demoMetrics}/metrics`)).text();
    assert.match(text, /^caas_messages_total\{tenant_id="acme",type="text",status="delivered"\} \d+$/m);
    const rules = (await prom.api<{ groups: Array<{ rules: Array<{ name: string }> }> }>('rules')).groups.flatMap((g) => g.rules.map((r) => r.name));
    for (const p of STANDARD_PACK) assert.ok(rules.includes(p.name), `${p.name} loaded`);
    // the demo's node and probe series keep their own instance (honor_labels)
    assert.deepEqual((await query('count by (instance) (node_load1)')).map((s) => s.metric.instance).sort(), ['caas-node-1:9100', 'caas-node-2:9100', 'caas-node-3:9100']);
  });

  it('quiet: no rule of the standard pack holds on the demo platform', async () => {
    await sleep(4_000); // a few scrapes for the rates
    for (const p of STANDARD_PACK) {
      assert.deepEqual(await query(p.expr), [], `${p.name} (${p.expr}) is false on a quiet platform`);
    }
    // and the quantities are there, under their thresholds
    assert.ok(numbers(await query(packExpr('error-spike').replace(/ > 0\.01$/, ''))).every((v) => v >= 0 && v < 0.01));
    assert.ok(numbers(await query('sum by (consumergroup, topic) (kafka_consumergroup_lag)')).length >= 5);
  });

  it('error-spike (API) and disconnect-storm (npx caas demo fault) make their own rules true, not the others', async () => {
    const spike = await call('POST', '/v1/demo/faults', { kind: 'error-spike', minutes: 1 });
    assert.equal(spike.status, 201, JSON.stringify(spike.json));
    const f = (spike.json as { fault: { kind: string; ends_at: string; rule: string } }).fault;
    assert.equal(f.kind, 'error-spike');
    assert.equal(f.rule, 'std-error-rate');
    assert.ok(Math.abs(Date.parse(f.ends_at) - Date.now() - 60_000) < 10_000, f.ends_at);

    const storm = await cli(['demo', 'fault', 'disconnect-storm', '--minutes', '1']);
    assert.equal(storm.code, 0, storm.out);
    assert.equal((JSON.parse(storm.out) as { fault: { kind: string } }).fault.kind, 'disconnect-storm');
    const listed = await cli(['demo', 'faults']);
    assert.deepEqual((JSON.parse(listed.out) as { faults: Array<{ kind: string }> }).faults.map((x) => x.kind).sort(), ['disconnect-storm', 'error-spike']);

    await waitUntil('HighErrorRate and SocketDisconnectStorm expressions true', 45_000, async () => (await holds(packExpr('error-spike'))) && (await holds(packExpr('disconnect-storm'))));
    assert.equal(await holds(packExpr('latency')), false, 'no latency without its fault');
    assert.equal(await holds(packExpr('lag')), false, 'no lag without its fault');
    await waitUntil('the rules pending in Prometheus', 15_000, async () => {
      const pending = await query('ALERTS{alertstate="pending"}');
      const names = new Set(pending.map((s) => s.metric.alertname));
      return names.has('HighErrorRate') && names.has('SocketDisconnectStorm');
    });
  });

  it('latency (API) and lag (npx caas) make theirs true; every ops dashboard target answers with data', async () => {
    assert.equal((await call('POST', '/v1/demo/faults', { kind: 'latency', minutes: 1 })).status, 201);
    const lag = await cli(['demo', 'fault', 'lag', '--minutes', '1']);
    assert.equal(lag.code, 0, lag.out);
    await waitUntil('HighLatency and KafkaConsumerLag expressions true', 45_000, async () => (await holds(packExpr('latency'))) && (await holds(packExpr('lag'))));
    const lagging = await query(packExpr('lag'));
    assert.deepEqual(lagging.map((s) => `${s.metric.consumergroup}/${s.metric.topic}`), ['caas-analytics/caas.events'], 'only the stalled group lags');

    // A rule with no `for` fires at once (so ALERTS has firing series), and Alertmanager's notification of
    // it reaches the backend's webhook and opens an incident (caas_incidents, incident jobs).
    const rule = await call('POST', '/v1/alerts/metric-rules', {
      id: 'demo-lag-now',
      name: 'DemoConsumerLagNow',
      group: 'caas-demo',
      expr: packExpr('lag'),
      for: '0s',
      severity: 'warning',
      annotations: { summary: 'The demo lag fault is on' },
    });
    assert.equal(rule.status, 201, JSON.stringify(rule.json));
    let firing: Array<{ labels: Record<string, string>; annotations: Record<string, string>; activeAt: string; state: string }> = [];
    await waitUntil('DemoConsumerLagNow firing', 30_000, async () => {
      firing = (await prom.api<{ alerts: typeof firing }>('alerts')).alerts.filter((a) => a.labels.alertname === 'DemoConsumerLagNow' && a.state === 'firing');
      return firing.length > 0;
    });
    const hook = await fetch(`${base}/v1/alertmanager/webhook`, {
      method: 'POST',
      headers: { authorization: `Bearer ${WEBHOOK_SECRET}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        version: '4',
        groupKey: '{}:{alertname="DemoConsumerLagNow"}',
        truncatedAlerts: 0,
        status: 'firing',
        receiver: 'caas-observatory',
        groupLabels: { alertname: 'DemoConsumerLagNow' },
        commonLabels: firing[0]!.labels,
        commonAnnotations: firing[0]!.annotations,
        externalURL: 'http://alertmanager.invalid',
        alerts: firing.map((a, i) => ({
          status: 'firing',
          labels: a.labels,
          annotations: a.annotations,
          startsAt: a.activeAt,
          endsAt: '0001-01-01T00:00:00Z',
          generatorURL: `${prom.url}/graph`,
          fingerprint: `00000000000000a${i}`,
        })),
      }),
    });
    assert.ok(hook.status < 300, `webhook: ${hook.status} ${await hook.text()}`);
    await waitUntil('the incident in caas_incidents', 30_000, async () => numbers(await query('sum(caas_incidents{state="triggered"})')).some((v) => v >= 1));
    await sleep(2_000); // a scrape of everything that followed

    const files = readdirSync(dashboardsDir).filter((f) => /^ops-.*\.json$/.test(f));
    assert.equal(files.length, 7, files.join(', '));
    const problems: string[] = [];
    let checked = 0;
    for (const file of files) {
      const d = JSON.parse(readFileSync(join(dashboardsDir, file), 'utf8')) as Dashboard;
      for (const values of await variableValues(d, problems, file)) {
        for (const { where, expr, instant } of targetsOf(d)) {
          const q = interpolate(expr, values);
          const leftover = /\$\{?[A-Za-z_]/.exec(q);
          if (leftover) {
            problems.push(`${file} ${where}: a variable is left after interpolation: ${q}`);
            continue;
          }
          try {
            const rs = instant ? await query(q) : await queryRange(q, 60, 5);
            checked++;
            if (numbers(rs).length === 0) problems.push(`${file} ${where} [${JSON.stringify(values)}]: no data for ${q}`);
          } catch (e) {
            problems.push(`${file} ${where}: ${(e as Error).message} for ${q}`);
          }
        }
      }
    }
    assert.deepEqual(problems, []);
    assert.ok(checked > 150, `${checked} queries checked`);
  });

  it('the faults end by themselves, and the platform is quiet again', async () => {
    const { json } = await call('GET', '/v1/demo/faults');
    const ends = (json as { faults: Array<{ ends_at: string }> }).faults.map((x) => Date.parse(x.ends_at));
    await sleep(Math.max(0, Math.max(Date.now(), ...ends) - Date.now()) + 3_000);
    assert.deepEqual(((await call('GET', '/v1/demo/faults')).json as { faults: unknown[] }).faults, [], 'none is on');
    assert.deepEqual(numbers(await query('caas_demo_fault_active')), [0, 0, 0, 0]);
    // the lag drains once the consumers run again: the rule's own expression turns false
    await waitUntil('KafkaConsumerLag expression false again', 90_000, async () => !(await holds(packExpr('lag'))));
    // the rate rules' quantities over the last seconds are back under their thresholds
    const recent = (kind: FaultKind) => packExpr(kind).replace(/\[(5m|2m)\]/g, '[4s]');
    await waitUntil('the rates back under their thresholds', 30_000, async () => {
      for (const kind of FAULT_KINDS) if (await holds(recent(kind))) return false;
      return true;
    });
    // the alerts end too: the rate rules' once their 5-minute windows pass (not waited for here), the lag ones now
    await waitUntil('the firing lag alert resolved', 15_000, async () => !(await query('ALERTS')).some((s) => s.metric.alertname === 'DemoConsumerLagNow'));
  });

  it('demo fault commands refuse what they cannot do, with a reason; clear ends a fault now', async () => {
    const bad = await cli(['demo', 'fault', 'meltdown']);
    assert.equal(bad.code, 2);
    assert.match(bad.out, /demo fault needs a kind: error-spike, latency, disconnect-storm, lag.*got 'meltdown'/);
    const minutes = await cliHere(['demo', 'fault', 'lag', '--minutes', '0']);
    assert.equal(minutes.code, 2);
    assert.match(minutes.out, /--minutes must be a number more than 0 and at most 1440/);
    assert.match((await cliHere(['demo', 'fault', 'clear', 'everything'])).out, /demo fault clear takes a kind to end .* got 'everything'/);
    const on = await cliHere(['demo', 'fault', 'latency', '--minutes', '5']);
    assert.equal(on.code, 0, on.out);
    const ended = await cliHere(['demo', 'fault', 'clear', 'latency']);
    assert.deepEqual((JSON.parse(ended.out) as { ended: Array<{ kind: string }> }).ended.map((x) => x.kind), ['latency']);
    assert.deepEqual(((await call('GET', '/v1/demo/faults')).json as { faults: unknown[] }).faults, []);
  });
});

// ---- Grafana's side: targets and variables of a dashboard, interpolated as Grafana does ----

interface Target {
  expr?: string;
  instant?: boolean;
  range?: boolean;
  refId: string;
}
interface Panel {
  title: string;
  targets?: Target[];
  panels?: Panel[];
}
interface Dashboard {
  panels: Panel[];
  annotations: { list: Array<{ name: string; expr?: string }> };
  templating: { list: Array<{ name: string; type: string; query?: unknown; includeAll?: boolean; allValue?: string; multi?: boolean }> };
}

function targetsOf(d: Dashboard): Array<{ where: string; expr: string; instant: boolean }> {
  const out: Array<{ where: string; expr: string; instant: boolean }> = [];
  const walk = (ps: Panel[]) => {
    for (const p of ps) {
      for (const t of p.targets ?? []) {
        if (t.expr) out.push({ where: `"${p.title}" ${t.refId}`, expr: t.expr, instant: t.instant === true && t.range !== true });
      }
      walk(p.panels ?? []);
    }
  };
  walk(d.panels);
  for (const a of d.annotations.list) if (a.expr) out.push({ where: `annotation "${a.name}"`, expr: a.expr, instant: false });
  return out;
}

/** Grafana's regex escape of a multi-value variable's value in a Prometheus query (prometheusSpecialRegexEscape). */
const regexEscape = (v: string) => v.replace(/\\/g, '\\\\\\\\').replace(/[$^*{}[\]'+?.()|]/g, '\\\\$&');

/**
 * The value sets to try: every query variable on "All" (its allValue), then every one on its first value
 * (as Prometheus lists them, sorted). Each variable's `label_values(metric, label)` must find values.
 */
async function variableValues(d: Dashboard, problems: string[], file: string): Promise<Array<Record<string, string>>> {
  const all: Record<string, string> = {};
  const first: Record<string, string> = {};
  for (const v of d.templating.list) {
    if (v.type !== 'query') continue;
    const m = /^label_values\((\w+),\s*(\w+)\)$/.exec(String(v.query));
    if (!m) {
      problems.push(`${file}: variable ${v.name} has a query this test does not read: ${String(v.query)}`);
      continue;
    }
    const values = await prom.api<string[]>(`label/${m[2]}/values?match[]=${encodeURIComponent(m[1]!)}`);
    if (values.length === 0) problems.push(`${file}: variable ${v.name} (${String(v.query)}) finds no values`);
    all[v.name] = v.includeAll ? (v.allValue ?? '.*') : regexEscape(values[0] ?? '');
    first[v.name] = v.multi ? regexEscape(values.sort()[0] ?? '') : (values.sort()[0] ?? '');
  }
  return Object.keys(all).length > 0 ? [all, first] : [{}];
}

/** What Grafana sends for a target: built-in intervals at a 15 s scrape setting's values, then the variables. */
function interpolate(expr: string, values: Record<string, string>): string {
  const builtins: Record<string, string> = { __rate_interval: '1m', __interval: '15s', __range: '5m' };
  return expr.replace(/\$\{(\w+)(?::\w+)?\}|\$(\w+)/g, (all, a?: string, b?: string) => {
    const name = (a ?? b) as string;
    return builtins[name] ?? values[name] ?? all;
  });
}
