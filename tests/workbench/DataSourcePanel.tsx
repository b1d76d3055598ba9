/**
 * The workbench's "Data source panel": the CAAS Analytics data source exactly as Grafana runs it in a dashboard panel,
 * outside Grafana.
 *
 * - The instance is built the way Grafana's DatasourceSrv builds a provisioned one: `new plugin.DataSourceClass(settings)`
 *   from src/datasource/module.ts, with DataSourceInstanceSettings whose meta is src/datasource/plugin.json, `access:
 *   proxy`, `url: /api/datasources/proxy/uid/<uid>` and jsonData as the ConfigEditor saves it (backend URL, default
 *   tenant; the API key is secureJsonData and never reaches the browser: the workbench's getBackendSrv stand-in routes
 *   `<url>/caas/...` requests through src/datasource/plugin.json's routes as Grafana's data proxy would, and adds
 *   the key where a route says so; tests/workbench/grafana-proxy.mjs).
 * - The editor is the plugin's own QueryEditor (`plugin.components.QueryEditor`), given the instance, the query, the
 *   range and onChange/onRunQuery, as a panel editor gives them.
 * - A run is what Grafana's query runner does: a DataQueryRequest (targets, range, interval from the range and
 *   maxDataPoints = the panel width, requestId, app dashboard, no scoped variables) passed to `ds.query()`, whose
 *   Observable is subscribed (a newer run unsubscribes the one in flight). The frames are drawn by PanelRenderer, which
 *   the workbench set to its WorkbenchPanel stand-in (time series frames → uPlot, other frames → table); the
 *   response's errors are shown as the panel's error.
 * - "Test" is the data source settings page's "Save & test": `ds.testDatasource()`, status and message shown.
 */
import React, { type ComponentType, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Subscription } from 'rxjs';
import {
  CoreApp,
  type DataFrame,
  type DataQueryError,
  type DataQueryRequest,
  type DataQueryResponse,
  type DataSourceInstanceSettings,
  type DataSourcePluginMeta,
  FieldType,
  isTimeSeriesFrames,
  LoadingState,
  type PanelData,
  type QueryEditorProps,
  rangeUtil,
  type TestDataSourceResponse,
  type TimeRange,
} from '@grafana/data';
import { PanelRenderer } from '@grafana/runtime';
import { Alert, Button, Stack, Text } from '@grafana/ui';
import type { CaasDataSource } from '../../src/datasource/datasource';
import { plugin } from '../../src/datasource/module';
import pluginJson from '../../src/datasource/plugin.json';
import type { CaasDataSourceOptions, CaasQuery, QueryKind } from '../../src/datasource/types';
import { visualizationFor, type VisualizationId } from '../../src/pages/Analytics/visualization';

export const WORKBENCH_DS_UID = 'workbench-ds';
const PANEL_WIDTH = 1200;
const PANEL_HEIGHT = 360;

/** The workbench's own test ids (the editor keeps the data source's, src/datasource/testIds.ts). */
export const dsPanelTestIds = {
  container: 'workbench-ds-panel',
  settings: 'workbench-ds-settings',
  test: 'workbench-ds-test',
  testResult: 'workbench-ds-test-result',
  run: 'workbench-ds-run',
  state: 'workbench-ds-state',
  error: 'workbench-ds-error',
  summary: 'workbench-ds-summary',
  noData: 'workbench-ds-no-data',
  result: 'workbench-ds-result',
};

/**
 * What Grafana's frontend settings hold for a provisioned instance of the plugin (provisioning/datasources/caas.yaml):
 * meta from plugin.json, the data proxy URL of the uid, and jsonData only (secureJsonData stays on the server).
 */
export function workbenchInstanceSettings(
  backendUrl: string,
  defaultTenant: string | undefined
): DataSourceInstanceSettings<CaasDataSourceOptions> {
  const jsonData: CaasDataSourceOptions = { url: backendUrl };
  if (defaultTenant) {
    jsonData.defaultTenant = defaultTenant;
  }
  const base = `public/plugins/${pluginJson.id}`;
  return {
    uid: WORKBENCH_DS_UID,
    type: pluginJson.id,
    name: 'CAAS Analytics (workbench)',
    meta: { ...pluginJson, module: `${base}/module.js`, baseUrl: base } as unknown as DataSourcePluginMeta,
    // Provisioned instances are read-only in the UI.
    readOnly: true,
    access: 'proxy',
    url: `/api/datasources/proxy/uid/${WORKBENCH_DS_UID}`,
    isDefault: true,
    jsonData,
  };
}

