import '../../datasource/test/jsdom';
import React from 'react';
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { FieldType } from '@grafana/data';
import { getBackendSrv, type PanelRendererProps } from '@grafana/runtime';
import type { QueryResponse } from '../../../backend/src/contracts/analytics';
import { testIds } from '../../components/testIds';
import { labels as dsLabels } from '../../datasource/labels';
import { pickOption } from '../../datasource/test/combobox';
import { dsTestIds } from '../../datasource/testIds';
import type { CaasQuery } from '../../datasource/types';
import { migrateQuery } from '../../datasource/migrateQuery';
import { labels } from '../../labels';
import { httpError, ok, tenantsResponse } from '../../test/fixtures';
import { renderAt } from '../../test/router';
import Analytics, { queryToParam } from './Analytics';

const panels: PanelRendererProps[] = [];

jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getBackendSrv: jest.fn(),
  // Grafana injects the real renderer at start-up; here we record what the page asks it to draw.
  PanelRenderer: (props: PanelRendererProps) => {
    panels.push(props);
    return <div data-testid="panel-renderer">{props.pluginId}</div>;
  },
}));

const WAIT = { timeout: 10_000 };
const PROXY = '/api/plugin-proxy/caas-observatory-app/api';
const FROM = Date.UTC(2025, 0, 1);
const TO = Date.UTC(2025, 0, 31);
/** The explorer's URL: the shared tenant and range, and the query (q) when one is given. */
function url(query?: Partial<CaasQuery>, extra = '', tenant: string | null = 'acme'): string {
  const params = new URLSearchParams();
  if (tenant) {
    params.set('tenant', tenant);
  }
  params.set('from', String(FROM));
  params.set('to', String(TO));
  if (query) {
    params.set('q', queryToParam(migrateQuery({ refId: 'A', ...query })));
  }
  return `/a/caas-observatory-app/analytics?${params.toString()}${extra}`;
}

const fetchMock = jest.fn();
const lastPanel = () => panels[panels.length - 1] as PanelRendererProps;
const queryCalls = () => fetchMock.mock.calls.map((c) => c[0]).filter((o) => o.url === `${PROXY}/v1/analytics/query`);

function answer(kind: string, frames: QueryResponse['frames']): QueryResponse {
  return {
    meta: { kind, tenant_id: 'acme', source: 'rollup_hour', granularity: 'day', from: FROM, to: TO, elapsed_ms: 12.4 },
    frames,
  };
}

const timeseriesAnswer = answer('timeseries', [
  {
    name: 'events',
    fields: [
      { name: 'time', type: 'time', values: [FROM, FROM + 86_400_000] },
      { name: 'events', type: 'number', unit: 'short', labels: { platform: 'ios' }, values: [5, 7] },
      { name: 'events', type: 'number', unit: 'short', labels: { platform: 'web' }, values: ['3', 1] },
    ],
  },
]);

let queryAnswer: unknown = timeseriesAnswer;

beforeEach(() => {
  panels.length = 0;
  queryAnswer = timeseriesAnswer;
  fetchMock.mockReset();
  fetchMock.mockImplementation(({ url }: { url: string }) => {
    if (url === `${PROXY}/v1/analytics/query`) {
      return typeof queryAnswer === 'function' ? (queryAnswer as () => unknown)() : ok(queryAnswer);
    }
    if (url === `${PROXY}/v1/tenants`) {
      return ok(tenantsResponse);
    }
    const name = url.split('/').pop() ?? '';
    const values: Record<string, string[]> = {
      tenants: ['acme', 'globex'],
      event_types: ['login', 'message_sent', 'file_shared'],
    };
    return ok({ values: (values[name] ?? []).map((v) => ({ text: v, value: v })) });
  });
  jest.mocked(getBackendSrv).mockReturnValue({ fetch: fetchMock } as unknown as ReturnType<typeof getBackendSrv>);
});

async function renderPage(at = url()) {
  let page: ReturnType<typeof renderAt> | undefined;
  await act(async () => {
    page = renderAt(<Analytics />, at);
  });
  await screen.findByTestId(dsTestIds.editor.container, {}, WAIT);
  return page!;
}

async function run() {
  await act(async () => {
    fireEvent.click(screen.getByTestId(testIds.analytics.run));
  });
}

