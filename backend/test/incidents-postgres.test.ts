import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { GO_ZERO_TIME, type WebhookPayload } from '../src/alerts/alertmanager/webhook.js';
import { ChannelNotifier } from '../src/alerts/channels/notifier.js';
import { ChannelService } from '../src/alerts/channels/service.js';
import { ActionLinks } from '../src/auth/action-links.js';
import { SecretBox } from '../src/auth/secret-box.js';
import { SigningKeyring } from '../src/auth/signing-keys.js';
import { IncidentService } from '../src/alerts/incidents/service.js';
import { loadConfig } from '../src/config/config.js';
import { DELIVERY_SEND_KIND, DeliveryService } from '../src/delivery/service.js';
import { JobRunner } from '../src/jobs/runner.js';
import { openMetadataDb, type MetadataDb } from '../src/store/metadata-db.js';
import { waitUntil } from './child-process.js';
import { startApp, tempDir, type TestApp } from './helpers.js';
import { serverDatabase } from './pg-server.js';

/**
 * Incidents on the PostgreSQL server with two backend instances on one database: instance A is a whole backend
 * (startApp with DATABASE_URL), instance B its own connection pool, job runner, delivery and incident service (what
 * a second process runs). The same notification delivered to both at once (Alertmanager in an HA pair, or a retry
 * racing the first try) is stored once and opens one incident; notifications of one group racing on both end in
 * one open incident; an escalation whose steps both runners compete for pages each target once, through the real
 * delivery, to a receiver that counts.
 *
 *   cd backend && node --import tsx --test test/incidents-postgres.test.ts
 */
const db = await serverDatabase();
const skip = typeof db === 'string' ? db : false;
if (skip) console.log(`# skipped: ${skip}`);

const quiet = pino({ level: 'silent' });

function notification(groupKey: string, alerts: Array<{ fp: string; startsAt: string; status?: 'firing' | 'resolved'; endsAt?: string }>): WebhookPayload {
  return {
    version: '4',
    groupKey,
    truncatedAlerts: 0,
    status: alerts.some((a) => (a.status ?? 'firing') === 'firing') ? 'firing' : 'resolved',
    receiver: 'caas',
    groupLabels: {},
    commonLabels: {},
    commonAnnotations: {},
    externalURL: 'http://alertmanager.example.com',
    alerts: alerts.map((a) => ({
      status: a.status ?? 'firing',
      labels: { alertname: 'Race', tenant_id: 'acme', severity: 'warning', instance: a.fp },
      annotations: { summary: 'race' },
      startsAt: a.startsAt,
      endsAt: a.endsAt ?? GO_ZERO_TIME,
      generatorURL: '',
      fingerprint: a.fp,
    })),
  };
}

const SECRET_KEY = 'incidents-postgres-shared-secret-key-0123456789';

