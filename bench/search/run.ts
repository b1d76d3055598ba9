/**
 * Search benchmark (issue "Crawler and search", Tests): indexing docs/s and query p50/p95 of the PostgreSQL
 * full-text SearchEngine against the raw engine (a bulk insert of the same rows into a plain table with the
 * same tsvector/GIN index; the same queries as plain SQL), in one run on one machine, on PGlite and on the
 * PostgreSQL server when one answers. Method and last results: bench/README.md ("Search").
 *
 *   npx tsx bench/search/run.ts            (from the repository root; or: npm run bench:search)
 *   BENCH_MESSAGES=20000 npx tsx bench/search/run.ts    (a quick run)
 *
 * Environment: BENCH_MESSAGES (1000000), BENCH_TENANTS (5), BENCH_DAYS (30), BENCH_BATCH (200: a scheduled
 * crawl's batch), BENCH_RAW_CHUNK (10000), BENCH_RUNS (25 timed runs of every query per side),
 * BENCH_WARMUP (5), BENCH_SEED (42), BENCH_TAIL_WORDS (50000), BENCH_STORES (pglite,server),
 * BENCH_PG_URL (postgres://postgres@127.0.0.1:5432/postgres: the server, trust auth; a fresh database is
 * created on it and dropped after), BENCH_SETTLE_S (300: how long to wait for the server's autovacuum),
 * BENCH_VACUUM_ANALYZE=1 (an explicit VACUUM ANALYZE of every table on both stores instead),
 * BENCH_KEEP_DATA=1 keeps bench/search/.data/<run> and the server's database, BENCH_NO_README=1 leaves
 * bench/README.md alone.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openMetadataDb, type MetadataDb } from '../../backend/src/store/metadata-db.js';
import { migratePostgres } from '../../backend/src/store/pg-migrations.js';
import { PostgresSearchEngine } from '../../backend/src/search/postgres-engine.js';
import type { SearchQuery } from '../../backend/src/search/types.js';
import { envInt, log, replaceReadmeBlock, ROOT } from '../common.js';
import { generateCorpus, TAIL_OFFSET, type Corpus } from './corpus.js';

const cfg = {
  messages: envInt('BENCH_MESSAGES', 1_000_000),
  tenants: envInt('BENCH_TENANTS', 5),
  days: envInt('BENCH_DAYS', 30),
  // the batch of a scheduled crawl (CrawlerService's sweep: batch_size ?? 200)
  batch: envInt('BENCH_BATCH', 200),
  rawChunk: envInt('BENCH_RAW_CHUNK', 10_000),
  runs: envInt('BENCH_RUNS', 25),
  warmup: envInt('BENCH_WARMUP', 5, 0),
  seed: envInt('BENCH_SEED', 42, 0),
  tailWords: envInt('BENCH_TAIL_WORDS', 50_000, 1000),
  settleS: envInt('BENCH_SETTLE_S', 300),
  vacuumAnalyze: process.env.BENCH_VACUUM_ANALYZE === '1',
};
const PG_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const STORES = ['pglite', 'server'] as const;
type Store = (typeof STORES)[number];
// a fixed end, so the same seed gives the same corpus on every run
const END = Date.UTC(2026, 10, 30);
const DAY = 86_400_000;
const TARGET_DOCS_S = 5000;
const TARGET_P95_MS = 50;

const round = (x: number, digits = 1): number => Number(x.toFixed(digits));
const percentile = (sorted: number[], p: number): number =>
  // nearest rank
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;

function storesAsked(): Store[] {
  const raw = process.env.BENCH_STORES?.trim();
  const names = raw ? raw.split(',').map((x) => x.trim()) : [...STORES];
  for (const n of names) {
    if (!(STORES as readonly string[]).includes(n)) throw new Error(`BENCH_STORES: unknown store '${n}' (use ${STORES.join(', ')})`);
  }
  return names as Store[];
}

// ---------------------------------------------------------------------------------------------------------
// The raw engine: a plain messages table with the same tsvector (same parser, same separators blanked as the
// engine's splitTokens, same weight) under the same GIN index, the same (tenant, time) index, bulk inserted.

const RAW_DDL = [
  'DROP TABLE IF EXISTS raw_messages',
  `CREATE TABLE raw_messages (
    tenant_id text NOT NULL,
    id text NOT NULL,
    conversation_id text,
    sender_id text,
    type text,
    created_at bigint NOT NULL,
    updated_at bigint,
    text text NOT NULL,
    tsv tsvector GENERATED ALWAYS AS (setweight(to_tsvector('simple'::regconfig, translate(text, './@:\\~+=|', '         ')), 'B')) STORED,
    PRIMARY KEY (tenant_id, id)
  )`,
  'CREATE INDEX raw_messages_tsv ON raw_messages USING gin (tsv)',
  'CREATE INDEX raw_messages_time ON raw_messages (tenant_id, created_at DESC)',
];

const RAW_INSERT = `INSERT INTO raw_messages (tenant_id, id, conversation_id, sender_id, type, created_at, updated_at, text)
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::bigint[], $8::text[])`;

/** A PostgreSQL array literal, so the raw side's parameters are serialised before the clock starts. */
function arrayLiteral(values: Array<string | number>): string {
  return `{${values.map((v) => (typeof v === 'number' ? String(v) : `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`)).join(',')}}`;
}

