/**
 * The child of test/crawl-crash.test.ts: a crawler on its own PGlite data dir (metadata store, PostgreSQL
 * search engine, job runner, CrawlService), no HTTP or ClickHouse. `start <dataDir> <sourceUrl> <token>`
 * registers the source, queues an incremental crawl of acme's messages in batches of 10 and runs it, printing
 * `BATCH n` after each committed batch (slowly, so the parent can SIGKILL it mid-crawl); `resume <dataDir>`
 * runs the jobs left behind until none is queued or running and prints the result as JSON.
 */
import { SecretBox } from '../src/auth/secret-box.js';
import { CrawlService } from '../src/crawler/service.js';
import { PostgresSearchEngine } from '../src/search/postgres-engine.js';
import { openMetadataDb } from '../src/store/metadata-db.js';
import { migratePostgres } from '../src/store/pg-migrations.js';
import { quietLog, testRunner } from './jobs-support.js';

const [mode, dataDir, url, token] = process.argv.slice(2);
const db = await openMetadataDb({ dataDir: dataDir! });
await migratePostgres(db);
const search = new PostgresSearchEngine(db);
const jobs = testRunner(db, { concurrency: 1 });
const upserted: string[] = [];
const upsert = search.upsert.bind(search);
search.upsert = (async (entity, tenant, docs) => {
  upserted.push(...docs.map((d) => d.id));
  return upsert(entity, tenant, docs);
}) as typeof search.upsert;
const crawler = new CrawlService({ db, jobs, search, secrets: SecretBox.load({ dataDir: dataDir! }), log: quietLog });
crawler.register(jobs);

if (mode === 'start') {
  crawler.afterBatch = async (_p, n) => {
    process.stdout.write(`BATCH ${n}\n`);
    await new Promise((r) => setTimeout(r, 40));
  };
  await crawler.create({ id: 'demo', kind: 'caas_http', url: url!, token: token!, rate_limit_per_s: 1000 });
  const r = await crawler.enqueue({ source_id: 'demo', type: 'incremental', entity: 'messages', tenant_id: 'acme', batch_size: 10 });
  process.stdout.write(`JOB ${r.id}\n`);
  jobs.start();
  await new Promise(() => undefined); // until SIGKILLed
} else {
  jobs.start();
  for (;;) {
    const [n] = await db.query<{ n: number }>("SELECT count(*)::int AS n FROM jobs WHERE kind = 'crawl.run' AND state IN ('queued', 'running')");
    if (n!.n === 0) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  await jobs.stop();
  const [job] = await db.query<{ state: string; attempts: number }>("SELECT state, attempts FROM jobs WHERE kind = 'crawl.run'");
  const docs = await db.query<{ id: string }>(
    "SELECT d.id FROM search_docs d JOIN search_generations g USING (tenant_id, entity) WHERE d.tenant_id = 'acme' AND d.entity = 'messages' AND d.generation = g.live"
  );
  const cursor = await crawler.cursors.get('demo', 'messages', 'acme');
  process.stdout.write(`RESULT ${JSON.stringify({ job, ids: docs.map((d) => d.id), upserted, cursor })}\n`);
  await crawler.close();
  await db.close();
  process.exit(0);
}
