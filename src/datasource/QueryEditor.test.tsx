import './test/jsdom';
import React from 'react';
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { getBackendSrv } from '@grafana/runtime';
import { QUERY_KINDS } from './constants';
import { defaultBuilder } from './defaults';
import { migrateQuery } from './migrateQuery';
import { QueryEditor, type CaasQueryEditorProps } from './QueryEditor';
import { validateQuery } from './request';
import { pickOption } from './test/combobox';
import { makeDataSource, ok } from './test/fixtures';
import { dsTestIds } from './testIds';
import type { CaasQuery } from './types';
import { labels } from './labels';

jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getBackendSrv: jest.fn(),
  getTemplateSrv: jest.fn(),
}));

const ids = dsTestIds.editor;
const fetchMock = jest.fn();

beforeEach(() => {
  fetchMock.mockReset();
  fetchMock.mockImplementation(({ url }: { url: string }) => {
    const name = url.split('/').pop();
    const values: Record<string, string[]> = {
      event_types: ['signup', 'message_sent', 'message_read'],
      tenants: ['acme', 'globex'],
      property_keys: ['message_type', 'duration_s'],
    };
    return ok({ values: (values[name ?? ''] ?? []).map((v) => ({ text: v, value: v })) });
  });
  jest.mocked(getBackendSrv).mockReturnValue({ fetch: fetchMock } as unknown as ReturnType<typeof getBackendSrv>);
});

/** Renders and lets the pickers' option lookups settle (inside act, so React sees every update). */
async function renderEditor(query: CaasQuery | Record<string, unknown>) {
  const onChange = jest.fn();
  const onRunQuery = jest.fn();
  const datasource = makeDataSource({ url: 'http://backend:8080', defaultTenant: 'acme' });
  const props = { query, onChange, onRunQuery, datasource } as unknown as CaasQueryEditorProps;
  const view = await act(async () => render(<QueryEditor {...props} />));
  const rerender = (next: CaasQuery) =>
    act(async () => {
      view.rerender(<QueryEditor {...props} query={next} />);
    });
  return { onChange, onRunQuery, rerender, datasource };
}

const preview = () => screen.getByTestId(ids.preview).textContent;

