// Real-browser tests of the Analytics explorer (issue "CAAS analytics"): the workbench page (tests/workbench) mounts
// the data source's real QueryEditor and the explorer, against the real backend loaded with demo data; Chromium
// (playwright-core, Debian's /usr/bin/chromium, never a downloaded browser) clicks through it and checks what a person
// sees. Screenshots: test-output/browser/*.png.
//
// Run: node --test tests/browser/   (from the repository root; ~1 minute)
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const OUT = path.join(ROOT, 'test-output/browser');
const BUNDLE = path.join(ROOT, 'test-output/workbench');
const ADMIN_KEY = 'workbench-admin-key-0123456789abcdef';
const DEMO_DAYS = 14;

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
};

const skipReason = existsSync(CHROMIUM)
  ? undefined
  : `${CHROMIUM} not found: install Debian's chromium (apt-get install -y chromium) to run the browser tests`;
if (skipReason) {
  console.log(`SKIP browser tests: ${skipReason}`);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The backend with demo data: resolves once "demo events loaded" was logged and the WAL is drained. */
async function startBackend() {
  const port = await freePort();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'caas-workbench-'));
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/main.ts', '--demo', '--demo-days', String(DEMO_DAYS)],
    {
      cwd: path.join(ROOT, 'backend'),
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        DATA_DIR: dataDir,
        CAAS_ADMIN_KEY: ADMIN_KEY,
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    }
  );
  let log = '';
  let demoLoaded = false;
  const onData = (chunk) => {
    log += chunk.toString();
    if (log.includes('demo events loaded')) {
      demoLoaded = true;
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`backend exited with ${child.exitCode}:\n${log.slice(-4000)}`);
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`backend demo load did not finish in 90 s:\n${log.slice(-4000)}`);
    }
    if (demoLoaded) {
      try {
        const res = await fetch(`${url}/health`);
        const body = await res.json();
        if (body?.wal?.backlog_events === 0) {
          break;
        }
      } catch {
        // not answering yet
      }
    }
    await sleep(250);
  }
  return {
    url,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, sleep(10_000)]);
        if (child.exitCode === null) {
          child.kill('SIGKILL');
        }
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Serves the bundle and tests/workbench/index.html, and forwards /backend/* to the backend (same origin: the backend
 * sends no CORS headers, as Grafana's proxy needs none).
 */
async function startStatic(backendUrl) {
  const types = {
    '.js': 'text/javascript',
    '.html': 'text/html',
    '.ttf': 'font/ttf',
    '.woff2': 'font/woff2',
    '.svg': 'image/svg+xml',
    '.css': 'text/css',
  };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    if (url.pathname.startsWith('/backend/')) {
      const target = new URL(url.pathname.slice('/backend'.length) + url.search, backendUrl);
      const upstream = http.request(
        target,
        { method: req.method, headers: { ...req.headers, host: target.host } },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        }
      );
      upstream.on('error', (e) => {
        res.writeHead(502, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { code: 'bad_gateway', message: e.message } }));
      });
      req.pipe(upstream);
      return;
    }
    const clean = path.normalize(url.pathname).replace(/^(\.\.[/\\])+/, '');
    const file =
      url.pathname === '/' || url.pathname === '/index.html'
        ? path.join(ROOT, 'tests/workbench/index.html')
        : clean.startsWith('/public/build/img/')
          ? // Grafana serves @grafana/ui's icons from public/build/img
            path.join(ROOT, 'node_modules/@grafana/ui/dist/public/img', clean.slice('/public/build/img/'.length))
          : path.join(BUNDLE, clean);
    if (!file.startsWith(ROOT) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': types[path.extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => server.close(r)) };
}

/** Picks an option of a Grafana Combobox by its visible label. */
async function pick(page, testId, label) {
  const input = page.getByTestId(testId);
  await input.click();
  await input.fill(label);
  await page.getByRole('option', { name: label, exact: false }).first().click();
}

