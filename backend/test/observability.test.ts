import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '../src/observability/logger.js';
import { LogCapture, createKey, createTenant, drained, event, startApp, type TestApp } from './helpers.js';

/** /metrics, /health*, and the logs: request ids on request lines, secrets and PII redacted. */
let t: TestApp;
before(async () => {
  t = await startApp({ PII_KEYS: 'email,phone' });
  await createTenant(t, 'acme');
});
after(async () => t.close());

describe('health and metrics', () => {
  it('/health/live, /health/ready and /health report the engines and the WAL', async () => {
    assert.equal((await t.app.inject('/health/live')).statusCode, 200);
    const ready = await t.app.inject('/health/ready');
    assert.equal(ready.statusCode, 200);
    const r = ready.json() as { status: string; checks: Record<string, { ok: boolean; mode: string }> };
    assert.equal(r.status, 'ready');
    assert.deepEqual(Object.keys(r.checks).sort(), ['clickhouse', 'postgres']);
    assert.ok(Object.values(r.checks).every((c) => c.ok && c.mode === 'embedded'));
    const h = (await t.app.inject('/health')).json() as { status: string; wal: { backlog_events: number } };
    assert.equal(h.status, 'ok');
    assert.equal(typeof h.wal.backlog_events, 'number');
  });

  it('/metrics counts ingested events per tenant and outcome, batch sizes and the WAL backlog', async () => {
    const key = await createKey(t, 'acme', 'ingest');
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/events',
      headers: { authorization: `Bearer ${key}` },
      payload: [event(), event(), event({ type: 'Nope' })],
    });
    assert.equal(res.statusCode, 202);
    await drained(t.svc);
    const text = (await t.app.inject('/metrics')).body;
    assert.match(text, /caas_ingest_events_total\{tenant="acme",outcome="accepted"\} 2/);
    assert.match(text, /caas_ingest_events_total\{tenant="acme",outcome="rejected"\} 1/);
    assert.match(text, /caas_ingest_batch_size_events_count [1-9]/);
    assert.match(text, /caas_ingest_flush_duration_seconds_bucket/);
    assert.match(text, /caas_wal_backlog_events 0/);
    assert.match(text, /caas_http_requests_total\{method="POST",route="\/v1\/events",status="202"\} 1/);
  });
});

describe('logs', () => {
  it('every request line carries the request id, which the response echoes', async () => {
    const res = await t.app.inject({ url: '/health/live', headers: { 'x-request-id': 'trace-abc-123' } });
    assert.equal(res.headers['x-request-id'], 'trace-abc-123');
    const lines = t.logs.json().filter((l) => l.reqId === 'trace-abc-123');
    assert.ok(lines.length >= 2, 'incoming and completed lines');
    const requestLines = t.logs.json().filter((l) => l.req || l.res);
    assert.ok(requestLines.every((l) => typeof l.reqId === 'string'));
  });

  it('redacts secrets and the configured PII keys', () => {
    const cap = new LogCapture();
    const log = createLogger('info', ['email', 'phone'], cap);
    log.info(
      {
        req: { headers: { authorization: 'Bearer caas_secret' } },
        password: 'hunter2',
        event: { properties: { email: 'a@b.c', phone: '+1', plan: 'pro' } },
        properties: { email: 'x@y.z' },
        user: { email: 'u@v.w', api_key: 'k' },
      },
      'redaction check'
    );
    const line = cap.lines[0] ?? '';
    for (const secret of ['caas_secret', 'hunter2', 'a@b.c', '+1"', 'x@y.z', 'u@v.w', '"k"']) {
      assert.ok(!line.includes(secret), `${secret} must not appear in ${line}`);
    }
    assert.ok(line.includes('"plan":"pro"'), 'other fields stay');
  });
});

describe('readiness when an engine stops answering', () => {
  it('/health/ready answers 503 naming the engine', async () => {
    await t.svc.db.close();
    const res = await t.app.inject('/health/ready');
    assert.equal(res.statusCode, 503);
    const r = res.json() as { status: string; checks: Record<string, { ok: boolean; error?: string }> };
    assert.equal(r.status, 'not_ready');
    assert.equal(r.checks.postgres?.ok, false);
    assert.equal(r.checks.clickhouse?.ok, true);
    // Reopen so the suite's teardown can close it.
    t.svc.db.close = async () => undefined;
  });
});
