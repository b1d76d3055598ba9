import type { Static } from '@sinclair/typebox';
import type { FrameField, Granularity, TimeseriesQuery } from '../contracts/analytics.js';
import { badRequest } from '../http/errors.js';
import { run, scoped, type KindContext, type KindResult } from './context.js';
import { num } from './frames.js';
import { conditions, fieldExpr, rollupCompatible } from './sql.js';
import { autoGranularity, bucketSql, buckets, GRANULARITY_MS } from './time.js';

type Query = Static<typeof TimeseriesQuery>;

/** Series kept per query: the largest ones by total (a panel with more lines is unreadable). */
export const MAX_SERIES = 50;

const labelName = (field: string) => (field.startsWith('properties.') ? field.slice('properties.'.length) : field);

/**
 * The planner (issue "CAAS analytics", item 3): counts and unique users grouped and filtered only by
 * rollup columns come from the per-minute or per-hour rollup for the whole buckets inside the range,
 * and from raw events for the partial buckets at its edges, merged per bucket (sum of counts,
 * uniqMerge of uniq states), so the answer equals the raw-events answer exactly.
 */
export async function timeseries(q: Query, ctx: KindContext): Promise<KindResult> {
  const g: Granularity = q.granularity ?? autoGranularity(ctx.from, ctx.to, q.interval_ms, ctx.maxPoints);
  const points = buckets(ctx.from, ctx.to, g);
  if (points.length > ctx.maxPoints) {
    throw badRequest('too_many_points', `${points.length} ${g} points exceed the limit of ${ctx.maxPoints}: choose a coarser granularity or a shorter range`);
  }
  const groupBy = q.group_by ?? [];
  // Each raw edge is its own plain range so the primary key prunes it (an OR of two ranges did not).
  const { p, tenant, fromP, toP, where } = scoped(ctx);
  const keyExprs = groupBy.map((f) => fieldExpr(f, p));
  const keySel = keyExprs.map((e, i) => `, ${e} AS k${i}`).join('');
  const keyGrp = groupBy.map((_, i) => `, k${i}`).join('');
  const cond = conditions(p, q.event_types, q.filters);
  const m = q.metric;
  const countLike = m.type === 'events' || m.type === 'unique_users';
  const rollup = g === 'minute' ? 'minute' : 'hour';
  const r = GRANULARITY_MS[rollup];
  const innerFrom = Math.ceil(ctx.from / r) * r;
  const innerTo = Math.floor(ctx.to / r) * r;
  const useRollup = !ctx.forceRaw && countLike && rollupCompatible(q.filters, groupBy) && innerFrom < innerTo;
  const t = (expr: string) => `toUnixTimestamp(toDateTime(${bucketSql(expr, g)}, 'UTC')) * 1000 AS t`;

  let sql: string;
  if (useRollup) {
    const inF = p.bind(innerFrom, 'Int64');
    const inT = p.bind(innerTo, 'Int64');
    const [agg, rawPart, rollPart] =
      m.type === 'events' ? ['sum(x)', 'count() AS x', 'sum(events) AS x'] : ['uniqMerge(x)', 'uniqState(user_id) AS x', 'uniqMergeState(users) AS x'];
    sql = `SELECT t${keyGrp}, ${agg} AS v FROM (
        SELECT ${t('timestamp')}${keySel}, ${rawPart} FROM events
        WHERE tenant_id = ${tenant} AND timestamp >= fromUnixTimestamp64Milli(${fromP}, 'UTC') AND timestamp < fromUnixTimestamp64Milli(${inF}, 'UTC') AND ${cond}
        GROUP BY t${keyGrp}
        UNION ALL
        SELECT ${t('timestamp')}${keySel}, ${rawPart} FROM events
        WHERE tenant_id = ${tenant} AND timestamp >= fromUnixTimestamp64Milli(${inT}, 'UTC') AND timestamp < fromUnixTimestamp64Milli(${toP}, 'UTC') AND ${cond}
        GROUP BY t${keyGrp}
        UNION ALL
        SELECT ${t('bucket')}${keySel}, ${rollPart} FROM events_rollup_${rollup}
        WHERE tenant_id = ${tenant} AND bucket >= fromUnixTimestamp64Milli(${inF}, 'UTC') AND bucket < fromUnixTimestamp64Milli(${inT}, 'UTC') AND ${cond}
        GROUP BY t${keyGrp}
      ) GROUP BY t${keyGrp} ORDER BY t${keyGrp}`;
  } else {
    const metricSql =
      m.type === 'events'
        ? 'count()'
        : m.type === 'unique_users'
          ? 'uniq(user_id)'
          : `${m.type === 'sum' ? 'sum' : m.type === 'avg' ? 'avg' : 'quantileExact(0.95)'}(toFloat64OrNull(${fieldExpr(m.property, p)}))`;
    sql = `SELECT ${t('timestamp')}${keySel}, ${metricSql} AS v FROM events
      WHERE ${where} AND ${cond} GROUP BY t${keyGrp} ORDER BY t${keyGrp}`;
  }
  const source = useRollup ? `rollup_${rollup}+raw_edges` : 'raw';
  const rows = await run<Record<string, unknown>>(ctx, sql, p);
  return { frames: [wideFrame(rows, points, groupBy, q.metric, countLike)], source, granularity: g };
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
