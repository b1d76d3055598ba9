import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import type { EventRow } from '../src/ingest/enrich.js';
import { createKey, createTenant, drained, event, startApp, type TestApp } from './helpers.js';

/** Ingestion against the real embedded ClickHouse (chdb) and PGlite. */
let t: TestApp;
let acmeIngest: string;

before(async () => {
  t = await startApp({ COUNTRY_HEADER: 'cf-ipcountry', PII_KEYS: 'email,phone' });
  await createTenant(t, 'acme');
  await createTenant(t, 'globex');
  acmeIngest = await createKey(t, 'acme', 'ingest');
});
after(async () => t.close());

type Row = EventRow;

const rowsOf = (user: string) =>
  t.svc.store.query<Row>('SELECT * FROM events WHERE user_id = {u:String} ORDER BY timestamp', { u: user });

describe('POST /v1/events', () => {
  it('stores a JSON array of seed events in ClickHouse with enrichment', async () => {
    const ts = Date.UTC(2026, 10, 20, 12, 30, 15, 123);
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/events',
      headers: {
        authorization: `Bearer ${acmeIngest}`,
        'content-type': 'application/json',
        'user-agent': 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148',
        'cf-ipcountry': 'de',
      },
      payload: [
        event({ user_id: 'enrich-1', timestamp: ts, properties: { message_type: 'image', email: 'x@y.z', size: 42, ok: true, nested: { a: 1 } } }),
        event({ user_id: 'enrich-1', event_id: 'fixed-id', timestamp: ts + 1, context: { device: 'Tablet', platform: 'android', app_version: '2.3.1', country: 'br' } }),
      ],
    });
    assert.equal(res.statusCode, 202, res.body);
    assert.deepEqual(res.json(), { accepted: 2, rejected: [] });
    await drained(t.svc);
    const rows = await rowsOf('enrich-1');
    assert.equal(rows.length, 2);
    const [a, b] = rows as [Row, Row];
    assert.match(a.event_id, /^[0-9a-f-]{36}$/, 'event_id made when absent');
    assert.equal(a.timestamp, '2026-11-20 12:30:15.123');
    assert.ok(Date.parse(a.received_at + 'Z') > ts, 'received_at set at intake');
    assert.equal(a.device, 'mobile', 'device from the User-Agent');
    assert.equal(a.platform, 'ios', 'platform from the User-Agent');
    assert.equal(a.country, 'DE', 'country from the trusted header');
    assert.deepEqual(a.properties, { message_type: 'image', email: '[REDACTED]', size: '42', ok: 'true', nested: '{"a":1}' });
    assert.equal(b.event_id, 'fixed-id');
    assert.equal(b.device, 'tablet', 'context wins over the User-Agent');
    assert.equal(b.platform, 'android');
    assert.equal(b.app_version, '2.3.1');
    assert.equal(b.country, 'BR');
  });

  it('takes gzip NDJSON and ISO timestamps', async () => {
    const lines = Array.from({ length: 300 }, (_, i) =>
      JSON.stringify(event({ user_id: 'ndjson', timestamp: new Date(Date.now() - 60_000 + i).toISOString(), properties: { i } }))
    );
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/events',
      headers: { authorization: `Bearer ${acmeIngest}`, 'content-type': 'application/x-ndjson', 'content-encoding': 'gzip' },
      payload: gzipSync(lines.join('\n') + '\n'),
    });
    assert.equal(res.statusCode, 202, res.body);
    assert.equal(res.json().accepted, 300);
    await drained(t.svc);
    const [c] = await t.svc.store.query<{ n: string; s: string }>(
      "SELECT count() n, sum(toUInt32(properties['i'])) s FROM events WHERE user_id = 'ndjson'"
    );
    assert.equal(Number(c?.n), 300);
    assert.equal(Number(c?.s), (299 * 300) / 2);
  });

  it('accepts the valid events of a mixed batch and lists the rejected ones by index', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/events',
      headers: { authorization: `Bearer ${acmeIngest}`, 'content-type': 'application/x-ndjson' },
      payload: [
        JSON.stringify(event({ user_id: 'mixed' })),
        '{"type": "message_sent", broken',
        JSON.stringify(event({ user_id: 'mixed', tenant_id: 'globex' })),
        JSON.stringify(event({ user_id: 'mixed', timestamp: 'yesterday' })),
        JSON.stringify(event({ user_id: 'mixed', type: 'file_shared' })),
      ].join('\n'),
    });
    assert.equal(res.statusCode, 202, res.body);
    const body = res.json() as { accepted: number; rejected: Array<{ index: number; reason: string }> };
    assert.equal(body.accepted, 2);
    assert.deepEqual(
      body.rejected.map((r) => r.index),
      [1, 2, 3]
    );
    assert.match(body.rejected[0]?.reason ?? '', /not valid JSON/);
    assert.match(body.rejected[1]?.reason ?? '', /does not match this key's tenant 'acme'/);
    assert.match(body.rejected[2]?.reason ?? '', /ISO 8601/);
    await drained(t.svc);
    const rows = await rowsOf('mixed');
    assert.deepEqual(rows.map((r) => r.type).sort(), ['file_shared', 'message_sent']);
    assert.ok(rows.every((r) => r.tenant_id === 'acme'), 'nothing written for another tenant');
  });

  it('keeps rejected events as dead letters that can be listed and replayed', async () => {
    const admin = t.admin.authorization;
    const payload = [event({ tenant_id: 'initech', user_id: 'dlq-1' }), event({ tenant_id: 'initech', user_id: 'dlq-2', timestamp: 'bad' })];
    const res = await t.app.inject({ method: 'POST', url: '/v1/events', headers: { authorization: admin }, payload });
    assert.equal(res.statusCode, 400, 'nothing accepted is a 4xx');
    assert.equal(res.json().rejected.length, 2);

    const listed = await t.app.inject({ method: 'GET', url: '/v1/dead-letters?limit=10', headers: { authorization: admin } });
    assert.equal(listed.statusCode, 200);
    const letters = (listed.json() as { dead_letters: Array<{ id: string; reason: string; payload: string }> }).dead_letters.filter((d) =>
      d.payload.includes('dlq-')
    );
    assert.equal(letters.length, 2);
    assert.ok(letters.some((d) => /unknown tenant 'initech'/.test(d.reason)));

    // The tenant now exists: replay lets the good one through and keeps the bad one with its reason.
    await createTenant(t, 'initech');
    const replay = await t.app.inject({
      method: 'POST',
      url: '/v1/dead-letters/replay',
      headers: { authorization: admin },
      payload: { ids: letters.map((l) => l.id) },
    });
    assert.equal(replay.statusCode, 200, replay.body);
    const r = replay.json() as { replayed: string[]; failed: Array<{ id: string; reason: string }> };
    assert.equal(r.replayed.length, 1);
    assert.equal(r.failed.length, 1);
    assert.match(r.failed[0]?.reason ?? '', /ISO 8601/);
    await drained(t.svc);
    assert.equal((await rowsOf('dlq-1')).length, 1);
    assert.equal((await rowsOf('dlq-2')).length, 0);

    const again = await t.app.inject({ method: 'GET', url: '/v1/dead-letters', headers: { authorization: admin } });
    const left = (again.json() as { dead_letters: Array<{ payload: string }> }).dead_letters.filter((d) => d.payload.includes('dlq-'));
    assert.equal(left.length, 1, 'the replayed letter leaves the open list');
  });

  it('tenant keys see only their own dead letters', async () => {
    const globexAdmin = await createKey(t, 'globex', 'tenant-admin');
    const own = await t.app.inject({ method: 'GET', url: '/v1/dead-letters', headers: { authorization: `Bearer ${globexAdmin}` } });
    assert.equal(own.statusCode, 200);
    assert.ok((own.json() as { dead_letters: Array<{ tenant_id: string }> }).dead_letters.every((d) => d.tenant_id === 'globex'));
    const other = await t.app.inject({ method: 'GET', url: '/v1/dead-letters?tenant_id=acme', headers: { authorization: `Bearer ${globexAdmin}` } });
    assert.equal(other.statusCode, 403);
  });

  it('a replayed WAL segment is not inserted twice (deduplication token), across months', async () => {
    const rows = ['2026-09-30 23:59:59.000', '2026-10-01 00:00:00.000', '2026-11-01 00:00:00.000'].map((ts, i) =>
      JSON.stringify({ event_id: `dedup-${i}`, tenant_id: 'acme', type: 'login', user_id: 'dedup', timestamp: ts, received_at: ts, properties: {}, device: '', platform: '', app_version: '', country: '' })
    );
    const text = rows.join('\n') + '\n';
    await t.svc.store.insertNdjson('events', text, 'wal-test-token');
    await t.svc.store.insertNdjson('events', text, 'wal-test-token');
    assert.equal((await rowsOf('dedup')).length, 3);
    await t.svc.store.insertNdjson('events', text, 'wal-other-token');
    assert.equal((await rowsOf('dedup')).length, 6, 'a different token is a different batch');
  });
});
