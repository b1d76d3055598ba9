import '../../datasource/test/jsdom';
import React from 'react';
import { NEVER } from 'rxjs';
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { PluginContextProvider, PluginType, type PluginMeta } from '@grafana/data';
import { type BackendSrvRequest, getBackendSrv } from '@grafana/runtime';
import Home from './Home';
import type { Job } from '../../api/jobs';
import { testIds } from '../../components/testIds';
import { labels } from '../../labels';
import {
  degradedResponse,
  healthyResponse,
  httpError,
  job,
  ok,
  schedule,
  schedulesResponse,
  storageResponse,
  tenantsResponse,
} from '../../test/fixtures';
import { formatAgo, formatTime } from '../../utils/format';
import { renderAt } from '../../test/router';

jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getBackendSrv: jest.fn(),
}));

// Grafana UI renders lazily and the CI machine has 2 cores: wait generously for async content.
const WAIT = { timeout: 10_000 };
const PROXY = '/api/plugin-proxy/caas-observatory-app/api';

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

const FAILED = job({
  id: '11111111-1111-4111-8111-111111111111',
  kind: 'dead_letters.replay',
  tenant_id: 'acme',
  state: 'failed',
  attempts: 5,
  progress: { done: 100, total: 250, message: 'replayed 100, failed again 0, skipped 0' },
  last_error: 'analytics store unavailable: connect ECONNREFUSED 10.0.0.5:8123',
});
const RUNNING = job({
  id: '22222222-2222-4222-8222-222222222222',
  state: 'running',
  progress: { done: 2, total: 5, message: 'measured events' },
  finished_at: null,
});
const QUEUED = job({
  id: '33333333-3333-4333-8333-333333333333',
  kind: 'dead_letters.replay',
  tenant_id: 'globex',
  state: 'queued',
  progress: { done: 0, total: null, message: null },
  started_at: null,
  finished_at: null,
});
const DONE = job({ id: '44444444-4444-4444-8444-444444444444' });

/** What the backend answers, by path; GET /v1/jobs answers by its `state` param. */
interface Backend {
  health?: () => unknown;
  jobs?: (params: Record<string, unknown>) => unknown;
  job?: (id: string) => unknown;
  storage?: () => unknown;
  schedules?: () => unknown;
}

function serve(backend: Backend = {}) {
  const lists: Record<string, Job[]> = {
    all: [RUNNING, QUEUED, FAILED, DONE],
    running: [RUNNING],
    queued: [QUEUED],
    failed: [FAILED],
  };
  fetchMock.mockImplementation(({ url, params = {} }: BackendSrvRequest) => {
    const path = url.slice(PROXY.length);
    if (path === '/health') {
      return backend.health ? backend.health() : ok(healthyResponse);
    }
    if (path === '/v1/tenants') {
      return ok(tenantsResponse);
    }
    if (path === '/v1/jobs') {
      return backend.jobs ? backend.jobs(params) : ok({ jobs: lists[String(params.state ?? 'all')] ?? [] });
    }
    if (path.startsWith('/v1/jobs/')) {
      const id = path.slice('/v1/jobs/'.length);
      if (backend.job) {
        return backend.job(id);
      }
      const found = lists.all!.find((j) => j.id === id);
      return found
        ? ok({
            ...found,
            log: [
              { at: '2026-12-01T03:00:01.000Z', attempt: 1, level: 'info', message: 'attempt 1 started' },
              { at: '2026-12-01T03:00:02.000Z', attempt: 1, level: 'error', message: found.last_error ?? 'boom' },
            ],
          })
        : httpError(404, { error: { code: 'not_found', message: `job '${id}' not found` } });
    }
    if (path === '/v1/storage') {
      return backend.storage ? backend.storage() : ok(storageResponse);
    }
    if (path === '/v1/schedules') {
      return backend.schedules ? backend.schedules() : ok(schedulesResponse);
    }
    return httpError(404, { message: 'plugin route match not found' });
  });
}

