import '../../datasource/test/jsdom';
import React from 'react';
import { render, screen, waitFor } from '@testing-library/react';
import { dateTime, type PanelProps } from '@grafana/data';
import { type BackendSrvRequest, getBackendSrv } from '@grafana/runtime';
import { testIds } from '../../components/testIds';
import { labels } from '../../labels';
import { ok } from '../../test/fixtures';
import { resolveTenant, type SearchPanelOptions } from './options';
import { SearchPanel } from './SearchPanel';

jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getBackendSrv: jest.fn(),
}));

const WAIT = { timeout: 10_000 };
const fetchMock = jest.fn();

beforeEach(() => {
  fetchMock.mockReset();
  fetchMock.mockImplementation((_options: BackendSrvRequest) =>
    ok({ total: 0, hits: [], facets: { entity: {}, type: {} } })
  );
  jest.mocked(getBackendSrv).mockReturnValue({ fetch: fetchMock } as unknown as ReturnType<typeof getBackendSrv>);
});

function props(
  options: Partial<SearchPanelOptions>,
  variables: Record<string, string>
): PanelProps<SearchPanelOptions> {
  const from = dateTime(1_700_000_000_000);
  const to = dateTime(1_700_086_400_000);
  return {
    options: options as SearchPanelOptions,
    timeRange: { from, to, raw: { from, to } },
    replaceVariables: (v: string) => v.replace(/\$\{?(\w+)\}?/g, (m, name: string) => variables[name] ?? m),
    width: 600,
    height: 400,
  } as unknown as PanelProps<SearchPanelOptions>;
}

describe('search panel', () => {
  test('the tenant option resolves through the dashboard variables to one tenant id, or none', () => {
    const replace = (vars: Record<string, string>) => (v: string) =>
      v.replace(/\$\{?(\w+)\}?/g, (m, name: string) => vars[name] ?? m);
    expect(resolveTenant('$tenant', replace({ tenant: 'acme' }))).toBe('acme');
    expect(resolveTenant('${tenant}', replace({ tenant: 'globex' }))).toBe('globex');
    expect(resolveTenant('initech', replace({}))).toBe('initech');
    // unset variable, several values, All, junk: no tenant
    expect(resolveTenant('$tenant', replace({}))).toBeUndefined();
    expect(resolveTenant('$tenant', replace({ tenant: '{acme,globex}' }))).toBeUndefined();
    expect(resolveTenant('$tenant', replace({ tenant: '$__all' }))).toBeUndefined();
    expect(resolveTenant('$tenant', replace({ tenant: 'ACME; DROP' }))).toBeUndefined();
  });

  test("searches the variable's tenant within the dashboard's range, through the app's proxy route", async () => {
    render(<SearchPanel {...props({ limit: 5 }, { tenant: 'acme' })} />);
    await waitFor(() => expect(fetchMock).toHaveBeenCalled(), WAIT);
    const call = fetchMock.mock.calls[0]![0] as BackendSrvRequest;
    expect(call.url).toBe('/api/plugin-proxy/caas-observatory-app/api/v1/search');
    expect(call.method).toBe('POST');
    expect(call.data).toMatchObject({ tenant_id: 'acme', from: 1_700_000_000_000, to: 1_700_086_400_000, limit: 5 });
    expect(await screen.findByTestId(testIds.search.empty, {}, WAIT)).toHaveTextContent(labels.search.emptyIndex.title);
    // the panel has no app route to the Crawler page: no link
    expect(screen.getByTestId(testIds.search.empty).querySelector('a')).toBeNull();
  });

  test('without a tenant variable it says how to set one and asks nothing', async () => {
    render(<SearchPanel {...props({}, {})} />);
    expect(await screen.findByTestId(testIds.search.noTenant, {}, WAIT)).toHaveTextContent(
      labels.search.noTenant.panel
    );
    expect(fetchMock).not.toHaveBeenCalled();
  });
});
