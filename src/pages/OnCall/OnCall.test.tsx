import '../../datasource/test/jsdom';
import React from 'react';
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { OrgRole } from '@grafana/data';
import { type BackendSrvRequest, config, getBackendSrv } from '@grafana/runtime';
import OnCall from './OnCall';
import type { Channel, ChannelDelivery, EscalationPolicy, Responder, Schedule, Shift } from '../../api/oncall';
import { testIds } from '../../components/testIds';
import { labels } from '../../labels';
import { httpError, ok, tenantsResponse } from '../../test/fixtures';
import { renderAt } from '../../test/router';
import { calendarDays, localInputToIso, policyFieldOfError } from './oncall-view';
import { scheduleBody, toLayers } from './Schedules';
import { ApiError } from '../../api/errors';

jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getBackendSrv: jest.fn(),
}));

const WAIT = { timeout: 10_000 };
const PROXY = '/api/plugin-proxy/caas-observatory-app/api';
const fetchMock = jest.fn();
const T0 = '2026-01-01T00:00:00.000Z';

const ada: Responder = {
  id: 'ada',
  tenant_id: null,
  name: 'Ada',
  email: 'ada@example.com',
  phone: null,
  slack_user_id: null,
  created_at: T0,
  updated_at: T0,
};
const bob: Responder = { ...ada, id: 'bob', name: 'Bob', email: 'bob@example.com' };

const berlin: Schedule = {
  id: 'primary',
  tenant_id: null,
  name: 'Primary',
  time_zone: 'Europe/Berlin',
  layers: [
    {
      name: 'Week',
      priority: 0,
      participants: ['ada', 'bob'],
      rotation: 'daily',
      every: 1,
      handoff: '09:00',
      handoff_weekday: null,
      starts_at: '2026-03-01',
      restriction: null,
    },
  ],
  overrides: [
    {
      id: 'ov1',
      responder_id: 'bob',
      from: '2026-03-28T10:00:00.000Z',
      to: '2026-03-28T14:00:00.000Z',
      note: 'swap',
      created_at: T0,
    },
  ],
  ical: null,
  created_at: T0,
  updated_at: T0,
};

function shift(
  who: Responder,
  start: string,
  end: string,
  zoneStart: string,
  zoneEnd: string,
  source: Shift['source'] = 'layer'
): Shift {
  return {
    responder_id: who.id,
    responder: { id: who.id, name: who.name },
    start,
    end,
    start_local: zoneStart,
    end_local: zoneEnd,
    hours: (Date.parse(end) - Date.parse(start)) / 3_600_000,
    source,
    layer: source === 'layer' ? 'Week' : null,
    override_id: source === 'override' ? 'ov1' : null,
  };
}

// Daily hand-off at 09:00 Berlin across the change to summer time (2026-03-29 02:00 CET → 03:00 CEST):
// 09:00 CET is 08:00Z, 09:00 CEST is 07:00Z.
const SHIFTS: Shift[] = [
  shift(
    ada,
    '2026-03-28T08:00:00.000Z',
    '2026-03-29T07:00:00.000Z',
    '2026-03-28T09:00:00+01:00',
    '2026-03-29T09:00:00+02:00'
  ),
  shift(
    bob,
    '2026-03-29T07:00:00.000Z',
    '2026-03-30T07:00:00.000Z',
    '2026-03-29T09:00:00+02:00',
    '2026-03-30T09:00:00+02:00'
  ),
];

const policy: EscalationPolicy = {
  id: 'ladder',
  name: 'Ladder',
  tenant_id: null,
  is_default: true,
  steps: [
    { wait_minutes: 0, targets: [{ type: 'schedule', schedule: 'primary' }], important: false },
    { wait_minutes: 15, targets: [{ type: 'user', user: 'bob' }], important: true },
  ],
  repeat: { times: 0, after_minutes: 15 },
  reminder_minutes: 30,
  origin: 'custom',
  created_at: T0,
  updated_at: T0,
};

const hook: Channel = {
  id: 'ch_00000000000000aa',
  tenant_id: 'acme',
  kind: 'webhook',
  name: 'Ops hook',
  enabled: true,
  settings: { url: 'https://hooks.example/ops' },
  secret: { set: true, hint: '…f00d' },
  created_at: T0,
  updated_at: T0,
};

