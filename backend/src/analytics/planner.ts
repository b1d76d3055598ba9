import { DIM_FIELDS, ROLLUPS, type Rollup, type RollupGrain } from '../store/rollups.js';
import type { KindContext } from './context.js';
import type { SqlParams } from './sql.js';

/**
 * The rollup planner (issue "CAAS analytics", item 3). A count or a unique-user count over
 * [from, to) is answered piece by piece: whole days from a per-day rollup, whole hours at the edges
 * from a per-hour rollup, and the partial hours left at either end from raw events. Every piece
 * yields the same partial aggregate (a count, or a `uniq` state) per group, and the pieces are merged
 * per group (sum, `uniqMerge`), so the answer equals the one computed from raw events alone.
 */
export interface Piece {
  /** null: raw events */
  rollup: Rollup | null;
  from: number;
  to: number;
}

export const GRAIN_MS: Record<RollupGrain, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/** The narrowest rollup of a grain that keeps every column the query touches. */
export function rollupFor(grain: RollupGrain, needed: ReadonlySet<string>): Rollup | undefined {
  return ROLLUPS.filter((r) => r.grain === grain && [...needed].every((f) => r.dims.some((d) => DIM_FIELDS[d] === f))).sort(
    (a, b) => a.dims.length - b.dims.length
  )[0];
}

/** The columns a query touches: its own fields, `type` when it names event types, and every filter's field. */
export function touchedColumns(fields: string[], eventTypes: string[] | undefined, filters: Array<{ field: string }> | undefined): Set<string> {
  return new Set([...fields, ...(eventTypes?.length ? ['type'] : []), ...(filters ?? []).map((f) => f.field)]);
}

/**
 * Splits [from, to) into whole buckets of the given grains, coarsest first: the middle from the
 * coarsest rollup that fits, each remainder from the next finer one, and raw events for the rest.
 */
export function splitRange(from: number, to: number, grains: readonly RollupGrain[], needed: ReadonlySet<string>): Piece[] {
  const level = (lo: number, hi: number, i: number): Piece[] => {
    if (lo >= hi) {
      return [];
    }
    const grain = grains[i];
    if (grain === undefined) {
      return [{ rollup: null, from: lo, to: hi }];
    }
    const rollup = rollupFor(grain, needed);
    const ms = GRAIN_MS[grain];
    const a = Math.ceil(lo / ms) * ms;
    const b = Math.floor(hi / ms) * ms;
    if (!rollup || a >= b) {
      return level(lo, hi, i + 1);
    }
    return [...level(lo, a, i + 1), { rollup, from: a, to: b }, ...level(b, hi, i + 1)];
  };
  return level(from, to, 0);
}

/**
 * The pieces a query over the context's range reads: `splitRange` over the rollups that keep every
 * column it touches (`fields`, its event types and filters), or the whole range from raw events when
 * the caller forces it (tests, benchmarks).
 */
export function plan(ctx: KindContext, grains: readonly RollupGrain[], fields: string[], q: { event_types?: string[]; filters?: Array<{ field: string }> }): Piece[] {
  return ctx.forceRaw ? [{ rollup: null, from: ctx.from, to: ctx.to }] : splitRange(ctx.from, ctx.to, grains, touchedColumns(fields, q.event_types, q.filters));
}

/** What answered: 'raw', or the tables used, coarsest first (e.g. `events_type_day+events_type_hour+raw`). */
export function sourceOf(pieces: Piece[]): string {
  if (pieces.every((x) => x.rollup === null)) {
    return 'raw';
  }
  const names = pieces.map((x) => x.rollup?.table ?? 'raw');
  const order = (n: string) => (n === 'raw' ? 9 : ['day', 'hour', 'minute'].indexOf(ROLLUPS.find((r) => r.table === n)?.grain ?? ''));
  return [...new Set(names)].sort((a, b) => order(a) - order(b)).join('+');
}

export type Metric = 'events' | 'unique_users';

export interface AggregateSpec {
  p: SqlParams;
  /** the bound tenant placeholder */
  tenant: string;
  pieces: Piece[];
  /** select-list entries over a time column (`timestamp` on events, `bucket` on rollups), each `expr AS alias` */
  keys: (time: string) => string[];
  /** the aliases of `keys`, the groups */
  groups: string[];
  metric: Metric;
  /** conditions over rollup-kept columns (or any column when every piece is raw) */
  cond: string;
}

/**
 * One SELECT that answers `metric AS v` per group over the pieces. A single raw piece is the plain
 * question in raw-events SQL (`count()` / `uniq(user_id)`); otherwise each piece aggregates its own
 * rows and the union is merged per group.
 */
export function aggregateSql(s: AggregateSpec): string {
  const { p, tenant, pieces, groups, metric, cond } = s;
  const unique = metric === 'unique_users';
  const groupBy = groups.length ? ` GROUP BY ${groups.join(', ')}` : '';
  const range = (x: Piece, time: string) =>
    `${time} >= fromUnixTimestamp64Milli(${p.bind(x.from, 'Int64')}, 'UTC') AND ${time} < fromUnixTimestamp64Milli(${p.bind(x.to, 'Int64')}, 'UTC')`;
  const select = (time: string, agg: string) => [...s.keys(time), agg].join(', ');
  const only = pieces.length === 1 ? pieces[0] : undefined;
  if (only && only.rollup === null) {
    const agg = unique ? 'uniq(user_id) AS v' : 'count() AS v';
    return `SELECT ${select('timestamp', agg)} FROM events WHERE tenant_id = ${tenant} AND ${range(only, 'timestamp')} AND ${cond}${groupBy}`;
  }
  // One subquery per table, its ranges ORed (the primary key still prunes each): every subquery costs
  // a fixed few ms in the engine. Rollup rows pass through ungrouped, so each stored state is merged
  // once, by the outer GROUP BY; raw rows are aggregated into the same partials first.
  const tables = [...new Set(pieces.map((x) => x.rollup))];
  const parts = tables.map((r) => {
    const time = r ? 'bucket' : 'timestamp';
    const ranges = pieces.filter((x) => x.rollup === r).map((x) => `(${range(x, time)})`);
    const where = `WHERE tenant_id = ${tenant} AND (${ranges.join(' OR ')}) AND ${cond}`;
    return r
      ? `SELECT ${select(time, unique ? 'users AS x' : 'toUInt64(events) AS x')} FROM ${r.table} ${where}`
      : `SELECT ${select(time, unique ? 'uniqState(user_id) AS x' : 'count() AS x')} FROM events ${where}${groupBy}`;
  });
  const merge = unique ? 'uniqMerge(x)' : 'sum(x)';
  return `SELECT ${[...groups, `${merge} AS v`].join(', ')} FROM (${parts.join('\nUNION ALL\n')})${groupBy}`;
}
