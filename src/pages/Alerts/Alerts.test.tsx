import '../../datasource/test/jsdom';
import React from 'react';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { OrgRole } from '@grafana/data';
import { type BackendSrvRequest, config, getBackendSrv } from '@grafana/runtime';
import Alerts from './Alerts';
import type { AmGroup, AmSilence, AmStatus, EventRulePreview, MetricRule, MonitoringRule } from '../../api/alerts';
import { testIds } from '../../components/testIds';
import { labels } from '../../labels';
import { httpError, ok, tenantsResponse } from '../../test/fixtures';
import { renderAt } from '../../test/router';
import { fieldOfError } from './rule-form';
import { ApiError } from '../../api/errors';

jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getBackendSrv: jest.fn(),
}));

const WAIT = { timeout: 10_000 };
const PROXY = '/api/plugin-proxy/caas-observatory-app/api';
const fetchMock = jest.fn();

const status: AmStatus = {
  url: 'http://alertmanager:9093',
  version: '0.25.0',
  uptime: '2026-12-01T09:00:00.000Z',
  cluster: { status: 'disabled', name: null, peers: 0 },
  receivers: ['caas'],
  inhibit_rules: [
    { source_matchers: ['severity="critical"'], target_matchers: ['severity="warning"'], equal: ['alertname'] },
  ],
};

function amAlert(fingerprint: string, labels: Record<string, string>, over: Partial<AmGroup['alerts'][number]> = {}) {
  return {
    labels,
    annotations: { summary: `${labels.alertname} for ${labels.tenant_id}`, runbook_url: 'https://runbooks.example/x' },
    startsAt: '2026-12-01T10:00:00.000Z',
    endsAt: '2026-12-01T11:00:00.000Z',
    updatedAt: '2026-12-01T10:00:00.000Z',
    fingerprint,
    receivers: [{ name: 'caas' }],
    status: { state: 'active', silencedBy: [], inhibitedBy: [] },
    ...over,
  };
}

const groups: AmGroup[] = [
  {
    labels: { alertname: 'HighErrorRate', tenant_id: 'acme' },
    receiver: { name: 'caas' },
    alerts: [amAlert('f1', { alertname: 'HighErrorRate', tenant_id: 'acme', severity: 'critical', service: 'api' })],
  },
  {
    labels: { alertname: 'DiskFull', tenant_id: 'globex' },
    receiver: { name: 'caas' },
    alerts: [
      amAlert(
        'f2',
        { alertname: 'DiskFull', tenant_id: 'globex', severity: 'warning' },
        { status: { state: 'suppressed', silencedBy: ['s-old'], inhibitedBy: [] } }
      ),
    ],
  },
];

const silence = (id: string, state: string, over: Partial<AmSilence> = {}): AmSilence => ({
  id,
  status: { state },
  updatedAt: '2026-12-01T10:00:00.000Z',
  matchers: [{ name: 'alertname', value: 'DiskFull', isRegex: false, isEqual: true }],
  startsAt: '2026-12-01T10:00:00.000Z',
  endsAt: '2099-12-01T12:00:00.000Z',
  createdBy: 'ops@example.com',
  comment: 'disk being replaced',
  ...over,
});

const rules: MonitoringRule[] = [
  {
    id: 'std-error-rate',
    kind: 'metric',
    name: 'HighErrorRate',
    tenant_id: null,
    severity: 'critical',
    enabled: true,
    group: 'caas-api',
    condition: 'sum(rate(x[5m])) > 0.01',
    for: '5m',
    summary: 'Error rate above 1%',
    runbook_url: null,
    state: null,
    last_evaluation: null,
    error: null,
  },
  {
    id: 'send-failures',
    kind: 'event',
    name: 'MessageSendFailures',
    tenant_id: 'acme',
    severity: 'warning',
    enabled: true,
    group: 'event-rules',
    condition: 'A > 5 (sum over the last 5m; A: timeseries)',
    for: '0s',
    summary: 'sends fail',
    runbook_url: null,
    state: 'firing',
    last_evaluation: '2026-12-01T10:00:00.000Z',
    error: 'query A: ClickHouse timed out',
  },
];