function delivery(status: ChannelDelivery['status']): ChannelDelivery {
  return {
    id: 'dlv_000000000000000000000001',
    tenant_id: 'acme',
    kind: 'webhook',
    destination: 'https://hooks.example/ops',
    idempotency_key: 'k',
    status,
    attempts: status === 'queued' ? 0 : 1,
    last_error: null,
    response_status: status === 'sent' ? 200 : null,
    job_id: null,
    created_at: '2026-03-25T12:00:00.000Z',
    sent_at: status === 'sent' ? '2026-03-25T12:00:01.000Z' : null,
    channel_id: hook.id,
    incident_id: null,
    event: 'trigger',
    test: true,
  };
}

interface World {
  schedules: Schedule[];
  responders: Responder[];
  policies: EscalationPolicy[];
  channels: Channel[];
  deliveries: ChannelDelivery[];
  down: boolean;
  policyAnswer?: () => ReturnType<typeof httpError>;
}
let world: World;
const calls: string[] = [];

beforeEach(() => {
  fetchMock.mockReset();
  calls.length = 0;
  world = {
    schedules: [berlin],
    responders: [ada, bob],
    policies: [policy],
    channels: [hook],
    deliveries: [],
    down: false,
  };
  fetchMock.mockImplementation((o: BackendSrvRequest) => {
    const url = o.url.replace(PROXY, '');
    const method = o.method ?? 'GET';
    calls.push(`${method} ${url}${o.data ? ` ${JSON.stringify(o.data)}` : ''}`);
    if (url === '/v1/tenants') {
      return ok(tenantsResponse);
    }
    if (world.down) {
      return httpError(502, undefined);
    }
    switch (`${method} ${url}`) {
      case 'GET /v1/oncall/now':
        return ok({
          at: '2026-03-28T12:00:00.000Z',
          schedules: world.schedules.map((s) => ({
            schedule_id: s.id,
            name: s.name,
            tenant_id: s.tenant_id,
            time_zone: s.time_zone,
            on_call: [{ id: 'bob', name: 'Bob' }],
            shift: shift(bob, '2026-03-28T10:00:00.000Z', '2026-03-28T14:00:00.000Z', '', '', 'override'),
            next_handoff: { at: '2026-03-28T14:00:00.000Z', to: { id: 'ada', name: 'Ada' } },
          })),
        });
      case 'GET /v1/oncall/schedules':
        return ok({ schedules: world.schedules });
      case 'GET /v1/oncall/responders':
        return ok({ responders: world.responders });
      case `GET /v1/oncall/schedules/${berlin.id}/shifts`:
        return ok({ schedule_id: berlin.id, time_zone: berlin.time_zone, from: '', to: '', shifts: SHIFTS });
      case `DELETE /v1/oncall/schedules/${berlin.id}/overrides/ov1`:
        world.schedules = [{ ...berlin, overrides: [] }];
        return ok(world.schedules[0]);
      case 'DELETE /v1/oncall/responders/ada':
        return httpError(409, {
          error: { code: 'conflict', message: "responder 'ada' is in schedule 'primary': take them out of it first" },
        });
      case `DELETE /v1/alerts/channels/${hook.id}`:
        world.channels = world.channels.filter((c) => c.id !== hook.id);
        return ok({ id: hook.id });
      case 'GET /v1/escalation-policies':
        return ok({ policies: world.policies });
      case `PUT /v1/escalation-policies/${policy.id}`:
        return world.policyAnswer ? world.policyAnswer() : ok(policy);
      case 'GET /v1/alerts/channels':
        return ok({ channels: world.channels });
      case `POST /v1/alerts/channels/${hook.id}/test`:
        world.deliveries = [delivery('queued')];
        return ok({
          channel_id: hook.id,
          delivery_id: 'dlv_000000000000000000000001',
          delivery_ids: ['dlv_000000000000000000000001'],
        });
      case `GET /v1/alerts/channels/${hook.id}/deliveries`: {
        const answer = { deliveries: world.deliveries };
        // The worker sends it between two looks.
        world.deliveries = world.deliveries.map(() => delivery('sent'));
        return ok(answer);
      }
    }
    return httpError(404, { message: 'plugin route match not found' });
  });
  jest.mocked(getBackendSrv).mockReturnValue({ fetch: fetchMock } as unknown as ReturnType<typeof getBackendSrv>);
  config.bootData.user.orgRole = OrgRole.Admin;
  jest.spyOn(Date, 'now').mockReturnValue(Date.parse('2026-03-25T12:30:00.000Z'));
});

/** Grafana's Button with a tooltip (the reason) is aria-disabled and drops its onClick; without one it is disabled. */
function expectRefused(el: HTMLElement) {
  expect((el as HTMLButtonElement).disabled || el.getAttribute('aria-disabled') === 'true').toBe(true);
  expect(el).toHaveTextContent(/\S/);
}

