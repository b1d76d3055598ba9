import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { adminKeyPath, ensureAdminKeyFile } from './auth/admin-key-file.js';
import { acquireDataDirLock, DataDirHeldError, type DataDirLock } from './cli/data-dir-lock.js';
import { readyBlock, type ReadyInfo } from './cli/ready-block.js';
import { ConfigError, loadConfig } from './config/config.js';
import { buildApp } from './http/app.js';
import { createLogger } from './observability/logger.js';
import { createServices } from './services.js';

/**
 * The backend service. `--demo` creates demo tenants and loads generated CAAS events through the
 * real ingestion path once the server listens (issue "Foundation", item 6), unless they are already
 * loaded; `--demo-reset` deletes the demo tenants' events and loads them again.
 */
const { values: args } = parseArgs({
  options: {
    demo: { type: 'boolean', default: false },
    'demo-reset': { type: 'boolean', default: false },
    /** events only: no demo crawl source (the browser tests' Home expects no jobs) */
    'demo-no-search': { type: 'boolean', default: false },
    'demo-days': { type: 'string', default: '30' },
    'demo-events-per-day': { type: 'string', default: '3000' },
  },
  strict: false,
});

/** Exits with `code` after writing `message` to stderr (configuration problems: no stack trace). */
function refuse(message: string, code: number): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

/** The address to reach a server listening on `host`: a wildcard listens on loopback too. */
function urls(host: string, port: number): { internal: string; shown: string } {
  if (host === '0.0.0.0' || host === '::' || host === '') {
    return { internal: `http://127.0.0.1:${port}`, shown: `http://localhost:${port}` };
  }
  const h = host.includes(':') ? `[${host}]` : host;
  return { internal: `http://${h}:${port}`, shown: `http://${h}:${port}` };
}