const metricRule: MetricRule = {
  id: 'std-error-rate',
  name: 'HighErrorRate',
  tenant_id: null,
  group: 'caas-api',
  expr: 'sum(rate(x[5m])) > 0.01',
  for: '5m',
  severity: 'critical',
  labels: { team: 'api' },
  annotations: { summary: 'Error rate above 1%', description: '', runbook_url: null },
  enabled: true,
  origin: 'standard',
  created_at: '2026-12-01T10:00:00.000Z',
  updated_at: '2026-12-01T10:00:00.000Z',
};

const preview: EventRulePreview = {
  tenant_id: 'acme',
  from: '2026-12-01T09:55:00.000Z',
  to: '2026-12-01T10:00:00.000Z',
  samples: { A: [{ labels: {}, value: 12 }] },
  series: [{ labels: { tenant_id: 'acme' }, annotations: {}, value: 12, inputs: { A: 12 }, active: true }],
};

interface Call {
  method: string;
  url: string;
  params?: unknown;
  data?: unknown;
}
let calls: Call[];
let handlers: Record<string, (o: BackendSrvRequest) => ReturnType<typeof ok> | ReturnType<typeof httpError>>;

function defaults(): typeof handlers {
  let silences = [silence('s-old', 'active'), silence('s-gone', 'expired')];
  return {
    'GET /v1/tenants': () => ok(tenantsResponse),
    'GET /v1/alertmanager/status': () => ok(status),
    'GET /v1/alertmanager/groups': () => ok({ groups }),
    'GET /v1/alertmanager/silences': () => ok({ silences }),
    'POST /v1/alertmanager/silences': () => ok(silence('s-new', 'active'), 201),
    'DELETE /v1/alertmanager/silences/s-old': () => {
      silences = [silence('s-old', 'expired'), silence('s-gone', 'expired')];
      return ok(silences[0]);
    },
    'GET /monitoring/rules': () => ok({ rules }),
    'POST /monitoring/test/std-error-rate': () =>
      ok({
        rule_id: 'std-error-rate',
        kind: 'metric',
        via: 'alertmanager',
        fingerprint: 'abc',
        labels: {},
        annotations: {},
        startsAt: '',
        endsAt: '',
      }),
    'PATCH /v1/alerts/event-rules/send-failures': () => ok({}),
    'GET /v1/alerts/metric-rules/std-error-rate': () => ok(metricRule),
    'PUT /v1/alerts/metric-rules/std-error-rate': () =>
      httpError(400, {
        error: {
          code: 'invalid_promql',
          message: 'Prometheus refuses this rule: expr: 1:5: parse error: unexpected right parenthesis',
          details: { problems: ['expr: 1:5: parse error: unexpected right parenthesis'] },
        },
      }),
    'POST /v1/alerts/event-rules/preview': () => ok(preview),
  };
}

beforeEach(() => {
  calls = [];
  handlers = defaults();
  fetchMock.mockReset();
  fetchMock.mockImplementation((o: BackendSrvRequest) => {
    const method = o.method ?? 'GET';
    const path = o.url.startsWith(PROXY) ? o.url.slice(PROXY.length) : o.url;
    calls.push({ method, url: path, params: o.params, data: o.data });
    const handler = handlers[`${method} ${path}`];
    return handler ? handler(o) : httpError(404, { message: 'plugin route match not found' });
  });
  jest.mocked(getBackendSrv).mockReturnValue({ fetch: fetchMock } as unknown as ReturnType<typeof getBackendSrv>);
  config.bootData.user.orgRole = OrgRole.Admin;
  config.bootData.user.login = 'grafana-admin';
});