function rawChunks(corpus: Corpus): string[][] {
  const out: string[][] = [];
  for (const t of corpus.tenants) {
    for (let i = 0; i < t.messages.length; i += cfg.rawChunk) {
      const part = t.messages.slice(i, i + cfg.rawChunk);
      out.push([
        arrayLiteral(part.map((m) => m.tenant_id)),
        arrayLiteral(part.map((m) => m.id)),
        arrayLiteral(part.map((m) => m.conversation_id)),
        arrayLiteral(part.map((m) => m.sender_id)),
        arrayLiteral(part.map((m) => m.type)),
        arrayLiteral(part.map((m) => m.created_at)),
        arrayLiteral(part.map((m) => m.updated_at)),
        arrayLiteral(part.map((m) => m.text)),
      ]);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// The query mix: every case has variants (tenant and words rotate), run i uses variant i.

interface Variant {
  tenant: string;
  query: SearchQuery;
  /** the text the raw SQL searches (the corrected word for a misspelling: plain SQL has no typo tolerance) */
  rawQ: string;
}
interface Case {
  name: string;
  variant: (i: number) => Variant;
}

const COMMON = ['message', 'review', 'release', 'meeting', 'invoice'];
const TWO = ['invoice friday', 'review roadmap', 'vertrag montag', 'factura viernes', 'contract monday'];
const PHRASES = ['"release notes"', '"search index"', '"nächste Woche"', '"la semana que viene"', '"shared calendar"'];
const TYPOS: Array<[string, string]> = [
  ['accomodate', 'accommodate'],
  ['calender', 'calendar'],
  ['seperate', 'separate'],
  ['neccessary', 'necessary'],
  ['internationalsation', 'internationalisation'],
];

function cases(corpus: Corpus): Case[] {
  const tenants = corpus.tenants;
  const pick = <T>(xs: readonly T[], i: number): T => xs[i % xs.length] as T;
  const tenantOf = (i: number) => pick(tenants, i);
  // words of the tail ranked well past its head: a handful of messages per tenant at 1M
  const rareRank = Math.min(corpus.tail.length - 5, 20_000);
  const rare = Array.from({ length: 5 }, (_, k) => corpus.tail[rareRank + k * 2000] ?? corpus.tail[rareRank + k] ?? 'x');
  const plain = (q: string, extra: Partial<SearchQuery> = {}) => (i: number): Variant => ({ tenant: tenantOf(i).tenant, query: { q, ...extra }, rawQ: q });
  return [
    { name: 'one common word', variant: (i) => plain(pick(COMMON, i))(i) },
    { name: 'stop word `the` (half the messages)', variant: (i) => plain('the')(i) },
    { name: 'two words', variant: (i) => plain(pick(TWO, i))(i) },
    { name: 'phrase', variant: (i) => plain(pick(PHRASES, i))(i) },
    { name: 'rare word', variant: (i) => plain(pick(rare, i))(i) },
    {
      name: 'misspelt word (typo path)',
      variant: (i) => {
        const [typo, right] = pick(TYPOS, i);
        return { tenant: tenantOf(i).tenant, query: { q: typo }, rawQ: right };
      },
    },
    {
      name: 'word + conversation, sender, 7 days',
      variant: (i) => {
        const t = tenantOf(i);
        // one of the tenant's five busiest conversations, one of its members, the last 7 days
        const c = pick(t.conversations.slice(0, 5), Math.floor(i / tenants.length));
        const sender = pick(c.members, i);
        const q = pick(COMMON, i);
        return {
          tenant: t.tenant,
          query: { q, filters: { conversation_id: [c.id], sender_id: [sender], from: corpus.end - 7 * DAY, to: corpus.end } },
          rawQ: q,
        };
      },
    },
    { name: 'empty q, newest first', variant: (i) => plain('', { sort: 'time' })(i) },
    { name: 'one common word, page 5', variant: (i) => plain(pick(COMMON, i), { page: 5 })(i) },
  ];
}

/** The same question as plain SQL on the raw table: websearch_to_tsquery, ts_rank_cd, the tenant and filters, LIMIT/OFFSET. */
function rawQuery(v: Variant): { sql: string; params: unknown[] } {
  const params: unknown[] = [v.tenant];
  const p = (x: unknown) => {
    params.push(x);
    return `$${params.length}`;
  };
  const where = ['r.tenant_id = $1'];
  let from = 'raw_messages r';
  let score = '0::real';
  let order = 'r.created_at DESC, r.id';
  if (v.rawQ.trim()) {
    from += `, websearch_to_tsquery('simple', ${p(v.rawQ)}) AS q`;
    where.push('r.tsv @@ q');
    score = 'ts_rank_cd(r.tsv, q)';
    if (v.query.sort !== 'time') order = `score DESC, ${order}`;
  }
  const f = v.query.filters ?? {};
  if (f.conversation_id?.length) where.push(`r.conversation_id = ANY(${p(f.conversation_id)}::text[])`);
  if (f.sender_id?.length) where.push(`r.sender_id = ANY(${p(f.sender_id)}::text[])`);
  if (f.type?.length) where.push(`r.type = ANY(${p(f.type)}::text[])`);
  if (f.from !== undefined) where.push(`r.created_at >= ${p(f.from)}::bigint`);
  if (f.to !== undefined) where.push(`r.created_at < ${p(f.to)}::bigint`);
  const limit = v.query.limit ?? 20;
  const offset = ((v.query.page ?? 1) - 1) * limit;
  return {
    sql: `SELECT r.id, r.conversation_id, r.sender_id, r.type, r.text, r.created_at, r.updated_at, ${score} AS score
      FROM ${from} WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT ${p(limit)} OFFSET ${p(offset)}`,
    params,
  };
}

// ---------------------------------------------------------------------------------------------------------

interface CaseResult {
  name: string;
  oursP50: number;
  oursP95: number;
  rawP50: number;
  rawP95: number;
  /** ours / raw (how many times slower the engine is) */
  ratioP50: number;
  ratioP95: number;
  /** average matches (the engine's total) */
  matches: number;
  /** timed runs whose page of ids equals the raw SQL's */
  samePage: number;
}

interface StoreResult {
  store: Store;
  skipped?: string;
  version?: string;
  ours?: { seconds: number; docs_per_s: number; batches: number };
  raw?: { seconds: number; docs_per_s: number; inserts: number };
  ratio_index?: number;
  settle_seconds?: number;
  /** whether each table had been analysed / vacuumed when the queries ran */
  maintenance?: string;
  maintenance_note?: string;
  rows?: { search_docs: number; raw_messages: number; search_terms: number };
  sizes_mb?: { search_docs: number; search_terms: number; raw_messages: number };
  loadavg_1m?: number[];
  cases?: CaseResult[];
}

async function openStore(store: Store, dataDir: string): Promise<{ db: MetadataDb; version: string; cleanup: () => Promise<void> } | string> {
  if (store === 'pglite') {
    const db = await openMetadataDb({ dataDir });
    const [v] = await db.query<{ v: string }>(`SELECT current_setting('server_version') AS v`);
    return { db, version: `PGlite (PostgreSQL ${v?.v ?? '?'})`, cleanup: () => db.close() };
  }
  const admin = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
  } catch (e) {
    return `no PostgreSQL server at ${PG_URL} (${(e as Error).message}); start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`;
  }
  const name = `sbench_${randomBytes(4).toString('hex')}`;
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(PG_URL);
  u.pathname = `/${name}`;
  const db = await openMetadataDb({ databaseUrl: u.toString(), dataDir });
  const [v] = await db.query<{ v: string }>(`SELECT current_setting('server_version') AS v`);
  return {
    db,
    version: `PostgreSQL server ${v?.v ?? '?'} (${u.host}, database ${name})`,
    cleanup: async () => {
      await db.close();
      if (process.env.BENCH_KEEP_DATA === '1') return;
      const d = new pg.Client({ connectionString: PG_URL });
      await d.connect();
      await d.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await d.end();
    },
  };
}

/** Waits (up to BENCH_SETTLE_S) until no autovacuum worker is busy in this database. */
async function settleAutovacuum(db: MetadataDb, store: Store): Promise<void> {
  const until = performance.now() + cfg.settleS * 1000;
  // give the launcher a naptime (60 s by default) to notice the new rows, then wait for its workers
  let quiet = 0;
  while (performance.now() < until) {
    const [a] = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE backend_type = 'autovacuum worker' AND datname = current_database()`
    );
    const [s] = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_user_tables WHERE relname IN ('search_docs', 'raw_messages') AND last_autoanalyze IS NOT NULL`
    );
    quiet = a?.n === 0 ? quiet + 1 : 0;
    if (quiet >= 3 && s?.n === 2) return;
    await new Promise((r) => setTimeout(r, 2000));
  }
  log(`${store}: autovacuum still busy or not done after ${cfg.settleS} s; querying anyway`);
}

async function runStore(store: Store, corpus: Corpus, chunks: string[][], runDir: string): Promise<StoreResult> {
  const dataDir = join(runDir, store);
  mkdirSync(dataDir, { recursive: true });
  const opened = await openStore(store, dataDir);
  if (typeof opened === 'string') {
    log(`${store}: SKIP — ${opened}`);
    return { store, skipped: opened };
  }
  const { db, version, cleanup } = opened;
  try {
    log(`${store}: ${version}`);
    await migratePostgres(db);
    for (const s of RAW_DDL) await db.query(s);
    const engine = new PostgresSearchEngine(db);

    // ours: the crawler's path, engine.upsert per (entity, tenant) batch, tenant after tenant
    const total = corpus.total;
    let done = 0;
    let batches = 0;
    let nextLog = 0.1;
    const t0 = performance.now();
    for (const t of corpus.tenants) {
      for (let i = 0; i < t.messages.length; i += cfg.batch) {
        const batch = t.messages.slice(i, i + cfg.batch);
        await engine.upsert('messages', t.tenant, batch);
        done += batch.length;
        batches++;
        if (done / total >= nextLog) {
          log(`${store}: ours ${done.toLocaleString('en-US')} docs, ${Math.round(done / ((performance.now() - t0) / 1000))} docs/s`);
          nextLog += 0.1;
        }
      }
    }
    const oursS = (performance.now() - t0) / 1000;
    log(`${store}: ours indexed ${total} docs in ${oursS.toFixed(1)} s (${Math.round(total / oursS)} docs/s)`);

    // raw: multi-row INSERTs of pre-serialised column arrays
    const t1 = performance.now();
    for (const c of chunks) await db.query(RAW_INSERT, c);
    const rawS = (performance.now() - t1) / 1000;
    log(`${store}: raw inserted ${total} rows in ${rawS.toFixed(1)} s (${Math.round(total / rawS)} docs/s)`);

    // Planner statistics as each store has them in service. PGlite runs no autovacuum: the engine vacuums
    // and analyses its own tables while it indexes (timed, part of ours), and raw_messages is vacuumed and
    // analysed here, untimed, as whoever bulk-loads a plain table would. The server's autovacuum analyses both by itself (waited for); when
    // it is off (as on a test server), an explicit VACUUM ANALYZE of both stands in for it.
    // BENCH_VACUUM_ANALYZE=1 vacuums and analyses every table explicitly instead.
    const t2 = performance.now();
    const [av] = await db.query<{ on: string }>(`SELECT current_setting('autovacuum') AS on`);
    if (cfg.vacuumAnalyze || (store === 'server' && av?.on !== 'on')) {
      for (const tbl of ['search_docs', 'search_terms', 'raw_messages']) await db.query(`VACUUM ANALYZE ${tbl}`);
    } else if (store === 'server') {
      await settleAutovacuum(db, store);
    } else {
      await db.query('VACUUM ANALYZE raw_messages');
    }
    const settleS = (performance.now() - t2) / 1000;
    const stats = await db.query<{ relname: string; analyzed: boolean; vacuumed: boolean }>(
      `SELECT relname, (last_analyze IS NOT NULL OR last_autoanalyze IS NOT NULL) AS analyzed, (last_vacuum IS NOT NULL OR last_autovacuum IS NOT NULL) AS vacuumed
       FROM pg_stat_user_tables WHERE relname IN ('search_docs', 'search_terms', 'raw_messages') ORDER BY relname`
    );
    const maintenance = stats.map((x) => `${x.relname}: ${x.analyzed ? 'analysed' : 'not analysed'}, ${x.vacuumed ? 'vacuumed' : 'not vacuumed'}`).join('; ');
    const note = cfg.vacuumAnalyze
      ? `BENCH_VACUUM_ANALYZE=1: explicit VACUUM ANALYZE of all three, ${round(settleS)} s`
      : store === 'server'
        ? av?.on === 'on'
          ? `autovacuum waited for: ${round(settleS)} s`
          : `autovacuum is off on this server: an explicit VACUUM ANALYZE of all three stood in for it, ${round(settleS)} s`
        : `PGlite runs no autovacuum: the engine vacuumed and analysed search_docs and search_terms itself while indexing (timed); raw_messages vacuumed and analysed after its load, untimed, ${round(settleS)} s`;
    log(`${store}: after the loads: ${maintenance} (${note})`);

    const [counts] = await db.query<{ d: string; r: string; t: string; ds: string; ts: string; rs: string }>(
      `SELECT (SELECT count(*) FROM search_docs) AS d, (SELECT count(*) FROM raw_messages) AS r, (SELECT count(*) FROM search_terms) AS t,
        pg_total_relation_size('search_docs') AS ds, pg_total_relation_size('search_terms') AS ts, pg_total_relation_size('raw_messages') AS rs`
    );
    const rows = { search_docs: Number(counts?.d), raw_messages: Number(counts?.r), search_terms: Number(counts?.t) };
    if (rows.search_docs !== total || rows.raw_messages !== total) {
      throw new Error(`${store}: expected ${total} rows on both sides, got search_docs ${rows.search_docs}, raw_messages ${rows.raw_messages}`);
    }
    const mb = (x: string | undefined) => round(Number(x) / 2 ** 20);

    // queries: warm-up, then every case in turn, ours then raw, run after run
    const list = cases(corpus);
    for (let i = 0; i < cfg.warmup; i++) {
      for (const c of list) {
        const v = c.variant(i);
        await engine.search(v.tenant, v.query);
        const r = rawQuery(v);
        await db.query(r.sql, r.params);
      }
    }
    const loadBefore = os.loadavg()[0] ?? 0;
    const samples = list.map(() => ({ ours: [] as number[], raw: [] as number[], matches: 0, same: 0 }));
    for (let i = 0; i < cfg.runs; i++) {
      for (const [k, c] of list.entries()) {
        const v = c.variant(i);
        const s = samples[k]!;
        const a = performance.now();
        const res = await engine.search(v.tenant, v.query);
        const b = performance.now();
        const r = rawQuery(v);
        const rawRows = await db.query<{ id: string }>(r.sql, r.params);
        const e = performance.now();
        s.ours.push(b - a);
        s.raw.push(e - b);
        s.matches += res.total;
        if (res.hits.map((h) => h.id).join() === rawRows.map((x) => x.id).join()) s.same++;
      }
    }
    const loadAfter = os.loadavg()[0] ?? 0;
    const results: CaseResult[] = list.map((c, k) => {
      const s = samples[k]!;
      const o = [...s.ours].sort((x, y) => x - y);
      const w = [...s.raw].sort((x, y) => x - y);
      const r = {
        name: c.name,
        oursP50: percentile(o, 50),
        oursP95: percentile(o, 95),
        rawP50: percentile(w, 50),
        rawP95: percentile(w, 95),
        ratioP50: 0,
        ratioP95: 0,
        matches: Math.round(s.matches / cfg.runs),
        samePage: s.same,
      };
      r.ratioP50 = r.oursP50 / r.rawP50;
      r.ratioP95 = r.oursP95 / r.rawP95;
      return r;
    });
    for (const r of results) {
      log(
        `${store}: ${r.name.padEnd(38)} ours p50 ${r.oursP50.toFixed(1)} p95 ${r.oursP95.toFixed(1)} ms | raw p50 ${r.rawP50.toFixed(1)} p95 ${r.rawP95.toFixed(1)} ms | ` +
          `${r.ratioP95.toFixed(1)}× | ~${r.matches} matches | same page ${r.samePage}/${cfg.runs}`
      );
    }
    return {
      store,
      version,
      ours: { seconds: round(oursS, 2), docs_per_s: Math.round(total / oursS), batches },
      raw: { seconds: round(rawS, 2), docs_per_s: Math.round(total / rawS), inserts: chunks.length },
      ratio_index: round(rawS / oursS, 3),
      settle_seconds: round(settleS),
      maintenance,
      maintenance_note: note,
      rows,
      sizes_mb: { search_docs: mb(counts?.ds), search_terms: mb(counts?.ts), raw_messages: mb(counts?.rs) },
      loadavg_1m: [round(loadBefore, 2), round(loadAfter, 2)],
      cases: results.map((r) => ({
        ...r,
        oursP50: round(r.oursP50),
        oursP95: round(r.oursP95),
        rawP50: round(r.rawP50, 2),
        rawP95: round(r.rawP95, 2),
        ratioP50: round(r.ratioP50),
        ratioP95: round(r.ratioP95),
      })),
    };
  } finally {
    await cleanup();
  }
}

/** The commit the backend code was read from (with "+dirty" when backend/src has uncommitted edits). */
function gitHead(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'backend/src'], { cwd: ROOT, encoding: 'utf8' }).trim();
    return dirty ? `${head}+dirty` : head;
  } catch {
    return '?';
  }
}

