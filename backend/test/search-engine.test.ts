import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { CaasError } from '../src/errors.js';
import { openMetadataDb } from '../src/store/metadata-db.js';
import { migratePostgres } from '../src/store/pg-migrations.js';
import { PostgresSearchEngine } from '../src/search/postgres-engine.js';
import { MeiliSearchEngine, meiliConfigFromEnv } from '../src/search/meili-engine.js';
import { typoDistance, typoCost, allowedTypos, parseQuery } from '../src/search/common.js';
import type {
  Entity,
  MessageDoc,
  FileDoc,
  UserDoc,
  ConversationDoc,
  SearchEngine,
  SearchQuery,
  SearchResult,
} from '../src/search/types.js';
import { LONE_SURROGATES, SQLISH, CONTROL, UNICODE, hostileString } from './hostile/arbitraries.js';
import { tempDir } from './helpers.js';
import { serverDatabase } from './pg-server.js';

/**
 * The search engine contract (issue "Crawler and search", backend item 1; CONVENTIONS.md "One
 * contract suite, two engines"): one suite over the SearchEngine interface, run against PostgreSQL
 * full text on PGlite, on the PostgreSQL server (skipped, saying why, when none answers) and
 * Meilisearch (skipped, saying why, unless MEILI_URL answers).
 */

type Factory = () => Promise<{ engine: SearchEngine; cleanup: () => Promise<void> } | string>;

const T0 = Date.UTC(2026, 10, 1);
const MIN = 60_000;
const A = 'acme';
const B = 'globex';

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

/** Only a 4xx-class domain error is acceptable for bad input; anything else would be a 5xx. */
async function safeSearch(engine: SearchEngine, tenant: string, q: SearchQuery): Promise<SearchResult | null> {
  try {
    return await engine.search(tenant, q);
  } catch (e) {
    assert.ok(
      e instanceof CaasError && e.kind === 'invalid',
      `a 4xx-class error, got ${(e as Error)?.stack ?? String(e)}`
    );
    return null;
  }
}

const ids = (r: SearchResult) => r.hits.map((h) => h.id);
const sorted = (r: SearchResult) => ids(r).sort();

