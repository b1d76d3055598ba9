import {
  adHocToFilters,
  interpolateQuery,
  QueryValidationError,
  toAnalyticsBody,
  toAnnotationsBody,
  validateQuery,
} from './request';
import { defaultBuilder } from './defaults';
import { Value } from '@sinclair/typebox/value';
import { fakeTemplateSrv, FROM, TO } from './test/fixtures';
import type { CaasQuery } from './types';

// The backend contract imports './common.js' (NodeNext style); jest resolves paths literally (as src/dashboards.test.ts).
jest.mock('../../backend/src/contracts/common.js', () => jest.requireActual('../../backend/src/contracts/common.ts'), {
  virtual: true,
});
const { AnalyticsQuery } =
  require('../../backend/src/contracts/analytics.ts') as typeof import('../../backend/src/contracts/analytics');

const replace = fakeTemplateSrv().replace;

describe('interpolateQuery', () => {
  test('replaces variables in tenant, event types (multi-value expands), filters, group-by and metric property', () => {
    const query: CaasQuery = {
      refId: 'A',
      version: 1,
      tenant: '$tenant',
      kind: 'timeseries',
      metric: { type: 'avg', property: 'properties.$prop' },
      event_types: ['$types', 'call_started'],
      filters: [
        { field: 'platform', op: '=', value: '$platforms' },
        { field: 'country', op: '!=', value: '${platform}' },
      ],
      group_by: ['$unknown'],
    };
    expect(interpolateQuery(query, replace)).toEqual({
      ...query,
      tenant: 'acme',
      metric: { type: 'avg', property: 'properties.duration_s' },
      event_types: ['message_sent', 'message_read', 'call_started'],
      filters: [
        // a multi-value variable turns "=" into "in"
        { field: 'platform', op: 'in', value: ['ios', 'android'] },
        { field: 'country', op: '!=', value: 'ios' },
      ],
      group_by: ['$unknown'],
    });
  });

  test('replaces variables in funnel steps and their filters', () => {
    const query: CaasQuery = {
      refId: 'A',
      version: 1,
      kind: 'funnel',
      window_seconds: 3600,
      steps: [
        { event_type: 'signup', filters: [{ field: 'platform', op: 'in', value: ['$platforms'] }] },
        { event_type: '$platform' },
      ],
    };
    const out = interpolateQuery(query, replace);
    expect(out).toMatchObject({
      steps: [
        { event_type: 'signup', filters: [{ field: 'platform', op: 'in', value: ['ios', 'android'] }] },
        { event_type: 'ios' },
      ],
    });
  });
});

describe('adHocToFilters', () => {
  test('= and != map to filters; unknown keys are event properties; multi-value operators become lists', () => {
    expect(
      adHocToFilters([
        { key: 'platform', operator: '=', value: 'ios' },
        { key: 'message_type', operator: '!=', value: 'text' },
        { key: 'properties.size', operator: '>', value: '1024' },
        { key: 'country', operator: '=|', value: 'DE', values: ['DE', 'FR'] },
      ])
    ).toEqual([
      { field: 'platform', op: '=', value: 'ios' },
      { field: 'properties.message_type', op: '!=', value: 'text' },
      { field: 'properties.size', op: '>', value: 1024 },
      { field: 'country', op: 'in', value: ['DE', 'FR'] },
    ]);
  });

  test('a regex operator is refused with a message that names the ones that work', () => {
    expect(() => adHocToFilters([{ key: 'platform', operator: '=~', value: 'i.*' }])).toThrow(QueryValidationError);
    expect(() => adHocToFilters([{ key: 'platform', operator: '=~', value: 'i.*' }])).toThrow(/=~.*use =, !=/);
  });
});

describe('validateQuery', () => {
  const base = { refId: 'A', version: 1 };
  test.each([
    [{ ...base, ...defaultBuilder('funnel') }, /at least two steps/],
    [{ ...base, ...defaultBuilder('retention') }, /first event and the return event/],
    [{ ...base, ...defaultBuilder('adoption') }, /feature event/],
    [{ ...base, ...defaultBuilder('annotations') }, /at least one event type/],
    [{ ...base, kind: 'timeseries', metric: { type: 'sum', property: '' } }, /numeric property/],
    [{ ...base, kind: 'top_n', field: 'drop table' }, /"drop table" is not a field/],
    [
      { ...base, kind: 'geo', filters: [{ field: 'platform', op: '=', value: ' ' }] },
      /filter on platform has no value/,
    ],
    // the backend answers 400 for event types on search analytics: said before sending, with what to do instead
    [
      { ...base, kind: 'search_analytics', show: 'popular', event_types: ['message_sent'] },
      /reads the search_query events: remove event_types .* filters/,
    ],
    [{ ...base, kind: 'search_analytics', show: 'histogram' }, /"histogram" is not a part of search analytics/],
  ] as Array<[CaasQuery, RegExp]>)('%j is refused before sending', (query, message) => {
    expect(validateQuery(query)).toMatch(message);
  });

  test('defaults that need no user input are valid', () => {
    for (const kind of [
      'timeseries',
      'active_users',
      'cohorts',
      'top_n',
      'heatmap',
      'geo',
      'search_analytics',
    ] as const) {
      expect(validateQuery({ ...base, ...defaultBuilder(kind) } as CaasQuery)).toBeUndefined();
    }
  });
});

