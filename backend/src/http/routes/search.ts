import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Principal } from '../../auth/keys.js';
import type { KindContext } from '../../analytics/context.js';
import { boundRange, parseInstant } from '../../analytics/time.js';
import { ErrorBody, ErrorResponses } from '../../contracts/common.js';
import {
  LatencyResponse,
  PopularResponse,
  SearchAnalyticsQuery,
  SearchBody,
  SearchQueryString,
  SearchResponse,
  ZeroResultsResponse,
  type SearchResponse as SearchAnswer,
} from '../../contracts/search.js';
import { badRequest } from '../../errors.js';
import { popularQueries, searchLatency, SearchRecorder, zeroResultQueries } from '../../search/analytics.js';
import { normalizeQuery } from '../../search/common.js';
import { hitContexts } from '../../search/context.js';
import { ENTITIES, type Entity, type SearchFilters, type SearchQuery } from '../../search/index.js';
import { chargeSearch, createSearchQuota } from '../../search/quota.js';
import type { Services } from '../../services.js';
import { reads } from '../authenticate.js';

/** What GET and POST share once their lists are lists. */
interface SearchInput {
  q?: string;
  tenant_id?: string;
  entities?: string[];
  conversation_id?: string[];
  sender_id?: string[];
  type?: string[];
  from?: number | string;
  to?: number | string;
  sort?: 'relevance' | 'time';
  page?: number;
  limit?: number;
}

const split = (s: string | undefined): string[] | undefined => (s === undefined ? undefined : s.split(',').map((v) => v.trim()).filter((v) => v.length > 0));

function entitiesOf(list: string[] | undefined): Entity[] | undefined {
  if (list === undefined) {
    return undefined;
  }
  const out = new Set<Entity>();
  for (const e of list) {
    if (!(ENTITIES as readonly string[]).includes(e)) {
      throw badRequest('invalid_entity', `'${e.slice(0, 40)}' is not an entity: use ${ENTITIES.join(', ')} (comma-separated)`);
    }
    out.add(e as Entity);
  }
  if (out.size === 0) {
    throw badRequest('invalid_entity', `'entities' names none: use ${ENTITIES.join(', ')} (comma-separated), or leave it out for all`);
  }
  return [...out];
}

/** The recorder of each backend's searches (tests wait on it). */
const recorders = new WeakMap<Services, SearchRecorder>();
export function searchRecorder(svc: Services): SearchRecorder {
  let r = recorders.get(svc);
  if (!r) {
    r = new SearchRecorder(svc.ingest, svc.tenants, svc.log.child({ component: 'search-analytics' }));
    recorders.set(svc, r);
  }
  return r;
}

/**
 * GET/POST /v1/search and GET /v1/search/analytics/* (issue "Crawler and search", items 4 and 5).
 * The tenant is the key's own (a tenant key naming another answers 403); admin and viewer keys name
 * it with tenant_id. The engine applies the tenant itself, so neither q nor the filters can widen it.
 */
