import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { ENTITIES } from '../crawler/source.js';
import type { Services } from '../services.js';
import type { AnalyticsStore } from '../store/analytics-store.js';
import { loadDemo } from './loader.js';

export const DEMO_TENANTS = [
  { id: 'acme', name: 'Acme Corp' },
  { id: 'globex', name: 'Globex' },
  { id: 'initech', name: 'Initech' },
];

const DEMO_IDS = DEMO_TENANTS.map((t) => t.id);

/** The loader tags its requests with this x-request-id prefix, so their log lines can be told apart. */
export const DEMO_REQUEST_ID_PREFIX = 'demo-load-';

export type DemoOutcome =
  | { action: 'loaded'; events: number; rejected: number; batches: number; seconds: number; reset: boolean }
  | { action: 'skipped'; events: number };

/**
 * Waits until everything acknowledged so far (including WAL segments replayed from the previous
 * run) is committed to ClickHouse, so a count or a delete sees all of it. Bounded: a ClickHouse
 * that does not take inserts must not hang the start; the caller then works on what is committed.
 */
async function settled(svc: Services, timeoutMs = 30_000): Promise<boolean> {
  await svc.wal.flush();
  let timer: NodeJS.Timeout | undefined;
  const done = await Promise.race([
    svc.flusher.idle().then(() => true),
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs))),
  ]);
  clearTimeout(timer);
  return done;
}

/** Events ClickHouse holds for the demo tenants; null when a demo tenant does not exist. */
export async function demoEventCount(svc: Services): Promise<number | null> {
  const existing = new Set((await svc.tenants.list()).map((t) => t.id));
  if (!DEMO_IDS.every((id) => existing.has(id))) {
    return null;
  }
  const [row] = await svc.store.query<{ n: string }>('SELECT count() AS n FROM events WHERE tenant_id IN {t:Array(String)}', { t: DEMO_IDS });
  return Number(row?.n ?? 0);
}

/**
 * Every ClickHouse table keyed by tenant: `events` and everything the materialized views derive
 * from it (the rollups of store/rollups.ts, user_days, user_months, user_type_months). Read from the
 * catalogue rather than listed here, so a rollup added later is reset too and the planner never
 * reads a rollup that still counts deleted events.
 */
async function tenantTables(store: AnalyticsStore): Promise<string[]> {
  const rows = await store.query<{ name: string }>(
    `SELECT name FROM system.tables
     WHERE database = currentDatabase() AND engine LIKE '%MergeTree'
       AND name IN (SELECT table FROM system.columns WHERE database = currentDatabase() AND name = 'tenant_id')
     ORDER BY name`
  );
  return rows.map((r) => r.name);
}

/**
 * Deletes the demo tenants' rows from `events` and every table derived from it. Views only see
 * inserts, so each derived table is deleted from too. `ALTER TABLE … DELETE` with mutations_sync=2
 * returns once the parts are rewritten (tried on chdb 3.4: lightweight `DELETE FROM` works as well,
 * but a mutation is plainly defined for every MergeTree engine, and demo data is small). Then every
 * table is checked empty for the demo tenants before anything is reloaded.
 */
export async function resetDemoData(svc: Services): Promise<string[]> {
  if (!(await settled(svc))) {
    throw new Error('--demo-reset: acknowledged events are still waiting for ClickHouse after 30 s; nothing was deleted (see the flusher errors above)');
  }
  const tables = await tenantTables(svc.store);
  for (const table of tables) {
    await svc.store.command(`ALTER TABLE \`${table}\` DELETE WHERE tenant_id IN {t:Array(String)}`, { t: DEMO_IDS }, { mutations_sync: '2' });
  }
  for (const table of tables) {
    const [row] = await svc.store.query<{ n: string }>(`SELECT count() AS n FROM \`${table}\` WHERE tenant_id IN {t:Array(String)}`, { t: DEMO_IDS });
    if (Number(row?.n ?? 0) !== 0) {
      throw new Error(`--demo-reset: ${table} still holds ${row?.n} rows of the demo tenants after the delete; not reloading`);
    }
  }
  return tables;
}

/**
 * Keeps the demo loader's ~1,000 ingest requests out of the log: request loggers whose request id
 * carries the loader's prefix log warnings and errors only. buildApp's fastify instance takes its
 * request logging options at construction, so this works one level down, on pino's child creation
 * (fastify makes one child logger per request, bound to its reqId). Returns the undo.
 */
export function quietDemoRequestLogs(log: Logger): () => void {
  const previous = log.onChild;
  log.onChild = (child) => {
    previous(child);
    const reqId = (child.bindings() as { reqId?: unknown }).reqId;
    if (typeof reqId === 'string' && reqId.startsWith(DEMO_REQUEST_ID_PREFIX)) {
      child.level = 'warn';
    }
  };
  return () => {
    log.onChild = previous;
  };
}

