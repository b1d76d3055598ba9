import '../../datasource/test/jsdom';
import React from 'react';
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { OrgRole } from '@grafana/data';
import { type BackendSrvRequest, config, getBackendSrv } from '@grafana/runtime';
import Crawler from './Crawler';
import type { CrawlRun, SourceInfo } from '../../api/crawler';
import { testIds } from '../../components/testIds';
import { labels } from '../../labels';
import { httpError, ok, tenantsResponse } from '../../test/fixtures';
import { renderAt } from '../../test/router';
import { LIVE_POLL_MS } from './Crawls';
import { cursor, JOB_IDS, run, source } from './fixtures';

jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getBackendSrv: jest.fn(),
}));

// Grafana UI renders lazily and the CI machine has 2 cores: wait generously for async content.
const WAIT = { timeout: 10_000 };
const PROXY = '/api/plugin-proxy/caas-observatory-app/api';
const t = testIds.crawler;
const L = labels.crawler;

const fetchMock = jest.fn();

interface Backend {
  sources: SourceInfo[] | (() => ReturnType<typeof ok> | ReturnType<typeof httpError>);
  crawls: CrawlRun[];
  /** answers POST /v1/crawls, by entity */
  startCrawl?: (body: Record<string, unknown>) => ReturnType<typeof ok> | ReturnType<typeof httpError>;
  addSource?: (body: Record<string, unknown>) => ReturnType<typeof ok> | ReturnType<typeof httpError>;
}

let backend: Backend;

function serve() {
  fetchMock.mockImplementation(({ url, method = 'GET', params = {}, data }: BackendSrvRequest) => {
    const path = url.slice(PROXY.length);
    if (path === '/v1/tenants') {
      return ok(tenantsResponse);
    }
    if (path === '/v1/sources' && method === 'GET') {
      return typeof backend.sources === 'function' ? backend.sources() : ok({ sources: backend.sources });
    }
    if (path === '/v1/sources' && method === 'POST') {
      return backend.addSource ? backend.addSource(data) : ok(source({ id: data.id, cursors: [] }), 201);
    }
    if (path.startsWith('/v1/sources/') && method === 'DELETE') {
      return ok(null, 204);
    }
    if (path === '/v1/crawls' && method === 'GET') {
      const crawls = backend.crawls.filter(
        (c) =>
          (!params.state || c.state === params.state) &&
          (!params.tenant_id || c.tenant_id === params.tenant_id) &&
          (!params.type || c.type === params.type)
      );
      return ok({ crawls: crawls.slice(0, Number(params.limit ?? 50)) });
    }
    if (path === '/v1/crawls' && method === 'POST') {
      return backend.startCrawl ? backend.startCrawl(data) : ok({ job_id: `job-${data.entity}` }, 202);
    }
    if (path.startsWith('/v1/jobs/')) {
      const id = path.slice('/v1/jobs/'.length);
      const found = backend.crawls.find((c) => c.id === id);
      return found
        ? ok({
            ...found,
            log: [
              { at: '2026-12-01T03:00:01.000Z', attempt: 1, level: 'info', message: `crawl ${found.entity} started` },
            ],
          })
        : httpError(404, { error: { code: 'not_found', message: `job '${id}' not found` } });
    }
    return httpError(404, { message: 'plugin route match not found' });
  });
}

const calls = (path: string, method = 'GET') =>
  fetchMock.mock.calls
    .map((c) => c[0] as BackendSrvRequest)
    .filter((o) => o.url === `${PROXY}${path}` && (o.method ?? 'GET') === method);

function asRole(role: OrgRole) {
  config.bootData.user.orgRole = role;
}

