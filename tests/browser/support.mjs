// What every browser test file shares: the real backend started as a child process, the static server that serves the
// workbench bundle and forwards /backend/* to that backend, the workbench build, and Chromium (Debian's
// /usr/bin/chromium through playwright-core; never a downloaded browser).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const BUNDLE = path.join(ROOT, 'test-output/workbench');
/** Each file writes its screenshots under test-output/browser/<name>/. */
export const outDir = (name) => path.join(ROOT, 'test-output/browser', name);
export const ADMIN_KEY = 'workbench-admin-key-0123456789abcdef';
// The read key (role viewer) the backend bootstraps from CAAS_VIEWER_KEY: the only key the page gets.
export const VIEWER_KEY = 'workbench-viewer-key-0123456789abcdef';
// The responder key (role responder) from CAAS_RESPONDER_KEY: what Grafana's Editor routes send (incidents, silences).
export const RESPONDER_KEY = 'workbench-responder-key-0123456789abcdef';
export const APP_PROXY = '/api/plugin-proxy/caas-observatory-app/api';
export const APP = '/a/caas-observatory-app';

export const skipReason = existsSync(CHROMIUM)
  ? undefined
  : `${CHROMIUM} not found: install Debian's chromium (apt-get install -y chromium) to run the browser tests`;

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function freePort() {
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

/**
 * The backend (`src/main.ts` with `args`, e.g. `--demo`), on a fresh data directory with the workbench's admin and read
 * keys. Resolves once `ready(log)` holds for the log so far and the WAL is drained (every acknowledged event stored).
 */
export async function startBackend({ args, ready, timeoutMs = 120_000, env = {} }) {
  const port = await freePort();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'caas-workbench-'));
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], {
    cwd: path.join(ROOT, 'backend'),
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      CAAS_ADMIN_KEY: ADMIN_KEY,
      CAAS_VIEWER_KEY: VIEWER_KEY,
      CAAS_RESPONDER_KEY: RESPONDER_KEY,
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const onData = (chunk) => {
    log += chunk.toString();
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`backend exited with ${child.exitCode}:\n${log.slice(-4000)}`);
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`backend did not get ready in ${timeoutMs / 1000} s:\n${log.slice(-4000)}`);
    }
    if (ready(log)) {
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
    log: () => log,
    /** The backend itself, as its operator calls it (not through Grafana): the admin key. */
    async asAdmin(method, pathname, body) {
      const res = await fetch(`${url}${pathname}`, {
        method,
        headers: {
          authorization: `Bearer ${ADMIN_KEY}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : null };
    },
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
 * Builds the workbench bundle into test-output/workbench, unless scripts/test.sh already built it for every browser
 * test file (WORKBENCH_BUILT=1).
 */
export function buildWorkbench() {
  if (process.env.WORKBENCH_BUILT === '1' && existsSync(path.join(BUNDLE, 'workbench.js'))) {
    return;
  }
  execFileSync(
    process.execPath,
    [path.join(ROOT, 'node_modules/webpack-cli/bin/cli.js'), '-c', 'tests/workbench/webpack.config.ts'],
    { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] }
  );
}

/**
 * Serves the bundle and tests/workbench/index.html, and forwards /backend/* to the backend (same origin: the backend
 * sends no CORS headers, as Grafana's proxy needs none). `state.down` answers every backend call 502 without a body, as
 * Grafana's proxy does when the backend is down; `state.delayMs` (when > 0) holds every backend call that long (a slow
 * backend: the pages' loading states); `state.auth` collects the Authorization header of every forwarded
 * request ('' when none).
 */
export async function startStatic(backendUrl, state = { down: false, auth: [] }) {
  const types = {
    '.js': 'text/javascript',
    '.html': 'text/html',
    '.ttf': 'font/ttf',
    '.woff2': 'font/woff2',
    '.svg': 'image/svg+xml',
    '.css': 'text/css',
  };
  const forward = (req, res, url) => {
    state.auth.push(`${req.method} ${url.pathname} ${req.headers.authorization ?? ''}`);
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
  };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    if (url.pathname.startsWith('/backend/') && state.down) {
      res.writeHead(502).end();
      return;
    }
    if (url.pathname.startsWith('/backend/') && state.delayMs > 0) {
      // A slow backend (the pages' loading states): forward after the delay.
      const delayMs = state.delayMs;
      req.pause();
      // forward() pipes the paused request on (pipe resumes it), so no body bytes are lost meanwhile.
      setTimeout(() => forward(req, res, url), delayMs);
      return;
    }
    if (url.pathname.startsWith('/backend/')) {
      forward(req, res, url);
      return;
    }
    const clean = path.normalize(url.pathname).replace(/^(\.\.[/\\])+/, '');
    // The app's pages are client routes (Grafana serves its index for them too).
    const file =
      url.pathname === '/' || url.pathname === '/index.html' || url.pathname.startsWith('/a/')
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

/** Debian's Chromium, headless, with the flags the project prescribes. */
export async function launchChromium() {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
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
}

/** A tab of the browser, logging what goes wrong in it; HTTP errors the page met are pushed to `httpErrors`. */
export async function openPage(context, httpErrors = []) {
  const p = await context.newPage();
  p.setDefaultTimeout(20_000);
  p.on(
    'console',
    (msg) =>
      msg.type() === 'error' &&
      !msg.text().startsWith('Failed to load resource') &&
      console.log(`browser console error: ${msg.text().slice(0, 2000)}`)
  );
  p.on('pageerror', (err) => console.log(`browser page error: ${err.stack ?? err}`));
  p.on(
    'response',
    (res) => res.status() >= 400 && httpErrors.push(`HTTP ${res.status()} ${res.request().method()} ${res.url()}`)
  );
  return p;
}

/**
 * The settings URL of the workbench: as a Grafana Viewer holding the read key only (no adminKey: the app's adminKey
 * is not even set), unless `adminKey`/`responderKey`/`role` say otherwise. It goes on to the app's default page, Home.
 */
export function settingsUrl(webUrl, { days = 14, tenant, role = 'Viewer', adminKey, responderKey } = {}) {
  const q = new URLSearchParams({ backend: '/backend', viewerKey: VIEWER_KEY, role, days: String(days) });
  if (tenant) {
    q.set('tenant', tenant);
  }
  if (adminKey) {
    q.set('adminKey', adminKey);
  }
  if (responderKey) {
    q.set('responderKey', responderKey);
  }
  return `${webUrl}/index.html?${q}`;
}

/** What the browser showed when a test failed (`afterEach`), beside the passing screenshots in `out`. */
export async function screenshotIfFailed(t, page, out) {
  if (page && t.passed === false) {
    await page.screenshot({
      path: path.join(out, `failed-${t.name.split(':')[0].replace(/\W+/g, '-')}.png`),
      fullPage: true,
    });
  }
}

/** Closes what a file's `before` started, whatever of it did start. */
export async function stopAll({ browser, web, backend }) {
  await browser?.close();
  await web?.close();
  await backend?.stop();
}
