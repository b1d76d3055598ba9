import React from 'react';
import { fireEvent, render, screen, within } from '@testing-library/react';
import { PluginContextProvider, PluginType, type PluginMeta } from '@grafana/data';
import { getBackendSrv } from '@grafana/runtime';
import Home from './Home';
import { testIds } from '../../components/testIds';
import { labels } from '../../labels';
import { degradedResponse, healthyResponse, httpError, ok } from '../../test/fixtures';

jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getBackendSrv: jest.fn(),
}));

// Grafana UI renders lazily and the CI machine has 2 cores: wait generously for async content.
const WAIT = { timeout: 10_000 };

const fetchMock = jest.fn();

function meta(jsonData: Record<string, unknown>): PluginMeta {
  return {
    id: 'caas-observatory-app',
    name: 'CAAS Observatory',
    type: PluginType.app,
    enabled: true,
    jsonData,
  } as unknown as PluginMeta;
}

beforeEach(() => {
  fetchMock.mockReset();
  jest.mocked(getBackendSrv).mockReturnValue({ fetch: fetchMock } as unknown as ReturnType<typeof getBackendSrv>);
});

describe('pages/Home', () => {
  test('shows each engine with its mode and latency, the WAL backlog and the version', async () => {
    fetchMock.mockReturnValue(ok(healthyResponse));
    render(<Home />);

    const clickhouse = await screen.findByTestId(testIds.home.engine('clickhouse'), {}, WAIT);
    expect(fetchMock).toHaveBeenCalledTimes(1);
    expect(fetchMock.mock.calls[0][0].url).toBe('/api/plugin-proxy/caas-observatory-app/api/health');

    expect(within(clickhouse).getByText(labels.health.engineNames.clickhouse!)).toBeInTheDocument();
    expect(clickhouse).toHaveTextContent('embedded (in-process)|3 ms latency');
    expect(within(clickhouse).getByText(labels.health.engineOk)).toBeInTheDocument();

    const postgres = screen.getByTestId(testIds.home.engine('postgres'));
    expect(postgres).toHaveTextContent('server|12 ms latency');

    // Known engines in a fixed order: analytics store first although the backend listed postgres first.
    const engines = screen.getAllByTestId(/home-engine-/).map((el) => el.getAttribute('data-testid'));
    expect(engines).toEqual([testIds.home.engine('clickhouse'), testIds.home.engine('postgres')]);

    expect(screen.getByTestId(testIds.home.healthStatus)).toHaveTextContent(labels.health.status.ok);
    expect(screen.getByTestId(testIds.home.wal)).toHaveTextContent('1,234 events (2.0 MiB) in 2 segments');
    expect(screen.getByTestId(testIds.home.wal)).toHaveTextContent('the analytics store refused 3 acknowledged events');
    expect(screen.getByText('Backend 0.1.0')).toBeInTheDocument();
    expect(screen.getByText('up 3 h 2 min')).toBeInTheDocument();
    expect(screen.queryByTestId(testIds.home.healthError)).not.toBeInTheDocument();
  });

  test('a degraded backend (503 with the health body) shows which engine fails and why', async () => {
    fetchMock.mockReturnValue(httpError(503, degradedResponse));
    render(<Home />);

    const clickhouse = await screen.findByTestId(testIds.home.engine('clickhouse'), {}, WAIT);
    expect(within(clickhouse).getByText(labels.health.engineDown)).toBeInTheDocument();
    expect(within(clickhouse).getByText('connect ECONNREFUSED 10.0.0.5:8123')).toBeInTheDocument();
    expect(screen.getByTestId(testIds.home.healthStatus)).toHaveTextContent(labels.health.status.degraded);
    expect(screen.getByTestId(testIds.home.wal)).toHaveTextContent(labels.health.walEmpty);
    expect(screen.getByTestId(testIds.home.wal)).not.toHaveTextContent('refused');
    expect(screen.queryByTestId(testIds.home.healthError)).not.toBeInTheDocument();
  });

  test('an unreachable backend says to set the backend URL and links to the Configuration page', async () => {
    fetchMock.mockReturnValue(httpError(502, ''));
    render(<Home />);

    const alert = await screen.findByTestId(testIds.home.healthError, {}, WAIT);
    expect(alert).toHaveTextContent(labels.errors.unreachable.title);
    expect(alert).toHaveTextContent("Set the backend URL on the app's Configuration page");
    const link = within(alert).getByRole('link', { name: new RegExp(labels.health.openConfig) });
    expect(link).toHaveAttribute('href', '/plugins/caas-observatory-app');
    expect(screen.queryByTestId(/home-engine-/)).not.toBeInTheDocument();
  });

  test('an app without a backend URL says so', async () => {
    fetchMock.mockReturnValue(httpError(502, ''));
    render(
      <PluginContextProvider meta={meta({})}>
        <Home />
      </PluginContextProvider>
    );

    const alert = await screen.findByTestId(testIds.home.healthError, {}, WAIT);
    expect(alert).toHaveTextContent(labels.errors.notConfigured.title);
  });

  test('a rejected API key is told apart from an unreachable backend', async () => {
    fetchMock.mockReturnValue(httpError(401, { error: { code: 'unauthorized', message: 'invalid API key' } }));
    render(
      <PluginContextProvider meta={meta({ apiUrl: 'http://backend:8080' })}>
        <Home />
      </PluginContextProvider>
    );

    const alert = await screen.findByTestId(testIds.home.healthError, {}, WAIT);
    expect(alert).toHaveTextContent(labels.errors.unauthorized.title);
    expect(alert).not.toHaveTextContent(labels.errors.unreachable.title);
  });

  test('Refresh asks again and replaces the error with the answer', async () => {
    fetchMock.mockReturnValueOnce(httpError(502, '')).mockReturnValueOnce(ok(healthyResponse));
    render(<Home />);

    await screen.findByTestId(testIds.home.healthError, {}, WAIT);
    fireEvent.click(screen.getByTestId(testIds.home.healthRefresh));

    await screen.findByTestId(testIds.home.engine('clickhouse'), {}, WAIT);
    expect(fetchMock).toHaveBeenCalledTimes(2);
    expect(screen.queryByTestId(testIds.home.healthError)).not.toBeInTheDocument();
  });

  test('links the features that have a page (Analytics); the others are coming, without links that would 404', async () => {
    fetchMock.mockReturnValue(ok(healthyResponse));
    render(<Home />);
    await screen.findByTestId(testIds.home.engine('clickhouse'), {}, WAIT);

    const features = screen.getByTestId(testIds.home.features);
    const analytics = within(features).getByTestId(testIds.home.feature('analytics'));
    expect(within(analytics).getByRole('link')).toHaveAttribute('href', '/a/caas-observatory-app/analytics');
    expect(analytics).toHaveTextContent(labels.home.available);
    expect(analytics).not.toHaveTextContent(labels.home.coming);
    for (const id of ['search', 'sla', 'alerts', 'reports']) {
      const card = within(features).getByTestId(testIds.home.feature(id));
      expect(card).toHaveTextContent(labels.home.coming);
      expect(within(card).queryAllByRole('link')).toHaveLength(0);
    }
    expect(within(features).queryAllByRole('link')).toHaveLength(1);
  });

  test('links every bundled dashboard by its stable uid, and the tab to import them', async () => {
    fetchMock.mockReturnValue(ok(healthyResponse));
    render(<Home />);
    const section = await screen.findByTestId(testIds.home.dashboards, {}, WAIT);

    const expected: Record<string, string> = {
      usage: '/d/caas-usage-overview',
      messages: '/d/caas-message-analytics',
      users: '/d/caas-user-activity-retention',
      adoption: '/d/caas-feature-adoption',
      cost: '/d/caas-cost-tracking',
    };
    for (const [id, href] of Object.entries(expected)) {
      const card = within(section).getByTestId(testIds.home.dashboard(id));
      const link = within(card).getByRole('link');
      expect(link).toHaveAttribute('href', href);
      expect(link).toHaveTextContent(labels.home.dashboards[id as keyof typeof labels.home.dashboards].title);
    }
    expect(within(section).getAllByRole('link')).toHaveLength(Object.keys(expected).length + 1);
    expect(screen.getByTestId(testIds.home.importDashboards)).toHaveAttribute(
      'href',
      '/plugins/caas-observatory-app?page=dashboards'
    );
  });
});
