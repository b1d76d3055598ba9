import type { Static } from '@sinclair/typebox';
import type { FrameField, Granularity, TimeseriesQuery } from '../contracts/analytics.js';
import { badRequest } from '../errors.js';
import { run, scoped, type KindContext, type KindResult } from './context.js';
import { num } from './frames.js';
import type { RollupGrain } from '../store/rollups.js';
import { aggregateSql, plan, sourceOf } from './planner.js';
import { conditions, fieldExpr } from './sql.js';
import { autoGranularity, bucketSql, buckets } from './time.js';

type Query = Static<typeof TimeseriesQuery>;

/** Series kept per query: the largest ones by total (a panel with more lines is unreadable). */
export const MAX_SERIES = 50;

const labelName = (field: string) => (field.startsWith('properties.') ? field.slice('properties.'.length) : field);

/** Rollup grains that divide a query granularity's buckets, coarsest first (edges fall to the finer ones). */
const GRAINS: Record<Granularity, RollupGrain[]> = { minute: ['minute'], hour: ['hour'], day: ['day', 'hour'], week: ['day', 'hour'], month: ['day', 'hour'] };

/**
 * Counts and unique users whose filters and group-bys touch only rollup columns are planned over the
 * rollups (planner.ts); other metrics, property filters and property group-bys read raw events.
 */
export async function timeseries(q: Query, ctx: KindContext): Promise<KindResult> {
  const g: Granularity = q.granularity ?? autoGranularity(ctx.from, ctx.to, q.interval_ms, ctx.maxPoints);
  const points = buckets(ctx.from, ctx.to, g);
  if (points.length > ctx.maxPoints) {
    throw badRequest('too_many_points', `${points.length} ${g} points exceed the limit of ${ctx.maxPoints} (ANALYTICS_MAX_POINTS): choose a coarser granularity or a shorter range`);
  }
  const groupBy = q.group_by ?? [];
  const { p, tenant, where } = scoped(ctx);
  const keys = (time: string) => [`toUnixTimestamp(toDateTime(${bucketSql(time, g)}, 'UTC')) * 1000 AS t`, ...groupBy.map((f, i) => `${fieldExpr(f, p)} AS k${i}`)];
  const groups = ['t', ...groupBy.map((_, i) => `k${i}`)];
  const cond = conditions(p, q.event_types, q.filters);
  const m = q.metric;
  let sql: string;
  let source = 'raw';
  if (m.type === 'events' || m.type === 'unique_users') {
    const pieces = plan(ctx, GRAINS[g], groupBy, q);
    source = sourceOf(pieces);
    sql = `${aggregateSql({ p, tenant, pieces, keys, groups, metric: m.type, cond })} ORDER BY ${groups.join(', ')}`;
  } else {
    const agg = `${m.type === 'sum' ? 'sum' : m.type === 'avg' ? 'avg' : 'quantileExact(0.95)'}(toFloat64OrNull(${fieldExpr(m.property, p)}))`;
    sql = `SELECT ${keys('timestamp').join(', ')}, ${agg} AS v FROM events WHERE ${where} AND ${cond} GROUP BY ${groups.join(', ')} ORDER BY ${groups.join(', ')}`;
  }
  const rows = await run<Record<string, unknown>>(ctx, sql, p);
  return { frames: [wideFrame(rows, points, groupBy, m, m.type === 'events' || m.type === 'unique_users')], source, granularity: g };
}

/** Pivots (t, k0, k1, v) rows into one wide frame: time + one number field per series, with labels. */
function wideFrame(rows: Array<Record<string, unknown>>, points: number[], groupBy: string[], metric: Query['metric'], fillZero: boolean) {
  const index = new Map(points.map((t, i) => [t, i]));
  const series = new Map<string, { labels: Record<string, string>; values: Array<number | null>; total: number }>();
  for (const r of rows) {
    const t = num(r.t);
    const i = t === null ? undefined : index.get(t);
    if (i === undefined) {
      continue;
    }
    const labels: Record<string, string> = {};
    groupBy.forEach((f, j) => (labels[labelName(f)] = String(r[`k${j}`] ?? '')));
    const key = JSON.stringify(labels);
    let s = series.get(key);
    if (!s) {
      s = { labels, values: points.map(() => (fillZero ? 0 : null)), total: 0 };
      series.set(key, s);
    }
    const v = num(r.v);
    s.values[i] = v;
    s.total += v ?? 0;
  }
  const name = metric.type === 'events' ? 'events' : metric.type === 'unique_users' ? 'unique users' : `${metric.type}(${labelName(metric.property)})`;
  if (series.size === 0 && groupBy.length === 0) {
    series.set('{}', { labels: {}, values: points.map(() => (fillZero ? 0 : null)), total: 0 });
  }
  const kept = [...series.values()].sort((a, b) => b.total - a.total).slice(0, MAX_SERIES);
  kept.sort((a, b) => JSON.stringify(a.labels).localeCompare(JSON.stringify(b.labels)));
  const fields: FrameField[] = [
    { name: 'time', type: 'time', values: points },
    ...kept.map((s) => ({
      name,
      type: 'number' as const,
      unit: fillZero ? 'short' : 'none',
      ...(groupBy.length ? { labels: s.labels } : {}),
      values: s.values,
    })),
  ];
  return { name, fields };
}
