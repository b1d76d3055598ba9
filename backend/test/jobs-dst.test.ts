import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { JobRunner } from '../src/jobs/runner.js';
import { ZonedCron } from '../src/jobs/zoned-cron.js';
import type { MetadataDb } from '../src/store/metadata-db.js';
import { ENGINES, testRunner } from './jobs-support.js';

/**
 * Schedules across DST (issue "Platform", part 2): cron in Europe/Berlin and America/New_York on
 * the spring-forward and fall-back days of 2026 fire at the right UTC instants. The clock is
 * injected: the scheduler ticks every 10 minutes of simulated time through each day.
 *
 * The rule (src/jobs/zoned-cron.ts): a wall time skipped by spring-forward fires once, when the
 * clocks jump; a wall time repeated by fall-back fires once, at its first occurrence.
 * 2026: Berlin jumps 02:00 CET → 03:00 CEST on March 29 (01:00Z) and 03:00 CEST → 02:00 CET on
 * October 25 (01:00Z); New York 02:00 EST → 03:00 EDT on March 8 (07:00Z) and 02:00 EDT → 01:00 EST
 * on November 1 (06:00Z).
 */
interface Case {
  title: string;
  cron: string;
  timezone: string;
  from: string;
  to: string;
  expect: string[];
}

const CASES: Case[] = [
  {
    title: 'Berlin 02:30 daily around spring-forward: the skipped 02:30 fires at the jump (03:00 CEST)',
    cron: '30 2 * * *',
    timezone: 'Europe/Berlin',
    from: '2026-03-27T12:00:00Z',
    to: '2026-03-31T00:00:00Z',
    expect: ['2026-03-28T01:30:00.000Z', '2026-03-29T01:00:00.000Z', '2026-03-30T00:30:00.000Z'],
  },
  {
    title: 'Berlin 02:30 daily around fall-back: the repeated 02:30 fires once, at 02:30 CEST',
    cron: '30 2 * * *',
    timezone: 'Europe/Berlin',
    from: '2026-10-23T12:00:00Z',
    to: '2026-10-27T00:00:00Z',
    expect: ['2026-10-24T00:30:00.000Z', '2026-10-25T00:30:00.000Z', '2026-10-26T01:30:00.000Z'],
  },
  {
    title: 'Berlin 09:00 daily: 08:00Z in winter, 07:00Z in summer',
    cron: '0 9 * * *',
    timezone: 'Europe/Berlin',
    from: '2026-03-28T00:00:00Z',
    to: '2026-03-30T12:00:00Z',
    expect: ['2026-03-28T08:00:00.000Z', '2026-03-29T07:00:00.000Z', '2026-03-30T07:00:00.000Z'],
  },
  {
    title: 'Berlin hourly on spring-forward night: 23 firings that day (02:00 does not exist)',
    cron: '0 * * * *',
    timezone: 'Europe/Berlin',
    from: '2026-03-28T22:30:00Z',
    to: '2026-03-29T03:30:00Z',
    expect: ['2026-03-28T23:00:00.000Z', '2026-03-29T00:00:00.000Z', '2026-03-29T01:00:00.000Z', '2026-03-29T02:00:00.000Z', '2026-03-29T03:00:00.000Z'],
  },
  {
    title: 'Berlin hourly on fall-back night: the repeated 02:00 fires once (00:00Z), then 03:00 CET',
    cron: '0 * * * *',
    timezone: 'Europe/Berlin',
    from: '2026-10-24T21:30:00Z',
    to: '2026-10-25T03:30:00Z',
    expect: ['2026-10-24T22:00:00.000Z', '2026-10-24T23:00:00.000Z', '2026-10-25T00:00:00.000Z', '2026-10-25T02:00:00.000Z', '2026-10-25T03:00:00.000Z'],
  },
  {
    title: 'New York 09:00 daily around spring-forward: 14:00Z (EST), then 13:00Z (EDT)',
    cron: '0 9 * * *',
    timezone: 'America/New_York',
    from: '2026-03-06T00:00:00Z',
    to: '2026-03-10T00:00:00Z',
    expect: ['2026-03-06T14:00:00.000Z', '2026-03-07T14:00:00.000Z', '2026-03-08T13:00:00.000Z', '2026-03-09T13:00:00.000Z'],
  },
  {
    title: 'New York 09:00 daily around fall-back: 13:00Z (EDT), then 14:00Z (EST)',
    cron: '0 9 * * *',
    timezone: 'America/New_York',
    from: '2026-10-30T00:00:00Z',
    to: '2026-11-03T00:00:00Z',
    expect: ['2026-10-30T13:00:00.000Z', '2026-10-31T13:00:00.000Z', '2026-11-01T14:00:00.000Z', '2026-11-02T14:00:00.000Z'],
  },
  {
    title: 'New York 02:30 daily around spring-forward: the skipped 02:30 fires at the jump (07:00Z)',
    cron: '30 2 * * *',
    timezone: 'America/New_York',
    from: '2026-03-07T00:00:00Z',
    to: '2026-03-10T00:00:00Z',
    expect: ['2026-03-07T07:30:00.000Z', '2026-03-08T07:00:00.000Z', '2026-03-09T06:30:00.000Z'],
  },
  {
    title: 'New York 01:30 daily around fall-back: the repeated 01:30 fires once, at 01:30 EDT (05:30Z)',
    cron: '30 1 * * *',
    timezone: 'America/New_York',
    from: '2026-10-31T00:00:00Z',
    to: '2026-11-03T00:00:00Z',
    expect: ['2026-10-31T05:30:00.000Z', '2026-11-01T05:30:00.000Z', '2026-11-02T06:30:00.000Z'],
  },
  {
    title: 'New York every 20 minutes on fall-back night: the repeated hour fires once (01:00–01:40 EDT); the next firing is 02:00 EST',
    cron: '*/20 * * * *',
    timezone: 'America/New_York',
    from: '2026-11-01T04:50:00Z',
    to: '2026-11-01T07:30:00Z',
    expect: [
      '2026-11-01T05:00:00.000Z',
      '2026-11-01T05:20:00.000Z',
      '2026-11-01T05:40:00.000Z',
      '2026-11-01T07:00:00.000Z',
      '2026-11-01T07:20:00.000Z',
    ],
  },
];

