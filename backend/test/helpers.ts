import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { loadConfig, type Config } from '../src/config/config.js';
import { buildApp } from '../src/http/app.js';
import { createLogger } from '../src/observability/logger.js';
import { createServices, type Services } from '../src/services.js';

export const ADMIN_KEY = 'test-admin-key-0123456789abcdef';

/** Log lines captured for assertions (pino writes JSON lines). */
export class LogCapture extends Writable {
  lines: string[] = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    this.lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    cb();
  }
  json(): Array<Record<string, unknown>> {
    return this.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  }
}

export function tempDir(prefix = 'caas-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface TestApp {
  app: FastifyInstance;
  svc: Services;
  cfg: Config;
  logs: LogCapture;
  admin: { authorization: string };
  close(): Promise<void>;
}

/**
 * A real backend in this process: embedded ClickHouse (chdb) and PGlite under a temp dir, or the
 * servers given in env. chdb binds one data dir per process, so a test file keeps one dataDir.
 */
export async function startApp(
  env: Record<string, string> = {},
  dataDir = tempDir(),
  /** routes a test adds before the app is ready (e.g. to try an access kind no product route uses yet) */
  extend?: (app: FastifyInstance) => void
): Promise<TestApp> {
  const cfg = loadConfig({ DATA_DIR: dataDir, CAAS_ADMIN_KEY: ADMIN_KEY, LOG_LEVEL: 'info', BATCH_MAX_AGE_MS: '50', ...env });
  const logs = new LogCapture();
  const svc = await createServices(cfg, createLogger(cfg.logLevel, cfg.piiKeys, logs));
  const app = await buildApp(svc);
  extend?.(app);
  await app.ready();
  return {
    app,
    svc,
    cfg,
    logs,
    admin: { authorization: `Bearer ${ADMIN_KEY}` },
    async close() {
      await app.close();
      await svc.close();
    },
  };
}

/** Waits until every acknowledged event is committed to ClickHouse. */
export async function drained(svc: Services, timeoutMs = 20_000): Promise<void> {
  const t0 = Date.now();
  await svc.wal.flush();
  while (svc.wal.stats.events > 0) {
    if (Date.now() - t0 > timeoutMs) {
      throw new Error(`WAL not drained after ${timeoutMs} ms: ${JSON.stringify(svc.wal.stats)}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

export function event(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'message_sent',
    tenant_id: 'acme',
    user_id: 'u1',
    timestamp: Date.now() - 1000,
    properties: { message_type: 'text' },
    ...over,
  };
}

export async function createTenant(t: TestApp, id: string, name = id): Promise<void> {
  const r = await t.app.inject({ method: 'POST', url: '/v1/tenants', headers: t.admin, payload: { id, name } });
  if (r.statusCode !== 201) {
    throw new Error(`creating tenant ${id}: ${r.statusCode} ${r.body}`);
  }
}

export async function createKey(t: TestApp, tenant_id: string | undefined, role: string): Promise<string> {
  const r = await t.app.inject({ method: 'POST', url: '/v1/keys', headers: t.admin, payload: { tenant_id, role } });
  if (r.statusCode !== 201) {
    throw new Error(`creating key: ${r.statusCode} ${r.body}`);
  }
  return (r.json() as { key: string }).key;
}
