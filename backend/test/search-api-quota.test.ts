import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { LocalSearchQuota, SharedSearchQuota } from '../src/search/quota.js';
import { openMetadataDb } from '../src/store/metadata-db.js';
import { migratePostgres } from '../src/store/pg-migrations.js';
import { createKey, createTenant, startApp, tempDir, type TestApp } from './helpers.js';
import { serverDatabase } from './pg-server.js';

/**
 * The per-tenant search quota (issue "Crawler and search", item 4): SEARCH_QUERIES_PER_MINUTE
 * searches a minute per tenant, 429 with Retry-After past it; per process on PGlite, shared by every
 * instance on the PostgreSQL server (skipped, saying why, when no server answers).
 *
 *   cd backend && node --import tsx --test test/search-api-quota.test.ts
 */

let t: TestApp;
let acmeKey: string;

before(async () => {
  t = await startApp({ SEARCH_QUERIES_PER_MINUTE: '5' });
  await createTenant(t, 'acme');
  await createTenant(t, 'globex');
  acmeKey = await createKey(t, 'acme', 'tenant-viewer');
});
after(async () => {
  await t?.close();
});

describe('search quota', () => {
  it('answers 429 with Retry-After naming SEARCH_QUERIES_PER_MINUTE past the tenant\'s searches a minute; other tenants are not charged', async () => {
    const acme = { authorization: `Bearer ${acmeKey}` };
    // a query the engine refuses costs no quota
    const tooMany = Array.from({ length: 101 }, (_, i) => `c${i}`).join(',');
    for (let i = 0; i < 3; i++) {
      const refused = await t.app.inject({ method: 'GET', url: `/v1/search?q=x&conversation_id=${tooMany}`, headers: acme });
      assert.equal(refused.statusCode, 400, refused.body);
    }
    const codes: number[] = [];
    for (let i = 0; i < 4; i++) {
      codes.push((await t.app.inject({ method: 'GET', url: `/v1/search?q=w${i}`, headers: acme })).statusCode);
    }
    // POST and admin keys naming the tenant spend the same quota
    codes.push((await t.app.inject({ method: 'POST', url: '/v1/search', headers: t.admin, payload: { q: 'x', tenant_id: 'acme' } })).statusCode);
    assert.deepEqual(codes, [200, 200, 200, 200, 200]);
    const over = await t.app.inject({ method: 'GET', url: '/v1/search?q=again', headers: acme });
    assert.equal(over.statusCode, 429, over.body);
    const retry = Number(over.headers['retry-after']);
    assert.ok(Number.isInteger(retry) && retry >= 1 && retry <= 12, `Retry-After ${String(over.headers['retry-after'])}`);
    const e = over.json() as { error: { code: string; message: string } };
    assert.equal(e.error.code, 'search_quota');
    assert.match(e.error.message, /SEARCH_QUERIES_PER_MINUTE/);
    assert.match(e.error.message, /acme/);
    assert.equal((await t.app.inject({ method: 'POST', url: '/v1/search', headers: acme, payload: { q: 'again' } })).statusCode, 429);
    // another tenant has its own quota
    assert.equal((await t.app.inject({ method: 'GET', url: '/v1/search?q=x&tenant_id=globex', headers: t.admin })).statusCode, 200);
    // bad requests and the analytics reads are not searches
    assert.equal((await t.app.inject({ method: 'GET', url: '/v1/search?q=x&limit=0', headers: acme })).statusCode, 400);
    const now = Date.now();
    assert.equal((await t.app.inject({ method: 'GET', url: `/v1/search/analytics/popular?from=${now - 60_000}&to=${now}`, headers: acme })).statusCode, 200);
  });

  it('refills continuously: one search every 60/N seconds, a burst of at most N', async () => {
    const q = new LocalSearchQuota(60);
    const t0 = 1_000_000;
    let passed = 0;
    for (let i = 0; i < 100; i++) {
      if ((await q.take('a', t0)) === 0) {
        passed++;
      }
    }
    assert.equal(passed, 60);
    assert.equal(await q.take('a', t0), 1);
    assert.equal(await q.take('a', t0 + 1000), 0, 'one a second at 60 a minute');
    assert.equal(await q.take('a', t0 + 1000), 1);
    assert.equal(await q.take('b', t0), 0, 'per tenant');
    assert.equal(await new LocalSearchQuota(0).take('a'), 0, '0 disables');
    const slow = new LocalSearchQuota(2);
    await slow.take('a', t0);
    await slow.take('a', t0);
    assert.equal(await slow.take('a', t0), 30, 'Retry-After: 60/N seconds for the next token');
  });

  it('is shared by every instance on the PostgreSQL server: two limiters on two pools pass N searches a minute together', async (ctx) => {
    const server = await serverDatabase();
    if (typeof server === 'string') {
      return ctx.skip(server);
    }
    const dbs = [await openMetadataDb({ databaseUrl: server.url, dataDir: tempDir() }), await openMetadataDb({ databaseUrl: server.url, dataDir: tempDir() })];
    try {
      await migratePostgres(dbs[0]!);
      await migratePostgres(dbs[1]!);
      const quotas = dbs.map((db) => new SharedSearchQuota(db, 10));
      const waits = await Promise.all(Array.from({ length: 30 }, (_, i) => quotas[i % 2]!.take('acme')));
      assert.equal(waits.filter((w) => w === 0).length, 10, `waits ${JSON.stringify(waits)}`);
      assert.ok(waits.filter((w) => w > 0).every((w) => w >= 1 && w <= 6), JSON.stringify(waits));
      assert.ok((await quotas[0]!.take('acme')) > 0);
      assert.ok((await quotas[1]!.take('acme')) > 0);
      assert.equal(await quotas[1]!.take('globex'), 0, 'per tenant');
      // tokens come back with time on the server's clock: 10 a minute is one every 6 s
      await dbs[0]!.query(`UPDATE search_quota_buckets SET at = at - interval '7 seconds' WHERE tenant_id = 'acme'`);
      assert.equal(await quotas[1]!.take('acme'), 0);
      assert.ok((await quotas[0]!.take('acme')) > 0);
    } finally {
      await Promise.all(dbs.map((db) => db.close()));
      await server.drop();
    }
  });
});
