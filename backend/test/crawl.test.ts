import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { CRAWL_KIND, CRAWL_SWEEP_KIND } from '../src/crawler/jobs.js';
import { ENTITIES, type Entity } from '../src/crawler/source.js';
import { startDemoPlatform, type DemoPlatform } from '../src/demo/caas-platform/index.js';
import type { SearchQuery } from '../src/search/types.js';
import { createKey, createTenant, startApp, type TestApp } from './helpers.js';
import { waitFor } from './jobs-support.js';

/**
 * The crawler end to end (issue "Crawler and search", items 2, 3 and 6) on a real backend (embedded
 * ClickHouse, PGlite, the PostgreSQL search engine) with the demo CAAS platform as the source, through
 * POST /v1/sources, POST /v1/crawls and GET /v1/jobs/:id.
 */
const TOKEN = 'demo-source-secret-token-7f3a9c';
let t: TestApp;
let platform: DemoPlatform;
const keys: Record<string, string> = {};
const as = (k: string) => ({ authorization: `Bearer ${keys[k]}` });

interface JobBody {
  id: string;
  state: string;
  attempts: number;
  progress: { done: number; total: number | null; message: string | null };
  last_error: string | null;
  log: Array<{ message: string; level: string }>;
}

async function jobDone(id: string): Promise<JobBody> {
  return waitFor(`crawl job ${id} finished`, 90_000, async () => {
    const r = await t.app.inject({ method: 'GET', url: `/v1/jobs/${id}`, headers: t.admin });
    const j = r.json() as JobBody;
    return ['succeeded', 'failed', 'cancelled'].includes(j.state) ? j : undefined;
  });
}

async function crawl(body: Record<string, unknown>): Promise<JobBody> {
  const r = await t.app.inject({ method: 'POST', url: '/v1/crawls', headers: t.admin, payload: { source_id: 'demo', batch_size: 25, ...body } });
  assert.equal(r.statusCode, 202, r.body);
  const j = await jobDone((r.json() as { job_id: string }).job_id);
  assert.equal(j.state, 'succeeded', `${JSON.stringify(body)}: ${j.last_error} ${JSON.stringify(j.log)}`);
  return j;
}

const search = (tenant: string, q: SearchQuery) => t.svc.search.search(tenant, { limit: 100, ...q });
const ids = async (tenant: string, q: SearchQuery) => (await search(tenant, q)).hits.map((h) => h.id);
const ascii = (s: string) => /^[\x20-\x7e]+$/.test(s);
/** a quoted phrase of the first words of a text */
const phrase = (s: string) => `"${s.split(/\s+/).slice(0, 6).join(' ').replace(/["]/g, '')}"`;

function errorOf(res: LightMyRequestResponse): { code: string; message: string } {
  const body = res.json() as { error?: { code: string; message: string } };
  assert.ok(body.error?.code && body.error.message, `an error body: ${res.body}`);
  return body.error;
}

before(async () => {
  platform = await startDemoPlatform({ seed: 11, tenants: ['acme', 'globex'], token: TOKEN, messagesPerTenant: 120 });
  t = await startApp({ JOBS_POLL_MS: '20', JOBS_BACKOFF_BASE_MS: '50', TENANT_RATE_LIMIT: '0' });
  await createTenant(t, 'acme');
  await createTenant(t, 'globex');
  keys.viewer = await createKey(t, undefined, 'viewer');
  keys.acmeAdmin = await createKey(t, 'acme', 'tenant-admin');
});
after(async () => {
  await t?.close();
  await platform?.close();
});