beforeEach(() => {
  fetchMock.mockReset();
  backend = {
    sources: [source()],
    crawls: [
      run(),
      run({
        id: JOB_IDS.queued,
        state: 'queued',
        entity: 'files',
        started_at: null,
        rate_per_s: null,
        eta_s: null,
        expected_total: 40,
        progress: { done: 0, total: null, message: null },
      }),
      run({
        id: JOB_IDS.failed,
        state: 'failed',
        type: 'deleted',
        entity: 'files',
        attempts: 5,
        progress: { done: 0, total: null, message: null },
        expected_total: null,
        eta_s: null,
        rate_per_s: 0,
        finished_at: '2026-12-01T02:50:09.000Z',
        last_error: "source 'demo' (/caas/v1/files/deleted) answered 503 Service Unavailable",
      }),
    ],
  };
  serve();
  jest.mocked(getBackendSrv).mockReturnValue({ fetch: fetchMock } as unknown as ReturnType<typeof getBackendSrv>);
  asRole(OrgRole.Admin);
});

afterEach(() => {
  jest.useRealTimers();
});

describe('pages/Crawler: sources and cursors', () => {
  test('a source reads as what it is (never its secrets) with a cursor per entity and tenant', async () => {
    renderAt(<Crawler />, '/crawler');
    const card = await screen.findByTestId(t.source('demo'), {}, WAIT);
    const facts = within(card).getByTestId(t.sourceFacts('demo'));
    expect(facts).toHaveTextContent('CAAS HTTP API');
    expect(facts).toHaveTextContent('http://127.0.0.1:41234/caas/v1');
    expect(facts).toHaveTextContent(`Token${L.sources.secretSet}`);
    expect(facts).toHaveTextContent('200 requests/s');
    expect(facts).toHaveTextContent('incremental * * * * *, deletion sync */5 * * * * (cron, UTC)');

    // every tenant's cursors under All tenants
    const cursors = within(card).getByTestId(t.cursors('demo'));
    expect(within(cursors).getByTestId(t.cursor('demo', 'messages', 'acme'))).toBeInTheDocument();
    expect(within(cursors).getByTestId(t.cursor('demo', 'files', 'acme'))).toBeInTheDocument();
    expect(within(cursors).getByTestId(t.cursor('demo', 'messages', 'globex'))).toBeInTheDocument();
    expect(cursors).toHaveTextContent('1,250');
    expect(cursors).toHaveTextContent('2026-12-01 02:59:00'); // read up to
    expect(within(cursors).getByTestId(t.openRun(JOB_IDS.incremental))).toHaveTextContent('· 7 indexed');
    expect(within(cursors).getByTestId(t.openRun(JOB_IDS.deletion))).toHaveTextContent('· 3 removed');
    expect(cursors).toHaveTextContent(L.cursors.deletionsSince('2026-12-01 02:55:00'));
    // a running incremental crawl of files
    expect(within(cursors).getByTestId(t.openRun(JOB_IDS.filesIncremental))).toHaveTextContent('· 12 indexed');
    // the failed deletion sync of files, and the cursor's error
    expect(within(cursors).getByTestId(t.openRun(JOB_IDS.failed))).toHaveTextContent('· 0 removed');
    expect(cursors).toHaveTextContent(labels.jobs.states.failed);
    expect(cursors).toHaveTextContent("source 'demo' (/caas/v1/files) answered 503 Service Unavailable");
    // globex never ran an incremental crawl or a deletion sync
    expect(cursors).toHaveTextContent(L.cursors.noRun);
  });

  test("the header's tenant narrows the cursors and the crawls, and is what crawls read", async () => {
    renderAt(<Crawler />, '/crawler?tenant=globex');
    const card = await screen.findByTestId(t.source('demo'), {}, WAIT);
    const cursors = await within(card).findByTestId(t.cursors('demo'));
    expect(within(cursors).getByTestId(t.cursor('demo', 'messages', 'globex'))).toBeInTheDocument();
    expect(within(cursors).queryByTestId(t.cursor('demo', 'messages', 'acme'))).not.toBeInTheDocument();
    expect(within(card).getByTestId(t.actions('demo'))).toHaveTextContent(L.actions.title('globex'));
    await screen.findByTestId(t.crawlsEmpty, {}, WAIT);
    expect(calls('/v1/crawls').every((c) => c.params?.tenant_id === 'globex')).toBe(true);
  });

  test('no sources: says how to add one (CLI, or the form an Admin gets at once)', async () => {
    backend.sources = [];
    asRole(OrgRole.Viewer);
    const { unmount } = renderAt(<Crawler />, '/crawler');
    const empty = await screen.findByTestId(t.sourcesEmpty, {}, WAIT);
    expect(empty).toHaveTextContent(L.sources.empty);
    expect(empty).toHaveTextContent('npx caas sources add --id caas --kind caas_http');
    expect(empty).toHaveTextContent('A Grafana Admin adds one');
    expect(screen.queryByTestId(t.addForm)).not.toBeInTheDocument();
    unmount();

    asRole(OrgRole.Admin);
    renderAt(<Crawler />, '/crawler');
    expect(await screen.findByTestId(t.sourcesEmpty, {}, WAIT)).toHaveTextContent('Add one below');
    expect(screen.getByTestId(t.addForm)).toBeInTheDocument();
  });

  test('an unreachable backend says what to do; Retry reads again and recovers', async () => {
    backend.sources = () => httpError(502, '');
    renderAt(<Crawler />, '/crawler');
    const alert = await screen.findByTestId(t.sourcesError, {}, WAIT);
    expect(alert).toHaveTextContent(labels.errors.unreachable.title);
    expect(alert).toHaveTextContent(labels.errors.unreachable.hint);
    expect(screen.queryByTestId(t.source('demo'))).not.toBeInTheDocument();

    backend.sources = [source()];
    fireEvent.click(within(alert).getByRole('button', { name: labels.common.retry }));
    expect(await screen.findByTestId(t.source('demo'), {}, WAIT)).toBeInTheDocument();
    expect(screen.queryByTestId(t.sourcesError)).not.toBeInTheDocument();
  });
});