type EditorProps = QueryEditorProps<CaasDataSource, CaasQuery, CaasDataSourceOptions>;

interface RunState {
  state: LoadingState;
  request?: DataQueryRequest<CaasQuery>;
  response?: DataQueryResponse;
}

interface Props {
  /** The backend URL as jsonData.url holds it (the workbench rewrites proxy URLs itself). */
  backendUrl: string;
  /** jsonData.defaultTenant, e.g. `acme` (an admin key must name the tenant it reads). */
  defaultTenant?: string;
  /** The workbench's time range; a relative range is re-evaluated on every run, as a dashboard refresh does. */
  range: TimeRange;
}

export function DataSourcePanel({ backendUrl, defaultTenant, range }: Props) {
  const settings = useMemo(() => workbenchInstanceSettings(backendUrl, defaultTenant), [backendUrl, defaultTenant]);
  // As Grafana's DatasourceSrv does: the plugin's class, constructed with the instance settings.
  const ds = useMemo(() => new plugin.DataSourceClass(settings), [settings]);
  const QueryEditor = plugin.components.QueryEditor as ComponentType<EditorProps> | undefined;

  // A new panel's query: refId plus the data source's default query for dashboards.
  const [query, setQuery] = useState<CaasQuery>(
    () => ({ refId: 'A', ...ds.getDefaultQuery(CoreApp.Dashboard) }) as CaasQuery
  );
  // The editor calls onChange and then onRunQuery in the same tick: run what it just changed.
  const queryRef = useRef(query);
  const [run, setRun] = useState<RunState>({ state: LoadingState.NotStarted });
  const [tested, setTested] = useState<TestDataSourceResponse | 'testing' | undefined>();
  const subscription = useRef<Subscription | undefined>(undefined);
  const requestCount = useRef(0);

  useEffect(() => () => subscription.current?.unsubscribe(), []);

  const onChange = useCallback((next: CaasQuery) => {
    queryRef.current = next;
    setQuery(next);
  }, []);

  const onRunQuery = useCallback(() => {
    subscription.current?.unsubscribe();
    const current = rangeUtil.convertRawToRange(range.raw);
    const maxDataPoints = PANEL_WIDTH;
    const { interval, intervalMs } = rangeUtil.calculateInterval(current, maxDataPoints);
    requestCount.current += 1;
    const request: DataQueryRequest<CaasQuery> = {
      requestId: `workbench-${requestCount.current}`,
      app: CoreApp.Dashboard,
      targets: [queryRef.current],
      range: current,
      rangeRaw: current.raw,
      interval,
      intervalMs,
      maxDataPoints,
      scopedVars: {},
      timezone: 'browser',
      startTime: Date.now(),
    };
    setRun({ state: LoadingState.Loading, request });
    subscription.current = ds.query(request).subscribe({
      next: (response) => setRun({ state: response.state ?? LoadingState.Done, request, response }),
      // query() answers every failure with an error response; an Observable error would be a bug worth seeing.
      error: (error: unknown) =>
        setRun({
          state: LoadingState.Error,
          request,
          response: { data: [], errors: [{ message: `query() errored instead of answering: ${String(error)}` }] },
        }),
    });
  }, [ds, range]);

  const onTest = useCallback(async () => {
    setTested('testing');
    try {
      setTested(await ds.testDatasource());
    } catch (error) {
      setTested({ status: 'error', message: `testDatasource() threw: ${String(error)}` });
    }
  }, [ds]);

  const response = run.response;
  const frames = useMemo(() => (response?.data ?? []) as DataFrame[], [response]);
  // eslint-disable-next-line @typescript-eslint/no-deprecated
  const errors: DataQueryError[] = response?.errors ?? (response?.error ? [response.error] : []);
  const rows = frames.reduce((n, f) => n + f.length, 0);
  const maxValue = frames
    .flatMap((f) => f.fields.filter((field) => field.type === FieldType.number))
    .flatMap((field) => field.values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v)))
    .reduce((m, v) => Math.max(m, v), 0);
  const pluginId: VisualizationId = frames.length > 0 && isTimeSeriesFrames(frames) ? 'timeseries' : 'table';
  const shownKind = run.request?.targets[0]?.kind;
  const visualization = visualizationFor(
    (shownKind && shownKind !== 'annotations' ? shownKind : 'timeseries') as QueryKind,
    pluginId
  );
  // The legend shows each series' total, so a reader sees at once that the series is not empty.
  const options =
    pluginId === 'timeseries'
      ? {
          ...visualization.options,
          legend: { showLegend: true, displayMode: 'list', placement: 'bottom', calcs: ['sum'] },
        }
      : visualization.options;
  const data: PanelData | undefined =
    run.request && frames.length > 0
      ? { state: run.state, series: frames, timeRange: run.request.range, errors, request: run.request }
      : undefined;

  return (
    <section data-testid={dsPanelTestIds.container}>
      <Stack direction="column" gap={2}>
        <div data-testid={dsPanelTestIds.settings}>
          <Text color="secondary" element="p">
            {`${settings.name} (uid ${settings.uid}, ${settings.access} ${settings.url}) · jsonData ${JSON.stringify(
              settings.jsonData
            )}`}
          </Text>
        </div>
        <Stack direction="row" gap={1} alignItems="center">
          <Button
            variant="secondary"
            icon={tested === 'testing' ? 'spinner' : 'check'}
            disabled={tested === 'testing'}
            onClick={onTest}
            data-testid={dsPanelTestIds.test}
          >
            Test
          </Button>
          <Button
            icon={run.state === LoadingState.Loading ? 'spinner' : 'play'}
            onClick={onRunQuery}
            data-testid={dsPanelTestIds.run}
          >
            Run query
          </Button>
          <div data-testid={dsPanelTestIds.state} data-state={run.state} data-request={run.request?.requestId}>
            <Text color="secondary" variant="bodySmall">
              {run.request ? `${run.request.requestId}: ${run.state}` : 'not run yet'}
            </Text>
          </div>
        </Stack>
        {tested && tested !== 'testing' && (
          <div data-testid={dsPanelTestIds.testResult} data-status={tested.status}>
            <Alert severity={tested.status === 'success' ? 'success' : 'error'} title={`Test: ${tested.status}`}>
              {tested.message}
            </Alert>
          </div>
        )}
        {QueryEditor ? (
          <QueryEditor
            datasource={ds}
            query={query}
            onChange={onChange}
            onRunQuery={onRunQuery}
            range={range}
            data={data}
            app={CoreApp.Dashboard}
          />
        ) : (
          <Alert severity="error" title="src/datasource/module.ts sets no QueryEditor" />
        )}
        {run.state !== LoadingState.Loading && errors.length > 0 && (
          <div data-testid={dsPanelTestIds.error}>
            <Alert severity="error" title="Query error">
              {errors.map((e, i) => (
                <div key={i}>
                  {e.refId ? `${e.refId}: ` : ''}
                  {e.message ?? 'no message'}
                </div>
              ))}
            </Alert>
          </div>
        )}
        {run.state !== LoadingState.Loading && response && errors.length === 0 && (
          <div
            data-testid={dsPanelTestIds.summary}
            data-frames={frames.length}
            data-rows={rows}
            data-max={maxValue}
            data-visualization={pluginId}
          >
            <Text color="secondary" variant="bodySmall">
              {`${frames.length} frame(s), ${rows} row(s), largest value ${maxValue}; ${frames
                .map((f) => f.meta?.executedQueryString)
                .filter(Boolean)
                .join('; ')}`}
            </Text>
          </div>
        )}
        {run.state !== LoadingState.Loading && response && errors.length === 0 && rows === 0 && (
          <div data-testid={dsPanelTestIds.noData}>
            <Text color="secondary">No data</Text>
          </div>
        )}
        {run.state !== LoadingState.Loading && data && rows > 0 && (
          <div data-testid={dsPanelTestIds.result} style={{ height: PANEL_HEIGHT, width: PANEL_WIDTH }}>
            <PanelRenderer
              title=""
              pluginId={pluginId}
              width={PANEL_WIDTH}
              height={PANEL_HEIGHT}
              data={data}
              options={options}
              fieldConfig={visualization.fieldConfig}
            />
          </div>
        )}
      </Stack>
    </section>
  );
}