describe('sources API', () => {
  it('registers a source without ever echoing its token; only admins write', async () => {
    const body = { id: 'demo', kind: 'caas_http', url: platform.url, token: TOKEN, rate_limit_per_s: 200 };
    for (const who of ['viewer', 'acmeAdmin']) {
      const r = await t.app.inject({ method: 'POST', url: '/v1/sources', headers: as(who), payload: body });
      assert.equal(r.statusCode, 403, `${who}: ${r.body}`);
    }
    const r = await t.app.inject({ method: 'POST', url: '/v1/sources', headers: t.admin, payload: body });
    assert.equal(r.statusCode, 201, r.body);
    assert.ok(!r.body.includes(TOKEN), 'the token is not in the answer');
    const s = r.json() as { token: { set: boolean }; connection_string: { set: boolean }; url: string };
    assert.deepEqual(s.token, { set: true });
    assert.deepEqual(s.connection_string, { set: false });
    const again = await t.app.inject({ method: 'POST', url: '/v1/sources', headers: t.admin, payload: body });
    assert.equal(again.statusCode, 409);
    const list = await t.app.inject({ method: 'GET', url: '/v1/sources', headers: as('viewer') });
    assert.equal(list.statusCode, 200);
    assert.ok(!list.body.includes(TOKEN));
    assert.equal((list.json() as { sources: unknown[] }).sources.length, 1);
    const tenantRead = await t.app.inject({ method: 'GET', url: '/v1/sources', headers: as('acmeAdmin') });
    assert.equal(tenantRead.statusCode, 403, 'a tenant key does not see sources that span tenants');

    // a postgres source: its connection string (with a password) is never echoed either
    const pgBody = { id: 'pg1', kind: 'postgres', connection_string: 'postgres://crawler:hunter2-secret@db.example:5432/caas' };
    const pg = await t.app.inject({ method: 'POST', url: '/v1/sources', headers: t.admin, payload: pgBody });
    assert.equal(pg.statusCode, 201, pg.body);
    assert.ok(!pg.body.includes('hunter2-secret'));
    assert.deepEqual((pg.json() as { connection_string: unknown }).connection_string, { set: true });
    const del = await t.app.inject({ method: 'DELETE', url: '/v1/sources/pg1', headers: as('viewer') });
    assert.equal(del.statusCode, 403);
    assert.equal((await t.app.inject({ method: 'DELETE', url: '/v1/sources/pg1', headers: t.admin })).statusCode, 204);
    assert.equal((await t.app.inject({ method: 'DELETE', url: '/v1/sources/pg1', headers: t.admin })).statusCode, 404);
  });

  it('answers bad input with a 4xx that says what to change', async () => {
    const bad: Array<[Record<string, unknown>, number]> = [
      [{ id: 'x', kind: 'caas_http' }, 400],
      [{ id: 'x', kind: 'caas_http', url: 'ftp://example.com/' }, 400],
      [{ id: 'x', kind: 'caas_http', url: 'not a url' }, 400],
      [{ id: 'x', kind: 'postgres' }, 400],
      [{ id: 'x', kind: 'postgres', connection_string: 'postgres://a@b/c', token: 't' }, 400],
      [{ id: 'X Y', kind: 'caas_http', url: 'http://a/' }, 400],
      [{ id: 'x', kind: 'ftp', url: 'http://a/' }, 400],
      [{ id: 'x', kind: 'caas_http', url: 'http://a/', rate_limit_per_s: 0 }, 400],
      [{ id: 'x', kind: 'caas_http', url: 'http://a/', incremental_cron: 'every minute' }, 400],
    ];
    for (const [payload, status] of bad) {
      const r = await t.app.inject({ method: 'POST', url: '/v1/sources', headers: t.admin, payload });
      assert.equal(r.statusCode, status, `${JSON.stringify(payload)}: ${r.body}`);
      errorOf(r);
    }
    const crawls: Array<[Record<string, unknown>, number]> = [
      [{ source_id: 'nope', type: 'incremental', entity: 'messages', tenant_id: 'acme', batch_size: 10 }, 404],
      [{ source_id: 'demo', type: 'incremental', entity: 'messages', tenant_id: 'nobody', batch_size: 10 }, 404],
      [{ source_id: 'demo', type: 'sideways', entity: 'messages', tenant_id: 'acme', batch_size: 10 }, 400],
      [{ source_id: 'demo', type: 'incremental', entity: 'events', tenant_id: 'acme', batch_size: 10 }, 400],
      [{ source_id: 'demo', type: 'incremental', entity: 'messages', tenant_id: 'acme', batch_size: 0 }, 400],
      [{ source_id: 'demo', type: 'incremental', entity: 'messages', tenant_id: 'acme' }, 400],
      [{ source_id: 'demo', type: 'full_reindex', entity: 'messages', tenant_id: 'acme', batch_size: 10, from_timestamp: 5 }, 400],
    ];
    for (const [payload, status] of crawls) {
      const r = await t.app.inject({ method: 'POST', url: '/v1/crawls', headers: t.admin, payload });
      assert.equal(r.statusCode, status, `${JSON.stringify(payload)}: ${r.body}`);
      errorOf(r);
    }
    const r = await t.app.inject({ method: 'POST', url: '/v1/crawls', headers: as('viewer'), payload: crawls[0]![0] });
    assert.equal(r.statusCode, 403);
  });

  it('never answers a 5xx to any body (fast-check)', async () => {
    const value = fc.oneof(fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 3 }));
    const sourceBody = fc.record(
      {
        id: fc.oneof(fc.constantFrom('p1', 'demo', ''), fc.string()),
        kind: fc.oneof(fc.constantFrom('caas_http', 'postgres'), value),
        url: fc.oneof(fc.constantFrom('http://127.0.0.1:1/x', 'https://a.b/', 'javascript:alert(1)', 'http://[::1'), value),
        connection_string: fc.oneof(fc.constantFrom('postgres://u:p@h/d', 'host=x user=y', ''), value),
        token: value,
        rate_limit_per_s: value,
        incremental_cron: fc.oneof(fc.constantFrom('* * * * *', '61 * * * *'), value),
      },
      { requiredKeys: [] }
    );
    const crawlBody = fc.record(
      {
        source_id: fc.oneof(fc.constantFrom('demo', 'zz'), value),
        type: fc.oneof(fc.constantFrom('full_reindex', 'incremental', 'deleted'), value),
        entity: fc.oneof(fc.constantFrom(...ENTITIES), value),
        tenant_id: fc.oneof(fc.constantFrom('nobody', 'ACME'), value),
        from_timestamp: value,
        batch_size: fc.oneof(fc.integer({ min: -5, max: 5000 }), value),
      },
      { requiredKeys: [] }
    );
    await fc.assert(
      fc.asyncProperty(sourceBody, crawlBody, async (s, c) => {
        const r1 = await t.app.inject({ method: 'POST', url: '/v1/sources', headers: t.admin, payload: s });
        assert.ok(r1.statusCode < 500, `${JSON.stringify(s)} → ${r1.statusCode} ${r1.body}`);
        if (r1.statusCode === 201) {
          assert.equal((await t.app.inject({ method: 'DELETE', url: `/v1/sources/${encodeURIComponent(String(s.id))}`, headers: t.admin })).statusCode, 204);
        }
        const r2 = await t.app.inject({ method: 'POST', url: '/v1/crawls', headers: t.admin, payload: c });
        assert.ok(r2.statusCode < 500 && r2.statusCode !== 202, `${JSON.stringify(c)} → ${r2.statusCode} ${r2.body}`);
      }),
      { numRuns: 150 }
    );
    const odd = await t.app.inject({ method: 'DELETE', url: `/v1/sources/${encodeURIComponent('%00\u0000é'.repeat(3))}`, headers: t.admin });
    assert.ok(odd.statusCode >= 400 && odd.statusCode < 500, odd.body);
  });
});