const called = (method: string, url: string) => calls.filter((c) => c.method === method && c.url === url);

describe('pages/Alerts: active alerts', () => {
  test('groups as Alertmanager groups them: labels as heading, receiver, state, silenced by, summary, runbook', async () => {
    renderAt(<Alerts />, '/alerts');
    const list = await screen.findByTestId(testIds.alerts.groups, {}, WAIT);
    const first = within(list).getByTestId(testIds.alerts.group('caas:alertname="HighErrorRate", tenant_id="acme"'));
    expect(first).toHaveTextContent('alertname="HighErrorRate", tenant_id="acme"');
    expect(first).toHaveTextContent('receiver caas');
    expect(first).toHaveTextContent('1 alert');
    const a1 = within(first).getByTestId(testIds.alerts.alert('f1'));
    expect(a1).toHaveTextContent('critical');
    expect(a1).toHaveTextContent('active');
    expect(a1).toHaveTextContent('HighErrorRate for acme');
    expect(a1).toHaveTextContent('service="api"');
    expect(within(a1).getByRole('link', { name: /Runbook/ })).toHaveAttribute('href', 'https://runbooks.example/x');
    const a2 = within(list).getByTestId(testIds.alerts.alert('f2'));
    expect(a2).toHaveTextContent('suppressed');
    expect(a2).toHaveTextContent('silenced by s-old');
    expect(screen.getByTestId(testIds.alerts.status)).toHaveTextContent('Alertmanager 0.25.0 · receivers: caas');
    expect(screen.getByTestId(testIds.alerts.status)).toHaveTextContent('severity="critical" mutes severity="warning"');
  });

  test("Silence prefills the alert's labels as matchers, editable; creates it with the Grafana user", async () => {
    renderAt(<Alerts />, '/alerts');
    fireEvent.click(await screen.findByTestId(testIds.alerts.silenceAlert('f1'), {}, WAIT));
    const form = await screen.findByTestId(testIds.alerts.silenceForm, {}, WAIT);
    const names = [0, 1, 2, 3].map(
      (i) => (within(form).getByTestId(testIds.alerts.matcherName(i)) as HTMLInputElement).value
    );
    expect(names).toEqual(['alertname', 'service', 'severity', 'tenant_id']);
    expect((within(form).getByTestId(testIds.alerts.matcherValue(0)) as HTMLInputElement).value).toBe('HighErrorRate');
    expect((within(form).getByTestId(testIds.alerts.silenceCreatedBy) as HTMLInputElement).value).toBe('grafana-admin');
    // Without a comment: refused before the backend.
    fireEvent.click(within(form).getByTestId(testIds.alerts.silenceSubmit));
    expect(await within(form).findByTestId(testIds.alerts.silenceError, {}, WAIT)).toHaveTextContent('comment');
    expect(called('POST', '/v1/alertmanager/silences')).toHaveLength(0);
    // Edit: drop `service`, make severity a regex, say why, 1h.
    fireEvent.click(within(form).getByTestId(testIds.alerts.matcherRemove(1)));
    fireEvent.change(within(form).getByTestId(testIds.alerts.matcherValue(1)), {
      target: { value: 'critical|warning' },
    });
    fireEvent.click(within(within(form).getByTestId(testIds.alerts.matcher(1))).getByLabelText('Regex'));
    fireEvent.change(within(form).getByTestId(testIds.alerts.silenceDuration), { target: { value: '1h' } });
    fireEvent.change(within(form).getByTestId(testIds.alerts.silenceComment), { target: { value: 'deploying a fix' } });
    fireEvent.click(within(form).getByTestId(testIds.alerts.silenceSubmit));
    expect(await screen.findByTestId(testIds.alerts.notice, {}, WAIT)).toHaveTextContent('Silence s-new created.');
    expect(called('POST', '/v1/alertmanager/silences').map((c) => c.data)).toEqual([
      {
        matchers: [
          { name: 'alertname', value: 'HighErrorRate', isEqual: true, isRegex: false },
          { name: 'severity', value: 'critical|warning', isEqual: true, isRegex: true },
          { name: 'tenant_id', value: 'acme', isEqual: true, isRegex: false },
        ],
        duration: '1h',
        comment: 'deploying a fix',
        createdBy: 'grafana-admin',
      },
    ]);
    expect(screen.queryByTestId(testIds.alerts.silenceForm)).toBeNull();
  });

  test('Alertmanager refuses the silence: its reason shows in the form', async () => {
    handlers['POST /v1/alertmanager/silences'] = () =>
      httpError(400, { error: { code: 'alertmanager_refused', message: 'invalid regular expression "(": missing )' } });
    renderAt(<Alerts />, '/alerts');
    fireEvent.click(await screen.findByTestId(testIds.alerts.silenceAlert('f1'), {}, WAIT));
    const form = await screen.findByTestId(testIds.alerts.silenceForm, {}, WAIT);
    fireEvent.change(within(form).getByTestId(testIds.alerts.silenceComment), { target: { value: 'x' } });
    fireEvent.click(within(form).getByTestId(testIds.alerts.silenceSubmit));
    expect(await within(form).findByTestId(testIds.alerts.silenceError, {}, WAIT)).toHaveTextContent(
      'invalid regular expression'
    );
  });

  test('a tenant picked in the header filters the groups by its tenant_id label', async () => {
    renderAt(<Alerts />, '/alerts?tenant=acme');
    await screen.findByTestId(testIds.alerts.groups, {}, WAIT);
    expect(called('GET', '/v1/alertmanager/groups').map((c) => c.params)).toContainEqual({
      filter: 'tenant_id="acme"',
    });
  });

  test('no alerts: all quiet, and what would make alerts appear', async () => {
    handlers['GET /v1/alertmanager/groups'] = () => ok({ groups: [] });
    renderAt(<Alerts />, '/alerts');
    const empty = await screen.findByTestId(testIds.alerts.empty, {}, WAIT);
    expect(empty).toHaveTextContent(labels.alerts.active.empty);
    expect(empty).toHaveTextContent('"Test" on the Rules tab');
  });

  test('no Alertmanager configured: grouping and silences need it, alerts go to incidents', async () => {
    handlers['GET /v1/alertmanager/status'] = () =>
      httpError(503, { error: { code: 'alertmanager_not_configured', message: 'no Alertmanager is configured' } });
    renderAt(<Alerts />, '/alerts');
    const box = await screen.findByTestId(testIds.alerts.notConfigured, {}, WAIT);
    expect(box).toHaveTextContent('Grouping and silences need Alertmanager (ALERTMANAGER_URL)');
    expect(box).toHaveTextContent('open incidents directly');
    expect(within(box).getByRole('link', { name: /Open Incidents/ })).toHaveAttribute(
      'href',
      '/a/caas-observatory-app/incidents'
    );
    expect(called('GET', '/v1/alertmanager/groups')).toHaveLength(0);
  });

  test('the backend unreachable: says what to do; Retry asks again', async () => {
    let down = true;
    handlers['GET /v1/alertmanager/status'] = () => (down ? httpError(502, undefined) : ok(status));
    renderAt(<Alerts />, '/alerts');
    const error = await screen.findByTestId(testIds.alerts.error, {}, WAIT);
    expect(error).toHaveTextContent(/could not reach/i);
    down = false;
    fireEvent.click(within(error).getByRole('button', { name: 'Retry' }));
    await screen.findByTestId(testIds.alerts.groups, {}, WAIT);
  });
});

