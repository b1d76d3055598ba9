import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { toRowLine } from '../src/ingest/enrich.js';
import { createKey, createTenant, drained, event, startApp, tempDir, type TestApp } from './helpers.js';

/**
 * Issue "Hardening": one test per defect the hostile review found, each failing on the code
 * before the fix. Numbers in the test names are the issue's.
 */
const dataDir = tempDir();
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

interface IngestBody {
  accepted: number;
  rejected: Array<{ index: number; reason: string }>;
}
interface Letter {
  id: string;
  tenant_id: string;
  reason: string;
  payload: string;
  request_id: string | null;
}

function expect4xx(res: LightMyRequestResponse, status: number, message?: RegExp): string {
  assert.equal(res.statusCode, status, `expected ${status}, got ${res.statusCode}: ${res.body}`);
  const body = res.json() as { error?: { message?: string } };
  assert.equal(typeof body.error?.message, 'string', `an error with a message: ${res.body}`);
  if (message) {
    assert.match(body.error?.message ?? '', message);
  }
  return body.error?.message ?? '';
}

describe('hardening (issue "Hardening")', () => {
  let t: TestApp;
  let acme: string;

  const ndjson = (lines: string[], key = acme) =>
    t.app.inject({
      method: 'POST',
      url: '/v1/events',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/x-ndjson' },
      payload: lines.join('\n') + '\n',
    });
  const query = (body: Record<string, unknown>, key = acme) =>
    t.app.inject({ method: 'POST', url: '/v1/analytics/query', headers: { authorization: `Bearer ${key}` }, payload: body });
  const rowsOf = async (userId: string) =>
    t.svc.store.query<{ user_id: string; event_id: string }>('SELECT user_id, event_id FROM events WHERE user_id = {u:String}', { u: userId });
  const letters = async (tenant = 'acme', limit = 1000): Promise<Letter[]> => {
    const r = await t.app.inject({ method: 'GET', url: `/v1/dead-letters?tenant_id=${tenant}&limit=${limit}`, headers: t.admin });
    assert.equal(r.statusCode, 200, r.body);
    return (r.json() as { dead_letters: Letter[] }).dead_letters;
  };

  before(async () => {
    t = await startApp({ MAX_BODY_BYTES: String(1024 * 1024), EVENT_MAX_DEPTH: '16', EVENT_MAX_BYTES: '16384' }, dataDir);
    await createTenant(t, 'acme');
    await createTenant(t, 'globex');
    acme = await createKey(t, 'acme', 'tenant-admin');
  });
  after(async () => t.close());

  it('1: a lone UTF-16 surrogate is rejected with a reason, the valid event beside it is stored', async () => {
    const res = await ndjson([
      `{"type":"login","tenant_id":"acme","user_id":"x\\ud800y","timestamp":${Date.now()}}`,
      JSON.stringify(event({ user_id: 'd1-valid' })),
      `{"type":"login","tenant_id":"acme","user_id":"d1-key","timestamp":${Date.now()},"properties":{"k\\udfff":"v"}}`,
    ]);
    assert.equal(res.statusCode, 202, res.body);
    const body = res.json() as IngestBody;
    assert.equal(body.accepted, 1);
    assert.deepEqual(
      body.rejected.map((r) => r.index),
      [0, 2]
    );
    assert.match(body.rejected[0]?.reason ?? '', /'user_id' holds a lone UTF-16 surrogate \(U\+D800\)/);
    assert.match(body.rejected[1]?.reason ?? '', /key 'properties\.k.' holds a lone UTF-16 surrogate \(U\+DFFF\)/);
    await drained(t.svc);
    assert.equal((await rowsOf('d1-valid')).length, 1);
    const kept = (await letters()).filter((l) => l.payload.includes('x\\ud800y'));
    assert.equal(kept.length, 1, 'the rejected line is in the dead letters as sent');
  });

  it('2: rows ClickHouse refuses are isolated into the dead letters; the rest of the segment and later segments are stored', async () => {
    const ctx = { receivedAt: Date.now(), userAgent: undefined, country: undefined };
    const row = (user: string) => toRowLine(event({ user_id: user }) as never, Date.now() - 1000, ctx, '2026-01-01 00:00:00.000', new Set());
    // Written to the WAL directly, as if acknowledged by an older version that let it through.
    const bad = row('d2-bad').replace('"user_id":"d2-bad"', '"user_id":"d2-\\ud800"');
    const lines = [row('d2-a'), bad, row('d2-b'), row('d2-c'), row('d2-d')];
    await t.svc.wal.append(lines.join('\n') + '\n', lines.length);
    await t.svc.wal.flush();
    const after = await ndjson([JSON.stringify(event({ user_id: 'd2-later' }))]);
    assert.equal(after.statusCode, 202);
    await drained(t.svc);
    for (const u of ['d2-a', 'd2-b', 'd2-c', 'd2-d', 'd2-later']) {
      assert.equal((await rowsOf(u)).length, 1, `${u} stored exactly once`);
    }
    const dl = (await letters()).filter((l) => l.reason.includes('ClickHouse refused'));
    assert.equal(dl.length, 1);
    assert.match(dl[0]?.reason ?? '', /CANNOT_PARSE_ESCAPE_SEQUENCE|surrogate/i);
    const replayable = JSON.parse(dl[0]?.payload ?? '{}') as Record<string, unknown>;
    assert.equal(replayable.tenant_id, 'acme');
    assert.equal(replayable.type, 'message_sent');
    const health = (await t.app.inject({ method: 'GET', url: '/health' })).json() as { wal: { store_rejected_events: number } };
    assert.equal(health.wal.store_rejected_events, 1);
    const metrics = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
    assert.match(metrics, /caas_ingest_store_rejected_total\{tenant="acme"\} 1/);
  });

  it('3: timestamps outside the range of dates are rejected each with a reason; the batch is kept', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/events',
      headers: { authorization: `Bearer ${acme}`, 'content-type': 'application/json' },
      payload: `[${[1e308, -1e308, 2 ** 63, -(2 ** 63)].map((ts) => `{"type":"login","tenant_id":"acme","user_id":"d3","timestamp":${ts}}`).join(',')},${JSON.stringify(event({ user_id: 'd3-valid' }))}]`,
    });
    assert.equal(res.statusCode, 202, res.body);
    const body = res.json() as IngestBody;
    assert.equal(body.accepted, 1);
    assert.equal(body.rejected.length, 4);
    for (const r of body.rejected) {
      assert.match(r.reason, /'timestamp' .* is not a date/);
    }
    await drained(t.svc);
    assert.equal((await rowsOf('d3-valid')).length, 1);
  });

  it('4: properties nested 20,000 levels deep are rejected (JSON array and NDJSON) and kept in the dead letters', async () => {
    const deep = `${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}`;
    const line = `{"type":"login","tenant_id":"acme","user_id":"d4-deep","timestamp":${Date.now()},"properties":${deep}}`;
    const asArray = await t.app.inject({
      method: 'POST',
      url: '/v1/events',
      headers: { authorization: `Bearer ${acme}`, 'content-type': 'application/json' },
      payload: `[${line},${JSON.stringify(event({ user_id: 'd4-valid' }))}]`,
    });
    assert.equal(asArray.statusCode, 202, asArray.body);
    assert.match((asArray.json() as IngestBody).rejected[0]?.reason ?? '', /nests deeper than 16 levels .*EVENT_MAX_DEPTH/);
    const asLines = await ndjson([line, JSON.stringify(event({ user_id: 'd4-valid' }))]);
    assert.equal(asLines.statusCode, 202, asLines.body);
    const big = await ndjson([JSON.stringify(event({ user_id: 'd4-big', properties: { blob: 'x'.repeat(20_000) } })), JSON.stringify(event({ user_id: 'd4-valid' }))]);
    assert.match((big.json() as IngestBody).rejected[0]?.reason ?? '', /EVENT_MAX_BYTES \(16384\)/);
    await drained(t.svc);
    assert.equal((await rowsOf('d4-valid')).length, 3);
    const kept = (await letters()).filter((l) => l.payload.includes('d4-deep'));
    assert.equal(kept.length, 2, 'both deep events are in the dead letters');
    assert.ok(kept.every((l) => l.payload.length > 100_000), 'with their whole payload');
  });

  it('5: user-based kinds on early, extreme and far-future ranges answer 200 with no data, or 400, never 500', async () => {
    const cases: Array<Record<string, unknown>> = [
      { kind: 'active_users', from: 0, to: 86_400_000 },
      { kind: 'retention', from: '1969-12-25', to: '1970-01-03', cohort_event: 'login', return_event: 'login', period: 'day', periods: 7 },
      { kind: 'cohorts', from: '1900-01-01', to: '1900-01-10', period: 'week' },
      { kind: 'adoption', from: '1900-01-01', to: '1900-03-01', feature_event: 'login' },
      { kind: 'active_users', from: '+275760-09-12T00:00:00Z', to: '+275760-09-13T00:00:00Z' },
      { kind: 'timeseries', from: '+200000-01-01T00:00:00Z', to: '+200000-01-02T00:00:00Z', metric: { type: 'events' } },
    ];
    for (const c of cases) {
      const res = await query(c);
      assert.equal(res.statusCode, 200, `${JSON.stringify(c)}: ${res.body}`);
      const body = res.json() as { meta: { source: string }; frames: unknown[] };
      assert.equal(body.meta.source, 'none');
      assert.deepEqual(body.frames, []);
    }
    // A range that reaches back before the TTL's oldest day is cut to it and still answers.
    const now = Date.now();
    const cut = await query({ kind: 'active_users', from: now - 6 * 365 * DAY, to: now - (6 * 365 - 700) * DAY });
    assert.equal(cut.statusCode, 200, cut.body);
    assert.ok((cut.json() as { meta: { from: number } }).meta.from >= now - 5 * 365 * DAY - DAY, 'cut to the TTL');
    const longAgo = await query({ kind: 'cohorts', from: '1900-01-01', to: new Date(now).toISOString(), period: 'month' });
    expect4xx(longAgo, 400, /longer than 731 days/);
  });

  it('6: epoch milliseconds beyond 2^53 or a Date answer 400 with the accepted range', async () => {
    for (const from of [1e20, 9007199254740993, '99999999999999999999']) {
      expect4xx(await query({ kind: 'timeseries', from, to: Date.now(), metric: { type: 'events' } }), 400, /accepted range/);
    }
    expect4xx(await t.app.inject({ method: 'GET', url: '/v1/analytics/variables/event_types?from=1e20', headers: { authorization: `Bearer ${acme}` } }), 400, /accepted range/);
    expect4xx(
      await t.app.inject({ method: 'POST', url: '/v1/analytics/annotations', headers: { authorization: `Bearer ${acme}` }, payload: { from: 1e20, to: 2e20, event_types: ['login'] } }),
      400,
      /accepted range/
    );
    const messages = await t.app.inject({ method: 'GET', url: '/analytics/messages?from=9007199254740993&to=9007199254740999', headers: { authorization: `Bearer ${acme}` } });
    expect4xx(messages, 400, /accepted range/);
    // A filter may compare with any finite number, however large (the client refuses integral numbers past 2^53).
    for (const value of [1e308, -1e308, 2 ** 63]) {
      const now = Date.now();
      const r = await query({ kind: 'timeseries', from: now - DAY, to: now, metric: { type: 'events' }, filters: [{ field: 'properties.size', op: '>', value }] });
      assert.equal(r.statusCode, 200, r.body);
    }
  });

  it('7: unknown IANA time zones answer 400 naming the field; known ones run', async () => {
    const now = Date.now();
    for (const timezone of ['Mars/Olympus', 'Europe/Nowhere', 'right/UTC', 'day']) {
      expect4xx(await query({ kind: 'heatmap', from: now - DAY, to: now, timezone }), 400, /'timezone'=.* is not a time zone ClickHouse knows/);
    }
    assert.equal((await query({ kind: 'heatmap', from: now - DAY, to: now, timezone: 'Europe/Berlin' })).statusCode, 200);
  });

  it('8: dead-letter ids beyond bigint answer 400', async () => {
    for (const id of ['99999999999999999999999', '9223372036854775808', '9999999999999999999']) {
      expect4xx(await t.app.inject({ method: 'GET', url: `/v1/dead-letters?before_id=${id}`, headers: t.admin }), 400);
      expect4xx(await t.app.inject({ method: 'POST', url: '/v1/dead-letters/replay', headers: t.admin, payload: { ids: [id] } }), 400);
    }
    const ok = await t.app.inject({ method: 'GET', url: '/v1/dead-letters?before_id=9223372036854775807', headers: t.admin });
    assert.equal(ok.statusCode, 200, ok.body);
  });

  it('9: NUL characters answer 400, and every rejected line of a request is kept in the dead letters', async () => {
    expect4xx(await t.app.inject({ method: 'POST', url: '/v1/tenants', headers: t.admin, payload: { id: 'nul', name: 'a\u0000b' } }), 400, /'name'/);
    expect4xx(await t.app.inject({ method: 'POST', url: '/v1/keys', headers: t.admin, payload: { tenant_id: 'acme', role: 'ingest', name: 'k\u0000' } }), 400, /'name'/);
    expect4xx(await t.app.inject({ method: 'DELETE', url: '/v1/keys/%00', headers: t.admin }), 400, /'id'/);
    expect4xx(await t.app.inject({ method: 'GET', url: '/v1/tenants/%00', headers: t.admin }), 400, /'id'/);
    const res = await ndjson(['{"type":"login","tenant_id":"acme","user_id":"d9-nul\u0000","timestamp":1}', '{"type":"login","tenant_id":"acme","user_id":"d9-other","timestamp":"bad"}']);
    assert.equal(res.statusCode, 400, res.body);
    assert.equal((res.json() as IngestBody).rejected.length, 2);
    const kept = (await letters()).filter((l) => l.payload.includes('d9-'));
    assert.equal(kept.length, 2, 'both rejected lines are kept');
    assert.ok(kept.some((l) => l.payload.includes('d9-nul\\u0000')), 'the NUL is kept as a JSON escape');
  });

  it('10: dead letters page by id, newest first: 1,000 entries each found exactly once', async () => {
    await createTenant(t, 'paging');
    await t.svc.deadLetters.add(Array.from({ length: 1000 }, (_, i) => ({ tenant_id: 'paging', reason: 'r', payload: `{"n":${i}}` })));
    const seen: string[] = [];
    let before: string | null = null;
    for (let page = 0; page < 100; page++) {
      const r = await t.app.inject({ method: 'GET', url: `/v1/dead-letters?tenant_id=paging&limit=37${before ? `&before_id=${before}` : ''}`, headers: t.admin });
      const body = r.json() as { dead_letters: Letter[]; next_before_id: string | null };
      if (body.dead_letters.length === 0) {
        break;
      }
      seen.push(...body.dead_letters.map((d) => d.id));
      before = body.next_before_id;
    }
    assert.equal(seen.length, 1000);
    assert.equal(new Set(seen).size, 1000);
    const nums = seen.map(Number);
    assert.deepEqual(nums, [...nums].sort((a, b) => b - a), 'ids descend numerically');
  });

  it('enum errors name the allowed values instead of repeating "must be equal to constant"', async () => {
    const m1 = expect4xx(
      await t.app.inject({ method: 'GET', url: '/analytics/messages?from=2026-01-01&to=2026-01-02&granularity=fortnight', headers: { authorization: `Bearer ${acme}` } }),
      400,
      /'granularity' must be one of minute, hour, day, week, month/
    );
    assert.doesNotMatch(m1, /equal to constant/);
    expect4xx(await t.app.inject({ method: 'POST', url: '/v1/keys', headers: t.admin, payload: { role: 'superuser' } }), 400, /'role' must be one of admin, viewer, responder, tenant-admin, tenant-viewer, ingest/);
    expect4xx(await query({ kind: 'cohorts', from: 0, to: 1, period: 'year' }), 400, /'period' must be one of day, week, month/);
  });

  it('authentication runs before the body is read: an oversized body with no key or a wrong key is a 401', async () => {
    const huge = 'x'.repeat(2 * 1024 * 1024);
    for (const headers of [{}, { authorization: 'Bearer wrong-key-0123456789' }]) {
      const res = await t.app.inject({ method: 'POST', url: '/v1/events', headers: { ...headers, 'content-type': 'application/json' }, payload: huge });
      expect4xx(res, 401);
    }
  });

  it('a viewer key reads every tenant and writes nothing', async () => {
    const viewer = await createKey(t, undefined, 'viewer');
    const now = Date.now();
    for (const tenant_id of ['acme', 'globex']) {
      const r = await query({ kind: 'timeseries', tenant_id, from: now - DAY, to: now, metric: { type: 'events' } }, viewer);
      assert.equal(r.statusCode, 200, r.body);
    }
    expect4xx(await query({ kind: 'timeseries', from: now - DAY, to: now, metric: { type: 'events' } }, viewer), 400, /must name the one to query/);
    assert.equal((await t.app.inject({ method: 'GET', url: '/v1/dead-letters', headers: { authorization: `Bearer ${viewer}` } })).statusCode, 200);
    const tenants = (await t.app.inject({ method: 'GET', url: '/v1/tenants', headers: { authorization: `Bearer ${viewer}` } })).json() as { tenants: unknown[] };
    assert.ok(tenants.tenants.length >= 2);
    const auth = { authorization: `Bearer ${viewer}` };
    expect4xx(await ndjson([JSON.stringify(event({ user_id: 'viewer-write' }))], viewer), 403, /role viewer/);
    expect4xx(await t.app.inject({ method: 'POST', url: '/v1/keys', headers: auth, payload: { role: 'admin' } }), 403);
    expect4xx(await t.app.inject({ method: 'POST', url: '/v1/tenants', headers: auth, payload: { id: 'v', name: 'v' } }), 403);
    expect4xx(await t.app.inject({ method: 'POST', url: '/v1/dead-letters/replay', headers: auth, payload: { ids: ['1'] } }), 403);
    expect4xx(await t.app.inject({ method: 'DELETE', url: '/v1/keys/key_bootstrap_admin', headers: auth }), 403);
    expect4xx(await t.app.inject({ method: 'GET', url: '/v1/keys', headers: auth }), 403);
  });
});
