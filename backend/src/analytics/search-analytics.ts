import type { Static } from '@sinclair/typebox';
import type { SearchAnalyticsKindQuery } from '../contracts/analytics.js';
import { popularQueries, searchLatency, zeroResultQueries } from '../search/analytics.js';
import type { KindContext, KindResult } from './context.js';
import { badRequest } from '../errors.js';
import { table } from './frames.js';

type Query = Static<typeof SearchAnalyticsKindQuery>;

/**
 * The `search_analytics` kind (issue "Crawler and search", item 5): what GET
 * /v1/search/analytics/{popular,zero-results,latency} answer, as frames for the data source. `filters`
 * narrow the search_query events (e.g. `user_id` = a key, `properties.entities`); `event_types` does not apply.
 */
export async function searchAnalytics(q: Query, ctx: KindContext): Promise<KindResult> {
  if (q.event_types?.length) {
    throw badRequest('invalid_query', `search_analytics query: 'event_types' does not apply (it reads the search_query events); use filters, e.g. on user_id or properties.entities`);
  }
  const limit = q.limit ?? 20;
  const [popular, zero, latency] = await Promise.all([popularQueries(ctx, limit, q.filters), zeroResultQueries(ctx, limit, q.filters), searchLatency(ctx, q.granularity, q.filters)]);
  return {
    source: 'raw',
    granularity: latency.granularity,
    frames: [
      table('popular queries', popular as unknown as Array<Record<string, unknown>>, [
        { key: 'q', name: 'query', type: 'string' },
        { key: 'searches', type: 'number', unit: 'short' },
        { key: 'users', type: 'number', unit: 'short' },
        { key: 'avg_results', name: 'average results', type: 'number', unit: 'short' },
        { key: 'zero_results', name: 'zero results', type: 'number', unit: 'short' },
      ]),
      table('zero-result queries', zero as unknown as Array<Record<string, unknown>>, [
        { key: 'q', name: 'query', type: 'string' },
        { key: 'searches', type: 'number', unit: 'short' },
        { key: 'users', type: 'number', unit: 'short' },
        { key: 'last_at', name: 'last searched', type: 'time' },
      ]),
      {
        name: 'search latency',
        fields: [
          { name: 'time', type: 'time', values: latency.points.map((p) => p.time) },
          { name: 'p50', type: 'number', unit: 'ms', values: latency.points.map((p) => p.p50_ms) },
          { name: 'p95', type: 'number', unit: 'ms', values: latency.points.map((p) => p.p95_ms) },
          { name: 'searches', type: 'number', unit: 'short', values: latency.points.map((p) => p.searches) },
        ],
      },
    ],
  };
}