describe('pages/Alerts: silences', () => {
  test('active first with matchers, who, why, until; Expire expires it and reads again', async () => {
    renderAt(<Alerts />, '/alerts?tab=silences');
    const table = await screen.findByTestId(testIds.alerts.silences, {}, WAIT);
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows[0]).toHaveTextContent('active');
    expect(rows[0]).toHaveTextContent('alertname="DiskFull"');
    expect(rows[0]).toHaveTextContent('ops@example.com');
    expect(rows[0]).toHaveTextContent('disk being replaced');
    expect(rows[1]).toHaveTextContent('expired');
    expect(within(rows[1]!).queryByRole('button', { name: /Expire/ })).toBeNull();
    fireEvent.click(within(table).getByTestId(testIds.alerts.expire('s-old')));
    expect(await screen.findByTestId(testIds.alerts.notice, {}, WAIT)).toHaveTextContent('Silence s-old expired.');
    expect(called('DELETE', '/v1/alertmanager/silences/s-old')).toHaveLength(1);
    await waitFor(() => expect(screen.queryByTestId(testIds.alerts.expire('s-old'))).toBeNull(), WAIT);
  });

  test('no silences', async () => {
    handlers['GET /v1/alertmanager/silences'] = () => ok({ silences: [] });
    renderAt(<Alerts />, '/alerts?tab=silences');
    expect(await screen.findByTestId(testIds.alerts.empty, {}, WAIT)).toHaveTextContent(labels.alerts.silences.empty);
  });
});

