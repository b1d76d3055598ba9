import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { MeiliSearchEngine } from '../src/search/meili-engine.js';

/**
 * What the Meilisearch engine asks of the server, checked against a recording stand-in (the real
 * server's contract suite is in search-engine.test.ts and needs MEILI_URL): searches carry a tenant
 * token signed with the search key (never the master key) whose rules pin tenant_id on every index;
 * user filter values are quoted so they cannot add clauses; a full reindex ends in swapIndexes.
 */
const MASTER = 'master-key-0123456789';
const SEARCH = { key: 'search-key-abcdef0123456789', uid: '6062abda-a5aa-4414-ac91-ecd7944c0f8d' };

interface Rec {
  method: string;
  path: string;
  auth: string;
  body: unknown;
}

function fakeMeili(): Promise<{
  url: string;
  reqs: Rec[];
  docs: Map<string, Map<string, Record<string, unknown>>>;
  server: Server;
}> {
  const reqs: Rec[] = [];
  const docs = new Map<string, Map<string, Record<string, unknown>>>();
  let task = 0;
  const tasks = new Map<number, Record<string, unknown>>();
  const enqueue = (indexUid: string | null, type: string) => {
    const uid = ++task;
    const t = { uid, taskUid: uid, indexUid, status: 'succeeded', type, enqueuedAt: new Date().toISOString() };
    tasks.set(uid, t);
    return { ...t, status: 'enqueued' };
  };
  const read = (req: IncomingMessage) =>
    new Promise<unknown>((res) => {
      let s = '';
      req.on('data', (c) => (s += c));
      req.on('end', () => res(s ? JSON.parse(s) : null));
    });
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const body = await read(req);
    reqs.push({ method: req.method ?? '', path: url.pathname, auth: req.headers.authorization ?? '', body });
    const send = (status: number, v: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(v));
    };
    const p = url.pathname.split('/').filter(Boolean);
    if (p[0] === 'health') return send(200, { status: 'available' });
    if (p[0] === 'tasks') return send(200, tasks.get(Number(p[1])));
    if (p[0] === 'keys' && req.method === 'GET') return send(200, { results: [], offset: 0, limit: 1000, total: 0 });
    if (p[0] === 'keys' && req.method === 'POST')
      return send(201, { ...(body as object), key: SEARCH.key, uid: SEARCH.uid });
    if (p[0] === 'swap-indexes') {
      for (const s of body as Array<{ indexes: [string, string] }>) {
        const [a, b] = s.indexes;
        const x = docs.get(a) ?? new Map();
        docs.set(a, docs.get(b) ?? new Map());
        docs.set(b, x);
      }
      return send(202, enqueue(null, 'indexSwap'));
    }
    if (p[0] === 'multi-search') {
      const claims = JSON.parse(
        Buffer.from((req.headers.authorization ?? '').split('.')[1] ?? '', 'base64url').toString()
      ) as {
        searchRules: Record<string, { filter: string }>;
      };
      const results = (body as { queries: Array<{ indexUid: string; q: string }> }).queries.map((q) => {
        const tenant = /tenant_id = "(.*)"$/.exec(claims.searchRules[q.indexUid]?.filter ?? '')?.[1];
        const hits = [...(docs.get(q.indexUid)?.values() ?? [])]
          .filter((d) => d.tenant_id === tenant && JSON.stringify(d).includes(q.q))
          .map((d) => ({
            ...d,
            _rankingScore: 0.9,
            _formatted: { ...d, text: String(d.text ?? '').replace(q.q, `\uE000${q.q}\uE001`) },
          }));
        return {
          indexUid: q.indexUid,
          hits,
          query: q.q,
          totalHits: hits.length,
          facetDistribution: { type: { text: hits.length } },
        };
      });
      return send(200, { results });
    }
    if (p[0] === 'indexes') {
      const uid = p[1] as string;
      if (p.length === 1 && req.method === 'POST') {
        docs.set((body as { uid: string }).uid, new Map());
        return send(202, enqueue((body as { uid: string }).uid, 'indexCreation'));
      }
      if (p.length === 2 && req.method === 'GET') {
        return docs.has(uid)
          ? send(200, { uid, primaryKey: 'key' })
          : send(404, {
              message: `Index \`${uid}\` not found.`,
              code: 'index_not_found',
              type: 'invalid_request',
              link: '',
            });
      }
      if (p.length === 2 && req.method === 'DELETE') {
        docs.delete(uid);
        return send(202, enqueue(uid, 'indexDeletion'));
      }
      if (p[2] === 'settings') return send(202, enqueue(uid, 'settingsUpdate'));
      if (p[2] === 'documents' && p[3] === 'fetch') {
        const b = body as { filter: string; limit: number; offset: number };
        const not = /^tenant_id != "(.*)"$/.exec(b.filter)?.[1];
        const all = [...(docs.get(uid)?.values() ?? [])].filter((d) => d.tenant_id !== not);
        return send(200, {
          results: all.slice(b.offset, b.offset + b.limit),
          offset: b.offset,
          limit: b.limit,
          total: all.length,
        });
      }
      if (p[2] === 'documents' && p[3] === 'delete-batch') {
        for (const k of body as string[]) docs.get(uid)?.delete(k);
        return send(202, enqueue(uid, 'documentDeletion'));
      }
      if (p[2] === 'documents' && req.method === 'POST') {
        for (const d of body as Array<Record<string, unknown>>) docs.get(uid)?.set(String(d.key), d);
        return send(202, enqueue(uid, 'documentAdditionOrUpdate'));
      }
    }
    send(404, { message: `fake: ${req.method} ${url.pathname}`, code: 'not_found', type: 'invalid_request', link: '' });
  });
  return new Promise((res) =>
    server.listen(0, '127.0.0.1', () =>
      res({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, reqs, docs, server })
    )
  );
}

