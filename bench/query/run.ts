/**
 * Query benchmark: every analytics panel kind through AnalyticsService.query (rollup planner, "auto")
 * against the same question forced onto the raw events table ({ forceRaw: true }), in one run on one
 * machine. Method and last results: bench/README.md.
 *
 *   npx tsx bench/query/run.ts            (from the repository root)
 *
 * Environment: BENCH_EVENTS (10000000), BENCH_TENANTS (5), BENCH_DAYS (90), BENCH_RANGE_DAYS (30),
 * BENCH_RUNS (20), BENCH_CHUNK (200000), BENCH_SEED (42), BENCH_KEEP_DATA=1 keeps
 * bench/query/.data/<run>, BENCH_REUSE_DIR=<a kept run's directory> skips the load and queries it again
 * (same BENCH_EVENTS/TENANTS/DAYS; the window ends where that run's generator ended), BENCH_NO_README=1
 * leaves bench/README.md alone.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { loadConfig } from '../../backend/src/config/config.js';
import type { AnalyticsQuery } from '../../backend/src/contracts/analytics.js';
import { generateEvents } from '../../backend/src/demo/generator.js';
import { chTime } from '../../backend/src/ingest/enrich.js';
import { createLogger } from '../../backend/src/observability/logger.js';
import { createServices } from '../../backend/src/services.js';
import { envInt, log, replaceReadmeBlock, ROOT } from '../common.js';


/**
 * Two corpora of BENCH_EVENTS events, loaded and queried one after the other in the same run:
 * `one-tenant` puts all of them in the queried tenant's 30-day panel range (the "panel queries
 * on 10M events"); `five-tenants` spreads them over 5 tenants and 90 days, so a 30-day panel of one
 * tenant holds about 6 % of them.
 */
const SCENARIOS = {
  'one-tenant': { tenants: 1, days: 30, rangeDays: 30 },
  'five-tenants': { tenants: 5, days: 90, rangeDays: 30 },
} as const;
type ScenarioName = keyof typeof SCENARIOS;

const common = {
  events: envInt('BENCH_EVENTS', 10_000_000),
  runs: envInt('BENCH_RUNS', 20),
  chunk: envInt('BENCH_CHUNK', 200_000),
  seed: envInt('BENCH_SEED', 42, 0),
};

function scenarioConfig(name: ScenarioName) {
  const s = SCENARIOS[name];
  return {
    ...common,
    tenants: envInt('BENCH_TENANTS', s.tenants),
    days: envInt('BENCH_DAYS', s.days),
    rangeDays: envInt('BENCH_RANGE_DAYS', s.rangeDays),
  };
}
type Cfg = ReturnType<typeof scenarioConfig>;

function scenarioNames(): ScenarioName[] {
  const raw = process.env.BENCH_SCENARIOS?.trim();
  const names = raw ? raw.split(',').map((x) => x.trim()) : Object.keys(SCENARIOS);
  for (const n of names) {
    if (!(n in SCENARIOS)) throw new Error(`BENCH_SCENARIOS: unknown scenario '${n}' (use ${Object.keys(SCENARIOS).join(', ')})`);
  }
  return names as ScenarioName[];
}

const round = (x: number, digits = 1): number => Number(x.toFixed(digits));

function percentile(sorted: number[], p: number): number {
  // nearest-rank
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? NaN;
}

interface Case {
  name: string;
  q: AnalyticsQuery;
}

function cases(tenant: string, from: string, to: string): Case[] {
  const base = { tenant_id: tenant, from, to };
  return [
    { name: 'timeseries: events by day, group_by platform', q: { kind: 'timeseries', ...base, metric: { type: 'events' }, granularity: 'day', group_by: ['platform'] } },
    { name: 'timeseries: unique_users by hour', q: { kind: 'timeseries', ...base, metric: { type: 'unique_users' }, granularity: 'hour' } },
    { name: 'timeseries: events by week, group_by type', q: { kind: 'timeseries', ...base, metric: { type: 'events' }, granularity: 'week', group_by: ['type'] } },
    { name: 'active_users (DAU/WAU/MAU)', q: { kind: 'active_users', ...base } },
    { name: 'retention: login → message_sent, day × 7', q: { kind: 'retention', ...base, cohort_event: 'login', return_event: 'message_sent', period: 'day', periods: 7 } },
    {
      name: 'funnel: login → message_sent → file_shared, 1 h',
      q: { kind: 'funnel', ...base, steps: [{ event_type: 'login' }, { event_type: 'message_sent' }, { event_type: 'file_shared' }], window_seconds: 3600 },
    },
    { name: 'cohorts: week', q: { kind: 'cohorts', ...base, period: 'week' } },
    { name: 'top_n: properties.message_type', q: { kind: 'top_n', ...base, field: 'properties.message_type' } },
    { name: 'heatmap (UTC)', q: { kind: 'heatmap', ...base } },
    { name: 'geo', q: { kind: 'geo', ...base } },
    { name: 'adoption: call_started', q: { kind: 'adoption', ...base, feature_event: 'call_started' } },
  ] as Case[];
}