/** Waits until the element with `testId` shows `text` (the schedules answer separately from the section's own data). */
async function waitForText(testId: string, text: string) {
  await waitFor(() => expect(screen.getByTestId(testId)).toHaveTextContent(text), WAIT);
}

const calls = (path: string) =>
  fetchMock.mock.calls.map((c) => c[0] as BackendSrvRequest).filter((o) => o.url === `${PROXY}${path}`);

beforeEach(() => {
  fetchMock.mockReset();
  serve();
  jest.mocked(getBackendSrv).mockReturnValue({ fetch: fetchMock } as unknown as ReturnType<typeof getBackendSrv>);
});

describe('pages/Home: backend health', () => {
  test('shows each engine with its mode and latency, the WAL backlog and the version', async () => {
    renderAt(<Home />, '/home');

    const clickhouse = await screen.findByTestId(testIds.home.engine('clickhouse'), {}, WAIT);
    expect(calls('/health')).toHaveLength(1);

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
    serve({ health: () => httpError(503, degradedResponse) });
    renderAt(<Home />, '/home');

    const clickhouse = await screen.findByTestId(testIds.home.engine('clickhouse'), {}, WAIT);
    expect(within(clickhouse).getByText(labels.health.engineDown)).toBeInTheDocument();
    expect(within(clickhouse).getByText('connect ECONNREFUSED 10.0.0.5:8123')).toBeInTheDocument();
    expect(screen.getByTestId(testIds.home.healthStatus)).toHaveTextContent(labels.health.status.degraded);
    expect(screen.getByTestId(testIds.home.wal)).toHaveTextContent(labels.health.walEmpty);
    expect(screen.getByTestId(testIds.home.wal)).not.toHaveTextContent('refused');
    expect(screen.queryByTestId(testIds.home.healthError)).not.toBeInTheDocument();
  });

  test('an unreachable backend says to set the backend URL and links to the Configuration page', async () => {
    serve({ health: () => httpError(502, '') });
    renderAt(<Home />, '/home');

    const alert = await screen.findByTestId(testIds.home.healthError, {}, WAIT);
    expect(alert).toHaveTextContent(labels.errors.unreachable.title);
    expect(alert).toHaveTextContent("Set the backend URL on the app's Configuration page");
    const link = within(alert).getByRole('link', { name: new RegExp(labels.health.openConfig) });
    expect(link).toHaveAttribute('href', '/plugins/caas-observatory-app');
    expect(screen.queryByTestId(/home-engine-/)).not.toBeInTheDocument();
  });

  test('an app without a backend URL says so', async () => {
    serve({ health: () => httpError(502, '') });
    renderAt(
      <PluginContextProvider meta={meta({})}>
        <Home />
      </PluginContextProvider>,
      '/home'
    );

    const alert = await screen.findByTestId(testIds.home.healthError, {}, WAIT);
    expect(alert).toHaveTextContent(labels.errors.notConfigured.title);
  });

  test('a rejected API key is told apart from an unreachable backend', async () => {
    serve({ health: () => httpError(401, { error: { code: 'unauthorized', message: 'invalid API key' } }) });
    renderAt(
      <PluginContextProvider meta={meta({ apiUrl: 'http://backend:8080' })}>
        <Home />
      </PluginContextProvider>,
      '/home'
    );

    const alert = await screen.findByTestId(testIds.home.healthError, {}, WAIT);
    expect(alert).toHaveTextContent(labels.errors.unauthorized.title);
    expect(alert).not.toHaveTextContent(labels.errors.unreachable.title);
  });

  test('Refresh asks again and replaces the error with the answer', async () => {
    let answers = 0;
    serve({ health: () => (answers++ === 0 ? httpError(502, '') : ok(healthyResponse)) });
    renderAt(<Home />, '/home');

    await screen.findByTestId(testIds.home.healthError, {}, WAIT);
    fireEvent.click(screen.getByTestId(testIds.home.healthRefresh));

    await screen.findByTestId(testIds.home.engine('clickhouse'), {}, WAIT);
    expect(calls('/health')).toHaveLength(2);
    expect(screen.queryByTestId(testIds.home.healthError)).not.toBeInTheDocument();
  });
});