afterEach(() => {
  jest.restoreAllMocks();
});

describe('pages/OnCall: the calendar maths', () => {
  test("days are the schedule zone's days, the DST change day is one row, and shifts show the offsets on either side", () => {
    const from = new Date('2026-03-28T00:00:00.000Z');
    const days = calendarDays(SHIFTS, 'Europe/Berlin', from, new Date('2026-03-31T00:00:00.000Z'));
    expect(days.map((d) => d.date)).toEqual(['2026-03-28', '2026-03-29', '2026-03-30', '2026-03-31']);
    const [d28, d29, d30] = days;
    expect(d28!.entries.map((e) => `${e.start}-${e.end} ${e.abbr} ${e.shift.responder_id}`)).toEqual([
      '09:00-… CET ada',
    ]);
    // 29 March: Ada until 09:00 local (now CEST), Bob from 09:00 CEST; 23 hours long, still one row.
    expect(d29!.entries.map((e) => `${e.start}-${e.end} ${e.abbr} ${e.shift.responder_id}`)).toEqual([
      '…-09:00 CET ada',
      '09:00-… CEST bob',
    ]);
    expect(d30!.entries.map((e) => `${e.start}-${e.end} ${e.shift.responder_id}`)).toEqual(['…-09:00 bob']);
    // The same instants in New York are other days and hours.
    const ny = calendarDays(SHIFTS, 'America/New_York', from, new Date('2026-03-30T00:00:00.000Z'));
    expect(ny[0]!.date).toBe('2026-03-27');
    expect(ny.find((d) => d.date === '2026-03-28')!.entries[0]!.start).toBe('04:00');
  });

  test('an override typed in the form is read in the schedule zone, not the browser one', () => {
    expect(localInputToIso('2026-03-29T10:00', 'Europe/Berlin')).toBe('2026-03-29T08:00:00.000Z');
    expect(localInputToIso('2026-03-28T10:00', 'Europe/Berlin')).toBe('2026-03-28T09:00:00.000Z');
    expect(localInputToIso('not a time', 'Europe/Berlin')).toBeUndefined();
  });

  test("a policy 400 names its field: ajv's instancePath or the backend's message", () => {
    const ajv = new ApiError(400, {
      error: {
        code: 'invalid_request',
        message: 'body/steps/1/wait_minutes must be <= 10080',
        details: [{ instancePath: '/steps/1/wait_minutes' }],
      },
    });
    expect(policyFieldOfError(ajv)).toBe('steps.1.wait_minutes');
    const schedule = new ApiError(400, {
      error: { code: 'unknown_schedule', message: "steps[0] names schedule 'x', which the platform does not have" },
    });
    expect(policyFieldOfError(schedule)).toBe('steps.0.targets');
    expect(
      policyFieldOfError(new ApiError(409, { error: { code: 'conflict', message: 'has a default policy already' } }))
    ).toBe('is_default');
    expect(policyFieldOfError(new Error('x'))).toBeUndefined();
  });
});

