// Grafana's Combobox (in the Analytics page's editor) measures text on a canvas jsdom lacks.
import '../../datasource/test/jsdom';
import React from 'react';
import { MemoryRouter } from 'react-router-dom';
import { type AppRootProps, PluginType } from '@grafana/data';
import { getBackendSrv } from '@grafana/runtime';
import { render, screen } from '@testing-library/react';
import App from './App';
import { testIds } from '../testIds';
import { healthyResponse, ok } from '../../test/fixtures';
import { APP_PAGES, ROUTES } from '../../routes';

/** Each page's container; a page added to the route table without one here does not compile. */
const CONTAINERS: Record<ROUTES, string> = {
  [ROUTES.Home]: testIds.home.container,
  [ROUTES.Analytics]: testIds.analytics.container,
  [ROUTES.Search]: testIds.search.container,
  [ROUTES.Crawler]: testIds.crawler.container,
  [ROUTES.Incidents]: testIds.incidents.container,
  [ROUTES.Alerts]: testIds.alerts.container,
  [ROUTES.OnCall]: testIds.oncall.container,
};

jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getBackendSrv: jest.fn(),
}));

// Pages are lazy-loaded; on a 2-core CI machine the first import can take several seconds.
const WAIT = { timeout: 15_000 };

const props = {
  basename: 'a/caas-observatory-app',
  meta: { id: 'caas-observatory-app', name: 'CAAS Observatory', type: PluginType.app, enabled: true, jsonData: {} },
  query: {},
  path: '',
  onNavChanged: jest.fn(),
} as unknown as AppRootProps;

beforeEach(() => {
  jest
    .mocked(getBackendSrv)
    .mockReturnValue({ fetch: jest.fn(() => ok(healthyResponse)) } as unknown as ReturnType<typeof getBackendSrv>);
});

describe('components/App', () => {
  test.each([['/home'], ['/'], ['/no-such-page']])('%s renders the Home page', async (path) => {
    render(
      <MemoryRouter initialEntries={[path]} future={{ v7_startTransition: true, v7_relativeSplatPath: true }}>
        <App {...props} />
      </MemoryRouter>
    );
    expect(await screen.findByTestId(testIds.home.container, {}, WAIT)).toBeInTheDocument();
  });

  test.each(APP_PAGES.map((p) => [p.route]))(
    '/%s renders its page, built from the route table',
    async (route) => {
      render(
        <MemoryRouter initialEntries={[`/${route}`]} future={{ v7_startTransition: true, v7_relativeSplatPath: true }}>
          <App {...props} />
        </MemoryRouter>
      );
      expect(await screen.findByTestId(CONTAINERS[route], {}, WAIT)).toBeInTheDocument();
      for (const other of Object.values(ROUTES).filter((r) => r !== route)) {
        expect(screen.queryByTestId(CONTAINERS[other])).not.toBeInTheDocument();
      }
    },
    30_000
  );
});
