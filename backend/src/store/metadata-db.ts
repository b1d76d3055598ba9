import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import pg from 'pg';
import type { EngineMode } from './analytics-store.js';

/** What both PostgreSQL engines offer: one SQL dialect, parameters as $1..$n. */
export interface Queryable {
  query<T extends object = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
}

/**
 * The metadata store's connection (DESIGN.md "Two modes"): PostgreSQL in-process through
 * PGlite by default, a PostgreSQL server through `pg` when DATABASE_URL is set.
 */
export interface MetadataDb extends Queryable {
  readonly mode: EngineMode;
  /** runs several statements separated by ';' (migrations) */
  exec(sql: string): Promise<void>;
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * Runs `fn` holding a PostgreSQL advisory lock that every backend instance on this database
   * sees: `exclusive` waits for every holder, `shared` only for an exclusive one. PGlite belongs
   * to one process, so there is no other instance to wait for and `fn` runs at once.
   */
  withLock<T>(key: number, mode: 'shared' | 'exclusive', fn: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

class PgliteDb implements MetadataDb {
  readonly mode = 'embedded' as const;
  constructor(private readonly db: PGlite) {}
  async query<T extends object>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.db.query<T>(sql, params)).rows;
  }
  async exec(sql: string): Promise<void> {
    await this.db.exec(sql);
  }
  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.db.transaction(async (tx) =>
      fn({ query: async <R extends object>(sql: string, params: unknown[] = []) => (await tx.query<R>(sql, params)).rows })
    );
  }
  async withLock<T>(_key: number, _mode: 'shared' | 'exclusive', fn: () => Promise<T>): Promise<T> {
    return fn();
  }
  async close(): Promise<void> {
    await this.db.close();
  }
}

class PgServerDb implements MetadataDb {
  readonly mode = 'server' as const;
  constructor(private readonly pool: pg.Pool) {}
  async query<T extends object>(sql: string, params: unknown[] = []): Promise<T[]> {
    return (await this.pool.query(sql, params)).rows as T[];
  }
  async exec(sql: string): Promise<void> {
    await this.pool.query(sql);
  }
  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const out = await fn({
        query: async <R extends object>(sql: string, params: unknown[] = []) =>
          (await client.query(sql, params)).rows as R[],
      });
      await client.query('COMMIT');
      return out;
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      client.release();
    }
  }
  async withLock<T>(key: number, mode: 'shared' | 'exclusive', fn: () => Promise<T>): Promise<T> {
    // A session lock on a client of its own: held while fn runs, released even if fn throws, and
    // by the server if this process dies.
    const client = await this.pool.connect();
    const suffix = mode === 'shared' ? '_shared' : '';
    try {
      await client.query(`SELECT pg_advisory_lock${suffix}($1)`, [key]);
      try {
        return await fn();
      } finally {
        await client.query(`SELECT pg_advisory_unlock${suffix}($1)`, [key]);
      }
    } finally {
      client.release();
    }
  }
  async close(): Promise<void> {
    await this.pool.end();
  }
}

export async function openMetadataDb(opts: { databaseUrl?: string; dataDir: string }): Promise<MetadataDb> {
  if (opts.databaseUrl) {
    const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: 10 });
    // pg emits 'error' for idle clients whose server went away; without a listener it crashes the process.
    pool.on('error', () => undefined);
    return new PgServerDb(pool);
  }
  const dir = join(opts.dataDir, 'pglite');
  mkdirSync(dir, { recursive: true });
  // pg_trgm: the search engine's typo tolerance (migration 7, src/search/postgres-engine.ts)
  const db = await PGlite.create(dir, { extensions: { pg_trgm } });
  return new PgliteDb(db);
}

/**
 * A timestamptz column as ISO 8601 text in UTC (`2026-12-01T15:31:36.094Z`), the form every API
 * answer uses, not PostgreSQL's own (`2026-12-01 15:31:36.094+00`). Same SQL on PGlite and pg.
 */
export function isoSql(column: string, as = column.replace(/^.*\./, '')): string {
  return `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS ${as}`;
}
