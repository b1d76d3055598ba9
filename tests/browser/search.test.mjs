// Real-browser tests of the search experience (issue "Crawler and search", Grafana side): the app's Search page and the
// search panel (src/panels/search, mounted in the workbench as a dashboard would: its plugin module's panel, a `tenant`
// dashboard variable, the dashboard's time range), against the real backend started with `--demo`, which starts the
// demo CAAS platform, registers it as crawl source `demo` and crawls every entity of every demo tenant into the
// PostgreSQL full-text engine (PGlite). The page runs as a Grafana Viewer holding only the read key; every search goes
// through the app's plugin-proxy route (tests/workbench/grafana-proxy.mjs, Grafana's route matching).
//
// What a person sees is checked: results with their marked words and context (conversation, sender), the entity tabs'
// counts, a misspelt word finding the intended message, a PDF's text found, filters from a hit, pages, the URL holding
// the search (a copied link shows the same results), and the loading, empty, no-tenant and error states.
// Screenshots: test-output/browser/search/*.png.
//
// Run: node --test tests/browser/search.test.mjs   (from the repository root; ~1.5 min: demo load and crawl ~60 s)
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  APP,
  buildWorkbench,
  launchChromium,
  openPage as openTab,
  outDir,
  settingsUrl,
  skipReason,
  sleep,
  startBackend,
  startStatic,
  screenshotIfFailed,
  stopAll,
} from './support.mjs';

const OUT = outDir('search');
const DEMO_DAYS = 3;
/** The range the pages show: the demo platform's documents span weeks (its files older than the events' days). */
const RANGE_DAYS = 90;
const TENANT = 'acme';
/** The demo's tenants (backend/src/demo/run-demo.ts) and entities: one full reindex each. */
const CRAWLS = 3 * 4;

// src/components/testIds.ts (search), as the DOM has them.
const ids = {
  container: 'data-testid search-container',
  view: 'data-testid search-view',
  input: 'data-testid search-input',
  tab: (id) => `data-testid search-tab-${id}`,
  chip: (id) => `data-testid search-chip-${id}`,
  total: 'data-testid search-total',
  loading: 'data-testid search-loading',
  error: 'data-testid search-error',
  empty: 'data-testid search-empty',
  noTenant: 'data-testid search-no-tenant',
  hits: 'data-testid search-hits',
  hit: (entity, id) => `data-testid search-hit-${entity}-${id}`,
  filterConversation: 'data-testid search-filter-conversation',
  pagination: 'data-testid search-pagination',
  headerTenant: 'data-testid header-tenant',
  panel: 'workbench-search-panel',
};

if (skipReason) {
  console.log(`SKIP browser tests: ${skipReason}`);
}

