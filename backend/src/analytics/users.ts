import type { Static } from '@sinclair/typebox';
import type { ActiveUsersQuery, AdoptionQuery, CohortsQuery, Filter, Frame, RetentionQuery } from '../contracts/analytics.js';
import { run, type KindContext, type KindResult } from './context.js';
import { num, table } from './frames.js';
import { conditions, SqlParams, userDayCompatible } from './sql.js';
import { buckets, DAY_MS, isoDay, nextBucket } from './time.js';

/**
 * The user-based kinds work on whole UTC days. Their SQL fallbacks (retention over more than 64 days
 * of periods, and every kind forced onto raw events or filtered on a column the rollups lack) read one
 * row per (user, day, type) from the `user_days` rollup or from raw events; the rest reads the monthly
 * bit rollups (activityMasks, cohortsFromMonths).
 */
interface Activity {
  p: SqlParams;
  /** a subquery yielding user_id, d (Date), type, events */
  sql: (opts: { fromDay?: number; toDayExcl: number; eventTypes?: string[] }) => string;
  source: string;
}

function activity(ctx: KindContext, filters: Filter[] | undefined): Activity {
  const p = new SqlParams();
  const tenant = p.bind(ctx.tenant, 'String');
  const rollup = !ctx.forceRaw && userDayCompatible(filters);
  return {
    p,
    source: rollup ? 'rollup_user_days' : 'raw',
    sql: ({ fromDay, toDayExcl, eventTypes }) => {
      const cond = conditions(p, eventTypes, filters);
      const lo = fromDay === undefined ? undefined : p.bind(isoDay(fromDay), 'Date');
      const hi = p.bind(isoDay(toDayExcl), 'Date');
      return rollup
        ? `SELECT user_id, day AS d, type, events FROM user_days
           WHERE tenant_id = ${tenant}${lo ? ` AND day >= ${lo}` : ''} AND day < ${hi} AND ${cond}`
        : `SELECT user_id, toDate(timestamp) AS d, type, toUInt64(1) AS events FROM events
           WHERE tenant_id = ${tenant}${lo ? ` AND timestamp >= toDateTime(${lo}, 'UTC')` : ''} AND timestamp < toDateTime(${hi}, 'UTC') AND ${cond}`;
    },
  };
}

/** First and last UTC day of the range, and the day after the last. */
function dayRange(ctx: KindContext): { d0: number; d1: number; end: number } {
  const d0 = ctx.from - (((ctx.from % DAY_MS) + DAY_MS) % DAY_MS);
  const last = ctx.to - 1;
  const d1 = last - (((last % DAY_MS) + DAY_MS) % DAY_MS);
  return { d0, d1, end: d1 + DAY_MS };
}

const periodSql = (expr: string, period: 'day' | 'week' | 'month') =>
  period === 'day' ? expr : period === 'week' ? `toMonday(${expr})` : `toStartOfMonth(${expr})`;
const epoch = (dateExpr: string) => `toUnixTimestamp(toDateTime(${dateExpr}, 'UTC')) * 1000`;

const dayNumber = (ms: number) => Math.floor(ms / DAY_MS);
/** The monthly bit rollup for a condition on `type` only: per type when there is one. */
const monthsTable = (cond: string) => (cond === '1' ? 'user_months' : 'user_type_months');
/** The Date of a day number (days since 1970-01-01) in SQL. */
const dayDate = (expr: string) => `addDays(toDate('1970-01-01'), ${expr})`;

/**
 * One row per user: `user_id` and `m`, a UInt64 whose bit k says the user was active on UTC day `lo + k`, for the
 * days lo … hi (hi - lo < 64). From the monthly bit rollups (`user_months` when nothing is filtered,
 * `user_type_months` when only event types are) and from raw events otherwise.
 */
