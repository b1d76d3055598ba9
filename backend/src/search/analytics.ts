import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { TenantRepo } from '../auth/tenants.js';
import type { Filter, Granularity } from '../contracts/analytics.js';
import type { IngestService } from '../ingest/intake.js';
import { run, scoped, type KindContext } from '../analytics/context.js';
import { num } from '../analytics/frames.js';
import { conditions } from '../analytics/sql.js';
import { autoGranularity, bucketSql, buckets } from '../analytics/time.js';
import { badRequest } from '../errors.js';

/**
 * Search analytics (issue "Crawler and search", item 5): every search is one `search_query` event
 * that goes through ingestion (WAL → ClickHouse) like any other, and the questions asked of them
 * (popular queries, queries without results, latency) are ClickHouse SQL over `events` with bound
 * parameters, per tenant and range.
 */
export const SEARCH_EVENT = 'search_query';

/** The longest normalised query kept, in code points. */
export const MAX_RECORDED_Q = 200;

/** Trimmed, lower-cased, whitespace collapsed, cut to MAX_RECORDED_Q code points (well-formed). */
export function normaliseQuery(q: string): string {
  const s = (q.isWellFormed() ? q : q.toWellFormed()).toLowerCase().replace(/\s+/gu, ' ').trim();
  const cps = Array.from(s);
  return cps.length > MAX_RECORDED_Q ? cps.slice(0, MAX_RECORDED_Q).join('').trimEnd() : s;
}

export interface SearchRecord {
  tenant: string;
  /** the key that searched: the event's user_id */
  keyId: string;
  q: string;
  entities: readonly string[];
  results: number;
  latencyMs: number;
  page: number;
}

/**
 * Records searches through IngestService, in the background: the search answer never waits for
 * it, and a failure is logged, never the search's. Searches of a tenant the metadata store does not
 * know (an admin key may name any) are not recorded: ingestion would refuse them.
 */
export class SearchRecorder {
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly ingest: IngestService,
    private readonly tenants: TenantRepo,
    private readonly log: Logger
  ) {}

  record(r: SearchRecord): void {
    const p = this.write(r)
      .catch((e: unknown) => this.log.warn({ err: e, tenant_id: r.tenant }, 'could not record a search for search analytics'))
      .finally(() => this.pending.delete(p));
    this.pending.add(p);
  }

  /** Resolves when every recording started so far is written (to the WAL) or given up. */
  async idle(): Promise<void> {
    while (this.pending.size > 0) {
      await Promise.all([...this.pending]);
    }
  }

  private async write(r: SearchRecord): Promise<void> {
    if (!(await this.tenants.ids()).has(r.tenant)) {
      this.log.debug({ tenant_id: r.tenant }, 'search of an unknown tenant: not recorded');
      return;
    }
    const event = {
      type: SEARCH_EVENT,
      tenant_id: r.tenant,
      user_id: r.keyId,
      timestamp: Date.now(),
      properties: { q: normaliseQuery(r.q), entities: r.entities.join(','), results: r.results, latency_ms: Math.round(r.latencyMs * 10) / 10, page: r.page },
    };
    const requestId = `search-${randomUUID()}`;
    const res = await this.ingest.ingest({
      body: Buffer.from(JSON.stringify([event])),
      contentType: 'application/json',
      contentEncoding: undefined,
      principal: { keyId: r.keyId, role: 'ingest', tenantId: r.tenant },
      ctx: { receivedAt: Date.now(), userAgent: undefined, country: undefined },
      requestId,
    });
    if (res.status !== 202 || res.body.rejected.length > 0) {
      this.log.warn({ tenant_id: r.tenant, request_id: requestId, rejected: res.body.rejected }, 'ingestion refused a search_query event');
    }
  }
}

/** Extra conditions on the search_query events (the search_analytics kind's `filters`, e.g. on user_id). */
export type SearchEventFilters = Filter[] | undefined;

const where = (ctx: KindContext, filters: SearchEventFilters) => {
  const s = scoped(ctx);
  return { ...s, cond: `${s.where} AND type = ${s.p.bind(SEARCH_EVENT, 'String')} AND ${conditions(s.p, undefined, filters)}` };
};
const RESULTS = `toFloat64OrZero(properties['results'])`;

export interface PopularRow {
  q: string;
  searches: number;
  users: number;
  avg_results: number;
  zero_results: number;
}