export function searchRoutes(svc: Services): FastifyPluginAsyncTypebox {
  const quota = createSearchQuota(svc.db, svc.cfg.searchQueriesPerMinute);
  const recorder = searchRecorder(svc);

  const search = async (p: Principal, input: SearchInput) => {
    const filters: SearchFilters = {};
    for (const k of ['conversation_id', 'sender_id', 'type'] as const) {
      const v = input[k]?.map((s) => s.trim()).filter((s) => s.length > 0);
      if (v && v.length) {
        filters[k] = v;
      }
    }
    if (input.from !== undefined) {
      filters.from = parseInstant(input.from, 'from');
    }
    if (input.to !== undefined) {
      filters.to = parseInstant(input.to, 'to', true);
    }
    if (filters.from !== undefined && filters.to !== undefined && filters.to <= filters.from) {
      throw badRequest('invalid_range', `'to' must be after 'from'`);
    }
    const entities = entitiesOf(input.entities);
    const tenant = svc.analytics.tenantFor(p, input.tenant_id);
    const query: SearchQuery = { q: input.q ?? '', entities, filters, sort: input.sort ?? 'relevance', page: input.page ?? 1, limit: input.limit ?? 20 };
    // the engine's own checks first (lists of at most 100, no NUL, …): a refused query costs no quota
    normalizeQuery(tenant, query);
    await chargeSearch(quota, tenant);
    const t0 = performance.now();
    const res = await svc.search.search(tenant, query);
    recorder.record({ tenant, keyId: p.keyId, q: query.q, entities: entities ?? [...ENTITIES], results: res.total, latencyMs: performance.now() - t0, page: query.page ?? 1 });
    // Names for the hits' conversation and sender: the engine's own lookups, not searches of the user (not recorded).
    const contexts = await hitContexts(svc.search, tenant, res.hits);
    return {
      total: res.total,
      facets: res.facets,
      hits: res.hits.map((h) => {
        const context = contexts.get(`${h.entity}:${h.id}`);
        return { ...h, doc: h.doc as unknown as Record<string, unknown>, ...(context ? { context } : {}) };
      }),
    } satisfies SearchAnswer;
  };

  /** The analytics context of a range, or null when no data can lie in it. */
  const rangeOf = (tenant: string, fromText: string, toText: string): KindContext | { from: number; to: number; empty: true } => {
    const asked = { from: parseInstant(fromText, 'from'), to: parseInstant(toText, 'to', true) };
    if (asked.to <= asked.from) {
      throw badRequest('invalid_range', `'to' must be after 'from'`);
    }
    const range = boundRange(asked.from, asked.to, svc.analytics.bounds());
    if (!range) {
      return { ...asked, empty: true };
    }
    const limits = svc.analytics.limits;
    if (range.to - range.from > limits.maxRangeDays * 86_400_000) {
      throw badRequest('range_too_long', `the range is longer than ${limits.maxRangeDays} days (ANALYTICS_MAX_RANGE_DAYS): shorten it`);
    }
    return {
      store: svc.store,
      tenant,
      ...range,
      forceRaw: true,
      maxPoints: limits.maxPoints,
      settings: { max_execution_time: limits.maxExecutionSeconds, output_format_json_quote_64bit_integers: 1 },
    };
  };

  return async (app) => {
    const description =
      'Full-text search over the crawled messages, files, users and conversations of one tenant: q in websearch syntax, filters narrow (conversation, sender, type, created_at range), highlights in <mark>, facet counts per entity and type. Every search counts against the tenant\'s SEARCH_QUERIES_PER_MINUTE (429 with Retry-After past it) and is recorded as a search_query event.';
    const response = { 200: SearchResponse, ...ErrorResponses, 503: ErrorBody };
    app.get(
      '/v1/search',
      { schema: { tags: ['search'], summary: 'Search one tenant', description, querystring: SearchQueryString, response }, config: reads('searching') },
      async (req) => {
        const qs = req.query;
        return search(req.principal, { ...qs, entities: split(qs.entities), conversation_id: split(qs.conversation_id), sender_id: split(qs.sender_id), type: split(qs.type) });
      }
    );
    app.post(
      '/v1/search',
      { schema: { tags: ['search'], summary: 'Search one tenant (filters in the body)', description: `${description} The same as GET, for filters too long for a URL.`, body: SearchBody, response }, config: reads('searching') },
      async (req) => search(req.principal, req.body)
    );

    const analyticsSchema = (summary: string, schema: unknown) => ({ tags: ['search'], summary, querystring: SearchAnalyticsQuery, response: { 200: schema, ...ErrorResponses, 504: ErrorBody } });
    app.get('/v1/search/analytics/popular', { schema: analyticsSchema('The most searched queries of a tenant in a range', PopularResponse), config: reads('search analytics') }, async (req) => {
      const tenant = svc.analytics.tenantFor(req.principal, req.query.tenant_id);
      const ctx = rangeOf(tenant, req.query.from, req.query.to);
      const queries = 'empty' in ctx ? [] : await svc.analytics.guarded(tenant, () => popularQueries(ctx, req.query.limit ?? 20));
      return { tenant_id: tenant, from: ctx.from, to: ctx.to, queries };
    });
    app.get('/v1/search/analytics/zero-results', { schema: analyticsSchema('Queries that found nothing, most frequent first', ZeroResultsResponse), config: reads('search analytics') }, async (req) => {
      const tenant = svc.analytics.tenantFor(req.principal, req.query.tenant_id);
      const ctx = rangeOf(tenant, req.query.from, req.query.to);
      const queries = 'empty' in ctx ? [] : await svc.analytics.guarded(tenant, () => zeroResultQueries(ctx, req.query.limit ?? 20));
      return { tenant_id: tenant, from: ctx.from, to: ctx.to, queries };
    });
    app.get('/v1/search/analytics/latency', { schema: analyticsSchema('Search latency p50/p95 and volume over time', LatencyResponse), config: reads('search analytics') }, async (req) => {
      const tenant = svc.analytics.tenantFor(req.principal, req.query.tenant_id);
      const ctx = rangeOf(tenant, req.query.from, req.query.to);
      if ('empty' in ctx) {
        return { tenant_id: tenant, from: ctx.from, to: ctx.to, granularity: req.query.granularity ?? 'day', summary: { searches: 0, p50_ms: null, p95_ms: null, max_ms: null }, points: [] };
      }
      const res = await svc.analytics.guarded(tenant, () => searchLatency(ctx, req.query.granularity));
      return { tenant_id: tenant, from: ctx.from, to: ctx.to, ...res };
    });
  };
}
