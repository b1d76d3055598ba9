import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { searchRecorder } from '../src/http/routes/search.js';
import { normaliseQuery } from '../src/search/analytics.js';
import type { ConversationDoc, FileDoc, MessageDoc, UserDoc } from '../src/search/types.js';
import { createKey, createTenant, drained, startApp, type TestApp } from './helpers.js';
import { encodeSegment, endpointText } from './hostile/arbitraries.js';

/**
 * The search API (issue "Crawler and search", items 4 and 5) on a real backend (PGlite full text,
 * embedded ClickHouse): the contract's shape, tenant scoping by the key, sort and paging, search
 * analytics through ingestion into ClickHouse and back (routes and the search_analytics kind), and
 * hostile input (fast-check, fixed seeds, bounded). The quota has its own file (search-api-quota).
 *
 *   cd backend && node --import tsx --test test/search-api.test.ts
 */

const VIEWER_KEY = 'test-viewer-key-0123456789abcdef';
const T0 = Date.UTC(2026, 0, 10);
const DAY = 86_400_000;
const A = 'acme';
const B = 'globex';

let t: TestApp;
let acmeKey: string;
let globexKey: string;

const msg = (tenant: string, id: string, text: string, o: Partial<MessageDoc> = {}): MessageDoc => ({
  id,
  tenant_id: tenant,
  conversation_id: 'c1',
  sender_id: 'u1',
  type: 'text',
  text,
  created_at: T0,
  updated_at: T0,
  ...o,
});

async function index(): Promise<void> {
  const s = t.svc.search;
  await s.upsert('messages', A, [
    msg(A, 'm1', 'The quarterly budget report is ready', { created_at: T0 - 3 * DAY }),
    msg(A, 'm2', 'Budget meeting moved to Friday', { conversation_id: 'c2', sender_id: 'u2', created_at: T0 - 2 * DAY }),
    msg(A, 'm3', 'Look at this picture of the office', { type: 'image', created_at: T0 - DAY }),
    msg(A, 'm4', 'Lunch on Friday?', { conversation_id: 'c2', sender_id: 'u2', created_at: T0 }),
  ]);
  const file: FileDoc = {
    id: 'f1',
    tenant_id: A,
    conversation_id: 'c1',
    uploader_id: 'u2',
    name: 'budget-2026.pdf',
    mime: 'application/pdf',
    size: 1234,
    download_url: 'https://files.example/f1',
    created_at: T0 - 4 * DAY,
    updated_at: T0 - 4 * DAY,
    content: 'Annual budget plan for the finance team',
  };
  await s.upsert('files', A, [file]);
  const user: UserDoc = { id: 'u1', tenant_id: A, name: 'Alice Smith', handle: 'alice', created_at: T0 - 10 * DAY, updated_at: T0 - 10 * DAY };
  await s.upsert('users', A, [user]);
  const conv: ConversationDoc = { id: 'c1', tenant_id: A, title: 'Finance budget team', kind: 'group', member_ids: ['u1', 'u2'], created_at: T0 - 9 * DAY, updated_at: T0 - 9 * DAY };
  await s.upsert('conversations', A, [conv]);
  await s.upsert('messages', B, [
    msg(B, 'g1', 'Globex secret budget zanzibar', { created_at: T0 - DAY }),
    msg(B, 'g2', 'Zanzibar launch plan', { conversation_id: 'c1', sender_id: 'u1', created_at: T0 }),
  ]);
}

type Answer = {
  total: number;
  hits: Array<{ entity: string; id: string; score: number; highlights: Record<string, string>; doc: Record<string, unknown> }>;
  facets: { entity: Record<string, number>; type: Record<string, number> };
};

async function get(url: string, key: string | { authorization: string }) {
  const headers = typeof key === 'string' ? { authorization: `Bearer ${key}` } : key;
  return t.app.inject({ method: 'GET', url, headers });
}

before(async () => {
  t = await startApp({ CAAS_VIEWER_KEY: VIEWER_KEY, SEARCH_QUERIES_PER_MINUTE: '1000000' });
  await createTenant(t, A);
  await createTenant(t, B);
  acmeKey = await createKey(t, A, 'tenant-viewer');
  globexKey = await createKey(t, B, 'tenant-admin');
  await index();
});
after(async () => {
  await t?.close();
});