describe('pages/OnCall', () => {
  test('Now: who is on call, since and until when, who is next, the override marked', async () => {
    renderAt(<OnCall />, '/oncall');
    const card = await screen.findByTestId(testIds.oncall.nowSchedule('primary'), {}, WAIT);
    expect(card).toHaveTextContent('Bob');
    expect(card).toHaveTextContent(labels.oncall.now.override);
    // 10:00Z is 11:00 CET in Berlin; the hand-off at 14:00Z is 15:00.
    expect(card).toHaveTextContent('since Sat 28 Mar 11:00');
    expect(card).toHaveTextContent('until Sat 28 Mar 15:00 · next: Ada');
    expect(card).toHaveTextContent('times in Europe/Berlin');
  });

  test.each([
    ['now', /create one/],
    ['schedules', /No schedules: create one .* import an iCal feed/],
    ['policies', /No escalation policies/],
    ['channels', /No alert channels/],
  ])('%s: the empty state says what to create first', async (tab, text) => {
    world = { ...world, schedules: [], responders: [], policies: [], channels: [] };
    renderAt(<OnCall />, `/oncall?tab=${tab}`);
    expect(await screen.findByTestId(testIds.oncall.empty, {}, WAIT)).toHaveTextContent(text);
  });

  test.each(['now', 'schedules', 'policies', 'channels'])('%s: loading, then the error with Retry', async (tab) => {
    world.down = true;
    renderAt(<OnCall />, `/oncall?tab=${tab}`);
    expect(screen.getByTestId(testIds.oncall.loading)).toBeInTheDocument();
    const error = await screen.findByTestId(testIds.oncall.error, {}, WAIT);
    expect(error).toHaveTextContent(/could not reach/i);
    world.down = false;
    fireEvent.click(within(error).getByRole('button', { name: labels.common.retry }));
    await waitFor(() => expect(screen.queryByTestId(testIds.oncall.error)).not.toBeInTheDocument(), WAIT);
  });

  test("Schedules: the two-week calendar in the schedule's zone across the DST change, overrides listed and deleted", async () => {
    renderAt(<OnCall />, '/oncall?tab=schedules');
    const calendar = await screen.findByTestId(testIds.oncall.calendar('primary'), {}, WAIT);
    expect(calendar).toHaveTextContent('Next two weeks, in Europe/Berlin (CET/CEST)');
    expect(within(calendar).getByTestId(testIds.oncall.day('primary', '2026-03-29'))).toHaveTextContent(
      '…–09:00 CET Ada09:00–… CEST Bob'
    );
    expect(within(calendar).getByTestId(testIds.oncall.day('primary', '2026-03-25'))).toHaveTextContent(
      labels.oncall.schedules.nobody
    );
    const override = screen.getByTestId(testIds.oncall.override('ov1'));
    expect(override).toHaveTextContent('Bob');
    expect(override).toHaveTextContent('Sat 28 Mar 11:00 – Sat 28 Mar 15:00');
    fireEvent.click(screen.getByTestId(testIds.oncall.deleteOverride('ov1')));
    await waitFor(() => expect(screen.queryByTestId(testIds.oncall.override('ov1'))).not.toBeInTheDocument(), WAIT);
    expect(calls).toContain('DELETE /v1/oncall/schedules/primary/overrides/ov1');
    expect(screen.getByTestId(testIds.oncall.responder('ada'))).toHaveTextContent('ada@example.com');
  });

  test("Escalation policies: the backend's 400 shows next to the step's field", async () => {
    world.policyAnswer = () =>
      httpError(400, {
        error: {
          code: 'invalid_request',
          message: 'the body: steps/1/wait_minutes must be <= 10080',
          details: [{ instancePath: '/steps/1/wait_minutes', message: 'must be <= 10080' }],
        },
      });
    renderAt(<OnCall />, '/oncall?tab=policies');
    fireEvent.click(await screen.findByTestId(testIds.oncall.editPolicy('ladder'), {}, WAIT));
    const editor = screen.getByTestId(testIds.oncall.policyEditor);
    fireEvent.change(within(editor).getByTestId(testIds.oncall.stepField(1, 'wait_minutes')), {
      target: { value: '99999' },
    });
    fireEvent.click(within(editor).getByTestId(testIds.oncall.save));
    const err = await screen.findByTestId(testIds.oncall.fieldError('steps.1.wait_minutes'), {}, WAIT);
    expect(err).toHaveTextContent('must be <= 10080');
    const put = calls.find((c) => c.startsWith('PUT /v1/escalation-policies/ladder'))!;
    expect(JSON.parse(put.slice(put.indexOf('{'))).steps[1]).toEqual({
      wait_minutes: 99999,
      important: true,
      targets: [{ type: 'user', user: 'bob' }],
    });
    expect(screen.queryByTestId(testIds.oncall.fieldError('steps.0.wait_minutes'))).not.toBeInTheDocument();
  });

  test('Channels: the secret only as set/hint; Send test shows the delivery id and its status when it settles', async () => {
    jest.useFakeTimers({ doNotFake: ['Date'] });
    try {
      renderAt(<OnCall />, '/oncall?tab=channels');
      const row = await screen.findByTestId(testIds.oncall.channel(hook.id), {}, WAIT);
      expect(row).toHaveTextContent('Ops hook');
      expect(row).toHaveTextContent('webhook');
      expect(row).toHaveTextContent('set (…f00d)');
      fireEvent.click(within(row).getByTestId(testIds.oncall.sendTest(hook.id)));
      const result = await screen.findByTestId(testIds.oncall.testResult(hook.id), {}, WAIT);
      expect(result).toHaveTextContent('dlv_000000000000000000000001');
      expect(result).toHaveTextContent('queued');
      for (let i = 0; i < 3 && !/sent/.test(result.textContent ?? ''); i++) {
        await act(async () => {
          jest.advanceTimersByTime(1_100);
        });
      }
      await waitFor(
        () => expect(screen.getByTestId(testIds.oncall.testResult(hook.id))).toHaveTextContent('sent'),
        WAIT
      );
      await waitFor(
        () => expect(screen.getByTestId(testIds.oncall.deliveries(hook.id))).toHaveTextContent('trigger (test)'),
        WAIT
      );
    } finally {
      jest.useRealTimers();
    }
  });

  test('a Viewer reads everything; every change is disabled and says why', async () => {
    config.bootData.user.orgRole = OrgRole.Viewer;
    renderAt(<OnCall />, '/oncall?tab=schedules');
    expect(await screen.findByTestId(testIds.oncall.viewerNotice, {}, WAIT)).toBeInTheDocument();
    await screen.findByTestId(testIds.oncall.calendar('primary'), {}, WAIT);
    for (const id of [
      testIds.oncall.newSchedule,
      testIds.oncall.deleteOverride('ov1'),
      testIds.oncall.addOverride('primary'),
      testIds.oncall.editSchedule('primary'),
      testIds.oncall.newResponder,
    ]) {
      expectRefused(screen.getByTestId(id));
    }
    fireEvent.click(screen.getByTestId(testIds.oncall.newSchedule));
    expect(screen.queryByTestId(testIds.oncall.scheduleForm)).not.toBeInTheDocument();
    fireEvent.click(screen.getByTestId(testIds.oncall.tab('channels')));
    expectRefused(await screen.findByTestId(testIds.oncall.sendTest(hook.id), {}, WAIT));
    fireEvent.click(screen.getByTestId(testIds.oncall.tab('policies')));
    fireEvent.click(await screen.findByTestId(testIds.oncall.editPolicy('ladder'), {}, WAIT));
    expectRefused(screen.getByTestId(testIds.oncall.save));
    expect(screen.getByTestId(testIds.oncall.stepField(0, 'wait_minutes'))).toBeDisabled();
    expect(calls.filter((c) => !c.startsWith('GET'))).toEqual([]);
  });
});

