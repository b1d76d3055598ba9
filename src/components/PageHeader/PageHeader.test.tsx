// Grafana's Combobox measures text on a canvas jsdom lacks.
import '../../datasource/test/jsdom';
import React from 'react';
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { getBackendSrv } from '@grafana/runtime';
import { selectors } from '@grafana/e2e-selectors';
import { pickOption } from '../../datasource/test/combobox';
import { useUrlState } from '../../hooks/useUrlState';
import { labels } from '../../labels';
import { httpError, ok, tenantsResponse } from '../../test/fixtures';
import { renderAt } from '../../test/router';
import { testIds } from '../testIds';
import { PageHeader } from './PageHeader';

jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getBackendSrv: jest.fn(),
}));

const WAIT = { timeout: 10_000 };
const fetchMock = jest.fn();

beforeEach(() => {
  fetchMock.mockReset();
  fetchMock.mockReturnValue(ok(tenantsResponse));
  jest.mocked(getBackendSrv).mockReturnValue({ fetch: fetchMock } as unknown as ReturnType<typeof getBackendSrv>);
});

/** A page that shows the header and what it reads back from the URL. */
function Page({
  allTenants,
  timeRange,
  withClear,
}: {
  allTenants?: boolean;
  timeRange?: boolean;
  withClear?: boolean;
}) {
  const state = useUrlState();
  return (
    <>
      <PageHeader state={state} allTenants={allTenants} timeRange={timeRange} />
      {withClear && <button onClick={() => state.setTenant(undefined)}>clear</button>}
      <output data-testid="read-back">
        {`${state.tenant ?? '(all)'} ${String(state.range.raw.from)} ${String(state.range.raw.to)}`}
      </output>
    </>
  );
}

const tenantInput = () => screen.getByTestId(testIds.header.tenant);
const readBack = () => screen.getByTestId('read-back').textContent;

