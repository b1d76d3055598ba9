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
  SearchAnalyticsKindQuery,
  TimeseriesQuery,
  TopNQuery,
  type AnalyticsQuery,
  type QueryResponse,
} from '../contracts/analytics.js';
import { CaasError, badRequest, tooMany } from '../errors.js';
import type { AnalyticsStore } from '../store/analytics-store.js';
import { funnel, geo, heatmap, topN } from './breakdowns.js';
import type { KindContext, KindResult } from './context.js';
import { describeAjvErrors } from '../contracts/validation.js';
import { clickhouseErrorType } from '../store/clickhouse-errors.js';
import { boundRange, dataBounds, parseInstant, type DataBounds } from './time.js';
import { searchAnalytics } from './search-analytics.js';
import { timeseries } from './timeseries.js';
import { activeUsers, adoption, cohorts, retention } from './users.js';

export interface AnalyticsLimits {
  maxRangeDays: number;
  maxPoints: number;
  maxExecutionSeconds: number;
  maxConcurrentPerTenant: number;
}

export const DEFAULT_LIMITS: AnalyticsLimits = { maxRangeDays: 731, maxPoints: 5000, maxExecutionSeconds: 30, maxConcurrentPerTenant: 4 };

/** What bounds the data in time: the events TTL and how far ahead ingestion accepts timestamps. */
export interface DataRetention {
  ttlDays: number;
  maxFutureSeconds: number;
}

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
  search_analytics: SearchAnalyticsKindQuery,
};
const validators = Object.fromEntries(Object.entries(SCHEMAS).map(([k, s]) => [k, ajv.compile(s)]));

/**
 * Validates per kind (so the error names the kind's own field, not a union branch), scopes the
 * tenant from the key, applies the guards (range, points, execution time, concurrent queries per
 * tenant) and runs the kind (issue "CAAS analytics", items 2 and 4).
 */
export class AnalyticsService {
  private readonly running = new Map<string, number>();
  private zones: Promise<ReadonlySet<string>> | null = null;

  constructor(
    private readonly store: AnalyticsStore,
    readonly limits: AnalyticsLimits = DEFAULT_LIMITS,
    private readonly retention: DataRetention = { ttlDays: 5 * 365, maxFutureSeconds: 300 }
  ) {}

  /** Where data can be now (the TTL's oldest day … the latest accepted timestamp). */
  bounds(now = Date.now()): DataBounds {
    return dataBounds(now, this.retention.ttlDays, this.retention.maxFutureSeconds);
  }

  /**
   * A time zone the engine can load: the zone pattern lets 'Mars/Olympus' or 'right/UTC' through,
   * and ClickHouse refuses them only when the query runs (issue "Hardening", defect 7). The list is
   * ClickHouse's own (system.time_zones), read once.
   */
  async checkTimeZone(zone: string, field: string): Promise<void> {
    this.zones ??= this.store
      .query<{ time_zone: string }>('SELECT time_zone FROM system.time_zones')
      .then((rows) => new Set(rows.map((r) => r.time_zone)))
      .catch((e: unknown) => {
        this.zones = null;
        throw e;
      });
    if (!(await this.zones).has(zone)) {
      throw badRequest('unknown_time_zone', `'${field}'='${zone.slice(0, 64)}' is not a time zone ClickHouse knows: use an IANA name such as UTC, Europe/Berlin or America/New_York`);
    }
  }

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
      if (e?.keyword === 'additionalProperties') {
        const where = e.instancePath ? ` (in '${e.instancePath.slice(1).replace(/\//g, '.')}')` : '';
        throw badRequest('invalid_query', `${kind} query: '${String(e.params.additionalProperty)}' is not a field of ${kind}${where}`);
      }
      throw badRequest('invalid_query', `${kind} query: ${describeAjvErrors(v.errors)}`);
    }
    return body as AnalyticsQuery;
  }

  /** The tenant a query reads: the key's own, or the one an admin key names. */
  tenantFor(p: Principal, requested: string | undefined): string {
    const t = scopeTenant(p, requested);
    if (!t) {
      throw badRequest('tenant_required', 'admin and viewer keys read every tenant, so they must name the one to query: set tenant_id');
    }
    return t;
  }

  async query(q: AnalyticsQuery, tenant: string, opts: { forceRaw?: boolean } = {}): Promise<QueryResponse> {
    const asked = { from: parseInstant(q.from, 'from'), to: parseInstant(q.to, 'to') };
    if (asked.to <= asked.from) {
      throw badRequest('invalid_range', `'to' must be after 'from'`);
    }
    if (q.kind === 'heatmap' && q.timezone) {
      await this.checkTimeZone(q.timezone, 'timezone');
    }
    const range = boundRange(asked.from, asked.to, this.bounds());
    if (!range) {
      // Wholly before the oldest data the TTL keeps, or after the latest timestamp accepted.
      return { meta: { kind: q.kind, tenant_id: tenant, source: 'none', ...asked, elapsed_ms: 0 }, frames: [] };
    }
    const { from, to } = range;
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
      if (clickhouseErrorType(e) === 'TIMEOUT_EXCEEDED') {
        throw new CaasError('timeout', 'query_timeout', `the query ran longer than ${this.limits.maxExecutionSeconds}s (ANALYTICS_MAX_EXECUTION_SECONDS): shorten the range or add filters`);
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
      case 'search_analytics':
        return searchAnalytics(q, ctx);
    }
  }
}
