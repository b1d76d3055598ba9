import '../../datasource/test/jsdom';
import React from 'react';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { OrgRole } from '@grafana/data';
import { type BackendSrvRequest, config, getBackendSrv } from '@grafana/runtime';
import Incidents from './Incidents';
import type { Incident, IncidentDetail } from '../../api/incidents';
import { testIds } from '../../components/testIds';
import { labels } from '../../labels';
import { httpError, ok, tenantsResponse } from '../../test/fixtures';
import { renderAt } from '../../test/router';

jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getBackendSrv: jest.fn(),
}));

const WAIT = { timeout: 10_000 };
const PROXY = '/api/plugin-proxy/caas-observatory-app/api';
const fetchMock = jest.fn();

function incident(over: Partial<Incident> = {}): Incident {
  return {
    id: 'inc_0000000000000001',
    group_key: '{}:{alertname="HighErrorRate"}',
    tenant_id: 'acme',
    state: 'triggered',
    title: 'HighErrorRate',
    severity: 'critical',
    service: 'api-gateway',
    summary: 'Error rate above 1% for acme',
    description: '5xx share is 3.2%',
    runbook_url: 'https://runbooks.example/high-error-rate',
    labels: { alertname: 'HighErrorRate', tenant_id: 'acme' },
    annotations: {},
    via: 'alertmanager',
    receiver: 'caas',
    external_url: 'http://alertmanager:9093',
    created_at: '2026-12-01T10:00:00.000Z',
    updated_at: '2026-12-01T10:00:00.000Z',
    acknowledged_at: null,
    acknowledged_by: null,
    resolved_at: null,
    resolved_by: null,
    snoozed_until: null,
    alerts_firing: 1,
    alerts_total: 1,
    postmortem: null,
    escalation: {
      policy_id: 'esc-default',
      state: 'running',
      next: { pass: 0, step: 1, at: '2099-12-01T10:15:00.000Z' },
    },
    ...over,
  };
}

function detail(over: Partial<Incident> = {}): IncidentDetail {
  return {
    ...incident(over),
    alerts: [
      {
        fingerprint: 'f1',
        status: 'firing',
        labels: { alertname: 'HighErrorRate', tenant_id: 'acme', severity: 'critical' },
        annotations: {},
        starts_at: '2026-12-01T09:59:00.000Z',
        ends_at: null,
        generator_url: '',
        first_seen_at: '2026-12-01T10:00:00.000Z',
        updated_at: '2026-12-01T10:00:00.000Z',
      },
    ],
    timeline: [
      {
        id: 't1',
        at: '2026-12-01T10:00:00.000Z',
        kind: 'triggered',
        actor: { type: 'alertmanager', id: null, name: null },
        message: 'Alertmanager: 1 alert firing',
        detail: {},
        notification_id: 'n1',
        delivery_id: null,
        repeats: 2,
        last_received_at: null,
      },
    ],
  };
}

let current: IncidentDetail;
const posted: string[] = [];

beforeEach(() => {
  fetchMock.mockReset();
  posted.length = 0;
  current = detail();
  fetchMock.mockImplementation((o: BackendSrvRequest) => {
    const url = o.url;
    if (url === `${PROXY}/v1/tenants`) {
      return ok(tenantsResponse);
    }
    if (url === `${PROXY}/v1/incidents`) {
      const state = (o.params as Record<string, string> | undefined)?.state;
      const { alerts: _a, timeline: _t, ...row } = current;
      return ok({ incidents: row.state === state ? [row] : [], next_cursor: null });
    }
    if (url === `${PROXY}/v1/incidents/${current.id}` && (o.method ?? 'GET') === 'GET') {
      return ok(current);
    }
    const action = url.match(/\/v1\/incidents\/[^/]+\/(\w+)$/)?.[1];
    if (action && o.method === 'POST') {
      posted.push(`${action} ${JSON.stringify(o.data)}`);
      if (action === 'resolve' && current.state === 'resolved') {
        return httpError(409, { error: { code: 'conflict', message: 'the incident is resolved already' } });
      }
      current = detail({
        state:
          action === 'acknowledge' || action === 'snooze'
            ? 'acknowledged'
            : action === 'resolve'
              ? 'resolved'
              : 'triggered',
      });
      return ok(current);
    }
    return httpError(404, { message: 'plugin route match not found' });
  });
  jest.mocked(getBackendSrv).mockReturnValue({ fetch: fetchMock } as unknown as ReturnType<typeof getBackendSrv>);
  config.bootData.user.orgRole = OrgRole.Admin;
});

