import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Frame, QueryResponse } from '../src/contracts/analytics.js';
import { createKey, createTenant, drained, startApp, type TestApp } from './helpers.js';

/**
 * Every query kind against the real embedded ClickHouse, on generated events whose answers this
 * test computes itself in plain TypeScript over the same events. Rollups and raw events must agree.
 */
const DAY = 86_400_000;
const END = Math.floor(Date.now() / DAY) * DAY; // today 00:00 UTC
const START = END - 21 * DAY;
const TYPES = ['login', 'message_sent', 'file_shared', 'call_started'];
const PLATFORMS = ['ios', 'android', 'web'];
const COUNTRIES = ['US', 'DE', 'IN'];
const MTYPES = ['text', 'image', 'voice'];

interface Ev {
  tenant_id: string;
  user_id: string;
  type: string;
  timestamp: number;
  platform: string;
  country: string;
  mt: string;
  length: number;
}

let seed = 12345;
const rnd = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
const events: Ev[] = [];
for (let u = 0; u < 60; u++) {
  const first = Math.floor(rnd() * 18);
  const last = first + Math.floor(rnd() * (21 - first));
  let tick = 0;
  for (let d = first; d <= last; d++) {
    if (rnd() < 0.4) {
      continue;
    }
    const n = 1 + Math.floor(rnd() * 5);
    const dayStart = START + d * DAY + Math.floor(rnd() * 20) * 3_600_000;
    for (let i = 0; i < n; i++) {
      events.push({
        tenant_id: 'acme',
        user_id: `u${u}`,
        type: i === 0 ? 'login' : (TYPES[1 + Math.floor(rnd() * 3)] as string),
        timestamp: dayStart + (tick++ % 1000) * 1000 + i * 60_000 + Math.floor(rnd() * 999),
        platform: PLATFORMS[u % 3] as string,
        country: COUNTRIES[u % 3] as string,
        mt: MTYPES[Math.floor(rnd() * 3)] as string,
        length: Math.floor(rnd() * 200),
      });
    }
  }
}
// Another tenant's events that must never show up in acme's answers.
const other = events.slice(0, 200).map((e) => ({ ...e, tenant_id: 'globex', user_id: `g-${e.user_id}` }));

let t: TestApp;
let viewer: string;
before(async () => {
  t = await startApp({ TENANT_RATE_LIMIT: '0' });
  await createTenant(t, 'acme');
  await createTenant(t, 'globex');
  viewer = await createKey(t, 'acme', 'tenant-viewer');
  const body = [...events, ...other]
    .map((e) =>
      JSON.stringify({
        type: e.type,
        tenant_id: e.tenant_id,
        user_id: e.user_id,
        timestamp: e.timestamp,
        properties: e.type === 'message_sent' ? { message_type: e.mt, length: e.length } : {},
        context: { device: 'mobile', platform: e.platform, app_version: '1.0.0', country: e.country },
      })
    )
    .join('\n');
  const res = await t.app.inject({ method: 'POST', url: '/v1/events', headers: { ...t.admin, 'content-type': 'application/x-ndjson' }, payload: body });
  assert.equal(res.statusCode, 202, res.body);
  await drained(t.svc);
});
after(async () => t.close());

async function query(q: Record<string, unknown>, key = viewer): Promise<QueryResponse> {
  const res = await t.app.inject({ method: 'POST', url: '/v1/analytics/query', headers: { authorization: `Bearer ${key}` }, payload: q });
  assert.equal(res.statusCode, 200, res.statusCode === 500 ? `${res.body}\n${t.logs.lines.filter((l) => l.includes('"level":50')).slice(-1)[0] ?? ''}` : res.body);
  return res.json() as QueryResponse;
}
const col = (f: Frame, name: string) => f.fields.find((x) => x.name === name)?.values ?? assert.fail(`no field ${name}`);
const day = (ms: number) => ms - (ms % DAY);
const uniq = (xs: string[]) => new Set(xs).size;

