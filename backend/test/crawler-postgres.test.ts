/**
 * The PostgreSQL source against real platform tables on the PostgreSQL server (a fresh database): the demo
 * platform's data loaded into tables of several shapes (timestamptz and epoch-ms times, text and bigint ids,
 * renamed columns, text[] and jsonb members), keyset paging across equal updated_at, soft deletes and a
 * deletions table, a statement timeout, readable configuration errors.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { PostgresSource } from '../src/crawler/postgres.js';
import { type CrawlSource, type Entity, SourceError } from '../src/crawler/source.js';
import { generatePlatform, type TenantData } from '../src/demo/caas-platform/index.js';
import { serverDatabase } from './pg-server.js';

const db = await serverDatabase();
const skip = typeof db === 'string' ? db : false;
if (skip) console.log(`# skipped: ${skip}`);

async function crawlAll(src: CrawlSource, entity: Entity, tenant: string, updatedSince = 0, limit = 4) {
  const items: Array<Record<string, unknown> & { id: string; updated_at: number }> = [];
  let cursor: string | null = null;
  do {
    const p: Awaited<ReturnType<CrawlSource['page']>> = await src.page(entity, tenant, { updatedSince, cursor, limit });
    assert.deepEqual(p.rejected, []);
    items.push(...(p.items as unknown as typeof items));
    cursor = p.nextCursor;
  } while (cursor);
  return items;
}
async function deletedAll(src: CrawlSource, entity: Entity, tenant: string, since = 0) {
  const items: Array<{ id: string; deleted_at: number }> = [];
  let cursor: string | null = null;
  do {
    const p: Awaited<ReturnType<CrawlSource['deleted']>> = await src.deleted(entity, tenant, { since, cursor, limit: 2 });
    items.push(...p.items);
    cursor = p.nextCursor;
  } while (cursor);
  return items;
}
const ordered = (items: Array<{ updated_at: number; id: string }>, numericIds = false) => {
  for (let i = 1; i < items.length; i++) {
    const a = items[i - 1]!;
    const b = items[i]!;
    const idLess = numericIds ? Number(a.id) < Number(b.id) : a.id < b.id;
    assert.ok(a.updated_at < b.updated_at || (a.updated_at === b.updated_at && idLess), `ordered at ${i}`);
  }
};

describe('PostgreSQL source', { skip }, () => {
  if (typeof db === 'string') return;
  let admin: pg.Client;
  let acme: TenantData;
  let src: PostgresSource;
  const tsz = (ms: number) => new Date(ms).toISOString();

  before(async () => {
    admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    const data = await generatePlatform({ seed: 11, tenants: ['acme', 'globex'], messagesPerTenant: 60 });
    acme = data.tenants.get('acme')!;
    // messages: timestamptz times, text ids, a soft-delete column
    // files: epoch-ms bigint times, deletions in a separate table
    // users: the platform's own names for table and columns
    // conversations: members as text[]
    await admin.query(`
      CREATE TABLE messages (id text PRIMARY KEY, tenant_id text NOT NULL, conversation_id text NOT NULL, sender_id text NOT NULL,
        type text NOT NULL, text text NOT NULL, created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL, deleted_at timestamptz);
      CREATE INDEX ON messages (tenant_id, updated_at, id);
      CREATE TABLE files (id text PRIMARY KEY, tenant_id text, conversation_id text, uploader_id text, name text, mime text, size bigint,
        download_url text, created_at bigint, updated_at bigint);
      CREATE TABLE platform_users (uid text PRIMARY KEY, org text, display_name text, username text, created_at timestamptz, modified_at timestamptz);
      CREATE TABLE conversations (id text PRIMARY KEY, tenant_id text, title text, kind text, member_ids text[], created_at timestamptz, updated_at timestamptz);
      CREATE TABLE deletions (entity text, id text, tenant_id text, deleted_at bigint);
    `);
    for (const [tenant, t] of data.tenants) {
      for (const m of t.messages.values()) {
        await admin.query('INSERT INTO messages VALUES ($1,$2,$3,$4,$5,$6,$7,$8,NULL)', [m.id, tenant, m.conversation_id, m.sender_id, m.type, m.text, tsz(m.created_at), tsz(m.updated_at)]);
      }
      for (const d of t.deleted.messages) {
        // soft-deleted rows stay in the table with deleted_at set
        await admin.query("INSERT INTO messages VALUES ($1,$2,'cnv','usr','text','(deleted)',$3,$3,$3)", [d.id, tenant, tsz(d.deleted_at)]);
      }
      for (const f of t.files.values()) {
        await admin.query('INSERT INTO files VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)', [f.id, tenant, f.conversation_id, f.uploader_id, f.name, f.mime, f.size, `http://127.0.0.1:9/files/${f.id}`, f.created_at, f.updated_at]);
      }
      for (const d of t.deleted.files) await admin.query("INSERT INTO deletions VALUES ('files',$1,$2,$3)", [d.id, tenant, d.deleted_at]);
      for (const u of t.users.values()) {
        await admin.query('INSERT INTO platform_users VALUES ($1,$2,$3,$4,$5,$6)', [u.id, tenant, u.name, u.handle, tsz(u.created_at), tsz(u.updated_at)]);
      }
      for (const c of t.conversations.values()) {
        await admin.query('INSERT INTO conversations VALUES ($1,$2,$3,$4,$5,$6,$7)', [c.id, tenant, c.title, c.kind, c.member_ids, tsz(c.created_at), tsz(c.updated_at)]);
      }
    }
    src = new PostgresSource({
      connectionString: db.url,
      tables: {
        users: { table: 'platform_users', columns: { id: 'uid', tenant_id: 'org', name: 'display_name', handle: 'username', updated_at: 'modified_at' } },
      },
      deletionsTable: { table: 'deletions' },
    });
  });
  after(async () => {
    await src?.close();
    await admin?.end();
    await db.drop();
  });

  test('pages every entity of a tenant: every item once, ordered, with the contract fields', async () => {
    for (const entity of ['messages', 'files', 'users', 'conversations'] as const) {
      const items = await crawlAll(src, entity, 'acme');
      const expected = [...(acme[entity] as Map<string, unknown>).keys()].sort();
      assert.deepEqual(items.map((i) => i.id).sort(), expected, `${entity}: every live item once`);
      ordered(items);
      for (const it of items) assert.deepEqual(it, (acme[entity] as Map<string, object>).get(it.id) && { ...(acme[entity] as Map<string, object>).get(it.id)!, ...(entity === 'files' ? { download_url: it.download_url } : {}) });
    }
  });

  test('keyset paging across many rows with the same updated_at (timestamptz with microseconds, and bigint ids)', async () => {
    await admin.query(`CREATE TABLE ties (id bigint PRIMARY KEY, tenant_id text, name text, handle text, created_at timestamptz, updated_at timestamptz)`);
    // 30 rows in the same microsecond, 10 more one microsecond later (a millisecond cursor would lose them)
    await admin.query(`INSERT INTO ties SELECT g, 'acme', 'User ' || g, 'u' || g, '2026-01-01T00:00:00.000100Z', '2026-01-01T00:00:00.000100Z' FROM generate_series(1, 30) g`);
    await admin.query(`INSERT INTO ties SELECT g, 'acme', 'User ' || g, 'u' || g, '2026-01-01T00:00:00.000100Z', '2026-01-01T00:00:00.000101Z' FROM generate_series(31, 40) g`);
    const ties = new PostgresSource({ connectionString: db.url, tables: { users: { table: 'ties' } } });
    try {
      for (const limit of [1, 3, 7, 40]) {
        const items = await crawlAll(ties, 'users', 'acme', 0, limit);
        assert.equal(items.length, 40, `limit ${limit}: ${items.map((i) => i.id).join(",")}`);
        assert.equal(new Set(items.map((i) => i.id)).size, 40);
        assert.deepEqual(items.map((i) => Number(i.id)), Array.from({ length: 40 }, (_, i) => i + 1), 'ordered by (updated_at, numeric id)');
      }
      assert.equal((await crawlAll(ties, 'users', 'acme', Date.UTC(2026, 0, 1, 0, 0, 0, 1))).length, 0, 'updated_since is in ms');
    } finally {
      await ties.close();
    }
  });

  test('updated_since returns only later changes', async () => {
    const all = await crawlAll(src, 'messages', 'acme');
    const pivot = all[Math.floor(all.length / 2)]!.updated_at;
    const later = await crawlAll(src, 'messages', 'acme', pivot, 5);
    assert.deepEqual(later.map((i) => i.id), all.filter((i) => i.updated_at >= pivot).map((i) => i.id));
    // an edit in the platform shows up after the last crawl's high-water mark
    const edited = all[0]!;
    const at = Math.max(...all.map((i) => i.updated_at)) + 5000;
    await admin.query('UPDATE messages SET text = $2, updated_at = $3 WHERE id = $1', [edited.id, 'Did you receive the new message?', tsz(at)]);
    const since = await crawlAll(src, 'messages', 'acme', at);
    assert.deepEqual(since.map((i) => [i.id, i.text]), [[edited.id, 'Did you receive the new message?']]);
  });

  test('deletions: a soft-delete column and a deletions table; soft-deleted rows leave the items', async () => {
    const softDeleted = await deletedAll(src, 'messages', 'acme');
    assert.deepEqual(softDeleted.map((d) => d.id).sort(), acme.deleted.messages.map((d) => d.id).sort());
    for (let i = 1; i < softDeleted.length; i++) assert.ok(softDeleted[i - 1]!.deleted_at <= softDeleted[i]!.deleted_at);
    const live = new Set((await crawlAll(src, 'messages', 'acme', 0, 50)).map((i) => i.id));
    for (const d of softDeleted) assert.ok(!live.has(d.id));
    assert.deepEqual(await deletedAll(src, 'files', 'acme'), acme.deleted.files);
    const since = acme.deleted.messages[acme.deleted.messages.length - 1]!.deleted_at;
    assert.deepEqual((await deletedAll(src, 'messages', 'acme', since)).map((d) => d.id), [acme.deleted.messages[acme.deleted.messages.length - 1]!.id]);
    assert.deepEqual(await deletedAll(src, 'users', 'acme'), [], 'no deletions for users');
    // another tenant's deletions stay theirs
    const globex = await deletedAll(src, 'messages', 'globex');
    assert.ok(globex.every((d) => !softDeleted.some((x) => x.id === d.id)));
  });

  test('a row that breaks the contract is rejected with its reason, the rest of the page goes on', async () => {
    await admin.query(`INSERT INTO conversations VALUES ('cnv_bad', 'acme', 'Bad', 'channel', '{}', now(), now())`);
    const p = await src.page('conversations', 'acme', { updatedSince: Date.now() - 60_000, limit: 10 });
    assert.equal(p.items.length, 0);
    assert.equal(p.rejected.length, 1);
    assert.equal(p.rejected[0]!.id, 'cnv_bad');
    assert.match(p.rejected[0]!.reason, /kind must be "direct" or "group", got "channel"/);
    await admin.query(`DELETE FROM conversations WHERE id = 'cnv_bad'`);
  });

  test('download_url paths are resolved against files.baseUrl; without it such rows are rejected, saying why', async () => {
    await admin.query(`CREATE TABLE files_rel AS SELECT id, tenant_id, conversation_id, uploader_id, name, mime, size, 'blobs/' || id AS download_url, created_at, updated_at FROM files`);
    const withBase = new PostgresSource({ connectionString: db.url, tables: { files: { table: 'files_rel' } }, files: { baseUrl: 'https://cdn.example.com/acme/' } });
    const items = await crawlAll(withBase, 'files', 'acme', 0, 3);
    assert.equal(items.length, acme.files.size);
    for (const f of items) assert.equal(f.download_url, `https://cdn.example.com/acme/blobs/${f.id}`);
    await withBase.close();
    const without = new PostgresSource({ connectionString: db.url, tables: { files: { table: 'files_rel' } } });
    const p = await without.page('files', 'acme', { updatedSince: 0, limit: 100 });
    assert.equal(p.items.length, 0);
    assert.equal(p.rejected.length, acme.files.size);
    assert.match(p.rejected[0]!.reason, /download_url is not a URL: "blobs\//);
    await without.close();
  });

  test('configuration mistakes, a slow table and the own metadata database are reported plainly', async () => {
    const wrong = new PostgresSource({ connectionString: db.url, tables: { users: { table: 'no_such_table' } } });
    await assert.rejects(wrong.page('users', 'acme', { updatedSince: 0, limit: 5 }), (e: SourceError) => e.kind === 'invalid' && /has no table public\.no_such_table/.test(e.message));
    await assert.rejects(wrong.page('users', 'acme', { updatedSince: 0, limit: 5 }), /no_such_table/, 'a failed plan is not cached: the message stays');
    await wrong.close();
    const col = new PostgresSource({ connectionString: db.url, tables: { users: { table: 'platform_users' } } });
    await assert.rejects(col.page('users', 'acme', { updatedSince: 0, limit: 5 }), (e: SourceError) => /has no column id for users\.id \(set tables\.users\.columns\.id\)/.test(e.message));
    await col.close();

    await admin.query(`CREATE VIEW slow_users AS SELECT * FROM platform_users WHERE pg_sleep(0.5)::text = ''`);
    const slow = new PostgresSource({
      connectionString: db.url,
      statementTimeoutMs: 200,
      tables: { users: { table: 'slow_users', columns: { id: 'uid', tenant_id: 'org', name: 'display_name', handle: 'username', updated_at: 'modified_at' } } },
    });
    const t0 = Date.now();
    await assert.rejects(slow.page('users', 'acme', { updatedSince: 0, limit: 5 }), (e: SourceError) => e.kind === 'timeout' && e.retryable && /statement timeout \(200 ms\)/.test(e.message));
    assert.ok(Date.now() - t0 < 3000);
    await slow.close();

    // the source's connections are read-only
    const pool = (src as unknown as { pool: pg.Pool }).pool;
    await assert.rejects(pool.query(`DELETE FROM messages`), /read-only/);

    assert.throws(() => new PostgresSource({ connectionString: db.url, refuseSameAs: db.url }), /Observatory's own metadata database/);
    const bad = new PostgresSource({ connectionString: 'postgres://postgres@127.0.0.1:1/x', statementTimeoutMs: 2000 });
    await assert.rejects(bad.page('users', 'acme', { updatedSince: 0, limit: 5 }), (e: SourceError) => e.kind === 'network' && /could not be reached/.test(e.message));
    await bad.close();
  });
});