describe('pages/Crawler: Admin actions', () => {
  test('Full reindex of all entities for the picked tenant: one crawl each, queued and listed', async () => {
    renderAt(<Crawler />, '/crawler?tenant=acme');
    const actions = await screen.findByTestId(t.actions('demo'), {}, WAIT);
    fireEvent.change(within(actions).getByTestId(t.batchSize('demo')), { target: { value: '50' } });
    const before = calls('/v1/crawls').length;
    fireEvent.click(within(actions).getByTestId(t.start('demo', 'full_reindex')));

    const result = await screen.findByTestId(t.actionResult('demo'), {}, WAIT);
    expect(result).toHaveTextContent(L.actions.queued('Full reindex', 'Messages, Files, Users, Conversations', 'acme'));
    expect(calls('/v1/crawls', 'POST').map((c) => c.data)).toEqual(
      ['messages', 'files', 'users', 'conversations'].map((entity) => ({
        source_id: 'demo',
        type: 'full_reindex',
        entity,
        tenant_id: 'acme',
        batch_size: 50,
      }))
    );
    // the crawls are read again at once
    await waitFor(() => expect(calls('/v1/crawls').length).toBeGreaterThan(before), WAIT);
  });

  test('a crawl started here that finished before the list showed it running still refreshes the cursors', async () => {
    backend.crawls = [];
    backend.startCrawl = (body) => {
      // done at once: the list never shows it running or waiting
      backend.crawls = [
        run({ id: 'quick-1', type: 'incremental', entity: body.entity as 'messages', state: 'succeeded' }),
      ];
      return ok({ job_id: 'quick-1' }, 202);
    };
    renderAt(<Crawler />, '/crawler?tenant=acme');
    const actions = await screen.findByTestId(t.actions('demo'), {}, WAIT);
    await screen.findByTestId(t.crawlsEmpty, {}, WAIT);
    const sourcesRead = calls('/v1/sources').length;
    fireEvent.click(within(within(actions).getByTestId(t.entity('demo'))).getByLabelText(L.entities.messages));
    fireEvent.click(within(actions).getByTestId(t.start('demo', 'incremental')));
    expect(await screen.findByTestId(t.state('quick-1'), {}, WAIT)).toHaveTextContent(labels.jobs.states.succeeded);
    await waitFor(() => expect(calls('/v1/sources').length).toBeGreaterThan(sourcesRead), WAIT);
  });

  test('one entity; a crawl the backend refuses (another of it still running) says why and is not listed as queued', async () => {
    backend.startCrawl = (body) =>
      body.type === 'incremental'
        ? httpError(409, {
            error: {
              code: 'crawl_running',
              message: `a full_reindex crawl of ${body.entity} for acme from 'demo' is queued or running`,
            },
          })
        : ok({ job_id: 'x' }, 202);
    renderAt(<Crawler />, '/crawler?tenant=acme');
    const actions = await screen.findByTestId(t.actions('demo'), {}, WAIT);
    fireEvent.click(within(within(actions).getByTestId(t.entity('demo'))).getByLabelText(L.entities.users));
    fireEvent.click(within(actions).getByTestId(t.start('demo', 'incremental')));
    const result = await screen.findByTestId(t.actionResult('demo'), {}, WAIT);
    expect(result).toHaveTextContent(
      `Users: ${labels.errors.api.title(409, "a full_reindex crawl of users for acme from 'demo' is queued or running")}`
    );
    expect(result).not.toHaveTextContent('queued for');
    expect(calls('/v1/crawls', 'POST').map((c) => c.data.entity)).toEqual(['users']);
  });

  test('an admin key the backend refuses is named as the admin key on the Configuration page', async () => {
    backend.startCrawl = () => httpError(401, { error: { code: 'unauthorized', message: 'invalid API key' } });
    renderAt(<Crawler />, '/crawler?tenant=acme');
    const actions = await screen.findByTestId(t.actions('demo'), {}, WAIT);
    fireEvent.click(within(within(actions).getByTestId(t.entity('demo'))).getByLabelText(L.entities.messages));
    fireEvent.click(within(actions).getByTestId(t.start('demo', 'deleted')));
    const result = await screen.findByTestId(t.actionResult('demo'), {}, WAIT);
    expect(result).toHaveTextContent(`Messages: ${L.errors.adminKey.title}`);
    expect(result).toHaveTextContent(L.errors.adminKey.hint);
    expect(within(result).getByRole('link', { name: /Open Configuration/ })).toHaveAttribute(
      'href',
      '/plugins/caas-observatory-app'
    );
  });

  test('without a tenant, or with a bad batch size, the crawl buttons are disabled and say why', async () => {
    const { unmount } = renderAt(<Crawler />, '/crawler');
    let actions = await screen.findByTestId(t.actions('demo'), {}, WAIT);
    expect(within(actions).getByTestId(t.start('demo', 'full_reindex'))).toHaveAttribute('aria-disabled', 'true');
    expect(actions).toHaveTextContent(L.actions.pickTenant);
    unmount();

    renderAt(<Crawler />, '/crawler?tenant=acme');
    actions = await screen.findByTestId(t.actions('demo'), {}, WAIT);
    expect(within(actions).getByTestId(t.start('demo', 'incremental'))).toHaveAttribute('aria-disabled', 'false');
    fireEvent.change(within(actions).getByTestId(t.batchSize('demo')), { target: { value: '5000' } });
    expect(within(actions).getByTestId(t.start('demo', 'incremental'))).toHaveAttribute('aria-disabled', 'true');
    expect(actions).toHaveTextContent(L.actions.batchInvalid(1000));
    fireEvent.click(within(actions).getByTestId(t.start('demo', 'incremental')));
    expect(calls('/v1/crawls', 'POST')).toHaveLength(0);
  });

  test('adding a source: what to fix first, then POST /v1/sources and the list read again', async () => {
    renderAt(<Crawler />, '/crawler');
    fireEvent.click(await screen.findByTestId(t.addToggle, {}, WAIT));
    const form = screen.getByTestId(t.addForm);
    fireEvent.change(within(form).getByTestId(t.addId), { target: { value: 'EU 1' } });
    fireEvent.click(within(form).getByTestId(t.addSubmit));
    expect(form).toHaveTextContent(L.add.problems.id);
    expect(form).toHaveTextContent(L.add.problems.url);
    expect(calls('/v1/sources', 'POST')).toHaveLength(0);

    const sourcesRead = calls('/v1/sources').length;
    fireEvent.change(within(form).getByTestId(t.addId), { target: { value: 'caas-eu' } });
    fireEvent.change(within(form).getByTestId(t.addUrl), { target: { value: 'https://caas.example.com/caas/v1' } });
    fireEvent.change(within(form).getByTestId(t.addToken), { target: { value: 'tok-123' } });
    fireEvent.change(within(form).getByTestId(t.addRate), { target: { value: '20' } });
    fireEvent.click(within(form).getByTestId(t.addSubmit));
    expect(await screen.findByTestId(t.notice, {}, WAIT)).toHaveTextContent(L.sources.added('caas-eu'));
    expect(calls('/v1/sources', 'POST').map((c) => c.data)).toEqual([
      {
        id: 'caas-eu',
        kind: 'caas_http',
        url: 'https://caas.example.com/caas/v1',
        token: 'tok-123',
        rate_limit_per_s: 20,
      },
    ]);
    await waitFor(() => expect(calls('/v1/sources').length).toBeGreaterThan(sourcesRead), WAIT);
    expect(screen.queryByTestId(t.addForm)).not.toBeInTheDocument();
  });

  test("adding a source the backend refuses keeps the form with the backend's reason", async () => {
    backend.addSource = () =>
      httpError(409, { error: { code: 'conflict', message: "source 'demo' already exists: delete it first" } });
    renderAt(<Crawler />, '/crawler');
    fireEvent.click(await screen.findByTestId(t.addToggle, {}, WAIT));
    const form = screen.getByTestId(t.addForm);
    fireEvent.change(within(form).getByTestId(t.addId), { target: { value: 'demo' } });
    fireEvent.change(within(form).getByTestId(t.addUrl), { target: { value: 'http://127.0.0.1:1/caas/v1' } });
    fireEvent.click(within(form).getByTestId(t.addSubmit));
    expect(await within(form).findByTestId(t.addError, {}, WAIT)).toHaveTextContent(
      labels.errors.api.title(409, "source 'demo' already exists: delete it first")
    );
    expect(within(form).getByTestId(t.addId)).toHaveValue('demo');
  });

  test('remove a source and reset a cursor, each after a confirmation', async () => {
    renderAt(<Crawler />, '/crawler');
    const card = await screen.findByTestId(t.source('demo'), {}, WAIT);
    fireEvent.click(within(card).getByTestId(t.resetCursor('demo', 'files', 'acme')));
    const resetTitle = L.cursors.resetTitle('demo', 'Files', 'acme');
    expect(await screen.findByText(resetTitle)).toBeInTheDocument();
    expect(calls('/v1/sources/demo/cursors/files/acme', 'DELETE')).toHaveLength(0);
    fireEvent.click(screen.getByRole('button', { name: L.cursors.resetConfirm }));
    expect(await screen.findByTestId(t.notice, {}, WAIT)).toHaveTextContent(
      L.cursors.resetDone('demo', 'Files', 'acme')
    );
    expect(calls('/v1/sources/demo/cursors/files/acme', 'DELETE')).toHaveLength(1);

    fireEvent.click(within(card).getByTestId(t.removeSource('demo')));
    expect(await screen.findByText(L.sources.removeTitle('demo'))).toBeInTheDocument();
    fireEvent.click(screen.getByRole('button', { name: L.sources.removeConfirm }));
    await waitFor(() => expect(screen.getByTestId(t.notice)).toHaveTextContent(L.sources.removed('demo')), WAIT);
    expect(calls('/v1/sources/demo', 'DELETE')).toHaveLength(1);
  });
});

