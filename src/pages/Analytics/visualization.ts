import { type DataFrame, type Field, type FieldConfigSource, FieldType } from '@grafana/data';
import { SEARCH_ANALYTICS_PARTS } from '../../datasource/constants';
import type { QueryKind, SearchAnalyticsShow } from '../../datasource/types';

/** The panel plugins the explorer renders with: Grafana's own, through PanelRenderer. */
export type VisualizationId = 'timeseries' | 'table';

export interface Visualization {
  pluginId: VisualizationId;
  options: Record<string, unknown>;
  fieldConfig: FieldConfigSource;
}

/**
 * Kinds answered as one wide time frame (time + a field per series); the others answer tables, but search analytics,
 * whose part shown (`show`, toDataFrames) is a table (popular, zero-result queries) or a time series (latency, volume).
 */
const TIME_KINDS: readonly QueryKind[] = ['timeseries', 'active_users', 'adoption'];

export function isTimeKind(kind: QueryKind, show?: SearchAnalyticsShow): boolean {
  if (kind === 'search_analytics') {
    return show !== undefined && SEARCH_ANALYTICS_PARTS[show].time;
  }
  return TIME_KINDS.includes(kind);
}

/** The natural view of a kind (and search analytics part): a time series chart for time answers, else a table. */
export function defaultVisualization(kind: QueryKind, show?: SearchAnalyticsShow): VisualizationId {
  return isTimeKind(kind, show) ? 'timeseries' : 'table';
}

/**
 * Options of the panel for a kind. Units come with the frames (the backend sets `short`, `percentunit`, …), so field
 * defaults set none. The heatmap (rows: hour of day, columns: weekdays) is a table whose cells are coloured by value.
 */
export function visualizationFor(
  kind: QueryKind,
  pluginId: VisualizationId = defaultVisualization(kind)
): Visualization {
  if (pluginId === 'timeseries') {
    return {
      pluginId,
      options: {
        legend: { showLegend: true, displayMode: 'list', placement: 'bottom', calcs: [] },
        tooltip: { mode: 'multi', sort: 'desc' },
      },
      fieldConfig: {
        defaults: {
          color: { mode: 'palette-classic' },
          custom: {
            drawStyle: 'line',
            lineWidth: 2,
            fillOpacity: 10,
            showPoints: 'never',
            spanNulls: false,
            axisSoftMin: 0,
          },
        },
        overrides: [],
      },
    };
  }
  const heatmap = kind === 'heatmap';
  return {
    pluginId,
    options: {
      showHeader: true,
      cellHeight: 'sm',
      footer: { show: false, reducer: ['sum'], fields: '', countRows: false },
    },
    fieldConfig: {
      defaults: {
        ...(heatmap ? { color: { mode: 'continuous-GrYlRd' } } : {}),
        custom: {
          align: heatmap ? 'center' : 'auto',
          cellOptions: heatmap ? { type: 'color-background', mode: 'gradient' } : { type: 'auto' },
          inspect: false,
        },
      },
      overrides: [],
    },
  };
}

/**
 * Frames as the panel should see them. A heatmap's first column is its row key (hour of the day): as text it is a
 * label, not a value to colour with the weekday counts.
 */
export function prepareFrames(kind: string, frames: DataFrame[]): DataFrame[] {
  if (kind !== 'heatmap') {
    return frames;
  }
  return frames.map((frame) => {
    const [key, ...rest] = frame.fields;
    if (!key || key.type !== FieldType.number) {
      return frame;
    }
    const label: Field = {
      ...key,
      type: FieldType.string,
      values: key.values.map((v) => (v === null ? '' : String(v))),
    };
    return { ...frame, fields: [label, ...rest] };
  });
}
