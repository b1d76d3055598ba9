import type { Static } from '@sinclair/typebox';
import type { FunnelQuery, GeoQuery, HeatmapQuery, TopNQuery } from '../contracts/analytics.js';
import { run, scoped, type KindContext, type KindResult } from './context.js';
import { num, table } from './frames.js';
import { conditions, fieldExpr, filterExpr } from './sql.js';

const metricSql = (m: 'events' | 'unique_users' | undefined) => (m === 'unique_users' ? 'uniq(user_id)' : 'count()');
const metricName = (m: 'events' | 'unique_users' | undefined) => (m === 'unique_users' ? 'unique users' : 'events');

/** The N largest values of a column or property. */
export async function topN(q: Static<typeof TopNQuery>, ctx: KindContext): Promise<KindResult> {
  const { p, where } = scoped(ctx);
  const sql = `SELECT ${fieldExpr(q.field, p)} AS value, ${metricSql(q.metric)} AS v FROM events
    WHERE ${where} AND ${conditions(p, q.event_types, q.filters)}
    GROUP BY value ORDER BY v DESC, value LIMIT ${p.bind(q.limit ?? 10, 'UInt32')}`;
  const rows = await run<Record<string, unknown>>(ctx, sql, p);
  const label = q.field.startsWith('properties.') ? q.field.slice('properties.'.length) : q.field;
  return {
    frames: [table('top', rows, [{ key: 'value', name: label, type: 'string' }, { key: 'v', name: metricName(q.metric), type: 'number', unit: 'short' }])],
    source: 'raw',
  };
}

/** Events or users by country (ISO 3166-1 alpha-2, '' when unknown). */
export async function geo(q: Static<typeof GeoQuery>, ctx: KindContext): Promise<KindResult> {
  const { p, where } = scoped(ctx);
  const sql = `SELECT country, ${metricSql(q.metric)} AS v FROM events
    WHERE ${where} AND ${conditions(p, q.event_types, q.filters)} GROUP BY country ORDER BY v DESC, country`;
  const rows = await run<Record<string, unknown>>(ctx, sql, p);
  return {
    frames: [table('geo', rows, [{ key: 'country', type: 'string' }, { key: 'v', name: metricName(q.metric), type: 'number', unit: 'short' }])],
    source: 'raw',
  };
}

export const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** Peak usage: one row per hour of the day (in `timezone`), one column per weekday. */
export async function heatmap(q: Static<typeof HeatmapQuery>, ctx: KindContext): Promise<KindResult> {
  const { p, where } = scoped(ctx);
  const tz = p.bind(q.timezone ?? 'UTC', 'String');
  const sql = `SELECT toDayOfWeek(toTimeZone(timestamp, ${tz})) AS dow, toHour(toTimeZone(timestamp, ${tz})) AS h, ${metricSql(q.metric)} AS v
    FROM events WHERE ${where} AND ${conditions(p, q.event_types, q.filters)} GROUP BY dow, h`;
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
    source: 'raw',
  };
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
