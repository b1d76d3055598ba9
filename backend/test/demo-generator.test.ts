import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { AnalyticsEventInput } from '../src/contracts/events.js';
import {
  COUNTRY_UTC_OFFSET_HOURS,
  DEMO_EVENT_TYPES,
  generateBatches,
  generateEvents,
  MESSAGE_TYPE_WEIGHTS,
  type DemoGeneratorOptions,
} from '../src/demo/generator.js';

const DAY = 86_400_000;
const END = new Date('2025-03-03T00:00:00Z'); // a Monday 00:00 UTC, so the window holds 4 whole weeks
const OPTIONS: DemoGeneratorOptions = {
  seed: 7,
  tenants: ['acme', 'globex', 'initech'],
  days: 28,
  end: END,
  usersPerTenant: 400,
  eventsPerDay: 3000,
};
const checkEvent = TypeCompiler.Compile(AnalyticsEventInput);

/** One pass over the shared data set, collecting every statistic the tests below look at. */
const stats = (() => {
  const start = END.getTime() - 28 * DAY;
  const s = {
    count: 0,
    invalid: [] as string[],
    minTs: Infinity,
    maxTs: -Infinity,
    outOfOrder: 0,
    byType: new Map<string, number>(),
    byMessageType: new Map<string, number>(),
    byTenant: new Map<string, number>(),
    byWeekday: new Array<number>(7).fill(0),
    usLocalHour: new Array<number>(24).fill(0),
    /** tenant/user → set of window days present */
    userDays: new Map<string, Set<number>>(),
    versionsFirstWeek: new Map<string, number>(),
    versionsLastWeek: new Map<string, number>(),
    userProfile: new Map<string, string>(),
    inconsistentProfiles: 0,
    ids: new Set<string>(),
    duplicateIds: 0,
  };
  let last = -Infinity;
  for (const e of generateEvents(OPTIONS)) {
    s.count++;
    if (s.invalid.length < 5 && !checkEvent.Check(e)) {
      s.invalid.push(
        `${JSON.stringify(e)}: ${[...checkEvent.Errors(e)].map((x) => `${x.path} ${x.message}`).join('; ')}`
      );
    }
    if (e.timestamp < last) s.outOfOrder++;
    last = e.timestamp;
    s.minTs = Math.min(s.minTs, e.timestamp);
    s.maxTs = Math.max(s.maxTs, e.timestamp);
    s.byType.set(e.type, (s.byType.get(e.type) ?? 0) + 1);
    s.byTenant.set(e.tenant_id, (s.byTenant.get(e.tenant_id) ?? 0) + 1);
    if (e.type === 'message_sent') {
      const mt = String(e.properties.message_type);
      s.byMessageType.set(mt, (s.byMessageType.get(mt) ?? 0) + 1);
    }
    const weekday = new Date(e.timestamp).getUTCDay();
    s.byWeekday[weekday] = (s.byWeekday[weekday] ?? 0) + 1;
    if (e.context.country === 'US') {
      const h = new Date(e.timestamp + COUNTRY_UTC_OFFSET_HOURS.US * 3_600_000).getUTCHours();
      s.usLocalHour[h] = (s.usLocalHour[h] ?? 0) + 1;
    }
    const key = `${e.tenant_id}/${e.user_id}`;
    const day = Math.floor((e.timestamp - start) / DAY);
    let days = s.userDays.get(key);
    if (!days) s.userDays.set(key, (days = new Set()));
    days.add(day);
    const profile = `${e.context.country}|${e.context.platform}|${e.context.device}`;
    const seen = s.userProfile.get(key);
    if (seen === undefined) s.userProfile.set(key, profile);
    else if (seen !== profile) s.inconsistentProfiles++;
    const versions = day < 7 ? s.versionsFirstWeek : day >= 21 ? s.versionsLastWeek : undefined;
    versions?.set(e.context.app_version, (versions.get(e.context.app_version) ?? 0) + 1);
    if (s.ids.has(e.event_id)) s.duplicateIds++;
    s.ids.add(e.event_id);
  }
  return s;
})();

function mode(counts: Map<string, number>): string {
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? '';
}
function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