function activityMasks(ctx: KindContext, p: SqlParams, lo: number, hi: number, eventTypes: string[] | undefined, filters: Filter[] | undefined) {
  const tenant = p.bind(ctx.tenant, 'String');
  const L = p.bind(lo, 'UInt32');
  const from = p.bind(isoDay(lo * DAY_MS), 'Date');
  const to = p.bind(isoDay(hi * DAY_MS), 'Date');
  const cond = conditions(p, eventTypes, filters);
  if (ctx.forceRaw || !userDayCompatible(filters)) {
    return {
      source: 'raw',
      sql: `SELECT user_id, groupBitOr(bitShiftLeft(toUInt64(1), toUInt32(toDate(timestamp)) - ${L})) AS m FROM events WHERE tenant_id = ${tenant}
        AND timestamp >= toDateTime(${from}, 'UTC') AND timestamp < toDateTime(${to} + 1, 'UTC') AND ${cond} GROUP BY user_id`,
    };
  }
  const table = monthsTable(cond);
  // A month's 31 bits moved to the user's timeline: shifted up by 31 first so months that start
  // before lo shift right, then cut to 64 bits.
  return {
    source: `rollup_${table}`,
    sql: `SELECT user_id, groupBitOr(toUInt64(bitAnd(bitShiftRight(bitShiftLeft(toUInt128(days), toUInt32(month) + 31 - ${L}), 31), toUInt128('18446744073709551615')))) AS m
      FROM ${table} WHERE tenant_id = ${tenant} AND month >= toStartOfMonth(${from}) AND month <= ${to} AND ${cond} GROUP BY user_id`,
  };
}

/** Bits of a mask (activityMasks): one query covers at most this many days. */
const MASK_DAYS = 64;

/**
 * Consecutive items grouped so that each group's days, from the first item's `from` to the last
 * item's `to` (day numbers, exclusive), fit in one mask.
 */
function groupIntoMasks<T>(items: T[], from: (item: T) => number, to: (item: T) => number): T[][] {
  const groups: T[][] = [];
  for (const item of items) {
    const last = groups[groups.length - 1];
    if (last && to(item) - from(last[0] as T) <= MASK_DAYS) {
      last.push(item);
    } else {
      groups.push([item]);
    }
  }
  return groups;
}

/**
 * DAU, WAU (7 days) and MAU (30 days) ending on each day, and stickiness = DAU / MAU, exact. Each
 * user's activity is a 64-bit mask of days; OR-ing it with itself shifted by 1 … w-1 days (by
 * doubling) marks the days on which the user is in the w-day window, and a sum per bit counts users.
 * A query covers 35 days (29 days of look-back + 35 = 64 bits); longer ranges run as several.
 */
export async function activeUsers(q: Static<typeof ActiveUsersQuery>, ctx: KindContext): Promise<KindResult> {
  const { d0, end } = dayRange(ctx);
  const days = buckets(d0, end, 'day');
  const chunks = groupIntoMasks(days, (d) => dayNumber(d) - 29, (d) => dayNumber(d) + 1);
  const windows = [
    ['m', 'dau'],
    ['c7', 'wau'],
    ['c30', 'mau'],
  ] as const;
  let source = 'raw';
  const answers = await Promise.all(
    chunks.map(async (chunk) => {
      const p = new SqlParams();
      const first = dayNumber(chunk[0] as number);
      const masks = activityMasks(ctx, p, first - 29, first + chunk.length - 1, q.event_types, q.filters);
      source = masks.source;
      const sums = windows.flatMap(([c, name]) => chunk.map((_, j) => `sum(bitTest(${c}, ${29 + j})) AS ${name}_${j}`));
      const sql = `SELECT ${sums.join(', ')} FROM (
          SELECT m, bitOr(c4, bitShiftLeft(c4, 3)) AS c7, bitOr(c16, bitShiftLeft(c16, 14)) AS c30 FROM (
            SELECT m, bitOr(m, bitShiftLeft(m, 1)) AS c2, bitOr(c2, bitShiftLeft(c2, 2)) AS c4,
                   bitOr(c4, bitShiftLeft(c4, 4)) AS c8, bitOr(c8, bitShiftLeft(c8, 8)) AS c16
            FROM (${masks.sql})))`;
      const [row = {}] = await run<Record<string, unknown>>(ctx, sql, p);
      return Object.fromEntries(windows.map(([, name]) => [name, chunk.map((_, j) => num(row[`${name}_${j}`]) ?? 0)]));
    })
  );
  const col = (name: string) => answers.flatMap((a) => a[name] as number[]);
  const dau = col('dau');
  const mau = col('mau');
  const frame: Frame = {
    name: 'active users',
    fields: [
      { name: 'time', type: 'time', values: days },
      { name: 'DAU', type: 'number', unit: 'short', values: dau },
      { name: 'WAU', type: 'number', unit: 'short', values: col('wau') },
      { name: 'MAU', type: 'number', unit: 'short', values: mau },
      { name: 'stickiness', type: 'number', unit: 'percentunit', values: dau.map((v, i) => ((mau[i] ?? 0) > 0 ? v / (mau[i] as number) : 0)) },
    ],
  };
  return { frames: [frame], source, granularity: 'day' };
}

