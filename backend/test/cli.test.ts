import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { lockPath } from '../src/cli/data-dir-lock.js';
import { run } from '../src/cli/caas.js';
import { Role } from '../src/contracts/common.js';
import { ADMIN_KEY, startApp, tempDir, type TestApp } from './helpers.js';

/**
 * `npx caas …` against a running backend (its API); without one it stops and says so, and only
 * `--direct` opens the metadata store itself, never a DATA_DIR another live process holds.
 */
async function caas(args: string[]): Promise<unknown> {
  const out: string[] = [];
  await run(args, (s) => out.push(s));
  return JSON.parse(out.join('\n')) as unknown;
}

/** A process that stays alive (a stand-in for a backend holding DATA_DIR) until killed. */
function sleeper(): ChildProcess {
  return spawn(process.execPath, ['-e', 'setTimeout(() => {}, 120_000)'], { stdio: 'ignore' });
}

/** The pid of a process that has exited: what a SIGKILLed backend leaves in backend.lock. */
async function deadPid(): Promise<number> {
  const c = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await new Promise((r) => c.once('exit', r));
  return c.pid as number;
}

describe('caas CLI without a running backend', () => {
  let dataDir: string;
  before(() => {
    dataDir = tempDir();
    process.env.DATA_DIR = dataDir;
    process.env.CAAS_URL = 'http://127.0.0.1:9'; // nothing listens on the discard port
    delete process.env.CAAS_ADMIN_KEY;
    delete process.env.DATABASE_URL;
  });

  it('stops, naming the URL it tried and the ways out, and opens no store', async () => {
    await assert.rejects(
      caas(['tenants', 'list']),
      /no CAAS backend answers at http:\/\/127\.0\.0\.1:9 \(CAAS_URL\)\. Start one \(npm start\), set CAAS_URL to where it runs, or, with no backend running on DATA_DIR=.*, add --direct/
    );
    const port = process.env.PORT;
    delete process.env.CAAS_URL;
    process.env.PORT = '9';
    try {
      await assert.rejects(caas(['keys', 'list']), /no CAAS backend answers at http:\/\/127\.0\.0\.1:9 \(the default http:\/\/127\.0\.0\.1:\$PORT, PORT=9\)/);
    } finally {
      process.env.CAAS_URL = 'http://127.0.0.1:9';
      if (port === undefined) {
        delete process.env.PORT;
      } else {
        process.env.PORT = port;
      }
    }
    assert.equal(existsSync(join(dataDir, 'pglite')), false, 'no fresh, empty store was created in DATA_DIR');
  });

  it('--direct creates a tenant and an ingest key, lists and revokes it', async () => {
    assert.deepEqual(((await caas(['tenants', 'create', '--id', 'acme', '--name', 'Acme', '--direct'])) as { id: string }).id, 'acme');
    const k = (await caas(['keys', 'create', '--tenant', 'acme', '--role', 'ingest', '--direct'])) as { id: string; key: string; role: string };
    assert.equal(k.role, 'ingest');
    assert.match(k.key, /^caas_/);
    const listed = (await caas(['keys', 'list', '--tenant', 'acme', '--direct'])) as { keys: Array<{ id: string; key?: string }> };
    assert.deepEqual(listed.keys.map((x) => x.id), [k.id]);
    assert.equal(listed.keys[0]?.key, undefined, 'secrets are never listed');
    await caas(['keys', 'revoke', k.id, '--direct']);
    const after = (await caas(['keys', 'list', '--direct'])) as { keys: Array<{ revoked_at: string | null }> };
    assert.ok(after.keys[0]?.revoked_at);
    assert.equal(existsSync(lockPath(dataDir)), false, '--direct releases DATA_DIR when done');
  });

  it('--direct refuses a DATA_DIR a live process holds, naming its pid', async () => {
    const holder = sleeper();
    try {
      writeFileSync(lockPath(dataDir), `${holder.pid}\n`);
      await assert.rejects(
        caas(['tenants', 'list', '--direct']),
        new RegExp(`--direct refused: DATA_DIR .* is in use by process ${holder.pid} .*run the command without --direct`)
      );
      assert.equal(existsSync(lockPath(dataDir)), true, "the holder's lock is left alone");
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('--direct takes over a stale lock (its pid is gone)', async () => {
    writeFileSync(lockPath(dataDir), `${await deadPid()}\n`);
    const listed = (await caas(['tenants', 'list', '--direct'])) as { tenants: Array<{ id: string }> };
    assert.deepEqual(listed.tenants.map((t) => t.id), ['acme']);
    assert.equal(existsSync(lockPath(dataDir)), false);
  });

  it('says what is wrong with a bad command', async () => {
    // The role list belongs to the API contract (it grows); the message must name all of it.
    await assert.rejects(caas(['keys', 'create', '--role', 'root', '--direct']), new RegExp(`needs --role, one of: ${Role.anyOf.map((r) => r.const).join(', ')}$`));
    await assert.rejects(caas(['keys', 'create', '--role', 'ingest', '--direct']), /needs tenant_id/);
    await assert.rejects(caas(['frobnicate']), /unknown command/);
    await assert.rejects(caas(['demo', '--direct']), /demo data goes through a running backend's ingestion/);
  });
});

describe('caas --direct with DATABASE_URL (a PostgreSQL server)', () => {
  const server = process.env.PG_TEST_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  let skip: string | undefined;
  let name = '';
  before(async () => {
    const c = new pg.Client({ connectionString: server, connectionTimeoutMillis: 3000 });
    try {
      await c.connect();
    } catch (e) {
      skip = `no PostgreSQL server at ${server} (${(e as Error).message})`;
      return;
    }
    name = `caas_cli_${randomBytes(4).toString('hex')}`;
    await c.query(`CREATE DATABASE ${name}`);
    await c.end();
    const u = new URL(server);
    u.pathname = `/${name}`;
    process.env.DATABASE_URL = u.toString();
    process.env.DATA_DIR = tempDir();
  });
  after(async () => {
    delete process.env.DATABASE_URL;
    if (name) {
      const d = new pg.Client({ connectionString: server });
      await d.connect();
      await d.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await d.end();
    }
  });

  it('works even while a backend holds DATA_DIR, and says --direct is safe there', async (t) => {
    if (skip) {
      t.skip(skip);
      return;
    }
    await assert.rejects(caas(['tenants', 'list']), /add --direct to work on the metadata store in DATABASE_URL itself \(safe even while a backend runs/);
    const holder = sleeper();
    try {
      writeFileSync(lockPath(process.env.DATA_DIR as string), `${holder.pid}\n`);
      await caas(['tenants', 'create', '--id', 'pgco', '--name', 'PG Co', '--direct']);
      const listed = (await caas(['tenants', 'list', '--direct'])) as { tenants: Array<{ id: string }> };
      assert.deepEqual(listed.tenants.map((x) => x.id), ['pgco']);
    } finally {
      holder.kill('SIGKILL');
    }
  });
});

describe('caas CLI against a running backend (its HTTP API)', () => {
  let t: TestApp;
  before(async () => {
    t = await startApp();
    const addr = await t.app.listen({ port: 0, host: '127.0.0.1' });
    process.env.CAAS_URL = addr;
    process.env.CAAS_ADMIN_KEY = ADMIN_KEY;
  });
  after(async () => t.close());

  it('creates tenants and keys through the API; the key works for ingestion', async () => {
    await caas(['tenants', 'create', '--id', 'globex', '--name', 'Globex']);
    const k = (await caas(['keys', 'create', '--tenant', 'globex', '--role', 'ingest'])) as { key: string };
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/events',
      headers: { authorization: `Bearer ${k.key}` },
      payload: [{ type: 'login', tenant_id: 'globex', user_id: 'u', timestamp: Date.now() }],
    });
    assert.equal(res.statusCode, 202);
    const tenants = (await caas(['tenants', 'list'])) as { tenants: Array<{ id: string }> };
    assert.deepEqual(tenants.tenants.map((x) => x.id), ['globex']);
  });

  it('reports API errors with the server reason', async () => {
    await assert.rejects(caas(['tenants', 'create', '--id', 'globex', '--name', 'Dup']), /409: tenant 'globex' already exists/);
  });
});