/** The most searched normalised queries (the empty query, a browse, left out). */
export async function popularQueries(ctx: KindContext, limit: number, filters?: SearchEventFilters): Promise<PopularRow[]> {
  const { p, cond } = where(ctx, filters);
  const rows = await run<Record<string, unknown>>(
    ctx,
    `SELECT properties['q'] AS q, count() AS searches, uniqExact(user_id) AS users, avg(${RESULTS}) AS avg_results, countIf(${RESULTS} = 0) AS zero_results
     FROM events WHERE ${cond} AND properties['q'] != '' GROUP BY q ORDER BY searches DESC, q ASC LIMIT ${p.bind(limit, 'UInt32')}`,
    p
  );
  return rows.map((r) => ({ q: String(r.q), searches: num(r.searches) ?? 0, users: num(r.users) ?? 0, avg_results: Math.round((num(r.avg_results) ?? 0) * 100) / 100, zero_results: num(r.zero_results) ?? 0 }));
}

export interface ZeroRow {
  q: string;
  searches: number;
  users: number;
  last_at: number;
}

/** Queries that found nothing, most frequent first. */
export async function zeroResultQueries(ctx: KindContext, limit: number, filters?: SearchEventFilters): Promise<ZeroRow[]> {
  const { p, cond } = where(ctx, filters);
  const rows = await run<Record<string, unknown>>(
    ctx,
    `SELECT properties['q'] AS q, count() AS searches, uniqExact(user_id) AS users, toUnixTimestamp64Milli(max(timestamp)) AS last_at
     FROM events WHERE ${cond} AND properties['q'] != '' AND ${RESULTS} = 0 GROUP BY q ORDER BY searches DESC, q ASC LIMIT ${p.bind(limit, 'UInt32')}`,
    p
  );
  return rows.map((r) => ({ q: String(r.q), searches: num(r.searches) ?? 0, users: num(r.users) ?? 0, last_at: num(r.last_at) ?? 0 }));
}

export interface LatencyAnswer {
  granularity: Granularity;
  summary: { searches: number; p50_ms: number | null; p95_ms: number | null; max_ms: number | null };
  points: Array<{ time: number; searches: number; p50_ms: number | null; p95_ms: number | null }>;
}

const round = (v: unknown) => {
  const n = num(v);
  return n === null ? null : Math.round(n * 10) / 10;
};

/** Latency p50/p95 and volume over the range and per bucket (every bucket present, 0 searches when none). */
export async function searchLatency(ctx: KindContext, granularity: Granularity | undefined, filters?: SearchEventFilters): Promise<LatencyAnswer> {
  const g = granularity ?? autoGranularity(ctx.from, ctx.to, undefined, Math.min(ctx.maxPoints, 500));
  const times = buckets(ctx.from, ctx.to, g);
  if (times.length > ctx.maxPoints) {
    throw badRequest('too_many_points', `${times.length} ${g} points exceed the limit of ${ctx.maxPoints} (ANALYTICS_MAX_POINTS): choose a coarser granularity or a shorter range`);
  }
  const { p, cond } = where(ctx, filters);
  const lat = `toFloat64OrNull(properties['latency_ms'])`;
  const [summary] = await run<Record<string, unknown>>(
    ctx,
    `SELECT count() AS searches, quantileExact(0.5)(${lat}) AS p50, quantileExact(0.95)(${lat}) AS p95, max(${lat}) AS mx FROM events WHERE ${cond}`,
    p
  );
  const rows = await run<Record<string, unknown>>(
    ctx,
    `SELECT toUnixTimestamp(toDateTime(${bucketSql('timestamp', g)}, 'UTC')) * 1000 AS t, count() AS searches, quantileExact(0.5)(${lat}) AS p50, quantileExact(0.95)(${lat}) AS p95
     FROM events WHERE ${cond} GROUP BY t ORDER BY t`,
    p
  );
  const byTime = new Map(rows.map((r) => [num(r.t), r]));
  const searches = num(summary?.searches) ?? 0;
  return {
    granularity: g,
    summary: { searches, p50_ms: searches ? round(summary?.p50) : null, p95_ms: searches ? round(summary?.p95) : null, max_ms: searches ? round(summary?.mx) : null },
    points: times.map((time) => {
      const r = byTime.get(time);
      return { time, searches: num(r?.searches) ?? 0, p50_ms: r ? round(r.p50) : null, p95_ms: r ? round(r.p95) : null };
    }),
  };
}
