import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { JobStore } from '../src/jobs/store.js';
import { ScheduleRepo } from '../src/jobs/schedules.js';
import { openMetadataDb, type MetadataDb } from '../src/store/metadata-db.js';
import { migratePostgres } from '../src/store/pg-migrations.js';
import { spawnCaptured, waitUntil, type Spawned } from './child-process.js';
import { quietLog, serverDatabase, sleep, waitFor } from './jobs-support.js';
import { tempDir } from './helpers.js';

/**
 * Several instances against the PostgreSQL server (issue "Platform", part 2): runner processes
 * (test/jobs-worker.ts) share one database. N jobs each run exactly once; each schedule firing runs
 * exactly once; a job whose holder is killed with SIGKILL is taken over after its lease and
 * finished. Skipped, saying why, when no server answers at 127.0.0.1:5432 (PG_TEST_URL overrides).
 */
const backendDir = join(fileURLToPath(import.meta.url), '..', '..');
const workers: Spawned[] = [];

function startWorker(url: string, instance: string, env: Record<string, string> = {}): Spawned {
  const w = spawnCaptured(process.execPath, ['--import', 'tsx', 'test/jobs-worker.ts'], {
    cwd: backendDir,
    env: { ...process.env, DATABASE_URL: url, INSTANCE: instance, ...env },
  });
  workers.push(w);
  return w;
}

async function ready(w: Spawned): Promise<void> {
  await waitUntil(`worker ${w.child.pid} ready`, 30_000, () => {
    if (w.child.exitCode !== null) {
      throw new Error(`worker exited (${w.child.exitCode}):\n${w.output()}`);
    }
    return /^ready /m.test(w.output());
  });
}

async function stopWorker(w: Spawned): Promise<void> {
  if (w.child.exitCode === null && w.child.signalCode === null) {
    w.child.kill('SIGTERM');
    await w.exited(15_000);
  }
}

