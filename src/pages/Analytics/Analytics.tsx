import React, { useCallback, useEffect, useRef, useState } from 'react';
import { type AbsoluteTimeRange, dateTime, rangeUtil, type TimeRange } from '@grafana/data';
import { PluginPage } from '@grafana/runtime';
import { Button, InlineField, RadioButtonGroup, Stack, Text, TimeRangeInput } from '@grafana/ui';
import { testIds } from '../../components/testIds';
import { QUERY_VERSION } from '../../datasource/constants';
import { migrateQuery } from '../../datasource/migrateQuery';
import { QueryEditor } from '../../datasource/QueryEditor';
import type { CaasQuery } from '../../datasource/types';
import { labels } from '../../labels';
import { createExplorerDatasource } from './explorerDatasource';
import { Results } from './Results';
import { useExplorerQuery } from './runQuery';
import { defaultVisualization, isTimeKind, type VisualizationId } from './visualization';

/** The last 30 days, as the bundled dashboards open. */
export function defaultRange(): TimeRange {
  return rangeUtil.convertRawToRange({ from: 'now-30d', to: 'now' });
}

/** A relative range ("now-30d") is re-evaluated on every run, as a dashboard's is on refresh. */
function current(range: TimeRange): TimeRange {
  return rangeUtil.convertRawToRange(range.raw);
}

export interface AnalyticsProps {
  /** The query to start from (tests, links), completed from its kind's defaults; default: events over time. */
  initialQuery?: Partial<CaasQuery>;
  initialRange?: TimeRange;
}

/**
 * The analytics explorer: the data source's own QueryEditor (kind, tenant, parameters), a time range, and the answer
 * drawn by Grafana's panels. Queries go through the app's proxy route to POST /v1/analytics/query.
 */
function Analytics({ initialQuery, initialRange }: AnalyticsProps) {
  // migrateQuery completes whatever kind is given from that kind's defaults (no kind: events over time).
  const [query, setQuery] = useState<CaasQuery>(() =>
    migrateQuery({ refId: 'A', version: QUERY_VERSION, ...initialQuery })
  );
  const [range, setRange] = useState<TimeRange>(() => initialRange ?? defaultRange());
  const [view, setView] = useState<VisualizationId | undefined>(undefined);
  const { loading, result, error, run } = useExplorerQuery();

  // The editor calls onChange and then onRunQuery in the same tick: run what it just changed, not the last render's.
  const queryRef = useRef(query);
  const rangeRef = useRef(range);

  // The editor's pickers list values seen in the explored range (set before the first lookups, kept current after).
  const [explorer] = useState(() => {
    const created = createExplorerDatasource();
    created.setRange(range);
    return created;
  });
  useEffect(() => explorer.setRange(range), [explorer, range]);

  const runLatest = useCallback(() => {
    run(queryRef.current, current(rangeRef.current));
  }, [run]);

  const onChange = useCallback((next: CaasQuery) => {
    queryRef.current = next;
    setQuery(next);
  }, []);

  const changeRange = useCallback(
    (next: TimeRange) => {
      rangeRef.current = next;
      setRange(next);
      // Like a dashboard: a new range refreshes what is shown.
      if (result || error !== undefined) {
        runLatest();
      }
    },
    [result, error, runLatest]
  );

  const onZoom = useCallback(
    ({ from, to }: AbsoluteTimeRange) => {
      const next = { from: dateTime(from), to: dateTime(to), raw: { from: dateTime(from), to: dateTime(to) } };
      changeRange(next);
    },
    [changeRange]
  );

  const shownKind = result?.query.kind;
  const chartable = shownKind !== undefined && shownKind !== 'annotations' && isTimeKind(shownKind);
  const shownView: VisualizationId =
    shownKind && shownKind !== 'annotations'
      ? chartable
        ? (view ?? defaultVisualization(shownKind))
        : 'table'
      : 'table';

  return (
    <PluginPage>
      <div data-testid={testIds.analytics.container}>
        <Stack direction="column" gap={2}>
          <Text element="p" color="secondary">
            {labels.analytics.subtitle}
          </Text>
          <Stack direction="row" gap={1} alignItems="center" wrap="wrap">
            <InlineField label={labels.analytics.timeRange} labelWidth={14}>
              <div data-testid={testIds.analytics.timeRange}>
                <TimeRangeInput value={range} onChange={changeRange} hideTimeZone />
              </div>
            </InlineField>
            <Button
              icon={loading ? 'spinner' : 'play'}
              onClick={runLatest}
              disabled={loading}
              data-testid={testIds.analytics.run}
            >
              {loading ? labels.analytics.running : labels.analytics.run}
            </Button>
            {chartable && (
              <InlineField label={labels.analytics.view.label}>
                <div data-testid={testIds.analytics.view}>
                  <RadioButtonGroup<VisualizationId>
                    options={[
                      { value: 'timeseries', label: labels.analytics.view.chart, icon: 'chart-line' },
                      { value: 'table', label: labels.analytics.view.table, icon: 'table' },
                    ]}
                    value={shownView}
                    onChange={setView}
                  />
                </div>
              </InlineField>
            )}
          </Stack>
          <QueryEditor
            datasource={explorer.datasource}
            query={query}
            onChange={onChange}
            onRunQuery={runLatest}
            range={range}
          />
          <Results loading={loading} result={result} error={error} view={shownView} onChangeTimeRange={onZoom} />
        </Stack>
      </div>
    </PluginPage>
  );
}

export default Analytics;
