import type { ClickHouseSettings } from '@clickhouse/client';
import type { Frame, Granularity } from '../contracts/analytics.js';
import type { AnalyticsStore } from '../store/analytics-store.js';
import { SqlParams } from './sql.js';

/** What every query kind gets: the store, the tenant (always bound), the range, and the limits. */
export interface KindContext {
  store: AnalyticsStore;
  tenant: string;
  from: number;
  to: number;
  settings: ClickHouseSettings;
  /** tests and benchmarks compare rollups with raw events */
  forceRaw: boolean;
  maxPoints: number;
}

export interface KindResult {
  frames: Frame[];
  /** raw events or the rollup that answered */
  source: string;
  granularity?: Granularity;
}

/** Params pre-bound with the tenant and the range; `where` is the tenant + time condition on raw events. */
export function scoped(ctx: KindContext): { p: SqlParams; tenant: string; fromP: string; toP: string; where: string } {
  const p = new SqlParams();
  const tenant = p.bind(ctx.tenant, 'String');
  const fromP = p.bind(ctx.from, 'Int64');
  const toP = p.bind(ctx.to, 'Int64');
  return {
    p,
    tenant,
    fromP,
    toP,
    where: `tenant_id = ${tenant} AND timestamp >= fromUnixTimestamp64Milli(${fromP}, 'UTC') AND timestamp < fromUnixTimestamp64Milli(${toP}, 'UTC')`,
  };
}

export async function run<T>(ctx: KindContext, sql: string, p: SqlParams): Promise<T[]> {
  return ctx.store.query<T>(sql, p.values, ctx.settings);
}
