import { Ajv } from 'ajv';
import type { Principal } from '../auth/keys.js';
import { scopeTenant } from '../auth/keys.js';
import {
  ActiveUsersQuery,
  AdoptionQuery,
  CohortsQuery,
  FunnelQuery,
  GeoQuery,
  HeatmapQuery,
  QUERY_KINDS,
  RetentionQuery,
  TimeseriesQuery,
  TopNQuery,
  type AnalyticsQuery,
  type QueryResponse,
} from '../contracts/analytics.js';
import { ApiError, badRequest, tooMany } from '../http/errors.js';
import type { AnalyticsStore } from '../store/analytics-store.js';
import { funnel, geo, heatmap, topN } from './breakdowns.js';
import type { KindContext, KindResult } from './context.js';
import { parseInstant } from './time.js';
import { timeseries } from './timeseries.js';
import { activeUsers, adoption, cohorts, retention } from './users.js';

export interface AnalyticsLimits {
  maxRangeDays: number;
  maxPoints: number;
  maxExecutionSeconds: number;
  maxConcurrentPerTenant: number;
}

export const DEFAULT_LIMITS: AnalyticsLimits = { maxRangeDays: 731, maxPoints: 5000, maxExecutionSeconds: 30, maxConcurrentPerTenant: 4 };

const ajv = new Ajv({ allErrors: false, strict: false });
const SCHEMAS = {
  timeseries: TimeseriesQuery,
  active_users: ActiveUsersQuery,
  retention: RetentionQuery,
  funnel: FunnelQuery,
  cohorts: CohortsQuery,
  top_n: TopNQuery,
  heatmap: HeatmapQuery,
  geo: GeoQuery,
  adoption: AdoptionQuery,
};
const validators = Object.fromEntries(Object.entries(SCHEMAS).map(([k, s]) => [k, ajv.compile(s)]));

/**
 * Validates per kind (so the error names the kind's own field, not a union branch), scopes the
 * tenant from the key, applies the guards (range, points, execution time, concurrent queries per
 * tenant) and runs the kind (issue "CAAS analytics", items 2 and 4).
 */
export class AnalyticsService {
  private readonly running = new Map<string, number>();

  constructor(
    private readonly store: AnalyticsStore,
    readonly limits: AnalyticsLimits = DEFAULT_LIMITS
  ) {}

  static validate(body: unknown): AnalyticsQuery {
    const kind = (body as { kind?: unknown } | null)?.kind;
    if (typeof kind !== 'string' || !(QUERY_KINDS as string[]).includes(kind)) {
      throw badRequest('unknown_kind', `unknown query kind '${String(kind)}': use one of ${QUERY_KINDS.join(', ')}`);
    }
    const v = validators[kind];
    if (v && !v(body)) {
      const e = v.errors?.[0];
      const instant = /^\/(from|to)$/.exec(e?.instancePath ?? '');
      if (instant) {
        // a union of number | string: Ajv names only the first branch ("must be number")
        throw badRequest('invalid_query', `${kind} query: '${instant[1]}' must be epoch milliseconds or an ISO 8601 date (e.g. 2024-01-31 or 2024-01-31T12:00:00Z)`);
      }
      const where = e?.instancePath ? `'${e.instancePath.slice(1).replace(/\//g, '.')}'` : 'the query';
      const extra = e?.keyword === 'additionalProperties' ? ` ('${String(e.params.additionalProperty)}' is not a field of ${kind})` : '';
      throw badRequest('invalid_query', `${kind} query: ${where} ${e?.message ?? 'is invalid'}${extra}`);
    }
    return body as AnalyticsQuery;
  }

  /** The tenant a query reads: the key's own, or the one an admin key names. */
  tenantFor(p: Principal, requested: string | undefined): string {
    const t = scopeTenant(p, requested);
    if (!t) {
      throw badRequest('tenant_required', 'admin keys must name the tenant to query: set tenant_id');
    }
    return t;
  }

  async query(q: AnalyticsQuery, tenant: string, opts: { forceRaw?: boolean } = {}): Promise<QueryResponse> {
    const from = parseInstant(q.from, 'from');
    const to = parseInstant(q.to, 'to');
    if (to <= from) {
      throw badRequest('invalid_range', `'to' must be after 'from'`);
    }
    if (to - from > this.limits.maxRangeDays * 86_400_000) {
      throw badRequest('range_too_long', `the range is longer than ${this.limits.maxRangeDays} days (ANALYTICS_MAX_RANGE_DAYS): shorten it`);
    }
    const ctx: KindContext = {
      store: this.store,
      tenant,
      from,
      to,
      forceRaw: opts.forceRaw ?? false,
      maxPoints: this.limits.maxPoints,
      settings: { max_execution_time: this.limits.maxExecutionSeconds, output_format_json_quote_64bit_integers: 1 },
    };
    const t0 = performance.now();
    const res = await this.guarded(tenant, () => this.dispatch(q, ctx));
    return {
      meta: { kind: q.kind, tenant_id: tenant, source: res.source, ...(res.granularity ? { granularity: res.granularity } : {}), from, to, elapsed_ms: Math.round(performance.now() - t0) },
      frames: res.frames,
    };
  }

  /** At most maxConcurrentPerTenant queries of one tenant run at once; more answer 429. */
  async guarded<T>(tenant: string, fn: () => Promise<T>): Promise<T> {
    const n = this.running.get(tenant) ?? 0;
    if (n >= this.limits.maxConcurrentPerTenant) {
      throw tooMany('too_many_queries', `tenant '${tenant}' already runs ${n} analytics queries (ANALYTICS_MAX_CONCURRENT); retry shortly`, 1);
    }
    this.running.set(tenant, n + 1);
    try {
      return await fn();
    } catch (e) {
      const msg = (e as Error).message ?? '';
      if (/TIMEOUT_EXCEEDED|Timeout exceeded/i.test(msg)) {
        throw new ApiError(504, 'query_timeout', `the query ran longer than ${this.limits.maxExecutionSeconds}s (ANALYTICS_MAX_EXECUTION_SECONDS): shorten the range or add filters`);
      }
      throw e;
    } finally {
      this.running.set(tenant, (this.running.get(tenant) ?? 1) - 1);
    }
  }

  private dispatch(q: AnalyticsQuery, ctx: KindContext): Promise<KindResult> {
    switch (q.kind) {
      case 'timeseries':
        return timeseries(q, ctx);
      case 'active_users':
        return activeUsers(q, ctx);
      case 'retention':
        return retention(q, ctx);
      case 'funnel':
        return funnel(q, ctx);
      case 'cohorts':
        return cohorts(q, ctx);
      case 'top_n':
        return topN(q, ctx);
      case 'heatmap':
        return heatmap(q, ctx);
      case 'geo':
        return geo(q, ctx);
      case 'adoption':
        return adoption(q, ctx);
    }
  }
}