describe('request bodies', () => {
  test('a time series sends from/to, tenant, filters plus ad-hoc filters, interval when no granularity, and no editor fields', () => {
    const query = {
      refId: 'A',
      version: 1,
      hide: false,
      tenant: 'acme',
      datasource: { uid: 'x' },
      kind: 'timeseries',
      metric: { type: 'events' },
      event_types: [],
      filters: [{ field: 'platform', op: '=', value: 'ios' }],
      group_by: ['type'],
    } as CaasQuery;
    const body = toAnalyticsBody(query as Exclude<CaasQuery, { kind: 'annotations' }>, {
      from: FROM,
      to: TO,
      intervalMs: 60_000.4,
      tenant: 'acme',
      extraFilters: [{ field: 'country', op: '!=', value: 'DE' }],
    });
    expect(body).toEqual({
      kind: 'timeseries',
      from: FROM,
      to: TO,
      tenant_id: 'acme',
      metric: { type: 'events' },
      group_by: ['type'],
      filters: [
        { field: 'platform', op: '=', value: 'ios' },
        { field: 'country', op: '!=', value: 'DE' },
      ],
      interval_ms: 60_000,
    });
  });

  test('funnel steps lose empty labels; without tenant no tenant_id is sent', () => {
    const body = toAnalyticsBody(
      {
        refId: 'A',
        version: 1,
        kind: 'funnel',
        window_seconds: 600,
        steps: [
          { event_type: 'a', label: ' ' },
          { event_type: 'b', label: 'Bought', filters: [] },
        ],
      },
      { from: FROM, to: TO }
    );
    expect(body).toEqual({
      kind: 'funnel',
      from: FROM,
      to: TO,
      window_seconds: 600,
      steps: [{ event_type: 'a' }, { event_type: 'b', label: 'Bought' }],
    });
  });

  test('search analytics sends its rows, granularity and filters, never the part shown; the contract accepts it', () => {
    for (const show of ['popular', 'zero_results', 'latency', 'volume'] as const) {
      const body = toAnalyticsBody(
        {
          refId: 'S',
          version: 1,
          tenant: 'acme',
          kind: 'search_analytics',
          show,
          limit: 50,
          granularity: 'hour',
          filters: [{ field: 'user_id', op: '=', value: 'key_1' }],
        },
        {
          from: FROM,
          to: TO,
          tenant: 'acme',
          intervalMs: 60_000,
          extraFilters: [{ field: 'properties.entities', op: 'contains', value: 'messages' }],
        }
      );
      // The same body whichever part is shown: the backend answers every part, the data source keeps one.
      expect(body).toEqual({
        kind: 'search_analytics',
        from: FROM,
        to: TO,
        tenant_id: 'acme',
        limit: 50,
        granularity: 'hour',
        filters: [
          { field: 'user_id', op: '=', value: 'key_1' },
          { field: 'properties.entities', op: 'contains', value: 'messages' },
        ],
      });
      expect([...Value.Errors(AnalyticsQuery, body)].map((e) => `${e.path} ${e.message}`)).toEqual([]);
    }
    // The default query: no granularity (the backend picks one from the range; no interval_ms for this kind).
    const defaults = toAnalyticsBody(
      { refId: 'S', version: 1, ...defaultBuilder('search_analytics') },
      { from: FROM, to: TO }
    );
    expect(defaults).toEqual({ kind: 'search_analytics', from: FROM, to: TO, limit: 20 });
    expect([...Value.Errors(AnalyticsQuery, defaults)]).toEqual([]);
    // The part shown is the editor's alone: sent, the contract would refuse the whole query.
    expect(Value.Check(AnalyticsQuery, { ...defaults, show: 'popular' })).toBe(false);
  });

  test('annotations body: event types, bare property key, limit', () => {
    expect(
      toAnnotationsBody(
        { kind: 'annotations', event_types: ['app_release'], text_property: 'properties.version', limit: 50 },
        { from: FROM, to: TO, tenant: 'acme' }
      )
    ).toEqual({
      from: FROM,
      to: TO,
      tenant_id: 'acme',
      event_types: ['app_release'],
      text_property: 'version',
      limit: 50,
    });
  });
});
