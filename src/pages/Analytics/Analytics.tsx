import React, { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { type AbsoluteTimeRange, dateTime, rangeUtil, type TimeRange } from '@grafana/data';
import { PluginPage } from '@grafana/runtime';
import { Button, InlineField, RadioButtonGroup, Stack, Text } from '@grafana/ui';
import { isRecord } from '../../api/errors';
import { PageHeader } from '../../components/PageHeader/PageHeader';
import { testIds } from '../../components/testIds';
import { QUERY_VERSION } from '../../datasource/constants';
import { migrateQuery } from '../../datasource/migrateQuery';
import { QueryEditor } from '../../datasource/QueryEditor';
import { shownPart } from '../../datasource/toDataFrames';
import type { CaasQuery } from '../../datasource/types';
import { useUrlState } from '../../hooks/useUrlState';
import { labels } from '../../labels';
import { rangeToParams } from '../../utils/url-state';
import { createExplorerDatasource } from './explorerDatasource';
import { Results } from './Results';
import { useExplorerQuery } from './runQuery';
import { defaultVisualization, isTimeKind, type VisualizationId } from './visualization';

/**
 * The explorer's own URL params, beside the shared tenant, from and to: the query being explored (`q`, JSON of the
 * query without its tenant and refId, read back through migrateQuery so links from older versions keep working) and
 * the chosen view.
 */
export const ANALYTICS_PARAMS = { query: 'q', view: 'view' } as const;

const VIEWS: VisualizationId[] = ['timeseries', 'table'];

/** The query as the URL keeps it: the tenant has its own shared param, the refId is always A. */
export function queryToParam(query: CaasQuery): string {
  const { refId: _refId, tenant: _tenant, ...rest } = query;
  return JSON.stringify(rest);
}

/** The query a URL names, completed from its kind's defaults; undefined when there is none or it is not JSON. */
export function queryFromParam(value: string | null | undefined): CaasQuery | undefined {
  if (!value) {
    return undefined;
  }
  try {
    const parsed: unknown = JSON.parse(value);
    return isRecord(parsed) ? migrateQuery({ ...parsed, refId: 'A' }) : undefined;
  } catch {
    return undefined;
  }
}

function withTenant(query: CaasQuery, tenant: string | undefined): CaasQuery {
  const next = { ...query };
  if (tenant) {
    next.tenant = tenant;
  } else {
    delete next.tenant;
  }
  return next;
}

/** A new explorer's query: events over time. */
function defaultQuery(): CaasQuery {
  return migrateQuery({ refId: 'A', version: QUERY_VERSION });
}

/** A relative range ("now-30d") is re-evaluated on every run, as a dashboard's is on refresh. */
function current(range: TimeRange): TimeRange {
  return rangeUtil.convertRawToRange(range.raw);
}

/**
 * The analytics explorer: the data source's own QueryEditor (kind and parameters), the shared header's tenant and time
 * range, and the answer drawn by Grafana's panels. Queries go through the app's proxy route to POST
 * /v1/analytics/query. Everything on screen is in the URL (tenant, from, to, q, view): a link with a query runs it on
 * load, so a copied link shows the same answer.
 */
function Analytics() {
  const state = useUrlState();
  const { params, update, tenant, range } = state;
  const queryParam = params.get(ANALYTICS_PARAMS.query);
  const viewParam = params.get(ANALYTICS_PARAMS.view);
  const view = VIEWS.includes(viewParam as VisualizationId) ? (viewParam as VisualizationId) : undefined;

  const query = useMemo(() => withTenant(queryFromParam(queryParam) ?? defaultQuery(), tenant), [queryParam, tenant]);
  const { loading, result, error, run, clear } = useExplorerQuery();

  // The editor calls onChange and then onRunQuery in the same tick: run what it just changed, not the last render's.
  // The refs follow the URL after each render that changed it; onChange moves queryRef ahead of the URL at once.
  const queryRef = useRef(query);
  const rangeRef = useRef(range);
  useLayoutEffect(() => {
    queryRef.current = query;
    rangeRef.current = range;
  }, [query, range]);
  const tenantRef = useRef(tenant);
  // Read at call time, so that runLatest keeps one identity (a new one would re-run the effect below on every URL change).
  const updateRef = useRef(update);
  const shown = result !== undefined || error !== undefined;
  const shownRef = useRef(shown);
  const hasQueryRef = useRef(queryParam !== null);
  useLayoutEffect(() => {
    tenantRef.current = tenant;
    updateRef.current = update;
    shownRef.current = shown;
    hasQueryRef.current = queryParam !== null;
  });

  // The editor's pickers list values seen in the explored range (set before the first lookups, kept current after).
  const [explorer] = useState(() => {
    const created = createExplorerDatasource();
    created.setRange(range);
    return created;
  });
  useEffect(() => explorer.setRange(range), [explorer, range]);

  const runLatest = useCallback(() => {
    if (queryRef.current.tenant) {
      // What is shown is in the URL, even a query never edited (the default one run as it is).
      updateRef.current({ [ANALYTICS_PARAMS.query]: queryToParam(queryRef.current) }, { replace: true });
      run(queryRef.current, current(rangeRef.current));
    } else {
      // Without a tenant nothing is asked (and no other tenant's answer stays): the page says to pick one.
      clear();
    }
  }, [run, clear]);

  const onChange = useCallback(
    (next: CaasQuery) => {
      queryRef.current = withTenant(next, tenantRef.current);
      // Edits replace the history entry: Back leaves the explorer rather than undoing a field.
      update({ [ANALYTICS_PARAMS.query]: queryToParam(next) }, { replace: true });
    },
    [update]
  );

  // Like a dashboard: a new tenant or range refreshes what is shown, and a link that names a query runs it on load.
  useEffect(() => {
    if (hasQueryRef.current || shownRef.current) {
      runLatest();
    }
  }, [range, tenant, runLatest]);

  const onZoom = useCallback(
    ({ from, to }: AbsoluteTimeRange) => {
      const next = { from: dateTime(from), to: dateTime(to), raw: { from: dateTime(from), to: dateTime(to) } };
      update(rangeToParams(next));
    },
    [update]
  );

  const shownKind = result?.query.kind;
  const shownShow = result ? shownPart(result.query) : undefined;
  const chartable = shownKind !== undefined && shownKind !== 'annotations' && isTimeKind(shownKind, shownShow);
  const shownView: VisualizationId =
    shownKind && shownKind !== 'annotations'
      ? chartable
        ? (view ?? defaultVisualization(shownKind, shownShow))
        : 'table'
      : 'table';

  return (
    <PluginPage>
      <div data-testid={testIds.analytics.container}>
        <Stack direction="column" gap={2}>
          <Text element="p" color="secondary">
            {labels.analytics.subtitle}
          </Text>
          <PageHeader state={state} timeRange>
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
                    onChange={(next) => update({ [ANALYTICS_PARAMS.view]: next })}
                  />
                </div>
              </InlineField>
            )}
          </PageHeader>
          <QueryEditor
            datasource={explorer.datasource}
            query={query}
            onChange={onChange}
            onRunQuery={runLatest}
            range={range}
            showTenant={false}
          />
          <Results
            loading={loading}
            result={result}
            error={error}
            view={shownView}
            onChangeTimeRange={onZoom}
            needsTenant={!tenant}
          />
        </Stack>
      </div>
    </PluginPage>
  );
}

export default Analytics;