describe('Analytics explorer in Chromium (workbench, real backend, demo data)', { skip: skipReason }, () => {
  let backend;
  let web;
  let browser;
  let page;
  const consoleErrors = [];

  before(async () => {
    const t0 = Date.now();
    rmSync(OUT, { recursive: true, force: true });
    mkdirSync(OUT, { recursive: true });
    const [started] = await Promise.all([
      startBackend(),
      new Promise((resolve, reject) => {
        try {
          execFileSync(
            process.execPath,
            [path.join(ROOT, 'node_modules/webpack-cli/bin/cli.js'), '-c', 'tests/workbench/webpack.config.ts'],
            {
              cwd: ROOT,
              stdio: ['ignore', 'ignore', 'inherit'],
            }
          );
          resolve();
        } catch (e) {
          reject(e);
        }
      }),
    ]);
    backend = started;
    console.log(
      `backend with ${DEMO_DAYS} demo days and workbench bundle ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`
    );
    web = await startStatic(backend.url);
    const { chromium } = await import('playwright-core');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.setDefaultTimeout(20_000);
    page.on(
      'console',
      (msg) =>
        msg.type() === 'error' &&
        !msg.text().startsWith('Failed to load resource') &&
        console.log(`browser console error: ${msg.text().slice(0, 2000)}`)
    );
    page.on('pageerror', (err) => console.log(`browser page error: ${err.stack ?? err}`));
    page.on(
      'response',
      (res) => res.status() >= 400 && consoleErrors.push(`HTTP ${res.status()} ${res.request().method()} ${res.url()}`)
    );
    await page.goto(`${web.url}/index.html?backend=/backend&key=${encodeURIComponent(ADMIN_KEY)}&days=${DEMO_DAYS}`);
    await page.getByTestId(ids.kind).waitFor();
  });

  afterEach(async (t) => {
    // What the browser showed when a step failed, beside the passing screenshots.
    if (page && t.passed === false) {
      await page.screenshot({
        path: path.join(OUT, `failed-${t.name.split(':')[0].replace(/\W+/g, '-')}.png`),
        fullPage: true,
      });
    }
  });

  after(async () => {
    await browser?.close();
    await web?.close();
    await backend?.stop();
    if (consoleErrors.length) {
      console.log(
        `failed requests (fonts are not served; pickers ask before a tenant is picked):\n${consoleErrors.slice(0, 10).join('\n')}`
      );
    }
  });

  test('time series: picking the kind and running draws a series of events', async () => {
    await pick(page, ids.kind, 'Time series');
    // An admin key must name the tenant it reads (the demo loads acme, globex and initech).
    await pick(page, ids.tenant, 'acme');
    await page.getByTestId(ids.run).click();
    const panel = page.getByTestId(ids.panel);
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
    await page.getByTestId(ids.view).getByText('Table', { exact: true }).click({ force: true });
    const table = page.getByTestId('workbench-panel-table');
    await table.waitFor();
    const cells = await table.getByRole('cell').allInnerTexts();
    const numbers = cells.map((c) => Number(c.replace(/[^\d.]/g, ''))).filter((n) => Number.isFinite(n) && n > 0);
    assert.ok(numbers.length > 0, `the table shows event counts (cells: ${cells.slice(0, 10).join(' | ')})`);
    await page.screenshot({ path: path.join(OUT, 'timeseries-table.png'), fullPage: true });
    await page.getByTestId(ids.view).getByText('Chart', { exact: true }).click({ force: true });
    await page.getByTestId('workbench-panel-timeseries').waitFor();
  });

  test('funnel: steps login → message_sent show their names and user counts', async () => {
    await pick(page, ids.kind, 'Funnel');
    if (!(await page.getByTestId(ids.preview).innerText()).includes('acme')) {
      await pick(page, ids.tenant, 'acme');
    }
    await pick(page, ids.funnelStepEvent(0), 'login');
    await pick(page, ids.funnelStepEvent(1), 'message_sent');
    await page.getByTestId(ids.run).click();
    const table = page.getByTestId(ids.panel).getByTestId('workbench-panel-table');
    await table.waitFor();
    await table.getByText('message_sent', { exact: true }).first().waitFor();
    await page.screenshot({ path: path.join(OUT, 'funnel.png'), fullPage: true });

    // The users column of each step's row, read as a person reads the table.
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
    assert.deepEqual(
      Object.keys(steps).sort(),
      ['login', 'message_sent'],
      `both steps shown: ${JSON.stringify(steps)}`
    );
    assert.ok(steps.login > 0, `login step shows its users: ${JSON.stringify(steps)}`);
    assert.ok(
      steps.message_sent > 0 && steps.message_sent <= steps.login,
      `message_sent ≤ login users: ${JSON.stringify(steps)}`
    );
    console.log(`funnel as shown: ${JSON.stringify(steps)}`);
  });
});