describe('pages/Home: jobs (issue "Platform", part 2)', () => {
  test('while the jobs load, the section says so', async () => {
    serve({ jobs: () => NEVER });
    renderAt(<Home />, '/home');
    expect(await screen.findByTestId(testIds.jobs.loading, {}, WAIT)).toHaveTextContent(labels.jobs.loading);
    expect(screen.queryByTestId(testIds.jobs.empty)).not.toBeInTheDocument();
  });

  test('no jobs at all: "No jobs yet" and what starts one', async () => {
    serve({ jobs: () => ok({ jobs: [] }) });
    renderAt(<Home />, '/home');
    const empty = await screen.findByTestId(testIds.jobs.empty, {}, WAIT);
    expect(empty).toHaveTextContent(labels.jobs.empty.all);
    expect(empty).toHaveTextContent('nightly storage report');
    expect(screen.getByTestId(testIds.jobs.scope)).toHaveTextContent(labels.jobs.allTenants);
    // Four lists for every tenant: newest of any state, running, queued, failed.
    expect(calls('/v1/jobs').map((c) => c.params)).toEqual([
      { limit: 20 },
      { state: 'running', limit: 100 },
      { state: 'queued', limit: 100 },
      { state: 'failed', limit: 100 },
    ]);
  });

  test("the picked tenant's jobs are asked for (tenant_id) and the empty state names the tenant", async () => {
    serve({ jobs: () => ok({ jobs: [] }) });
    renderAt(<Home />, '/home?tenant=globex');
    const empty = await screen.findByTestId(testIds.jobs.empty, {}, WAIT);
    expect(empty).toHaveTextContent(labels.jobs.empty.tenant('globex'));
    expect(empty).toHaveTextContent('Pick All tenants to see platform-wide jobs');
    expect(calls('/v1/jobs').every((c) => c.params?.tenant_id === 'globex')).toBe(true);
    expect(screen.getByTestId(testIds.jobs.scope)).toHaveTextContent('Jobs of tenant globex');
  });

  test('Recent lists the newest jobs with kind, tenant, state and progress; the tabs count running and failed', async () => {
    renderAt(<Home />, '/home');
    const table = await screen.findByTestId(testIds.jobs.table, {}, WAIT);
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows).toHaveLength(4);
    expect(rows[0]).toHaveTextContent('Storage report');
    expect(rows[0]).toHaveTextContent(labels.jobs.platform);
    expect(rows[0]).toHaveTextContent('running');
    expect(rows[0]).toHaveTextContent('2 / 5 · measured events');
    expect(rows[1]).toHaveTextContent('Dead-letter replay');
    expect(rows[1]).toHaveTextContent('globex');
    expect(rows[1]).toHaveTextContent('waiting');
    // A failed job shows its error where the progress would be.
    expect(rows[2]).toHaveTextContent('failed');
    expect(rows[2]).toHaveTextContent('analytics store unavailable');
    expect(rows[3]).toHaveTextContent('succeeded');

    expect(screen.getByTestId(testIds.jobs.tab('recent'))).toHaveTextContent(`${labels.jobs.tabs.recent}4`);
    expect(screen.getByTestId(testIds.jobs.tab('running'))).toHaveTextContent(`${labels.jobs.tabs.running}2`);
    expect(screen.getByTestId(testIds.jobs.tab('failed'))).toHaveTextContent(`${labels.jobs.tabs.failed}1`);
  });

  test('the tab is in the URL: Failed shows only failed jobs, and a link to it opens on it', async () => {
    const page = renderAt(<Home />, '/home?tenant=acme');
    await screen.findByTestId(testIds.jobs.table, {}, WAIT);
    await act(async () => {
      fireEvent.click(screen.getByTestId(testIds.jobs.tab('failed')));
    });
    expect(page.search().toString()).toBe('tenant=acme&jobs=failed');
    const rows = within(screen.getByTestId(testIds.jobs.table)).getAllByRole('row').slice(1);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toHaveTextContent('analytics store unavailable');

    const link = page.href();
    page.unmount();
    renderAt(<Home />, link);
    const again = await screen.findByTestId(testIds.jobs.table, {}, WAIT);
    expect(within(again).getAllByRole('row').slice(1)).toHaveLength(1);
    expect(screen.getByTestId(testIds.jobs.tab('failed'))).toHaveAttribute('aria-selected', 'true');
  });

  test('Running and waiting: nothing there says so', async () => {
    serve({ jobs: (p) => ok({ jobs: p.state ? [] : [DONE] }) });
    renderAt(<Home />, '/home?jobs=running');
    expect(await screen.findByTestId(testIds.jobs.empty, {}, WAIT)).toHaveTextContent(labels.jobs.empty.running);
  });

  test('a job opened from the list shows its error, what to do and its run log; Close removes it from the URL', async () => {
    const page = renderAt(<Home />, '/home?jobs=failed');
    await screen.findByTestId(testIds.jobs.table, {}, WAIT);
    await act(async () => {
      fireEvent.click(screen.getByTestId(testIds.jobs.open(FAILED.id)));
    });
    expect(page.search().get('job')).toBe(FAILED.id);

    const detail = await screen.findByTestId(testIds.jobs.log, {}, WAIT);
    expect(calls(`/v1/jobs/${FAILED.id}`)).toHaveLength(1);
    expect(detail).toHaveTextContent('attempt 1 started');
    const card = screen.getByTestId(testIds.jobs.detail);
    expect(card).toHaveTextContent('Job: Dead-letter replay');
    expect(card).toHaveTextContent(`${labels.jobs.detail.lastError}: analytics store unavailable`);
    expect(card).toHaveTextContent(labels.jobs.detail.failedHint);
    expect(card).toHaveTextContent('100 / 250 · replayed 100');

    await act(async () => {
      fireEvent.click(screen.getByTestId(testIds.jobs.detailClose));
    });
    expect(page.search().toString()).toBe('jobs=failed');
    expect(screen.queryByTestId(testIds.jobs.detail)).not.toBeInTheDocument();
  });

  test('a link to a job that is gone says so instead of an error', async () => {
    renderAt(<Home />, '/home?job=99999999-9999-4999-8999-999999999999');
    const problem = await screen.findByTestId(testIds.jobs.detailError, {}, WAIT);
    expect(problem).toHaveTextContent(labels.jobs.detail.notFound);
  });

  test('jobs that cannot be read say why and what to do; Retry asks again', async () => {
    let failing = true;
    serve({ jobs: () => (failing ? httpError(502, '') : ok({ jobs: [DONE] })) });
    renderAt(<Home />, '/home');
    const alert = await screen.findByTestId(testIds.jobs.error, {}, WAIT);
    expect(alert).toHaveTextContent(labels.errors.unreachable.title);
    expect(alert).toHaveTextContent(labels.errors.unreachable.hint);
    expect(screen.queryByTestId(testIds.jobs.empty)).not.toBeInTheDocument();

    failing = false;
    await act(async () => {
      fireEvent.click(within(alert).getByRole('button', { name: new RegExp(labels.common.retry) }));
    });
    const table = await screen.findByTestId(testIds.jobs.table, {}, WAIT);
    expect(within(table).getAllByRole('row')).toHaveLength(2);
    expect(screen.queryByTestId(testIds.jobs.error)).not.toBeInTheDocument();
  });

  test('a read key refused by the backend points at the Configuration page', async () => {
    serve({ jobs: () => httpError(403, { error: { code: 'forbidden', message: 'this key may not read jobs' } }) });
    renderAt(<Home />, '/home');
    const alert = await screen.findByTestId(testIds.jobs.error, {}, WAIT);
    expect(alert).toHaveTextContent(labels.errors.unauthorized.title);
    expect(within(alert).getByRole('link', { name: new RegExp(labels.health.openConfig) })).toHaveAttribute(
      'href',
      '/plugins/caas-observatory-app'
    );
  });
});

