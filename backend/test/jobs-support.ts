import { randomBytes } from 'node:crypto';
import pg from 'pg';
import pino from 'pino';
import { JobRunner, type RunnerOptions } from '../src/jobs/runner.js';
import { openMetadataDb, type MetadataDb } from '../src/store/metadata-db.js';
import { migratePostgres } from '../src/store/pg-migrations.js';
import { tempDir } from './helpers.js';

/**
 * What the jobs tests share: a fresh database on the PostgreSQL server (or the reason there is
 * none), a migrated metadata store on either engine, fast runner settings and bounded waits.
 */
export const SERVER = process.env.PG_TEST_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export async function serverDatabase(): Promise<{ url: string; drop: () => Promise<void> } | string> {
  const c = new pg.Client({ connectionString: SERVER, connectionTimeoutMillis: 3000 });
  try {
    await c.connect();
  } catch (e) {
    return `no PostgreSQL server at ${SERVER} (${(e as Error).message}); start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`;
  }
  const name = `caas_jobs_${randomBytes(4).toString('hex')}`;
  await c.query(`CREATE DATABASE ${name}`);
  await c.end();
  const u = new URL(SERVER);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    drop: async () => {
      const d = new pg.Client({ connectionString: SERVER });
      await d.connect();
      await d.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await d.end();
    },
  };
}

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