function contract(name: string, factory: Factory) {
  describe(name, () => {
    let engine: SearchEngine;
    let cleanup = async () => undefined as void;
    let skip: string | undefined;
    before(async () => {
      const r = await factory();
      if (typeof r === 'string') {
        skip = r;
        console.log(`# SKIP ${name}: ${r}`);
        return;
      }
      engine = r.engine;
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

    test('documents of every entity are found by their words and come back whole', async () => {
      const file: FileDoc = {
        id: 'f1',
        tenant_id: A,
        conversation_id: 'c1',
        uploader_id: 'u2',
        name: 'quarterly-report.pdf',
        mime: 'application/pdf',
        size: 1234,
        download_url: 'https://files.example/f1',
        created_at: T0 + 1,
        updated_at: T0 + 1,
        content: 'Revenue grew in the northern region',
        extract_error: null,
      };
      const user: UserDoc = {
        id: 'u2',
        tenant_id: A,
        name: 'Zelda Quartermaine',
        handle: 'zeldaq',
        created_at: T0,
        updated_at: T0,
      };
      const conv: ConversationDoc = {
        id: 'c1',
        tenant_id: A,
        title: 'Northern launch planning',
        kind: 'group',
        member_ids: ['u1', 'u2'],
        created_at: T0,
        updated_at: T0,
      };
      await engine.upsert('files', A, [file]);
      await engine.upsert('users', A, [user]);
      await engine.upsert('conversations', A, [conv]);
      await engine.upsert('messages', A, [msg(A, 'm-north', 'see you in the northern office')]);
      const r = await engine.search(A, { q: 'northern' });
      assert.deepEqual(r.hits.map((h) => `${h.entity}:${h.id}`).sort(), [
        'conversations:c1',
        'files:f1',
        'messages:m-north',
      ]);
      assert.equal(r.total, 3);
      assert.deepEqual(r.hits.find((h) => h.id === 'f1')?.doc, file);
      assert.deepEqual((await engine.search(A, { q: 'zeldaq' })).hits[0]?.doc, user);
      assert.deepEqual((await engine.search(A, { q: 'northern', entities: ['conversations'] })).hits[0]?.doc, conv);
      assert.equal(
        (await engine.search(A, { q: 'revenue', entities: ['messages', 'users'] })).total,
        0,
        'entities narrow'
      );
      await engine.remove('files', A, ['f1']);
      await engine.remove('users', A, ['u2']);
      await engine.remove('conversations', A, ['c1']);
      await engine.remove('messages', A, ['m-north']);
      assert.equal((await engine.search(A, { q: 'northern' })).total, 0, 'deleted documents vanish');
    });

    test('typo rules: 1-4 letters exact, 5-8 one typo, 9+ two, a transposition is one', async () => {
      await engine.upsert('messages', A, [
        msg(A, 't1', 'a message about the hello world'),
        msg(A, 't2', 'did you receive it'),
        msg(A, 't3', 'internationalisation is hard'),
        msg(A, 't4', 'the cat sat'),
      ]);
      const find = async (q: string) => sorted(await engine.search(A, { q, entities: ['messages'] }));
      assert.deepEqual(await find('mesage'), ['t1'], "'mesage' (one deletion) finds 'message'");
      assert.deepEqual(await find('massage'), ['t1'], 'one substitution in 7 letters');
      assert.deepEqual(await find('mxssagx'), [], 'two typos in 7 letters: no');
      assert.deepEqual(await find('mesasge'), ['t1'], 'a transposition of neighbours is one typo');
      assert.deepEqual(await find('helo'), [], "'helo' has 4 letters: exact only, not 'hello'");
      assert.deepEqual(await find('hello'), ['t1']);
      assert.deepEqual(await find('cot'), [], '3 letters: exact');
      assert.deepEqual(await find('recieve'), ['t2'], 'a transposition is one typo');
      assert.deepEqual(await find('internacionalisatoin'), ['t3'], 'two typos in 20 letters');
      assert.deepEqual(await find('internacionalisatoinn'), [], 'three typos: no');
      assert.deepEqual(await find('nessage'), [], 'a typo on the first character costs two (7 letters allow one)');
      assert.deepEqual(
        await find('bnternationalisation'),
        ['t3'],
        'a first-character typo fits in the two of 9+ letters'
      );
      assert.deepEqual(await find('bnternacionalisation'), [], 'but leaves no room for another');
      assert.deepEqual(await find('"mesage"'), [], 'a quoted phrase is exact');
      assert.deepEqual(
        await find('hello -mesage'),
        ['t1'],
        'an excluded word is exact (no typo widening of the exclusion)'
      );
      assert.deepEqual(await find('hello -message'), []);
      await engine.remove('messages', A, ['t1', 't2', 't3', 't4']);
    });

    test('websearch syntax: phrases, exclusions, several words all required', async () => {
      await engine.upsert('messages', A, [
        msg(A, 'w1', 'the quick brown fox'),
        msg(A, 'w2', 'brown quick dogs'),
        msg(A, 'w3', 'a quick reply'),
      ]);
      const find = async (q: string) => sorted(await engine.search(A, { q, entities: ['messages'] }));
      assert.deepEqual(await find('quick brown'), ['w1', 'w2']);
      assert.deepEqual(await find('"quick brown"'), ['w1']);
      assert.deepEqual(await find('quick -brown'), ['w3']);
      assert.deepEqual(await find('QUICK'), ['w1', 'w2', 'w3'], 'case-insensitive');
      await engine.remove('messages', A, ['w1', 'w2', 'w3']);
    });

    test('multilingual text: German, Spanish and Japanese words are indexed as written', async () => {
      await engine.upsert('messages', A, [
        msg(A, 'l1', 'Die Straße ist gesperrt'),
        msg(A, 'l2', 'Una canción para mañana'),
        msg(A, 'l3', '東京 タワー へ 行きます'),
        msg(A, 'l4', 'The companies were running'),
      ]);
      const find = async (q: string) => sorted(await engine.search(A, { q, entities: ['messages'] }));
      assert.deepEqual(await find('straße'), ['l1']);
      assert.deepEqual(await find('canción'), ['l2']);
      assert.deepEqual(await find('mañana'), ['l2']);
      assert.deepEqual(await find('東京'), ['l3']);
      assert.deepEqual(await find('タワー'), ['l3']);
      assert.deepEqual(await find('running'), ['l4']);
      await engine.remove('messages', A, ['l1', 'l2', 'l3', 'l4']);
    });

    test('highlights mark exactly the matched words (typo matches too) and escape the rest', async () => {
      await engine.upsert('messages', A, [msg(A, 'h1', 'a <b>bold</b> message & more words about deployment')]);
      const r = await engine.search(A, { q: 'mesage deployment', entities: ['messages'] });
      const h = r.hits[0]?.highlights.text ?? '';
      assert.match(h, /<mark>message<\/mark>/);
      assert.match(h, /<mark>deployment<\/mark>/);
      const marked = [...h.matchAll(/<mark>(.*?)<\/mark>/g)].map((m) => m[1]);
      assert.deepEqual([...new Set(marked)].sort(), ['deployment', 'message']);
      assert.ok(!/<b>/.test(h), `no raw HTML from the document: ${h}`);
      assert.deepEqual(Object.keys(r.hits[0]?.highlights ?? {}), ['text'], 'only fields with a match');
      await engine.remove('messages', A, ['h1']);
    });

    test('ranking: words close together and exact words rank above far apart and typo matches', async () => {
      const filler = Array.from({ length: 30 }, (_, i) => `filler${i}`).join(' ');
      await engine.upsert('messages', A, [
        msg(A, 'r-far', `budget ${filler} approval`, { created_at: T0 + 3 }),
        msg(A, 'r-near', 'budget approval needed', { created_at: T0 + 1 }),
        msg(A, 'r-typo', 'the bugdet approval', { created_at: T0 + 2 }),
      ]);
      const r = await engine.search(A, { q: 'budget approval', entities: ['messages'] });
      assert.deepEqual(ids(r)[0], 'r-near');
      assert.ok(ids(r).indexOf('r-typo') > ids(r).indexOf('r-near'));
      assert.ok(ids(r).indexOf('r-far') > ids(r).indexOf('r-near'));
      assert.ok((r.hits[0]?.score ?? 0) >= (r.hits[1]?.score ?? 0));
      await engine.remove('messages', A, ['r-far', 'r-near', 'r-typo']);
    });

    test('ranking: more matches rank higher (name and content above content alone)', async () => {
      const file = (id: string, name: string, content: string, created_at: number): FileDoc => ({
        id,
        tenant_id: A,
        conversation_id: 'c1',
        uploader_id: 'u1',
        name,
        mime: 'text/plain',
        size: 1,
        download_url: `https://files.example/${id}`,
        created_at,
        updated_at: created_at,
        content,
      });
      await engine.upsert('files', A, [
        file('r-one', 'notes.txt', 'the roadmap for next year', T0 + 2),
        file('r-two', 'roadmap.txt', 'the roadmap for next year', T0 + 1),
      ]);
      const r = await engine.search(A, { q: 'roadmap', entities: ['files'] });
      assert.deepEqual(ids(r), ['r-two', 'r-one'], 'the older file ranks first: it matches twice, once in its name');
      assert.ok((r.hits[0]?.score ?? 0) > (r.hits[1]?.score ?? 0));
      assert.equal(
        r.hits[0]?.highlights.name,
        '<mark>roadmap</mark>.txt',
        'a file name is split into words and shown as written'
      );
      assert.match(r.hits[0]?.highlights.content ?? '', /the <mark>roadmap<\/mark> for next year/);
      assert.equal((await engine.search(A, { q: 'roadmap.txt', entities: ['files'] })).hits[0]?.id, 'r-two');
      assert.deepEqual(ids(await engine.search(A, { q: 'roadmap', entities: ['files'], sort: 'time' })), [
        'r-one',
        'r-two',
      ]);
      await engine.remove('files', A, ['r-one', 'r-two']);
    });

    test('documents with NUL, lone surrogates, markup and SQL-looking text are stored and found', async () => {
      const texts = [
        'nullbyte\u0000inside alpha',
        `lone \ud800 surrogate alpha`,
        `alpha <script>alert(1)</script>`,
        `alpha'); DROP TABLE search_docs; --`,
        'alpha \\ backslash \'quote\' "double"',
      ];
      const docs = texts.map((t, i) => msg(A, `x${i}`, t));
      await engine.upsert('messages', A, docs);
      const r = await engine.search(A, { q: 'alpha', entities: ['messages'], limit: 100 });
      assert.deepEqual(sorted(r), ['x0', 'x1', 'x2', 'x3', 'x4']);
      const x2 = r.hits.find((h) => h.id === 'x2');
      assert.ok(!/<script>/.test(x2?.highlights.text ?? ''), 'markup in documents is escaped in highlights');
      assert.equal((x2?.doc as MessageDoc).text, texts[2]);
      assert.ok(!(r.hits.find((h) => h.id === 'x0')?.doc as MessageDoc).text.includes('\u0000'), 'NUL is replaced');
      assert.equal((await engine.search(A, { q: 'nullbyte', entities: ['messages'] })).total, 1);
      await engine.remove(
        'messages',
        A,
        docs.map((d) => d.id)
      );
    });

    test('filters, sort by time, facets per entity and type, paging', async () => {
      const docs = Array.from({ length: 12 }, (_, i) =>
        msg(A, `p${String(i).padStart(2, '0')}`, `status update number ${i}`, {
          conversation_id: i % 2 ? 'c-odd' : 'c-even',
          sender_id: i % 3 ? 'u-a' : 'u-b',
          type: i % 4 ? 'text' : 'image',
          created_at: T0 + i * MIN,
        })
      );
      await engine.upsert('messages', A, docs);
      await engine.upsert('conversations', A, [
        {
          id: 'c-odd',
          tenant_id: A,
          title: 'status room',
          kind: 'group',
          member_ids: [],
          created_at: T0,
          updated_at: T0,
        },
      ]);
      const all = await engine.search(A, { q: 'status', sort: 'time', limit: 100 });
      assert.equal(all.total, 13);
      assert.deepEqual(all.facets.entity, { messages: 12, files: 0, users: 0, conversations: 1 });
      assert.deepEqual(all.facets.type, { text: 9, image: 3, group: 1 });
      assert.deepEqual(
        ids(all).filter((x) => x.startsWith('p')),
        docs.map((d) => d.id).reverse(),
        'newest first'
      );
      const q = (filters: SearchQuery['filters']) =>
        engine.search(A, { q: 'update', entities: ['messages'], filters, limit: 100 });
      assert.deepEqual(
        sorted(await q({ conversation_id: ['c-odd'] })),
        docs.filter((_, i) => i % 2).map((d) => d.id)
      );
      assert.deepEqual(sorted(await q({ sender_id: ['u-b'] })), ['p00', 'p03', 'p06', 'p09']);
      assert.deepEqual(sorted(await q({ type: ['image'] })), ['p00', 'p04', 'p08']);
      assert.deepEqual(
        sorted(await q({ from: T0 + 3 * MIN, to: T0 + 6 * MIN })),
        ['p03', 'p04', 'p05'],
        'from inclusive, to exclusive'
      );
      assert.deepEqual(sorted(await q({ type: ['image'], sender_id: ['u-a'] })), ['p04', 'p08']);
      const filtered = await q({ type: ['image'] });
      assert.equal(filtered.total, 3);
      assert.deepEqual(filtered.facets.type, { image: 3 });
      // paging: pages of 5 in time order cover every match once
      const seen: string[] = [];
      for (let page = 1; page <= 3; page++) {
        const r = await engine.search(A, { q: 'update', entities: ['messages'], sort: 'time', page, limit: 5 });
        assert.equal(r.total, 12);
        seen.push(...ids(r));
      }
      assert.deepEqual(seen, docs.map((d) => d.id).reverse());
      assert.equal((await engine.search(A, { q: 'update', page: 4, limit: 5 })).hits.length, 0);
      // an empty q lists everything the filters allow, newest first
      const browse = await engine.search(A, { q: '', entities: ['messages'], filters: { sender_id: ['u-b'] } });
      assert.deepEqual(ids(browse), ['p09', 'p06', 'p03', 'p00']);
      await engine.remove(
        'messages',
        A,
        docs.map((d) => d.id)
      );
      await engine.remove('conversations', A, ['c-odd']);
    });

    test('an upsert replaces the document: old words stop matching, new ones match', async () => {
      await engine.upsert('messages', A, [msg(A, 'u1', 'original wording here')]);
      await engine.upsert('messages', A, [msg(A, 'u1', 'replacement wording here', { updated_at: T0 + 1 })]);
      assert.equal((await engine.search(A, { q: 'original', entities: ['messages'] })).total, 0);
      const r = await engine.search(A, { q: 'replacement', entities: ['messages'] });
      assert.deepEqual(ids(r), ['u1']);
      assert.equal((r.hits[0]?.doc as MessageDoc).updated_at, T0 + 1);
      assert.equal(
        (await engine.search(A, { q: 'wording', entities: ['messages'] })).total,
        1,
        'one document, not two'
      );
      await engine.remove('messages', A, ['u1']);
      await engine.remove('messages', A, ['never-existed']);
      await engine.upsert('messages', A, []);
      await engine.remove('messages', A, []);
    });

    test('bad input is a 4xx-class error that says what to change', async () => {
      const bad: SearchQuery[] = [
        { q: 'x'.repeat(10_000) },
        { q: 'x', limit: 0 },
        { q: 'x', limit: 1000 },
        { q: 'x', page: 0 },
        { q: 'x', entities: ['secrets' as Entity] },
        { q: 'x', filters: { from: 1.5 } },
        { q: 'x', filters: { sender_id: ['a\u0000b'] } },
        { q: 'x', sort: 'random' as 'time' },
      ];
      for (const q of bad) {
        await assert.rejects(
          engine.search(A, q),
          (e) => e instanceof CaasError && e.kind === 'invalid' && e.message.length > 10
        );
      }
      await assert.rejects(engine.search('', { q: 'x' }), (e) => e instanceof CaasError && e.kind === 'invalid');
      await assert.rejects(
        engine.upsert('messages', A, [msg(B, 'x1', 'other tenant')]),
        (e) => e instanceof CaasError && e.kind === 'invalid',
        'a document of another tenant is refused'
      );
    });

    test('tenant isolation: no q, filter or facet request reaches another tenant', async () => {
      const secret = 'classified';
      const aDocs = ['a1', 'a2', 'a3'].map((id, i) =>
        msg(A, id, `shared words ${i} ${SQLISH[i] ?? ''} 'quoted' "double"`)
      );
      const bDocs = ['b1', 'b2', 'b3'].map((id, i) =>
        msg(B, id, `shared words ${i} ${secret} tenant_id ${A} ' OR 1=1 --`)
      );
      await engine.upsert('messages', A, aDocs);
      await engine.upsert('messages', B, bDocs);
      const bIds = new Set(bDocs.map((d) => d.id));
      // everything tenant A has: no answer for A may count more
      const aAll = (await engine.search(A, { q: '' })).total;
      assert.ok(aAll >= 3);
      const check = (r: SearchResult | null, label: string) => {
        if (!r) return;
        for (const h of r.hits) {
          const t = (h.doc as MessageDoc).tenant_id;
          assert.ok(t === A && !bIds.has(h.id), `${label}: got ${h.id} of ${t}`);
        }
        assert.ok(r.total <= aAll, `${label}: total ${r.total}`);
        assert.ok(Object.values(r.facets.entity).reduce((a, b) => a + b, 0) <= aAll, `${label}: facets`);
        assert.ok(Object.values(r.facets.type).reduce((a, b) => a + b, 0) <= aAll, `${label}: type facets`);
      };
      assert.equal((await engine.search(A, { q: secret })).total, 0);
      for (const t of [`${A}' OR '1'='1`, `${A}" OR tenant_id = "${B}`, `${A}*`, '%', `${B} `]) {
        assert.equal(
          (await engine.search(t, { q: '' })).total,
          0,
          `tenant ${JSON.stringify(t)} is a tenant of its own`
        );
      }
      assert.equal((await engine.search(B, { q: secret })).total, 3);
      const fixed = [
        ...SQLISH,
        ...LONE_SURROGATES,
        ...CONTROL,
        ...UNICODE,
        `${secret} OR tenant_id = '${B}'`,
        `" OR "1"="1`,
        `') OR ('1'='1`,
        `*`,
        `!!`,
        `a & | ! <-> :* (`,
        `-`,
        `""`,
        `"unterminated ${secret}`,
        `\\'; SELECT * FROM search_docs; --`,
        `tenant_id = ${B}`,
        `shared\u0000words`,
        'shared '.repeat(140),
        'x'.repeat(10_000),
      ];
      for (const q of fixed) {
        check(await safeSearch(engine, A, { q }), JSON.stringify(q).slice(0, 60));
        check(
          await safeSearch(engine, A, {
            q,
            filters: { conversation_id: [q.slice(0, 100) || 'x'], sender_id: [`u1' OR '1'='1`] },
          }),
          'filter'
        );
      }
      const hostileFilter = fc.record(
        {
          conversation_id: fc.array(fc.oneof(hostileString(40), fc.constant(`c1' OR tenant_id='${B}`)), {
            maxLength: 3,
          }),
          sender_id: fc.array(hostileString(40), { maxLength: 3 }),
          type: fc.array(fc.oneof(hostileString(20), fc.constant('text')), { maxLength: 3 }),
          from: fc.oneof(fc.integer(), fc.double()),
          to: fc.integer(),
        },
        { requiredKeys: [] }
      );
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(hostileString(200), fc.constantFrom(...SQLISH), fc.string({ unit: 'grapheme', maxLength: 80 })),
          hostileFilter,
          fc.constantFrom<SearchQuery['sort']>('relevance', 'time'),
          async (q, filters, sort) => {
            check(await safeSearch(engine, A, { q, filters: filters as SearchQuery['filters'], sort }), 'fast-check');
          }
        ),
        { numRuns: 60 }
      );
      await engine.remove(
        'messages',
        A,
        aDocs.map((d) => d.id)
      );
      await engine.remove(
        'messages',
        B,
        bDocs.map((d) => d.id)
      );
    });

    test('full reindex: a query loop never sees an empty or partial set and ends with exactly the new set', async () => {
      const oldSet = Array.from({ length: 40 }, (_, i) => msg(A, `old${i}`, `ledger entry ${i}`));
      const newSet = Array.from({ length: 40 }, (_, i) => msg(A, `new${i}`, `ledger entry ${i} rebuilt`));
      await engine.upsert('messages', A, oldSet);
      // another tenant's documents of the same entity stay through A's reindex
      await engine.upsert('messages', B, [msg(B, 'b-keep', 'ledger of globex')]);
      const oldIds = oldSet
        .map((d) => d.id)
        .sort()
        .join(',');
      const newIds = newSet
        .map((d) => d.id)
        .sort()
        .join(',');
      let stop = false;
      const seen = new Set<string>();
      let queries = 0;
      const loop = (async () => {
        while (!stop) {
          const r = await engine.search(A, { q: 'ledger', entities: ['messages'], limit: 100 });
          const got = sorted(r).join(',');
          assert.ok(got === oldIds || got === newIds, `a mixed or partial set: ${r.total} hits`);
          assert.equal(r.total, 40);
          seen.add(got === oldIds ? 'old' : 'new');
          queries++;
          await new Promise((res) => setImmediate(res));
        }
      })();
      const h = await engine.reindex('messages', A);
      for (let i = 0; i < newSet.length; i += 10) {
        await h.upsert(newSet.slice(i, i + 10));
        await new Promise((res) => setTimeout(res, 5));
      }
      assert.equal(
        (await engine.search(A, { q: 'rebuilt' })).total,
        0,
        'the new generation is invisible before commit'
      );
      await h.commit();
      await new Promise((res) => setTimeout(res, 20));
      stop = true;
      await loop;
      assert.ok(queries >= 3, `the loop ran ${queries} queries`);
      assert.ok(seen.has('old') && seen.has('new'), `saw ${[...seen]}`);
      assert.equal(sorted(await engine.search(A, { q: 'ledger', limit: 100 })).join(','), newIds);
      assert.deepEqual(ids(await engine.search(B, { q: 'ledger' })), ['b-keep']);
      await assert.rejects(
        h.upsert([msg(A, 'late', 'ledger late')]),
        (e) => e instanceof CaasError && e.kind === 'conflict'
      );
      // abort drops the new generation; the live one stays
      const h2 = await engine.reindex('messages', A);
      await h2.upsert([msg(A, 'gone', 'ledger never shown')]);
      await engine.upsert('messages', A, [msg(A, 'live-during', 'ledger written during a reindex')]);
      await h2.abort();
      const after = sorted(await engine.search(A, { q: 'ledger', limit: 100 }));
      assert.ok(!after.includes('gone') && after.includes('live-during') && after.length === 41);
      // an upsert made outside the handle during a reindex survives its commit
      const h3 = await engine.reindex('messages', A);
      await h3.upsert(newSet);
      await engine.upsert('messages', A, [msg(A, 'during', 'ledger written while rebuilding')]);
      await engine.remove('messages', A, ['new0']);
      await h3.commit();
      const final = sorted(await engine.search(A, { q: 'ledger', limit: 100 }));
      assert.ok(final.includes('during') && !final.includes('new0') && !final.includes('live-during'), final.join(','));
      await engine.remove('messages', B, ['b-keep']);
    });
  });
}