/** An instant `minutes` from now, as the backend writes it (a little off round hours: "in 9 hours" stays put). */
const fromNow = (minutes: number) => new Date(Date.now() + minutes * 60_000).toISOString();

describe('pages/Home: next scheduled firings (GET /v1/schedules)', () => {
  test("Jobs shows the soonest enabled firing: its kind, tenant and time; Storage the nightly report's", async () => {
    const storageAt = fromNow(9 * 60 + 10);
    const acmeAt = fromNow(3 * 60 + 10);
    serve({
      schedules: () =>
        ok({
          schedules: [
            schedule({ next_fire_at: storageAt }),
            // Sooner, but disabled (the backend still computes its next firing) or without a next firing: not shown.
            schedule({ name: 'paused', kind: 'dead_letters.replay', enabled: false, next_fire_at: fromNow(30) }),
            schedule({ name: 'broken', kind: 'dead_letters.replay', cron: '61 * * * *', next_fire_at: null }),
            schedule({ name: 'acme-replay', kind: 'dead_letters.replay', tenant_id: 'acme', next_fire_at: acmeAt }),
          ],
        }),
    });
    const page = renderAt(<Home />, '/home');
    await waitForText(testIds.jobs.nextScheduled, 'Dead-letter replay');
    expect(screen.getByTestId(testIds.jobs.nextScheduled)).toHaveTextContent(
      `${labels.jobs.nextScheduled}: ${labels.jobs.nextFiring('Dead-letter replay', 'acme', formatAgo(acmeAt), formatTime(acmeAt))}`
    );
    expect(formatAgo(acmeAt)).toBe('in 3 hours');
    // The storage report's own schedule, whatever fires first.
    const nextRun = screen.getByTestId(testIds.storage.nextRun);
    expect(nextRun).toHaveTextContent(
      `${labels.storage.nextRun}: in 9 hours (${formatTime(storageAt)}), schedule "0 3 * * *" in UTC`
    );
    // One request for both sections.
    expect(calls('/v1/schedules')).toHaveLength(1);
    page.unmount();

    // Another tenant picked: acme's schedule is not its business; the platform's storage report is.
    renderAt(<Home />, '/home?tenant=globex');
    await waitForText(testIds.jobs.nextScheduled, 'Storage report');
    expect(screen.getByTestId(testIds.jobs.nextScheduled)).toHaveTextContent(
      labels.jobs.nextFiring('Storage report', null, 'in 9 hours', formatTime(storageAt))
    );
  });

  test('no enabled firing: Jobs says nothing is scheduled, Storage that its schedule is disabled or missing', async () => {
    serve({ schedules: () => ok({ schedules: [schedule({ enabled: false })] }) });
    const first = renderAt(<Home />, '/home');
    await waitForText(testIds.jobs.nextScheduled, labels.jobs.nextNone);
    expect(screen.getByTestId(testIds.storage.nextRun)).toHaveTextContent(labels.storage.nextRunDisabled);
    first.unmount();

    serve({ schedules: () => ok({ schedules: [schedule({ next_fire_at: null })] }) });
    const second = renderAt(<Home />, '/home?tenant=acme');
    await waitForText(testIds.jobs.nextScheduled, labels.jobs.nextNoneTenant('acme'));
    expect(screen.getByTestId(testIds.storage.nextRun)).toHaveTextContent(
      labels.storage.nextRunUnknown('0 3 * * *', 'UTC')
    );
    second.unmount();

    serve({ schedules: () => ok({ schedules: [] }), storage: () => ok({ report: null }) });
    renderAt(<Home />, '/home');
    await waitForText(testIds.jobs.nextScheduled, labels.jobs.nextNone);
    expect(screen.getByTestId(testIds.storage.nextRun)).toHaveTextContent(labels.storage.nextRunMissing);
    // No report yet either: the empty state no longer claims a default time of its own.
    expect(await screen.findByTestId(testIds.storage.empty, {}, WAIT)).not.toHaveTextContent('03:00');
  });

  test('while the schedules load, both lines say so', async () => {
    serve({ schedules: () => NEVER });
    renderAt(<Home />, '/home');
    await waitForText(testIds.jobs.nextScheduled, labels.schedules.loading);
    expect(await screen.findByTestId(testIds.storage.nextRun, {}, WAIT)).toHaveTextContent(labels.schedules.loading);
  });

  test('schedules that cannot be read say why and what to do, without hiding the jobs; Retry asks again', async () => {
    let failing = true;
    serve({ schedules: () => (failing ? httpError(502, '') : ok(schedulesResponse)) });
    renderAt(<Home />, '/home');
    await waitForText(testIds.jobs.nextScheduled, labels.errors.unreachable.title);
    const next = screen.getByTestId(testIds.jobs.nextScheduled);
    expect(next).toHaveTextContent(labels.schedules.failed(labels.errors.unreachable.title));
    expect(next).toHaveTextContent(labels.errors.unreachable.hint);
    expect(within(next).getByRole('link', { name: new RegExp(labels.health.openConfig) })).toHaveAttribute(
      'href',
      '/plugins/caas-observatory-app'
    );
    expect(screen.getByTestId(testIds.storage.nextRun)).toHaveTextContent(labels.errors.unreachable.title);
    // The jobs themselves answered: their table is there, no jobs error.
    expect(await screen.findByTestId(testIds.jobs.table, {}, WAIT)).toBeInTheDocument();
    expect(screen.queryByTestId(testIds.jobs.error)).not.toBeInTheDocument();

    failing = false;
    await act(async () => {
      fireEvent.click(within(next).getByRole('button', { name: new RegExp(labels.common.retry) }));
    });
    await waitForText(testIds.jobs.nextScheduled, 'Storage report');
    expect(screen.getByTestId(testIds.storage.nextRun)).toHaveTextContent('schedule "0 3 * * *" in UTC');
    expect(calls('/v1/schedules')).toHaveLength(2);
  });

  test('when the section failed too, the line names the cause and refers to its alert, whose Retry asks for both', async () => {
    let failing = true;
    serve({
      jobs: () => (failing ? httpError(502, '') : ok({ jobs: [DONE] })),
      schedules: () => (failing ? httpError(502, '') : ok(schedulesResponse)),
    });
    renderAt(<Home />, '/home');
    const alert = await screen.findByTestId(testIds.jobs.error, {}, WAIT);
    await waitForText(testIds.jobs.nextScheduled, labels.schedules.seeBelow);
    const next = screen.getByTestId(testIds.jobs.nextScheduled);
    expect(next).toHaveTextContent(labels.schedules.failed(labels.errors.unreachable.title));
    // Said once, in the alert: no second hint, Retry or link on the line.
    expect(next).not.toHaveTextContent(labels.errors.unreachable.hint);
    expect(within(next).queryAllByRole('button')).toHaveLength(0);
    expect(within(next).queryAllByRole('link')).toHaveLength(0);

    failing = false;
    await act(async () => {
      fireEvent.click(within(alert).getByRole('button', { name: new RegExp(labels.common.retry) }));
    });
    await waitForText(testIds.jobs.nextScheduled, 'Storage report');
    await screen.findByTestId(testIds.jobs.table, {}, WAIT);
    expect(calls('/v1/schedules')).toHaveLength(2);
  });

  test('a backend without GET /v1/schedules (older than the app) is told to update; a malformed answer says so', async () => {
    serve({
      schedules: () =>
        httpError(404, {
          error: { code: 'not_found', message: 'no route GET /v1/schedules; see /docs or the README' },
        }),
    });
    const first = renderAt(<Home />, '/home');
    await waitForText(testIds.jobs.nextScheduled, labels.schedules.tooOld.title);
    expect(screen.getByTestId(testIds.jobs.nextScheduled)).toHaveTextContent(labels.schedules.tooOld.hint);
    first.unmount();

    serve({ schedules: () => ok({ schedules: [{ name: 'storage-report', kind: 'storage.report' }] }) });
    renderAt(<Home />, '/home');
    await waitForText(testIds.jobs.nextScheduled, 'GET /v1/schedules without schedules');
    expect(screen.getByTestId(testIds.jobs.nextScheduled)).toHaveTextContent(labels.errors.unknown.title);
  });

  test('Refresh in either section asks for the schedules again', async () => {
    renderAt(<Home />, '/home');
    await waitForText(testIds.jobs.nextScheduled, 'Storage report');
    await screen.findByTestId(testIds.storage.table, {}, WAIT);
    expect(calls('/v1/schedules')).toHaveLength(1);
    await act(async () => {
      fireEvent.click(screen.getByTestId(testIds.jobs.refresh));
    });
    await act(async () => {
      fireEvent.click(screen.getByTestId(testIds.storage.refresh));
    });
    expect(calls('/v1/schedules')).toHaveLength(3);
    expect(calls('/v1/storage')).toHaveLength(2);
  });
});

