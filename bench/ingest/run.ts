/**
 * Ingest benchmark: the backend's HTTP ingest path against chdb's own raw insert of the same NDJSON,
 * in one run on one machine. Method and last results: bench/README.md.
 *
 *   npx tsx bench/ingest/run.ts            (from the repository root)
 *
 * Environment: BENCH_EVENTS (1000000), BENCH_CLIENTS (8), BENCH_WORKERS (min(4, clients)),
 * BENCH_BATCH (100), BENCH_RAW_CHUNK (50000), BENCH_TENANTS (5), BENCH_DAYS (30), BENCH_SEED (42),
 * BENCH_KEEP_DATA=1 keeps bench/ingest/.data/<run>, BENCH_NO_README=1 leaves bench/README.md alone,
 * BENCH_SERVER_LOG_LEVEL (warn), BENCH_TENANT_RATE_LIMIT (0 = off; set it to exercise 429 + Retry-After).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { drainPending } from 'chdb';
import { createChdbConnection } from 'chdb/connection';
import { generateEvents } from '../../backend/src/demo/generator.js';
import { ensureTenants } from '../../backend/src/demo/loader.js';
import { envInt, log, README, replaceReadmeBlock, ROOT } from '../common.js';
import type { ClientWorkerInput, ClientWorkerResult } from './client-worker.js';


const cfg = {
  events: envInt('BENCH_EVENTS', 1_000_000),
  clients: envInt('BENCH_CLIENTS', 8),
  workers: 0,
  batch: envInt('BENCH_BATCH', 100),
  rawChunk: envInt('BENCH_RAW_CHUNK', 50_000),
  tenants: envInt('BENCH_TENANTS', 5),
  days: envInt('BENCH_DAYS', 30),
  seed: envInt('BENCH_SEED', 42, 0),
};
cfg.workers = Math.min(cfg.clients, envInt('BENCH_WORKERS', Math.min(4, cfg.clients)));

const now = (): number => performance.timeOrigin + performance.now();
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const round = (x: number, digits = 0): number => Number(x.toFixed(digits));

// ---------------------------------------------------------------------------------------------------------
// (a) pre-generate N events, serialised once into NDJSON batches in one shared buffer

interface Corpus {
  bytes: SharedArrayBuffer;
  offsets: SharedArrayBuffer;
  nBatches: number;
  totalBytes: number;
  tenantIds: string[];
  firstTs: number;
  lastTs: number;
}

function generateCorpus(): Corpus {
  const tenantIds = Array.from({ length: cfg.tenants }, (_, i) => `bench-${String(i + 1).padStart(2, '0')}`);
  // ask for ~8% more than needed and keep the first N, so exactly N events exist
  const eventsPerDay = Math.ceil((cfg.events / (cfg.tenants * cfg.days)) * 1.08);
  const parts: Buffer[] = [];
  let lines = '';
  let inBatch = 0;
  let count = 0;
  let firstTs = Infinity;
  let lastTs = -Infinity;
  for (const e of generateEvents({
    seed: cfg.seed,
    tenants: tenantIds,
    days: cfg.days,
    end: new Date(),
    usersPerTenant: Math.max(100, Math.round(cfg.events / cfg.tenants / 100)),
    eventsPerDay,
  })) {
    lines += JSON.stringify(e) + '\n';
    firstTs = Math.min(firstTs, e.timestamp);
    lastTs = Math.max(lastTs, e.timestamp);
    if (++inBatch === cfg.batch) {
      parts.push(Buffer.from(lines));
      lines = '';
      inBatch = 0;
    }
    if (++count === cfg.events) break;
  }
  if (inBatch > 0) parts.push(Buffer.from(lines));
  if (count < cfg.events) throw new Error(`the generator produced ${count} events, fewer than ${cfg.events}`);
  const totalBytes = parts.reduce((a, p) => a + p.length, 0);
  const bytes = new SharedArrayBuffer(totalBytes);
  const view = new Uint8Array(bytes);
  const offsets = new SharedArrayBuffer(8 * (parts.length + 1));
  const off = new Float64Array(offsets);
  let pos = 0;
  parts.forEach((p, i) => {
    off[i] = pos;
    view.set(p, pos);
    pos += p.length;
  });
  off[parts.length] = pos;
  return { bytes, offsets, nBatches: parts.length, totalBytes, tenantIds, firstTs, lastTs };
}

// ---------------------------------------------------------------------------------------------------------
// (b) the backend as a child process, fed by client worker threads

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function tail(file: string, lines = 30): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

interface Server {
  child: ChildProcess;
  baseUrl: string;
  adminKey: string;
  dataDir: string;
  logFile: string;
  exited: Promise<number | null>;
}

async function startServer(runDir: string): Promise<Server> {
  const main = join(ROOT, 'backend', 'src', 'main.ts');
  if (!existsSync(main)) throw new Error(`${main} does not exist yet: the HTTP half needs the backend server`);
  const port = await freePort();
  const dataDir = join(runDir, 'server');
  mkdirSync(dataDir, { recursive: true });
  const adminKey = `bench_${randomBytes(24).toString('hex')}`;
  const logFile = join(runDir, 'server.log');
  const fd = openSync(logFile, 'a');
  // node --import tsx (what `npx tsx` does) without the npx wrapper, so the pid is the server's own
  const child = spawn(process.execPath, ['--import', 'tsx', main], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      CAAS_ADMIN_KEY: adminKey,
      TENANT_RATE_LIMIT: process.env.BENCH_TENANT_RATE_LIMIT ?? '0',
      LOG_LEVEL: process.env.BENCH_SERVER_LOG_LEVEL ?? 'warn',
      NODE_ENV: 'production',
    },
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 180_000;
  let exitCode: number | null | undefined;
  void exited.then((c) => (exitCode = c));
  for (;;) {
    if (exitCode !== undefined)
      throw new Error(`the server exited (${exitCode}) before it was ready:\n${tail(logFile)}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the server was not ready after 180 s:\n${tail(logFile)}`);
    }
    try {
      const res = await fetch(`${baseUrl}/health/ready`);
      await res.text();
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  return { child, baseUrl, adminKey, dataDir, logFile, exited };
}

async function stopServer(server: Server): Promise<number | null> {
  if (server.child.exitCode !== null) return server.child.exitCode;
  server.child.kill('SIGTERM');
  const timeout = sleep(120_000).then(() => 'timeout' as const);
  const first = await Promise.race([server.exited, timeout]);
  if (first === 'timeout') {
    log('the server did not exit within 120 s of SIGTERM; killing it');
    server.child.kill('SIGKILL');
    return server.exited;
  }
  return first;
}

async function walBacklog(server: Server): Promise<number> {
  const res = await fetch(`${server.baseUrl}/health`, { headers: { authorization: `Bearer ${server.adminKey}` } });
  const body = (await res.json()) as { wal?: { backlog_events?: unknown } };
  const backlog = body.wal?.backlog_events;
  if (typeof backlog !== 'number') throw new Error(`GET /health has no wal.backlog_events: ${JSON.stringify(body)}`);
  return backlog;
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux); undefined elsewhere. */
function procCpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[11], fields[12] = utime, stime (fields 14 and 15 of proc(5)), in clock ticks (USER_HZ = 100)
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

