import { FieldType } from '@grafana/data';
import { defaultBuilder } from './defaults';
import { FROM, funnelResponse, searchAnalyticsResponse, timeseriesResponse } from './test/fixtures';
import { annotationsToDataFrame, shownPart, toDataFrames } from './toDataFrames';
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

  describe('search analytics: one part of the answer per query (show)', () => {
    const columns = (show: Parameters<typeof toDataFrames>[2]) =>
      toDataFrames(searchAnalyticsResponse, 'S', show).map((f) => [
        f.name,
        f.refId,
        f.fields.map((field) => [field.name, field.type, field.config.unit]),
      ]);

    test('popular and zero-result queries are the tables, every column, numbers read as numbers', () => {
      expect(columns('popular')).toEqual([
        [
          'popular queries',
          'S',
          [
            ['query', FieldType.string, undefined],
            ['searches', FieldType.number, 'short'],
            ['users', FieldType.number, 'short'],
            ['average results', FieldType.number, 'short'],
            ['zero results', FieldType.number, 'short'],
          ],
        ],
      ]);
      const [popular] = toDataFrames(searchAnalyticsResponse, 'S', 'popular');
      expect(popular!.fields[1]!.values).toEqual([3, 2, 1]);
      expect(popular!.meta?.executedQueryString).toBe('search_analytics for tenant acme from raw per day in 21 ms');

      const [zero] = toDataFrames(searchAnalyticsResponse, 'S', 'zero_results');
      expect(zero!.name).toBe('zero-result queries');
      expect(zero!.fields.map((f) => f.name)).toEqual(['query', 'searches', 'users', 'last searched']);
      expect(zero!.fields[3]).toMatchObject({ type: FieldType.time, values: [FROM + 3_600_000] });
    });

    test('the latency frame splits into latency (p50, p95 in ms) and volume (searches), each with its time', () => {
      expect(columns('latency')).toEqual([
        [
          'search latency',
          'S',
          [
            ['time', FieldType.time, undefined],
            ['p50', FieldType.number, 'ms'],
            ['p95', FieldType.number, 'ms'],
          ],
        ],
      ]);
      expect(columns('volume')).toEqual([
        [
          'search volume',
          'S',
          [
            ['time', FieldType.time, undefined],
            ['searches', FieldType.number, 'short'],
          ],
        ],
      ]);
      const [latency] = toDataFrames(searchAnalyticsResponse, 'S', 'latency');
      // A bucket without searches has no latency: a gap, not 0 ms.
      expect(latency!.fields[1]!.values).toEqual([12.5, null]);
      const [volume] = toDataFrames(searchAnalyticsResponse, 'S', 'volume');
      expect(volume!.fields[1]!.values).toEqual([6, 0]);
    });

    test('without a part every frame comes back (as for any kind); a query names its part', () => {
      expect(toDataFrames(searchAnalyticsResponse, 'S').map((f) => f.name)).toEqual([
        'popular queries',
        'zero-result queries',
        'search latency',
      ]);
      expect(shownPart({ refId: 'S', version: 1, ...defaultBuilder('search_analytics'), show: 'volume' })).toBe(
        'volume'
      );
      expect(shownPart({ refId: 'A', version: 1, ...defaultBuilder('top_n') })).toBeUndefined();
    });

    test('a range outside the data (no frames) shows nothing; a missing frame or column is an unexpected answer', () => {
      expect(toDataFrames({ ...searchAnalyticsResponse, frames: [] }, 'S', 'latency')).toEqual([]);
      const [popular, zero] = searchAnalyticsResponse.frames;
      expect(() => toDataFrames({ ...searchAnalyticsResponse, frames: [popular!, zero!] }, 'S', 'volume')).toThrow(
        /Unexpected answer from the CAAS backend: search_analytics without the "search latency" frame/
      );
      const renamed: QueryResponse = {
        ...searchAnalyticsResponse,
        frames: [
          popular!,
          zero!,
          {
            name: 'search latency',
            fields: [
              { name: 'time', type: 'time', values: [FROM] },
              { name: 'count', type: 'number', values: [1] },
            ],
          },
        ],
      };
      expect(() => toDataFrames(renamed, 'S', 'volume')).toThrow(/"search latency" frame without the "searches" field/);
      // The tables do not depend on the latency frame's columns.
      expect(toDataFrames(renamed, 'S', 'popular')).toHaveLength(1);
    });
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
