/**
 * The CAAS HTTP source against the demo CAAS platform (started here): paging every entity, updated_since,
 * the deletions feed, the bearer token, retries of injected 500s and 429s (Retry-After), a hung answer's
 * timeout, the token bucket, the answer size limit.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CaasHttpSource, TokenBucket } from '../src/crawler/caas-http.js';
import { ENTITIES, type CrawlSource, type Entity, SourceError } from '../src/crawler/source.js';
import { startDemoPlatform, type DemoPlatform } from '../src/demo/caas-platform/index.js';

const TENANTS = ['acme', 'globex'];

async function crawlAll(src: CrawlSource, entity: Entity, tenant: string, updatedSince = 0, limit = 7) {
  const items: Array<{ id: string; updated_at: number }> = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const p: Awaited<ReturnType<CrawlSource['page']>> = await src.page(entity, tenant, { updatedSince, cursor, limit });
    assert.deepEqual(p.rejected, [], `${entity}: nothing rejected`);
    assert.ok(p.items.length <= limit);
    items.push(...p.items);
    cursor = p.nextCursor;
    pages++;
    assert.ok(pages < 1000, 'paging ends');
  } while (cursor);
  return { items, pages };
}

async function deletedAll(src: CrawlSource, entity: Entity, tenant: string, since = 0, limit = 2) {
  const items: Array<{ id: string; deleted_at: number }> = [];
  let cursor: string | null = null;
  do {
    const p: Awaited<ReturnType<CrawlSource['deleted']>> = await src.deleted(entity, tenant, { since, cursor, limit });
    items.push(...p.items);
    cursor = p.nextCursor;
  } while (cursor);
  return items;
}

const sameOrder = (a: { updated_at: number; id: string }, b: { updated_at: number; id: string }) =>
  a.updated_at < b.updated_at || (a.updated_at === b.updated_at && a.id < b.id);

describe('CAAS HTTP source against the demo platform', () => {
  let platform: DemoPlatform;
  let src: CaasHttpSource;
  before(async () => {
    platform = await startDemoPlatform({ seed: 7, tenants: TENANTS });
    src = new CaasHttpSource({ baseUrl: platform.url, requestsPerSecond: 1000, burst: 50, timeoutMs: 5000 });
  });
  after(async () => {
    await src.close();
    await platform.close();
  });

  test('pages through every entity with small pages: every item once, ordered by (updated_at, id)', async () => {
    for (const tenant of TENANTS) {
      const t = platform.data.tenants.get(tenant)!;
      for (const entity of ENTITIES) {
        const { items, pages } = await crawlAll(src, entity, tenant);
        const expected = [...(t[entity] as Map<string, unknown>).keys()].sort();
        assert.deepEqual(items.map((i) => i.id).sort(), expected, `${tenant}/${entity}: every item once`);
        assert.equal(new Set(items.map((i) => i.id)).size, items.length, 'no duplicates');
        for (let i = 1; i < items.length; i++) assert.ok(sameOrder(items[i - 1]!, items[i]!), `${entity} ordered at ${i}`);
        assert.ok(pages >= Math.ceil(items.length / 7));
        for (const it of items) assert.equal((it as unknown as { tenant_id: string }).tenant_id, tenant);
      }
    }
    // the burst of equal updated_at values was paged across without loss (ties exist)
    const { items } = await crawlAll(src, 'messages', 'acme', 0, 2);
    const times = items.map((i) => i.updated_at);
    assert.ok(times.length - new Set(times).size >= 4, 'some messages share an updated_at');
  });

  test('updated_since returns only what changed later; the deletions feed lists what went', async () => {
    const before = await crawlAll(src, 'messages', 'acme', 0, 50);
    const maxT = Math.max(...before.items.map((i) => i.updated_at));
    const at = Math.max(Date.now(), maxT) + 60_000;
    const changed = platform.tick(at);
    assert.ok(changed.created.length > 0 && changed.edited.length > 0 && changed.deleted.length > 0);
    const acme = (ids: string[]) => ids.filter((id) => id.startsWith('msg_acme_'));
    const later = await crawlAll(src, 'messages', 'acme', at, 3);
    assert.deepEqual(later.items.map((i) => i.id).sort(), [...acme(changed.created), ...acme(changed.edited)].sort());
    const edited = later.items.find((i) => acme(changed.edited).includes(i.id)) as unknown as { created_at: number; updated_at: number; text: string };
    assert.ok(edited.updated_at > edited.created_at, 'an edit is later than its creation');
    const old = before.items.find((i) => i.id === acme(changed.edited)[0]) as unknown as { text: string };
    assert.notEqual(edited.text, old.text, 'the edit changed the text');

    const deletedNow = await deletedAll(src, 'messages', 'acme', at);
    assert.deepEqual(deletedNow.map((d) => d.id), acme(changed.deleted));
    const all = await deletedAll(src, 'messages', 'acme', 0);
    assert.ok(all.length > deletedNow.length, 'older deletions are in the feed too');
    for (let i = 1; i < all.length; i++) assert.ok(all[i - 1]!.deleted_at <= all[i]!.deleted_at);
    const present = new Set((await crawlAll(src, 'messages', 'acme', 0, 100)).items.map((i) => i.id));
    for (const d of all) assert.ok(!present.has(d.id), `deleted ${d.id} is no longer listed`);
    const files = await deletedAll(src, 'files', 'acme', 0);
    assert.equal(files.length, 1, 'the mistaken upload is in the files deletions feed');
  });

  test('a file downloads through its download_url', async () => {
    const { items } = await crawlAll(src, 'files', 'globex', 0, 50);
    const f = items.find((i) => (i as unknown as { name: string }).name.endsWith('.txt')) as unknown as { download_url: string; size: number };
    const got = await src.fetchFile(f.download_url, { maxBytes: 10_000 });
    assert.equal(got.bytes.length, f.size);
    assert.match(got.bytes.toString('utf8'), /separate message/);
    await assert.rejects(src.fetchFile(f.download_url, { maxBytes: 10 }), (e: SourceError) => e.kind === 'too_large' && /larger than 10 bytes/.test(e.message));
  });

  test('an unknown tenant and a bad cursor say what is wrong', async () => {
    await assert.rejects(src.page('users', 'nobody', { updatedSince: 0, limit: 5 }), (e: SourceError) => e.kind === 'not_found' && /no tenant "nobody"/.test(e.message));
    await assert.rejects(src.page('users', 'acme', { updatedSince: 0, limit: 5, cursor: 'xyz' }), (e: SourceError) => e.kind === 'invalid' && /cursor/.test(e.message));
  });
});

describe('CAAS HTTP source: token, faults, limits', () => {
  let platform: DemoPlatform;
  before(async () => {
    platform = await startDemoPlatform({ seed: 3, tenants: ['acme'], token: 's3cret', messagesPerTenant: 40 });
  });
  after(async () => platform.close());

  test('with a token set, the source needs it and says what is wrong without or with a wrong one', async () => {
    const none = new CaasHttpSource({ baseUrl: platform.url, retries: 0 });
    await assert.rejects(none.page('users', 'acme', { updatedSince: 0, limit: 5 }), (e: SourceError) => {
      assert.equal(e.kind, 'unauthenticated');
      assert.equal(e.retryable, false);
      assert.match(e.message, /answered 401/);
      assert.match(e.message, /needs a bearer token: set its token/);
      return true;
    });
    const wrong = new CaasHttpSource({ baseUrl: platform.url, token: 'guess', retries: 3 });
    const n0 = platform.requests.length;
    await assert.rejects(wrong.page('users', 'acme', { updatedSince: 0, limit: 5 }), (e: SourceError) => e.kind === 'unauthenticated' && /token was refused/.test(e.message));
    assert.equal(platform.requests.length - n0, 1, 'a 401 is not retried');
    const right = new CaasHttpSource({ baseUrl: platform.url, token: 's3cret' });
    const p = await right.page('users', 'acme', { updatedSince: 0, limit: 5 });
    assert.equal(p.items.length, 5);
    const f = (await right.page('files', 'acme', { updatedSince: 0, limit: 1 })).items[0]!;
    assert.equal((await right.fetchFile(f.download_url, { maxBytes: 1_000_000 })).bytes.length, f.size, 'the token goes with the download too');
  });

  test('injected 500s are retried with backoff; too many give up saying how many tries', async () => {
    const src = new CaasHttpSource({ baseUrl: platform.url, token: 's3cret', retries: 3, backoffMs: 20, random: () => 0.5 });
    platform.setFaults({ failNext: 2 });
    const n0 = platform.requests.length;
    const p = await src.page('messages', 'acme', { updatedSince: 0, limit: 10 });
    assert.equal(p.items.length, 10);
    assert.equal(platform.requests.length - n0, 3, 'two failures then a success');

    platform.setFaults({ failNext: 10 });
    const t0 = Date.now();
    await assert.rejects(src.page('messages', 'acme', { updatedSince: 0, limit: 10 }), (e: SourceError) => {
      assert.equal(e.kind, 'unavailable');
      assert.equal(e.retryable, true);
      assert.match(e.message, /answered 500/);
      assert.match(e.message, /after 4 tries/);
      return true;
    });
    // backoff 20, 40, 80 ms (jitter fixed at ×1)
    assert.ok(Date.now() - t0 >= 130, `backed off (${Date.now() - t0} ms)`);
    platform.clearFaults();
  });

  test('a 429 with Retry-After is waited out', async () => {
    const src = new CaasHttpSource({ baseUrl: platform.url, token: 's3cret', retries: 2, backoffMs: 10 });
    platform.setFaults({ failNext: 1, status: 429, retryAfterSeconds: 1 });
    const t0 = Date.now();
    const p = await src.page('users', 'acme', { updatedSince: 0, limit: 3 });
    assert.equal(p.items.length, 3);
    assert.ok(Date.now() - t0 >= 950, `waited for Retry-After (${Date.now() - t0} ms)`);
    // a pause longer than one run waits ends the run at once, saying so
    const impatient = new CaasHttpSource({ baseUrl: platform.url, token: 's3cret', retries: 3, backoffMs: 10, maxBackoffMs: 500 });
    platform.setFaults({ failNext: 1, status: 429, retryAfterSeconds: 120 });
    const t1 = Date.now();
    await assert.rejects(impatient.page('users', 'acme', { updatedSince: 0, limit: 3 }), (e: SourceError) => {
      assert.equal(e.kind, 'unavailable');
      assert.equal(e.extra.retryAfterMs, 120_000);
      assert.match(e.message, /answered 429/);
      assert.match(e.message, /asked to wait 120 s, longer than the source's maxBackoffMs of 500 ms: try again later/);
      return true;
    });
    assert.ok(Date.now() - t1 < 400);
    platform.clearFaults();
  });

  test('a hung answer times out (every try), within the time limit', async () => {
    const src = new CaasHttpSource({ baseUrl: platform.url, token: 's3cret', timeoutMs: 300, retries: 1, backoffMs: 10 });
    platform.setFaults({ hangNext: 2 });
    const t0 = Date.now();
    await assert.rejects(src.page('users', 'acme', { updatedSince: 0, limit: 3 }), (e: SourceError) => {
      assert.equal(e.kind, 'timeout');
      assert.match(e.message, /within 300 ms/);
      assert.match(e.message, /after 2 tries/);
      return true;
    });
    const took = Date.now() - t0;
    assert.ok(took >= 600 && took < 2500, `two tries of 300 ms (${took} ms)`);
    platform.clearFaults();
    // slow answers within the limit are fine
    platform.setFaults({ delayMs: 100 });
    const p = await src.page('users', 'acme', { updatedSince: 0, limit: 3 });
    assert.equal(p.items.length, 3);
    platform.clearFaults();
  });

  test('the rate limit bounds requests per second', async () => {
    const src = new CaasHttpSource({ baseUrl: platform.url, token: 's3cret', requestsPerSecond: 20, burst: 2 });
    const n0 = platform.requests.length;
    const t0 = performance.now();
    // concurrent callers share the one bucket
    await Promise.all(Array.from({ length: 22 }, () => src.page('users', 'acme', { updatedSince: 0, limit: 1 })));
    const took = performance.now() - t0;
    const seen = platform.requests.slice(n0).map((r) => r.at);
    assert.equal(seen.length, 22);
    assert.ok(took >= ((22 - 2) / 20) * 1000 - 50, `22 requests at 20/s with a burst of 2 take ≥ 1 s (${took.toFixed(0)} ms)`);
    // in any 500 ms window: at most burst + 10 (+1 for timer granularity)
    for (let i = 0; i < seen.length; i++) {
      const inWindow = seen.filter((t) => t >= seen[i]! && t < seen[i]! + 500).length;
      assert.ok(inWindow <= 13, `at most 13 requests in 500 ms, saw ${inWindow}`);
    }
  });

  test('an answer larger than the size limit is refused, not read to its end', async () => {
    const src = new CaasHttpSource({ baseUrl: platform.url, token: 's3cret', maxResponseBytes: 400 });
    await assert.rejects(src.page('messages', 'acme', { updatedSince: 0, limit: 50 }), (e: SourceError) => e.kind === 'too_large' && /more than 400 bytes/.test(e.message) && /smaller page limit/.test(e.message));
  });

  test('an unreachable source and bad options are reported plainly', async () => {
    const src = new CaasHttpSource({ baseUrl: 'http://127.0.0.1:1/caas/v1', retries: 0 });
    await assert.rejects(src.page('users', 'acme', { updatedSince: 0, limit: 5 }), (e: SourceError) => e.kind === 'network' && /could not be reached/.test(e.message));
    await assert.rejects(src.page('users', 'acme', { updatedSince: 0, limit: 0 }), (e: SourceError) => e.kind === 'invalid' && /limit/.test(e.message));
    assert.throws(() => new CaasHttpSource({ baseUrl: 'ftp://x' }), /http\(s\)/);
  });
});

test('TokenBucket: at most burst at once, then rate per second', async () => {
  let now = 0;
  const b = new TokenBucket(10, 3, () => now);
  for (let i = 0; i < 3; i++) await b.take();
  let done = false;
  const p = b.take().then(() => (done = true));
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(done, false, 'the 4th waits for a token');
  now += 100;
  await p;
  assert.equal(done, true);
});
