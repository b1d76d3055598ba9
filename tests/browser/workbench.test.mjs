// Real-browser tests of the workbench page (tests/workbench) against the real backend loaded with demo data; Chromium
// (playwright-core, Debian's /usr/bin/chromium, never a downloaded browser) clicks through it and checks what a person
// sees. Screenshots: test-output/browser/*.png.
//
// - App shell (issue "Platform", part 6): the app's router from the route table at Grafana's URLs; Home with the
//   shared tenant picker, its Jobs section and the nightly storage report (part 2): first empty ("No jobs yet", no
//   report) with the next firings from GET /v1/schedules (the storage report's at 03:00 UTC), then after a storage
//   report taken on the backend (the job listed, its run log, rows and bytes per tenant), for one tenant, reproduced
//   by the copied URL in a new tab, on to Analytics by the feature card with the tenant, and with the backend
//   unreachable (every section says what to do; Retry recovers).
// - Analytics explorer (issue "CAAS analytics"): the app page mounting the data source's real QueryEditor; a time
//   series drawn by uPlot and read back as a table, a login → message_sent funnel with its user counts.
// - Data source panel: the real CaasDataSource (src/datasource/datasource.ts) built from provisioned-style instance
//   settings, with its QueryEditor: "Test" (testDatasource: /health/ready, then an authenticated lookup) succeeds;
//   query() with a dashboard DataQueryRequest through the data-proxy route `<url>/caas/...` draws a time series
//   (uPlot, legend total > 0) and a funnel table; a query the backend rejects (minute points over the range) and a
//   malformed tenant id come back as the panel's error text, not a hang.
// - Least privilege (issue "Hardening"): the page runs as a Grafana Viewer and holds only the READ key (backend role
//   viewer, bootstrapped with CAAS_VIEWER_KEY), never the admin key. Its getBackendSrv stand-in picks each request's
//   plugin.json route with tests/workbench/grafana-proxy.mjs, the port of Grafana's matching that
//   backend/test/grafana-routes.test.ts proves the routes with, and adds the key that route names. So every flow above
//   passes through the real routes with the read key; the last tests check Grafana's answers to a Viewer on the Admin
//   and unrouted paths (403, 404, and no key for what the data source does not route) and that the backend saw no
//   other key than the read key.
//
// Run: node --test tests/browser/   (from the repository root; ~40 s: backend with demo data and bundle ~17 s, tests ~10 s)
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import assert from 'node:assert/strict';
import {
  APP,
  APP_PROXY,
  VIEWER_KEY,
  buildWorkbench,
  launchChromium,
  openPage as openTab,
  outDir,
  settingsUrl,
  skipReason,
  startBackend as startAnyBackend,
  startStatic,
  screenshotIfFailed,
  stopAll,
} from './support.mjs';

/**
 * The tenant picker's text once it settles: it shows the id from the URL at once and the tenant's
 * name when the tenant list has loaded, so wait (bounded) for the expected text before reading it.
 */
async function tenantShown(page, expected, timeoutMs = 10_000) {
  const input = page.getByTestId(ids.header.tenant);
  const t0 = Date.now();
  let value = await input.inputValue();
  while (value !== expected && Date.now() - t0 < timeoutMs) {
    await new Promise((r) => setTimeout(r, 50));
    value = await input.inputValue();
  }
  return value;
}

const OUT = outDir('workbench');
const DEMO_DAYS = 14;
// The data source panel's jsonData.defaultTenant: a viewer key (like an admin key) must name the tenant it reads.
const DS_TENANT = 'acme';
const DS_PROXY = '/api/datasources/proxy/uid/workbench-ds/caas';
const backendAuth = [];
/**
 * `proxy.down`: while true, the static server answers every backend call 502 without a body, as Grafana's proxy does
 * when the backend is down (the pages' error states). `proxy.auth`: the Authorization header of every request the static
 * server forwarded to the backend ('' when none).
 */
const proxy = { down: false, auth: backendAuth };