/**
 * Retention: a user's cohort is the period of their first-ever `cohort_event`, kept when it falls in
 * the range; period k counts cohort users who did `return_event` k periods later (k = 0: the same
 * period, on or after the first day).
 */
export async function retention(q: Static<typeof RetentionQuery>, ctx: KindContext): Promise<KindResult> {
  const step = q.period === 'week' ? 7 : 1;
  const masked = !ctx.forceRaw && userDayCompatible(q.filters) && (q.periods + 1) * step <= MASK_DAYS;
  const { rows, source } = masked ? await retentionByMasks(q, ctx, step) : await retentionBySql(q, ctx, step);
  const cohorts = new Map<number, { size: number; periods: number[] }>();
  for (const r of rows) {
    const t = num(r.t) as number;
    const c = cohorts.get(t) ?? { size: 0, periods: Array.from({ length: q.periods + 1 }, () => 0) };
    const k = num(r.k) as number;
    if (k < 0) {
      c.size = num(r.users) ?? 0;
    } else {
      c.periods[k] = num(r.users) ?? 0;
    }
    cohorts.set(t, c);
  }
  const ts = [...cohorts.keys()].sort((x, y) => x - y);
  const frame: Frame = {
    name: 'retention',
    fields: [
      { name: 'cohort', type: 'time', values: ts },
      { name: 'cohort size', type: 'number', unit: 'short', values: ts.map((t) => cohorts.get(t)?.size ?? 0) },
      ...Array.from({ length: q.periods + 1 }, (_, k) => ({
        name: `${q.period} ${k}`,
        type: 'number' as const,
        unit: 'short',
        values: ts.map((t) => cohorts.get(t)?.periods[k] ?? 0),
      })),
    ],
  };
  return { frames: [frame], source, granularity: q.period };
}

type RetentionRows = { rows: Array<Record<string, unknown>>; source: string };

/** Retention in SQL over user days (from `user_days` or raw events): one row per (cohort, k) and the cohort sizes as k = -1. */
async function retentionBySql(q: Static<typeof RetentionQuery>, ctx: KindContext, step: number): Promise<RetentionRows> {
  const { d0, d1, end } = dayRange(ctx);
  const a = activity(ctx, q.filters);
  const D0 = a.p.bind(isoDay(d0), 'Date');
  const D1 = a.p.bind(isoDay(d1), 'Date');
  const N = a.p.bind(q.periods, 'UInt32');
  const cohortSrc = a.sql({ toDayExcl: end, eventTypes: [q.cohort_event] });
  const returnSrc = a.sql({ fromDay: d0, toDayExcl: end + (q.periods + 1) * step * DAY_MS, eventTypes: [q.return_event] });
  const P = (e: string) => periodSql(e, q.period);
  const sql = `WITH cohort AS (
      SELECT user_id, min(d) AS first FROM (${cohortSrc}) GROUP BY user_id HAVING first >= ${D0} AND first <= ${D1}
    )
    SELECT ${epoch('cp')} AS t, k, uniqExact(user_id) AS users FROM (
      SELECT c.user_id AS user_id, ${P('c.first')} AS cp, toInt64(intDiv(dateDiff('day', ${P('c.first')}, ${P('r.d')}), ${step})) AS k
      FROM cohort AS c INNER JOIN (SELECT DISTINCT user_id, d FROM (${returnSrc})) AS r ON r.user_id = c.user_id
      WHERE r.d >= c.first
    ) WHERE k <= ${N} GROUP BY cp, k
    UNION ALL
    SELECT ${epoch(P('first'))} AS t, toInt64(-1) AS k, count() AS users FROM cohort GROUP BY t
    ORDER BY t, k`;
  return { rows: await run<Record<string, unknown>>(ctx, sql, a.p), source: a.source };
}

/**
 * Retention from the monthly bit rollups: each cohort user's first-ever cohort event (the lowest bit
 * of their earliest month in `user_type_months`), and their return days as a 64-bit mask that starts
 * on their cohort period; period k returned when the mask has a bit in [k·step, (k+1)·step), on or
 * after the first day. Cohort periods are grouped so that each query's masks span at most 64 days.
 */
