import { parseArgs } from 'node:util';
import { adminKeyPath, ensureAdminKeyFile } from './auth/admin-key-file.js';
import { ConfigError, loadConfig } from './config/config.js';
import { buildApp } from './http/app.js';
import { createLogger } from './observability/logger.js';
import { createServices } from './services.js';

/**
 * The backend service. `--demo` creates demo tenants and loads generated CAAS events through the
 * real ingestion path once the server listens (issue "Foundation", item 6).
 */
const { values: args } = parseArgs({
  options: {
    demo: { type: 'boolean', default: false },
    'demo-days': { type: 'string', default: '30' },
    'demo-events-per-day': { type: 'string', default: '3000' },
  },
  strict: false,
});

async function main(): Promise<void> {
  let cfg;
  try {
    cfg = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`configuration error: ${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
  const log = createLogger(cfg.logLevel, cfg.piiKeys);
  if (!cfg.adminKey) {
    const { key, created } = ensureAdminKeyFile(cfg.dataDir);
    cfg = { ...cfg, adminKey: key };
    log.info({ path: adminKeyPath(cfg.dataDir), created }, 'CAAS_ADMIN_KEY is not set: the admin key is in this file (the CLI reads it too)');
  }
  const svc = await createServices(cfg, log);
  const app = await buildApp(svc);

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) {
      return;
    }
    closing = true;
    log.info({ signal }, 'shutting down: draining the WAL into ClickHouse');
    await app.close();
    await svc.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  await app.listen({ port: cfg.port, host: cfg.host });
  const url = `http://127.0.0.1:${cfg.port}`;
  log.info({ url, clickhouse: svc.store.mode, postgres: svc.db.mode, data_dir: cfg.dataDir }, 'CAAS Observatory backend listening');

  if (args.demo) {
    const { runDemo } = await import('./demo/run-demo.js');
    await runDemo({
      svc,
      baseUrl: url,
      adminKey: cfg.adminKey as string,
      days: Number(args['demo-days']),
      eventsPerDay: Number(args['demo-events-per-day']),
    });
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`the backend could not start: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