describe('pages/Incidents', () => {
  test('lists open incidents (triggered and acknowledged) with severity, tenant, alerts and the next page', async () => {
    renderAt(<Incidents />, '/incidents');
    const table = await screen.findByTestId(testIds.incidents.table, {}, WAIT);
    const row = within(table).getByTestId(testIds.incidents.open(current.id)).closest('tr')!;
    expect(row).toHaveTextContent('critical');
    expect(row).toHaveTextContent('HighErrorRate');
    expect(row).toHaveTextContent('acme');
    expect(row).toHaveTextContent('Triggered');
    expect(row).toHaveTextContent('1 / 1');
    expect(row).toHaveTextContent(/step 2 in /);
    const states = fetchMock.mock.calls
      .map((c) => c[0] as BackendSrvRequest)
      .filter((o) => o.url === `${PROXY}/v1/incidents`)
      .map((o) => (o.params as Record<string, string>).state);
    expect(states.sort()).toEqual(['acknowledged', 'triggered']);
  });

  test('the detail (in the URL) shows alerts and timeline; acknowledge, snooze and resolve act and read again', async () => {
    const view = renderAt(<Incidents />, '/incidents');
    fireEvent.click(await screen.findByTestId(testIds.incidents.open(current.id), {}, WAIT));
    await waitFor(() => expect(view.search().get('incident')).toBe(current.id), WAIT);
    const d = await screen.findByTestId(testIds.incidents.detail, {}, WAIT);
    await within(d).findByTestId(testIds.incidents.timeline, {}, WAIT);
    expect(within(d).getByTestId(testIds.incidents.alerts)).toHaveTextContent('firing · HighErrorRate');
    expect(within(d).getByTestId(testIds.incidents.timeline)).toHaveTextContent(
      'Alertmanager: 1 alert firing (sent again 2×)'
    );
    expect(within(d).getByRole('link', { name: /Runbook/ })).toHaveAttribute('href', current.runbook_url);

    fireEvent.click(within(d).getByTestId(testIds.incidents.action('acknowledge')));
    await within(d).findByTestId(testIds.incidents.action('unacknowledge'), {}, WAIT);
    expect(posted).toEqual(['acknowledge {}']);

    fireEvent.click(within(d).getByTestId(testIds.incidents.action('resolve')));
    await waitFor(() => expect(posted).toHaveLength(2), WAIT);
    await waitFor(() => expect(within(d).queryByTestId(testIds.incidents.action('resolve'))).toBeNull(), WAIT);

    fireEvent.click(within(d).getByTestId(testIds.incidents.close));
    await waitFor(() => expect(view.search().get('incident')).toBeNull(), WAIT);
  });

  test('a Viewer sees no actions and is told who can act', async () => {
    config.bootData.user.orgRole = OrgRole.Viewer;
    renderAt(<Incidents />, `/incidents?incident=${current.id}`);
    const d = await screen.findByTestId(testIds.incidents.detail, {}, WAIT);
    expect(await within(d).findByTestId(testIds.incidents.adminOnly, {}, WAIT)).toHaveTextContent(
      'Only Grafana Editors and Admins'
    );
    expect(within(d).queryByTestId(testIds.incidents.action('acknowledge'))).toBeNull();
  });

  test('an Editor acts on incidents (the Editor route sends the responder key)', async () => {
    config.bootData.user.orgRole = OrgRole.Editor;
    renderAt(<Incidents />, `/incidents?incident=${current.id}`);
    const d = await screen.findByTestId(testIds.incidents.detail, {}, WAIT);
    expect(await within(d).findByTestId(testIds.incidents.action('acknowledge'), {}, WAIT)).toBeEnabled();
    expect(within(d).queryByTestId(testIds.incidents.adminOnly)).toBeNull();
  });

  test('an action the backend refuses says why; an unreachable backend says what to do', async () => {
    const base = fetchMock.getMockImplementation()!;
    fetchMock.mockImplementation((o: BackendSrvRequest) =>
      o.method === 'POST'
        ? httpError(409, { error: { code: 'conflict', message: 'the incident was resolved meanwhile' } })
        : base(o)
    );
    renderAt(<Incidents />, `/incidents?incident=${current.id}`);
    const d = await screen.findByTestId(testIds.incidents.detail, {}, WAIT);
    fireEvent.click(await within(d).findByTestId(testIds.incidents.action('acknowledge'), {}, WAIT));
    expect(await within(d).findByTestId(testIds.incidents.actionError, {}, WAIT)).toHaveTextContent(
      'the incident was resolved meanwhile'
    );

    fetchMock.mockImplementation((o: BackendSrvRequest) =>
      o.url === `${PROXY}/v1/incidents` ? httpError(502, undefined) : base(o)
    );
    renderAt(<Incidents />, '/incidents?state=resolved');
    expect(await screen.findByTestId(testIds.incidents.error, {}, WAIT)).toHaveTextContent(/could not reach/i);
  });

  test('no open incidents: says what opens one', async () => {
    current = detail({ state: 'resolved' });
    renderAt(<Incidents />, '/incidents');
    expect(await screen.findByTestId(testIds.incidents.empty, {}, WAIT)).toHaveTextContent(
      labels.incidents.empty('open')
    );
  });
});