describe('components/PageHeader: tenant picker and time range in the URL', () => {
  test('lists the tenants the read key sees (GET /v1/tenants through the app proxy), by name and id', async () => {
    renderAt(<Page allTenants />, '/home');
    await waitFor(() => expect(fetchMock).toHaveBeenCalled());
    expect(fetchMock.mock.calls[0][0]).toMatchObject({
      url: '/api/plugin-proxy/caas-observatory-app/api/v1/tenants',
      method: 'GET',
    });
    await act(async () => {
      fireEvent.click(tenantInput());
    });
    const options = await screen.findAllByRole('option', {}, WAIT);
    // Sorted by id; a name equal to its id is not repeated.
    expect(options.map((o) => o.textContent)).toEqual(['Acme Corp (acme)', 'Globex (globex)', 'initech']);
    expect(tenantInput()).toHaveAttribute('placeholder', labels.header.tenant.all);
  });

  test('reads the tenant and range from the URL, and a pick writes the tenant back keeping the other params', async () => {
    const page = renderAt(<Page allTenants timeRange />, '/home?tenant=globex&from=now-7d&to=now&jobs=failed');
    await waitFor(() => expect(tenantInput()).toHaveValue('Globex (globex)'), WAIT);
    expect(readBack()).toBe('globex now-7d now');
    // The time range input shows the range the URL names, as Grafana's time picker words it.
    expect(screen.getByTestId(testIds.header.timeRange)).toHaveTextContent('Last 7 days');

    await pickOption(testIds.header.tenant, 'acme', /Acme Corp/);
    expect(page.search().toString()).toBe('tenant=acme&from=now-7d&to=now&jobs=failed');
    expect(page.action()).toBe('PUSH');
    expect(readBack()).toBe('acme now-7d now');

    // Back shows the previous tenant again: the URL is the state.
    await page.back();
    expect(readBack()).toBe('globex now-7d now');
    await waitFor(() => expect(tenantInput()).toHaveValue('Globex (globex)'));
  });

  test('a copied link reproduces the header: a new page at the same URL reads the same tenant and range', async () => {
    const first = renderAt(<Page allTenants timeRange />, '/home');
    expect(readBack()).toBe('(all) now-30d now');
    await pickOption(testIds.header.tenant, 'initech');
    const link = first.href();
    expect(link).toBe('/home?tenant=initech');
    first.unmount();

    renderAt(<Page allTenants timeRange />, link);
    expect(readBack()).toBe('initech now-30d now');
    await waitFor(() => expect(tenantInput()).toHaveValue('initech'));
  });

  test('a quick range picked in the time picker lands in the URL as Grafana writes it', async () => {
    const page = renderAt(<Page timeRange />, '/analytics?tenant=acme');
    const picker = screen.getByTestId(testIds.header.timeRange);
    await act(async () => {
      fireEvent.click(within(picker).getByTestId(selectors.components.TimePicker.openButton));
    });
    await act(async () => {
      fireEvent.click(await screen.findByText('Last 24 hours', {}, WAIT));
    });
    expect(page.search().get('from')).toBe('now-24h');
    expect(page.search().get('to')).toBe('now');
    expect(readBack()).toBe('acme now-24h now');
  });

  test('no tenant (the picker cleared) on Home means every tenant: the param goes, the picker says All tenants', async () => {
    // The clear icon's click cannot be fired in jsdom (the jest mock of Grafana's icons drops handlers); the browser
    // test clicks it. Here the page clears the tenant the way the picker's onChange(undefined) does.
    const page = renderAt(<Page allTenants withClear />, '/home?tenant=acme&from=now-7d&to=now');
    await waitFor(() => expect(tenantInput()).toHaveValue('Acme Corp (acme)'), WAIT);
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'clear' }));
    });
    expect(page.search().toString()).toBe('from=now-7d&to=now');
    expect(readBack()).toBe('(all) now-7d now');
    await waitFor(() => expect(tenantInput()).toHaveValue(''));
    expect(tenantInput()).toHaveAttribute('placeholder', labels.header.tenant.all);
  });

  test("a tenant's key sees one tenant: a page that needs one picks it without a history entry", async () => {
    fetchMock.mockReturnValue(ok({ tenants: [{ id: 'acme', name: 'Acme Corp', created_at: '2026-11-01T10:00:00Z' }] }));
    const page = renderAt(<Page />, '/analytics?from=now-7d&to=now');
    await waitFor(() => expect(page.search().get('tenant')).toBe('acme'), WAIT);
    expect(page.action()).toBe('REPLACE');
    expect(page.search().get('from')).toBe('now-7d');
  });

  test('on Home one tenant is not forced: all tenants stays the choice', async () => {
    fetchMock.mockReturnValue(ok({ tenants: [{ id: 'acme', name: 'Acme Corp', created_at: '2026-11-01T10:00:00Z' }] }));
    const page = renderAt(<Page allTenants />, '/home');
    await waitFor(() => expect(fetchMock).toHaveBeenCalled());
    await act(async () => {});
    expect(page.search().has('tenant')).toBe(false);
  });

  test('a tenant list that cannot be read says why, keeps a typed tenant usable, and Retry asks again', async () => {
    fetchMock.mockReturnValueOnce(httpError(502, '')).mockReturnValue(ok(tenantsResponse));
    const page = renderAt(<Page />, '/analytics');
    const problem = await screen.findByTestId(testIds.header.tenantError, {}, WAIT);
    expect(problem).toHaveTextContent(`Could not list the tenants: ${labels.errors.unreachable.title}`);
    expect(problem).toHaveTextContent('Type a tenant id instead');

    // A typed id is taken as it is (createCustomValue).
    const input = tenantInput();
    await act(async () => {
      fireEvent.click(input);
    });
    fireEvent.change(input, { target: { value: 'umbrella' } });
    await act(async () => {
      fireEvent.click((await screen.findAllByRole('option', { name: /umbrella/ }, WAIT))[0]!);
    });
    expect(page.search().get('tenant')).toBe('umbrella');

    await act(async () => {
      fireEvent.click(within(problem).getByRole('button', { name: new RegExp(labels.header.tenant.retry) }));
    });
    await waitFor(() => expect(screen.queryByTestId(testIds.header.tenantError)).not.toBeInTheDocument(), WAIT);
    expect(fetchMock).toHaveBeenCalledTimes(2);
  });
});
