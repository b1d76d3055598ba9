import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { run } from '../src/cli/caas.js';
import { ADMIN_KEY, startApp, tempDir, type TestApp } from './helpers.js';

/** `npx caas …` against a running backend (its API) and without one (the metadata store directly). */
async function caas(args: string[]): Promise<unknown> {
  const out: string[] = [];
  await run(args, (s) => out.push(s));
  return JSON.parse(out.join('\n')) as unknown;
}

describe('caas CLI without a running backend (direct metadata store)', () => {
  before(() => {
    process.env.DATA_DIR = tempDir();
    process.env.CAAS_URL = 'http://127.0.0.1:9'; // nothing listens on the discard port
    delete process.env.CAAS_ADMIN_KEY;
  });

  it('creates a tenant and an ingest key, lists and revokes it', async () => {
    assert.deepEqual(((await caas(['tenants', 'create', '--id', 'acme', '--name', 'Acme'])) as { id: string }).id, 'acme');
    const k = (await caas(['keys', 'create', '--tenant', 'acme', '--role', 'ingest'])) as { id: string; key: string; role: string };
    assert.equal(k.role, 'ingest');
    assert.match(k.key, /^caas_/);
    const listed = (await caas(['keys', 'list', '--tenant', 'acme'])) as { keys: Array<{ id: string; key?: string }> };
    assert.deepEqual(listed.keys.map((x) => x.id), [k.id]);
    assert.equal(listed.keys[0]?.key, undefined, 'secrets are never listed');
    await caas(['keys', 'revoke', k.id]);
    const after = (await caas(['keys', 'list'])) as { keys: Array<{ revoked_at: string | null }> };
    assert.ok(after.keys[0]?.revoked_at);
  });

  it('says what is wrong with a bad command', async () => {
    await assert.rejects(caas(['keys', 'create', '--role', 'root']), /needs --role, one of: admin, tenant-admin, tenant-viewer, ingest/);
    await assert.rejects(caas(['keys', 'create', '--role', 'ingest']), /needs tenant_id/);
    await assert.rejects(caas(['frobnicate']), /unknown command/);
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
