import { ApiError, NetworkError } from '../../api/errors';
import { labels } from '../../labels';
import { parseBatchSize } from './CrawlActions';
import { EMPTY_FORM, toSourceBody } from './AddSource';
import { crawlEta, crawlProgress, crawlRate, describeAdminError } from './crawl-view';
import { run } from './fixtures';

const c = labels.crawler.crawls;

describe('crawl-view', () => {
  test('progress: of the total once known, of the estimate (≈) while running, else the count alone', () => {
    expect(crawlProgress(run())).toEqual({ text: '50 / ≈125', fraction: 0.4 });
    expect(
      crawlProgress(
        run({ state: 'succeeded', progress: { done: 1250, total: 1250, message: null }, expected_total: 1250 })
      )
    ).toEqual({ text: '1,250 / 1,250', fraction: 1 });
    expect(crawlProgress(run({ type: 'incremental', expected_total: null }))).toEqual({
      text: '50 docs',
      fraction: null,
    });
    // past the estimate: the bar is full, not beyond
    expect(crawlProgress(run({ progress: { done: 140, total: null, message: null } })).fraction).toBe(1);
    // an empty source: done
    expect(
      crawlProgress(run({ state: 'succeeded', progress: { done: 0, total: 0, message: null }, expected_total: 0 }))
    ).toEqual({ text: '0 / 0', fraction: 1 });
  });

  test('rate: one decimal below 10 docs/s, none before the run started', () => {
    expect(crawlRate(run({ rate_per_s: 4.56 }))).toBe('4.6 docs/s');
    expect(crawlRate(run({ rate_per_s: 1234.4 }))).toBe('1,234 docs/s');
    expect(crawlRate(run({ state: 'queued', rate_per_s: null }))).toBe(c.none);
    expect(crawlRate(run({ rate_per_s: null }))).toBe(c.none);
  });

  test('time left: while running only; says why it is unknown', () => {
    expect(crawlEta(run({ eta_s: 65 }))).toEqual({ text: '1 min 5 s' });
    expect(crawlEta(run({ eta_s: 0 }))).toEqual({ text: '1 s' });
    expect(crawlEta(run({ state: 'succeeded', eta_s: null }))).toEqual({ text: c.none });
    expect(crawlEta(run({ eta_s: null, progress: { done: 130, total: null, message: null } }))).toEqual({
      text: c.etaAlmost,
      hint: c.etaAlmostHint,
    });
    expect(crawlEta(run({ eta_s: null, rate_per_s: 0, progress: { done: 0, total: null, message: null } }))).toEqual({
      text: c.etaUnknown,
      hint: c.etaNoRateHint,
    });
    expect(crawlEta(run({ eta_s: null, expected_total: null }))).toEqual({
      text: c.etaUnknown,
      hint: c.etaFirstFullHint,
    });
    expect(crawlEta(run({ type: 'deleted', eta_s: null, expected_total: null }))).toEqual({
      text: c.etaUnknown,
      hint: c.etaIncrementalHint,
    });
  });

  test("an Admin action's refused key names the admin key; Grafana's 403 says Admins only; the rest as everywhere", () => {
    const backend401 = new ApiError(401, { error: { code: 'unauthorized', message: 'invalid API key' } });
    expect(describeAdminError(backend401)).toMatchObject({ ...labels.crawler.errors.adminKey, fixOnConfigPage: true });
    const grafana403 = new ApiError(403, { message: 'plugin proxy route access denied' });
    expect(describeAdminError(grafana403)).toMatchObject({ ...labels.crawler.errors.notAdmin, fixOnConfigPage: false });
    const conflict = new ApiError(409, {
      error: { code: 'crawl_running', message: 'a full_reindex crawl of messages for acme is queued or running' },
    });
    expect(describeAdminError(conflict).title).toBe(
      labels.errors.api.title(409, 'a full_reindex crawl of messages for acme is queued or running')
    );
    expect(describeAdminError(new NetworkError('down')).title).toBe(labels.errors.unreachable.title);
  });

  test('batch size: a whole number from 1 to 1000', () => {
    expect(parseBatchSize('200')).toBe(200);
    expect(parseBatchSize(' 1000 ')).toBe(1000);
    for (const bad of ['0', '1001', '2.5', '-3', '', 'ten', '1e2']) {
      expect(parseBatchSize(bad)).toBeUndefined();
    }
  });

  test("the add-source form: only the kind's own fields are sent; what to fix otherwise", () => {
    expect(
      toSourceBody({
        ...EMPTY_FORM,
        id: 'caas-eu',
        url: ' https://caas.example.com/caas/v1 ',
        token: 's3cret',
        rateLimit: '20',
      })
    ).toEqual({
      problems: {},
      body: {
        id: 'caas-eu',
        kind: 'caas_http',
        url: 'https://caas.example.com/caas/v1',
        token: 's3cret',
        rate_limit_per_s: 20,
      },
    });
    // no token, no rate limit: not sent; a connection string typed before switching kind is not sent either
    expect(
      toSourceBody({
        ...EMPTY_FORM,
        id: 'a',
        url: 'http://10.0.0.5:9000/caas/v1',
        connectionString: 'postgres://x@y/z',
      }).body
    ).toEqual({ id: 'a', kind: 'caas_http', url: 'http://10.0.0.5:9000/caas/v1' });
    expect(
      toSourceBody({
        ...EMPTY_FORM,
        id: 'pg',
        kind: 'postgres',
        connectionString: 'postgres://u:p@db:5432/caas',
        token: 't',
      }).body
    ).toEqual({ id: 'pg', kind: 'postgres', connection_string: 'postgres://u:p@db:5432/caas' });

    const p = labels.crawler.add.problems;
    expect(toSourceBody({ ...EMPTY_FORM, id: 'Bad Id', url: 'ftp://x', rateLimit: '0' })).toEqual({
      problems: { id: p.id, url: p.url, rateLimit: p.rateLimit },
    });
    expect(toSourceBody({ ...EMPTY_FORM, id: 'pg', kind: 'postgres', connectionString: 'mysql://x' })).toEqual({
      problems: { connectionString: p.connectionString },
    });
  });
});