async function retentionByMasks(q: Static<typeof RetentionQuery>, ctx: KindContext, step: number): Promise<RetentionRows> {
  const { d0, d1, end } = dayRange(ctx);
  const chunks = groupIntoMasks(buckets(d0, end, q.period).map(dayNumber), (s) => s, (s) => s + (q.periods + 1) * step);
  let source = 'rollup_user_type_months';
  const answers = await Promise.all(
    chunks.map(async (chunk) => {
      const lo = chunk[0] as number;
      const p = new SqlParams();
      const returns = activityMasks(ctx, p, lo, (chunk[chunk.length - 1] as number) + (q.periods + 1) * step - 1, [q.return_event], q.filters);
      source = returns.source;
      const tenant = p.bind(ctx.tenant, 'String');
      const L = p.bind(lo, 'UInt32');
      const c0 = p.bind(Math.max(dayNumber(d0), lo), 'UInt32');
      const c1 = p.bind(Math.min(dayNumber(d1), (chunk[chunk.length - 1] as number) + step - 1), 'UInt32');
      const before = p.bind(isoDay(end), 'Date');
      const cohortCond = conditions(p, [q.cohort_event], q.filters);
      const cp = q.period === 'week' ? `toUInt32(toMonday(${dayDate('first')}))` : 'first';
      const periods = Array.from({ length: q.periods + 1 }, (_, k) => `countIf(bitAnd(bitShiftRight(r, ${k * step}), ${2 ** step - 1}) != 0) AS k${k}`);
      const sql = `SELECT ${epoch(dayDate('cp'))} AS t, count() AS size, ${periods.join(', ')} FROM (
          SELECT ${cp} AS cp, bitShiftLeft(bitShiftRight(bitShiftRight(m, cp - ${L}), first - cp), first - cp) AS r
          FROM (
            SELECT user_id, min(toUInt32(month) + arrayMin(bitPositionsToArray(days))) AS first FROM user_type_months
            WHERE tenant_id = ${tenant} AND month < ${before} AND ${cohortCond} GROUP BY user_id HAVING first >= ${c0} AND first <= ${c1}
          ) AS c
          LEFT JOIN (${returns.sql}) AS r USING user_id
        ) GROUP BY cp ORDER BY cp`;
      const rows = await run<Record<string, unknown>>(ctx, sql, p);
      return rows.flatMap((row) => [
        { t: row.t, k: -1, users: row.size },
        ...Array.from({ length: q.periods + 1 }, (_, k) => ({ t: row.t, k, users: row[`k${k}`] })),
      ]);
    })
  );
  return { rows: answers.flat(), source };
}

/**
 * Users by the period of their first-ever activity: new users, how many came back in a later period,
 * events per user. From the monthly bit rollups when only event types are filtered: a user's first
 * and last active day before the range's end are the lowest and highest bits, and their events the
 * monthly sums minus the end month's events on or after the end (read from user_days).
 */
export async function cohorts(q: Static<typeof CohortsQuery>, ctx: KindContext): Promise<KindResult> {
  const { sql, p, source } = !ctx.forceRaw && userDayCompatible(q.filters) ? cohortsFromMonths(q, ctx) : cohortsFromDays(q, ctx);
  const rows = await run<Record<string, unknown>>(ctx, sql, p);
  const shaped = rows.map((r) => {
    const n = num(r.new_users) ?? 0;
    return { ...r, return_rate: n ? (num(r.returning_users) ?? 0) / n : 0, events_per_user: n ? (num(r.events) ?? 0) / n : 0 };
  });
  const frame = table('cohorts', shaped, [
    { key: 't', name: 'cohort', type: 'time' },
    { key: 'new_users', name: 'new users', type: 'number', unit: 'short' },
    { key: 'returning_users', name: 'returning users', type: 'number', unit: 'short' },
    { key: 'return_rate', name: 'return rate', type: 'number', unit: 'percentunit' },
    { key: 'events_per_user', name: 'events per user', type: 'number', unit: 'short' },
  ]);
  return { frames: [frame], source, granularity: q.period };
}

function cohortsFromMonths(q: Static<typeof CohortsQuery>, ctx: KindContext) {
  const { d0, end } = dayRange(ctx);
  const p = new SqlParams();
  const tenant = p.bind(ctx.tenant, 'String');
  const cond = conditions(p, q.event_types, q.filters);
  const table = monthsTable(cond);
  const E = p.bind(dayNumber(end), 'UInt32');
  const endDate = p.bind(isoDay(end), 'Date');
  const D0 = p.bind(dayNumber(d0), 'UInt32');
  const P = (e: string) => periodSql(dayDate(e), q.period);
  const day = 'toUInt32(month) + b';
  const sql = `SELECT ${epoch(P('first'))} AS t, count() AS new_users, countIf(${P('last')} > ${P('first')}) AS returning_users, sum(ev - after) AS events
    FROM (
      SELECT user_id, min(toUInt32(month) + arrayMin(bitPositionsToArray(days))) AS first,
        max(arrayMax(arrayMap(b -> if(${day} < ${E}, ${day}, 0), bitPositionsToArray(days)))) AS last, sum(events) AS ev
      FROM ${table} WHERE tenant_id = ${tenant} AND month < ${endDate} AND ${cond}
      GROUP BY user_id HAVING first >= ${D0} AND first < ${E}
    ) AS u
    LEFT JOIN (
      SELECT user_id, sum(events) AS after FROM user_days
      WHERE tenant_id = ${tenant} AND day >= ${endDate} AND day < addMonths(toStartOfMonth(${endDate} - 1), 1) AND ${cond} GROUP BY user_id
    ) AS x USING user_id
    GROUP BY t ORDER BY t`;
  return { sql, p, source: `rollup_${table}` };
}