/**
 * `npm start -- --demo`: creates the demo tenants and sends generated events through the real HTTP
 * ingestion path (validated, enriched and WAL-logged). Skipped when ClickHouse already holds events
 * of the demo tenants, since every load adds another window of events; `reset` deletes them first.
 */
export async function runDemo(opts: { svc: Services; baseUrl: string; adminKey: string; days: number; eventsPerDay: number; reset: boolean }): Promise<DemoOutcome> {
  const { svc } = opts;
  if (opts.reset) {
    const tables = await resetDemoData(svc);
    svc.log.info({ tenants: DEMO_IDS, tables }, '--demo-reset: deleted the demo tenants\' events and rollups');
  } else {
    await settled(svc);
    const existing = await demoEventCount(svc);
    if (existing !== null && existing > 0) {
      svc.log.info(
        { tenants: DEMO_IDS, events: existing },
        'demo data is already loaded: not loading it again (start with --demo-reset to delete and reload it)'
      );
      return { action: 'skipped', events: existing };
    }
  }
  const existing = new Set((await svc.tenants.list()).map((t) => t.id));
  for (const t of DEMO_TENANTS) {
    if (!existing.has(t.id)) {
      await svc.tenants.create(t.id, t.name);
    }
  }
  svc.log.info({ tenants: DEMO_IDS, days: opts.days }, 'loading demo events (their request lines are not logged)');
  const t0 = Date.now();
  const unquiet = quietDemoRequestLogs(svc.log);
  try {
    const res = await loadDemo({
      baseUrl: opts.baseUrl,
      apiKey: opts.adminKey,
      seed: 42,
      tenants: DEMO_IDS,
      days: opts.days,
      eventsPerDay: opts.eventsPerDay,
      requestIdPrefix: DEMO_REQUEST_ID_PREFIX,
    });
    const seconds = (Date.now() - t0) / 1000;
    svc.log.info({ ...res, seconds }, 'demo events loaded');
    return { action: 'loaded', events: res.accepted, rejected: res.rejected, batches: res.batches, seconds, reset: opts.reset };
  } finally {
    unquiet();
  }
}

/** What `--demo` did for search: the demo platform's address and the crawls it queued. */
export interface DemoSearchOutcome {
  source: string;
  url: string;
  queued: number;
  /** (entity, tenant) pairs already indexed by an earlier start: not crawled again in full */
  skipped: number;
  close(): Promise<void>;
}

export const DEMO_SOURCE_ID = 'demo';

/**
 * `npm start -- --demo`, search part (issue "Crawler and search", item 6): starts the demo CAAS platform
 * on a free local port (it keeps changing, so the incremental and deletion schedules have work), registers
 * it as source `demo` (again at every start: its port and token change), and queues a full reindex of
 * every entity for every demo tenant that has not been indexed from it yet, so search answers on a fresh
 * machine. Crawls run as jobs (GET /v1/jobs); the platform stops when `close()` is called.
 */
export async function runDemoSearch(svc: Services, opts: { liveEveryMs?: number } = {}): Promise<DemoSearchOutcome> {
  const { startDemoPlatform } = await import('./caas-platform/index.js');
  const token = randomBytes(18).toString('base64url');
  const platform = await startDemoPlatform({ port: 0, host: '127.0.0.1', seed: 42, tenants: DEMO_IDS, token, liveEveryMs: opts.liveEveryMs ?? 60_000 });
  try {
    const existing = new Set((await svc.tenants.list()).map((t) => t.id));
    for (const t of DEMO_TENANTS) {
      if (!existing.has(t.id)) {
        await svc.tenants.create(t.id, t.name);
      }
    }
    await svc.crawler.create({ id: DEMO_SOURCE_ID, kind: 'caas_http', url: platform.url, token, rate_limit_per_s: 200 }, { replace: true });
    const indexed = new Set(
      (await svc.crawler.cursors.list({ source: DEMO_SOURCE_ID })).filter((c) => c.last_full_at !== null).map((c) => `${c.entity}/${c.tenant_id}`)
    );
    let queued = 0;
    let skipped = 0;
    for (const tenant of DEMO_IDS) {
      for (const entity of ENTITIES) {
        if (indexed.has(`${entity}/${tenant}`)) {
          skipped++;
          continue;
        }
        const r = await svc.crawler.enqueue({ source_id: DEMO_SOURCE_ID, type: 'full_reindex', entity, tenant_id: tenant, batch_size: 100 });
        if (r.created) queued++;
      }
    }
    svc.log.info({ source: DEMO_SOURCE_ID, url: platform.url, queued, skipped }, 'demo CAAS platform started and registered as crawl source');
    return { source: DEMO_SOURCE_ID, url: platform.url, queued, skipped, close: () => platform.close() };
  } catch (e) {
    await platform.close();
    throw e;
  }
}
