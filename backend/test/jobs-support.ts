import pino from 'pino';
import { JobRunner, type RunnerOptions } from '../src/jobs/runner.js';
import { openMetadataDb, type MetadataDb } from '../src/store/metadata-db.js';
import { migratePostgres } from '../src/store/pg-migrations.js';
import { tempDir } from './helpers.js';
import { serverDatabase } from './pg-server.js';

/**
 * What the jobs tests share: a fresh database on the PostgreSQL server (or the reason there is
 * none), a migrated metadata store on either engine, fast runner settings and bounded waits.
 */
export { serverDatabase } from './pg-server.js';

export type Engine = { name: string; open: () => Promise<{ db: MetadataDb; url?: string; cleanup: () => Promise<void> } | string> };

export const ENGINES: Engine[] = [
  {
    name: 'PGlite (embedded)',
    open: async () => {
      const db = await openMetadataDb({ dataDir: tempDir('caas-jobs-') });
      await migratePostgres(db);
      return { db, cleanup: () => db.close() };
    },
  },
  {
    name: 'the PostgreSQL server',
    open: async () => {
      const target = await serverDatabase();
      if (typeof target === 'string') {
        return target;
      }
      const db = await openMetadataDb({ databaseUrl: target.url, dataDir: tempDir('caas-jobs-') });
      await migratePostgres(db);
      return {
        db,
        url: target.url,
        cleanup: async () => {
          await db.close();
          await target.drop();
        },
      };
    },
  },
];

export const quietLog = pino({ level: process.env.JOBS_TEST_LOG ?? 'silent' });

/** A runner with test timings: 20 ms polls, 20 ms backoff base, 600 ms leases. */
export function testRunner(db: MetadataDb, over: Partial<RunnerOptions> = {}): JobRunner {
  return new JobRunner({
    db,
    log: quietLog,
    leaseMs: 600,
    pollMs: 20,
    backoffBaseMs: 20,
    backoffMaxMs: 2000,
    scheduleTickMs: 60_000,
    shutdownGraceMs: 2000,
    ...over,
  });
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `check` every 20 ms until it answers a value other than undefined/false; throws after `timeoutMs`. */
export async function waitFor<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined | false> | T | undefined | false): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await check();
    if (v !== undefined && v !== false) {
      return v;
    }
    if (Date.now() - t0 > timeoutMs) {
      throw new Error(`${what}: not within ${timeoutMs} ms`);
    }
    await sleep(20);
  }
}

export const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
