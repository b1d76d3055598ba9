import { FieldType } from '@grafana/data';
import { funnelResponse, timeseriesResponse } from './test/fixtures';
import { annotationsToDataFrame, toDataFrames } from './toDataFrames';
import type { QueryResponse } from './types';

describe('toDataFrames', () => {
  test('a wide time series stays one frame: time field, one number field per series with labels and unit', () => {
    const frames = toDataFrames(timeseriesResponse, 'A');
    expect(frames).toHaveLength(1);
    const frame = frames[0]!;
    expect(frame.refId).toBe('A');
    expect(frame.length).toBe(2);
    expect(frame.fields.map((f) => [f.name, f.type])).toEqual([
      ['time', FieldType.time],
      ['events', FieldType.number],
      ['events', FieldType.number],
    ]);
    const [time, text, image] = frame.fields;
    expect(time!.values).toEqual([timeseriesResponse.frames[0]!.fields[0]!.values[0], expect.any(Number)]);
    expect(text!.labels).toEqual({ type: 'text' });
    expect(image!.labels).toEqual({ type: 'image' });
    expect(text!.config.unit).toBe('short');
    // A gap stays a gap (null), not a zero.
    expect(image!.values).toEqual([3, null]);
    expect(frame.meta?.executedQueryString).toContain('rollup_hourly');
  });

  test('a funnel is a table: string and number columns, ClickHouse 64-bit strings read as numbers, percent unit', () => {
    const [frame] = toDataFrames(funnelResponse, 'F');
    expect(frame!.name).toBe('funnel');
    expect(frame!.fields.map((f) => f.type)).toEqual([FieldType.string, FieldType.number, FieldType.number]);
    expect(frame!.fields[1]!.values).toEqual([1200, 300]);
    expect(frame!.fields[2]!.config.unit).toBe('percentunit');
    expect(frame!.fields[0]!.labels).toBeUndefined();
  });

  test('retention and cohorts tables keep every column; several frames each get the refId', () => {
    const response: QueryResponse = {
      meta: { kind: 'retention', tenant_id: 'acme', source: 'events', from: 0, to: 1, elapsed_ms: 3 },
      frames: [
        {
          name: 'retention',
          fields: [
            { name: 'cohort', type: 'time', values: ['2024-01-01T00:00:00Z', '2024-01-08T00:00:00Z'] },
            { name: 'cohort size', type: 'number', unit: 'short', values: [100, 80] },
            { name: 'week 1', type: 'number', unit: 'percentunit', values: [0.4, 0.35] },
          ],
        },
        { name: 'cohorts', fields: [{ name: 'new users', type: 'number', values: [5] }] },
      ],
    };
    const frames = toDataFrames(response, 'R');
    expect(frames.map((f) => [f.name, f.refId, f.fields.length])).toEqual([
      ['retention', 'R', 3],
      ['cohorts', 'R', 1],
    ]);
    // ISO time strings become epoch ms.
    expect(frames[0]!.fields[0]!.values).toEqual([Date.UTC(2024, 0, 1), Date.UTC(2024, 0, 8)]);
    expect(frames[0]!.fields[2]!.config.unit).toBe('percentunit');
  });

  test('annotations become the frame Grafana turns into events (time, title, text, tags)', () => {
    const frame = annotationsToDataFrame(
      { annotations: [{ time: 1000, title: 'app_release', text: '2.4.0', tags: ['release', 'ios'] }] },
      'Anno'
    );
    expect(frame.fields.map((f) => f.name)).toEqual(['time', 'title', 'text', 'tags']);
    expect(frame.fields[0]!.type).toBe(FieldType.time);
    expect(frame.fields[3]!.values[0]).toEqual(['release', 'ios']);
  });
});