interface HttpResult {
  ack_seconds: number;
  visible_seconds: number;
  events_per_s: number;
  acked_events_per_s: number;
  accepted: number;
  rejected: number;
  requests: number;
  retries_429: number;
  rows_in_clickhouse: number;
  server_exit_code: number | null;
  /** CPU used while timed: the server process, and this bench process (client threads; main thread polls) */
  server_cpu_seconds: number | null;
  client_cpu_seconds: number;
}

async function runHttp(corpus: Corpus, runDir: string): Promise<HttpResult> {
  const server = await startServer(runDir);
  log(`server ready at ${server.baseUrl} (log ${server.logFile})`);
  try {
    await ensureTenants({
      baseUrl: server.baseUrl,
      apiKey: server.adminKey,
      tenants: corpus.tenantIds.map((id) => ({ id, name: `Bench ${id}` })),
    });

    const control = new SharedArrayBuffer(8);
    const workerUrl = new URL('./client-worker.ts', import.meta.url).href;
    const boot = `import { register } from ${JSON.stringify(import.meta.resolve('tsx/esm/api'))};
register();
await import(${JSON.stringify(workerUrl)});`;
    const workers: Array<{ worker: Worker; done: Promise<ClientWorkerResult> }> = [];
    for (let w = 0; w < cfg.workers; w++) {
      const loops = Math.floor(cfg.clients / cfg.workers) + (w < cfg.clients % cfg.workers ? 1 : 0);
      const input: ClientWorkerInput = {
        url: `${server.baseUrl}/v1/events`,
        apiKey: server.adminKey,
        bytes: corpus.bytes,
        offsets: corpus.offsets,
        control,
        nBatches: corpus.nBatches,
        loops,
      };
      const worker = new Worker(new URL(`data:text/javascript,${encodeURIComponent(boot)}`), { workerData: input });
      let ready!: () => void;
      const isReady = new Promise<void>((r) => (ready = r));
      const done = new Promise<ClientWorkerResult>((resolve, reject) => {
        worker.on('message', (m: unknown) => (m === 'ready' ? ready() : resolve(m as ClientWorkerResult)));
        worker.once('error', reject);
        worker.once('exit', (code) => reject(new Error(`client worker exited (${code}) before reporting`)));
      });
      workers.push({ worker, done });
      await Promise.race([isReady, done]);
    }

    log(`sending ${corpus.nBatches} batches from ${cfg.clients} clients on ${cfg.workers} worker threads`);
    const serverCpu0 = procCpuSeconds(server.child.pid);
    const clientCpu0 = process.cpuUsage();
    const t0 = now();
    for (const { worker } of workers) worker.postMessage('go');
    const results = await Promise.all(workers.map((w) => w.done));
    await Promise.all(workers.map((w) => w.worker.terminate()));
    const failed = results.find((r) => r.error);
    if (failed) throw new Error(`a client failed: ${failed.error}`);
    const tAck = Math.max(...results.map((r) => r.lastAckAt));
    const sum = (k: 'events' | 'accepted' | 'rejected' | 'requests' | 'retries429'): number =>
      results.reduce((a, r) => a + r[k], 0);
    log(
      `all ${sum('events')} events acknowledged after ${((tAck - t0) / 1000).toFixed(2)} s; waiting for the WAL backlog`
    );

    let backlog = await walBacklog(server);
    const waitUntil = Date.now() + 600_000;
    while (backlog > 0) {
      if (Date.now() > waitUntil) throw new Error(`the WAL backlog is still ${backlog} events after 600 s`);
      await sleep(25);
      backlog = await walBacklog(server);
    }
    const tVisible = now();
    const serverCpu1 = procCpuSeconds(server.child.pid);
    const clientCpu = process.cpuUsage(clientCpu0);
    const ackSeconds = (tAck - t0) / 1000;
    const visibleSeconds = (tVisible - t0) / 1000;
    log(`backlog 0 after ${visibleSeconds.toFixed(2)} s; stopping the server`);
    const exitCode = await stopServer(server);
    const rows = await countServerRows(server.dataDir);
    return {
      ack_seconds: round(ackSeconds, 3),
      visible_seconds: round(visibleSeconds, 3),
      events_per_s: round(sum('events') / visibleSeconds),
      acked_events_per_s: round(sum('events') / ackSeconds),
      accepted: sum('accepted'),
      rejected: sum('rejected'),
      requests: sum('requests'),
      retries_429: sum('retries429'),
      rows_in_clickhouse: rows,
      server_exit_code: exitCode,
      server_cpu_seconds:
        serverCpu0 !== undefined && serverCpu1 !== undefined ? round(serverCpu1 - serverCpu0, 2) : null,
      client_cpu_seconds: round((clientCpu.user + clientCpu.system) / 1e6, 2),
    };
  } finally {
    if (server.child.exitCode === null && server.child.signalCode === null) await stopServer(server);
  }
}