describe('Meilisearch engine: what it sends', () => {
  let fake: Awaited<ReturnType<typeof fakeMeili>>;
  let engine: MeiliSearchEngine;
  before(async () => {
    fake = await fakeMeili();
    engine = new MeiliSearchEngine({ url: fake.url, adminKey: MASTER, indexPrefix: 't_' });
    await engine.ready();
  });
  after(() => new Promise<void>((res) => fake.server.close(() => res())));

  const m = (tenant: string, id: string, text: string) => ({
    id,
    tenant_id: tenant,
    conversation_id: 'c1',
    sender_id: 'u1',
    type: 'text',
    text,
    created_at: 1,
    updated_at: 1,
  });

  it('creates an index per entity with filterable, sortable, typo and ranking settings, and a search-only key', () => {
    const created = fake.reqs
      .filter((r) => r.method === 'POST' && r.path === '/indexes')
      .map((r) => (r.body as { uid: string }).uid);
    assert.deepEqual(created, ['t_messages', 't_files', 't_users', 't_conversations']);
    const s = fake.reqs.find((r) => r.path === '/indexes/t_messages/settings')?.body as Record<string, unknown>;
    assert.deepEqual(s.filterableAttributes, ['tenant_id', 'conversation_id', 'sender_id', 'type', 'created_at']);
    assert.deepEqual(s.sortableAttributes, ['created_at']);
    assert.deepEqual(s.typoTolerance, { enabled: true, minWordSizeForTypos: { oneTypo: 5, twoTypos: 9 } });
    assert.ok(Array.isArray(s.rankingRules));
    const key = fake.reqs.find((r) => r.path === '/keys' && r.method === 'POST')?.body as {
      actions: string[];
      indexes: string[];
    };
    assert.deepEqual(key.actions, ['search']);
    assert.deepEqual(key.indexes, ['t_*']);
    assert.ok(
      fake.reqs.every((r) => r.auth === `Bearer ${MASTER}`),
      'admin work uses the admin key'
    );
  });

  it('searches with a tenant token signed by the search key that pins the tenant; filter values cannot add clauses', async () => {
    await engine.upsert('messages', 'acme', [m('acme', 'a1', 'hello acme')]);
    await engine.upsert('messages', 'globex', [m('globex', 'g1', 'hello globex')]);
    const n = fake.reqs.length;
    const hostile = 'u1" OR tenant_id = "globex';
    const r = await engine.search('acme', { q: 'hello', entities: ['messages'], filters: { sender_id: [hostile] } });
    const req = fake.reqs.slice(n).find((x) => x.path === '/multi-search') as Rec;
    const token = req.auth.replace(/^Bearer /, '');
    assert.notEqual(token, MASTER);
    const [h, p, sig] = token.split('.') as [string, string, string];
    assert.equal(
      createHmac('sha256', SEARCH.key).update(`${h}.${p}`).digest('base64url'),
      sig,
      'signed with the search key'
    );
    assert.notEqual(createHmac('sha256', MASTER).update(`${h}.${p}`).digest('base64url'), sig);
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as {
      apiKeyUid: string;
      exp: number;
      searchRules: Record<string, { filter: string }>;
    };
    assert.equal(claims.apiKeyUid, SEARCH.uid);
    assert.ok(claims.exp > Date.now() / 1000);
    for (const e of ['messages', 'files', 'users', 'conversations']) {
      assert.deepEqual(claims.searchRules[`t_${e}`], { filter: 'tenant_id = "acme"' });
    }
    const q = (req.body as { queries: Array<{ filter: string[]; matchingStrategy: string }> }).queries[0];
    assert.deepEqual(q?.filter, ['sender_id IN ["u1\\" OR tenant_id = \\"globex"]']);
    assert.equal(q?.matchingStrategy, 'all');
    assert.deepEqual(
      r.hits.map((x) => x.id),
      ['a1']
    );
    assert.equal(r.hits[0]?.highlights.text, '<mark>hello</mark> acme');
    assert.deepEqual(r.hits[0]?.doc, m('acme', 'a1', 'hello acme'));
  });

  it('a full reindex fills a new index and swaps it in; commit deletes the old one', async () => {
    const h = await engine.reindex('messages', 'acme');
    await h.upsert([m('acme', 'a2', 'hello again')]);
    const before = await engine.search('acme', { q: 'hello', entities: ['messages'] });
    assert.deepEqual(
      before.hits.map((x) => x.id),
      ['a1']
    );
    await h.commit();
    const swap = fake.reqs.find((r) => r.path === '/swap-indexes');
    const next = (swap?.body as Array<{ indexes: string[] }>)[0]?.indexes;
    assert.equal(next?.[0], 't_messages');
    assert.match(next?.[1] ?? '', /^t_messages_next_/);
    assert.ok(fake.reqs.some((r) => r.method === 'DELETE' && r.path === `/indexes/${next?.[1]}`));
    const afterSwap = await engine.search('acme', { q: 'hello', entities: ['messages'] });
    assert.deepEqual(
      afterSwap.hits.map((x) => x.id),
      ['a2']
    );
    const other = await engine.search('globex', { q: 'hello', entities: ['messages'] });
    assert.deepEqual(
      other.hits.map((x) => x.id),
      ['g1'],
      "another tenant's documents were copied into the new index"
    );
    const fetch = fake.reqs.find((r) => r.path.endsWith('/documents/fetch'))?.body as { filter: string };
    assert.equal(fetch.filter, 'tenant_id != "acme"');
  });
});