async function main(): Promise<void> {
  const stores = storesAsked();
  const commit = gitHead();
  const runDir = join(ROOT, 'bench', 'search', '.data', `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(2).toString('hex')}`);
  log(`generating ${cfg.messages.toLocaleString('en-US')} messages (${cfg.tenants} tenants, ${cfg.days} days, seed ${cfg.seed})`);
  const g0 = performance.now();
  const corpus = generateCorpus({ messages: cfg.messages, tenants: cfg.tenants, days: cfg.days, seed: cfg.seed, tailWords: cfg.tailWords, end: END });
  const chunks = rawChunks(corpus);
  const genS = (performance.now() - g0) / 1000;
  const avgChars = corpus.tenants.reduce((s, t) => s + t.messages.reduce((x, m) => x + m.text.length, 0), 0) / corpus.total;
  log(`corpus ready in ${genS.toFixed(1)} s (${avgChars.toFixed(0)} characters of text per message on average)`);
  const results: StoreResult[] = [];
  let ok = false;
  try {
    for (const s of stores) results.push(await runStore(s, corpus, chunks, runDir));
    ok = true;
  } finally {
    if (process.env.BENCH_KEEP_DATA !== '1' && ok) rmSync(runDir, { recursive: true, force: true });
  }
  const summary: Summary = {
    bench: 'search',
    date: new Date().toISOString(),
    commit,
    config: { ...cfg, tail_offset: TAIL_OFFSET },
    corpus: { messages: corpus.total, avg_text_chars: round(avgChars), generate_seconds: round(genS) },
    machine: {
      cpus: os.cpus().length,
      cpu_model: (os.cpus()[0]?.model ?? '?').trim(),
      memory_gib: round(os.totalmem() / 2 ** 30),
      os: `${os.type()} ${os.release()} ${os.arch()}`,
      node: process.version,
    },
    stores: results,
  };
  process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  printTable(summary);
  if (process.env.BENCH_NO_README !== '1') writeReadme(summary);
}