describe('pages/Alerts: rules', () => {
  test('both kinds with severity, tenant, state, last evaluation and health; the rule file link', async () => {
    renderAt(<Alerts />, '/alerts?tab=rules');
    const table = await screen.findByTestId(testIds.alerts.rules, {}, WAIT);
    const metric = within(table).getByTestId(testIds.alerts.rule('metric', 'std-error-rate')).closest('tr')!;
    expect(metric).toHaveTextContent('HighErrorRate');
    expect(metric).toHaveTextContent('metric');
    expect(metric).toHaveTextContent('platform');
    expect(metric).toHaveTextContent('unknown');
    expect(metric).toHaveTextContent('never');
    const event = within(table).getByTestId(testIds.alerts.rule('event', 'send-failures')).closest('tr')!;
    expect(event).toHaveTextContent('event');
    expect(event).toHaveTextContent('acme');
    expect(event).toHaveTextContent('firing');
    expect(event).toHaveTextContent('query A: ClickHouse timed out');
    expect(screen.getByTestId(testIds.alerts.rulesFile)).toHaveAttribute('href', `${PROXY}/v1/alerts/rules.yml`);
  });

  test('Test fires through the real route and says what happened, with a link to the incidents', async () => {
    renderAt(<Alerts />, '/alerts?tab=rules');
    fireEvent.click(await screen.findByTestId(testIds.alerts.test('metric', 'std-error-rate'), {}, WAIT));
    const notice = await screen.findByTestId(testIds.alerts.notice, {}, WAIT);
    expect(notice).toHaveTextContent('sent to Alertmanager: it went through the real route');
    expect(within(notice).getByRole('link', { name: /See it in Incidents/ })).toHaveAttribute(
      'href',
      '/a/caas-observatory-app/incidents'
    );
    expect(called('POST', '/monitoring/test/std-error-rate').map((c) => c.params)).toEqual([{ kind: 'metric' }]);
  });

  test('Disable patches enabled=false', async () => {
    renderAt(<Alerts />, '/alerts?tab=rules');
    fireEvent.click(await screen.findByTestId(testIds.alerts.toggle('event', 'send-failures'), {}, WAIT));
    await waitFor(() => expect(called('PATCH', '/v1/alerts/event-rules/send-failures')).toHaveLength(1), WAIT);
    expect(called('PATCH', '/v1/alerts/event-rules/send-failures')[0]!.data).toEqual({ enabled: false });
  });

  test("the editor shows promtool's reason for a 400 next to the expression", async () => {
    renderAt(<Alerts />, '/alerts?tab=rules&rule=metric:std-error-rate');
    const editor = await screen.findByTestId(testIds.alerts.editor, {}, WAIT);
    const expr = (await within(editor).findByTestId(
      testIds.alerts.editorField('expr'),
      {},
      WAIT
    )) as HTMLTextAreaElement;
    expect(expr.value).toBe('sum(rate(x[5m])) > 0.01');
    expect((within(editor).getByTestId(testIds.alerts.editorField('labels')) as HTMLTextAreaElement).value).toBe(
      'team=api'
    );
    fireEvent.change(expr, { target: { value: 'sum(rate(x[5m])))' } });
    fireEvent.click(within(editor).getByTestId(testIds.alerts.save));
    expect(await within(editor).findByTestId(testIds.alerts.fieldError('expr'), {}, WAIT)).toHaveTextContent(
      'unexpected right parenthesis'
    );
    const put = called('PUT', '/v1/alerts/metric-rules/std-error-rate');
    expect(put).toHaveLength(1);
    expect(put[0]!.data).toMatchObject({ expr: 'sum(rate(x[5m])))', for: '5m', labels: { team: 'api' } });
    expect(put[0]!.data).not.toHaveProperty('id');
  });

  test('a new event rule: Preview shows the values and whether the condition would fire; Save posts it', async () => {
    handlers['POST /v1/alerts/event-rules'] = () => ok({}, 201);
    renderAt(<Alerts />, '/alerts?tab=rules');
    fireEvent.click(await screen.findByTestId(testIds.alerts.newRule('event'), {}, WAIT));
    const editor = await screen.findByTestId(testIds.alerts.editor, {}, WAIT);
    fireEvent.change(await within(editor).findByTestId(testIds.alerts.editorField('name'), {}, WAIT), {
      target: { value: 'ManySends' },
    });
    fireEvent.change(within(editor).getByTestId(testIds.alerts.editorField('threshold')), { target: { value: '10' } });
    fireEvent.change(within(editor).getByTestId(testIds.alerts.editorField('summary')), {
      target: { value: 'many sends' },
    });
    fireEvent.click(within(editor).getByTestId(testIds.alerts.preview));
    const result = await within(editor).findByTestId(testIds.alerts.previewResult, {}, WAIT);
    expect(result).toHaveTextContent('A: 12');
    expect(result).toHaveTextContent('condition holds now: it would fire');
    const body = called('POST', '/v1/alerts/event-rules/preview')[0]!.data as Record<string, unknown>;
    expect(body).toMatchObject({
      name: 'ManySends',
      window: '5m',
      queries: { A: { kind: 'timeseries', metric: { type: 'events' }, event_types: ['message_sent'] } },
      condition: { reducer: 'sum', op: '>', threshold: 10 },
    });
    expect(body).not.toHaveProperty('enabled');
    fireEvent.click(within(editor).getByTestId(testIds.alerts.save));
    expect(await screen.findByTestId(testIds.alerts.notice, {}, WAIT)).toHaveTextContent('Rule ManySends saved.');
    expect(called('POST', '/v1/alerts/event-rules')).toHaveLength(1);
  });

  test('bad query parameters are caught at the field, before the backend', async () => {
    renderAt(<Alerts />, '/alerts?tab=rules&rule=new:event');
    const editor = await screen.findByTestId(testIds.alerts.editor, {}, WAIT);
    fireEvent.change(await within(editor).findByTestId(testIds.alerts.editorField('query-params-A'), {}, WAIT), {
      target: { value: '{not json' },
    });
    fireEvent.click(within(editor).getByTestId(testIds.alerts.save));
    expect(await within(editor).findByTestId(testIds.alerts.fieldError('queries'), {}, WAIT)).toHaveTextContent(
      'not a JSON object'
    );
    expect(called('POST', '/v1/alerts/event-rules')).toHaveLength(0);
  });

  test('no rules', async () => {
    handlers['GET /monitoring/rules'] = () => ok({ rules: [] });
    renderAt(<Alerts />, '/alerts?tab=rules');
    expect(await screen.findByTestId(testIds.alerts.empty, {}, WAIT)).toHaveTextContent(labels.alerts.rules.empty);
  });

  test('rules unreachable: the error says what to do', async () => {
    handlers['GET /monitoring/rules'] = () => httpError(502, undefined);
    renderAt(<Alerts />, '/alerts?tab=rules');
    expect(await screen.findByTestId(testIds.alerts.error, {}, WAIT)).toHaveTextContent(/could not reach/i);
  });
});