describe('crawls', () => {
  it('a full reindex of every entity makes the seeded words searchable; tenant B sees none of A', async () => {
    const acme = platform.data.tenants.get('acme')!;
    for (const entity of ENTITIES) {
      const j = await crawl({ type: 'full_reindex', entity, tenant_id: 'acme' });
      assert.ok(j.progress.message?.startsWith('done:'), j.progress.message ?? '');
    }
    const msg = [...acme.messages.values()].find((m) => ascii(m.text) && m.text.split(' ').length >= 4)!;
    assert.ok((await ids('acme', { q: phrase(msg.text), entities: ['messages'] })).includes(msg.id), `message ${msg.id} "${msg.text}"`);
    const user = [...acme.users.values()].find((u) => ascii(u.name))!;
    assert.ok((await ids('acme', { q: user.name, entities: ['users'] })).includes(user.id));
    const conv = [...acme.conversations.values()].find((c) => ascii(c.title) && c.title.length > 3)!;
    assert.ok((await ids('acme', { q: phrase(conv.title), entities: ['conversations'] })).includes(conv.id));
    const counts: Record<string, number> = {};
    for (const entity of ENTITIES) {
      counts[entity] = (await search('acme', { q: '', entities: [entity] })).total;
      assert.equal(counts[entity], acme[entity].size, `${entity}: every item indexed once`);
    }
    // tenant isolation: globex has no document, and acme's words find nothing there
    assert.equal((await search('globex', { q: '' })).total, 0);
    assert.deepEqual(await ids('globex', { q: phrase(msg.text) }), []);
    // the job payloads hold the source id, never its token
    const rows = await t.svc.db.query<{ payload: unknown }>('SELECT payload FROM jobs WHERE kind = $1', [CRAWL_KIND]);
    assert.ok(rows.length >= 4);
    assert.ok(!JSON.stringify(rows).includes(TOKEN));
    assert.ok(!t.logs.lines.some((l) => l.includes(TOKEN)), 'the token is in no log line');
  });

  it("files: a PDF's and a DOCX's text are found; the corrupt PDF is indexed by name with its error", async () => {
    const acme = platform.data.tenants.get('acme')!;
    const files = [...acme.files.values()];
    for (const ext of ['.pdf', '.docx']) {
      const f = files.find((x) => x.name.endsWith(ext) && acme.blobs.get(x.id)?.text && ascii(acme.blobs.get(x.id)!.text!.split('\n')[1] ?? ''))!;
      assert.ok(f, `a readable ${ext} in the demo data`);
      const sentence = acme.blobs.get(f.id)!.text!.split('\n')[1]!;
      const hits = (await search('acme', { q: phrase(sentence), entities: ['files'] })).hits;
      assert.ok(hits.some((h) => h.id === f.id), `${f.name}: "${sentence}" → ${hits.map((h) => h.id).join(', ')}`);
    }
    const corrupt = files.find((x) => x.name === 'scan-0042.pdf')!;
    const found = await search('acme', { q: 'scan-0042', entities: ['files'] });
    const hit = found.hits.find((h) => h.id === corrupt.id);
    assert.ok(hit, 'the corrupt PDF is found by its name');
    const doc = hit.doc as { extract_error?: string | null; name: string };
    assert.equal(doc.name, 'scan-0042.pdf');
    assert.ok(doc.extract_error && doc.extract_error.length > 5, `its error is shown: ${doc.extract_error}`);
  });

  it('incremental picks up new and edited messages; the deleted crawl removes deletions', async () => {
    const acme = platform.data.tenants.get('acme')!;
    const before = (await search('acme', { q: '', entities: ['messages'] })).total;
    const changed = platform.tick(Date.now());
    const created = changed.created.filter((id) => id.startsWith('msg_acme'));
    const edited = changed.edited.filter((id) => acme.messages.has(id));
    const deleted = changed.deleted.filter((id) => id.startsWith('msg_acme') || !acme.messages.has(id));
    const j = await crawl({ type: 'incremental', entity: 'messages', tenant_id: 'acme' });
    assert.equal(j.progress.done, created.length + edited.length, j.progress.message ?? '');
    for (const id of [...created, ...edited]) {
      const m = acme.messages.get(id)!;
      const hit = (await search('acme', { q: phrase(m.text), entities: ['messages'] })).hits.find((h) => h.id === id);
      if (ascii(m.text)) assert.ok(hit, `${id} "${m.text}" is found`);
      const [row] = await t.svc.db.query<{ doc: { text: string } }>(
        "SELECT d.doc FROM search_docs d JOIN search_generations g USING (tenant_id, entity) WHERE d.tenant_id = 'acme' AND d.entity = 'messages' AND d.generation = g.live AND d.id = $1",
        [id]
      );
      assert.equal(row?.doc.text, m.text, `${id} has its new text`);
    }
    assert.ok(deleted.length > 0);
    const gone = deleted[0]!;
    assert.equal((await search('acme', { q: '', entities: ['messages'], limit: 100 })).total, before + created.length);
    await crawl({ type: 'deleted', entity: 'messages', tenant_id: 'acme' });
    const after = (await search('acme', { q: '', entities: ['messages'] })).total;
    assert.equal(after, acme.messages.size, 'the index holds what the source holds');
    const [row] = await t.svc.db.query("SELECT 1 FROM search_docs WHERE tenant_id = 'acme' AND entity = 'messages' AND id = $1", [gone]);
    assert.equal(row, undefined, `${gone} is gone`);
  });

  it('a full reindex queried continuously never answers an empty or partial window', async () => {
    const expected = (await search('acme', { q: '', entities: ['messages'] })).total;
    assert.ok(expected > 50);
    const r = await t.app.inject({
      method: 'POST',
      url: '/v1/crawls',
      headers: t.admin,
      payload: { source_id: 'demo', type: 'full_reindex', entity: 'messages', tenant_id: 'acme', batch_size: 5 },
    });
    assert.equal(r.statusCode, 202);
    const id = (r.json() as { job_id: string }).job_id;
    const seen: number[] = [];
    const t0 = Date.now();
    for (;;) {
      assert.ok(Date.now() - t0 < 90_000, 'the reindex finished within 90 s');
      await new Promise((r) => setTimeout(r, 5));
      const total = (await search('acme', { q: '', entities: ['messages'] })).total;
      seen.push(total);
      const j = (await t.app.inject({ method: 'GET', url: `/v1/jobs/${id}`, headers: t.admin })).json() as JobBody;
      if (['succeeded', 'failed', 'cancelled'].includes(j.state)) {
        assert.equal(j.state, 'succeeded', j.last_error ?? '');
        break;
      }
    }
    assert.ok(seen.length >= 5, `queried ${seen.length} times during the reindex`);
    assert.deepEqual([...new Set(seen)], [expected], 'every answer saw the whole index');
  });

  it('a crawl that dies between a batch and its cursor resumes without loss or duplicates', async () => {
    const globex = platform.data.tenants.get('globex')!;
    const cursors = t.svc.crawler.cursors;
    const original = cursors.commitBatch.bind(cursors);
    let commits = 0;
    const upserted: string[] = [];
    const upsert = t.svc.search.upsert.bind(t.svc.search);
    t.svc.search.upsert = (async (entity: Entity, tenant: string, docs: Array<{ id: string }>) => {
      if (tenant === 'globex') upserted.push(...docs.map((d) => d.id));
      return upsert(entity, tenant, docs as never);
    }) as typeof t.svc.search.upsert;
    cursors.commitBatch = async (...args) => {
      if (++commits === 3) throw new Error('simulated crash: the process died before the cursor was written');
      return original(...args);
    };
    try {
      const j = await crawl({ type: 'incremental', entity: 'messages', tenant_id: 'globex', batch_size: 10 });
      assert.equal(j.attempts, 2, 'the second attempt resumed');
    } finally {
      cursors.commitBatch = original;
      t.svc.search.upsert = upsert;
    }
    const total = (await search('globex', { q: '', entities: ['messages'] })).total;
    assert.equal(total, globex.messages.size, 'every message indexed, none twice');
    const twice = upserted.filter((id, i) => upserted.indexOf(id) !== i);
    assert.ok(twice.length <= 10, `at most the one uncommitted batch was read again (${twice.length})`);
    assert.equal(upserted.length, globex.messages.size + twice.length);
    const c = await cursors.get('demo', 'messages', 'globex');
    const newest = [...globex.messages.values()].sort((a, b) => a.updated_at - b.updated_at || (a.id < b.id ? -1 : 1)).at(-1)!;
    assert.equal(c?.updated_at, newest.updated_at);
    // and acme is untouched by globex's crawl
    assert.equal((await search('acme', { q: '', entities: ['messages'] })).total, platform.data.tenants.get('acme')!.messages.size);
  });

  it('one crawl at a time per (source, entity, tenant)', async () => {
    const body = { source_id: 'demo', type: 'full_reindex', entity: 'users', tenant_id: 'globex', batch_size: 1 };
    const a = await t.app.inject({ method: 'POST', url: '/v1/crawls', headers: t.admin, payload: body });
    const b = await t.app.inject({ method: 'POST', url: '/v1/crawls', headers: t.admin, payload: body });
    const c = await t.app.inject({ method: 'POST', url: '/v1/crawls', headers: t.admin, payload: { ...body, type: 'incremental' } });
    assert.equal(a.statusCode, 202);
    assert.equal(b.statusCode, 202);
    assert.equal((b.json() as { job_id: string }).job_id, (a.json() as { job_id: string }).job_id, 'the same crawl answers the running job');
    if (c.statusCode !== 202) {
      assert.equal(c.statusCode, 409, c.body);
      assert.equal(errorOf(c).code, 'crawl_running');
    }
    await jobDone((a.json() as { job_id: string }).job_id);
  });

  it("a source's schedules queue an incremental and a deletion crawl for every (entity, tenant) it has a cursor for", async () => {
    const schedules = (await t.app.inject({ method: 'GET', url: '/v1/schedules', headers: t.admin })).json() as { schedules: Array<{ name: string; kind: string }> };
    const names = schedules.schedules.filter((s) => s.kind === CRAWL_SWEEP_KIND).map((s) => s.name).sort();
    assert.deepEqual(names, ['crawl:demo:deleted', 'crawl:demo:incremental']);
    const cursors = await t.svc.crawler.cursors.list({ source: 'demo' });
    assert.ok(cursors.length >= 6, `cursors: ${cursors.length}`);
    for (const type of ['incremental', 'deleted'] as const) {
      const since = new Date();
      const sweep = await t.svc.jobs.enqueue({ kind: CRAWL_SWEEP_KIND, payload: { source_id: 'demo', type } });
      const j = await jobDone(sweep.id);
      assert.equal(j.state, 'succeeded', j.last_error ?? '');
      const queued = await t.svc.db.query<{ id: string; tenant_id: string; entity: string }>(
        "SELECT id::text AS id, tenant_id, payload->>'entity' AS entity FROM jobs WHERE kind = $1 AND created_at >= $2 AND payload->>'type' = $3",
        [CRAWL_KIND, since.toISOString(), type]
      );
      assert.deepEqual(queued.map((q) => `${q.entity}/${q.tenant_id}`).sort(), cursors.map((c) => `${c.entity}/${c.tenant_id}`).sort());
      for (const q of queued) assert.equal((await jobDone(q.id)).state, 'succeeded');
    }
    // a firing while another type of crawl waits for one (entity, tenant): the others are queued, that one skipped
    const waiting = await t.svc.jobs.enqueue({
      kind: CRAWL_KIND,
      payload: { source_id: 'demo', type: 'full_reindex', entity: 'users', tenant_id: 'globex', batch_size: 10 },
      tenantId: 'globex',
      dedupKey: 'demo/users/globex',
      runAfter: Date.now() + 600_000,
    });
    try {
      const sweep = await t.svc.jobs.enqueue({ kind: CRAWL_SWEEP_KIND, payload: { source_id: 'demo', type: 'incremental' } });
      const j = await jobDone(sweep.id);
      assert.equal(j.state, 'succeeded', j.last_error ?? '');
      assert.ok(j.log.some((l) => l.message.includes('1 (entity, tenant) pair(s) skipped')), JSON.stringify(j.log));
    } finally {
      await t.svc.jobs.cancel(waiting.id, null);
    }
  });

  it('a source that refuses the token fails the crawl at once, saying so; the cursor shows the error', async () => {
    const r = await t.app.inject({ method: 'POST', url: '/v1/sources', headers: t.admin, payload: { id: 'badtoken', kind: 'caas_http', url: platform.url, token: 'wrong-token' } });
    assert.equal(r.statusCode, 201, r.body);
    const c = await t.app.inject({ method: 'POST', url: '/v1/crawls', headers: t.admin, payload: { source_id: 'badtoken', type: 'incremental', entity: 'users', tenant_id: 'acme', batch_size: 10 } });
    assert.equal(c.statusCode, 202, c.body);
    const j = await jobDone((c.json() as { job_id: string }).job_id);
    assert.equal(j.state, 'failed');
    assert.equal(j.attempts, 1, 'not retried: a person has to change the token');
    assert.match(j.last_error ?? '', /token/i);
    assert.ok(!(j.last_error ?? '').includes('wrong-token'));
    const src = (await t.app.inject({ method: 'GET', url: '/v1/sources/badtoken', headers: t.admin })).json() as { cursors: Array<{ last_error: string | null }> };
    assert.match(src.cursors[0]?.last_error ?? '', /token/i);
    assert.equal((await t.app.inject({ method: 'DELETE', url: '/v1/sources/badtoken', headers: t.admin })).statusCode, 204);
  });

  it('a full reindex that fails midway leaves the old index live; its retry builds a fresh one', async () => {
    const acme = platform.data.tenants.get('acme')!;
    const expected = (await search('acme', { q: '', entities: ['messages'] })).total;
    let failed = false;
    const seen: number[] = [];
    t.svc.crawler.afterBatch = async (p, n) => {
      if (p.type === 'full_reindex' && p.tenant_id === 'acme' && n === 3 && !failed) {
        failed = true;
        seen.push((await search('acme', { q: '', entities: ['messages'] })).total);
        throw new Error('simulated failure in the middle of a full reindex');
      }
    };
    try {
      const j = await crawl({ type: 'full_reindex', entity: 'messages', tenant_id: 'acme', batch_size: 10 });
      assert.equal(j.attempts, 2);
    } finally {
      t.svc.crawler.afterBatch = undefined;
    }
    assert.deepEqual(seen, [expected], 'while the failed attempt ran, search answered from the old index');
    assert.equal((await search('acme', { q: '', entities: ['messages'] })).total, acme.messages.size);
    const [g] = await t.svc.db.query<{ building: string | null }>("SELECT building FROM search_generations WHERE tenant_id = 'acme' AND entity = 'messages'");
    assert.equal(g?.building, null, 'no unfinished generation is left');
    const [n] = await t.svc.db.query<{ n: number }>("SELECT count(*)::int AS n FROM search_docs WHERE tenant_id = 'acme' AND entity = 'messages'");
    assert.equal(n?.n, acme.messages.size, 'the failed attempt left no rows behind');
  });
});