const range = (c: Case) => {
  const cron = new ZonedCron(c.cron, c.timezone);
  const out: string[] = [];
  for (let t = cron.next(Date.parse(c.from)); t !== null && t <= Date.parse(c.to); t = cron.next(t)) {
    out.push(new Date(t).toISOString());
  }
  return out;
};

describe('cron in IANA time zones across DST (computed)', () => {
  for (const c of CASES) {
    it(c.title, () => assert.deepEqual(range(c), c.expect));
  }

  it('latest() finds the most recent firing without walking a long downtime', () => {
    const every = new ZonedCron('* * * * * *', 'Europe/Berlin');
    const t0 = performance.now();
    const latest = every.latest(Date.parse('2025-01-01T00:00:00Z'), Date.parse('2026-10-25T00:59:59.700Z'));
    assert.equal(new Date(latest ?? 0).toISOString(), '2026-10-25T00:59:59.000Z');
    assert.ok(performance.now() - t0 < 2000, 'a per-second schedule after ~22 months down is found in a minute of steps');
    const nightly = new ZonedCron('30 2 * * *', 'Europe/Berlin');
    assert.equal(new Date(nightly.latest(Date.parse('2026-03-01T00:00:00Z'), Date.parse('2026-03-29T12:00:00Z')) ?? 0).toISOString(), '2026-03-29T01:00:00.000Z');
    assert.equal(nightly.latest(Date.parse('2026-03-29T01:00:00Z'), Date.parse('2026-03-29T12:00:00Z')), null, 'nothing after the last firing');
    assert.equal(nightly.countBetween(Date.parse('2026-03-01T00:00:00Z'), Date.parse('2026-03-29T01:00:00Z')), 28, 'March 1..28');
  });
});

describe('schedules across DST fire at those instants (scheduler ticks with an injected clock, on PGlite)', () => {
  let db: MetadataDb;
  let cleanup = async () => undefined as void;
  let runner: JobRunner;
  let now = 0;
  before(async () => {
    const r = await ENGINES[0]!.open();
    if (typeof r === 'string') {
      throw new Error(r);
    }
    db = r.db;
    cleanup = r.cleanup;
    runner = testRunner(db, { now: () => now });
    runner.register('t.dst', async () => undefined);
  });
  after(async () => cleanup());

  CASES.forEach((c, i) => {
    it(c.title, { timeout: 60_000 }, async () => {
      const name = `dst-${i}`;
      now = Date.parse(c.from);
      await runner.schedules.upsert({ name, cron: c.cron, timezone: c.timezone, kind: 't.dst' }, now);
      // ticks every 10 minutes (finer than any gap between firings here)
      for (; now <= Date.parse(c.to); now += 10 * 60_000) {
        const fired = await runner.schedules.tick(now);
        for (const f of fired) {
          assert.equal(f.schedule, name, 'only this case\'s schedule exists');
          assert.equal(f.skipped, 0, `no firing is skipped while ticking: ${new Date(f.fireAt).toISOString()}`);
        }
      }
      const rows = await db.query<{ fire_at: Date | string }>('SELECT fire_at FROM job_schedule_firings WHERE schedule_name = $1 ORDER BY fire_at', [name]);
      assert.deepEqual(
        rows.map((r) => new Date(r.fire_at).toISOString()),
        c.expect
      );
      const jobs = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM jobs WHERE schedule_name = $1`, [name]);
      assert.equal(jobs[0]?.n, c.expect.length, 'one job per firing');
      await runner.schedules.remove(name);
    });
  });
});