// The data source's and the app's test ids (src/datasource/testIds.ts, src/components/testIds.ts), as the DOM has them.
const ids = {
  kind: 'data-testid caas-ds-kind',
  tenant: 'data-testid caas-ds-tenant',
  preview: 'data-testid caas-ds-preview',
  funnelStepEvent: (i) => `data-testid caas-ds-funnel-step-${i}-event`,
  run: 'data-testid analytics-run',
  view: 'data-testid analytics-view',
  results: 'data-testid analytics-results',
  panel: 'data-testid analytics-panel',
  meta: 'data-testid analytics-meta',
  error: 'data-testid analytics-error',
  granularity: 'data-testid caas-ds-granularity',
  // The two sections of the page; both hold a QueryEditor, so every editor locator is taken within one of them.
  explorer: 'workbench-app',
  // src/components/testIds.ts: the shared header, Home's sections
  header: { tenant: 'data-testid header-tenant', tenantError: 'data-testid header-tenant-error' },
  home: {
    container: 'data-testid home-container',
    health: 'data-testid home-health',
    healthError: 'data-testid home-health-error',
    feature: (id) => `data-testid home-feature-${id}`,
    featureMissing: (id) => `data-testid home-feature-missing-${id}`,
  },
  jobs: {
    container: 'data-testid jobs-container',
    refresh: 'data-testid jobs-refresh',
    empty: 'data-testid jobs-empty',
    error: 'data-testid jobs-error',
    table: 'data-testid jobs-table',
    open: (id) => `data-testid jobs-open-${id}`,
    detail: 'data-testid jobs-detail',
    log: 'data-testid jobs-log',
    nextScheduled: 'data-testid jobs-next-scheduled',
  },
  storage: {
    container: 'data-testid storage-container',
    refresh: 'data-testid storage-refresh',
    empty: 'data-testid storage-empty',
    error: 'data-testid storage-error',
    table: 'data-testid storage-table',
    measured: 'data-testid storage-measured',
    nextRun: 'data-testid storage-next-run',
    tables: 'data-testid storage-tables',
  },
  analyticsContainer: 'data-testid analytics-container',
  noTenant: 'data-testid analytics-no-tenant',
  // tests/workbench/DataSourcePanel.tsx (dsPanelTestIds)
  ds: {
    panel: 'workbench-ds-panel',
    test: 'workbench-ds-test',
    testResult: 'workbench-ds-test-result',
    run: 'workbench-ds-run',
    state: 'workbench-ds-state',
    error: 'workbench-ds-error',
    summary: 'workbench-ds-summary',
    result: 'workbench-ds-result',
  },
};

if (skipReason) {
  console.log(`SKIP browser tests: ${skipReason}`);
}

/** The backend with demo events (no crawl source: Home expects a backend with no jobs yet). */
function startBackend() {
  return startAnyBackend({
    args: ['--demo', '--demo-no-search', '--demo-days', String(DEMO_DAYS)],
    ready: (log) => log.includes('demo events loaded'),
  });
}

/** Picks an option of a Grafana Combobox (the one with testId inside the `within` locator) by its visible label. */
async function pick(within, testId, label) {
  const input = within.getByTestId(testId);
  await input.click();
  await input.fill(label);
  // The options list is a portal at the end of the page, not inside `within`.
  const page = typeof within.page === 'function' ? within.page() : within;
  await page.getByRole('option', { name: label, exact: false }).first().click();
}

