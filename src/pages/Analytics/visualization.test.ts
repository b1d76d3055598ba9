import { createDataFrame, FieldType } from '@grafana/data';
import { QUERY_KINDS, SEARCH_ANALYTICS_SHOWS } from '../../datasource/constants';
import { defaultVisualization, isTimeKind, prepareFrames, visualizationFor } from './visualization';

describe('pages/Analytics visualization', () => {
  test('time kinds draw a time series, the table kinds a table', () => {
    const byKind = Object.fromEntries(QUERY_KINDS.map((k) => [k, defaultVisualization(k)]));
    expect(byKind).toEqual({
      timeseries: 'timeseries',
      active_users: 'timeseries',
      adoption: 'timeseries',
      retention: 'table',
      funnel: 'table',
      cohorts: 'table',
      top_n: 'table',
      heatmap: 'table',
      geo: 'table',
      // its default part (popular queries) is a table
      search_analytics: 'table',
    });
  });

  test('search analytics: the query tables are tables, latency and volume over time are time series', () => {
    expect(SEARCH_ANALYTICS_SHOWS.map((show) => [show, defaultVisualization('search_analytics', show)])).toEqual([
      ['popular', 'table'],
      ['zero_results', 'table'],
      ['latency', 'timeseries'],
      ['volume', 'timeseries'],
    ]);
    expect(isTimeKind('search_analytics', 'volume')).toBe(true);
    expect(isTimeKind('search_analytics')).toBe(false);
    // the part matters to search analytics only
    expect(isTimeKind('timeseries', 'popular')).toBe(true);
    expect(visualizationFor('search_analytics', 'timeseries').pluginId).toBe('timeseries');
  });

  test('only the heatmap table colours its cells; no panel overrides the units the frames carry', () => {
    expect(visualizationFor('heatmap').fieldConfig.defaults.custom).toMatchObject({
      cellOptions: { type: 'color-background' },
    });
    expect(visualizationFor('funnel').fieldConfig.defaults.custom).toMatchObject({ cellOptions: { type: 'auto' } });
    for (const kind of QUERY_KINDS) {
      expect(visualizationFor(kind).fieldConfig.defaults.unit).toBeUndefined();
    }
    expect(visualizationFor('timeseries', 'table').pluginId).toBe('table');
  });

  test("the heatmap's row key becomes a label; other kinds' frames pass through untouched", () => {
    const frame = createDataFrame({
      fields: [
        { name: 'hour', type: FieldType.number, values: [0, 23] },
        { name: 'Mon', type: FieldType.number, values: [1, 2] },
      ],
    });
    const [heat] = prepareFrames('heatmap', [frame]);
    expect(heat?.fields[0]).toMatchObject({ name: 'hour', type: FieldType.string, values: ['0', '23'] });
    expect(heat?.fields[1]).toBe(frame.fields[1]);
    expect(prepareFrames('top_n', [frame])[0]).toBe(frame);
  });
});
