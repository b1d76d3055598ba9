import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { KeyRepo, hashKey, type Principal } from '../src/auth/keys.js';
import { TenantRepo } from '../src/auth/tenants.js';
import { DeadLetterRepo } from '../src/ingest/dead-letters.js';
import { openMetadataDb, type MetadataDb } from '../src/store/metadata-db.js';
import { PG_MIGRATIONS, migratePostgres } from '../src/store/pg-migrations.js';
import { tempDir } from './helpers.js';
import { serverDatabase } from './pg-server.js';

/**
 * The metadata store, the same suite on both engines: PGlite in-process, and the PostgreSQL server
 * at 127.0.0.1:5432 (trust auth; PG_TEST_URL overrides). The server suite runs in a fresh database
 * it creates and drops; it is skipped, saying why, when no server answers.
 */
const admin: Principal = { keyId: 'test', role: 'admin', tenantId: null };

function suite(name: string, open: () => Promise<{ db: MetadataDb; cleanup: () => Promise<void> } | string>) {
  describe(name, () => {
    let db: MetadataDb;
    let cleanup = async () => undefined as void;
    let skip: string | undefined;
    before(async () => {
      const r = await open();
      if (typeof r === 'string') {
        skip = r;
        return;
      }
      db = r.db;
      cleanup = r.cleanup;
    });
    after(async () => cleanup());

    const test = (title: string, fn: () => Promise<void>) =>
      it(title, async (t) => {
        if (skip) {
          t.skip(skip);
          return;
        }
        await fn();
      });

    test('migrations apply once and are idempotent', async () => {
      const first = await migratePostgres(db);
      assert.deepEqual(first, PG_MIGRATIONS.map((m) => m.version));
      assert.deepEqual(await migratePostgres(db), [], 'a second start applies nothing');
      const tables = await db.query<{ t: string }>(
        "SELECT table_name t FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY 1"
      );
      // Every table a migration creates exists, and nothing else.
      const declared = PG_MIGRATIONS.flatMap((m) => [...m.sql.matchAll(/CREATE TABLE IF NOT EXISTS (\w+)/g)].map((x) => x[1] as string));
      assert.ok(declared.includes('api_keys') && declared.includes('dead_letters') && declared.includes('tenants'));
      assert.deepEqual(
        tables.map((r) => r.t),
        [...declared, 'schema_migrations'].sort()
      );
    });

    test('tenants and API keys: keys are stored hashed, verified, scoped and revocable', async () => {
      const tenants = new TenantRepo(db);
      const keys = new KeyRepo(db, tenants);
      await tenants.create('acme', 'Acme');
      await assert.rejects(tenants.create('acme', 'Again'), /already exists/);
      const k = await keys.create({ tenant_id: 'acme', role: 'ingest', name: 'ci' }, admin);
      assert.match(k.key, /^caas_[A-Za-z0-9_-]{32}$/);
      const stored = await db.query<{ key_hash: string }>('SELECT key_hash FROM api_keys WHERE id = $1', [k.id]);
      assert.equal(stored[0]?.key_hash, hashKey(k.key));
      assert.ok(!JSON.stringify(await db.query('SELECT * FROM api_keys')).includes(k.key), 'the key itself is never stored');
      assert.deepEqual(await keys.verify(k.key), { keyId: k.id, role: 'ingest', tenantId: 'acme' });
      assert.equal(await keys.verify(k.key + 'x'), null);
      // A tenant-admin may create keys for its own tenant only, and never admin keys.
      const ta = await keys.create({ tenant_id: 'acme', role: 'tenant-admin' }, admin);
      const taP = (await keys.verify(ta.key)) as Principal;
      await tenants.create('globex', 'Globex');
      await assert.rejects(keys.create({ tenant_id: 'globex', role: 'ingest' }, taP), /own tenant/);
      await assert.rejects(keys.create({ role: 'admin' }, taP), /tenant-admins cannot create admin or viewer keys/);
      await assert.rejects(keys.create({ role: 'viewer' }, taP), /tenant-admins cannot create admin or viewer keys/);
      // A viewer key reads every tenant: it belongs to none.
      await assert.rejects(keys.create({ tenant_id: 'acme', role: 'viewer' }, admin), /belongs to no tenant/);
      const v = await keys.create({ role: 'viewer' }, admin);
      assert.deepEqual(await keys.verify(v.key), { keyId: v.id, role: 'viewer', tenantId: null });
      assert.equal((await keys.list('acme')).length, 2);
      await keys.revoke(k.id, taP);
      assert.equal(await keys.verify(k.key), null, 'revoked keys stop working at once on this instance');
      await keys.bootstrap('admin', 'bootstrap-admin-key-0123456789');
      assert.equal((await keys.verify('bootstrap-admin-key-0123456789'))?.role, 'admin');
    });

    test('dead letters: add, list newest first per tenant, mark replayed', async () => {
      const dl = new DeadLetterRepo(db);
      await dl.add([
        { tenant_id: 'acme', reason: 'r1', payload: '{"a":1}', request_id: 'q1' },
        { tenant_id: 'globex', reason: 'r2', payload: '{"b":2}' },
        { tenant_id: 'acme', reason: 'r3', payload: 'not json' },
      ]);
      const acme = await dl.list({ tenant: 'acme', limit: 10 });
      assert.deepEqual(
        acme.map((d) => d.reason),
        ['r3', 'r1']
      );
      assert.equal((await dl.list({ tenant: null, limit: 10 })).length, 3);
      await dl.markReplayed([acme[1]?.id as string]);
      assert.deepEqual(
        (await dl.list({ tenant: 'acme', limit: 10 })).map((d) => d.reason),
        ['r3']
      );
      await dl.markFailedAgain([{ id: acme[0]?.id as string, reason: 'still bad' }]);
      const [again] = await dl.get([acme[0]?.id as string], 'acme');
      assert.equal(again?.reason, 'still bad');
      assert.equal(again?.replay_count, 1);
      assert.equal((await dl.get([acme[0]?.id as string], 'globex')).length, 0, 'another tenant cannot read it');
    });
  });
}

suite('metadata store on PGlite (embedded)', async () => {
  const db = await openMetadataDb({ dataDir: tempDir() });
  return { db, cleanup: () => db.close() };
});

suite('metadata store on the PostgreSQL server', async () => {
  const target = await serverDatabase();
  if (typeof target === 'string') {
    console.log(`# SKIP PostgreSQL server suite: ${target}`);
    return target;
  }
  const db = await openMetadataDb({ databaseUrl: target.url, dataDir: tempDir() });
  return {
    db,
    cleanup: async () => {
      await db.close();
      await target.drop();
    },
  };
});