describe('Workbench in Chromium (real backend, demo data)', { skip: skipReason }, () => {
  let backend;
  let web;
  let browser;
  let context;
  let page;
  let explorer;
  let dsPanel;
  const consoleErrors = [];

  before(async () => {
    const t0 = Date.now();
    rmSync(OUT, { recursive: true, force: true });
    mkdirSync(OUT, { recursive: true });
    const [started] = await Promise.all([startBackend(), Promise.resolve().then(buildWorkbench)]);
    backend = started;
    console.log(
      `backend with ${DEMO_DAYS} demo days and workbench bundle ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`
    );
    web = await startStatic(backend.url, proxy);
    browser = await launchChromium();
    // Times on the page are in the browser's zone (as Grafana shows them): UTC, so the schedules' times read as the
    // backend writes them.
    context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, timezoneId: 'UTC' });
    page = await openPage();
    // As a Grafana Viewer, with the read key only: no adminKey parameter, so the app's adminKey is not even set. The
    // first URL carries the workbench's settings and goes on to the app's default page, Home.
    await page.goto(settingsUrl(web.url, { days: DEMO_DAYS, tenant: DS_TENANT }));
    await page.getByTestId(ids.home.container).waitFor();
    assert.equal(new URL(page.url()).pathname, `${APP}/home`);
    explorer = page.getByTestId(ids.explorer);
    dsPanel = page.getByTestId(ids.ds.panel);
    await dsPanel.getByTestId(ids.kind).waitFor();
  });

  /** A tab of the browser, logging what goes wrong in it. */
  const openPage = () => openTab(context, consoleErrors);

  /** The backend itself, as its operator calls it (not through Grafana): the admin key. */
  const backendAsAdmin = (method, pathname) => backend.asAdmin(method, pathname);

  /** The text of a Grafana InteractiveTable's body rows, one string per row. */
  async function rowsOf(table) {
    return (await table.locator('tbody tr').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
  }

  let storageJobId;

  test('Home, fresh backend: no jobs yet, no storage report yet, and features that say what is missing', async () => {
    const jobs = page.getByTestId(ids.jobs.container);
    const empty = jobs.getByTestId(ids.jobs.empty);
    await empty.waitFor();
    assert.match(await empty.innerText(), /No jobs yet\./);
    assert.match(await empty.innerText(), /nightly storage report/);

    // When things run next, as the backend's schedules say (GET /v1/schedules, asked here as its operator): the nightly
    // storage report at 03:00 UTC by default; Jobs shows the soonest enabled firing of any schedule.
    const { status, body } = await backendAsAdmin('GET', '/v1/schedules');
    assert.equal(status, 200, JSON.stringify(body));
    const storageSchedule = body.schedules.find((s) => s.kind === 'storage.report');
    assert.ok(storageSchedule?.enabled, `the storage report is scheduled: ${JSON.stringify(body)}`);
    assert.match(storageSchedule.next_fire_at, /T03:00:00\.000Z$/);
    const shown = (iso) => `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
    const storageAt = shown(storageSchedule.next_fire_at);
    const soonest = body.schedules
      .filter((s) => s.enabled && s.next_fire_at)
      .sort((a, b) => Date.parse(a.next_fire_at) - Date.parse(b.next_fire_at))[0];
    const next = jobs.getByTestId(ids.jobs.nextScheduled);
    await next.getByText(/ \(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\)/).waitFor();
    const nextText = await next.innerText();
    assert.ok(
      nextText.includes(`(${shown(soonest.next_fire_at)})`),
      `${nextText} (soonest: ${JSON.stringify(soonest)})`
    );
    assert.match(nextText, /^Next scheduled: .+, in .+ \(/, nextText);
    if (soonest.kind === 'storage.report') {
      assert.match(nextText, new RegExp(`^Next scheduled: Storage report, in .+ \\(${storageAt}\\)$`), nextText);
    }
    const nextRun = page.getByTestId(ids.storage.container).getByTestId(ids.storage.nextRun);
    await nextRun.getByText(/schedule "/).waitFor();
    const nextRunText = await nextRun.innerText();
    assert.equal(
      nextRunText.replace(/: in .+ \(/, ': in … ('),
      `Next run: in … (${storageAt}), schedule "0 3 * * *" in UTC`,
      nextRunText
    );
    assert.match(storageAt, / 03:00:00$/);
    console.log(`Home shows: "${nextText}" and "${nextRunText}"`);

    const storageEmpty = page.getByTestId(ids.storage.container).getByTestId(ids.storage.empty);
    await storageEmpty.waitFor();
    assert.match(await storageEmpty.innerText(), /No storage report yet/);
    assert.match(await storageEmpty.innerText(), /POST \/v1\/storage\/refresh/);
    // The health section answered too: the workbench is wired to the real backend.
    await page
      .getByTestId(ids.home.health)
      .getByText(/Healthy: every engine answers/)
      .waitFor();

    // Analytics, Search and Alerts are links (with no tenant picked, no params); the other features say what they lack,
    // and no link.
    for (const id of ['analytics', 'search', 'alerts']) {
      const card = page.getByTestId(ids.home.feature(id));
      assert.equal(await card.getByRole('link').getAttribute('href'), `${APP}/${id}`);
    }
    for (const id of ['sla', 'reports']) {
      const card = page.getByTestId(ids.home.feature(id));
      assert.match(await card.getByTestId(ids.home.featureMissing(id)).innerText(), /not built yet\. It needs/);
      assert.equal(await card.getByRole('link').count(), 0, `${id} has no link`);
    }
    assert.doesNotMatch(await page.getByTestId(ids.home.container).innerText(), /coming soon/i);
    await page.screenshot({ path: path.join(OUT, 'home-empty.png'), fullPage: true });
  });

  test('Home after a storage report: the job in Jobs, its run log, rows and bytes per tenant', async () => {
    // The nightly job, taken now by the backend's operator (POST /v1/storage/refresh is Admin-only, not routed).
    const started = await backendAsAdmin('POST', '/v1/storage/refresh');
    assert.equal(started.status, 202, JSON.stringify(started.body));
    storageJobId = started.body.job_id;
    let state;
    for (const deadline = Date.now() + 60_000; Date.now() < deadline; await sleep(250)) {
      state = (await backendAsAdmin('GET', `/v1/jobs/${storageJobId}`)).body.state;
      if (state === 'succeeded' || state === 'failed') {
        break;
      }
    }
    assert.equal(state, 'succeeded');

    await page.getByTestId(ids.jobs.refresh).click();
    const table = page.getByTestId(ids.jobs.table);
    await table.waitFor();
    const jobRows = await rowsOf(table);
    assert.equal(jobRows.length, 1, jobRows.join('\n'));
    assert.match(jobRows[0], /Storage report platform succeeded/);

    await page.getByTestId(ids.storage.refresh).click();
    const storage = page.getByTestId(ids.storage.table);
    await storage.waitFor();
    const storageRows = await rowsOf(storage);
    // The demo's three tenants, each with event rows and bytes on disk.
    assert.deepEqual(
      storageRows.map((r) => r.split(' ')[0]).sort(),
      ['acme', 'globex', 'initech'],
      storageRows.join('\n')
    );
    for (const row of storageRows) {
      assert.match(row, /^\w+ [1-9][\d,]* \d+(\.\d)? (B|KiB|MiB|GiB) [\d.]+ %$/, row);
    }
    assert.match(
      await page.getByTestId(ids.storage.measured).innerText(),
      /^Measured .* ago \(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\)\.$/
    );
    await page.screenshot({ path: path.join(OUT, 'home-jobs-storage.png'), fullPage: true });

    // Its run log, opened from the list; the open job is in the URL.
    await page.getByTestId(ids.jobs.open(storageJobId)).click();
    const log = page.getByTestId(ids.jobs.log);
    await log.getByText(/tenant\(s\): \d+ event rows/).waitFor();
    assert.equal(new URL(page.url()).searchParams.get('job'), storageJobId);
    assert.match(await page.getByTestId(ids.jobs.detail).innerText(), /succeeded/);
    await page.getByTestId(ids.jobs.detail).screenshot({ path: path.join(OUT, 'home-job-log.png') });
  });

  test('Home for one tenant: the picker writes the URL, and the copied URL opens the same screen in a new tab', async () => {
    await pick(page, ids.header.tenant, 'acme');
    await page.waitForURL((u) => u.searchParams.get('tenant') === 'acme');
    // The storage job is platform-wide: acme has none of its own.
    const empty = page.getByTestId(ids.jobs.empty);
    await empty.waitFor();
    assert.match(await empty.innerText(), /No jobs for tenant acme yet/);
    const storage = page.getByTestId(ids.storage.table);
    assert.deepEqual(
      (await rowsOf(storage)).map((r) => r.split(' ')[0]),
      ['acme']
    );
    const tables = page.getByTestId(ids.storage.tables);
    await tables.getByText('Tables of tenant acme').waitFor();
    assert.ok(
      (await rowsOf(tables)).some((r) => r.startsWith('events ')),
      (await rowsOf(tables)).join('\n')
    );
    await page.screenshot({ path: path.join(OUT, 'home-tenant.png'), fullPage: true });

    const link = page.url();
    assert.match(link, new RegExp(`${APP}/home\\?.*tenant=acme`));
    assert.match(link, new RegExp(`job=${storageJobId}`), 'the open job is in the link too');
    const tab = await openPage();
    try {
      await tab.goto(link);
      await tab.getByTestId(ids.storage.tables).getByText('Tables of tenant acme').waitFor();
      assert.equal(await tenantShown(tab, 'Acme Corp (acme)'), 'Acme Corp (acme)');
      assert.match(await tab.getByTestId(ids.jobs.empty).innerText(), /No jobs for tenant acme yet/);
      await tab
        .getByTestId(ids.jobs.log)
        .getByText(/tenant\(s\)/)
        .waitFor();
      await tab.screenshot({ path: path.join(OUT, 'home-tenant-copied-link.png'), fullPage: true });
    } finally {
      await tab.close();
    }
  });

  test('Home → Analytics by the feature card keeps the tenant; the explorer asks for a tenant when none is picked', async () => {
    const card = page.getByTestId(ids.home.feature('analytics'));
    assert.equal(await card.getByRole('link').getAttribute('href'), `${APP}/analytics?tenant=acme`);
    await card.getByRole('link').click();
    await page.getByTestId(ids.analyticsContainer).waitFor();
    assert.equal(new URL(page.url()).pathname, `${APP}/analytics`);
    assert.equal(new URL(page.url()).searchParams.get('tenant'), 'acme');
    assert.equal(await tenantShown(page, 'Acme Corp (acme)'), 'Acme Corp (acme)');

    // The nav (built from the route table, as Grafana's sidebar is from plugin.json) goes back without params.
    await page.getByTestId('workbench-nav-analytics').click();
    await page.waitForURL((u) => !u.searchParams.has('tenant'));
    const noTenant = page.getByTestId(ids.noTenant);
    await noTenant.waitFor();
    assert.match(await noTenant.innerText(), /Pick a tenant in the header above first/);
    await page.screenshot({ path: path.join(OUT, 'analytics-no-tenant.png'), fullPage: true });
  });

  test('Home with the backend unreachable: every section says what to do, and Retry recovers', async () => {
    proxy.down = true;
    try {
      await page.goto(`${web.url}${APP}/home?jobs=failed`);
      const jobsError = page.getByTestId(ids.jobs.error);
      await jobsError.waitFor();
      assert.match(await jobsError.innerText(), /Grafana could not reach the CAAS backend\./);
      assert.match(await jobsError.innerText(), /Set the backend URL on the app's Configuration page/);
      const storageError = page.getByTestId(ids.storage.error);
      await storageError.waitFor();
      assert.match(await storageError.innerText(), /Grafana could not reach the CAAS backend/);
      await page.getByTestId(ids.home.healthError).waitFor();
      const tenantError = page.getByTestId(ids.header.tenantError);
      await tenantError.waitFor();
      assert.match(await tenantError.innerText(), /Could not list the tenants: .* Type a tenant id instead/);
      // The schedules failed too: the line says so and refers to the section's alert (whose Retry asks for both).
      const nextError = page.getByTestId(ids.jobs.nextScheduled);
      await nextError.getByText(/Could not read the schedules/).waitFor();
      assert.match(
        await nextError.innerText(),
        /Could not read the schedules: Grafana could not reach the CAAS backend\. What to do is below/
      );
      await page.screenshot({ path: path.join(OUT, 'home-error.png'), fullPage: true });
    } finally {
      proxy.down = false;
    }
    await page.getByTestId(ids.jobs.error).getByRole('button', { name: 'Retry' }).click();
    // The Failed tab (from the URL): the storage job succeeded, so nothing failed.
    const empty = page.getByTestId(ids.jobs.empty);
    await empty.waitFor();
    assert.match(await empty.innerText(), /No failed jobs/);
    // The section's Retry asked for the schedules too.
    await page
      .getByTestId(ids.jobs.nextScheduled)
      .getByText(/ \(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\)/)
      .waitFor();
    await page.getByTestId(ids.storage.error).getByRole('button', { name: 'Retry' }).click();
    await page.getByTestId(ids.storage.table).waitFor();
    assert.equal(await page.getByTestId(ids.jobs.error).count(), 0);
  });

  afterEach((t) => screenshotIfFailed(t, page, OUT));

  after(async () => {
    await stopAll({ browser, web, backend });
    if (consoleErrors.length) {
      console.log(
        `failed requests (fonts are not served; pickers ask before a tenant is picked):\n${consoleErrors.slice(0, 10).join('\n')}`
      );
    }
  });

  test('time series: picking the kind and running draws a series of events', async () => {
    // The explorer over the demo's days, as a link with a time range opens it.
    await page.goto(`${web.url}${APP}/analytics?from=now-${DEMO_DAYS}d&to=now`);
    await explorer.getByTestId(ids.kind).waitFor();
    await pick(explorer, ids.kind, 'Time series');
    // A viewer key must name the tenant it reads (the demo loads acme, globex and initech): the shared header's picker.
    await pick(explorer, ids.header.tenant, 'acme');
    await explorer.getByTestId(ids.run).click();
    const panel = explorer.getByTestId(ids.panel);
    await panel.waitFor();
    await page.screenshot({ path: path.join(OUT, 'timeseries.png'), fullPage: true });

    // uPlot drew it: a canvas with a size, and a legend entry for the series.
    const canvas = panel.locator('.u-over, canvas').first();
    await canvas.waitFor();
    const box = await panel.locator('canvas').first().boundingBox();
    assert.ok(box && box.width > 200 && box.height > 100, `chart canvas is drawn (${JSON.stringify(box)})`);
    // The legend names the series ("events", the metric asked for).
    await panel.getByText('events', { exact: true }).first().waitFor();

    // The plotted series has points and is not all zero: read back through the table view.
    await explorer.getByTestId(ids.view).getByText('Table', { exact: true }).click({ force: true });
    const table = explorer.getByTestId('workbench-panel-table');
    await table.waitFor();
    const cells = await table.getByRole('cell').allInnerTexts();
    const numbers = cells.map((c) => Number(c.replace(/[^\d.]/g, ''))).filter((n) => Number.isFinite(n) && n > 0);
    assert.ok(numbers.length > 0, `the table shows event counts (cells: ${cells.slice(0, 10).join(' | ')})`);
    await page.screenshot({ path: path.join(OUT, 'timeseries-table.png'), fullPage: true });

    // Everything on screen is in the URL: tenant, range, query and view.
    const url = new URL(page.url());
    assert.equal(url.searchParams.get('tenant'), 'acme');
    assert.equal(url.searchParams.get('from'), `now-${DEMO_DAYS}d`);
    assert.equal(url.searchParams.get('view'), 'table');
    assert.equal(JSON.parse(url.searchParams.get('q') ?? '{}').kind, 'timeseries');

    // The copied URL in a new tab: the same answer in the same view, without clicking Run.
    const tab = await openPage();
    try {
      await tab.goto(page.url());
      const copied = tab.getByTestId(ids.explorer).getByTestId('workbench-panel-table');
      await copied.waitFor();
      const copiedCells = await copied.getByRole('cell').allInnerTexts();
      // The range is relative (now-14d): the first hour is partial and its start moved on with the clock between the
      // tabs, so its count may differ by the events of those seconds; every later hour is whole and must match.
      assert.equal(copiedCells[0], cells[0], 'the same first hour as the original tab');
      assert.deepEqual(copiedCells.slice(2, 20), cells.slice(2, 20), 'the same rows as the original tab');
      assert.equal(await tenantShown(tab, 'Acme Corp (acme)'), 'Acme Corp (acme)');
      await tab.screenshot({ path: path.join(OUT, 'timeseries-copied-link.png'), fullPage: true });
    } finally {
      await tab.close();
    }

    await explorer.getByTestId(ids.view).getByText('Chart', { exact: true }).click({ force: true });
    await explorer.getByTestId('workbench-panel-timeseries').waitFor();
    assert.equal(new URL(page.url()).searchParams.get('view'), 'timeseries');
  });

  test('funnel: steps login → message_sent show their names and user counts', async () => {
    await pick(explorer, ids.kind, 'Funnel');
    if (!(await explorer.getByTestId(ids.preview).innerText()).includes('acme')) {
      await pick(explorer, ids.header.tenant, 'acme');
    }
    await pick(explorer, ids.funnelStepEvent(0), 'login');
    await pick(explorer, ids.funnelStepEvent(1), 'message_sent');
    await explorer.getByTestId(ids.run).click();
    const table = explorer.getByTestId(ids.panel).getByTestId('workbench-panel-table');
    await table.waitFor();
    await table.getByText('message_sent', { exact: true }).first().waitFor();
    await page.screenshot({ path: path.join(OUT, 'funnel.png'), fullPage: true });

    const steps = await assertLoginToMessageSent(table);
    console.log(`funnel as shown: ${JSON.stringify(steps)}`);
  });

  test('data source Test: testDatasource() says the backend is ready and the key accepted', async () => {
    await dsPanel.getByTestId(ids.ds.test).click();
    const result = dsPanel.getByTestId(ids.ds.testResult);
    await result.waitFor();
    const text = await result.innerText();
    assert.equal(await result.getAttribute('data-status'), 'success', `test status (message: ${text})`);
    assert.match(text, /Connected to the CAAS backend; the API key is accepted/);
    assert.match(text, /ClickHouse \w+ \(\d+ ms\)/, `engines named: ${text}`);
    await dsPanel.screenshot({ path: path.join(OUT, 'ds-test.png') });
  });

  test('data source time series: query() answers the default query with a series that uPlot draws', async () => {
    // A new panel's query (events over time) for the instance's default tenant, as the editor's preview says.
    assert.match(await dsPanel.getByTestId(ids.preview).innerText(), new RegExp(DS_TENANT));
    assert.equal(await runDs(), 'Done');
    const chart = dsPanel.getByTestId(ids.ds.result).getByTestId('workbench-panel-timeseries');
    await chart.waitFor();
    await dsPanel.screenshot({ path: path.join(OUT, 'ds-timeseries.png') });

    // One wide frame from toDataFrames, answered for the default tenant, with rows and a count above zero.
    const summary = dsPanel.getByTestId(ids.ds.summary);
    const [frames, rows, max, shown] = await Promise.all(
      ['data-frames', 'data-rows', 'data-max', 'data-visualization'].map((a) => summary.getAttribute(a))
    );
    assert.equal(shown, 'timeseries');
    assert.equal(Number(frames), 1, `one time series frame (${await summary.innerText()})`);
    assert.ok(Number(rows) > 10, `the frame has points (${rows} rows)`);
    assert.ok(Number(max) > 0, `the series is not all zero (largest value ${max})`);
    assert.match(await summary.innerText(), new RegExp(`timeseries for tenant ${DS_TENANT} from `));

    // uPlot drew it: a sized canvas, and a legend entry "events" whose total is above zero.
    const box = await chart.locator('canvas').first().boundingBox();
    assert.ok(box && box.width > 200 && box.height > 100, `chart canvas is drawn (${JSON.stringify(box)})`);
    await chart.getByText('events', { exact: true }).first().waitFor();
    const total = await chart
      .getByText(/^Total:/)
      .first()
      .innerText();
    assert.match(total, /^Total:\s*[1-9]/, `the legend shows a total above zero: "${total}"`);
  });

  test('data source funnel: steps login → message_sent come back as a table with both steps', async () => {
    await pick(dsPanel, ids.kind, 'Funnel');
    await pick(dsPanel, ids.funnelStepEvent(0), 'login');
    await pick(dsPanel, ids.funnelStepEvent(1), 'message_sent');
    assert.equal(await runDs(), 'Done');
    const table = dsPanel.getByTestId(ids.ds.result).getByTestId('workbench-panel-table');
    await table.getByText('message_sent', { exact: true }).first().waitFor();
    await dsPanel.screenshot({ path: path.join(OUT, 'ds-funnel.png') });
    assert.equal(await dsPanel.getByTestId(ids.ds.summary).getAttribute('data-visualization'), 'table');
    const steps = await assertLoginToMessageSent(table);
    console.log(`data source funnel as shown: ${JSON.stringify(steps)}`);
  });

  test('data source errors: a query the backend rejects and a malformed tenant show what to change', async () => {
    // Minute points over the whole range: the backend answers 400 too_many_points.
    await pick(dsPanel, ids.kind, 'Time series');
    await pick(dsPanel, ids.granularity, 'minute');
    assert.equal(await runDs(), 'Error', 'the run ends in an error, not a spinner');
    const error = dsPanel.getByTestId(ids.ds.error);
    const backendText = await error.innerText();
    assert.match(backendText, /CAAS backend \(HTTP 400\)/, backendText);
    assert.match(backendText, /choose a coarser granularity or a shorter range/, backendText);
    assert.equal(await dsPanel.getByTestId(ids.ds.result).count(), 0, 'no chart beside the error');
    await dsPanel.screenshot({ path: path.join(OUT, 'ds-error-backend.png') });

    // A tenant id that cannot be one: query() names the field to fix without asking the backend.
    await pick(dsPanel, ids.tenant, 'Not A Tenant');
    assert.equal(await runDs(), 'Error');
    const tenantText = await error.innerText();
    assert.match(tenantText, /"Not A Tenant" is not a tenant id/, tenantText);
    assert.match(tenantText, /check the tenant field/, tenantText);
    await dsPanel.screenshot({ path: path.join(OUT, 'ds-error-tenant.png') });
  });

  test('every request the pages made went through a Viewer route with the read key, and the backend saw no other key', async () => {
    // Runs before the probes below: everything logged so far is what the pages themselves asked.
    const log = await page.evaluate(() => window.caasWorkbench.proxyLog);
    assert.ok(log.length > 10, `the flows made requests (${log.length})`);
    for (const e of log) {
      assert.equal(e.outcome, 'proxied', `${e.method} ${e.url} was answered ${e.outcome} by the proxy`);
      assert.ok(
        e.keys.every((k) => k === 'viewerKey' || k === 'apiKey'),
        `${e.method} ${e.url} took route #${e.route} with keys ${e.keys.join(', ')}`
      );
    }
    const keysSeen = new Set(backendAuth.map((line) => line.split(' ').slice(2).join(' ')));
    assert.deepEqual(
      [...keysSeen].filter((h) => h !== '' && h !== `Bearer ${VIEWER_KEY}`),
      [],
      'only the read key (or none, for health) reached the backend'
    );
    assert.ok(keysSeen.has(`Bearer ${VIEWER_KEY}`), 'the read key reached the backend');
  });

  test("Grafana's proxy as a Viewer: Admin routes refused, only the pages' reads routed", async () => {
    const probe = (method, url, data) =>
      page.evaluate(
        async ([method, url, data]) => {
          try {
            const r = await window.caasWorkbench.request({ method, url, data, showErrorAlert: false });
            return { status: r.status, data: r.data };
          } catch (e) {
            return { status: e.status, data: e.data };
          }
        },
        [method, url, data]
      );
    // Gated by reqRole Admin: Grafana refuses a Viewer before anything reaches the backend.
    const mint = await probe('POST', `${APP_PROXY}/v1/keys`, { role: 'admin' });
    assert.deepEqual(mint, { status: 403, data: { message: 'plugin proxy route access denied' } });
    assert.equal((await probe('GET', `${APP_PROXY}/v1/keys`)).status, 403);
    assert.equal((await probe('DELETE', `${APP_PROXY}/v1/keys/key_0123abcd`)).status, 403);
    assert.equal((await probe('POST', `${APP_PROXY}/v1/tenants`, { id: 'evil', name: 'Evil' })).status, 403);
    assert.equal((await probe('POST', `${APP_PROXY}/v1/dead-letters/replay`, { ids: ['1'] })).status, 403);
    // No route at all: ingestion is not Grafana's business.
    assert.deepEqual(await probe('POST', `${APP_PROXY}/v1/events`, [{}]), {
      status: 404,
      data: { message: 'plugin route match not found' },
    });
    // The data source routes only health and analytics: anything else goes to the instance's own URL (none here), keyless.
    assert.equal((await probe('POST', `${DS_PROXY}/v1/keys`, { role: 'admin' })).status, 502);
    // Reads no page needs are not routed either (the Viewer routes are an allow-list: health, analytics, tenants, jobs,
    // the storage report and the schedules), so a crafted path that dodges the Admin route `api/v1/keys` finds
    // nothing: an encoded slash is one segment to Grafana's router.
    assert.equal((await probe('GET', `${APP_PROXY}/v1%2Fkeys`)).status, 404);
    assert.equal((await probe('GET', `${APP_PROXY}/v1/webhook-secrets`)).status, 404);
    assert.equal((await probe('GET', `${APP_PROXY}/v1/tenants/acme`)).status, 404);
    // The jobs' writes are not routed either: cancelling and taking a storage report stay with the backend's admin.
    assert.equal((await probe('POST', `${APP_PROXY}/v1/jobs/${storageJobId}/cancel`)).status, 404);
    assert.equal((await probe('POST', `${APP_PROXY}/v1/storage/refresh`)).status, 404);
    // The reads Home and the tenant picker make, with the read key.
    const listed = await probe('GET', `${APP_PROXY}/v1/tenants`);
    assert.equal(listed.status, 200);
    assert.deepEqual(listed.data.tenants.map((t) => t.id).sort(), ['acme', 'globex', 'initech']);
    assert.equal((await probe('GET', `${APP_PROXY}/v1/jobs`)).status, 200);
    assert.equal((await probe('GET', `${APP_PROXY}/v1/storage`)).status, 200);
    const schedules = await probe('GET', `${APP_PROXY}/v1/schedules`);
    assert.equal(schedules.status, 200);
    assert.ok(
      schedules.data.schedules.some((s) => s.kind === 'storage.report'),
      JSON.stringify(schedules.data)
    );
    // A read a Viewer's page makes still works.
    const tenants = await probe('GET', `${APP_PROXY}/v1/analytics/variables/tenants`);
    assert.equal(tenants.status, 200);
    assert.ok(
      tenants.data.values.some((v) => v.value === 'acme'),
      JSON.stringify(tenants.data)
    );

    // None of the refused or unrouted probes reached the backend with a key.
    const keysSeen = new Set(backendAuth.map((line) => line.split(' ').slice(2).join(' ')));
    assert.deepEqual(
      [...keysSeen].filter((h) => h !== '' && h !== `Bearer ${VIEWER_KEY}`),
      []
    );

    const log = await page.evaluate(() => window.caasWorkbench.proxyLog);
    const routes = log.reduce(
      (acc, e) => ({
        ...acc,
        [`${e.method} ${e.url.replace(/\?.*/, '')}`]: `${e.outcome} #${e.route ?? '-'} ${e.keys.join('+')}`,
      }),
      {}
    );
    console.log(
      `proxy log (last outcome per request):\n${Object.entries(routes)
        .map(([k, v]) => `  ${k} → ${v}`)
        .join('\n')}`
    );
  });

  /** Clicks the data source panel's Run and waits until that run (a new requestId) has answered; its final state. */
  async function runDs() {
    const state = dsPanel.getByTestId(ids.ds.state);
    const previous = (await state.getAttribute('data-request')) ?? '';
    await dsPanel.getByTestId(ids.ds.run).click();
    await dsPanel
      .locator(
        `[data-testid="${ids.ds.state}"]:not([data-request="${previous}"]):not([data-state="Loading"]):not([data-state="NotStarted"])`
      )
      .waitFor();
    return state.getAttribute('data-state');
  }
});

/**
 * A login → message_sent funnel table, read as a person reads it: each step's row and its users column; both steps
 * are shown, login has users, message_sent at most as many.
 */
async function assertLoginToMessageSent(table) {
  const headers = (await table.getByRole('columnheader').allInnerTexts()).map((h) => h.trim());
  const usersCol = headers.indexOf('users');
  assert.ok(usersCol >= 0, `a users column (headers: ${headers.join(' | ')})`);
  const steps = {};
  for (const row of await table.getByRole('row').all()) {
    const cells = (await row.getByRole('cell').allInnerTexts()).map((c) => c.trim());
    const name = cells.find((c) => c === 'login' || c === 'message_sent');
    if (name) {
      steps[name] = Number((cells[usersCol] ?? '').replace(/[^\d.]/g, ''));
    }
  }
  assert.deepEqual(Object.keys(steps).sort(), ['login', 'message_sent'], `both steps shown: ${JSON.stringify(steps)}`);
  assert.ok(steps.login > 0, `login step shows its users: ${JSON.stringify(steps)}`);
  assert.ok(
    steps.message_sent > 0 && steps.message_sent <= steps.login,
    `message_sent ≤ login users: ${JSON.stringify(steps)}`
  );
  return steps;
}