interface Result {
  name: string;
  kind: string;
  source: string;
  rawSource: string;
  autoP50: number;
  autoP95: number;
  rawP50: number;
  rawP95: number;
  ratioP50: number;
  ratioP95: number;
  rows: number;
}

async function main(): Promise<void> {
  const names = scenarioNames();
  const reuse = process.env.BENCH_REUSE_DIR?.trim();
  if (reuse && names.length !== 1) throw new Error('BENCH_REUSE_DIR needs exactly one scenario: set BENCH_SCENARIOS too');
  const summaries: Summary[] = [];
  for (const name of names) summaries.push(await runScenario(name, scenarioConfig(name), reuse));
  process.stdout.write(JSON.stringify(summaries, null, 2) + '\n');
}

async function runScenario(scenario: ScenarioName, cfg: Cfg, reuse: string | undefined): Promise<Summary> {
  log(`scenario ${scenario}`);
  const runId = `${scenario}-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  const commit = gitHead(); // the backend code this process loaded
  const dataDir = reuse ? resolve(reuse) : join(ROOT, 'bench', 'query', '.data', runId);
  mkdirSync(dataDir, { recursive: true });
  const config = loadConfig({ DATA_DIR: dataDir, CAAS_ADMIN_KEY: randomBytes(24).toString('hex'), TENANT_RATE_LIMIT: '0' });
  const svc = await createServices(config, createLogger('warn', []));
  let ok = false;
  let summary: Summary;
  try {
    const tenantIds = Array.from({ length: cfg.tenants }, (_, i) => `qbench-${String(i + 1).padStart(2, '0')}`);
    if (!reuse) for (const t of tenantIds) await svc.tenants.create(t, t);

    // ---- load: generator → events-table NDJSON rows → INSERT (the materialized views fill the rollups)
    const endFile = join(dataDir, 'bench-end.txt');
    const end = reuse ? new Date(Number(readFileSync(endFile, 'utf8'))) : new Date();
    if (!reuse) writeFileSync(endFile, String(end.getTime()));
    const eventsPerDay = Math.ceil((cfg.events / (cfg.tenants * cfg.days)) * 1.08);
    const receivedAt = chTime(end.getTime());
    const q = JSON.stringify;
    log(`loading ${cfg.events.toLocaleString('en-US')} events (${cfg.tenants} tenants, ${cfg.days} days) in chunks of ${cfg.chunk.toLocaleString('en-US')}`);
    const t0 = performance.now();
    let genMs = 0;
    let insMs = 0;
    let lines: string[] = [];
    let count = 0;
    let chunkNo = 0;
    const flush = async (): Promise<void> => {
      if (lines.length === 0) return;
      const text = lines.join('\n') + '\n';
      lines = [];
      const ti = performance.now();
      await svc.store.insertNdjson('events', text, `qbench-${runId}-${chunkNo++}`);
      insMs += performance.now() - ti;
    };
    let tg = performance.now();
    for (const e of reuse ? [] : generateEvents({
      seed: cfg.seed,
      tenants: tenantIds,
      days: cfg.days,
      end,
      usersPerTenant: Math.max(100, Math.round(cfg.events / cfg.tenants / 100)),
      eventsPerDay,
    })) {
      const c = e.context;
      lines.push(
        `{"event_id":${q(e.event_id)},"tenant_id":${q(e.tenant_id)},"type":${q(e.type)},"user_id":${q(e.user_id)},` +
          `"timestamp":"${chTime(e.timestamp)}","received_at":"${receivedAt}","properties":${q(e.properties)},` +
          `"device":${q(c.device)},"platform":${q(c.platform)},"app_version":${q(c.app_version)},"country":${q(c.country)}}`
      );
      const last = ++count === cfg.events;
      if (lines.length >= cfg.chunk || last) {
        genMs += performance.now() - tg;
        await flush();
        if (chunkNo % 10 === 0) log(`  ${count.toLocaleString('en-US')} events`);
        tg = performance.now();
      }
      if (last) break;
    }
    genMs += performance.now() - tg;
    await flush();
    const loadS = (performance.now() - t0) / 1000;
    // let the background merges the load started finish (bounded), so the queries see a settled table
    const tm = performance.now();
    for (;;) {
      const [{ n: merges } = { n: '0' }] = await svc.store.query<{ n: string }>('SELECT count() AS n FROM system.merges');
      if (Number(merges) === 0 || performance.now() - tm > 180_000) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    const settleS = (performance.now() - tm) / 1000;
    const [{ n: parts } = { n: '0' }] = await svc.store.query<{ n: string }>(
      "SELECT count() AS n FROM system.parts WHERE active AND database = currentDatabase() AND table = 'events'"
    );
    log(`merges settled after ${settleS.toFixed(1)} s; events has ${parts} active parts`);
    if (reuse) count = cfg.events;
    if (count < cfg.events) throw new Error(`the generator produced ${count} events, fewer than ${cfg.events}`);
    const [{ n: stored } = { n: '0' }] = await svc.store.query<{ n: string }>('SELECT count() AS n FROM events');
    const [{ v: chVersion } = { v: '?' }] = await svc.store.query<{ v: string }>('SELECT version() AS v');
    const tenant = tenantIds[0]!;
    const [{ n: tenantEvents } = { n: '0' }] = await svc.store.query<{ n: string }>(
      'SELECT count() AS n FROM events WHERE tenant_id = {t:String}',
      { t: tenant }
    );
    if (!reuse) log(`loaded ${Number(stored).toLocaleString('en-US')} rows in ${loadS.toFixed(1)} s (generate ${(genMs / 1000).toFixed(1)} s, insert ${(insMs / 1000).toFixed(1)} s)`);
    if (Number(stored) !== cfg.events) throw new Error(`events holds ${stored} rows, expected ${cfg.events}`);

    // ---- queries
    const toMs = end.getTime();
    const fromMs = toMs - cfg.rangeDays * 86_400_000;
    const from = new Date(fromMs).toISOString();
    const to = new Date(toMs).toISOString();
    const [{ n: rangeEvents } = { n: '0' }] = await svc.store.query<{ n: string }>(
      `SELECT count() AS n FROM events WHERE tenant_id = {t:String} AND timestamp >= fromUnixTimestamp64Milli({f:Int64}) AND timestamp < fromUnixTimestamp64Milli({to:Int64})`,
      { t: tenant, f: fromMs, to: toMs }
    );
    log(`queries on tenant ${tenant} (${Number(tenantEvents).toLocaleString('en-US')} events, ${Number(rangeEvents).toLocaleString('en-US')} in the last ${cfg.rangeDays} days), ${cfg.runs} runs each way`);
    const results: Result[] = [];
    const loadBefore = os.loadavg()[0] ?? 0;
    for (const c of cases(tenant, from, to)) {
      const time = async (forceRaw: boolean): Promise<{ ms: number[]; source: string; rows: number }> => {
        const first = await svc.analytics.query(c.q, tenant, { forceRaw }); // warm-up
        const ms: number[] = [];
        for (let i = 0; i < cfg.runs; i++) {
          const t = performance.now();
          await svc.analytics.query(c.q, tenant, { forceRaw });
          ms.push(performance.now() - t);
        }
        ms.sort((a, b) => a - b);
        const rows = first.frames.reduce((n, f) => n + (f.fields[0]?.values.length ?? 0), 0);
        return { ms, source: first.meta.source, rows };
      };
      const auto = await time(false);
      const raw = await time(true);
      const r: Result = {
        name: c.name,
        kind: c.q.kind,
        source: auto.source,
        rawSource: raw.source,
        autoP50: percentile(auto.ms, 50),
        autoP95: percentile(auto.ms, 95),
        rawP50: percentile(raw.ms, 50),
        rawP95: percentile(raw.ms, 95),
        ratioP50: 0,
        ratioP95: 0,
        rows: auto.rows,
      };
      r.ratioP50 = r.rawP50 / r.autoP50;
      r.ratioP95 = r.rawP95 / r.autoP95;
      results.push(r);
      log(`  ${c.name}: ${r.source} p50 ${r.autoP50.toFixed(1)} / p95 ${r.autoP95.toFixed(1)} ms; raw p50 ${r.rawP50.toFixed(1)} / p95 ${r.rawP95.toFixed(1)} ms; ×${r.ratioP95.toFixed(1)}`);
    }

    const loadAfter = os.loadavg()[0] ?? 0;
    summary = {
      scenario,
      date: new Date().toISOString(),
      reused: Boolean(reuse),
      commit,
      settle_seconds: round(settleS),
      events_parts: Number(parts),
      loadavg_1m: [round(loadBefore, 2), round(loadAfter, 2)],
      events: cfg.events,
      tenants: cfg.tenants,
      days: cfg.days,
      range_days: cfg.rangeDays,
      runs: cfg.runs,
      tenant,
      tenant_events: Number(tenantEvents),
      range_events: Number(rangeEvents),
      load_seconds: round(loadS),
      generate_seconds: round(genMs / 1000),
      insert_seconds: round(insMs / 1000),
      machine: {
        cpus: os.cpus().length,
        cpu_model: os.cpus()[0]?.model ?? '?',
        memory_gib: round(os.totalmem() / 2 ** 30),
        os: `${os.type()} ${os.release()} ${os.arch()}`,
        node: process.version,
        chdb_engine: chVersion,
      },
      results: results.map((r) => ({
        ...r,
        autoP50: round(r.autoP50),
        autoP95: round(r.autoP95),
        rawP50: round(r.rawP50),
        rawP95: round(r.rawP95),
        ratioP50: round(r.ratioP50),
        ratioP95: round(r.ratioP95),
      })),
    };
    if (process.env.BENCH_NO_README !== '1') writeReadme(summary);
    ok = true;
  } finally {
    await svc.close();
    if (process.env.BENCH_KEEP_DATA !== '1' && !reuse && ok) rmSync(dataDir, { recursive: true, force: true });
  }
  return summary;
}

type Summary = {
  scenario: ScenarioName;
  date: string;
  events: number;
  tenants: number;
  days: number;
  range_days: number;
  runs: number;
  tenant: string;
  tenant_events: number;
  range_events: number;
  load_seconds: number;
  generate_seconds: number;
  insert_seconds: number;
  reused: boolean;
  commit: string;
  settle_seconds: number;
  events_parts: number;
  loadavg_1m: number[];
  machine: { cpus: number; cpu_model: string; memory_gib: number; os: string; node: string; chdb_engine: string };
  results: Result[];
};

/** The commit the backend code was read from (with "+dirty" when the working tree differs). */
function gitHead(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'backend/src'], { cwd: ROOT, encoding: 'utf8' }).trim();
    return dirty ? `${head}+dirty` : head;
  } catch {
    return '?';
  }
}

function writeReadme(s: Summary): void {
  const n = (x: number): string => x.toLocaleString('en-US');
  const ms = (x: number): string => x.toFixed(1);
  const rollup = s.results.filter((r) => r.source !== 'raw');
  const lines = [
    `**Scenario \`${s.scenario}\`.** Last run: ${s.date} — ${n(s.events)} events (${s.tenants} tenants, ${s.days} days); queries on tenant \`${s.tenant}\` ` +
      `(${n(s.tenant_events)} events, ${n(s.range_events)} in the queried last ${s.range_days} days); ${s.runs} timed runs per side after one warm-up; backend at commit \`${s.commit}\`.`,
    '',
    `Machine: ${s.machine.cpus} CPUs (${s.machine.cpu_model.trim()}), ${s.machine.memory_gib} GiB RAM, ${s.machine.os}; Node ${s.machine.node}; chdb engine ${s.machine.chdb_engine}.`,
    '',
    s.reused
      ? `Data: reused a kept run's directory (BENCH_REUSE_DIR); no load timed. Background merges settled after ${s.settle_seconds} s; \`events\` had ${s.events_parts} active parts.`
      : `Load (direct NDJSON inserts into \`events\`, views filling the rollups): ${s.load_seconds} s (generator ${s.generate_seconds} s, inserts ${s.insert_seconds} s); ` +
        `background merges settled ${s.settle_seconds} s later; \`events\` then had ${s.events_parts} active parts.`,
    '',
    `1-minute load average of the machine when the queries started and ended: ${s.loadavg_1m[0]} → ${s.loadavg_1m[1]} (${s.machine.cpus} CPUs; the bench keeps about one busy, and at the start the average still carries the load phase; more than that is other work sharing the machine).`,
    '',
    '| query | source (auto) | auto p50 ms | auto p95 ms | raw p50 ms | raw p95 ms | raw/auto p50 | raw/auto p95 |',
    '|---|---|---:|---:|---:|---:|---:|---:|',
    ...s.results.map(
      (r) => `| ${r.name} | ${r.source} | ${ms(r.autoP50)} | ${ms(r.autoP95)} | ${ms(r.rawP50)} | ${ms(r.rawP95)} | ${r.ratioP50.toFixed(1)}× | ${r.ratioP95.toFixed(1)}× |`
    ),
    '',
    `Target (p95 ≤ 100 ms and ≥ 10× faster than raw): ${s.results.filter((r) => r.autoP95 <= 100).length}/${s.results.length} queries have p95 ≤ 100 ms; ` +
      `${rollup.filter((r) => r.ratioP95 >= 10).length}/${rollup.length} rollup-served queries are ≥ 10× faster than raw at p95. ` +
      'Queries whose source is `raw` have no rollup path: both sides run the same SQL, so their ratio is ~1 by construction.',
  ];
  replaceReadmeBlock(`query:results:${s.scenario}`, lines.join('\n'));
  log('bench/README.md updated');
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  }
);