describe('pages/Crawler: a Viewer', () => {
  test('reads everything; every write is disabled and says an Admin does it, and how', async () => {
    asRole(OrgRole.Viewer);
    renderAt(<Crawler />, '/crawler?tenant=acme');
    const notice = await screen.findByTestId(t.viewerNotice, {}, WAIT);
    expect(notice).toHaveTextContent(L.viewerNotice.title);
    expect(notice).toHaveTextContent('npx caas crawl --entity messages --tenant acme --type incremental');
    const card = await screen.findByTestId(t.source('demo'), {}, WAIT);
    for (const type of ['full_reindex', 'incremental', 'deleted']) {
      // disabled with its reason as a tooltip (Grafana's Button then sets aria-disabled and drops the click)
      expect(within(card).getByTestId(t.start('demo', type))).toHaveAttribute('aria-disabled', 'true');
    }
    expect(within(card).getByTestId(t.removeSource('demo'))).toHaveAttribute('aria-disabled', 'true');
    expect(within(card).getByTestId(t.resetCursor('demo', 'messages', 'acme'))).toHaveAttribute(
      'aria-disabled',
      'true'
    );
    expect(within(card).getByTestId(t.actions('demo'))).toHaveTextContent(L.adminOnly);
    expect(screen.queryByTestId(t.addToggle)).not.toBeInTheDocument();
    // the crawls and their logs are for everyone
    expect(await screen.findByTestId(t.crawlsTable, {}, WAIT)).toBeInTheDocument();
    expect(fetchMock.mock.calls.every((c) => ((c[0] as BackendSrvRequest).method ?? 'GET') === 'GET')).toBe(true);
  });
});