async function main(): Promise<void> {
  let cfg;
  try {
    cfg = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      refuse(`configuration error: ${e.message}`, 2);
    }
    throw e;
  }
  // Taken before any engine opens its files: a second process on the same PGlite can corrupt it.
  let lock: DataDirLock;
  try {
    lock = acquireDataDirLock(cfg.dataDir);
  } catch (e) {
    if (e instanceof DataDirHeldError) {
      refuse(`the backend cannot start: ${e.message} Stop it, or give this backend another DATA_DIR.`, 2);
    }
    throw e;
  }
  // 'exit' handlers run on process.exit() and a normal end, not on SIGKILL: a file left by a
  // killed backend names a dead pid and no longer counts.
  process.on('exit', () => lock.release());

  const log = createLogger(cfg.logLevel, cfg.piiKeys);
  const adminKeyFile = cfg.adminKey ? null : resolve(adminKeyPath(cfg.dataDir));
  if (!cfg.adminKey) {
    const { key, created } = ensureAdminKeyFile(cfg.dataDir);
    cfg = { ...cfg, adminKey: key };
    log.info({ path: adminKeyFile, created }, 'CAAS_ADMIN_KEY is not set: the admin key is in this file (the CLI reads it too)');
  }
  const svc = await createServices(cfg, log);
  const app = await buildApp(svc);
  // --demo: the demo CAAS platform's metrics and its fault switch (POST /v1/demo/faults, demo mode only)
  const demoControls = args.demo || args['demo-reset'] ? await demoPlatformControls() : null;
  if (demoControls) {
    const { demoRoutes } = await import('./http/routes/demo.js');
    await app.register(demoRoutes(demoControls));
  }

  let closing = false;
  let demoSearch: { close(): Promise<void> } | null = null;
  let demoMetrics: { close(): Promise<void> } | null = null;
  const shutdown = async (reason: string) => {
    if (closing) {
      return;
    }
    closing = true;
    log.info({ reason }, 'shutting down: draining the WAL into ClickHouse');
    await app.close();
    demoControls?.platform.stop();
    await demoMetrics?.close().catch(() => undefined);
    await demoSearch?.close().catch(() => undefined);
    await svc.close();
    lock.release();
    process.exit(0);
  };
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
    process.on(signal, () => void shutdown(signal));
  }
  // `npm start` (scripts/start.mjs) spawns this process with an IPC channel. The channel closes when
  // that parent dies, however it dies (SIGKILL included), so the backend never outlives it.
  if (process.send) {
    process.on('disconnect', () => void shutdown('parent process exited'));
    if (!process.connected) {
      void shutdown('parent process exited');
      return;
    }
  }

  await app.listen({ port: cfg.port, host: cfg.host });
  const port = (app.server.address() as AddressInfo).port;
  const url = urls(cfg.host, port);
  log.info({ url: url.shown, clickhouse: svc.store.mode, postgres: svc.db.mode, data_dir: cfg.dataDir }, 'CAAS Observatory backend listening');

  let demo: ReadyInfo['demo'] = null;
  let search: ReadyInfo['search'] = null;
  if (demoControls) {
    demoControls.platform.start();
    const { serveDemoMetrics } = await import('./demo/platform-metrics/index.js');
    try {
      const served = await serveDemoMetrics(demoControls.platform, { port: cfg.demoMetricsPort, host: cfg.host });
      demoMetrics = served;
      demoControls.metricsUrl = served.url;
      log.info({ url: `${served.url}/metrics` }, 'the demo CAAS platform serves its Prometheus metrics');
    } catch (e) {
      // e.g. a second demo on this machine: everything else works, Prometheus just has no demo target
      log.error(
        { err: e, port: cfg.demoMetricsPort },
        'the demo platform metrics could not be served: set DEMO_METRICS_PORT to a free port (0 = any); faults still switch'
      );
    }
  }
  if (args.demo || args['demo-reset']) {
    const days = Number(args['demo-days']);
    const { runDemo, runDemoSearch, DEMO_TENANTS } = await import('./demo/run-demo.js');
    // Search: the demo CAAS platform as crawl source `demo`; its crawls run as jobs while events load.
    if (!args['demo-no-search']) {
      try {
        const s = await runDemoSearch(svc);
        demoSearch = s;
        search = { source: s.source, queued: s.queued, skipped: s.skipped };
      } catch (e) {
        log.error({ err: e }, 'the demo crawl source could not be set up: search has no demo data');
      }
    }
    const tenants = DEMO_TENANTS.map((t) => t.id);
    try {
      const outcome = await runDemo({
        svc,
        baseUrl: url.internal,
        adminKey: cfg.adminKey as string,
        days,
        eventsPerDay: Number(args['demo-events-per-day']),
        reset: args['demo-reset'] === true,
      });
      demo = outcome.action === 'loaded' ? { action: 'loaded', events: outcome.events, days, tenants } : { action: 'skipped', events: outcome.events, tenants };
    } catch (e) {
      if (closing) {
        return; // the load was cut short by the shutdown, not broken
      }
      throw e;
    }
  }
  if (!closing) {
    // Through pino's own destination: it writes asynchronously, and a block written to
    // process.stdout could land above the log lines still in its buffer.
    const out = (log as unknown as Record<symbol, { write(s: string): unknown } | undefined>)[pino.symbols.streamSym] ?? process.stdout;
    const metrics = demoControls ? { url: demoControls.metricsUrl ? `${demoControls.metricsUrl}/metrics` : null } : null;
    out.write(readyBlock({ url: url.shown, port, adminKeyFile, demo, search, metrics }));
  }
}

/** The demo platform's simulated metrics for the demo tenants, on the wall clock (served once the backend listens). */
async function demoPlatformControls() {
  const { PlatformMetrics } = await import('./demo/platform-metrics/index.js');
  const { DEMO_TENANTS } = await import('./demo/run-demo.js');
  return { platform: new PlatformMetrics({ seed: 42, tenants: DEMO_TENANTS.map((t) => t.id) }), metricsUrl: null as string | null };
}

main().catch((e: unknown) => {
  process.stderr.write(`the backend could not start: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