describe('analytics kinds match an independent computation', () => {
  it('timeseries: events per day by platform, rollup (with unaligned edges) equals raw equals expected', async () => {
    const from = START + 30 * 60_000;
    const to = END - 45 * 60_000;
    const q = { kind: 'timeseries', from, to, metric: { type: 'events' }, group_by: ['platform'], granularity: 'day' };
    const auto = await query(q);
    // whole days from the per-day rollup, the first and last day's whole hours from the per-hour one, the partial hours raw
    assert.equal(auto.meta.source, 'events_rollup_day+events_rollup_hour+raw');
    const raw = await t.svc.analytics?.query(q as never, 'acme', { forceRaw: true });
    assert.deepEqual(auto.frames, raw?.frames);
    const frame = auto.frames[0] as Frame;
    const times = col(frame, 'time') as number[];
    for (const f of frame.fields.slice(1)) {
      const platform = f.labels?.platform as string;
      const expected = times.map((b) => events.filter((e) => e.platform === platform && e.timestamp >= from && e.timestamp < to && day(e.timestamp) === b).length);
      assert.deepEqual(f.values, expected, platform);
    }
  });

  it('timeseries: unique users per hour (type rollup) and per day (tenant-only rollup) equal raw; sum of a property', async () => {
    const from = START + 5 * DAY + 7 * 60_000;
    const to = from + 2 * DAY;
    const q = { kind: 'timeseries', from, to, metric: { type: 'unique_users' }, event_types: ['message_sent'], granularity: 'hour' };
    const a = await query(q);
    assert.equal(a.meta.source, 'events_type_hour+raw');
    const r = await t.svc.analytics?.query(q as never, 'acme', { forceRaw: true });
    assert.deepEqual(a.frames, r?.frames);
    const times = col(a.frames[0] as Frame, 'time') as number[];
    const sel = events.filter((e) => e.type === 'message_sent' && e.timestamp >= from && e.timestamp < to);
    assert.deepEqual(
      col(a.frames[0] as Frame, 'unique users'),
      times.map((b) => uniq(sel.filter((e) => e.timestamp - (e.timestamp % 3_600_000) === b).map((e) => e.user_id)))
    );

    const dq = { kind: 'timeseries', from: START + 3 * 3_600_000 + 17, to: END - 5 * 60_000, metric: { type: 'unique_users' }, granularity: 'day' };
    const d = await query(dq);
    assert.equal(d.meta.source, 'events_total_day+events_total_hour+raw');
    assert.deepEqual(d.frames, (await t.svc.analytics?.query(dq as never, 'acme', { forceRaw: true }))?.frames);
    const dsel = events.filter((e) => e.timestamp >= dq.from && e.timestamp < dq.to);
    assert.deepEqual(
      col(d.frames[0] as Frame, 'unique users'),
      (col(d.frames[0] as Frame, 'time') as number[]).map((b) => uniq(dsel.filter((e) => day(e.timestamp) === b).map((e) => e.user_id)))
    );

    const s = await query({ kind: 'timeseries', from: START, to: END, metric: { type: 'sum', property: 'properties.length' }, granularity: 'week' });
    const total = (col(s.frames[0] as Frame, 'sum(length)') as Array<number | null>).reduce<number>((x, y) => x + (y ?? 0), 0);
    assert.equal(total, events.filter((e) => e.type === 'message_sent').reduce((x, e) => x + e.length, 0));
  });

  it("the seed's GET /analytics/messages counts message_sent by message type", async () => {
    const res = await t.app.inject({
      url: `/analytics/messages?from=${new Date(START).toISOString().slice(0, 10)}&to=${new Date(END - DAY).toISOString().slice(0, 10)}&granularity=day&group_by=type`,
      headers: { authorization: `Bearer ${viewer}` },
    });
    assert.equal(res.statusCode, 200, res.body);
    const data = (res.json() as { data: Array<{ date: string; type: string; count: number }> }).data;
    const expected = new Map<string, number>();
    for (const e of events.filter((x) => x.type === 'message_sent')) {
      const k = `${new Date(day(e.timestamp)).toISOString().slice(0, 10)}|${e.mt}`;
      expected.set(k, (expected.get(k) ?? 0) + 1);
    }
    assert.deepEqual(new Map(data.map((r) => [`${r.date}|${r.type}`, r.count])), expected);
    const csv = await t.app.inject({ url: `/analytics/messages?from=${new Date(START).toISOString().slice(0, 10)}&to=${new Date(END).toISOString().slice(0, 10)}&format=csv`, headers: { authorization: `Bearer ${viewer}` } });
    assert.match(csv.body, /^date,count\n\d{4}-\d{2}-\d{2},\d+\n/);
  });

  it('active_users: DAU, WAU and MAU per day from user_months, user_days (event types) and raw events agree exactly', async () => {
    const activeIn = (lo: number, hi: number, types?: string[]) =>
      uniq(events.filter((e) => e.timestamp >= lo && e.timestamp < hi && (!types || types.includes(e.type))).map((e) => e.user_id));
    // 11 days (one 35-day query) and 41 days (two: the second looks back into the first's days)
    for (const [from, types, source] of [
      [START + 10 * DAY, undefined, 'rollup_user_months'],
      [START - 20 * DAY, undefined, 'rollup_user_months'],
      [START - 20 * DAY, ['message_sent', 'call_started'], 'rollup_user_type_months'],
    ] as const) {
      const q = { kind: 'active_users', from, to: END, ...(types ? { event_types: types } : {}) };
      const a = await query(q);
      assert.equal(a.meta.source, source);
      const r = await t.svc.analytics?.query(q as never, 'acme', { forceRaw: true });
      assert.equal(r?.meta.source, 'raw');
      assert.deepEqual(a.frames, r?.frames);
      const frame = a.frames[0] as Frame;
      const days = col(frame, 'time') as number[];
      assert.equal(days.length, (END - from) / DAY);
      const ts = types as string[] | undefined;
      assert.deepEqual(col(frame, 'DAU'), days.map((d) => activeIn(d, d + DAY, ts)));
      assert.deepEqual(col(frame, 'WAU'), days.map((d) => activeIn(d - 6 * DAY, d + DAY, ts)));
      assert.deepEqual(col(frame, 'MAU'), days.map((d) => activeIn(d - 29 * DAY, d + DAY, ts)));
      assert.ok((col(frame, 'MAU') as number[]).some((n) => n > 0));
    }
  });

  it('retention: cohort by first login, return by message_sent, per day and per week; masks, user_days and raw agree', async () => {
    const firsts = new Map<string, number>();
    for (const e of events.filter((x) => x.type === 'login')) {
      firsts.set(e.user_id, Math.min(firsts.get(e.user_id) ?? Infinity, day(e.timestamp)));
    }
    const monday = (ms: number) => day(ms) - (((new Date(day(ms)).getUTCDay() + 6) % 7) * DAY);
    const cases = [
      // [from, period, periods, source]: the masks span ≤ 64 days per query; 9 weeks of periods do not fit
      [START, 'day', 5, 'rollup_user_type_months'],
      [START + 3 * DAY, 'week', 3, 'rollup_user_type_months'],
      [START, 'week', 7, 'rollup_user_type_months'], // two queries of two cohort weeks each

      [START, 'week', 9, 'rollup_user_days'],
    ] as const;
    for (const [from, period, periods, source] of cases) {
      const q = { kind: 'retention', from, to: END, cohort_event: 'login', return_event: 'message_sent', period, periods };
      const a = await query(q);
      assert.equal(a.meta.source, source, `${period} × ${periods}`);
      const r = await t.svc.analytics?.query(q as never, 'acme', { forceRaw: true });
      assert.deepEqual(a.frames, r?.frames, `${period} × ${periods}: rollup = raw`);
      const frame = a.frames[0] as Frame;
      const P = period === 'day' ? day : monday;
      const step = period === 'day' ? DAY : 7 * DAY;
      const inRange = [...firsts].filter(([, f]) => f >= day(from) && f < END);
      const cohortsTs = [...new Set(inRange.map(([, f]) => P(f)))].sort((x, y) => x - y);
      assert.deepEqual(col(frame, 'cohort'), cohortsTs);
      assert.deepEqual(col(frame, 'cohort size'), cohortsTs.map((c) => inRange.filter(([, f]) => P(f) === c).length));
      for (let k = 0; k <= periods; k++) {
        const expected = cohortsTs.map(
          (c) =>
            inRange.filter(
              ([u, f]) => P(f) === c && events.some((e) => e.user_id === u && e.type === 'message_sent' && e.timestamp >= f && P(e.timestamp) === c + k * step)
            ).length
        );
        assert.deepEqual(col(frame, `${period} ${k}`), expected, `${period} ${k}`);
      }
    }
  });

  it('funnel: login → message_sent → file_shared within an hour', async () => {
    const steps = ['login', 'message_sent', 'file_shared'];
    const window = 3_600_000;
    const a = await query({ kind: 'funnel', from: START, to: END, steps: steps.map((s) => ({ event_type: s })), window_seconds: 3600 });
    const levels = new Map<string, number>();
    for (const u of new Set(events.map((e) => e.user_id))) {
      // ClickHouse windowFunnel: per event in time order, a step-1 event starts a chain; step i extends step i-1's chain within the window.
      const chain: Array<number | null> = steps.map(() => null);
      let best = 0;
      for (const e of events.filter((x) => x.user_id === u).sort((x, y) => x.timestamp - y.timestamp)) {
        const i = steps.indexOf(e.type);
        if (i === 0) {
          chain[0] = e.timestamp;
        } else if (i > 0 && chain[i - 1] !== null && e.timestamp <= (chain[i - 1] as number) + window) {
          chain[i] = chain[i - 1] as number;
        }
        best = Math.max(best, ...chain.map((c, j) => (c === null ? 0 : j + 1)));
      }
      levels.set(u, best);
    }
    const reached = steps.map((_, k) => [...levels.values()].filter((l) => l > k).length);
    assert.deepEqual(col(a.frames[0] as Frame, 'users'), reached);
    assert.ok(reached[0] as number > (reached[2] as number), 'the funnel narrows');
  });

  it('cohorts, top_n, geo, heatmap and adoption', async () => {
    const firstDay = new Map<string, number>();
    events.forEach((e) => firstDay.set(e.user_id, Math.min(firstDay.get(e.user_id) ?? Infinity, day(e.timestamp))));
    for (const cq of [
      { kind: 'cohorts', from: START, to: END, period: 'day' },
      { kind: 'cohorts', from: START + 2 * DAY, to: END - 3 * DAY, period: 'week' },
      { kind: 'cohorts', from: START, to: END - 4 * DAY, period: 'month', event_types: ['message_sent', 'file_shared'] },
    ]) {
      const auto = await query(cq);
      assert.equal(auto.meta.source, cq.event_types ? 'rollup_user_type_months' : 'rollup_user_months');
      assert.deepEqual(auto.frames, (await t.svc.analytics?.query(cq as never, 'acme', { forceRaw: true }))?.frames, `cohorts ${cq.period}: rollup = raw`);
    }
    const c = (await query({ kind: 'cohorts', from: START, to: END, period: 'day' })).frames[0] as Frame;
    const cts = [...new Set(firstDay.values())].sort((x, y) => x - y);
    assert.deepEqual(col(c, 'cohort'), cts);
    assert.deepEqual(col(c, 'new users'), cts.map((d) => [...firstDay.values()].filter((f) => f === d).length));
    assert.deepEqual(
      col(c, 'returning users'),
      cts.map((d) => [...firstDay].filter(([u, f]) => f === d && events.some((e) => e.user_id === u && day(e.timestamp) > f)).length)
    );
    assert.deepEqual(
      col(c, 'events per user'),
      cts.map((d) => {
        const users = new Set([...firstDay].filter(([, f]) => f === d).map(([u]) => u));
        return events.filter((e) => users.has(e.user_id)).length / users.size;
      })
    );

    const topQ = { kind: 'top_n', from: START, to: END, field: 'properties.message_type', event_types: ['message_sent'], limit: 3 };
    const topA = await query(topQ);
    assert.equal(topA.meta.source, 'events_message_day', 'the seed message type has its own rollup');
    assert.deepEqual(topA.frames, (await t.svc.analytics?.query(topQ as never, 'acme', { forceRaw: true }))?.frames);
    const top = topA.frames[0] as Frame;
    const counts = MTYPES.map((m) => [m, events.filter((e) => e.type === 'message_sent' && e.mt === m).length] as const).sort((x, y) => y[1] - x[1] || x[0].localeCompare(y[0]));
    assert.deepEqual(col(top, 'message_type'), counts.map((x) => x[0]));
    assert.deepEqual(col(top, 'events'), counts.map((x) => x[1]));

    const g = (await query({ kind: 'geo', from: START, to: END, metric: 'unique_users' })).frames[0] as Frame;
    const geoExp = new Map(COUNTRIES.map((k) => [k, uniq(events.filter((e) => e.country === k).map((e) => e.user_id))]));
    assert.deepEqual(new Map((col(g, 'country') as string[]).map((k, i) => [k, col(g, 'unique users')[i]])), geoExp);

    const h = (await query({ kind: 'heatmap', from: START, to: END })).frames[0] as Frame;
    const mon = events.filter((e) => new Date(e.timestamp).getUTCDay() === 1);
    assert.deepEqual(col(h, 'Mon'), Array.from({ length: 24 }, (_, hr) => mon.filter((e) => new Date(e.timestamp).getUTCHours() === hr).length));

    // Rollups answer column breakdowns; a half-hour zone cannot use hourly rows; both equal raw.
    const from = START + 2 * DAY + 13 * 60_000 + 5;
    const to = END - 3 * DAY - 2 * 60_000;
    const sel = events.filter((e) => e.timestamp >= from && e.timestamp < to);
    const planned = [
      [{ kind: 'top_n', from, to, field: 'country', metric: 'unique_users', filters: [{ field: 'platform', op: '!=', value: 'web' }] }, 'events_rollup_day+events_rollup_hour+raw'],
      [{ kind: 'geo', from, to, event_types: ['message_sent'] }, 'events_rollup_day+events_rollup_hour+raw'],
      [{ kind: 'heatmap', from, to, timezone: 'Europe/Berlin' }, 'events_total_hour+raw'],
      [{ kind: 'heatmap', from, to, timezone: 'Asia/Kolkata' }, 'raw'],
    ] as const;
    for (const [pq, source] of planned) {
      const a = await query(pq);
      assert.equal(a.meta.source, source, pq.kind);
      assert.deepEqual(a.frames, (await t.svc.analytics?.query(pq as never, 'acme', { forceRaw: true }))?.frames, `${pq.kind} rollup = raw`);
    }
    const tn = (await query(planned[0][0])).frames[0] as Frame;
    const tnExp = COUNTRIES.map((k) => [k, uniq(sel.filter((e) => e.country === k && e.platform !== 'web').map((e) => e.user_id))] as const)
      .filter(([, n]) => n > 0)
      .sort((x, y) => y[1] - x[1] || x[0].localeCompare(y[0]));
    assert.deepEqual(col(tn, 'country'), tnExp.map((x) => x[0]));
    assert.deepEqual(col(tn, 'unique users'), tnExp.map((x) => x[1]));
    const hourIn = (zone: string, ms: number) => {
      const parts = new Intl.DateTimeFormat('en-GB', { timeZone: zone, weekday: 'short', hour: '2-digit', hourCycle: 'h23' }).formatToParts(ms);
      return { wd: parts.find((x) => x.type === 'weekday')?.value, h: Number(parts.find((x) => x.type === 'hour')?.value) };
    };
    for (const zone of ['Europe/Berlin', 'Asia/Kolkata']) {
      const hm = (await query({ kind: 'heatmap', from, to, timezone: zone })).frames[0] as Frame;
      const expected = Array.from({ length: 24 }, (_, hr) => sel.filter((e) => { const x = hourIn(zone, e.timestamp); return x.wd === 'Wed' && x.h === hr; }).length);
      assert.deepEqual(col(hm, 'Wed'), expected, zone);
    }

    const ad = (await query({ kind: 'adoption', from: START, to: END, feature_event: 'call_started', granularity: 'week' })).frames[0] as Frame;
    const wk = col(ad, 'time') as number[];
    const inWeek = (w: number) => events.filter((e) => e.timestamp >= Math.max(w, START) && e.timestamp < Math.min(w + 7 * DAY, END));
    assert.deepEqual(col(ad, 'active users'), wk.map((w) => uniq(inWeek(w).map((e) => e.user_id))));
    assert.deepEqual(col(ad, 'adopters'), wk.map((w) => uniq(inWeek(w).filter((e) => e.type === 'call_started').map((e) => e.user_id))));
  });
});