describe('pages/Alerts: a Viewer', () => {
  beforeEach(() => {
    config.bootData.user.orgRole = OrgRole.Viewer;
  });

  test('sees everything read-only: every action disabled, told who can act', async () => {
    renderAt(<Alerts />, '/alerts');
    expect(await screen.findByTestId(testIds.alerts.viewerNotice, {}, WAIT)).toHaveTextContent('Grafana Admin');
    expect(await screen.findByTestId(testIds.alerts.silenceAlert('f1'), {}, WAIT)).toHaveAttribute(
      'aria-disabled',
      'true'
    );

    fireEvent.click(screen.getByTestId(testIds.alerts.tab('silences')));
    expect(await screen.findByTestId(testIds.alerts.expire('s-old'), {}, WAIT)).toHaveAttribute(
      'aria-disabled',
      'true'
    );

    fireEvent.click(screen.getByTestId(testIds.alerts.tab('rules')));
    expect(await screen.findByTestId(testIds.alerts.test('metric', 'std-error-rate'), {}, WAIT)).toHaveAttribute(
      'aria-disabled',
      'true'
    );
    expect(screen.getByTestId(testIds.alerts.toggle('event', 'send-failures'))).toHaveAttribute(
      'aria-disabled',
      'true'
    );
    expect(screen.getByTestId(testIds.alerts.newRule('metric'))).toHaveAttribute('aria-disabled', 'true');
    // The editor opens read-only: Save disabled; Preview (a read) stays.
    fireEvent.click(screen.getByTestId(testIds.alerts.edit('metric', 'std-error-rate')));
    const editor = await screen.findByTestId(testIds.alerts.editor, {}, WAIT);
    expect(await within(editor).findByTestId(testIds.alerts.editorField('expr'), {}, WAIT)).toBeDisabled();
    expect(within(editor).getByTestId(testIds.alerts.save)).toHaveAttribute('aria-disabled', 'true');
    // A click on a disabled action does nothing.
    fireEvent.click(within(editor).getByTestId(testIds.alerts.save));
    fireEvent.click(screen.getByTestId(testIds.alerts.test('metric', 'std-error-rate')));
    expect(calls.filter((c) => c.method !== 'GET')).toEqual([]);
  });
});

describe('pages/Alerts: which field a 400 is about', () => {
  const bad = (code: string, message: string, details?: unknown) =>
    new ApiError(400, { error: { code, message, ...(details ? { details } : {}) } });
  test.each([
    [bad('invalid_promql', 'Prometheus refuses this rule: expr: parse error'), 'expr'],
    [bad('invalid_metric_rule', "annotations.runbook_url 'x' is not an http(s) URL"), 'runbook'],
    [bad('invalid_metric_rule', 'Prometheus refuses this rule: for: bad duration'), 'for'],
    [bad('FST_ERR_VALIDATION', 'body/for must NOT have fewer than 1 characters'), 'for'],
    [bad('invalid_event_rule', "condition.expression 'A +' is not valid"), 'expression'],
    [bad('unknown_tenant', "tenant 'nope' does not exist"), 'tenant'],
    [bad('invalid_event_rule', 'something else entirely'), undefined],
  ])('%#', (error, field) => {
    expect(fieldOfError(error)).toBe(field);
  });
  test('not a 400: shown above the form', () => {
    expect(fieldOfError(new ApiError(503, { error: { code: 'x', message: 'expr: down' } }))).toBeUndefined();
  });
});