describe('demo generator', () => {
  it('is deterministic for the same seed and options, and differs for another seed', () => {
    const take = (opts: DemoGeneratorOptions, n: number): string[] => {
      const out: string[] = [];
      for (const e of generateEvents(opts)) {
        out.push(JSON.stringify(e));
        if (out.length >= n) break;
      }
      return out;
    };
    const a = take(OPTIONS, 5000);
    const b = take(OPTIONS, 5000);
    assert.equal(a.length, 5000);
    assert.deepEqual(a, b);
    const c = take({ ...OPTIONS, seed: 8 }, 5000);
    assert.notDeepEqual(a, c);
  });

  it('produces roughly tenants × days × eventsPerDay events with unique ids', () => {
    const expected = 3 * 28 * 3000;
    assert.ok(Math.abs(stats.count - expected) / expected < 0.15, `count ${stats.count} vs ~${expected}`);
    assert.equal(stats.duplicateIds, 0);
  });

  it('every event validates against the AnalyticsEventInput schema', () => {
    assert.deepEqual(stats.invalid, []);
  });

  it('keeps timestamps inside [end - days, end) and in time order', () => {
    assert.ok(stats.minTs >= END.getTime() - 28 * DAY, `min ${new Date(stats.minTs).toISOString()}`);
    assert.ok(stats.maxTs < END.getTime(), `max ${new Date(stats.maxTs).toISOString()}`);
    // the window is used end to end, not just a corner of it
    assert.ok(stats.minTs < END.getTime() - 27.9 * DAY);
    assert.ok(stats.maxTs > END.getTime() - 0.1 * DAY);
    assert.equal(stats.outOfOrder, 0);
  });

  it('never produces events in the future, even when end is in the future', () => {
    const now = Date.now();
    let max = -Infinity;
    for (const e of generateEvents({ ...OPTIONS, days: 1, end: new Date(now + 3 * DAY) }))
      max = Math.max(max, e.timestamp);
    assert.ok(Number.isFinite(max), 'some events');
    assert.ok(max <= Date.now(), `max ${new Date(max).toISOString()} is in the future`);
    assert.ok(max > now - 2 * 3_600_000, 'the window was clamped to end now, not shifted back');
  });

  it('uses every event type, mostly message_sent', () => {
    for (const t of DEMO_EVENT_TYPES) assert.ok((stats.byType.get(t) ?? 0) > 0, `no ${t}`);
    const messages = stats.byType.get('message_sent') ?? 0;
    assert.ok(messages / stats.count > 0.4, `message_sent share ${messages / stats.count}`);
  });

  it('message_type follows the configured 70/15/10/5 weights', () => {
    const total = [...stats.byMessageType.values()].reduce((a, b) => a + b, 0);
    const weightSum = Object.values(MESSAGE_TYPE_WEIGHTS).reduce((a, b) => a + b, 0);
    assert.deepEqual([...stats.byMessageType.keys()].sort(), Object.keys(MESSAGE_TYPE_WEIGHTS).sort());
    for (const [type, weight] of Object.entries(MESSAGE_TYPE_WEIGHTS)) {
      const share = (stats.byMessageType.get(type) ?? 0) / total;
      assert.ok(Math.abs(share - weight / weightSum) < 0.02, `${type}: ${share.toFixed(3)} vs ${weight / weightSum}`);
    }
  });

  it('has more volume on weekdays than on weekends', () => {
    const perDay = (days: number[]): number => days.reduce((a, d) => a + (stats.byWeekday[d] ?? 0), 0) / days.length;
    const weekday = perDay([1, 2, 3, 4, 5]);
    const weekend = perDay([0, 6]);
    assert.ok(weekend < 0.85 * weekday, `weekend ${weekend} vs weekday ${weekday}`);
  });

  it('peaks in local working hours (US users, local time)', () => {
    const sum = (hours: number[]): number => hours.reduce((a, h) => a + (stats.usLocalHour[h] ?? 0), 0);
    const work = sum([10, 11, 12, 13, 14, 15]);
    const night = sum([1, 2, 3, 4, 5, 6]);
    assert.ok(work > 4 * night, `work hours ${work} vs night ${night}`);
  });

  it('covers every tenant with a comparable share', () => {
    assert.deepEqual([...stats.byTenant.keys()].sort(), ['acme', 'globex', 'initech']);
    const mean = stats.count / 3;
    for (const [tenant, n] of stats.byTenant) assert.ok(n > 0.5 * mean && n < 1.5 * mean, `${tenant}: ${n}`);
  });

  it('keeps a user on one country/platform/device', () => {
    assert.equal(stats.inconsistentProfiles, 0);
  });

  it('has churn, late signups and returning users', () => {
    const firstWeek = (d: Set<number>): boolean => [...d].some((x) => x < 7);
    const lastWeek = (d: Set<number>): boolean => [...d].some((x) => x >= 21);
    const during = (d: Set<number>, from: number, to: number): boolean => [...d].some((x) => x >= from && x < to);
    let early = 0;
    let churned = 0;
    let lateSignups = 0;
    let returned = 0;
    for (const days of stats.userDays.values()) {
      if (firstWeek(days)) {
        early++;
        if (!lastWeek(days)) churned++;
        // present in week 1 and week 4 but absent a whole week in between
        if (lastWeek(days) && (!during(days, 7, 14) || !during(days, 14, 21))) returned++;
      } else if (lastWeek(days)) lateSignups++;
    }
    assert.ok(early > 0);
    assert.ok(churned / early > 0.1, `churned ${churned} of ${early}`);
    assert.ok(churned / early < 0.6, `churned ${churned} of ${early}`);
    assert.ok(lateSignups > 50, `late signups ${lateSignups}`);
    assert.ok(returned > 5, `returning ${returned}`);
  });

  it('rolls app versions forward over time', () => {
    const first = mode(stats.versionsFirstWeek);
    const last = mode(stats.versionsLastWeek);
    assert.ok(compareVersions(last, first) > 0, `first-week ${first}, last-week ${last}`);
    assert.ok(stats.versionsLastWeek.size > 1, 'several versions coexist');
  });

  it('streams: the first events arrive without generating the whole window', () => {
    const t0 = performance.now();
    let n = 0;
    // ~3 years × 1M events/day would be > 1e9 events: impossible unless the generator is lazy
    for (const e of generateEvents({
      seed: 1,
      tenants: ['big'],
      days: 1000,
      end: END,
      usersPerTenant: 2000,
      eventsPerDay: 1_000_000,
    })) {
      assert.ok(e.timestamp >= END.getTime() - 1000 * DAY);
      if (++n >= 1000) break;
    }
    assert.equal(n, 1000);
    assert.ok(performance.now() - t0 < 10_000);
  });

  it('streams: 200k events pass through without being held in memory', () => {
    const baseline = process.memoryUsage().heapUsed;
    let peak = baseline;
    let n = 0;
    for (const e of generateEvents({
      seed: 3,
      tenants: ['a', 'b'],
      days: 20,
      end: END,
      usersPerTenant: 1000,
      eventsPerDay: 5200,
    })) {
      if (e.user_id.length === 0) throw new Error('unreachable');
      if (++n % 10_000 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed);
    }
    assert.ok(n >= 200_000, `generated ${n}`);
    // retaining these 200k events grows the heap by ~75 MB; streaming them stays around 2-15 MB
    const grewMb = (peak - baseline) / 1e6;
    assert.ok(grewMb < 40, `heap grew ${grewMb.toFixed(1)} MB while streaming`);
  });

  it('generateBatches cuts the same stream into fixed-size arrays', () => {
    const opts = { ...OPTIONS, days: 2 };
    const flat = [...generateEvents(opts)].map((e) => e.event_id);
    const batches = [...generateBatches(opts, 500)];
    assert.ok(batches.slice(0, -1).every((b) => b.length === 500));
    assert.deepEqual(
      batches.flat().map((e) => e.event_id),
      flat
    );
  });

  it('rejects nonsense options', () => {
    assert.throws(() => generateEvents({ tenants: [] }).next(), RangeError);
    assert.throws(() => generateEvents({ days: 0 }).next(), RangeError);
    assert.throws(() => generateEvents({ usersPerTenant: 0 }).next(), RangeError);
  });
});