describe('pages/Crawler: crawls with live progress', () => {
  test('done of the total or estimate, rate, time left, errors and state, by tab', async () => {
    renderAt(<Crawler />, '/crawler');
    const table = await screen.findByTestId(t.crawlsTable, {}, WAIT);
    expect(within(table).getByTestId(t.progress(JOB_IDS.running))).toHaveTextContent('50 / ≈125');
    expect(within(table).getByTestId(t.rate(JOB_IDS.running))).toHaveTextContent('25 docs/s');
    expect(within(table).getByTestId(t.eta(JOB_IDS.running))).toHaveTextContent('3 s');
    expect(within(table).getByTestId(t.state(JOB_IDS.running))).toHaveTextContent(labels.jobs.states.running);
    expect(within(table).getByTestId(t.progress(JOB_IDS.queued))).toHaveTextContent('0 / ≈40');
    expect(within(table).getByTestId(t.eta(JOB_IDS.queued))).toHaveTextContent(L.crawls.none);
    expect(table).toHaveTextContent("source 'demo' (/caas/v1/files/deleted) answered 503 Service Unavailable");
    expect(screen.getByTestId(t.live)).toHaveTextContent(L.crawls.live(2));

    fireEvent.click(screen.getByTestId(t.crawlsTab('failed')));
    await waitFor(() => expect(screen.queryByTestId(t.progress(JOB_IDS.running))).not.toBeInTheDocument(), WAIT);
    expect(screen.getByTestId(t.state(JOB_IDS.failed))).toHaveTextContent(labels.jobs.states.failed);

    // one type only: the backend is asked for it
    fireEvent.click(within(screen.getByTestId(t.crawlsType)).getByLabelText(L.types.incremental));
    expect(await screen.findByTestId(t.crawlsEmpty, {}, WAIT)).toHaveTextContent(L.crawls.empty.failed);
    expect(calls('/v1/crawls').at(-1)?.params?.type).toBe('incremental');
  });

  test('while a crawl runs the list is read again; when it finished the sources follow', async () => {
    jest.useFakeTimers({ doNotFake: ['queueMicrotask', 'nextTick', 'setImmediate'] });
    backend.crawls = [run()];
    renderAt(<Crawler />, '/crawler');
    await act(async () => {
      await jest.advanceTimersByTimeAsync(50);
    });
    await waitFor(() => expect(screen.getByTestId(t.progress(JOB_IDS.running))).toHaveTextContent('50 / ≈125'));
    const sourcesRead = calls('/v1/sources').length;

    backend.crawls = [run({ progress: { done: 100, total: null, message: null }, eta_s: 1, rate_per_s: 33.3 })];
    await act(async () => {
      await jest.advanceTimersByTimeAsync(LIVE_POLL_MS + 50);
    });
    await waitFor(() => expect(screen.getByTestId(t.progress(JOB_IDS.running))).toHaveTextContent('100 / ≈125'));
    expect(screen.getByTestId(t.rate(JOB_IDS.running))).toHaveTextContent('33 docs/s');
    expect(calls('/v1/sources')).toHaveLength(sourcesRead);

    backend.crawls = [
      run({
        state: 'succeeded',
        progress: { done: 126, total: 126, message: 'done' },
        expected_total: 126,
        eta_s: null,
        finished_at: '2026-12-01T03:00:05.000Z',
      }),
    ];
    await act(async () => {
      await jest.advanceTimersByTimeAsync(LIVE_POLL_MS + 50);
    });
    await waitFor(() => expect(screen.getByTestId(t.progress(JOB_IDS.running))).toHaveTextContent('126 / 126'));
    expect(screen.getByTestId(t.state(JOB_IDS.running))).toHaveTextContent(labels.jobs.states.succeeded);
    expect(screen.queryByTestId(t.live)).not.toBeInTheDocument();
    // the crawl finished: its cursor moved, so the sources are read again
    await waitFor(() => expect(calls('/v1/sources').length).toBeGreaterThan(sourcesRead));

    // nothing runs any more: no further polling
    const crawlReads = calls('/v1/crawls').length;
    await act(async () => {
      await jest.advanceTimersByTimeAsync(3 * LIVE_POLL_MS);
    });
    expect(calls('/v1/crawls')).toHaveLength(crawlReads);
  });

  test("a crawl's run log opens below from the list and from a cursor's newest run", async () => {
    const { search } = renderAt(<Crawler />, '/crawler');
    fireEvent.click(await screen.findByTestId(t.openCrawl(JOB_IDS.running), {}, WAIT));
    const detail = await screen.findByTestId(testIds.jobs.detail, {}, WAIT);
    expect(await within(detail).findByTestId(testIds.jobs.log, {}, WAIT)).toHaveTextContent('crawl messages started');
    expect(detail).toHaveTextContent(labels.jobs.detail.title(labels.jobs.kinds['crawl.run']!));
    expect(search().get('job')).toBe(JOB_IDS.running);

    fireEvent.click(within(detail).getByTestId(testIds.jobs.detailClose));
    await waitFor(() => expect(screen.queryByTestId(testIds.jobs.detail)).not.toBeInTheDocument());
    fireEvent.click(screen.getByTestId(t.openRun(JOB_IDS.failed)));
    expect(await screen.findByTestId(testIds.jobs.detail, {}, WAIT)).toBeInTheDocument();
    expect(search().get('job')).toBe(JOB_IDS.failed);
  });

  test('the crawls failing to load say what to do, and Retry recovers', async () => {
    let down = true;
    const answer = fetchMock.getMockImplementation()!;
    fetchMock.mockImplementation((o: BackendSrvRequest) =>
      down && o.url === `${PROXY}/v1/crawls` ? httpError(502, '') : answer(o)
    );
    renderAt(<Crawler />, '/crawler');
    const alert = await screen.findByTestId(t.crawlsError, {}, WAIT);
    expect(alert).toHaveTextContent(labels.errors.unreachable.title);
    down = false;
    fireEvent.click(within(alert).getByRole('button', { name: labels.common.retry }));
    expect(await screen.findByTestId(t.crawlsTable, {}, WAIT)).toBeInTheDocument();
  });
});

// keep the cursor fixture's shape in use for a source with a connection string (a postgres source)
test('a postgres source shows that its connection string is set, never the string', async () => {
  backend.sources = [
    source({
      id: 'pg',
      kind: 'postgres',
      url: null,
      token: { set: false },
      connection_string: { set: true },
      rate_limit_per_s: null,
      cursors: [cursor({ source_id: 'pg' })],
    }),
  ];
  renderAt(<Crawler />, '/crawler');
  const facts = await screen.findByTestId(t.sourceFacts('pg'), {}, WAIT);
  expect(facts).toHaveTextContent('PostgreSQL tables');
  expect(facts).toHaveTextContent(`Connection string${L.sources.secretSet}`);
  expect(facts).toHaveTextContent(L.sources.rateDefault);
  expect(facts).not.toHaveTextContent('Token');
});