describe('typo distance and query parsing', () => {
  it('Damerau–Levenshtein with transpositions as one edit', () => {
    assert.equal(typoDistance('recieve', 'receive'), 1);
    assert.equal(typoDistance('mesage', 'message'), 1);
    assert.equal(typoDistance('abc', 'abc'), 0);
    assert.equal(typoDistance('kitten', 'sitting'), 3);
    assert.equal(typoDistance('kitten', 'sitting', 1), 2, 'stops early past max');
    assert.equal(typoDistance('東京タワー', '東京タワ'), 1, 'by code point');
    assert.equal(typoCost('nessage', 'message'), 2, 'a first-character typo costs two');
    assert.equal(typoCost('mesage', 'message'), 1);
    assert.deepEqual(['helo', 'hello', 'receive', 'internationalisation'].map(allowedTypos), [0, 1, 1, 2]);
    fc.assert(
      fc.property(fc.string({ maxLength: 12 }), fc.string({ maxLength: 12 }), (a, b) => {
        const d = typoDistance(a, b);
        assert.equal(d, typoDistance(b, a));
        assert.ok(d <= Math.max([...a].length, [...b].length));
        assert.equal(d === 0, a === b);
      })
    );
  });
  it('parses words, phrases, exclusions and or', () => {
    assert.deepEqual(parseQuery('a "b c" -d or e -"f g'), [
      [
        { kind: 'word', text: 'a', negated: false },
        { kind: 'phrase', text: 'b c', negated: false },
        { kind: 'word', text: 'd', negated: true },
      ],
      [
        { kind: 'word', text: 'e', negated: false },
        { kind: 'phrase', text: 'f g', negated: true },
      ],
    ]);
    assert.deepEqual(parseQuery('   '), []);
  });
});