interface Summary {
  bench: 'search';
  date: string;
  commit: string;
  config: typeof cfg & { tail_offset: number };
  corpus: { messages: number; avg_text_chars: number; generate_seconds: number };
  machine: { cpus: number; cpu_model: string; memory_gib: number; os: string; node: string };
  stores: StoreResult[];
}

function printTable(s: Summary): void {
  for (const r of s.stores) {
    if (r.skipped) {
      process.stderr.write(`\n${r.store}: skipped — ${r.skipped}\n`);
      continue;
    }
    process.stderr.write(`\n${r.store}: index ours ${r.ours?.docs_per_s} docs/s, raw ${r.raw?.docs_per_s} docs/s (ours/raw ${r.ratio_index})\n`);
    for (const c of r.cases ?? []) {
      process.stderr.write(
        `  ${c.name.padEnd(38)} ours ${c.oursP50}/${c.oursP95} ms  raw ${c.rawP50}/${c.rawP95} ms  ours/raw p95 ${c.ratioP95}×  ${c.oursP95 <= TARGET_P95_MS ? 'ok' : 'MISS'}\n`
      );
    }
  }
}

function writeReadme(s: Summary): void {
  const n = (x: number | undefined): string => (x ?? 0).toLocaleString('en-US');
  const ms = (x: number): string => (x >= 10 ? x.toFixed(1) : x.toFixed(2));
  const lines = [
    `Last run: ${s.date} — ${n(s.corpus.messages)} messages (${s.config.tenants} tenants, ${s.config.days} days, ${s.corpus.avg_text_chars} characters of text on average), ` +
      `batches of ${s.config.batch} through \`engine.upsert\`, raw inserts of ${n(s.config.rawChunk)} rows; ${s.config.runs} timed runs of every query per side after ${s.config.warmup} warm-up rounds; backend at commit \`${s.commit}\`.`,
    '',
    `Machine: ${s.machine.cpus} CPUs (${s.machine.cpu_model}), ${s.machine.memory_gib} GiB RAM, ${s.machine.os}; Node ${s.machine.node}.`,
    '',
  ];
  for (const r of s.stores) {
    if (r.skipped || !r.ours || !r.raw || !r.cases) {
      lines.push(`### ${r.store}`, '', `Skipped: ${r.skipped ?? 'no result'}.`, '');
      continue;
    }
    const metIndex = r.ours.docs_per_s >= TARGET_DOCS_S;
    const metQ = r.cases.filter((c) => c.oursP95 <= TARGET_P95_MS).length;
    lines.push(
      `### ${r.store === 'pglite' ? 'PGlite (embedded)' : 'PostgreSQL server'}`,
      '',
      `${r.version}. Rows: search_docs ${n(r.rows?.search_docs)}, raw_messages ${n(r.rows?.raw_messages)}, vocabulary (search_terms) ${n(r.rows?.search_terms)}; ` +
        `sizes with indexes: search_docs ${r.sizes_mb?.search_docs} MB, search_terms ${r.sizes_mb?.search_terms} MB, raw_messages ${r.sizes_mb?.raw_messages} MB. ` +
        `When the queries ran: ${r.maintenance} (${r.maintenance_note}). 1-minute load average during the queries: ${r.loadavg_1m?.[0]} → ${r.loadavg_1m?.[1]}.`,
      '',
      '| indexing | docs/s | seconds |',
      '|---|---:|---:|',
      `| ours: \`PostgresSearchEngine.upsert\`, ${n(r.ours.batches)} batches of ${s.config.batch} | ${n(r.ours.docs_per_s)} | ${r.ours.seconds} |`,
      `| raw: \`INSERT … SELECT FROM unnest(…)\`, ${n(r.raw.inserts)} inserts | ${n(r.raw.docs_per_s)} | ${r.raw.seconds} |`,
      '',
      `**Indexing ours/raw: ${r.ratio_index}** (target ≥ ${n(TARGET_DOCS_S)} docs/s: ${metIndex ? 'met' : 'not met'}).`,
      '',
      '| query | matches (avg) | ours p50 ms | ours p95 ms | raw p50 ms | raw p95 ms | ours/raw p50 | ours/raw p95 | same page |',
      '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
      ...r.cases.map(
        (c) =>
          `| ${c.name} | ${n(c.matches)} | ${ms(c.oursP50)} | ${ms(c.oursP95)} | ${ms(c.rawP50)} | ${ms(c.rawP95)} | ${c.ratioP50.toFixed(1)}× | ${c.ratioP95.toFixed(1)}× | ${c.samePage}/${s.config.runs} |`
      ),
      '',
      `Target p95 ≤ ${TARGET_P95_MS} ms: ${metQ}/${r.cases.length} queries${metQ < r.cases.length ? ` (over: ${r.cases.filter((c) => c.oursP95 > TARGET_P95_MS).map((c) => c.name).join('; ')})` : ''}. ` +
        `The raw SQL itself: ${r.cases.filter((c) => c.rawP95 <= TARGET_P95_MS).length}/${r.cases.length}.`,
      ''
    );
  }
  lines.push('<details><summary>JSON summary</summary>', '', '```json', JSON.stringify(s, null, 2), '```', '', '</details>');
  replaceReadmeBlock('search:results', lines.join('\n'), '## Search: last results');
  log('bench/README.md updated');
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  }
);