describe('search API', () => {
  it('answers the contract: total, hits with entity, id, score, highlights and doc, facets per entity and type', async () => {
    const r = await get(`/v1/search?q=budget&tenant_id=${A}`, t.admin);
    assert.equal(r.statusCode, 200, r.body);
    const a = r.json() as Answer;
    assert.deepEqual(Object.keys(a).sort(), ['facets', 'hits', 'total']);
    const ids = a.hits.map((h) => `${h.entity}/${h.id}`).sort();
    assert.deepEqual(ids, ['conversations/c1', 'files/f1', 'messages/m1', 'messages/m2']);
    assert.equal(a.total, 4);
    for (const h of a.hits) {
      const keys = ['doc', 'entity', 'highlights', 'id', 'score'];
      // messages and files carry their conversation and sender when those are indexed (c1 and u1 are; c2 and u2 not)
      assert.deepEqual(Object.keys(h).sort(), 'context' in h ? [...keys, 'context'].sort() : keys);
      assert.equal(typeof h.score, 'number');
      assert.equal(h.doc.tenant_id, A);
      assert.equal(h.doc.id, h.id);
      const marked = Object.values(h.highlights).join(' ');
      assert.match(marked, /<mark>budget<\/mark>/i, `${h.entity}/${h.id} highlights ${JSON.stringify(h.highlights)}`);
    }
    const m1 = a.hits.find((h) => h.id === 'm1');
    assert.equal(m1?.highlights.text, 'The quarterly <mark>budget</mark> report is ready');
    assert.deepEqual(a.facets.entity, { messages: 2, files: 1, users: 0, conversations: 1 });
    assert.equal(a.facets.type.text, 2);
    assert.equal(a.facets.type['application/pdf'], 1);
    assert.equal(a.facets.type.group, 1);
  });

  it('gives message and file hits their conversation and sender by name, from the same tenant only', async () => {
    type WithContext = Answer['hits'][number] & { context?: { conversation?: { title: string }; sender?: { name: string; handle: string } } };
    const a = (await get(`/v1/search?q=budget&tenant_id=${A}`, t.admin)).json() as { hits: WithContext[] };
    const byId = new Map(a.hits.map((h) => [h.id, h]));
    assert.deepEqual(byId.get('m1')?.context, {
      conversation: { id: 'c1', title: 'Finance budget team', kind: 'group' },
      sender: { id: 'u1', name: 'Alice Smith', handle: 'alice' },
    });
    // m2 is in c2 by u2, neither indexed: no context, the ids stay in doc
    assert.deepEqual(byId.get('m2')?.context, {});
    assert.equal(byId.get('m2')?.doc.sender_id, 'u2');
    // f1 is in c1, uploaded by u2 (not indexed)
    assert.deepEqual(byId.get('f1')?.context, { conversation: { id: 'c1', title: 'Finance budget team', kind: 'group' } });
    assert.equal(byId.get('c1')?.context, undefined);
    // globex's g2 names c1 and u1 too: acme's c1 and u1 must not be shown for it
    const g = (await get(`/v1/search?q=zanzibar&tenant_id=${B}`, t.admin)).json() as { hits: WithContext[] };
    const g2 = g.hits.find((h) => h.id === 'g2');
    assert.deepEqual(g2?.context, {});
    // users are found by their own id with sender_id
    const u = (await get(`/v1/search?tenant_id=${A}&entities=users&sender_id=u1`, t.admin)).json() as Answer;
    assert.deepEqual(u.hits.map((h) => h.id), ['u1']);
  });

  it('takes the tenant from the key: admin and viewer keys must name it, tenant keys get their own and 403 for another', async () => {
    const noTenant = await get('/v1/search?q=budget', t.admin);
    assert.equal(noTenant.statusCode, 400);
    assert.equal((noTenant.json() as { error: { code: string } }).error.code, 'tenant_required');
    assert.equal((await get('/v1/search?q=budget', VIEWER_KEY)).statusCode, 400);
    const viewer = await get(`/v1/search?q=zanzibar&tenant_id=${B}`, VIEWER_KEY);
    assert.equal(viewer.statusCode, 200);
    assert.deepEqual((viewer.json() as Answer).hits.map((h) => h.id).sort(), ['g1', 'g2']);

    const own = await get('/v1/search?q=budget', acmeKey);
    assert.equal(own.statusCode, 200);
    assert.ok((own.json() as Answer).hits.every((h) => h.doc.tenant_id === A));
    assert.equal((await get(`/v1/search?q=budget&tenant_id=${A}`, acmeKey)).statusCode, 200);
    const other = await get(`/v1/search?q=zanzibar&tenant_id=${B}`, acmeKey);
    assert.equal(other.statusCode, 403, other.body);
    const otherPost = await t.app.inject({ method: 'POST', url: '/v1/search', headers: { authorization: `Bearer ${acmeKey}` }, payload: { q: 'zanzibar', tenant_id: B } });
    assert.equal(otherPost.statusCode, 403);
    const none = await get('/v1/search?q=zanzibar', acmeKey);
    assert.equal((none.json() as Answer).total, 0);
    // the globex key sees its own
    assert.equal(((await get('/v1/search?q=zanzibar', globexKey)).json() as Answer).total, 2);
    assert.equal((await get('/v1/search?q=budget', 'not-a-key')).statusCode, 401);
  });

  it('never shows another tenant\'s documents, whatever q and the filters hold (fast-check)', async () => {
    const words = ['budget', 'zanzibar', 'globex', 'Globex', 'tenant_id', "' OR 1=1 --", '" OR tenant_id:globex', '*', 'g1', 'c1', 'u1', 'text'];
    const text = endpointText(words);
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(
        text,
        fc.option(fc.array(text, { maxLength: 3 }), { nil: undefined }),
        fc.option(fc.array(text, { maxLength: 3 }), { nil: undefined }),
        fc.option(fc.array(text, { maxLength: 3 }), { nil: undefined }),
        fc.constantFrom('GET', 'POST'),
        async (q, conv, sender, type, method) => {
          runs++;
          const r =
            method === 'GET'
              ? await get(
                  `/v1/search?q=${encodeSegment(q)}${conv ? `&conversation_id=${encodeSegment(conv.join(','))}` : ''}${sender ? `&sender_id=${encodeSegment(sender.join(','))}` : ''}${type ? `&type=${encodeSegment(type.join(','))}` : ''}`,
                  acmeKey
                )
              : await t.app.inject({
                  method: 'POST',
                  url: '/v1/search',
                  headers: { authorization: `Bearer ${acmeKey}` },
                  payload: { q: q.toWellFormed(), conversation_id: conv?.map((s) => s.toWellFormed()), sender_id: sender?.map((s) => s.toWellFormed()), type: type?.map((s) => s.toWellFormed()) },
                });
          assert.ok(r.statusCode === 200 || (r.statusCode >= 400 && r.statusCode < 500), `${r.statusCode} ${r.body}`);
          if (r.statusCode === 200) {
            const a = r.json() as Answer;
            for (const h of a.hits) {
              assert.equal(h.doc.tenant_id, A, `q=${JSON.stringify(q)} showed ${h.entity}/${h.id} of ${String(h.doc.tenant_id)}`);
              assert.ok(!['g1', 'g2'].includes(h.id) || h.entity !== 'messages');
            }
          }
        }
      ),
      { seed: 4242, numRuns: 120, interruptAfterTimeLimit: 60_000 }
    );
    assert.ok(runs >= 50, `${runs} runs`);
    console.log(`# tenant isolation: ${runs} generated searches`);
  });

  it('sorts by time or relevance and pages through the matches', async () => {
    const byTime = (await get(`/v1/search?tenant_id=${A}&entities=messages&sort=time`, t.admin)).json() as Answer;
    assert.deepEqual(byTime.hits.map((h) => h.id), ['m4', 'm3', 'm2', 'm1']);
    const p1 = (await get(`/v1/search?tenant_id=${A}&entities=messages&sort=time&limit=3&page=1`, t.admin)).json() as Answer;
    const p2 = (await get(`/v1/search?tenant_id=${A}&entities=messages&sort=time&limit=3&page=2`, t.admin)).json() as Answer;
    assert.deepEqual(p1.hits.map((h) => h.id), ['m4', 'm3', 'm2']);
    assert.deepEqual(p2.hits.map((h) => h.id), ['m1']);
    assert.equal(p1.total, 4);
    assert.equal(p2.total, 4);
    const p9 = (await get(`/v1/search?tenant_id=${A}&entities=messages&limit=3&page=9`, t.admin)).json() as Answer;
    assert.deepEqual(p9.hits, []);
    assert.equal(p9.total, 4);

    const rel = (await get(`/v1/search?tenant_id=${A}&q=budget&entities=messages,files&sort=relevance`, t.admin)).json() as Answer;
    const scores = rel.hits.map((h) => h.score);
    assert.deepEqual(scores, [...scores].sort((x, y) => y - x), 'relevance: best first');
    const relTime = (await get(`/v1/search?tenant_id=${A}&q=budget&entities=messages,files&sort=time`, t.admin)).json() as Answer;
    assert.deepEqual(relTime.hits.map((h) => h.id), ['m2', 'm1', 'f1']);
  });

  it('filters by conversation, sender, type and date range (GET lists and the POST body)', async () => {
    const ids = async (qs: string) => ((await get(`/v1/search?tenant_id=${A}&entities=messages&sort=time${qs}`, t.admin)).json() as Answer).hits.map((h) => h.id);
    assert.deepEqual(await ids('&conversation_id=c2'), ['m4', 'm2']);
    assert.deepEqual(await ids('&sender_id=u1'), ['m3', 'm1']);
    assert.deepEqual(await ids('&type=image'), ['m3']);
    assert.deepEqual(await ids('&type=image,text&conversation_id=c1'), ['m3', 'm1']);
    assert.deepEqual(await ids(`&from=${T0 - 2 * DAY}&to=${T0}`), ['m3', 'm2']);
    assert.deepEqual(await ids(`&from=${new Date(T0 - DAY).toISOString().slice(0, 10)}`), ['m4', 'm3']);
    const post = await t.app.inject({
      method: 'POST',
      url: '/v1/search',
      headers: t.admin,
      payload: { tenant_id: A, q: 'friday', entities: ['messages'], conversation_id: ['c2', ...Array.from({ length: 99 }, (_, i) => `conv-${i}`)], sort: 'time', from: T0 - 10 * DAY, to: new Date(T0 + DAY).toISOString() },
    });
    assert.equal(post.statusCode, 200, post.body);
    assert.deepEqual((post.json() as Answer).hits.map((h) => h.id), ['m4', 'm2']);
    const bad = await get(`/v1/search?tenant_id=${A}&entities=messages,emails`, t.admin);
    assert.equal(bad.statusCode, 400);
    assert.match(bad.body, /emails.*is not an entity/);
    assert.equal((await get(`/v1/search?tenant_id=${A}&from=${T0}&to=${T0 - DAY}`, t.admin)).statusCode, 400);
    assert.equal((await get(`/v1/search?tenant_id=${A}&limit=101`, t.admin)).statusCode, 400);
    assert.equal((await get(`/v1/search?tenant_id=${A}&page=0`, t.admin)).statusCode, 400);
    assert.equal((await get(`/v1/search?tenant_id=${A}&sort=random`, t.admin)).statusCode, 400);
  });

  it('normalises recorded queries: trimmed, lower-cased, whitespace collapsed, capped', () => {
    assert.equal(normaliseQuery('  Budget \t\n  REPORT  '), 'budget report');
    assert.equal(normaliseQuery(''), '');
    assert.equal(Array.from(normaliseQuery('é'.repeat(500))).length, 200);
    assert.equal(normaliseQuery('a\ud800b'), 'a\ufffdb');
  });

  it('records every search as a search_query event in ClickHouse; popular, zero-results and latency answer them per tenant', async () => {
    const searches: Array<[string, string]> = [
      ['  BUDGET  ', acmeKey],
      ['budget', acmeKey],
      ['Budget', t.admin.authorization.slice(7)],
      ['friday', acmeKey],
      ['nothingmatches', acmeKey],
      ['NothingMatches ', acmeKey],
      ['zanzibar', globexKey],
      ['zanzibar', globexKey],
      ['zanzibar', globexKey],
      ['zanzibar', globexKey],
    ];
    // only this test's searches: the earlier ones are recorded before t0
    await searchRecorder(t.svc).idle();
    await new Promise((r) => setTimeout(r, 5));
    const t0 = Date.now();
    for (const [q, key] of searches) {
      const tenant = key === t.admin.authorization.slice(7) ? `&tenant_id=${A}` : '';
      const r = await get(`/v1/search?q=${encodeURIComponent(q)}&page=1${tenant}`, key);
      assert.equal(r.statusCode, 200);
    }
    await searchRecorder(t.svc).idle();
    await drained(t.svc);
    const rows = await t.svc.store.query<{ q: string; results: string; page: string; entities: string; latency_ms: string; user_id: string }>(
      `SELECT properties['q'] AS q, properties['results'] AS results, properties['page'] AS page, properties['entities'] AS entities, properties['latency_ms'] AS latency_ms, user_id
       FROM events WHERE tenant_id = {t:String} AND type = 'search_query' AND timestamp >= fromUnixTimestamp64Milli({from:Int64}) ORDER BY timestamp`,
      { t: A, from: t0 }
    );
    assert.equal(rows.length, 6, JSON.stringify(rows));
    assert.deepEqual(rows.map((r) => r.q), ['budget', 'budget', 'budget', 'friday', 'nothingmatches', 'nothingmatches']);
    assert.deepEqual(rows.map((r) => Number(r.results)), [4, 4, 4, 2, 0, 0]);
    assert.ok(rows.every((r) => r.page === '1' && r.entities === 'messages,files,users,conversations' && Number(r.latency_ms) >= 0));
    assert.ok(rows[0]?.user_id.startsWith('key_'), rows[0]?.user_id);
    assert.equal(rows[2]?.user_id, 'key_bootstrap_admin');

    const range = `from=${t0}&to=${Date.now() + 60_000}`;
    const pop = await get(`/v1/search/analytics/popular?tenant_id=${A}&${range}`, t.admin);
    assert.equal(pop.statusCode, 200, pop.body);
    const popular = (pop.json() as { queries: Array<{ q: string; searches: number; users: number; avg_results: number; zero_results: number }> }).queries;
    assert.deepEqual(popular, [
      { q: 'budget', searches: 3, users: 2, avg_results: 4, zero_results: 0 },
      { q: 'nothingmatches', searches: 2, users: 1, avg_results: 0, zero_results: 2 },
      { q: 'friday', searches: 1, users: 1, avg_results: 2, zero_results: 0 },
    ]);
    const limited = (await get(`/v1/search/analytics/popular?${range}&limit=1`, acmeKey)).json() as { queries: unknown[] };
    assert.equal(limited.queries.length, 1);
    assert.equal((await get(`/v1/search/analytics/popular?tenant_id=${B}&${range}`, acmeKey)).statusCode, 403);
    const globex = (await get(`/v1/search/analytics/popular?${range}`, globexKey)).json() as { queries: Array<{ q: string; searches: number }> };
    assert.deepEqual(globex.queries.map((q) => [q.q, q.searches]), [['zanzibar', 4]]);

    const zero = (await get(`/v1/search/analytics/zero-results?tenant_id=${A}&${range}`, t.admin)).json() as { queries: Array<{ q: string; searches: number; last_at: number }> };
    assert.deepEqual(zero.queries.map((q) => [q.q, q.searches]), [['nothingmatches', 2]]);
    assert.ok(zero.queries[0]!.last_at >= t0 && zero.queries[0]!.last_at <= Date.now());

    const lat = await get(`/v1/search/analytics/latency?tenant_id=${A}&${range}&granularity=minute`, t.admin);
    assert.equal(lat.statusCode, 200, lat.body);
    const l = lat.json() as { granularity: string; summary: { searches: number; p50_ms: number; p95_ms: number; max_ms: number }; points: Array<{ time: number; searches: number }> };
    assert.equal(l.granularity, 'minute');
    assert.equal(l.summary.searches, 6);
    assert.ok(l.summary.p50_ms >= 0 && l.summary.p95_ms >= l.summary.p50_ms && l.summary.max_ms >= l.summary.p95_ms, JSON.stringify(l.summary));
    assert.equal(l.points.reduce((n, p) => n + p.searches, 0), 6);
    assert.ok(l.points.length >= 1 && l.points.length <= 3, `${l.points.length} points`);

    // the search_analytics kind answers the same as frames
    const kind = await t.app.inject({ method: 'POST', url: '/v1/analytics/query', headers: { authorization: `Bearer ${acmeKey}` }, payload: { kind: 'search_analytics', from: t0, to: Date.now() + 60_000, granularity: 'minute' } });
    assert.equal(kind.statusCode, 200, kind.body);
    const frames = (kind.json() as { meta: { kind: string }; frames: Array<{ name: string; fields: Array<{ name: string; values: unknown[] }> }> }).frames;
    assert.deepEqual(frames.map((f) => f.name), ['popular queries', 'zero-result queries', 'search latency']);
    assert.deepEqual(frames[0]!.fields.find((f) => f.name === 'query')?.values, ['budget', 'nothingmatches', 'friday']);
    assert.deepEqual(frames[0]!.fields.find((f) => f.name === 'searches')?.values, [3, 2, 1]);
    assert.deepEqual(frames[1]!.fields.find((f) => f.name === 'query')?.values, ['nothingmatches']);
    const volume = frames[2]!.fields.find((f) => f.name === 'searches')!.values as number[];
    assert.equal(volume.reduce((n, v) => n + v, 0), 6);
    assert.deepEqual(frames[2]!.fields.map((f) => f.name), ['time', 'p50', 'p95', 'searches']);
    // filters narrow the search_query events, e.g. to one key's searches; event_types does not apply
    const acmeKeyId = rows[0]!.user_id;
    const byKey = await t.app.inject({
      method: 'POST',
      url: '/v1/analytics/query',
      headers: t.admin,
      payload: { kind: 'search_analytics', tenant_id: A, from: t0, to: Date.now() + 60_000, filters: [{ field: 'user_id', op: '=', value: acmeKeyId }] },
    });
    assert.equal(byKey.statusCode, 200, byKey.body);
    const keyFrames = (byKey.json() as { frames: Array<{ fields: Array<{ name: string; values: unknown[] }> }> }).frames;
    assert.deepEqual(keyFrames[0]!.fields.find((f) => f.name === 'query')?.values, ['budget', 'nothingmatches', 'friday']);
    assert.deepEqual(keyFrames[0]!.fields.find((f) => f.name === 'searches')?.values, [2, 2, 1]);
    const withTypes = await t.app.inject({ method: 'POST', url: '/v1/analytics/query', headers: t.admin, payload: { kind: 'search_analytics', tenant_id: A, from: t0, to: Date.now(), event_types: ['message_sent'] } });
    assert.equal(withTypes.statusCode, 400);
    assert.match(withTypes.body, /event_types/);
    const badKind = await t.app.inject({ method: 'POST', url: '/v1/analytics/query', headers: t.admin, payload: { kind: 'search_analytics', tenant_id: A, from: 0, to: 1, limit: 0 } });
    assert.equal(badKind.statusCode, 400);

    // a range outside the data answers empty, limits are validated
    const old = (await get(`/v1/search/analytics/popular?tenant_id=${A}&from=1900-01-01&to=1900-02-01`, t.admin)).json() as { queries: unknown[] };
    assert.deepEqual(old.queries, []);
    assert.equal((await get(`/v1/search/analytics/popular?tenant_id=${A}&${range}&limit=0`, t.admin)).statusCode, 400);
    assert.equal((await get(`/v1/search/analytics/popular?tenant_id=${A}&${range}&limit=1001`, t.admin)).statusCode, 400);
    assert.equal((await get(`/v1/search/analytics/latency?tenant_id=${A}&from=2020-01-01&to=2026-01-01&granularity=minute`, t.admin)).statusCode, 400);
    assert.equal((await get(`/v1/search/analytics/zero-results?${range}`, t.admin)).statusCode, 400);
  });

  it('never answers a 5xx, whatever any search endpoint is sent (fast-check)', async () => {
    const words = ['budget', 'acme', 'globex', '1700000000000', '2026-01-01', 'messages', 'files,users', 'time', 'relevance', '0', '100', '-1', 'day', 'minute'];
    const text = endpointText(words);
    const now = Date.now();
    const good: Record<string, string[]> = {
      q: ['budget', 'friday', '"budget report"', '-budget', ''],
      tenant_id: ['acme', 'globex'],
      entities: ['messages', 'files,users', 'conversations,messages'],
      conversation_id: ['c1', 'c1,c2'],
      sender_id: ['u1', 'u2'],
      type: ['text', 'image,application/pdf'],
      from: [String(now - 3_600_000), '2026-01-01', new Date(now - 86_400_000).toISOString()],
      to: [String(now + 60_000), new Date(now + 60_000).toISOString()],
      sort: ['relevance', 'time'],
      page: ['1', '2', '1000'],
      limit: ['1', '20', '100'],
      granularity: ['minute', 'hour', 'day', 'week', 'month'],
    };
    const SEARCH = ['q', 'tenant_id', 'entities', 'conversation_id', 'sender_id', 'type', 'from', 'to', 'sort', 'page', 'limit'];
    const ANALYTICS = ['tenant_id', 'from', 'to', 'limit', 'granularity'];
    const paramsOf = (path: string) =>
      fc.uniqueArray(
        fc
          .oneof({ weight: 20, arbitrary: fc.constantFrom(...(path === '/v1/search' ? SEARCH : ANALYTICS)) }, { weight: 1, arbitrary: fc.constantFrom('extra', 'granularity', 'q', '__proto__') })
          .chain((k) => fc.oneof({ weight: 12, arbitrary: fc.constantFrom(...(Object.hasOwn(good, k) ? good[k]! : ['x'])) }, { weight: 1, arbitrary: text }, { weight: 1, arbitrary: fc.integer().map(String) }).map((v): [string, string] => [k, v])),
        { maxLength: 6, selector: ([k]) => k }
      );
    const paths = ['/v1/search', '/v1/search/analytics/popular', '/v1/search/analytics/zero-results', '/v1/search/analytics/latency'];
    const keys = [t.admin.authorization.slice(7), VIEWER_KEY, acmeKey, globexKey];
    const statuses = new Map<number, number>();
    const errorCodes = new Map<string, number>();
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...paths).chain((path) => paramsOf(path).map((qs) => ({ path, qs }))),
        fc.constantFrom(...keys),
        fc.constantFrom('GET', 'POST'),
        fc.option(fc.jsonValue({ maxDepth: 3 }), { nil: undefined }),
        fc.boolean(),
        async ({ path, qs }, key, method, body, valid) => {
          runs++;
          // most requests start valid (tenant and range named), then have fields replaced or added
          const base: Array<[string, string]> = valid ? [['tenant_id', 'acme'], ['from', String(Date.now() - 3_600_000)], ['to', String(Date.now() + 60_000)]] : [];
          qs = [...base.filter(([k]) => !qs.some(([q]) => q === k)), ...qs];
          const query = qs.map(([k, v]) => `${k}=${encodeSegment(v)}`).join('&');
          const post = method === 'POST' && path === '/v1/search';
          const fields = Object.fromEntries(qs.map(([k, v]) => [k, k === 'page' || k === 'limit' || k === 'from' || k === 'to' ? (Number.isFinite(Number(v)) && v !== '' ? Number(v) : v) : k === 'entities' || k === 'conversation_id' || k === 'sender_id' || k === 'type' ? v.split(',') : v.toWellFormed()]));
          const payload = post ? (body !== undefined && typeof body === 'object' && body !== null && !Array.isArray(body) ? { ...body, ...fields } : valid ? fields : body ?? {}) : undefined;
          const r = await t.app.inject({
            method: post ? 'POST' : 'GET',
            url: `${path}${query && !post ? `?${query}` : ''}`,
            headers: { authorization: `Bearer ${key}`, ...(post ? { 'content-type': 'application/json' } : {}) },
            ...(post ? { payload: JSON.stringify(payload ?? null) } : {}),
          });
          statuses.set(r.statusCode, (statuses.get(r.statusCode) ?? 0) + 1);
          assert.ok(r.statusCode < 500, `${method} ${path}?${query} ${JSON.stringify(payload)} → ${r.statusCode} ${r.body}`);
          if (r.statusCode >= 400) {
            const e = r.json() as { error?: { code?: unknown; message?: unknown } };
            assert.equal(typeof e.error?.code, 'string', r.body);
            assert.equal(typeof e.error?.message, 'string', r.body);
            errorCodes.set(String(e.error?.code), (errorCodes.get(String(e.error?.code)) ?? 0) + 1);
          }
        }
      ),
      { seed: 777, numRuns: 300, interruptAfterTimeLimit: 90_000 }
    );
    assert.ok(runs >= 100, `${runs} runs`);
    console.log(`# never a 5xx: ${runs} generated requests, statuses ${JSON.stringify(Object.fromEntries(statuses))}, errors ${JSON.stringify(Object.fromEntries(errorCodes))}`);
    await searchRecorder(t.svc).idle();
    assert.equal((await t.app.inject({ method: 'GET', url: '/health' })).statusCode, 200);
  });
});
