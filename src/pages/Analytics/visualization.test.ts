import { createDataFrame, FieldType } from '@grafana/data';
import { QUERY_KINDS } from '../../datasource/constants';
import { defaultVisualization, prepareFrames, visualizationFor } from './visualization';

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
    });
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