describe('pages/OnCall: the schedule form', () => {
  test('saving a schedule from the form keeps a layer restriction the form does not edit', () => {
    const restriction = { days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' };
    const layer = { ...berlin.layers[0]!, restriction };
    const [form] = toLayers({ ...berlin, layers: [layer] });
    const body = scheduleBody('primary', 'Primary', 'Europe/Berlin', [form!], undefined);
    expect(body.layers?.[0]?.restriction).toEqual(restriction);
    const unrestricted = scheduleBody(
      'primary',
      'Primary',
      'Europe/Berlin',
      toLayers({ ...berlin, layers: [{ ...layer, restriction: null }] }),
      undefined
    );
    expect(unrestricted.layers?.[0]).not.toHaveProperty('restriction');
  });
});

describe('pages/OnCall: deleting', () => {
  test("Delete asks to confirm, then deletes and reloads; a refusal shows the backend's reason; Viewers cannot", async () => {
    renderAt(<OnCall />, '/oncall?tab=channels');
    const del = await screen.findByTestId(testIds.oncall.delete('channel', hook.id), {}, WAIT);
    fireEvent.click(within(del).getByRole('button', { name: labels.oncall.delete }));
    expect(calls.some((c) => c.startsWith('DELETE'))).toBe(false);
    fireEvent.click(await within(del).findByRole('button', { name: labels.oncall.confirmDelete }, WAIT));
    await waitFor(() => expect(screen.queryByTestId(testIds.oncall.channel(hook.id))).not.toBeInTheDocument(), WAIT);
    expect(calls).toContain(`DELETE /v1/alerts/channels/${hook.id}`);
    expect(screen.getByTestId(testIds.oncall.notice)).toHaveTextContent(labels.oncall.deleted(hook.name));
  });

  test('a responder a schedule still names: the 409 reason, and the responder stays', async () => {
    renderAt(<OnCall />, '/oncall?tab=schedules');
    const del = await screen.findByTestId(testIds.oncall.delete('responder', 'ada'), {}, WAIT);
    fireEvent.click(within(del).getByRole('button', { name: labels.oncall.delete }));
    fireEvent.click(await within(del).findByRole('button', { name: labels.oncall.confirmDelete }, WAIT));
    expect(await within(del).findByTestId(testIds.oncall.actionError, {}, WAIT)).toHaveTextContent(
      "responder 'ada' is in schedule 'primary'"
    );
    expect(screen.getByTestId(testIds.oncall.responder('ada'))).toBeInTheDocument();
  });

  test('Viewers see Delete disabled with the reason', async () => {
    config.bootData.user.orgRole = OrgRole.Viewer;
    renderAt(<OnCall />, '/oncall?tab=channels');
    const del = await screen.findByTestId(testIds.oncall.delete('channel', hook.id), {}, WAIT);
    expectRefused(within(del).getByRole('button', { name: labels.oncall.delete }));
  });
});