describe('analytics guards and tenancy', () => {
  it('a tenant key reads only its tenant; admins must name one', async () => {
    const globex = await createKey(t, 'globex', 'tenant-viewer');
    const q = { kind: 'timeseries', from: START, to: END, metric: { type: 'events' }, granularity: 'week' };
    const g = await query(q, globex);
    const total = (col(g.frames[0] as Frame, 'events') as number[]).reduce((x, y) => x + y, 0);
    assert.equal(total, other.length);
    const cross = await t.app.inject({ method: 'POST', url: '/v1/analytics/query', headers: { authorization: `Bearer ${globex}` }, payload: { ...q, tenant_id: 'acme' } });
    assert.equal(cross.statusCode, 403);
    const admin = await t.app.inject({ method: 'POST', url: '/v1/analytics/query', headers: t.admin, payload: q });
    assert.equal(admin.statusCode, 400);
    assert.match(admin.json().error.message, /set tenant_id/);
  });

  it('unknown kinds and fields, bad ranges and too many points answer 400 with a reason', async () => {
    const bad = async (payload: unknown, re: RegExp) => {
      const r = await t.app.inject({ method: 'POST', url: '/v1/analytics/query', headers: { authorization: `Bearer ${viewer}` }, payload: payload as object });
      assert.equal(r.statusCode, 400, r.body);
      assert.match(r.json().error.message, re);
    };
    await bad({ kind: 'pie', from: START, to: END }, /unknown query kind 'pie'/);
    await bad({ kind: 'top_n', from: START, to: END, field: 'password' }, /top_n query: 'field'/);
    await bad({ kind: 'geo', from: START, to: END, colour: 1 }, /'colour' is not a field of geo/);
    await bad({ kind: 'geo', from: END, to: START }, /'to' must be after 'from'/);
    await bad({ kind: 'active_users', from: START, to: 'now' }, /'to' must be epoch milliseconds or an ISO 8601 date/);
    await bad({ kind: 'geo', from: 'last tuesday', to: END }, /'from'='last tuesday' is not epoch milliseconds or an ISO 8601 date/);
    await bad({ kind: 'timeseries', from: START, to: END, metric: { type: 'events' }, granularity: 'minute' }, /exceed the limit/);
  });
});