describe('incidents on the PostgreSQL server, two instances', { skip }, () => {
  if (typeof db === 'string') return;
  let a: TestApp;
  let bDb: MetadataDb;
  let bJobs: JobRunner;
  let b: IncidentService;
  let receiver: Server;
  let receiverUrl = '';
  let hits = 0;

  before(async () => {
    receiver = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        hits++;
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/page`;
    // both instances share CAAS_SECRET_KEY, as several instances must: each may send the other's sealed deliveries
    a = await startApp({ DATABASE_URL: db.url, DELIVERY_ALLOW_PRIVATE: 'true', JOBS_POLL_MS: '50', CAAS_SECRET_KEY: SECRET_KEY });
    const cfg = loadConfig({ DATA_DIR: tempDir(), DATABASE_URL: db.url, DELIVERY_ALLOW_PRIVATE: 'true', CAAS_SECRET_KEY: SECRET_KEY });
    const secrets = SecretBox.load({ secretKey: cfg.secretKey, dataDir: cfg.dataDir });
    bDb = await openMetadataDb({ databaseUrl: db.url, dataDir: cfg.dataDir });
    bJobs = new JobRunner({ db: bDb, log: quiet, pollMs: 50, concurrency: 4, instanceId: 'instance-b' });
    const deliveries = new DeliveryService({ db: bDb, jobs: bJobs, log: quiet, config: cfg.delivery, smtpUrl: undefined, dataDir: cfg.dataDir, secrets });
    bJobs.register(DELIVERY_SEND_KIND, deliveries.handler, { maxAttempts: cfg.delivery.maxAttempts });
    // instance b wired as services.ts wires the backend: pages through the channel notifier
    const channels = new ChannelService({
      db: bDb,
      secrets,
      deliveries,
      actionLinks: new ActionLinks(new SigningKeyring(bDb), cfg.publicUrl),
      publicUrl: cfg.publicUrl,
      allowPrivate: cfg.delivery.allowPrivate,
      log: quiet,
    });
    b = new IncidentService({ db: bDb, jobs: bJobs, log: quiet, notifier: new ChannelNotifier(channels, quiet) });
    b.register(bJobs);
    await b.start(); // the default policy is there already: stored once
    bJobs.start();
  });
  after(async () => {
    await bJobs?.stop();
    await bDb?.close();
    await a?.close();
    receiver?.close();
    await db.drop();
  });

  it('stores the default policy once, whichever instance starts first', async () => {
    const rows = await bDb.query<{ n: number }>(`SELECT count(*)::int AS n FROM escalation_policies WHERE id = 'esc-default'`);
    assert.equal(Number(rows[0]?.n), 1);
  });

  it('the same notification on both instances at once: stored once, one incident; the others count as repeats', async () => {
    for (let round = 0; round < 5; round++) {
      const gk = `{}:{alertname="Same${round}"}`;
      const p = notification(gk, [{ fp: `same-${round}`, startsAt: '2026-06-01T10:00:00Z' }]);
      const results = await Promise.all([a.svc.incidents.accept(p, 'alertmanager'), b.accept(p, 'alertmanager'), a.svc.incidents.accept(p, 'alertmanager'), b.accept(p, 'alertmanager')]);
      assert.equal(new Set(results.map((r) => r.notification_id)).size, 1, 'one stored notification');
      assert.equal(results.filter((r) => !r.duplicate).length, 1, 'one first, the rest repeats');
      const rows = await bDb.query<{ n: number; repeats: number }>(`SELECT count(*)::int AS n, max(repeats)::int AS repeats FROM alert_notifications WHERE group_key = $1`, [gk]);
      assert.deepEqual([Number(rows[0]?.n), Number(rows[0]?.repeats)], [1, 3]);
      const incs = await bDb.query<{ id: string }>(`SELECT id FROM incidents WHERE group_key = $1`, [gk]);
      assert.equal(incs.length, 1);
    }
  });

  it('different notifications of one group racing on both instances: one open incident holding every alert', async () => {
    const gk = '{}:{alertname="Join"}';
    const ps = Array.from({ length: 8 }, (_, i) =>
      notification(
        gk,
        Array.from({ length: i + 1 }, (_, j) => ({ fp: `join-${j}`, startsAt: `2026-06-01T10:0${j}:00Z` }))
      )
    );
    await Promise.all(ps.map((p, i) => (i % 2 ? b : a.svc.incidents).accept(p, 'alertmanager')));
    const incs = await bDb.query<{ id: string; state: string }>(`SELECT id, state FROM incidents WHERE group_key = $1`, [gk]);
    assert.equal(incs.length, 1);
    const alerts = await bDb.query<{ fingerprint: string }>(`SELECT fingerprint FROM incident_alerts WHERE incident_id = $1 ORDER BY fingerprint`, [incs[0]?.id]);
    assert.deepEqual(
      alerts.map((x) => x.fingerprint),
      Array.from({ length: 8 }, (_, j) => `join-${j}`)
    );
    const applied = await bDb.query<{ n: number }>(`SELECT count(*)::int AS n FROM alert_notifications WHERE group_key = $1 AND applied_at IS NULL`, [gk]);
    assert.equal(Number(applied[0]?.n), 0);
  });

  it('an escalation whose steps both runners compete for pages each target once, through the real delivery', async () => {
    await a.svc.db.query(`INSERT INTO tenants (id, name) VALUES ('acme', 'acme') ON CONFLICT DO NOTHING`);
    await a.svc.incidents.scopedPolicies.create(
      {
        id: 'acme-race',
        name: 'race ladder',
        tenant_id: 'acme',
        is_default: true,
        steps: Array.from({ length: 4 }, (_, i) => ({ wait_minutes: 0, targets: [{ type: 'channel' as const, channel: 'webhook' as const, address: `${receiverUrl}?step=${i}` }, { type: 'user' as const, user: `u${i}` }] })),
      },
      null
    );
    const before = hits;
    const incidents: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await (i % 2 ? b : a.svc.incidents).accept(notification(`{}:{alertname="Esc${i}"}`, [{ fp: `esc-${i}`, startsAt: '2026-06-01T10:00:00Z' }]), 'alertmanager');
      incidents.push(r.incidents[0] as string);
    }
    const pages = async (id: string) => bDb.query<{ once_key: string; delivery_id: string | null; detail: { outcome?: unknown } }>(`SELECT once_key, delivery_id, detail FROM incident_events WHERE incident_id = $1 AND kind = 'page'`, [id]);
    await waitUntil('every step of every incident paged', 60_000, async () => {
      for (const id of incidents) {
        const p = await pages(id);
        if (p.length < 8 || p.some((x) => x.detail.outcome === undefined)) {
          return false;
        }
      }
      return true;
    });
    await waitUntil('the receiver got every webhook page', 30_000, () => hits - before >= 12);
    await new Promise((r) => setTimeout(r, 1500)); // anything sent twice would arrive by now
    assert.equal(hits - before, 3 * 4, 'each webhook target paged once');
    for (const id of incidents) {
      const p = await pages(id);
      assert.equal(p.length, 8);
      assert.equal(new Set(p.map((x) => x.once_key)).size, 8);
      const deliveries = p.filter((x) => x.delivery_id !== null).map((x) => x.delivery_id);
      assert.equal(new Set(deliveries).size, 4);
      const steps = await bDb.query<{ n: number }>(`SELECT count(*)::int AS n FROM jobs WHERE kind = 'incidents.escalate' AND payload->>'incident_id' = $1 AND state = 'succeeded'`, [id]);
      assert.equal(Number(steps[0]?.n), 4, 'one job per step');
    }
  });
});
