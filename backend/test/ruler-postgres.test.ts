import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import type { IncidentIntake, WebhookPayload } from '../src/alerts/alertmanager/webhook.js';
import { Ruler } from '../src/alerts/event-rules/ruler.js';
import { TenantRepo } from '../src/auth/tenants.js';
import { openMetadataDb, type MetadataDb } from '../src/store/metadata-db.js';
import { createTenant, drained, startApp, tempDir, type TestApp } from './helpers.js';
import { serverDatabase } from './pg-server.js';

/**
 * The ruler with two backend instances on one PostgreSQL server (issue "Alert management", item 1; DESIGN.md
 * "one evaluation at a time across instances"): instance A is a whole backend, instance B its own connection
 * pool and ruler over the same analytics (in production both read the ClickHouse server). Both run at every
 * tick of the test's clock, at the same moment: the advisory lock makes one evaluate and the other find the
 * rule already evaluated, so every transition is notified exactly once and the state is the one machine's.
 *
 *   cd backend && node --import tsx --test test/ruler-postgres.test.ts
 */
const db = await serverDatabase();
const skip = typeof db === 'string' ? db : false;
if (skip) console.log(`# skipped: ${skip}`);

const MIN = 60_000;
const T = Math.floor(Date.now() / MIN) * MIN - 60 * MIN;
const at = (m: number) => T + m * MIN;

describe('the ruler on the PostgreSQL server, two instances', { skip }, () => {
  if (typeof db === 'string') return;
  let a: TestApp;
  let bDb: MetadataDb;
  let b: Ruler;
  const payloads: Array<{ via: string; p: WebhookPayload }> = [];

  before(async () => {
    a = await startApp({ DATABASE_URL: db.url, JOBS_CONCURRENCY: '0', TENANT_RATE_LIMIT: '0' });
    const incidents = a.svc.incidents;
    const receive = incidents.receive.bind(incidents);
    incidents.receive = async (p, via) => {
      payloads.push({ via: 'A', p: structuredClone(p) });
      await receive(p, via);
    };
    const fromB: IncidentIntake = {
      receive: async (p, via) => {
        payloads.push({ via: 'B', p: structuredClone(p) });
        await receive(p, via);
      },
    };
    bDb = await openMetadataDb({ databaseUrl: db.url, dataDir: tempDir() });
    b = new Ruler({
      db: bDb,
      tenants: new TenantRepo(bDb, 0),
      analytics: a.svc.analytics,
      alertmanager: null,
      intake: () => fromB,
      intervalMs: 60_000,
      publicUrl: 'http://b.example.com',
      log: pino({ level: 'silent' }),
      instanceId: 'instance-b',
    });
    await createTenant(a, 'acme');
    const events = [];
    for (let m = 0; m < 12; m++) {
      for (let i = 0; i < 10; i++) {
        events.push({ type: 'message_sent', tenant_id: 'acme', user_id: `u${i}`, timestamp: at(m) + 1000 + i * 100, properties: { status: m >= 4 && m <= 6 && i < 3 ? 'failed' : 'ok' } });
      }
    }
    const res = await a.app.inject({ method: 'POST', url: '/v1/events', headers: a.admin, payload: events });
    assert.equal(res.statusCode, 202, res.body);
    await drained(a.svc);
    const rule = await a.app.inject({
      method: 'POST',
      url: '/v1/alerts/event-rules',
      headers: a.admin,
      payload: {
        id: 'failures',
        name: 'MessageSendFailures',
        window: '3m',
        queries: {
          A: { kind: 'timeseries', metric: { type: 'events' }, event_types: ['message_sent'], filters: [{ field: 'properties.status', op: '=', value: 'failed' }] },
          B: { kind: 'timeseries', metric: { type: 'events' }, event_types: ['message_sent'] },
        },
        condition: { expression: 'A / B', reducer: 'sum', op: '>', threshold: 0.02 },
        for: '1m',
        severity: 'critical',
        annotations: { summary: 'sends fail' },
      },
    });
    assert.equal(rule.statusCode, 201, rule.body);
  });
  after(async () => {
    await a?.close();
    await bDb?.close();
    await db.drop();
  });

  it('both instances run at every tick at once: one evaluates, every transition is notified once, the states agree', async () => {
    const evaluated: number[] = [];
    for (let m = 3; m <= 12; m++) {
      const [ra, rb] = await Promise.all([a.svc.ruler.run(at(m)), b.run(at(m))]);
      evaluated.push(ra.rules_evaluated + rb.rules_evaluated);
      assert.equal(ra.error, null);
      assert.equal(rb.error, null);
    }
    assert.deepEqual(evaluated, Array(10).fill(1), 'each tick, exactly one instance evaluated the rule');
    const notified = payloads.filter((x) => x.p.groupLabels.caas_rule_id === 'failures');
    assert.deepEqual(
      notified.map((x) => x.p.status),
      ['firing', 'resolved'],
      `one firing (minute 6: active since 5, for 1m) and one resolved notification, whoever sent them: ${JSON.stringify(notified.map((x) => [x.via, x.p.status]))}`
    );
    const [alert] = await a.svc.ruler.state.list({ ruleIds: ['failures'] });
    assert.equal(alert?.state, 'resolved');
    assert.equal(alert?.active_at, new Date(at(5)).toISOString(), 'minute 4 enters the 3m window at minute 5');
    assert.equal(alert?.fired_at, new Date(at(6)).toISOString());
    assert.equal(alert?.resolved_at, new Date(at(10)).toISOString(), 'minutes 7-9 in the window: no failures from minute 10 on');
    const run = await b.state.lastRun();
    assert.ok(run && ['instance-b', a.svc.jobs.instanceId].includes(run.instance));
  });
});
