import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import type { LightMyRequestResponse } from 'fastify';
import { createKey, createTenant, drained, event, startApp, tempDir, type TestApp } from './helpers.js';

/**
 * Bad input and faults (issue "Foundation"): every case answers a 4xx with a reason a person can
 * act on, never a 5xx, and the valid events of the same batch are kept.
 */
const dataDir = tempDir();

function assert4xx(
  res: LightMyRequestResponse,
  status: number,
  code?: string
): { error: { code: string; message: string } } {
  assert.equal(res.statusCode, status, `expected ${status}, got ${res.statusCode}: ${res.body}`);
  const body = res.json() as { error: { code: string; message: string } };
  assert.equal(typeof body.error?.message, 'string', 'an error body with a message');
  assert.ok(body.error.message.length > 15, 'the message says what to do');
  if (code) {
    assert.equal(body.error.code, code);
  }
  return body;
}

describe('bad input to POST /v1/events', () => {
  let t: TestApp;
  let acme: string;
  let viewer: string;
  const post = (payload: string | Buffer | object, headers: Record<string, string> = {}, key?: string) =>
    t.app.inject({
      method: 'POST',
      url: '/v1/events',
      headers: { authorization: `Bearer ${key ?? acme}`, 'content-type': 'application/json', ...headers },
      payload: payload as string,
    });

  before(async () => {
    t = await startApp(
      { MAX_BODY_BYTES: '65536', EVENT_MAX_FUTURE_SECONDS: '60', EVENT_MAX_PAST_SECONDS: '86400' },
      dataDir
    );
    await createTenant(t, 'acme');
    await createTenant(t, 'globex');
    acme = await createKey(t, 'acme', 'ingest');
    viewer = await createKey(t, 'acme', 'tenant-viewer');
  });
  after(async () => t.close());

  it('malformed JSON: 400 invalid_json', async () => {
    const b = assert4xx(await post('[{"type": "message_sent",'), 400, 'invalid_json');
    assert.match(b.error.message, /not valid JSON/);
  });

  it('a wrong content type: 415 naming the accepted ones', async () => {
    const b = assert4xx(await post('type,user\nx,y', { 'content-type': 'text/csv' }), 415, 'unsupported_media_type');
    assert.match(b.error.message, /application\/x-ndjson/);
  });

  it('an unsupported Content-Encoding: 415; broken gzip: 400', async () => {
    assert4xx(await post(JSON.stringify([event()]), { 'content-encoding': 'br' }), 415, 'unsupported_encoding');
    assert4xx(await post(Buffer.from('not gzip at all'), { 'content-encoding': 'gzip' }), 400, 'invalid_gzip');
  });

  it('a body over MAX_BODY_BYTES: 413, and a gzip bomb: 413', async () => {
    const big = JSON.stringify(Array.from({ length: 800 }, () => event({ properties: { text: 'x'.repeat(100) } })));
    assert4xx(await post(big), 413, 'body_too_large');
    const bomb = gzipSync(Buffer.from(`[${'0,'.repeat(400_000)}0]`));
    assert.ok(bomb.length < 65536);
    assert4xx(await post(bomb, { 'content-encoding': 'gzip' }), 413, 'body_too_large');
  });

  it('an empty body or empty array: 400', async () => {
    assert4xx(await post('[]'), 400, 'empty_body');
    assert4xx(await post('', { 'content-type': 'application/x-ndjson' }), 400, 'empty_body');
  });

  it('events with missing fields, wrong types and bad timestamps are rejected one by one; the valid ones are kept', async () => {
    const now = Date.now();
    const res = await post([
      event({ user_id: 'kept-1' }),
      { type: 'message_sent', tenant_id: 'acme', timestamp: now },
      event({ user_id: 42 }),
      event({ timestamp: now + 3_600_000 }),
      event({ timestamp: now - 3 * 86_400_000 }),
      event({ timestamp: Math.floor(now / 1000) }),
      event({ properties: 'not an object' }),
      event({ colour: 'red' }),
      7,
      null,
      event({ user_id: 'kept-2', timestamp: new Date(now - 5000).toISOString() }),
    ]);
    assert.equal(res.statusCode, 202, res.body);
    const body = res.json() as { accepted: number; rejected: Array<{ index: number; reason: string }> };
    assert.equal(body.accepted, 2);
    const reasons = Object.fromEntries(body.rejected.map((r) => [r.index, r.reason]));
    assert.match(reasons[1] ?? '', /missing required field 'user_id'/);
    assert.match(reasons[2] ?? '', /'user_id' must be string/);
    assert.match(reasons[3] ?? '', /in the future/);
    assert.match(reasons[4] ?? '', /older than 1 days/);
    assert.match(reasons[5] ?? '', /looks like epoch seconds/);
    assert.match(reasons[6] ?? '', /'properties' must be object/);
    assert.match(reasons[7] ?? '', /unknown field 'colour'/);
    assert.match(reasons[8] ?? '', /must be a JSON object, got number/);
    assert.match(reasons[9] ?? '', /got null/);
    await drained(t.svc);
    const rows = await t.svc.store.query<{ user_id: string }>(
      "SELECT user_id FROM events WHERE user_id LIKE 'kept-%' ORDER BY user_id"
    );
    assert.deepEqual(
      rows.map((r) => r.user_id),
      ['kept-1', 'kept-2']
    );
  });

  it('an unknown tenant (admin key): rejected with what to do', async () => {
    const res = await post([event({ tenant_id: 'nobody' })], {}, 'test-admin-key-0123456789abcdef');
    assert.equal(res.statusCode, 400);
    assert.match(res.json().rejected[0].reason, /unknown tenant 'nobody': create it first/);
  });

  it('an absent, malformed or wrong key: 401', async () => {
    const none = await t.app.inject({
      method: 'POST',
      url: '/v1/events',
      headers: { 'content-type': 'application/json' },
      payload: [event()],
    });
    assert.match(assert4xx(none, 401, 'unauthorized').error.message, /Authorization: Bearer/);
    assert4xx(await post([event()], { authorization: 'Basic abc' }), 401, 'unauthorized');
    assert4xx(await post([event()], {}, 'caas_wrong'), 401, 'unauthorized');
  });

  it("a key of tenant A sending tenant B's events: 403, and nothing of B's is stored", async () => {
    const res = await post([
      event({ tenant_id: 'globex', user_id: 'spoof' }),
      event({ tenant_id: 'globex', user_id: 'spoof' }),
    ]);
    const b = assert4xx(res, 403, 'forbidden');
    assert.match(b.error.message, /tenant other than this key's tenant 'acme'/);
    await drained(t.svc);
    const rows = await t.svc.store.query("SELECT 1 FROM events WHERE user_id = 'spoof'");
    assert.equal(rows.length, 0);
  });

  it('a viewer key cannot send events: 403', async () => {
    assert4xx(await post([event()], {}, viewer), 403, 'forbidden');
  });

  it('bad admin requests: invalid tenant id, duplicate tenant, bad role, unknown route', async () => {
    const h = t.admin;
    assert4xx(
      await t.app.inject({ method: 'POST', url: '/v1/tenants', headers: h, payload: { id: 'Bad Id!', name: 'x' } }),
      400,
      'invalid_request'
    );
    assert4xx(
      await t.app.inject({ method: 'POST', url: '/v1/tenants', headers: h, payload: { id: 'acme', name: 'again' } }),
      409,
      'conflict'
    );
    assert4xx(
      await t.app.inject({ method: 'POST', url: '/v1/keys', headers: h, payload: { tenant_id: 'acme', role: 'root' } }),
      400,
      'invalid_request'
    );
    assert4xx(
      await t.app.inject({ method: 'POST', url: '/v1/keys', headers: h, payload: { role: 'ingest' } }),
      400,
      'invalid_key_request'
    );
    assert4xx(
      await t.app.inject({
        method: 'POST',
        url: '/v1/keys',
        headers: h,
        payload: { tenant_id: 'ghost', role: 'ingest' },
      }),
      404,
      'not_found'
    );
    assert4xx(
      await t.app.inject({
        method: 'POST',
        url: '/v1/tenants',
        headers: { ...h, 'content-type': 'application/json' },
        payload: '{"id":',
      }),
      400
    );
    assert4xx(await t.app.inject({ method: 'GET', url: '/v1/nothing', headers: h }), 404, 'not_found');
  });
});

function limitsSuite(
  name: string,
  env: Record<string, string>,
  body: (get: () => TestApp, post: (n: number) => Promise<LightMyRequestResponse>) => void
) {
  describe(name, () => {
    let t: TestApp;
    let acme: string;
    before(async () => {
      t = await startApp(env, dataDir);
      acme = await createKey(t, 'acme', 'ingest');
    });
    after(async () => t.close());
    body(
      () => t,
      (n: number) =>
        t.app.inject({
          method: 'POST',
          url: '/v1/events',
          headers: { authorization: `Bearer ${acme}` },
          payload: Array.from({ length: n }, (_, i) => event({ user_id: `limit-${i}` })),
        })
    );
  });
}

limitsSuite('per-tenant rate limit: 429 with Retry-After', { TENANT_RATE_LIMIT: '100' }, (get, post) => {
  it('a tenant over TENANT_RATE_LIMIT gets 429 + Retry-After; another tenant is not affected', async () => {
    const t = get();
    assert.equal((await post(150)).statusCode, 202);
    const res = await post(150);
    const b = assert4xx(res, 429, 'rate_limited');
    assert.ok(Number(res.headers['retry-after']) >= 1, 'Retry-After in seconds');
    assert.match(b.error.message, /TENANT_RATE_LIMIT/);
    const globex = await createKey(t, 'globex', 'ingest');
    const other = await t.app.inject({
      method: 'POST',
      url: '/v1/events',
      headers: { authorization: `Bearer ${globex}` },
      payload: [event({ tenant_id: 'globex' })],
    });
    assert.equal(other.statusCode, 202);
  });
});

limitsSuite(
  'WAL backlog limit: 429 backpressure',
  { WAL_MAX_BACKLOG_BYTES: '4096', BATCH_MAX_AGE_MS: '600000', BATCH_MAX_EVENTS: '1000000' },
  (get, post) => {
    it('a WAL backlog over WAL_MAX_BACKLOG_BYTES answers 429 backpressure, and acknowledged events still land', async () => {
      const t = get();
      // Segments are neither full nor old (BATCH_MAX_* above), so accepted events stay in the backlog.
      assert.equal((await post(150)).statusCode, 202);
      assert.ok(t.svc.wal.stats.bytes > 4096, `backlog is ${t.svc.wal.stats.bytes} bytes`);
      const globex = await createKey(t, 'globex', 'ingest');
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/events',
        headers: { authorization: `Bearer ${globex}` },
        payload: [event({ tenant_id: 'globex' })],
      });
      assert4xx(res, 429, 'backpressure');
      assert.equal(res.headers['retry-after'], '5');
      await drained(t.svc);
      const [c] = await t.svc.store.query<{ n: string }>("SELECT count() n FROM events WHERE user_id LIKE 'limit-%'");
      assert.equal(Number(c?.n), 150 + 150, 'the 150 of the rate-limit suite and the 150 here');
    });
  }
);