describe('PostgreSQL engine: the typo vocabulary', () => {
  it('holds each tenant its own words, and a full reindex lets removed words go', async () => {
    const db = await openMetadataDb({ dataDir: tempDir() });
    try {
      await migratePostgres(db);
      const engine = new PostgresSearchEngine(db);
      const terms = async (t: string) =>
        (await db.query<{ term: string }>('SELECT term FROM search_terms WHERE tenant_id = $1 ORDER BY term', [t])).map(
          (r) => r.term
        );
      await engine.upsert('messages', A, [msg(A, 'v1', 'platypus yodeling'), msg(A, 'v2', 'walrus')]);
      await engine.upsert('users', A, [
        { id: 'u1', tenant_id: A, name: 'Quokka', handle: 'qk', created_at: T0, updated_at: T0 },
      ]);
      await engine.upsert('messages', B, [msg(B, 'w1', 'platypus narwhal')]);
      assert.deepEqual(
        await terms(A),
        ['platypus', 'quokka', 'walrus', 'yodeling'],
        'words of 3+ characters, per tenant'
      );
      assert.deepEqual(await terms(B), ['narwhal', 'platypus']);
      // typo tolerance never proposes another tenant's words
      assert.equal((await engine.search(A, { q: 'narwhol' })).total, 0);
      assert.equal((await engine.search(B, { q: 'narwhol' })).total, 1);
      await engine.remove('messages', A, ['v1']);
      assert.ok((await terms(A)).includes('yodeling'), 'kept until a full reindex');
      const h = await engine.reindex('messages', A);
      await h.upsert([msg(A, 'v2', 'walrus')]);
      const other = await engine.reindex('messages', B);
      await other.upsert([msg(B, 'w2', 'building axolotl')]);
      await h.commit();
      assert.deepEqual(await terms(A), ['quokka', 'walrus'], "removed words go; another entity's stay");
      assert.ok((await terms(B)).includes('axolotl'), "another tenant's (and a building generation's) words stay");
      await other.abort();
    } finally {
      await db.close();
    }
  });
});

