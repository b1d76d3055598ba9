import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The PostgreSQL server the server-mode suites use (trust auth); PG_TEST_URL overrides. */
export const PG_SERVER = process.env.PG_TEST_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * A fresh database on the PostgreSQL server, dropped by `drop()`; or, when no server answers, the
 * reason to print as the skip message.
 */
export async function serverDatabase(): Promise<{ url: string; drop: () => Promise<void> } | string> {
  const c = new pg.Client({ connectionString: PG_SERVER, connectionTimeoutMillis: 3000 });
  try {
    await c.connect();
  } catch (e) {
    return `no PostgreSQL server at ${PG_SERVER} (${(e as Error).message}); start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`;
  }
  const name = `caas_test_${randomBytes(4).toString('hex')}`;
  await c.query(`CREATE DATABASE ${name}`);
  await c.end();
  const u = new URL(PG_SERVER);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    drop: async () => {
      const d = new pg.Client({ connectionString: PG_SERVER });
      await d.connect();
      await d.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await d.end();
    },
  };
}
