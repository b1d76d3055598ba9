import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { crawlEstimate } from '../src/crawler/service.js';
import { startDemoPlatform, type DemoPlatform } from '../src/demo/caas-platform/index.js';
import { createKey, createTenant, startApp, type TestApp } from './helpers.js';
import { waitFor } from './jobs-support.js';

/**
 * What the Crawler page reads (issue "Crawler and search", Grafana side): GET /v1/crawls (crawl jobs with their
 * source, type and entity, rate and estimated time left) and each cursor's newest incremental crawl and deletion sync
 * in GET /v1/sources, on a real backend with the demo CAAS platform as the source.
 */
const TOKEN = 'crawl-status-token-5b1e';
let t: TestApp;
let platform: DemoPlatform;
let viewer: { authorization: string };
let tenantAdmin: { authorization: string };

interface Run {
  id: string;
  state: string;
  source_id: string;
  type: string;
  entity: string;
  tenant_id: string;
  progress: { done: number; total: number | null };
  rate_per_s: number | null;
  expected_total: number | null;
  eta_s: number | null;
  last_error: string | null;
}
interface Summary {
  job_id: string;
  state: string;
  created_at: string;
  finished_at: string | null;
  done: number;
  last_error: string | null;
}
interface Cursor {
  entity: string;
  tenant_id: string;
  indexed: number;
  last_incremental: Summary | null;
  last_deletion_sync: Summary | null;
}

async function crawls(query = '', headers = t.admin): Promise<Run[]> {
  const r = await t.app.inject({ method: 'GET', url: `/v1/crawls${query}`, headers });
  assert.equal(r.statusCode, 200, r.body);
  return (r.json() as { crawls: Run[] }).crawls;
}

async function cursor(source: string, entity: string, tenant: string): Promise<Cursor> {
  const r = await t.app.inject({ method: 'GET', url: `/v1/sources/${source}`, headers: viewer });
  assert.equal(r.statusCode, 200, r.body);
  const c = (r.json() as { cursors: Cursor[] }).cursors.find((x) => x.entity === entity && x.tenant_id === tenant);
  assert.ok(c, `a cursor for ${entity}/${tenant}: ${r.body}`);
  return c;
}

async function start(body: Record<string, unknown>): Promise<string> {
  const r = await t.app.inject({ method: 'POST', url: '/v1/crawls', headers: t.admin, payload: { source_id: 'demo', batch_size: 25, ...body } });
  assert.equal(r.statusCode, 202, r.body);
  return (r.json() as { job_id: string }).job_id;
}

async function finished(id: string): Promise<Run> {
  return waitFor(`crawl ${id} finished`, 90_000, async () => {
    const run = (await crawls('?limit=500')).find((c) => c.id === id);
    return run && ['succeeded', 'failed', 'cancelled'].includes(run.state) ? run : undefined;
  });
}

before(async () => {
  platform = await startDemoPlatform({ seed: 7, tenants: ['acme', 'globex'], token: TOKEN, messagesPerTenant: 120 });
  t = await startApp({ JOBS_POLL_MS: '20', JOBS_BACKOFF_BASE_MS: '50', TENANT_RATE_LIMIT: '0' });
  await createTenant(t, 'acme');
  await createTenant(t, 'globex');
  viewer = { authorization: `Bearer ${await createKey(t, undefined, 'viewer')}` };
  tenantAdmin = { authorization: `Bearer ${await createKey(t, 'acme', 'tenant-admin')}` };
  const r = await t.app.inject({
    method: 'POST',
    url: '/v1/sources',
    headers: t.admin,
    payload: { id: 'demo', kind: 'caas_http', url: platform.url, token: TOKEN, rate_limit_per_s: 1000 },
  });
  assert.equal(r.statusCode, 201, r.body);
});
after(async () => {
  await t?.close();
  await platform?.close();
});

