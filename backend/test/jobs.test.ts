import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { JobAborted, PermanentJobError, RetryLater, type JobContext, type JobRunner } from '../src/jobs/runner.js';
import { createMetrics } from '../src/observability/metrics.js';
import type { MetadataDb } from '../src/store/metadata-db.js';
import { ENGINES, ISO, sleep, testRunner, waitFor } from './jobs-support.js';

/**
 * The job runner (issue "Platform", part 2), one suite over both engines: PGlite in-process and the
 * PostgreSQL server at 127.0.0.1:5432 (PG_TEST_URL overrides; skipped, saying why, when none
 * answers). Several runners over one store stand for several instances.
 */
for (const engine of ENGINES) {
  describe(`jobs on ${engine.name}`, () => {
    let db: MetadataDb;
    let cleanup = async () => undefined as void;
    let skip: string | undefined;
    const runners: JobRunner[] = [];
    before(async () => {
      const r = await engine.open();
      if (typeof r === 'string') {
        skip = r;
        console.log(`# SKIP jobs on ${engine.name}: ${r}`);
        return;
      }
      db = r.db;
      cleanup = r.cleanup;
    });
    after(async () => {
      await Promise.all(runners.map((r) => r.stop()));
      await cleanup();
    });
    const runner = (over: Parameters<typeof testRunner>[1] = {}) => {
      const r = testRunner(db, over);
      runners.push(r);
      return r;
    };
    const test = (title: string, fn: () => Promise<void>) =>
      it(title, { timeout: 30_000 }, async (t) => {
        if (skip) {
          t.skip(skip);
          return;
        }
        await fn();
      });

    test('enqueue with a key is a no-op while that job is queued or running, and enqueues again once it finished', async () => {
      const r = runner();
      let release!: () => void;
      const gate = new Promise<void>((res) => (release = res));
      let runs = 0;
      r.register('t.dedup', async () => {
        runs++;
        await gate;
      });
      const a = await r.enqueue({ kind: 't.dedup', dedupKey: 'k1', payload: { n: 1 } });
      const b = await r.enqueue({ kind: 't.dedup', dedupKey: 'k1', payload: { n: 2 } });
      assert.equal(a.created, true);
      assert.deepEqual(b, { id: a.id, created: false }, 'a duplicate while queued answers the queued job');
      const other = await r.enqueue({ kind: 't.dedup', dedupKey: 'k2' });
      assert.notEqual(other.id, a.id, 'another key is another job');
      r.start();
      await waitFor('the first job running', 5000, async () => (await r.store.get(a.id, null))?.state === 'running');
      assert.deepEqual(await r.enqueue({ kind: 't.dedup', dedupKey: 'k1' }), { id: a.id, created: false }, 'a duplicate while running answers the running job');
      release();
      await waitFor('both jobs succeeded', 5000, async () => (await r.list({ kind: 't.dedup', state: 'succeeded', tenant: null, limit: 10 })).length === 2);
      assert.equal(runs, 2);
      const again = await r.enqueue({ kind: 't.dedup', dedupKey: 'k1' });
      assert.equal(again.created, true, 'after it finished the key enqueues a new job');
      assert.notEqual(again.id, a.id);
      await waitFor('the third job succeeded', 5000, async () => (await r.store.get(again.id, null))?.state === 'succeeded');
      // Many concurrent enqueues of one key make one job (not due for a minute, so it stays queued meanwhile).
      const ids = new Set((await Promise.all(Array.from({ length: 20 }, () => r.enqueue({ kind: 't.dedup', dedupKey: 'k3', runAfter: Date.now() + 60_000 })))).map((x) => x.id));
      assert.equal(ids.size, 1, 'twenty concurrent enqueues of one key: one job');
    });

    test('a failing job is retried with exponential backoff, then fails with the last error', async () => {
      const r = runner({ backoffBaseMs: 40 });
      const startedAt: number[] = [];
      r.register(
        't.flaky',
        async (ctx) => {
          startedAt.push(Date.now());
          throw new Error(`boom ${ctx.attempt}`);
        },
        { maxAttempts: 4 }
      );
      const { id } = await r.enqueue({ kind: 't.flaky', tenantId: 'acme' });
      r.start();
      const job = await waitFor('the job failed', 10_000, async () => {
        const j = await r.store.get(id, null);
        return j?.state === 'failed' ? j : undefined;
      });
      assert.equal(job.attempts, 4);
      assert.equal(job.last_error, 'boom 4', 'the last error is kept');
      assert.match(job.finished_at ?? '', ISO);
      assert.equal(startedAt.length, 4);
      const gaps = startedAt.slice(1).map((t, i) => t - (startedAt[i] as number));
      // 40 ms × 2^attempt: 80, 160, 320 ms (polls add a little)
      [80, 160, 320].forEach((min, i) => assert.ok((gaps[i] ?? 0) >= min - 5, `gap ${i + 1} is ${gaps[i]} ms, expected >= ${min} ms (${gaps.join(', ')})`));
      const detail = await r.get(id, null);
      const lines = detail?.log.map((l) => `${l.attempt} ${l.level} ${l.message}`) ?? [];
      assert.ok(lines.some((l) => /^1 warn attempt 1 of 4 failed: boom 1; retry in 0\.080 s$/.test(l)), lines.join('\n'));
      // the backoff grows as scheduled (the gaps above are only lower bounds: a loaded machine stretches any of them)
      assert.ok(lines.some((l) => /^2 warn attempt 2 of 4 failed: boom 2; retry in 0\.160 s$/.test(l)), lines.join('\n'));
      assert.ok(lines.some((l) => /^3 warn attempt 3 of 4 failed: boom 3; retry in 0\.320 s$/.test(l)), lines.join('\n'));
      assert.ok(lines.some((l) => /^4 error failed after 4 attempt\(s\): boom 4$/.test(l)), lines.join('\n'));
    });

    test('RetryLater: the retry waits for the handler\'s time when it is longer than the backoff, queued', async () => {
      const r = runner({ backoffBaseMs: 10 });
      const startedAt: number[] = [];
      r.register('t.later', async (ctx) => {
        startedAt.push(Date.now());
        if (ctx.attempt === 1) {
          throw new RetryLater('the receiver said: Retry-After 1', 600);
        }
      });
      const { id } = await r.enqueue({ kind: 't.later' });
      r.start();
      const job = await waitFor('the job succeeded', 10_000, async () => {
        const j = await r.store.get(id, null);
        return j?.state === 'succeeded' ? j : undefined;
      });
      assert.equal(job.attempts, 2);
      const gap = (startedAt[1] ?? 0) - (startedAt[0] ?? 0);
      assert.ok(gap >= 595, `the second try came ${gap} ms later; the backoff alone is 20 ms`);
      const detail = await r.get(id, null);
      assert.ok(detail?.log.some((l) => /retry in 0\.600 s$/.test(l.message)), JSON.stringify(detail?.log));
    });

    test('a PermanentJobError fails the job at once; a job that succeeds on a retry succeeds', async () => {
      const r = runner();
      r.register('t.permanent', async () => {
        throw new PermanentJobError('the payload names no tenant');
      });
      r.register('t.second-time', async (ctx) => {
        if (ctx.attempt === 1) {
          throw new Error('ClickHouse is restarting');
        }
      });
      const p = await r.enqueue({ kind: 't.permanent' });
      const s = await r.enqueue({ kind: 't.second-time' });
      r.start();
      const pj = await waitFor('permanent failure', 5000, async () => {
        const j = await r.store.get(p.id, null);
        return j?.state === 'failed' ? j : undefined;
      });
      assert.equal(pj.attempts, 1);
      assert.equal(pj.last_error, 'the payload names no tenant');
      const sj = await waitFor('success on the retry', 5000, async () => {
        const j = await r.store.get(s.id, null);
        return j?.state === 'succeeded' ? j : undefined;
      });
      assert.equal(sj.attempts, 2);
      assert.equal(sj.last_error, 'ClickHouse is restarting', 'the error of the failed attempt stays readable');
    });

    test('cancel: a queued job never runs; a running job is aborted here or on another instance; finished jobs answer 409', async () => {
      const a = runner({ instanceId: 'instance-a', leaseMs: 300 });
      const b = runner({ instanceId: 'instance-b', concurrency: 0 }); // API-only: cancels, runs nothing
      let ran = 0;
      const started = new Set<string>();
      const aborted: string[] = [];
      const hold = async (ctx: JobContext) => {
        ran++;
        started.add(ctx.id);
        await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
        aborted.push(`${ctx.id}:${(ctx.signal.reason as JobAborted).why}`);
        throw ctx.signal.reason;
      };
      a.register('t.hold', hold);
      b.register('t.hold', hold);
      // queued, not yet due: cancelled before it runs
      const queued = await a.enqueue({ kind: 't.hold', runAfter: Date.now() + 60_000 });
      const c = await b.cancel(queued.id, null);
      assert.equal(c.state, 'cancelled');
      assert.match(c.finished_at ?? '', ISO);
      await assert.rejects(b.cancel(queued.id, null), (e: Error & { code?: string }) => e.code === 'conflict' && /already was cancelled/.test(e.message));
      // running here: cancelled through this runner, aborted at once
      a.start();
      const local = await a.enqueue({ kind: 't.hold' });
      await waitFor('running', 5000, () => started.has(local.id));
      await a.cancel(local.id, null);
      await waitFor('aborted here', 2000, () => aborted.includes(`${local.id}:cancelled`));
      // running on instance a, cancelled through instance b: a's next heartbeat (every 100 ms) finds out
      const remote = await a.enqueue({ kind: 't.hold' });
      await waitFor('running', 5000, () => started.has(remote.id));
      const t0 = Date.now();
      await b.cancel(remote.id, null);
      await waitFor('aborted by the heartbeat', 3000, () => aborted.includes(`${remote.id}:cancelled`));
      assert.ok(Date.now() - t0 < 2500, 'within a few heartbeats (every 100 ms)');
      await sleep(100);
      for (const id of [local.id, remote.id]) {
        const j = await a.get(id, null);
        assert.equal(j?.state, 'cancelled', 'a cancelled job stays cancelled (its handler ended after the cancel)');
        assert.ok(j?.log.some((l) => l.message === 'cancelled while running'));
      }
      assert.equal(ran, 2, 'the cancelled queued job never ran');
      // a finished job cannot be cancelled; an unknown or other tenant's job is not found
      await assert.rejects(a.cancel('00000000-0000-4000-8000-000000000000', null), (e: Error & { code?: string }) => e.code === 'not_found');
      const tj = await b.store.enqueue({ kind: 't.hold', tenantId: 'globex', runAfter: Date.now() + 60_000 });
      await assert.rejects(b.cancel(tj.id, 'acme'), (e: Error & { code?: string }) => e.code === 'not_found', "acme cannot cancel globex's job");
      assert.equal((await b.cancel(tj.id, 'globex')).state, 'cancelled');
    });

    test('progress and the run log: the job reports done/total/message as it goes and logs lines', async () => {
      const r = runner();
      let step!: () => void;
      let stepped = Promise.resolve();
      const steps: Array<() => void> = [];
      r.register('t.progress', async (ctx) => {
        await ctx.log('reading 5 things');
        for (let i = 1; i <= 5; i++) {
          stepped = new Promise<void>((res) => steps.push(res));
          await stepped;
          await ctx.progress(i, 5, `thing ${i}`);
          if (i === 3) {
            await ctx.log('halfway', 'warn');
          }
        }
      });
      const { id } = await r.enqueue({ kind: 't.progress', tenantId: 'acme', payload: { x: 1 } });
      r.start();
      await waitFor('started', 5000, () => steps.length === 1);
      step = steps[0] as () => void;
      step();
      await waitFor('progress 1/5', 5000, async () => (await r.store.get(id, null))?.progress.done === 1);
      const mid = await r.store.get(id, null);
      assert.deepEqual(mid?.progress, { done: 1, total: 5, message: 'thing 1' });
      assert.equal(mid?.state, 'running');
      assert.match(mid?.started_at ?? '', ISO);
      assert.equal(mid?.finished_at, null);
      for (let i = 1; i < 5; i++) {
        await waitFor(`step ${i + 1}`, 5000, () => steps.length === i + 1);
        (steps[i] as () => void)();
      }
      const done = await waitFor('succeeded', 5000, async () => {
        const j = await r.get(id, null);
        return j?.state === 'succeeded' ? j : undefined;
      });
      assert.deepEqual(done.progress, { done: 5, total: 5, message: 'thing 5' }, 'the last progress is always written');
      assert.equal(done.tenant_id, 'acme');
      assert.equal(done.kind, 't.progress');
      assert.equal(done.attempts, 1);
      assert.equal(done.last_error, null);
      for (const k of ['created_at', 'started_at', 'finished_at'] as const) {
        assert.match(done[k] ?? '', ISO, `${k} is ISO 8601`);
      }
      assert.deepEqual(
        done.log.map((l) => [l.attempt, l.level, l.message.replace(/[\d.]+ s$/, 'N s')]),
        [
          [1, 'info', `attempt 1 of 5 started on ${r.instanceId}`],
          [1, 'info', 'reading 5 things'],
          [1, 'warn', 'halfway'],
          [1, 'info', 'succeeded in N s'],
        ]
      );
      done.log.forEach((l) => assert.match(l.at, ISO));
    });

    test('a lease that runs out (its instance died) is taken over and the attempt counted; on the last attempt the job fails', async () => {
      const r = runner({ instanceId: 'survivor', leaseMs: 400 });
      let runs = 0;
      r.register('t.takeover', async (ctx) => {
        runs++;
        await ctx.progress(1, 1, `finished by ${ctx.attempt}`);
      });
      // A "dead" instance claims two jobs and never renews them.
      const live = await r.store.enqueue({ kind: 't.takeover', maxAttempts: 3 });
      const last = await r.store.enqueue({ kind: 't.takeover', maxAttempts: 1 });
      const c1 = await r.store.claim('dead-instance', ['t.takeover'], 1000);
      const c2 = await r.store.claim('dead-instance', ['t.takeover'], 1000);
      assert.deepEqual(new Set([c1?.id, c2?.id]), new Set([live.id, last.id]));
      assert.equal(await r.store.claim('dead-instance', ['t.takeover'], 1000), null, 'nothing else is due while the leases hold');
      r.start();
      await sleep(200);
      assert.equal(runs, 0, 'not taken over while the lease holds');
      const taken = await waitFor('taken over', 5000, async () => {
        const j = await r.get(live.id, null);
        return j?.state === 'succeeded' ? j : undefined;
      });
      assert.equal(taken.attempts, 2, 'the takeover counts an attempt');
      assert.ok(taken.log.some((l) => l.message === 'taken over from dead-instance, whose lease ran out: attempt 2 of 3 on survivor'), JSON.stringify(taken.log));
      const failed = await waitFor('failed', 5000, async () => {
        const j = await r.get(last.id, null);
        return j?.state === 'failed' ? j : undefined;
      });
      assert.equal(failed.attempts, 1);
      assert.match(failed.last_error ?? '', /attempt 1 of 1: the lease of dead-instance ran out .* no attempts are left/);
      assert.equal(runs, 1);
      // The dead instance's late writes are refused: it no longer holds the lease.
      assert.equal(await r.store.succeed(live.id, 'dead-instance'), false);
      assert.equal(await r.store.heartbeat(live.id, 'dead-instance', 1000), false);
      assert.equal(await r.store.progress(live.id, 'dead-instance', 9, 9, 'late'), false);
    });

    test('a handler whose lease was taken over stops: its signal aborts and its result is not recorded', async () => {
      const r = runner({ instanceId: 'slow-instance', leaseMs: 300 });
      let reason: string | undefined;
      r.register('t.stolen', async (ctx) => {
        // simulate a stalled instance: someone else takes the lease
        await db.query(`UPDATE jobs SET lease_owner = 'thief' WHERE id = $1`, [ctx.id]);
        await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
        reason = (ctx.signal.reason as JobAborted).why;
      });
      const { id } = await r.enqueue({ kind: 't.stolen' });
      r.start();
      await waitFor('aborted', 5000, () => reason !== undefined);
      assert.equal(reason, 'lease_lost');
      await sleep(100);
      const j = await r.store.get(id, null);
      assert.equal(j?.state, 'running', 'the thief holds it; the slow instance recorded nothing');
      await db.query(`UPDATE jobs SET state = 'cancelled' WHERE id = $1`, [id]);
    });

    test('shutdown aborts running handlers and gives their jobs back without counting the attempt', async () => {
      const a = runner({ instanceId: 'stopping' });
      let started = false;
      a.register('t.long', async (ctx) => {
        started = true;
        await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
        throw ctx.signal.reason;
      });
      const { id } = await a.enqueue({ kind: 't.long' });
      a.start();
      await waitFor('running', 5000, () => started);
      await a.stop();
      const j = await a.get(id, null);
      assert.equal(j?.state, 'queued');
      assert.equal(j?.attempts, 0, 'the interrupted attempt is not counted');
      assert.ok(j?.log.some((l) => /interrupted by the shutdown of stopping/.test(l.message)));
      const b = runner({ instanceId: 'next-start' });
      b.register('t.long', async () => undefined);
      b.start();
      await waitFor('run by the next instance', 5000, async () => (await b.store.get(id, null))?.state === 'succeeded');
    });

    test('N jobs over three runners on one store run exactly once each', async () => {
      const seen = new Map<string, string[]>();
      const rs = ['r1', 'r2', 'r3'].map((name) => {
        const r = runner({ instanceId: name, concurrency: 3 });
        r.register('t.once', async (ctx) => {
          seen.set(ctx.id, [...(seen.get(ctx.id) ?? []), name]);
          await sleep(2);
        });
        return r;
      });
      const n = 150;
      const ids = await Promise.all(Array.from({ length: n }, (_, i) => (rs[i % 3] as JobRunner).enqueue({ kind: 't.once', payload: { i } })));
      rs.forEach((r) => r.start());
      await waitFor('all done', 20_000, async () => (await rs[0]!.list({ kind: 't.once', state: 'succeeded', tenant: null, limit: 1000 })).length === n);
      assert.equal(seen.size, n);
      for (const { id } of ids) {
        assert.equal(seen.get(id)?.length, 1, `job ${id} ran ${seen.get(id)?.length} times`);
      }
    });

    test('metrics: jobs by kind and state, attempts by outcome', async () => {
      const metrics = createMetrics();
      const r = runner({ metrics });
      r.register('t.metrics', async (ctx) => {
        if ((ctx.payload as { fail?: boolean }).fail) {
          throw new PermanentJobError('no');
        }
      });
      const ok = await r.enqueue({ kind: 't.metrics' });
      const bad = await r.enqueue({ kind: 't.metrics', payload: { fail: true } });
      await r.enqueue({ kind: 't.metrics', runAfter: Date.now() + 60_000 });
      r.start();
      await waitFor('finished', 5000, async () => (await r.store.get(ok.id, null))?.state === 'succeeded' && (await r.store.get(bad.id, null))?.state === 'failed');
      const text = await metrics.registry.metrics();
      assert.match(text, /caas_jobs\{kind="t.metrics",state="succeeded"\} 1/);
      assert.match(text, /caas_jobs\{kind="t.metrics",state="failed"\} 1/);
      assert.match(text, /caas_jobs\{kind="t.metrics",state="queued"\} 1/);
      assert.match(text, /caas_jobs\{kind="t.metrics",state="cancelled"\} 0/);
      assert.match(text, /caas_job_attempts_total\{kind="t.metrics",outcome="succeeded"\} 1/);
      assert.match(text, /caas_job_attempts_total\{kind="t.metrics",outcome="failed"\} 1/);
      assert.match(text, /caas_job_duration_seconds_count\{kind="t.metrics",outcome="succeeded"\} 1/);
    });

    test('schedules: a firing is claimed once across instances; catch-up runs the most recent missed firing once', async () => {
      const H = 3_600_000;
      const t0 = Date.parse('2026-06-01T10:20:00.000Z');
      let now = t0;
      const rs = ['s1', 's2', 's3'].map((name) => {
        const r = runner({ instanceId: name, now: () => now });
        r.register('t.scheduled', async () => undefined);
        return r;
      });
      await rs[0]!.schedules.upsert({ name: 'hourly', cron: '0 * * * *', timezone: 'UTC', kind: 't.scheduled', payload: { report: 'x' }, tenantId: 'acme' }, t0);
      // every instance starts and upserts the same schedule: the anchor stays
      await rs[1]!.schedules.upsert({ name: 'hourly', cron: '0 * * * *', timezone: 'UTC', kind: 't.scheduled', payload: { report: 'x' }, tenantId: 'acme' }, t0 + 5 * 60_000);
      const tickAll = async () => (await Promise.all(rs.map((r) => r.schedules.tick(now)))).flat();
      assert.deepEqual(await tickAll(), [], 'nothing due before 11:00');
      now = Date.parse('2026-06-01T11:00:00.500Z');
      const first = await tickAll();
      assert.equal(first.length, 1, 'three instances ticking at 11:00 claim the firing once');
      assert.equal(new Date(first[0]!.fireAt).toISOString(), '2026-06-01T11:00:00.000Z');
      assert.equal(first[0]!.skipped, 0);
      assert.deepEqual(await tickAll(), [], 'and not again');
      // every instance down from 11:30 to 16:10: 12:00..16:00 missed; only 16:00 runs
      now = Date.parse('2026-06-01T16:10:00.000Z');
      const caught = await tickAll();
      assert.equal(caught.length, 1);
      assert.equal(new Date(caught[0]!.fireAt).toISOString(), '2026-06-01T16:00:00.000Z');
      assert.equal(caught[0]!.skipped, 4, '12:00, 13:00, 14:00, 15:00 skipped');
      assert.deepEqual(await tickAll(), []);
      now += H;
      assert.equal((await tickAll()).length, 1, '17:00 fires');
      const firings = await db.query<{ fire_at: Date | string; job_id: string }>(`SELECT fire_at, job_id::text AS job_id FROM job_schedule_firings WHERE schedule_name = 'hourly' ORDER BY fire_at`);
      assert.deepEqual(
        firings.map((f) => new Date(f.fire_at).toISOString()),
        ['2026-06-01T11:00:00.000Z', '2026-06-01T16:00:00.000Z', '2026-06-01T17:00:00.000Z']
      );
      const jobs = await rs[0]!.list({ kind: 't.scheduled', tenant: 'acme', limit: 10 });
      assert.equal(jobs.length, 3, 'one job per firing, for the schedule tenant');
      const caughtJob = await rs[0]!.get(caught[0]!.jobId, 'acme');
      assert.ok(caughtJob?.log.some((l) => /catch-up: 4 earlier firing\(s\) of schedule 'hourly' were missed/.test(l.message)), JSON.stringify(caughtJob?.log));
      // changing the cron re-anchors: no backlog from the new pattern
      now = Date.parse('2026-06-01T17:20:00.000Z');
      await rs[2]!.schedules.upsert({ name: 'hourly', cron: '*/5 * * * *', timezone: 'UTC', kind: 't.scheduled', tenantId: 'acme' }, now);
      assert.deepEqual(await tickAll(), [], 'a changed cron fires from its change on');
      now = Date.parse('2026-06-01T17:25:01.000Z');
      assert.equal((await tickAll()).length, 1);
      // a disabled schedule does not fire
      await rs[2]!.schedules.upsert({ name: 'hourly', cron: '*/5 * * * *', timezone: 'UTC', kind: 't.scheduled', tenantId: 'acme', enabled: false }, now);
      now += H;
      assert.deepEqual(await tickAll(), []);
      // a firing's job is run by the runner and sees when it fired
      const fired: string[] = [];
      const rr = runner({ now: () => now, scheduleTickMs: 20 });
      rr.register('t.fired', async (ctx) => {
        fired.push(ctx.firedAt?.toISOString() ?? 'none');
      });
      await rr.schedules.upsert({ name: 'minutely', cron: '* * * * *', timezone: 'Europe/Berlin', kind: 't.fired' }, now - 90_000);
      rr.start();
      await waitFor('the firing ran', 5000, () => fired.length === 1);
      assert.equal(fired[0], new Date(Math.floor(now / 60_000) * 60_000).toISOString());
      await rr.schedules.remove('minutely');
      await rs[0]!.schedules.remove('hourly');
    });

    test('bad schedules are refused with what to change', async () => {
      const r = runner();
      await assert.rejects(r.schedules.upsert({ name: 'x', cron: '61 * * * *', timezone: 'UTC', kind: 'k' }, Date.now()), /cron '61 \* \* \* \*' is not valid/);
      await assert.rejects(r.schedules.upsert({ name: 'x', cron: '0 3 * * *', timezone: 'Europe/Atlantis', kind: 'k' }, Date.now()), /not an IANA time zone/);
    });
  });
}