describe('jobs across processes on the PostgreSQL server', () => {
  let db: MetadataDb;
  let url = '';
  let drop = async () => undefined as void;
  let skip: string | undefined;
  before(async () => {
    const target = await serverDatabase();
    if (typeof target === 'string') {
      skip = target;
      console.log(`# SKIP jobs across processes: ${target}`);
      return;
    }
    url = target.url;
    drop = target.drop;
    db = await openMetadataDb({ databaseUrl: url, dataDir: tempDir() });
    await migratePostgres(db);
    await db.query('CREATE TABLE test_runs (job_id uuid NOT NULL, instance text NOT NULL, fire_at timestamptz, at timestamptz NOT NULL DEFAULT clock_timestamp())');
  });
  after(async () => {
    for (const w of workers) {
      if (w.child.exitCode === null && w.child.signalCode === null) {
        w.child.kill('SIGKILL');
      }
    }
    await db?.close();
    await drop();
  });

  it('two runner processes: N jobs each run exactly once, and each schedule firing runs exactly once', { timeout: 120_000 }, async (t) => {
    if (skip) {
      t.skip(skip);
      return;
    }
    const store = new JobStore(db);
    const n = 300;
    for (let i = 0; i < n; i++) {
      await store.enqueue({ kind: 'test.record', payload: { ms: 3, i } });
    }
    const a = startWorker(url, 'proc-a');
    const b = startWorker(url, 'proc-b');
    await Promise.all([ready(a), ready(b)]);
    await waitFor(`${n} jobs succeeded`, 60_000, async () => {
      const [r] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM jobs WHERE kind = 'test.record' AND state = 'succeeded'`);
      return r?.n === n;
    });
    const runs = await db.query<{ job_id: string; runs: number }>('SELECT job_id::text AS job_id, count(*)::int AS runs FROM test_runs GROUP BY job_id');
    assert.equal(runs.length, n, 'every job ran');
    assert.deepEqual(
      runs.filter((r) => r.runs !== 1),
      [],
      'no job ran twice'
    );
    const by = await db.query<{ instance: string; n: number }>('SELECT instance, count(*)::int AS n FROM test_runs GROUP BY instance ORDER BY instance');
    t.diagnostic(`jobs per process: ${by.map((r) => `${r.instance} ${r.n}`).join(', ')}`);
    assert.equal(by.length, 2, 'both processes took jobs');

    // A schedule firing every second, ticked by both processes every 100 ms for ~5 s.
    const schedules = new ScheduleRepo(db, store, 'test', quietLog);
    const t0 = Date.now();
    await schedules.upsert({ name: 'every-second', cron: '* * * * * *', timezone: 'Europe/Berlin', kind: 'test.record', payload: { ms: 1 } }, t0);
    await sleep(5200);
    await schedules.upsert({ name: 'every-second', cron: '* * * * * *', timezone: 'Europe/Berlin', kind: 'test.record', payload: { ms: 1 }, enabled: false }, Date.now());
    await waitFor('every firing ran', 20_000, async () => {
      const [r] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM jobs WHERE schedule_name = 'every-second' AND state <> 'succeeded'`);
      return r?.n === 0;
    });
    const firings = await db.query<{ fire_at: Date; claimed_by: string; job_id: string }>(
      `SELECT fire_at, claimed_by, job_id::text AS job_id FROM job_schedule_firings WHERE schedule_name = 'every-second' ORDER BY fire_at`
    );
    assert.ok(firings.length >= 4, `a firing per second: ${firings.length} in ~5 s`);
    const seconds = firings.map((f) => new Date(f.fire_at).getTime());
    seconds.slice(1).forEach((s, i) => assert.equal(s - (seconds[i] as number), 1000, 'consecutive seconds: none skipped while both ran'));
    const fired = await db.query<{ fire_at: Date; runs: number }>('SELECT fire_at, count(*)::int AS runs FROM test_runs WHERE fire_at IS NOT NULL GROUP BY fire_at ORDER BY fire_at');
    assert.deepEqual(
      fired.map((f) => [new Date(f.fire_at).toISOString(), f.runs]),
      firings.map((f) => [new Date(f.fire_at).toISOString(), 1]),
      'each firing ran exactly once'
    );
    const claimers = new Set(firings.map((f) => f.claimed_by));
    t.diagnostic(`${firings.length} firings, claimed by ${[...claimers].join(' and ')}`);
    await Promise.all([stopWorker(a), stopWorker(b)]);
  });

  it('a holder killed with SIGKILL: its job is taken over by another process after the lease and finished', { timeout: 120_000 }, async (t) => {
    if (skip) {
      t.skip(skip);
      return;
    }
    const store = new JobStore(db);
    const leaseMs = 1500;
    const a = startWorker(url, 'holder', { LEASE_MS: String(leaseMs) });
    await ready(a);
    const { id } = await store.enqueue({ kind: 'test.slow', payload: { steps: 10, step_ms: 150 } });
    await waitFor('the holder made progress', 20_000, async () => {
      const j = await store.get(id, null);
      return j?.state === 'running' && j.progress.done >= 2;
    });
    a.child.kill('SIGKILL');
    const killedAt = Date.now();
    const exit = await a.exited(10_000);
    assert.equal(exit.signal, 'SIGKILL');
    const before = await store.get(id, null);
    assert.equal(before?.state, 'running', 'the dead holder still "holds" it until the lease runs out');

    const b = startWorker(url, 'taker', { LEASE_MS: String(leaseMs) });
    await ready(b);
    const done = await waitFor('taken over and finished', 30_000, async () => {
      const j = await store.get(id, null);
      return j?.state === 'succeeded' ? j : undefined;
    });
    const tookMs = Date.parse(done.finished_at ?? '') - killedAt;
    t.diagnostic(`killed at progress ${before?.progress.done}/10; finished by the taker ${tookMs} ms after the kill`);
    assert.equal(done.attempts, 2, 'the takeover counted an attempt');
    assert.deepEqual(done.progress, { done: 10, total: 10, message: 'step 10 on taker' });
    const log = await store.logOf(id);
    const lines = log.map((l) => `${l.attempt} ${l.message}`);
    assert.ok(lines.includes('1 attempt 1 of 5 started on holder'), lines.join('\n'));
    assert.ok(lines.includes('2 taken over from holder, whose lease ran out: attempt 2 of 5 on taker'), lines.join('\n'));
    assert.ok(lines.includes('2 finished on taker'), lines.join('\n'));
    const takenAt = Date.parse(log.find((l) => l.message.startsWith('taken over'))?.at ?? '');
    assert.ok(takenAt - killedAt >= 0, 'not before the kill');
    await stopWorker(b);
  });
});