function chdbClient(path: string): ClickHouseClient {
  // chdb types its connection against its own copy of @clickhouse/client-common: same shape, hence the cast
  return createClient({ connection: createChdbConnection({ path }) as never });
}

async function queryOne<T>(client: ClickHouseClient, query: string): Promise<T> {
  const rs = await client.query({ query, format: 'JSONEachRow' });
  const rows = await rs.json<T>();
  const row = rows[0];
  if (row === undefined) throw new Error(`no row from ${query}`);
  return row;
}

/** Rows the server stored: its chdb directory opened here, after the server process has exited. */
async function countServerRows(dataDir: string): Promise<number> {
  const client = chdbClient(join(dataDir, 'clickhouse'));
  try {
    const row = await queryOne<{ n: string | number }>(client, 'SELECT count() AS n FROM events');
    return Number(row.n);
  } finally {
    await client.close();
    await drainPending();
  }
}

// ---------------------------------------------------------------------------------------------------------
// (c) chdb's own insert of the same bytes

interface RawResult {
  seconds: number;
  events_per_s: number;
  inserts: number;
  rows: number;
  chdb_version: string;
}

async function runRaw(corpus: Corpus, runDir: string): Promise<RawResult> {
  const path = join(runDir, 'raw');
  mkdirSync(path, { recursive: true });
  const client = chdbClient(path);
  try {
    const { v } = await queryOne<{ v: string }>(client, 'SELECT version() AS v');
    // the server's events table, with context kept as the named tuple the client sends
    await client.command({
      query: `CREATE TABLE raw_events (
        event_id String,
        tenant_id LowCardinality(String),
        type LowCardinality(String),
        user_id String,
        timestamp DateTime64(3, 'UTC'),
        received_at DateTime64(3, 'UTC') DEFAULT now64(3),
        properties Map(LowCardinality(String), String) CODEC(ZSTD(1)),
        context Tuple(device LowCardinality(String), platform LowCardinality(String),
                      app_version LowCardinality(String), country LowCardinality(String))
      )
      ENGINE = MergeTree
      PARTITION BY toYYYYMM(timestamp)
      ORDER BY (tenant_id, toDate(timestamp), type, user_id, timestamp)
      SETTINGS non_replicated_deduplication_window = 10000, index_granularity = 8192`,
    });
    const offsets = new Float64Array(corpus.offsets);
    const batchesPerChunk = Math.max(1, Math.round(cfg.rawChunk / cfg.batch));
    let inserts = 0;
    const t0 = now();
    for (let b = 0; b < corpus.nBatches; b += batchesPerChunk) {
      const from = offsets[b] ?? 0;
      const to = offsets[Math.min(corpus.nBatches, b + batchesPerChunk)] ?? from;
      const chunk = Buffer.from(corpus.bytes, from, to - from);
      const res = await client.exec({
        query: 'INSERT INTO raw_events FORMAT JSONEachRow',
        values: Readable.from([chunk], { objectMode: false }),
        clickhouse_settings: {
          insert_deduplicate: 1,
          insert_deduplication_token: `raw-${inserts}`,
          date_time_input_format: 'best_effort',
          input_format_skip_unknown_fields: 1,
        },
      });
      res.stream.destroy();
      inserts++;
    }
    const seconds = (now() - t0) / 1000;
    const { n } = await queryOne<{ n: string | number }>(client, 'SELECT count() AS n FROM raw_events');
    return {
      seconds: round(seconds, 3),
      events_per_s: round(cfg.events / seconds),
      inserts,
      rows: Number(n),
      chdb_version: v,
    };
  } finally {
    await client.close();
    await drainPending();
  }
}

