import pino from 'pino';
import { JobRunner } from '../src/jobs/runner.js';
import { openMetadataDb } from '../src/store/metadata-db.js';
import { migratePostgres } from '../src/store/pg-migrations.js';

/**
 * A job-runner process for test/jobs-multi.test.ts: one "instance" against the PostgreSQL server at
 * DATABASE_URL, named INSTANCE, with the test kinds below. It prints `ready` once it runs and stops
 * gracefully on SIGTERM (a SIGKILL is the test's way to make it die holding a lease).
 *
 * - `test.record`: writes (job, instance, fire_at) to test_runs, then waits payload.ms.
 * - `test.slow`: payload.steps steps of payload.step_ms each, with progress; honours its signal.
 */
const url = process.env.DATABASE_URL;
const instance = process.env.INSTANCE ?? `worker-${process.pid}`;
if (!url) {
  process.stderr.write('DATABASE_URL is required\n');
  process.exit(2);
}
const num = (name: string, def: number) => Number(process.env[name] ?? def);
const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });

const db = await openMetadataDb({ databaseUrl: url, dataDir: '/nonexistent' });
await migratePostgres(db);
const runner = new JobRunner({
  db,
  log: pino({ level: process.env.LOG_LEVEL ?? 'warn' }, pino.destination(2)),
  instanceId: instance,
  leaseMs: num('LEASE_MS', 1500),
  pollMs: num('POLL_MS', 50),
  concurrency: num('CONCURRENCY', 4),
  backoffBaseMs: 50,
  scheduleTickMs: num('TICK_MS', 100),
  shutdownGraceMs: 2000,
});
runner.register<{ ms?: number }>('test.record', async (ctx) => {
  await db.query('INSERT INTO test_runs (job_id, instance, fire_at) VALUES ($1, $2, $3)', [ctx.id, instance, ctx.firedAt]);
  await sleep(ctx.payload.ms ?? 0, ctx.signal);
});
runner.register<{ steps: number; step_ms: number }>('test.slow', async (ctx) => {
  for (let i = 1; i <= ctx.payload.steps; i++) {
    await sleep(ctx.payload.step_ms, ctx.signal);
    if (ctx.signal.aborted) {
      throw ctx.signal.reason;
    }
    await ctx.progress(i, ctx.payload.steps, `step ${i} on ${instance}`);
  }
  await ctx.log(`finished on ${instance}`);
});
runner.start();
process.stdout.write(`ready ${instance}\n`);

process.on('SIGTERM', () => {
  void runner
    .stop()
    .then(() => db.close())
    .finally(() => process.exit(0));
});