describe('pages/Analytics', () => {
  test("shows the data source's own query editor under the shared header, and nothing run yet", async () => {
    await renderPage();
    expect(screen.getByTestId(dsTestIds.editor.kind)).toHaveValue(dsLabels.kinds.timeseries.label);
    expect(screen.getByTestId(testIds.header.timeRange)).toBeInTheDocument();
    // One tenant picker, the shared header's: the editor's own is hidden on this page.
    expect(screen.getByTestId(testIds.header.tenant)).toBeInTheDocument();
    expect(screen.queryByTestId(dsTestIds.editor.tenant)).not.toBeInTheDocument();
    expect(screen.getByTestId(dsTestIds.editor.preview)).toHaveTextContent('acme');
    expect(screen.getByTestId(testIds.analytics.empty)).toHaveTextContent(labels.analytics.empty);
    expect(queryCalls()).toHaveLength(0);
    // The editor's pickers ask the backend through the app's proxy route (no data source instance needed).
    await waitFor(() =>
      expect(fetchMock).toHaveBeenCalledWith(
        expect.objectContaining({ url: `${PROXY}/v1/analytics/variables/event_types` })
      )
    );
  });

  test('a link with a query runs it on load: posts what a panel would, with the URL tenant and range', async () => {
    await renderPage(url({ event_types: ['message_sent'], group_by: ['platform'] } as Partial<CaasQuery>));

    await screen.findByTestId(testIds.analytics.panel, {}, WAIT);
    expect(queryCalls()).toHaveLength(1);
    const call = queryCalls()[0];
    expect(call.method).toBe('POST');
    expect(call.data).toEqual({
      kind: 'timeseries',
      from: FROM,
      to: TO,
      tenant_id: 'acme',
      event_types: ['message_sent'],
      metric: { type: 'events' },
      group_by: ['platform'],
      interval_ms: Math.floor((TO - FROM) / 1000),
    });

    const panel = lastPanel();
    expect(panel.pluginId).toBe('timeseries');
    expect(panel.width).toBeGreaterThan(0);
    expect(panel.height).toBeGreaterThan(0);
    const frame = panel.data?.series[0];
    expect(frame?.fields.map((f) => f.type)).toEqual([FieldType.time, FieldType.number, FieldType.number]);
    expect(frame?.fields[1]?.labels).toEqual({ platform: 'ios' });
    expect(frame?.fields[1]?.config.unit).toBe('short');
    // ClickHouse's 64-bit integers arrive as strings; the frame holds numbers.
    expect(frame?.fields[2]?.values).toEqual([3, 1]);
    expect(screen.getByTestId(testIds.analytics.meta)).toHaveTextContent('Answered from rollup_hour per day in 12 ms.');
  });

  test('Run puts the query in the URL, and the view (chart or table) is there too', async () => {
    const page = await renderPage();
    await run();
    await screen.findByTestId(testIds.analytics.panel, {}, WAIT);
    expect(queryCalls()).toHaveLength(1);
    expect(lastPanel().pluginId).toBe('timeseries');
    // The default query, run without an edit, is in the URL too: a copied link shows this answer.
    expect(JSON.parse(page.search().get('q') ?? '{}')).toMatchObject({ kind: 'timeseries' });

    await act(async () => {
      fireEvent.click(within(screen.getByTestId(testIds.analytics.view)).getByLabelText(labels.analytics.view.table));
    });
    expect(lastPanel().pluginId).toBe('table');
    expect(page.search().get('view')).toBe('table');
  });

  test('a kind picked in the editor runs at once and lands in the URL; an incomplete query is explained, never sent', async () => {
    const page = await renderPage();
    await pickOption(
      dsTestIds.editor.kind,
      dsLabels.kinds.retention.label,
      new RegExp(`^${dsLabels.kinds.retention.label}`)
    );

    const error = await screen.findByTestId(testIds.analytics.error, {}, WAIT);
    expect(error).toHaveTextContent(labels.analytics.invalid);
    expect(error).toHaveTextContent(dsLabels.invalid.retentionEvents);
    expect(queryCalls()).toHaveLength(0);
    // Edits replace the history entry; the query keeps no tenant or refId of its own (the tenant is the header's).
    expect(page.action()).toBe('REPLACE');
    const q = JSON.parse(page.search().get('q') ?? '{}');
    expect(q).toMatchObject({ kind: 'retention', version: expect.any(Number) });
    expect(q).not.toHaveProperty('tenant');
    expect(q).not.toHaveProperty('refId');
  });

  test('a copied link reproduces the screen: same tenant, range, query and view, answered again', async () => {
    const first = await renderPage(url({ kind: 'top_n', field: 'type' } as Partial<CaasQuery>, '', 'globex'));
    await screen.findByTestId(testIds.analytics.panel, {}, WAIT);
    const link = first.href();
    first.unmount();
    const sent = queryCalls()[0].data;

    await renderPage(link);
    await screen.findByTestId(testIds.analytics.panel, {}, WAIT);
    expect(screen.getByTestId(dsTestIds.editor.kind)).toHaveValue(dsLabels.kinds.top_n.label);
    await waitFor(() => expect(screen.getByTestId(testIds.header.tenant)).toHaveValue('Globex (globex)'));
    expect(queryCalls()).toHaveLength(2);
    expect(queryCalls()[1].data).toEqual(sent);
    expect(sent).toMatchObject({ kind: 'top_n', tenant_id: 'globex', from: FROM, to: TO });
  });

  test('another tenant picked in the header asks again for that tenant', async () => {
    const page = await renderPage(url({ kind: 'top_n', field: 'type' } as Partial<CaasQuery>));
    await screen.findByTestId(testIds.analytics.panel, {}, WAIT);
    await pickOption(testIds.header.tenant, 'globex', /Globex/);
    await waitFor(() => expect(queryCalls()).toHaveLength(2));
    expect(queryCalls()[1].data).toMatchObject({ tenant_id: 'globex' });
    expect(page.search().get('tenant')).toBe('globex');
  });

  test('without a tenant nothing is asked: the page says to pick one in the header', async () => {
    await renderPage(url({ kind: 'top_n', field: 'type' } as Partial<CaasQuery>, '', null));
    expect(await screen.findByTestId(testIds.analytics.noTenant, {}, WAIT)).toHaveTextContent(
      labels.analytics.noTenant
    );
    await run();
    expect(queryCalls()).toHaveLength(0);
    expect(screen.getByTestId(testIds.header.tenant)).toHaveAttribute('placeholder', labels.header.tenant.pick);
  });

  test('a funnel is drawn as a table', async () => {
    queryAnswer = answer('funnel', [
      {
        name: 'funnel',
        fields: [
          { name: 'step', type: 'number', values: [1, 2] },
          { name: 'name', type: 'string', values: ['login', 'message_sent'] },
          { name: 'users', type: 'number', unit: 'short', values: [100, 40] },
          { name: 'conversion', type: 'number', unit: 'percentunit', values: [1, 0.4] },
        ],
      },
    ]);
    await renderPage(
      url({
        kind: 'funnel',
        steps: [{ event_type: 'login' }, { event_type: 'message_sent' }],
        window_seconds: 3600,
      } as Partial<CaasQuery>)
    );

    await screen.findByTestId(testIds.analytics.panel, {}, WAIT);
    expect(queryCalls()[0].data).toMatchObject({
      kind: 'funnel',
      steps: [{ event_type: 'login' }, { event_type: 'message_sent' }],
      window_seconds: 3600,
    });
    expect(lastPanel().pluginId).toBe('table');
    expect(screen.queryByTestId(testIds.analytics.view)).not.toBeInTheDocument();
    expect(lastPanel().data?.series[0]?.fields[3]?.config.unit).toBe('percentunit');
  });

  test('the peak-hours heatmap is a table coloured by value, its hour column a label', async () => {
    queryAnswer = answer('heatmap', [
      {
        name: 'events by hour and weekday (UTC)',
        fields: [
          { name: 'hour', type: 'number', values: [0, 1] },
          { name: 'Mon', type: 'number', unit: 'short', values: [4, 9] },
          { name: 'Tue', type: 'number', unit: 'short', values: [2, 0] },
        ],
      },
    ]);
    await renderPage(url({ kind: 'heatmap', metric: 'events' } as Partial<CaasQuery>));

    await screen.findByTestId(testIds.analytics.panel, {}, WAIT);
    const panel = lastPanel();
    expect(panel.pluginId).toBe('table');
    expect(panel.fieldConfig?.defaults.custom).toMatchObject({ cellOptions: { type: 'color-background' } });
    const fields = panel.data?.series[0]?.fields ?? [];
    expect(fields[0]).toMatchObject({ type: FieldType.string, values: ['0', '1'] });
    expect(fields[1]).toMatchObject({ type: FieldType.number, values: [4, 9] });
  });

  test('search analytics: a table part is a table, latency and volume are charts of their own columns', async () => {
    queryAnswer = answer('search_analytics', [
      {
        name: 'popular queries',
        fields: [
          { name: 'query', type: 'string', values: ['budget', 'friday'] },
          { name: 'searches', type: 'number', unit: 'short', values: ['3', '1'] },
        ],
      },
      { name: 'zero-result queries', fields: [{ name: 'query', type: 'string', values: [] }] },
      {
        name: 'search latency',
        fields: [
          { name: 'time', type: 'time', values: [FROM, FROM + 86_400_000] },
          { name: 'p50', type: 'number', unit: 'ms', values: [12, null] },
          { name: 'p95', type: 'number', unit: 'ms', values: [30, null] },
          { name: 'searches', type: 'number', unit: 'short', values: [4, 0] },
        ],
      },
    ]);
    const page = await renderPage(url({ kind: 'search_analytics', show: 'popular' } as Partial<CaasQuery>));
    await screen.findByTestId(testIds.analytics.panel, {}, WAIT);
    expect(lastPanel().pluginId).toBe('table');
    expect(lastPanel().data?.series.map((f) => f.name)).toEqual(['popular queries']);
    // A table part has no chart to switch to.
    expect(screen.queryByTestId(testIds.analytics.view)).not.toBeInTheDocument();
    // The part shown stays in the browser (and the URL): the contract has no such field.
    expect(queryCalls()[0]?.data).toEqual({
      kind: 'search_analytics',
      from: FROM,
      to: TO,
      tenant_id: 'acme',
      limit: 20,
    });
    expect(JSON.parse(page.search().get('q') ?? '{}')).toMatchObject({ kind: 'search_analytics', show: 'popular' });

    await act(async () => {
      fireEvent.click(
        within(screen.getByTestId(dsTestIds.editor.searchAnalytics.show)).getByLabelText(dsLabels.searchShows.volume)
      );
    });
    await waitFor(() => expect(queryCalls()).toHaveLength(2), WAIT);
    await waitFor(() => expect(lastPanel().pluginId).toBe('timeseries'), WAIT);
    expect(lastPanel().data?.series.map((f) => [f.name, f.fields.map((field) => field.name)])).toEqual([
      ['search volume', ['time', 'searches']],
    ]);
    expect(screen.getByTestId(testIds.analytics.view)).toBeInTheDocument();
    expect(JSON.parse(page.search().get('q') ?? '{}')).toMatchObject({ show: 'volume' });
  });

  test("the backend's refusal is shown with its reason", async () => {
    queryAnswer = () =>
      httpError(400, {
        error: { code: 'too_many_points', message: 'choose a coarser granularity or a shorter range' },
      });
    await renderPage();
    await run();

    const error = await screen.findByTestId(testIds.analytics.error, {}, WAIT);
    expect(error).toHaveTextContent('The backend answered 400: choose a coarser granularity or a shorter range');
    expect(screen.queryByTestId(testIds.analytics.panel)).not.toBeInTheDocument();
  });

  test('an answer without rows says so instead of drawing an empty panel', async () => {
    queryAnswer = answer('top_n', [
      {
        name: 'top',
        fields: [
          { name: 'type', type: 'string', values: [] },
          { name: 'events', type: 'number', values: [] },
        ],
      },
    ]);
    await renderPage(url({ kind: 'top_n', field: 'type' } as Partial<CaasQuery>));

    expect(await screen.findByTestId(testIds.analytics.noData, {}, WAIT)).toHaveTextContent(labels.analytics.noData);
    expect(screen.queryByTestId(testIds.analytics.panel)).not.toBeInTheDocument();
  });

  test('zooming the chart puts the new range in the URL and runs again', async () => {
    const page = await renderPage();
    await run();
    await screen.findByTestId(testIds.analytics.panel, {}, WAIT);

    const from = FROM + 86_400_000;
    const to = FROM + 3 * 86_400_000;
    await act(async () => {
      lastPanel().onChangeTimeRange?.({ from, to });
    });
    await waitFor(() => expect(queryCalls()).toHaveLength(2));
    expect(queryCalls()[1].data).toMatchObject({ from, to });
    expect([page.search().get('from'), page.search().get('to')]).toEqual([String(from), String(to)]);
  });
});
