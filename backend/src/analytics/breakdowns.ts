import type { Static } from '@sinclair/typebox';
import type { FunnelQuery, GeoQuery, HeatmapQuery, TopNQuery } from '../contracts/analytics.js';
import type { RollupGrain } from '../store/rollups.js';
import { run, scoped, type KindContext, type KindResult } from './context.js';
import { aggregateSql, plan, sourceOf } from './planner.js';
import { num, table } from './frames.js';
import { conditions, fieldExpr, filterExpr } from './sql.js';

const metricName = (m: 'events' | 'unique_users' | undefined) => (m === 'unique_users' ? 'unique users' : 'events');

/** Grains for kinds that add up the whole range (top_n, geo): days, then hours at the edges. */
const WHOLE_RANGE: RollupGrain[] = ['day', 'hour'];

/** The N largest values of a column or property. */
export async function topN(q: Static<typeof TopNQuery>, ctx: KindContext): Promise<KindResult> {
  const { p, tenant } = scoped(ctx);
  const pieces = plan(ctx, WHOLE_RANGE, [q.field], q);
  const value = fieldExpr(q.field, p);
  const agg = aggregateSql({ p, tenant, pieces, keys: () => [`${value} AS value`], groups: ['value'], metric: q.metric ?? 'events', cond: conditions(p, q.event_types, q.filters) });
  const sql = `${agg} ORDER BY v DESC, value LIMIT ${p.bind(q.limit ?? 10, 'UInt32')}`;
  const rows = await run<Record<string, unknown>>(ctx, sql, p);
  const label = q.field.startsWith('properties.') ? q.field.slice('properties.'.length) : q.field;
  return {
    frames: [table('top', rows, [{ key: 'value', name: label, type: 'string' }, { key: 'v', name: metricName(q.metric), type: 'number', unit: 'short' }])],
    source: sourceOf(pieces),
  };
}

/** Events or users by country (ISO 3166-1 alpha-2, '' when unknown). */
export async function geo(q: Static<typeof GeoQuery>, ctx: KindContext): Promise<KindResult> {
  const { p, tenant } = scoped(ctx);
  const pieces = plan(ctx, WHOLE_RANGE, ['country'], q);
  const agg = aggregateSql({ p, tenant, pieces, keys: () => ['country'], groups: ['country'], metric: q.metric ?? 'events', cond: conditions(p, q.event_types, q.filters) });
  const rows = await run<Record<string, unknown>>(ctx, `${agg} ORDER BY v DESC, country`, p);
  return {
    frames: [table('geo', rows, [{ key: 'country', type: 'string' }, { key: 'v', name: metricName(q.metric), type: 'number', unit: 'short' }])],
    source: sourceOf(pieces),
  };
}

export const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/**
 * Peak usage: one row per hour of the day (in `timezone`), one column per weekday. Whole hours come
 * from the hourly rollups when the zone's offset is a whole number of hours throughout the range.
 */
export async function heatmap(q: Static<typeof HeatmapQuery>, ctx: KindContext): Promise<KindResult> {
  const { p, tenant } = scoped(ctx);
  const zone = q.timezone ?? 'UTC';
  const tz = p.bind(zone, 'String');
  const pieces = plan(ctx, wholeHourOffsets(zone, ctx.from, ctx.to) ? ['hour'] : [], [], q);
  const sql = aggregateSql({
    p,
    tenant,
    pieces,
    keys: (time) => [`toDayOfWeek(toTimeZone(${time}, ${tz})) AS dow`, `toHour(toTimeZone(${time}, ${tz})) AS h`],
    groups: ['dow', 'h'],
    metric: q.metric ?? 'events',
    cond: conditions(p, q.event_types, q.filters),
  });
  const rows = await run<Record<string, unknown>>(ctx, sql, p);
  const grid = WEEKDAYS.map(() => Array.from({ length: 24 }, () => 0));
  for (const r of rows) {
    const d = (num(r.dow) ?? 1) - 1;
    const h = num(r.h) ?? 0;
    (grid[d] as number[])[h] = num(r.v) ?? 0;
  }
  return {
    frames: [
      {
        name: `${metricName(q.metric)} by hour and weekday (${q.timezone ?? 'UTC'})`,
        fields: [
          { name: 'hour', type: 'number', values: Array.from({ length: 24 }, (_, h) => h) },
          ...WEEKDAYS.map((name, d) => ({ name, type: 'number' as const, unit: 'short', values: grid[d] as number[] })),
        ],
      },
    ],
    source: sourceOf(pieces),
  };
}

