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

  test('/analytics renders the Analytics explorer', async () => {
    render(
      <MemoryRouter initialEntries={['/analytics']} future={{ v7_startTransition: true, v7_relativeSplatPath: true }}>
        <App {...props} />
      </MemoryRouter>
    );
    expect(await screen.findByTestId(testIds.analytics.container, {}, WAIT)).toBeInTheDocument();
    expect(screen.queryByTestId(testIds.home.container)).not.toBeInTheDocument();
  }, 30_000);
});