contract('search engine: PostgreSQL full text on PGlite', async () => {
  const db = await openMetadataDb({ dataDir: tempDir() });
  await migratePostgres(db);
  return { engine: new PostgresSearchEngine(db), cleanup: () => db.close() };
});

contract('search engine: PostgreSQL full text on the PostgreSQL server', async () => {
  const target = await serverDatabase();
  if (typeof target === 'string') {
    return target;
  }
  const db = await openMetadataDb({ databaseUrl: target.url, dataDir: tempDir() });
  await migratePostgres(db);
  return {
    engine: new PostgresSearchEngine(db),
    cleanup: async () => {
      await db.close();
      await target.drop();
    },
  };
});

contract('search engine: Meilisearch', async () => {
  let cfg;
  try {
    cfg = meiliConfigFromEnv(process.env);
  } catch (e) {
    return (e as Error).message;
  }
  if (!cfg) {
    return 'MEILI_URL is not set (and MEILI_MASTER_KEY with it); start Meilisearch (docker compose up meilisearch) and set both to run this suite';
  }
  const engine = new MeiliSearchEngine({ ...cfg, indexPrefix: `test_${randomBytes(4).toString('hex')}_` });
  const why = await engine.ready().then(
    () => undefined,
    (e: Error) => `Meilisearch at ${cfg.url} does not answer: ${e.message}`
  );
  if (why) {
    return why;
  }
  return { engine, cleanup: () => engine.dropIndexes().then(() => engine.close()) };
});