describe('pages/Home: storage per tenant', () => {
  test('rows and bytes per tenant, their share, the totals and when it was measured', async () => {
    renderAt(<Home />, '/home');
    const table = await screen.findByTestId(testIds.storage.table, {}, WAIT);
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows.map((r) => r.textContent)).toEqual(['acme1,250,0003.0 GiB96 %', 'globex80,000120 MiB3.8 %']);
    expect(screen.getByTestId(testIds.storage.totals)).toHaveTextContent(
      '2 tenants: 1,330,000 event rows, 3.1 GiB on disk in all.'
    );
    expect(screen.getByTestId(testIds.storage.measured)).toHaveTextContent('(2026-12-01 03:00:09)');
    expect(screen.getByTestId(testIds.storage.nextRun)).toHaveTextContent(
      `${labels.storage.nextRun}: ${formatAgo('2026-12-02T03:00:00.000Z')} (2026-12-02 03:00:00), schedule "0 3 * * *" in UTC`
    );
    expect(screen.queryByTestId(testIds.storage.tables)).not.toBeInTheDocument();
  });

  test("the picked tenant's row and its tables; a tenant without rows is said so", async () => {
    const first = renderAt(<Home />, '/home?tenant=acme');
    const tables = await screen.findByTestId(testIds.storage.tables, {}, WAIT);
    expect(within(screen.getByTestId(testIds.storage.table)).getAllByRole('row')).toHaveLength(2);
    expect(tables).toHaveTextContent('Tables of tenant acme');
    expect(
      within(tables)
        .getAllByRole('row')
        .slice(1)
        .map((r) => r.textContent)
    ).toEqual(['events1,250,0002.0 GiB', 'events_hourly40,0001.0 GiB']);
    first.unmount();

    renderAt(<Home />, '/home?tenant=initech');
    expect(await screen.findByTestId(testIds.storage.tenantMissing, {}, WAIT)).toHaveTextContent(
      labels.storage.tenantMissing('initech')
    );
  });

  test('no report yet: says the nightly job has not run and how to take one now', async () => {
    serve({ storage: () => ok({ report: null }) });
    renderAt(<Home />, '/home');
    const empty = await screen.findByTestId(testIds.storage.empty, {}, WAIT);
    expect(empty).toHaveTextContent(labels.storage.empty);
    expect(empty).toHaveTextContent('POST /v1/storage/refresh');
    // When it will run comes from its schedule, not from a default written in the app.
    expect(screen.getByTestId(testIds.storage.nextRun)).toHaveTextContent(
      '(2026-12-02 03:00:00), schedule "0 3 * * *"'
    );
  });

  test('a report that cannot be read says why; Retry asks again', async () => {
    let failing = true;
    serve({
      storage: () =>
        failing
          ? httpError(500, { error: { code: 'internal', message: 'metadata store unavailable' } })
          : ok(storageResponse),
    });
    renderAt(<Home />, '/home');
    const alert = await screen.findByTestId(testIds.storage.error, {}, WAIT);
    expect(alert).toHaveTextContent('The backend answered 500: metadata store unavailable');
    failing = false;
    await act(async () => {
      fireEvent.click(within(alert).getByRole('button', { name: new RegExp(labels.common.retry) }));
    });
    await screen.findByTestId(testIds.storage.table, {}, WAIT);
    expect(calls('/v1/storage')).toHaveLength(2);
  });
});