describe('QueryEditor', () => {
  test('a v0 query is shown migrated, with the kind and the preview of what will be asked', async () => {
    await renderEditor({ refId: 'A', eventType: 'message_sent' });
    expect(screen.getByTestId(ids.kind)).toHaveValue(labels.kinds.timeseries.label);
    expect(preview()).toBe('Asks: Number of events in events of type message_sent per panel interval for tenant acme');
    // Options come from the backend through the proxy route.
    await waitFor(() =>
      expect(fetchMock).toHaveBeenCalledWith(
        expect.objectContaining({ url: expect.stringMatching(/variables\/event_types$/) })
      )
    );
  });

  test.each(QUERY_KINDS.filter((k) => k !== 'timeseries'))(
    'switching to %s builds that kind default query, keeps the tenant and runs it',
    async (kind) => {
      const { onChange, onRunQuery } = await renderEditor({
        refId: 'A',
        version: 1,
        tenant: '$tenant',
        ...defaultBuilder('timeseries'),
      });
      await pickOption(ids.kind, labels.kinds[kind].label, new RegExp(`^${labels.kinds[kind].label}`));

      expect(onChange).toHaveBeenCalledTimes(1);
      const next = onChange.mock.calls[0][0] as CaasQuery;
      expect(next).toEqual({ refId: 'A', version: 1, tenant: '$tenant', ...defaultBuilder(kind) });
      // The new query is complete for the current version (migrateQuery leaves it as is)…
      expect(migrateQuery(next)).toBe(next);
      // …and, where the kind needs no user choice, valid as it stands.
      if (!['retention', 'funnel', 'adoption'].includes(kind)) {
        expect(validateQuery(next)).toBeUndefined();
      }
      expect(onRunQuery).toHaveBeenCalledTimes(1);
    }
  );

  test('each kind shows its own builder', async () => {
    const { rerender } = await renderEditor({ refId: 'A', version: 1, ...defaultBuilder('funnel') });
    expect(screen.getByTestId(ids.funnel.container)).toBeInTheDocument();
    expect(screen.queryByTestId(ids.metric)).not.toBeInTheDocument();
    await rerender({ refId: 'A', version: 1, ...defaultBuilder('retention') });
    expect(screen.getByTestId(ids.retention.cohortEvent)).toBeInTheDocument();
    expect(screen.queryByTestId(ids.funnel.container)).not.toBeInTheDocument();
    await rerender({ refId: 'A', version: 1, ...defaultBuilder('timeseries') });
    expect(screen.getByTestId(ids.metric)).toBeInTheDocument();
    expect(screen.getByTestId(ids.groupBy)).toBeInTheDocument();
  });

  describe('search analytics', () => {
    const search: CaasQuery = { refId: 'A', version: 1, tenant: '$tenant', ...defaultBuilder('search_analytics') };
    const sa = ids.searchAnalytics;

    test('shows the part picker, the rows of a table part and filters, but no event types', async () => {
      await renderEditor(search);
      expect(screen.getByTestId(ids.kind)).toHaveValue(labels.kinds.search_analytics.label);
      const show = screen.getByTestId(sa.show);
      for (const label of Object.values(labels.searchShows)) {
        expect(within(show).getByLabelText(label)).toBeInTheDocument();
      }
      expect(within(show).getByLabelText(labels.searchShows.popular)).toBeChecked();
      expect(screen.getByTestId(sa.limit)).toHaveValue(20);
      expect(screen.queryByTestId(sa.granularity)).not.toBeInTheDocument();
      expect(screen.getByTestId(ids.filters.add)).toBeInTheDocument();
      // The kind reads the search_query events only: the backend refuses event types.
      expect(screen.queryByTestId(ids.eventTypes)).not.toBeInTheDocument();
      expect(preview()).toBe('Asks: The 20 most searched queries in search_query events for tenant $tenant');
    });

    test('picking a time part saves it and runs; its builder then asks the granularity instead of the rows', async () => {
      const { onChange, onRunQuery, rerender } = await renderEditor(search);
      fireEvent.click(within(screen.getByTestId(sa.show)).getByLabelText(labels.searchShows.latency));
      const latency = onChange.mock.lastCall[0] as CaasQuery;
      expect(latency).toEqual({ ...search, show: 'latency' });
      expect(onRunQuery).toHaveBeenCalledTimes(1);

      await rerender(latency);
      expect(screen.queryByTestId(sa.limit)).not.toBeInTheDocument();
      expect(screen.getByTestId(sa.granularity)).toHaveValue(labels.editor.searchAnalytics.auto);
      await pickOption(sa.granularity, 'hour', /^hour$/);
      const hourly = onChange.mock.lastCall[0] as CaasQuery;
      expect(hourly).toEqual({ ...search, show: 'latency', granularity: 'hour' });
      await rerender(hourly);
      expect(preview()).toBe(
        'Asks: Search latency p50 and p95 (ms) of search_query events per hour for tenant $tenant'
      );

      // Back to auto: the granularity is dropped (the backend picks one from the range).
      await pickOption(sa.granularity, 'auto', /^auto/);
      expect(onChange.mock.lastCall[0]).toEqual({ ...search, show: 'latency' });
      expect(onRunQuery).toHaveBeenCalledTimes(3);
    });

    test('rows commit on Enter, clamped to what the backend accepts (1–1000)', async () => {
      const { onChange, onRunQuery } = await renderEditor(search);
      const rows = screen.getByTestId(sa.limit);
      fireEvent.change(rows, { target: { value: '5000' } });
      expect(onChange).not.toHaveBeenCalled();
      fireEvent.keyDown(rows, { key: 'Enter' });
      expect(onChange.mock.lastCall[0]).toEqual({ ...search, limit: 1000 });
      fireEvent.change(rows, { target: { value: '0' } });
      fireEvent.blur(rows);
      expect(onChange.mock.lastCall[0]).toEqual({ ...search, limit: 1 });
      expect(onRunQuery).toHaveBeenCalledTimes(2);
    });

    test('switching a query with event types to search analytics drops them, keeping the filters', async () => {
      const { onChange } = await renderEditor({
        refId: 'A',
        version: 1,
        ...defaultBuilder('timeseries'),
        event_types: ['message_sent'],
        filters: [{ field: 'user_id', op: '=', value: 'key_1' }],
      });
      await pickOption(ids.kind, labels.kinds.search_analytics.label, /^Search analytics/);
      const next = onChange.mock.lastCall[0] as CaasQuery;
      expect(next).toEqual({
        refId: 'A',
        version: 1,
        ...defaultBuilder('search_analytics'),
        filters: [{ field: 'user_id', op: '=', value: 'key_1' }],
      });
      expect(validateQuery(next)).toBeUndefined();
    });
  });

  describe('funnel steps', () => {
    const funnel: CaasQuery = {
      refId: 'A',
      version: 1,
      kind: 'funnel',
      window_seconds: 86400,
      steps: [{ event_type: 'signup' }, { event_type: '' }],
    };

    test('picking a step event updates that step and runs the query', async () => {
      const { onChange, onRunQuery } = await renderEditor(funnel);
      await pickOption(ids.funnel.stepEvent(1), 'message_sent');
      expect(onChange).toHaveBeenLastCalledWith({
        ...funnel,
        steps: [{ event_type: 'signup' }, { event_type: 'message_sent' }],
      });
      expect(onRunQuery).toHaveBeenCalled();
    });

    test('a step event the backend has not seen can be typed in', async () => {
      const { onChange } = await renderEditor(funnel);
      await pickOption(ids.funnel.stepEvent(1), 'checkout_done', /checkout_done/);
      expect(onChange.mock.lastCall[0].steps[1]).toEqual({ event_type: 'checkout_done' });
    });

    test('adding a step waits for the user (no run); removing is refused below two steps', async () => {
      const { onChange, onRunQuery } = await renderEditor(funnel);
      // Buttons with a tooltip are aria-disabled (Grafana keeps them focusable); a click does nothing.
      expect(screen.getByTestId(ids.funnel.stepRemove(0))).toHaveAttribute('aria-disabled', 'true');
      fireEvent.click(screen.getByTestId(ids.funnel.stepRemove(0)));
      expect(onChange).not.toHaveBeenCalled();
      fireEvent.click(screen.getByTestId(ids.funnel.add));
      expect(onChange).toHaveBeenLastCalledWith({ ...funnel, steps: [...funnel.steps, { event_type: '' }] });
      expect(onRunQuery).not.toHaveBeenCalled();
    });

    test('steps move and are removed; labels commit on blur', async () => {
      const three: CaasQuery = { ...funnel, steps: [{ event_type: 'a' }, { event_type: 'b' }, { event_type: 'c' }] };
      const { onChange, onRunQuery } = await renderEditor(three);
      expect(screen.getByTestId(ids.funnel.stepUp(0))).toHaveAttribute('aria-disabled', 'true');
      fireEvent.click(screen.getByTestId(ids.funnel.stepDown(0)));
      expect(onChange.mock.lastCall[0].steps.map((s: { event_type: string }) => s.event_type)).toEqual(['b', 'a', 'c']);
      fireEvent.click(screen.getByTestId(ids.funnel.stepRemove(1)));
      expect(onChange.mock.lastCall[0].steps.map((s: { event_type: string }) => s.event_type)).toEqual(['a', 'c']);

      const label = screen.getByTestId(ids.funnel.stepLabel(2));
      fireEvent.change(label, { target: { value: 'Third' } });
      expect(onChange).toHaveBeenCalledTimes(2); // typing alone does not change the query
      fireEvent.blur(label);
      expect(onChange.mock.lastCall[0].steps[2]).toEqual({ event_type: 'c', label: 'Third' });
      expect(onRunQuery).toHaveBeenCalledTimes(3);
    });

    test('the window is shown in days and saved in seconds', async () => {
      const { onChange } = await renderEditor(funnel);
      const window = screen.getByTestId(ids.funnel.window);
      expect(window).toHaveValue(1);
      fireEvent.change(window, { target: { value: '3' } });
      fireEvent.keyDown(window, { key: 'Enter' });
      expect(onChange.mock.lastCall[0].window_seconds).toBe(3 * 86400);
    });

    test('the preview lists the steps in order', async () => {
      const { rerender } = await renderEditor(funnel);
      expect(preview()).toBe('Asks: Users who did signup → (step 2?) in this order within 1 day for tenant acme');
      await rerender({
        ...funnel,
        steps: [{ event_type: 'signup' }, { event_type: 'message_sent' }],
        tenant: 'globex',
      });
      expect(preview()).toBe('Asks: Users who did signup → message_sent in this order within 1 day for tenant globex');
    });
  });

  test('event types: options from the backend, picked values saved and run', async () => {
    const query: CaasQuery = { refId: 'A', version: 1, ...defaultBuilder('timeseries') };
    const { onChange, onRunQuery } = await renderEditor(query);
    await pickOption(ids.eventTypes, 'message_read');
    expect(onChange).toHaveBeenLastCalledWith({ ...query, event_types: ['message_read'] });
    expect(onRunQuery).toHaveBeenCalled();
  });

  test('filters: a new row does not run; a typed value runs on blur, lists split on commas', async () => {
    const query: CaasQuery = { refId: 'A', version: 1, ...defaultBuilder('geo') };
    const { onChange, onRunQuery, rerender } = await renderEditor(query);
    fireEvent.click(screen.getByTestId(ids.filters.add));
    const withRow = onChange.mock.lastCall[0] as CaasQuery;
    expect(withRow).toEqual({ ...query, filters: [{ field: 'platform', op: '=', value: '' }] });
    expect(onRunQuery).not.toHaveBeenCalled();

    await rerender(withRow);
    await pickOption(ids.filters.op(0), 'is one of', /^is one of/);
    const listOp = onChange.mock.lastCall[0] as CaasQuery;
    expect(listOp).toMatchObject({ filters: [{ field: 'platform', op: 'in', value: [] }] });
    await rerender(listOp);
    const value = screen.getByTestId(ids.filters.value(0));
    fireEvent.change(value, { target: { value: 'ios, android,' } });
    await act(async () => {
      fireEvent.blur(value);
    });
    expect(onChange.mock.lastCall[0]).toMatchObject({
      filters: [{ field: 'platform', op: 'in', value: ['ios', 'android'] }],
    });
    expect(onRunQuery).toHaveBeenCalledTimes(2);
  });

  test('group by keeps at most two fields', async () => {
    const query: CaasQuery = {
      refId: 'A',
      version: 1,
      ...defaultBuilder('timeseries'),
      group_by: ['platform', 'country'],
    };
    const { onChange } = await renderEditor(query);
    await pickOption(ids.groupBy, 'device');
    expect(onChange.mock.lastCall[0].group_by).toEqual(['country', 'device']);
  });

  test('a property metric asks for the property and saves it as properties.<key>', async () => {
    const query: CaasQuery = { refId: 'A', version: 1, ...defaultBuilder('timeseries') };
    const { onChange, rerender } = await renderEditor(query);
    await pickOption(ids.metric, 'Average of');
    const avg = onChange.mock.lastCall[0] as CaasQuery;
    expect(avg).toMatchObject({ metric: { type: 'avg', property: '' } });
    await rerender(avg);
    const property = screen.getByTestId(ids.metricProperty);
    fireEvent.change(property, { target: { value: 'duration_s' } });
    fireEvent.blur(property);
    expect(onChange.mock.lastCall[0].metric).toEqual({ type: 'avg', property: 'properties.duration_s' });
  });
});
