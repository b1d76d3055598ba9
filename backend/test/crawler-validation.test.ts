/**
 * Properties of the contract validation (fast-check): hostile items never crash the source, are set aside
 * with a reason and an index, never leak into the items; valid items pass unchanged; one broken field is
 * named in the reason; a hostile answer over HTTP is a rejected item or a 'bad_answer', never a throw of
 * another kind.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import fc from 'fast-check';
import { CaasHttpSource } from '../src/crawler/caas-http.js';
import { ENTITIES, ENTITY_FIELDS, type Entity, SourceError, validateDeleted, validateItem, validatePage } from '../src/crawler/source.js';
import { put } from './hostile/arbitraries.js';

const T = 'acme';
const id = fc.string({ minLength: 1, maxLength: 20 }).filter((s) => !s.includes('\u0000') && s.isWellFormed());
const time = fc.integer({ min: 0, max: 4_000_000_000_000 });
const text = fc.string({ maxLength: 50, unit: 'grapheme' }).filter((s) => !s.includes('\u0000'));

function validItem(entity: Entity): fc.Arbitrary<Record<string, unknown>> {
  const base = { id, tenant_id: fc.constant(T), created_at: time, updated_at: time };
  const fields: Record<Entity, Record<string, fc.Arbitrary<unknown>>> = {
    messages: { ...base, conversation_id: id, sender_id: id, type: fc.constantFrom('text', 'file', 'image'), text },
    files: {
      ...base,
      conversation_id: id,
      uploader_id: id,
      name: id,
      mime: fc.constantFrom('application/pdf', 'text/plain'),
      size: fc.nat(),
      download_url: fc.webUrl(),
    },
    users: { ...base, name: text, handle: id },
    conversations: { ...base, title: text, kind: fc.constantFrom('direct', 'group'), member_ids: fc.array(id, { maxLength: 5 }) },
  };
  return fc.record(fields[entity]).map((o) => {
    const r = o as Record<string, number>;
    if (r.updated_at! < r.created_at!) [r.created_at, r.updated_at] = [r.updated_at!, r.created_at!];
    return o;
  });
}

const hostileValue = fc.oneof(
  fc.anything({ withNullPrototype: true, withBigInt: false, maxDepth: 3 }),
  fc.constantFrom(NaN, Infinity, -1, 1.5, 2 ** 60, '', '\u0000', '\ud800', 'a'.repeat(300), [], {}, null, true, 'javascript:alert(1)')
);

test('validateItem: a valid item passes unchanged; extra keys (also __proto__) are dropped', () => {
  for (const entity of ENTITIES) {
    fc.assert(
      fc.property(validItem(entity), fc.dictionary(fc.string(), fc.anything(), { maxKeys: 3 }), (item, extra) => {
        const withExtra: Record<string, unknown> = { ...item };
        for (const [k, v] of Object.entries(extra)) if (!(k in item)) put(withExtra, k, v);
        put(withExtra, '__proto__', { polluted: true });
        const r = validateItem(entity, withExtra, T);
        assert.ok(r.ok, !r.ok ? r.reason : '');
        assert.deepEqual(Object.keys(r.item).sort(), [...ENTITY_FIELDS[entity]].sort());
        for (const f of ENTITY_FIELDS[entity]) assert.deepEqual((r.item as unknown as Record<string, unknown>)[f], item[f]);
        assert.equal(({} as Record<string, unknown>).polluted, undefined);
      }),
      { numRuns: 150 }
    );
  }
});

test('validateItem: one hostile field is reported by name, never thrown', () => {
  for (const entity of ENTITIES) {
    fc.assert(
      fc.property(validItem(entity), fc.constantFrom(...ENTITY_FIELDS[entity]), hostileValue, (item, field, v) => {
        const broken: Record<string, unknown> = { ...item };
        put(broken, field, v);
        const r = validateItem(entity, broken, T);
        if (!r.ok) {
          assert.equal(typeof r.reason, 'string');
          assert.ok(r.reason.length > 0 && r.reason.length < 2000);
          // the field is named (or the tenant/time relation it broke)
          assert.ok(r.reason.includes(field) || /tenant_id|updated_at is before/.test(r.reason), r.reason);
        }
      }),
      { numRuns: 200 }
    );
  }
});

test('validatePage: any body either is refused as a bad answer or accounts for every item', () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...ENTITIES),
      fc.oneof(
        hostileValue,
        fc.record({ items: fc.array(fc.oneof(hostileValue, validItem('users')), { maxLength: 8 }), next_cursor: fc.oneof(fc.constant(null), fc.string(), hostileValue) })
      ),
      (entity, body) => {
        let page;
        try {
          page = validatePage('test source', body, (raw) => validateItem(entity, raw, T));
        } catch (e) {
          assert.ok(e instanceof SourceError, `only SourceError is thrown, got ${String(e)}`);
          assert.equal(e.kind, 'bad_answer');
          return;
        }
        const raw = (body as { items: unknown[] }).items;
        assert.equal(page.items.length + page.rejected.length, raw.length);
        for (const r of page.rejected) {
          assert.ok(Number.isInteger(r.index) && r.index >= 0 && r.index < raw.length);
          assert.ok(typeof r.reason === 'string' && r.reason.length > 0);
        }
        assert.ok(page.nextCursor === null || typeof page.nextCursor === 'string');
      }
    ),
    { numRuns: 300 }
  );
});

test('validateDeleted: hostile deletions are reported', () => {
  fc.assert(
    fc.property(hostileValue, hostileValue, (i, d) => {
      const r = validateDeleted({ id: i, deleted_at: d });
      if (r.ok) {
        assert.equal(typeof r.item.id, 'string');
        assert.ok(Number.isInteger(r.item.deleted_at));
      } else assert.match(r.reason, /^deletion: /);
    }),
    { numRuns: 300 }
  );
  assert.equal(validateItem('users', { id: 'u', tenant_id: 'other', name: 'n', handle: 'h', created_at: 1, updated_at: 2 }, T).ok, false, 'another tenant is refused');
});

// ---- over HTTP: a hostile source
let body = '';
let url = '';
const server = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(body);
});
before(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
});
after(() => new Promise<void>((r) => server.close(() => r())));

test('a hostile source over HTTP: rejected items or a bad answer, never a crash', async () => {
  const src = new CaasHttpSource({ baseUrl: url, retries: 0, requestsPerSecond: 10_000, burst: 100 });
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(
        fc.constantFrom('', 'not json', '{"items": [', '[]', 'null', '{"items": {}}', '{"items": [1, "x", null]}', '\u0000'),
        fc.array(fc.oneof(hostileValue, validItem('messages')), { maxLength: 6 }).map((items) => JSON.stringify({ items, next_cursor: null }))
      ),
      async (b) => {
        body = b;
        try {
          const p = await src.page('messages', T, { updatedSince: 0, limit: 10 });
          for (const r of p.rejected) assert.ok(r.reason.length > 0);
        } catch (e) {
          assert.ok(e instanceof SourceError, String(e));
          assert.equal(e.kind, 'bad_answer');
          assert.ok(e.message.includes('/api/messages') || e.message.includes('messages'), e.message);
        }
      }
    ),
    { numRuns: 80 }
  );
});