describe('pages/Home: features and dashboards', () => {
  test('links the features that have a page, with the tenant and range; the others say what is missing', async () => {
    renderAt(<Home />, '/home?tenant=acme&from=now-7d&to=now&jobs=failed');
    const features = await screen.findByTestId(testIds.home.features, {}, WAIT);
    const built = ['analytics', 'search', 'alerts'];
    for (const id of built) {
      const card = within(features).getByTestId(testIds.home.feature(id));
      expect(within(card).getByRole('link')).toHaveAttribute(
        'href',
        `/a/caas-observatory-app/${id}?tenant=acme&from=now-7d&to=now`
      );
      expect(card).toHaveTextContent(labels.home.available);
      expect(card).not.toHaveTextContent(labels.home.notBuilt);
    }
    for (const feature of labels.home.features.filter((f) => !built.includes(f.id))) {
      const card = within(features).getByTestId(testIds.home.feature(feature.id));
      expect(card).toHaveTextContent(labels.home.notBuilt);
      expect(within(card).getByTestId(testIds.home.featureMissing(feature.id))).toHaveTextContent(
        `${feature.title}: not built yet. It needs`
      );
      expect(within(card).queryAllByRole('link')).toHaveLength(0);
    }
    expect(within(features).queryAllByRole('link')).toHaveLength(built.length);
    // Nothing promises: no "coming soon".
    expect(features).not.toHaveTextContent(/coming/i);
  });

  test('links every bundled dashboard by its stable uid, on the picked tenant and range', async () => {
    renderAt(<Home />, '/home?tenant=acme&from=now-7d&to=now');
    const section = await screen.findByTestId(testIds.home.dashboards, {}, WAIT);

    const expected: Record<string, string> = {
      usage: '/d/caas-usage-overview',
      messages: '/d/caas-message-analytics',
      users: '/d/caas-user-activity-retention',
      adoption: '/d/caas-feature-adoption',
      cost: '/d/caas-cost-tracking',
      search: '/d/caas-search-analytics',
    };
    for (const [id, href] of Object.entries(expected)) {
      const card = within(section).getByTestId(testIds.home.dashboard(id));
      const link = within(card).getByRole('link');
      expect(link).toHaveAttribute('href', `${href}?var-tenant=acme&from=now-7d&to=now`);
      expect(link).toHaveTextContent(labels.home.dashboards[id as keyof typeof labels.home.dashboards].title);
    }
    const ops = within(section).getByTestId(testIds.home.opsDashboards);
    const opsExpected: Record<string, string> = {
      platform: '/d/caas-ops-platform-overview',
      socket: '/d/caas-ops-socket-service',
      gateway: '/d/caas-ops-api-gateway',
      kafka: '/d/caas-ops-kafka',
      mongodb: '/d/caas-ops-mongodb',
      alerts: '/d/caas-ops-alerts-incidents',
      backend: '/d/caas-ops-backend-health',
    };
    for (const [id, href] of Object.entries(opsExpected)) {
      const link = within(within(ops).getByTestId(testIds.home.opsDashboard(id))).getByRole('link');
      expect(link).toHaveAttribute('href', `${href}?var-tenant=acme&from=now-7d&to=now`);
      expect(link).toHaveTextContent(labels.home.opsDashboards[id as keyof typeof labels.home.opsDashboards].title);
    }
    expect(ops).toHaveTextContent(labels.home.opsDashboardsHint);
    expect(within(section).getAllByRole('link')).toHaveLength(
      Object.keys(expected).length + Object.keys(opsExpected).length + 1
    );
    expect(screen.getByTestId(testIds.home.importDashboards)).toHaveAttribute(
      'href',
      '/plugins/caas-observatory-app?page=dashboards'
    );
  });

  test('without a tenant or range in the URL the dashboards open as they are', async () => {
    renderAt(<Home />, '/home');
    const section = await screen.findByTestId(testIds.home.dashboards, {}, WAIT);
    expect(within(within(section).getByTestId(testIds.home.dashboard('usage'))).getByRole('link')).toHaveAttribute(
      'href',
      '/d/caas-usage-overview'
    );
  });
});