/** True when `zone` is a whole number of hours from UTC at every hour of [from, to) (checked per day and at both ends). */
export function wholeHourOffsets(zone: string, from: number, to: number): boolean {
  let fmt: Intl.DateTimeFormat;
  try {
    fmt = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' });
  } catch {
    return false;
  }
  const whole = (ms: number) => /^GMT(?:[+-]\d{2}:00)?$/.test(fmt.formatToParts(ms).find((x) => x.type === 'timeZoneName')?.value ?? '');
  for (let ms = from; ms < to; ms += 86_400_000) {
    if (!whole(ms)) {
      return false;
    }
  }
  return whole(to - 1);
}

/**
 * Funnel: per user (and breakdown value), ClickHouse's windowFunnel finds the longest chain of the
 * ordered steps whose events all fall within `window_seconds` of the chain's first step.
 */
export async function funnel(q: Static<typeof FunnelQuery>, ctx: KindContext): Promise<KindResult> {
  const { p, where } = scoped(ctx);
  const steps = q.steps.map((s) => [`type = ${p.bind(s.event_type, 'String')}`, ...(s.filters ?? []).map((f) => filterExpr(f, p))].join(' AND '));
  const types = p.bind([...new Set(q.steps.map((s) => s.event_type))], 'Array(String)');
  const b = q.breakdown ? fieldExpr(q.breakdown, p) : null;
  const sql = `SELECT level${b ? ', b' : ''}, count() AS users FROM (
      SELECT user_id${b ? `, ${b} AS b` : ''},
        windowFunnel(${p.bind(q.window_seconds * 1000, 'UInt64')})(toUInt64(toUnixTimestamp64Milli(timestamp)), ${steps.map((s) => `(${s})`).join(', ')}) AS level
      FROM events WHERE ${where} AND type IN ${types} AND ${conditions(p, q.event_types, q.filters)}
      GROUP BY user_id${b ? ', b' : ''}
    ) WHERE level > 0 GROUP BY level${b ? ', b' : ''}`;
  const rows = await run<Record<string, unknown>>(ctx, sql, p);
  const groups = new Map<string, number[]>();
  for (const r of rows) {
    const key = b ? String(r.b ?? '') : '';
    const levels = groups.get(key) ?? q.steps.map(() => 0);
    const level = num(r.level) ?? 0;
    // A user at level L reached every step up to L.
    for (let k = 0; k < level; k++) {
      levels[k] = (levels[k] ?? 0) + (num(r.users) ?? 0);
    }
    groups.set(key, levels);
  }
  if (groups.size === 0) {
    groups.set('', q.steps.map(() => 0));
  }
  const out: Array<Record<string, unknown>> = [];
  for (const key of [...groups.keys()].sort()) {
    const levels = groups.get(key) as number[];
    levels.forEach((users, k) => {
      const first = levels[0] ?? 0;
      const prev = k === 0 ? users : (levels[k - 1] ?? 0);
      out.push({
        breakdown: key,
        step: k + 1,
        name: q.steps[k]?.label ?? q.steps[k]?.event_type,
        users,
        conversion: first ? users / first : 0,
        step_conversion: prev ? users / prev : 0,
      });
    });
  }
  const cols: Parameters<typeof table>[2] = [
    ...(b ? [{ key: 'breakdown', name: (q.breakdown as string).replace(/^properties\./, ''), type: 'string' as const }] : []),
    { key: 'step', type: 'number' },
    { key: 'name', type: 'string' },
    { key: 'users', type: 'number', unit: 'short' },
    { key: 'conversion', type: 'number', unit: 'percentunit' },
    { key: 'step_conversion', name: 'from previous step', type: 'number', unit: 'percentunit' },
  ];
  return { frames: [table('funnel', out, cols)], source: 'raw' };
}
