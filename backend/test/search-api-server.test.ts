import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SharedSearchQuota } from '../src/search/quota.js';
import { openMetadataDb } from '../src/store/metadata-db.js';
import { createKey, createTenant, startApp, tempDir, type TestApp } from './helpers.js';
import { serverDatabase } from './pg-server.js';

/**
 * The search API on the PostgreSQL server (DATABASE_URL): PostgreSQL full text there, and the quota
 * in search_quota_buckets, which another instance (a limiter on its own pool) finds spent. Skipped,
 * saying why, when no server answers.
 *
 *   cd backend && node --import tsx --test test/search-api-server.test.ts
 */

let t: TestApp | undefined;
let server: Awaited<ReturnType<typeof serverDatabase>>;

before(async () => {
  server = await serverDatabase();
  if (typeof server !== 'string') {
    t = await startApp({ DATABASE_URL: server.url, SEARCH_QUERIES_PER_MINUTE: '3' });
  }
});
after(async () => {
  await t?.close();
  if (server && typeof server !== 'string') {
    await server.drop();
  }
});

describe('search API on the PostgreSQL server', () => {
  it('searches and spends a quota every instance shares', async (ctx) => {
    if (!t || typeof server === 'string') {
      return ctx.skip(typeof server === 'string' ? server : 'no server');
    }
    await createTenant(t, 'acme');
    const key = await createKey(t, 'acme', 'tenant-viewer');
    await t.svc.search.upsert('messages', 'acme', [
      { id: 'm1', tenant_id: 'acme', conversation_id: 'c1', sender_id: 'u1', type: 'text', text: 'Quarterly budget', created_at: 1_700_000_000_000, updated_at: 1_700_000_000_000 },
    ]);
    const headers = { authorization: `Bearer ${key}` };
    const first = await t.app.inject({ method: 'GET', url: '/v1/search?q=budget', headers });
    assert.equal(first.statusCode, 200, first.body);
    assert.equal((first.json() as { hits: Array<{ highlights: Record<string, string> }> }).hits[0]?.highlights.text, 'Quarterly <mark>budget</mark>');
    // another instance (its own pool on the same server) takes the third search of the minute
    const other = await openMetadataDb({ databaseUrl: server.url, dataDir: tempDir() });
    try {
      assert.equal(await new SharedSearchQuota(other, 3).take('acme'), 0);
      assert.equal((await t.app.inject({ method: 'GET', url: '/v1/search?q=budget', headers })).statusCode, 200);
      const over = await t.app.inject({ method: 'GET', url: '/v1/search?q=budget', headers });
      assert.equal(over.statusCode, 429, over.body);
      assert.ok(Number(over.headers['retry-after']) >= 1);
      assert.ok((await new SharedSearchQuota(other, 3).take('acme')) > 0, 'spent for the other instance too');
    } finally {
      await other.close();
    }
  });
});