describe('crawlEstimate', () => {
  it('rate over the run so far; a running full reindex expects the size of the index it replaces', () => {
    assert.deepEqual(crawlEstimate({ state: 'running', type: 'full_reindex', done: 50, total: null, elapsedS: 10, indexBefore: 200 }), {
      rate_per_s: 5,
      expected_total: 200,
      eta_s: 30,
    });
    // past the estimate (the source grew): no time left to tell
    assert.equal(crawlEstimate({ state: 'running', type: 'full_reindex', done: 250, total: null, elapsedS: 10, indexBefore: 200 }).eta_s, null);
    // an incremental crawl does not know how much changed
    assert.deepEqual(crawlEstimate({ state: 'running', type: 'incremental', done: 50, total: null, elapsedS: 10, indexBefore: 200 }), {
      rate_per_s: 5,
      expected_total: null,
      eta_s: null,
    });
    // not started: no rate; waiting: the estimate, no time left
    assert.deepEqual(crawlEstimate({ state: 'queued', type: 'full_reindex', done: 0, total: null, elapsedS: null, indexBefore: 200 }), {
      rate_per_s: null,
      expected_total: 200,
      eta_s: null,
    });
    // finished: its own total, no estimate, no time left
    assert.deepEqual(crawlEstimate({ state: 'succeeded', type: 'full_reindex', done: 210, total: 210, elapsedS: 3, indexBefore: 200 }), {
      rate_per_s: 70,
      expected_total: 210,
      eta_s: null,
    });
    assert.equal(crawlEstimate({ state: 'failed', type: 'full_reindex', done: 10, total: null, elapsedS: 2, indexBefore: 200 }).expected_total, null);
    // a first full reindex (no index before) has no estimate
    assert.equal(crawlEstimate({ state: 'running', type: 'full_reindex', done: 10, total: null, elapsedS: 2, indexBefore: 0 }).expected_total, null);
  });
});

