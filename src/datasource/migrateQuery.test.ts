import { QUERY_KINDS, QUERY_VERSION } from './constants';
import { defaultBuilder, defaultQuery, withKind } from './defaults';
import { migrateQuery } from './migrateQuery';
import type { CaasQuery } from './types';

describe('migrateQuery', () => {
  test('a v0 query without version or kind becomes a v1 time series of events, keeping what it asked', () => {
    const v0 = {
      refId: 'B',
      eventType: 'message_sent, message_read',
      groupBy: 'platform',
      granularity: 'day',
      filters: [{ field: 'country', op: '=', value: 'DE' }, { nonsense: true }],
      tenant_id: 'acme',
    };
    expect(migrateQuery(v0)).toEqual({
      refId: 'B',
      version: QUERY_VERSION,
      kind: 'timeseries',
      metric: { type: 'events' },
      event_types: ['message_sent', 'message_read'],
      group_by: ['platform'],
      granularity: 'day',
      filters: [{ field: 'country', op: '=', value: 'DE' }],
      tenant: 'acme',
    });
  });

  test('an empty v0 query becomes the default query', () => {
    expect(migrateQuery({ refId: 'A' })).toEqual(defaultQuery('A'));
    expect(migrateQuery(undefined)).toEqual(defaultQuery('A'));
  });

  test('v0 drops what the contract would reject: bad group-by fields, a third group, unknown granularity', () => {
    const migrated = migrateQuery({
      refId: 'A',
      group_by: ['platform', 'drop table', 'country', 'device'],
      granularity: 'fortnight',
    });
    expect(migrated).toMatchObject({ kind: 'timeseries', group_by: ['platform', 'country'] });
    expect(migrated).not.toHaveProperty('granularity');
  });

  test('a v0 query that already names a kind keeps it and gets missing required fields', () => {
    const migrated = migrateQuery({ refId: 'C', kind: 'retention', cohort_event: 'signup' } as Partial<CaasQuery>);
    expect(migrated).toEqual({
      ...defaultBuilder('retention'),
      refId: 'C',
      version: QUERY_VERSION,
      cohort_event: 'signup',
    });
  });

  test('a hand-written search analytics query gets the part shown and the rows it lacks, and keeps the rest', () => {
    const migrated = migrateQuery({
      refId: 'S',
      version: 1,
      kind: 'search_analytics',
      granularity: 'hour',
    } as Partial<CaasQuery>);
    expect(migrated).toEqual({
      refId: 'S',
      version: QUERY_VERSION,
      kind: 'search_analytics',
      show: 'popular',
      limit: 20,
      granularity: 'hour',
    });
    const latency = { ...migrated, show: 'latency' } as CaasQuery;
    expect(migrateQuery(latency)).toBe(latency);
  });

  test('an unknown kind falls back to a time series instead of breaking the editor', () => {
    const migrated = migrateQuery({ refId: 'A', version: 1, kind: 'sql' } as unknown as CaasQuery);
    expect(migrated.kind).toBe('timeseries');
  });

  test('is idempotent for v0, partial and complete queries', () => {
    const inputs: Array<Record<string, unknown>> = [
      { refId: 'A', eventType: 'x', groupBy: 'platform' },
      { refId: 'B', kind: 'funnel' },
      { refId: 'C', version: 1, kind: 'top_n', field: 'country' },
      ...QUERY_KINDS.map((kind, i) => ({ refId: `K${i}`, version: 1, ...defaultBuilder(kind) })),
    ];
    for (const input of inputs) {
      const once = migrateQuery(input);
      const twice = migrateQuery(once);
      expect(twice).toEqual(once);
      // A current, complete query is returned as is: the editor does not re-render in a loop.
      expect(twice).toBe(once);
    }
  });

  test('a query saved by a newer plugin version is left alone', () => {
    const future = { refId: 'A', version: QUERY_VERSION + 1, kind: 'timeseries', metric: { type: 'events' }, novel: 1 };
    expect(migrateQuery(future as unknown as CaasQuery)).toEqual(future);
  });
});

describe('withKind', () => {
  test('switching kind keeps refId, tenant, event types and filters and yields that kind defaults', () => {
    const query: CaasQuery = {
      refId: 'A',
      version: 1,
      tenant: '$tenant',
      kind: 'timeseries',
      metric: { type: 'unique_users' },
      event_types: ['message_sent'],
      filters: [{ field: 'platform', op: '=', value: 'ios' }],
      group_by: ['country'],
    };
    expect(withKind(query, 'funnel')).toEqual({
      refId: 'A',
      version: 1,
      tenant: '$tenant',
      kind: 'funnel',
      steps: [{ event_type: '' }, { event_type: '' }],
      window_seconds: 86400,
      event_types: ['message_sent'],
      filters: [{ field: 'platform', op: '=', value: 'ios' }],
    });
    expect(withKind(query, 'timeseries')).toBe(query);
  });

  test('switching to search analytics keeps the filters but not the event types (it reads search_query events)', () => {
    const query: CaasQuery = {
      refId: 'A',
      version: 1,
      tenant: '$tenant',
      kind: 'top_n',
      field: 'user_id',
      event_types: ['message_sent'],
      filters: [{ field: 'user_id', op: '=', value: 'key_1' }],
    };
    expect(withKind(query, 'search_analytics')).toEqual({
      refId: 'A',
      version: 1,
      tenant: '$tenant',
      kind: 'search_analytics',
      show: 'popular',
      limit: 20,
      filters: [{ field: 'user_id', op: '=', value: 'key_1' }],
    });
  });
});