// ---------------------------------------------------------------------------------------------------------
// (d) summary and README

function machine(): Record<string, string | number> {
  const cpus = os.cpus();
  return {
    nproc: os.availableParallelism(),
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    memory_gb: round(os.totalmem() / 2 ** 30, 1),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
  };
}

function resultsMarkdown(summary: Summary): string {
  const m = summary.machine;
  const h = summary.http;
  const r = summary.raw;
  const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
  return [
    `Last run: ${summary.date} — ${fmt(summary.config.events)} events, ${summary.config.clients} clients on ` +
      `${summary.config.workers} worker threads, ${summary.config.batch} events per request, raw inserts of ` +
      `${fmt(summary.config.raw_chunk)} events.`,
    '',
    `Machine: ${m.nproc} CPUs (${m.cpu}), ${m.memory_gb} GiB RAM, ${m.os}; Node ${m.node}; chdb engine ${r.chdb_version}.`,
    '',
    '| path | events/s | seconds | rows stored |',
    '|---|---:|---:|---:|',
    `| HTTP \`POST /v1/events\` → WAL → ClickHouse (until the WAL backlog is 0) | ${fmt(h.events_per_s)} | ${h.visible_seconds} | ${fmt(h.rows_in_clickhouse)} |`,
    `| HTTP, acknowledged only (202 received, events fsynced in the WAL) | ${fmt(h.acked_events_per_s)} | ${h.ack_seconds} | |`,
    `| chdb raw \`INSERT … FORMAT JSONEachRow\` of the same NDJSON | ${fmt(r.events_per_s)} | ${r.seconds} | ${fmt(r.rows)} |`,
    '',
    `**Ratio HTTP / raw: ${summary.ratio}** (${h.requests} requests, ${h.retries_429} answered 429; ` +
      `${h.accepted} accepted, ${h.rejected} rejected).`,
    '',
    `CPU while the HTTP half was timed (${h.visible_seconds} s of wall time on ${m.nproc} CPUs): server process ` +
      `${h.server_cpu_seconds ?? 'n/a'} s, client threads ${h.client_cpu_seconds} s.`,
    '',
    '<details><summary>JSON summary</summary>',
    '',
    '```json',
    JSON.stringify(summary, null, 2),
    '```',
    '',
    '</details>',
  ].join('\n');
}