describe('GET /v1/crawls and the cursors’ newest runs', () => {
  it('lists a finished full reindex with its source, type, entity, rate and total', async () => {
    const id = await start({ type: 'full_reindex', entity: 'messages', tenant_id: 'acme' });
    const run = await finished(id);
    assert.equal(run.state, 'succeeded', run.last_error ?? '');
    assert.equal(run.source_id, 'demo');
    assert.equal(run.type, 'full_reindex');
    assert.equal(run.entity, 'messages');
    assert.equal(run.tenant_id, 'acme');
    assert.ok(run.progress.done >= 120, `read every message: ${run.progress.done}`);
    assert.equal(run.expected_total, run.progress.done);
    assert.ok(run.rate_per_s !== null && run.rate_per_s > 0, `a rate: ${run.rate_per_s}`);
    assert.equal(run.eta_s, null);
    // no incremental crawl or deletion sync has run for this cursor yet
    const c = await cursor('demo', 'messages', 'acme');
    assert.equal(c.indexed, run.progress.done);
    assert.equal(c.last_incremental, null);
    assert.equal(c.last_deletion_sync, null);
  });

  it('a running full reindex shows the index it replaces as expected total and a time left', async () => {
    const before = await cursor('demo', 'messages', 'acme');
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let paused = false;
    t.svc.crawler.afterBatch = async (p, batch) => {
      if (p.type === 'full_reindex' && batch === 2) {
        paused = true;
        await gate;
      }
    };
    try {
      const id = await start({ type: 'full_reindex', entity: 'messages', tenant_id: 'acme' });
      await waitFor('the reindex paused after its second batch', 30_000, () => paused);
      await new Promise((r) => setTimeout(r, 50));
      const [run] = await crawls('?state=running', viewer);
      assert.ok(run, 'the running crawl is listed');
      assert.equal(run.id, id);
      // progress is written at most every so often: at least the first batch, at most the two
      assert.ok(run.progress.done >= 25 && run.progress.done <= 50, `progress: ${run.progress.done}`);
      assert.equal(run.progress.total, null);
      assert.equal(run.expected_total, before.indexed, 'the index it replaces');
      assert.ok(run.rate_per_s !== null && run.rate_per_s > 0);
      assert.ok(run.eta_s !== null && run.eta_s >= 1, `a time left: ${run.eta_s}`);
      // the time left is what is left of the estimate at the rate so far (the rate is rounded to 0.01/s)
      const left = (before.indexed - run.progress.done) / (run.rate_per_s as number);
      assert.ok(Math.abs(run.eta_s - left) <= 1, `${run.eta_s} s left ≈ ${left}`);
      release();
      assert.equal((await finished(id)).state, 'succeeded');
    } finally {
      release();
      t.svc.crawler.afterBatch = undefined;
    }
  });

  it("a cursor's newest incremental crawl and deletion sync: state, when, how many", async () => {
    const changes = platform.tick();
    assert.ok(changes.deleted.length > 0, 'the tick deleted a message of each tenant');
    const inc = await finished(await start({ type: 'incremental', entity: 'messages', tenant_id: 'acme' }));
    assert.equal(inc.state, 'succeeded', inc.last_error ?? '');
    const del = await finished(await start({ type: 'deleted', entity: 'messages', tenant_id: 'acme' }));
    assert.equal(del.state, 'succeeded', del.last_error ?? '');
    assert.ok(del.progress.done >= 1, `removed what the tick deleted: ${del.progress.done}`);
    const c = await cursor('demo', 'messages', 'acme');
    assert.deepEqual(
      { job_id: c.last_incremental?.job_id, state: c.last_incremental?.state, done: c.last_incremental?.done },
      { job_id: inc.id, state: 'succeeded', done: inc.progress.done }
    );
    assert.deepEqual(
      { job_id: c.last_deletion_sync?.job_id, state: c.last_deletion_sync?.state, done: c.last_deletion_sync?.done },
      { job_id: del.id, state: 'succeeded', done: del.progress.done }
    );
    assert.ok(c.last_deletion_sync?.finished_at && Date.parse(c.last_deletion_sync.finished_at) >= Date.parse(c.last_deletion_sync.created_at));
    // the list filters by type, tenant, entity, source and state
    const deletions = await crawls('?type=deleted');
    assert.deepEqual(
      deletions.map((r) => r.id),
      [del.id]
    );
    assert.deepEqual(await crawls('?tenant_id=globex'), []);
    assert.deepEqual(await crawls('?entity=files'), []);
    assert.deepEqual(await crawls('?source_id=other'), []);
    assert.equal((await crawls('?state=succeeded&limit=2')).length, 2);
    assert.deepEqual(
      (await crawls('?limit=500')).map((r) => r.type),
      ['deleted', 'incremental', 'full_reindex', 'full_reindex'],
      'newest first'
    );
  });

  it('a failed deletion sync shows its error on the cursor', async () => {
    // the platform refuses every request: the source answers 401, a permanent failure
    const r = await t.app.inject({
      method: 'POST',
      url: '/v1/sources',
      headers: t.admin,
      payload: { id: 'wrong-token', kind: 'caas_http', url: platform.url, token: 'not-the-token' },
    });
    assert.equal(r.statusCode, 201, r.body);
    const id = await start({ source_id: 'wrong-token', type: 'deleted', entity: 'users', tenant_id: 'globex' });
    const run = await finished(id);
    assert.equal(run.state, 'failed');
    assert.match(run.last_error ?? '', /401|token|unauthori/i);
    const c = await cursor('wrong-token', 'users', 'globex');
    assert.equal(c.last_deletion_sync?.job_id, id);
    assert.equal(c.last_deletion_sync?.state, 'failed');
    assert.equal(c.last_deletion_sync?.last_error, run.last_error);
    assert.equal(c.last_incremental, null);
  });

  it('viewer and admin keys read the crawls; a tenant key and bad queries do not', async () => {
    assert.equal((await t.app.inject({ method: 'GET', url: '/v1/crawls', headers: tenantAdmin })).statusCode, 403);
    assert.equal((await t.app.inject({ method: 'GET', url: '/v1/crawls' })).statusCode, 401);
    for (const q of ['?type=everything', '?state=done', '?limit=0', '?entity=emails', '?tenant_id=Not%20A%20Tenant']) {
      const bad = await t.app.inject({ method: 'GET', url: `/v1/crawls${q}`, headers: viewer });
      assert.equal(bad.statusCode, 400, `${q}: ${bad.body}`);
    }
  });
});