/** Cohorts in SQL over user days (the raw-events fallback). */
function cohortsFromDays(q: Static<typeof CohortsQuery>, ctx: KindContext) {
  const { d0, end } = dayRange(ctx);
  const a = activity(ctx, q.filters);
  const D0 = a.p.bind(isoDay(d0), 'Date');
  const src = a.sql({ toDayExcl: end, eventTypes: q.event_types });
  const P = (e: string) => periodSql(e, q.period);
  const sql = `WITH acts AS (${src}),
      firsts AS (SELECT user_id, min(d) AS first FROM acts GROUP BY user_id HAVING first >= ${D0})
    SELECT ${epoch(P('first'))} AS t, count() AS new_users, countIf(later) AS returning_users, sum(ev) AS events
    FROM (
      SELECT f.user_id, f.first AS first, max(${P('a.d')} > ${P('f.first')}) AS later, sum(a.events) AS ev
      FROM firsts AS f INNER JOIN acts AS a ON a.user_id = f.user_id
      GROUP BY f.user_id, f.first
    ) GROUP BY t ORDER BY t`;
  return { sql, p: a.p, source: a.source };
}

/**
 * Share of active users who did `feature_event`, per day, week or month, exact: the users whose
 * activity mask (activityMasks) meets a period's days, counted per period for all activity (or the
 * named event types) and for the feature's own; periods are grouped into queries of at most 64 days.
 */
export async function adoption(q: Static<typeof AdoptionQuery>, ctx: KindContext): Promise<KindResult> {
  const { d0, end } = dayRange(ctx);
  const g = q.granularity ?? 'day';
  const types = q.event_types?.length ? [...new Set([...q.event_types, q.feature_event])] : undefined;
  const points = buckets(d0, end, g);
  // each period's days inside the range, as day numbers [from, to)
  const spans = points.map((t) => ({ from: dayNumber(Math.max(t, d0)), to: dayNumber(Math.min(nextBucket(t, g), end)) }));
  const chunks = groupIntoMasks(spans, (x) => x.from, (x) => x.to);
  const sources = new Set<string>();
  const answers = await Promise.all(
    chunks.map(async (chunk) => {
      const lo = (chunk[0] as (typeof spans)[number]).from;
      const hi = (chunk[chunk.length - 1] as (typeof spans)[number]).to - 1;
      const count = async (eventTypes: string[] | undefined) => {
        const p = new SqlParams();
        const masks = activityMasks(ctx, p, lo, hi, eventTypes, q.filters);
        sources.add(masks.source);
        const bits = chunk.map(({ from, to }) => p.bind((((1n << BigInt(to - from)) - 1n) << BigInt(from - lo)).toString(), 'UInt64'));
        const [row = {}] = await run<Record<string, unknown>>(ctx, `SELECT ${bits.map((b, j) => `countIf(bitAnd(m, ${b}) != 0) AS c${j}`).join(', ')} FROM (${masks.sql})`, p);
        return chunk.map((_, j) => num(row[`c${j}`]) ?? 0);
      };
      return Promise.all([count(types), count([q.feature_event])]);
    })
  );
  const active = answers.flatMap(([a]) => a);
  const adopters = answers.flatMap(([, b]) => b);
  const frame: Frame = {
    name: 'adoption',
    fields: [
      { name: 'time', type: 'time', values: points },
      { name: 'active users', type: 'number', unit: 'short', values: active },
      { name: 'adopters', type: 'number', unit: 'short', values: adopters },
      { name: 'adoption', type: 'number', unit: 'percentunit', values: adopters.map((v, i) => ((active[i] ?? 0) > 0 ? v / (active[i] as number) : 0)) },
    ],
  };
  return { frames: [frame], source: [...sources].sort().join('+'), granularity: g };
}
