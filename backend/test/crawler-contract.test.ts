/**
 * One contract suite, two sources (CONVENTIONS.md: "one contract suite, two engines"): the same demo platform
 * data is served over HTTP by the demo platform and stored in PostgreSQL tables, and the same checks run
 * against the CAAS HTTP source and the PostgreSQL source; at the end both must have given the same items.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { CaasHttpSource } from '../src/crawler/caas-http.js';
import { PostgresSource } from '../src/crawler/postgres.js';
import { type CrawlSource, ENTITIES, type Entity } from '../src/crawler/source.js';
import { startDemoPlatform, type DemoPlatform } from '../src/demo/caas-platform/index.js';
import { serverDatabase } from './pg-server.js';

const TENANTS = ['acme', 'globex'];
type Row = Record<string, unknown> & { id: string; updated_at: number; tenant_id: string };

async function crawl(src: CrawlSource, entity: Entity, tenant: string, updatedSince = 0, limit = 5): Promise<Row[]> {
  const out: Row[] = [];
  let cursor: string | null = null;
  do {
    const p: Awaited<ReturnType<CrawlSource['page']>> = await src.page(entity, tenant, { updatedSince, cursor, limit });
    assert.deepEqual(p.rejected, [], `${src.name} ${entity}: nothing rejected`);
    assert.ok(p.items.length <= limit);
    out.push(...(p.items as unknown as Row[]));
    cursor = p.nextCursor;
  } while (cursor);
  return out;
}
async function crawlDeleted(src: CrawlSource, entity: Entity, tenant: string, since = 0) {
  const out: Array<{ id: string; deleted_at: number }> = [];
  let cursor: string | null = null;
  do {
    const p: Awaited<ReturnType<CrawlSource['deleted']>> = await src.deleted(entity, tenant, { since, cursor, limit: 3 });
    out.push(...p.items);
    cursor = p.nextCursor;
  } while (cursor);
  return out;
}

const db = await serverDatabase();
let platform: DemoPlatform;
const sources: Array<{ label: string; make: () => Promise<CrawlSource> }> = [
  { label: 'CAAS HTTP source', make: async () => new CaasHttpSource({ baseUrl: platform.url, requestsPerSecond: 1000, burst: 100 }) },
];
let admin: pg.Client | null = null;
if (typeof db === 'string') {
  console.log(`# PostgreSQL source skipped: ${db}`);
} else {
  sources.push({ label: 'PostgreSQL source', make: async () => new PostgresSource({ connectionString: db.url, deletionsTable: { table: 'deletions' } }) });
}
const seen = new Map<string, Map<string, Row[]>>();

before(async () => {
  platform = await startDemoPlatform({ seed: 21, tenants: TENANTS, messagesPerTenant: 80 });
  if (typeof db === 'string') return;
  admin = new pg.Client({ connectionString: db.url });
  await admin.connect();
  await admin.query(`
    CREATE TABLE messages (id text PRIMARY KEY, tenant_id text, conversation_id text, sender_id text, type text, text text,
      created_at timestamptz, updated_at timestamptz, deleted_at timestamptz);
    CREATE TABLE files (id text PRIMARY KEY, tenant_id text, conversation_id text, uploader_id text, name text, mime text, size bigint,
      download_url text, created_at bigint, updated_at bigint);
    CREATE TABLE users (id text PRIMARY KEY, tenant_id text, name text, handle text, created_at bigint, updated_at bigint);
    CREATE TABLE conversations (id text PRIMARY KEY, tenant_id text, title text, kind text, member_ids jsonb, created_at timestamptz, updated_at timestamptz);
    CREATE TABLE deletions (entity text, id text, tenant_id text, deleted_at timestamptz);
  `);
  const ts = (ms: number) => new Date(ms).toISOString();
  for (const [tenant, t] of platform.data.tenants) {
    for (const m of t.messages.values()) {
      await admin.query('INSERT INTO messages VALUES ($1,$2,$3,$4,$5,$6,$7,$8,NULL)', [m.id, tenant, m.conversation_id, m.sender_id, m.type, m.text, ts(m.created_at), ts(m.updated_at)]);
    }
    for (const d of t.deleted.messages) await admin.query(`INSERT INTO messages VALUES ($1,$2,'c','u','text','',$3,$3,$3)`, [d.id, tenant, ts(d.deleted_at)]);
    for (const f of t.files.values()) {
      const url = `${platform.url}/files/${encodeURIComponent(f.id)}/download`;
      await admin.query('INSERT INTO files VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)', [f.id, tenant, f.conversation_id, f.uploader_id, f.name, f.mime, f.size, url, f.created_at, f.updated_at]);
    }
    for (const d of t.deleted.files) await admin.query(`INSERT INTO deletions VALUES ('files',$1,$2,$3)`, [d.id, tenant, ts(d.deleted_at)]);
    for (const u of t.users.values()) await admin.query('INSERT INTO users VALUES ($1,$2,$3,$4,$5,$6)', [u.id, tenant, u.name, u.handle, u.created_at, u.updated_at]);
    for (const c of t.conversations.values()) {
      await admin.query('INSERT INTO conversations VALUES ($1,$2,$3,$4,$5,$6,$7)', [c.id, tenant, c.title, c.kind, JSON.stringify(c.member_ids), ts(c.created_at), ts(c.updated_at)]);
    }
  }
});
after(async () => {
  await admin?.end();
  if (typeof db !== 'string') await db.drop();
  await platform.close();
});

for (const s of sources) {
  describe(s.label, () => {
    let src: CrawlSource;
    before(async () => {
      src = await s.make();
      seen.set(s.label, new Map());
    });
    after(async () => src.close());

    test('every entity of every tenant: each item once, ordered by (updated_at, id), only that tenant', async () => {
      for (const tenant of TENANTS) {
        const t = platform.data.tenants.get(tenant)!;
        for (const entity of ENTITIES) {
          const items = await crawl(src, entity, tenant);
          seen.get(s.label)!.set(`${tenant}/${entity}`, items);
          assert.deepEqual(items.map((i) => i.id).sort(), [...(t[entity] as Map<string, unknown>).keys()].sort(), `${tenant}/${entity}`);
          for (let i = 1; i < items.length; i++) {
            const a = items[i - 1]!;
            const b = items[i]!;
            assert.ok(a.updated_at < b.updated_at || (a.updated_at === b.updated_at && a.id < b.id), `${entity} ordered at ${i}`);
          }
          assert.ok(items.every((i) => i.tenant_id === tenant));
        }
      }
    });

    test('updated_since gives exactly the items changed since', async () => {
      const all = await crawl(src, 'messages', 'acme', 0, 100);
      for (const pivot of [all[0]!.updated_at, all[Math.floor(all.length / 3)]!.updated_at, all[all.length - 1]!.updated_at, all[all.length - 1]!.updated_at + 1]) {
        const later = await crawl(src, 'messages', 'acme', pivot, 4);
        assert.deepEqual(later.map((i) => i.id), all.filter((i) => i.updated_at >= pivot).map((i) => i.id), `since ${pivot}`);
      }
    });

    test('the deletions feeds', async () => {
      for (const tenant of TENANTS) {
        const t = platform.data.tenants.get(tenant)!;
        for (const entity of ENTITIES) {
          const del = await crawlDeleted(src, entity, tenant);
          const expected = [...t.deleted[entity]].sort((a, b) => a.deleted_at - b.deleted_at || (a.id < b.id ? -1 : 1));
          assert.deepEqual(del, expected, `${tenant}/${entity}`);
        }
      }
    });

    test('files download through the source', async () => {
      const files = await crawl(src, 'files', 'globex', 0, 50);
      const txt = files.find((f) => f.name === 'offsite-notes.txt')!;
      const got = await src.fetchFile(String(txt.download_url), { maxBytes: 100_000 });
      assert.equal(got.bytes.length, txt.size);
    });
  });
}

test('both sources gave the same items', { skip: sources.length < 2 ? 'only one source (no PostgreSQL server)' : false }, () => {
  const [a, b] = [...seen.values()];
  assert.ok(a && b && a.size > 0 && a.size === b.size);
  for (const [key, items] of a) assert.deepEqual(b.get(key), items, key);
});