function updateReadme(summary: Summary): void {
  replaceReadmeBlock('ingest:results', resultsMarkdown(summary), '## Ingest: last results');
}

interface Summary {
  bench: 'ingest';
  date: string;
  config: {
    events: number;
    clients: number;
    workers: number;
    batch: number;
    raw_chunk: number;
    tenants: number;
    days: number;
    seed: number;
  };
  corpus: { batches: number; bytes: number; avg_event_bytes: number; generate_seconds: number };
  machine: Record<string, string | number>;
  http: HttpResult;
  raw: RawResult;
  ratio: number;
  rows_match: boolean;
}

async function main(): Promise<void> {
  log(`config ${JSON.stringify(cfg)}`);
  const runDir = join(ROOT, 'bench', 'ingest', '.data', `run-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  mkdirSync(runDir, { recursive: true });
  let ok = false;
  try {
    const g0 = now();
    const corpus = generateCorpus();
    const generateSeconds = (now() - g0) / 1000;
    log(
      `generated ${cfg.events} events in ${generateSeconds.toFixed(1)} s: ${corpus.nBatches} batches, ` +
        `${(corpus.totalBytes / 1e6).toFixed(1)} MB of NDJSON`
    );

    const http = await runHttp(corpus, runDir);
    log(`HTTP: ${http.events_per_s} events/s; ${http.rows_in_clickhouse} rows in the server's ClickHouse`);
    const raw = await runRaw(corpus, runDir);
    log(`raw: ${raw.events_per_s} events/s; ${raw.rows} rows`);

    const summary: Summary = {
      bench: 'ingest',
      date: new Date().toISOString(),
      config: {
        events: cfg.events,
        clients: cfg.clients,
        workers: cfg.workers,
        batch: cfg.batch,
        raw_chunk: cfg.rawChunk,
        tenants: cfg.tenants,
        days: cfg.days,
        seed: cfg.seed,
      },
      corpus: {
        batches: corpus.nBatches,
        bytes: corpus.totalBytes,
        avg_event_bytes: round(corpus.totalBytes / cfg.events, 1),
        generate_seconds: round(generateSeconds, 2),
      },
      machine: machine(),
      http,
      raw,
      ratio: round(http.events_per_s / raw.events_per_s, 3),
      rows_match: http.rows_in_clickhouse === cfg.events && raw.rows === cfg.events && http.accepted === cfg.events,
    };
    process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
    if (!summary.rows_match) {
      throw new Error(
        `row counts differ: ${cfg.events} sent, ${http.accepted} accepted, ${http.rows_in_clickhouse} stored by the server, ` +
          `${raw.rows} stored raw`
      );
    }
    if (process.env.BENCH_NO_README !== '1') {
      updateReadme(summary);
      log(`results written to ${README}`);
    }
    ok = true;
  } finally {
    if (process.env.BENCH_KEEP_DATA === '1' || !ok) log(`data kept in ${runDir}`);
    else rmSync(runDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