describe('Search page and search panel in Chromium (real backend, demo platform crawled)', { skip: skipReason }, () => {
  let backend;
  let web;
  let browser;
  let context;
  let page;
  const proxy = { down: false, delayMs: 0, auth: [] };
  const httpErrors = [];
  /** Words of the crawled corpus, read from the backend as its operator would (admin key). */
  let corpus;

  /** GET /v1/search as the operator (admin key), for what the page should show. */
  async function searchAsAdmin(query) {
    const { status, body } = await backend.asAdmin(
      'GET',
      `/v1/search?${new URLSearchParams({ tenant_id: TENANT, ...query })}`
    );
    assert.equal(status, 200, JSON.stringify(body));
    return body;
  }

  /** The start of the range the page shows (now-<RANGE_DAYS>d), in epoch ms. */
  const since = () => Date.now() - RANGE_DAYS * 86_400_000;

  /** A word of 6+ letters of the text that occurs in few messages (a good search), and a misspelling of it. */
  async function pickCorpus() {
    const all = await searchAsAdmin({ entities: 'messages', sort: 'time', limit: '100', from: String(since()) });
    const counts = new Map();
    for (const h of all.hits) {
      for (const w of new Set(
        String(h.doc.text)
          .toLowerCase()
          .match(/\p{L}{7,}/gu) ?? []
      )) {
        counts.set(w, (counts.get(w) ?? 0) + 1);
      }
    }
    const word = [...counts.entries()]
      .filter(([w]) => /^[a-z]+$/.test(w))
      .sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1))[0][0];
    // one transposition in the middle: a single typo, which a 7+ letter word allows
    const i = Math.floor(word.length / 2);
    const typo = word.slice(0, i - 1) + word[i] + word[i - 1] + word.slice(i + 1);
    const files = await searchAsAdmin({
      entities: 'files',
      type: 'application/pdf',
      limit: '20',
      from: String(since()),
    });
    const pdf = files.hits.find((h) => typeof h.doc.content === 'string' && h.doc.content.length > 40);
    assert.ok(pdf, `a PDF with extracted text: ${JSON.stringify(files.hits.map((h) => h.doc.name))}`);
    const pdfWord = String(pdf.doc.content)
      .match(/\p{L}{8,}/u)[0]
      .toLowerCase();
    return { word, typo, total: all.total, pdf, pdfWord };
  }

  before(async () => {
    const t0 = Date.now();
    rmSync(OUT, { recursive: true, force: true });
    mkdirSync(OUT, { recursive: true });
    [backend] = await Promise.all([
      startBackend({
        args: ['--demo', '--demo-days', String(DEMO_DAYS)],
        ready: (log) => log.includes('demo events loaded') && log.includes('registered as crawl source'),
      }),
      Promise.resolve().then(buildWorkbench),
    ]);
    // The demo's crawls run as jobs: wait until every full reindex has succeeded.
    for (const deadline = Date.now() + 180_000; ; await sleep(500)) {
      const { body } = await backend.asAdmin('GET', '/v1/jobs?kind=crawl.run&limit=100');
      const done = body.jobs.filter((j) => j.state === 'succeeded').length;
      const failed = body.jobs.filter((j) => j.state === 'failed');
      assert.equal(failed.length, 0, `crawls failed: ${JSON.stringify(failed)}`);
      if (done >= CRAWLS && body.jobs.every((j) => j.state === 'succeeded')) {
        break;
      }
      assert.ok(
        Date.now() < deadline,
        `the demo crawls did not finish: ${JSON.stringify(body.jobs.map((j) => j.state))}`
      );
    }
    corpus = await pickCorpus();
    console.log(
      `backend with ${DEMO_DAYS} demo days crawled in ${((Date.now() - t0) / 1000).toFixed(1)} s; searching "${corpus.word}" (typo "${corpus.typo}"), PDF word "${corpus.pdfWord}"`
    );
    web = await startStatic(backend.url, proxy);
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, timezoneId: 'UTC' });
    page = await openTab(context, httpErrors);
    // As a Grafana Viewer with the read key only; no data source tenant: the panel's `tenant` variable is acme.
    await page.goto(settingsUrl(web.url, { days: RANGE_DAYS, tenant: TENANT }));
    await page.getByTestId('data-testid home-container').waitFor();
  });

  afterEach((t) => screenshotIfFailed(t, page, OUT));

  after(() => stopAll({ browser, web, backend }));

  const view = () => page.getByTestId('workbench-app').getByTestId(ids.view);
  const hitTexts = async (within) =>
    (await within.getByTestId(ids.hits).locator('li').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());

  test('Search page without a tenant says to pick one; the nav opens it, and picking a tenant lists the newest first', async () => {
    await page.getByTestId('workbench-nav-search').click();
    await page.getByTestId(ids.container).waitFor();
    assert.equal(new URL(page.url()).pathname, `${APP}/search`);
    const none = view().getByTestId(ids.noTenant);
    await none.waitFor();
    assert.match(await none.innerText(), /Search runs inside one tenant: pick one in the Tenant field above\./);
    await page.screenshot({ path: path.join(OUT, 'search-no-tenant.png'), fullPage: true });

    await page.goto(`${web.url}${APP}/search?tenant=${TENANT}&from=now-${RANGE_DAYS}d&to=now`);
    await view().getByTestId(ids.hits).waitFor();
    // Browsing (no words): every document of the range; the All tab counts them.
    const all = await view().getByTestId(ids.tab('all')).innerText();
    assert.match(all, /All\s*\d+/);
    const counted = Number(all.replace(/\D+/g, ''));
    const expected = await searchAsAdmin({ from: String(since()) });
    assert.ok(
      Math.abs(counted - expected.total) <= 2,
      `All counts ${counted}, the API ${expected.total} (the demo keeps changing)`
    );
    assert.ok(counted >= corpus.total, `All counts ${counted} ≥ ${corpus.total} messages`);
  });

  test('typing searches (debounced): marked words, context, tab counts, and the URL holds the search', async () => {
    const input = view().getByTestId(ids.input);
    const searchesBefore = proxy.auth.filter((l) => l.startsWith('POST /backend/v1/search')).length;
    await input.pressSequentially(corpus.word, { delay: 40 });
    await page.waitForFunction((q) => new URL(window.location.href).searchParams.get('q') === q, corpus.word);
    const hits = view().getByTestId(ids.hits);
    await hits.locator('mark').first().waitFor();
    await page.waitForTimeout(600);
    // Debounced: one search (and nothing per keystroke) for the typed word.
    const searches = proxy.auth.filter((l) => l.startsWith('POST /backend/v1/search')).length - searchesBefore;
    assert.ok(searches <= 2, `${searches} searches for ${corpus.word.length} keystrokes`);
    const marks = (await hits.locator('mark').allInnerTexts()).map((m) => m.toLowerCase());
    assert.ok(marks.includes(corpus.word), `marks ${JSON.stringify(marks)} include ${corpus.word}`);
    // What the operator's API says for the same search is what the page shows.
    const expected = await searchAsAdmin({ q: corpus.word, from: String(since()) });
    const total = await view().getByTestId(ids.total).innerText();
    assert.match(total, new RegExp(`^${expected.total} results? \\(\\d+ ms\\)`));
    const messages = await view().getByTestId(ids.tab('messages')).innerText();
    assert.equal(Number(messages.replace(/\D+/g, '')), expected.facets.entity.messages);
    // A message hit names its conversation and sender (not ids).
    const firstMessage = expected.hits.find((h) => h.entity === 'messages' && h.context?.sender);
    assert.ok(firstMessage, JSON.stringify(expected.hits.slice(0, 3)));
    const row = view().getByTestId(ids.hit('messages', firstMessage.id));
    const text = (await row.innerText()).replace(/\s+/g, ' ');
    assert.ok(
      text.includes(
        `in ${firstMessage.context.conversation.title} by ${firstMessage.context.sender.name} (@${firstMessage.context.sender.handle})`
      ),
      text
    );
    await page.screenshot({ path: path.join(OUT, 'search-results.png'), fullPage: true });

    // A copied link shows the same results in a new tab.
    const tab = await openTab(context, httpErrors);
    try {
      await tab.goto(page.url());
      const copied = tab.getByTestId('workbench-app').getByTestId(ids.view);
      await copied.getByTestId(ids.hits).locator('mark').first().waitFor();
      assert.equal(await copied.getByTestId(ids.input).inputValue(), corpus.word);
      assert.deepEqual(await hitTexts(copied), await hitTexts(view()));
    } finally {
      await tab.close();
    }
  });

  test('a misspelt word finds the intended message (one typo), marked as the word it meant', async () => {
    await page.goto(
      `${web.url}${APP}/search?tenant=${TENANT}&from=now-${RANGE_DAYS}d&to=now&q=${encodeURIComponent(corpus.typo)}`
    );
    const hits = view().getByTestId(ids.hits);
    await hits.locator('mark').first().waitFor();
    const marks = (await hits.locator('mark').allInnerTexts()).map((m) => m.toLowerCase());
    assert.ok(marks.includes(corpus.word), `"${corpus.typo}" marks ${JSON.stringify(marks)}`);
    await page.screenshot({ path: path.join(OUT, 'search-typo.png'), fullPage: true });
  });

  test("Files tab: a PDF's extracted text is found and marked, with the file's name, type and size", async () => {
    await page.goto(
      `${web.url}${APP}/search?tenant=${TENANT}&from=now-${RANGE_DAYS}d&to=now&q=${encodeURIComponent(corpus.pdfWord)}`
    );
    await view().getByTestId(ids.hits).waitFor();
    await view().getByTestId(ids.tab('files')).click();
    await page.waitForFunction(() => new URL(window.location.href).searchParams.get('entity') === 'files');
    const hit = view().getByTestId(ids.hit('files', corpus.pdf.id));
    await hit.waitFor();
    const text = (await hit.innerText()).replace(/\s+/g, ' ');
    assert.ok(text.includes(corpus.pdf.doc.name), text);
    assert.ok(text.includes('application/pdf'), text);
    const marks = (await hit.locator('mark').allInnerTexts()).map((m) => m.toLowerCase());
    assert.ok(marks.includes(corpus.pdfWord), `marks ${JSON.stringify(marks)} include ${corpus.pdfWord}`);
    // Only files under the Files tab.
    const rows = await view()
      .getByTestId(ids.hits)
      .locator('li')
      .evaluateAll((els) => els.map((e) => e.dataset.testid));
    assert.ok(
      rows.every((id) => id.startsWith('data-testid search-hit-files-')),
      JSON.stringify(rows)
    );
    await page.screenshot({ path: path.join(OUT, 'search-files-pdf.png'), fullPage: true });
  });

  test('"Only this conversation" narrows to the hit\'s conversation, shown as a chip by name; removing it widens again', async () => {
    await page.goto(`${web.url}${APP}/search?tenant=${TENANT}&from=now-${RANGE_DAYS}d&to=now&entity=messages`);
    const first = view().getByTestId(ids.hits).locator('li').first();
    await first.waitFor();
    const before = Number((await view().getByTestId(ids.tab('messages')).innerText()).replace(/\D+/g, ''));
    await first.getByTestId(ids.filterConversation).click();
    await page.waitForFunction(() => new URL(window.location.href).searchParams.get('conversation') !== null);
    const conversation = new URL(page.url()).searchParams.get('conversation');
    const chip = view().getByTestId(ids.chip('conversation'));
    await chip.waitFor();
    const expected = await searchAsAdmin({
      entities: 'messages',
      conversation_id: conversation,
      from: String(since()),
      limit: '100',
    });
    const title = expected.hits[0].context.conversation.title;
    assert.equal(await chip.innerText(), `In ${title}`);
    await page.waitForFunction(
      ([testId, n]) => document.querySelector(`[data-testid="${testId}"]`)?.textContent?.startsWith(`${n} result`),
      [ids.total, expected.total]
    );
    const rows = await hitTexts(view());
    assert.ok(rows.length > 0 && rows.every((r) => r.includes(`in ${title} by`)), JSON.stringify(rows.slice(0, 3)));
    assert.ok(expected.total < before, `${expected.total} < ${before}`);
    await page.screenshot({ path: path.join(OUT, 'search-conversation-filter.png'), fullPage: true });
    await chip.click();
    await page.waitForFunction(() => new URL(window.location.href).searchParams.get('conversation') === null);
  });

  test('pages: page 2 shows other hits and the URL holds it', async () => {
    await page.goto(
      `${web.url}${APP}/search?tenant=${TENANT}&from=now-${RANGE_DAYS}d&to=now&entity=messages&sort=time`
    );
    await view().getByTestId(ids.hits).waitFor();
    const first = await hitTexts(view());
    await view().getByTestId(ids.pagination).getByRole('button', { name: '2', exact: true }).click();
    await page.waitForFunction(() => new URL(window.location.href).searchParams.get('page') === '2');
    await page.waitForFunction(() => /Page 2 of \d+/.test(document.body.innerText));
    const second = await hitTexts(view());
    assert.equal(second.length, 20);
    assert.ok(
      second.every((r) => !first.includes(r)),
      'page 2 repeats no hit of page 1'
    );
  });

  test('no results say what to change; a slow backend shows Searching…; an unreachable one says what to do and Retry recovers', async () => {
    await page.goto(`${web.url}${APP}/search?tenant=${TENANT}&q=qqzxjvkw`);
    const empty = view().getByTestId(ids.empty);
    await empty.waitFor();
    assert.match(await empty.innerText(), /No results for “qqzxjvkw”/);
    assert.match(
      await empty.innerText(),
      /Check the spelling, use fewer or other words, widen the time range or remove a filter\./
    );
    await page.screenshot({ path: path.join(OUT, 'search-no-results.png'), fullPage: true });

    proxy.delayMs = 3_000;
    try {
      await page.goto(`${web.url}${APP}/search?tenant=${TENANT}&q=${encodeURIComponent(corpus.word)}`);
      const loading = view().getByTestId(ids.loading);
      await loading.waitFor();
      assert.match(await loading.innerText(), /Searching…/);
      await page.screenshot({ path: path.join(OUT, 'search-loading.png'), fullPage: true });
    } finally {
      proxy.delayMs = 0;
    }
    await view().getByTestId(ids.hits).waitFor();

    proxy.down = true;
    try {
      await view().getByTestId(ids.input).fill(`${corpus.word} x`);
      const error = view().getByTestId(ids.error);
      await error.waitFor();
      assert.match(await error.innerText(), /backend/i);
      await page.screenshot({ path: path.join(OUT, 'search-error.png'), fullPage: true });
    } finally {
      proxy.down = false;
    }
    await view().getByTestId(ids.error).getByRole('button', { name: 'Retry' }).click();
    await view().getByTestId(ids.total).waitFor();
  });

  test('the search panel: follows the dashboard tenant variable and time range, searches through the app route', async () => {
    await page.getByTestId('workbench-nav-home').click();
    const panel = page.getByTestId(ids.panel);
    await panel.scrollIntoViewIfNeeded();
    await panel.getByTestId(ids.hits).waitFor();
    await panel.getByTestId(ids.input).fill(corpus.word);
    await panel.getByTestId(ids.hits).locator('mark').first().waitFor();
    const marks = (await panel.getByTestId(ids.hits).locator('mark').allInnerTexts()).map((m) => m.toLowerCase());
    assert.ok(marks.includes(corpus.word), JSON.stringify(marks));
    // 10 hits a page by default (the panel's option), and the panel's own searches went through the app's route
    assert.ok((await panel.getByTestId(ids.hits).locator('li').count()) <= 10);
    const log = await page.evaluate(() => window.caasWorkbench.proxyLog.filter((e) => e.url.includes('/v1/search')));
    assert.ok(
      log.length > 0 && log.every((e) => e.outcome === 'proxied' && e.keys.join() === 'viewerKey'),
      JSON.stringify(log.slice(-3))
    );
    assert.ok(log.every((e) => e.url.startsWith('/api/plugin-proxy/caas-observatory-app/api/v1/search')));
    await panel.screenshot({ path: path.join(OUT, 'search-panel.png') });
  });
});
