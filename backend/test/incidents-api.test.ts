import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import fc from 'fast-check';
import { GO_ZERO_TIME } from '../src/alerts/alertmanager/webhook.js';
import { DEFAULT_LADDER } from '../src/alerts/incidents/escalation.js';
import { INCIDENT_ESCALATE_KIND } from '../src/alerts/incidents/service.js';
import { waitUntil } from './child-process.js';
import { createTenant, startApp, type TestApp } from './helpers.js';
import { CONTROL, encodeSegment, endpointText, hostileNumber, hostileString, SQLISH, toJson, UNICODE, wrongType } from './hostile/arbitraries.js';

/**
 * Incidents on a real backend (embedded ClickHouse and PGlite; issue "Alert management", items 3, 4, 7 and 8):
 * Alertmanager's webhook (payload v4) behind the `alertmanager` webhook secret from ALERTMANAGER_WEBHOOK_SECRET,
 * incidents deduplicated by group key and split by tenant, repeats counted not re-applied, late retries ignored,
 * acknowledge/unacknowledge/resolve/snooze/post-mortem with who did it in the timeline, the seed's /monitoring/alerts,
 * escalation policies (the seed ladder as default; a page through the real delivery to a local receiver; acknowledge
 * stops every further page; the reminder), tenant isolation on every route, and property tests: hostile payloads and
 * queries never get a 5xx, and a refused payload stores nothing. The real Alertmanager drives the same route in
 * test/incidents-alertmanager.test.ts.
 *
 *   cd backend && node --import tsx --test test/incidents-api.test.ts
 */
const SECRET = 'am-webhook-secret-0123456789abcdef';
let t: TestApp;
const keys: Record<string, string> = {};
const keyIds: Record<string, string> = {};
const as = (name: string) => ({ authorization: `Bearer ${keys[name]}` });
const hook = { authorization: `Bearer ${SECRET}` };

interface Actor {
  type: string;
  id: string | null;
  name: string | null;
}
interface Ev {
  id: string;
  kind: string;
  actor: Actor;
  message: string;
  detail: Record<string, unknown> & { outcome?: { status: string; delivery_id: string | null; note: string } };
  notification_id: string | null;
  delivery_id: string | null;
  repeats: number | null;
}
interface Alert {
  fingerprint: string;
  status: string;
  starts_at: string;
  ends_at: string | null;
  labels: Record<string, string>;
}
interface Incident {
  id: string;
  group_key: string;
  tenant_id: string | null;
  state: string;
  title: string;
  severity: string;
  service: string | null;
  runbook_url: string | null;
  acknowledged_by: Actor | null;
  resolved_by: Actor | null;
  snoozed_until: string | null;
  alerts_firing: number;
  alerts_total: number;
  created_at: string;
  postmortem: { text: string; by: Actor | null } | null;
  escalation: { policy_id: string | null; state: string; next: { pass: number; step: number; at: string } | null };
  alerts: Alert[];
  timeline: Ev[];
}

function errorOf(res: LightMyRequestResponse): { code: string; message: string } {
  const body = res.json() as { error?: { code: string; message: string } };
  assert.ok(body.error?.code && body.error.message, `an error body: ${res.body}`);
  return body.error;
}
function status(res: LightMyRequestResponse, code: number, message?: RegExp): void {
  assert.equal(res.statusCode, code, `expected ${code}, got ${res.statusCode}: ${res.body.slice(0, 500)}`);
  if (message) {
    assert.match(errorOf(res).message, message);
  }
}
const api = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, headers: Record<string, string>, payload?: unknown) =>
  t.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });

const iso = (ms: number) => new Date(ms).toISOString();
let clock = Date.parse('2026-06-01T10:00:00.000Z');
const nextStart = () => iso((clock += 60_000));

function alert(fingerprint: string, over: Record<string, unknown> = {}, labels: Record<string, string> = {}) {
  return {
    status: 'firing',
    labels: { alertname: 'HighErrorRate', severity: 'critical', tenant_id: 'acme', service: 'api-gateway', ...labels },
    annotations: { summary: 'Error rate above 1%', runbook_url: 'https://runbooks.example.com/error-rate' },
    startsAt: '2026-06-01T10:00:00.000Z',
    endsAt: GO_ZERO_TIME,
    generatorURL: 'http://prometheus.example.com/graph?g0.expr=x',
    fingerprint,
    ...over,
  };
}
const resolvedAt = (a: ReturnType<typeof alert>, endsAt = '2026-06-01T11:00:00.000Z') => ({ ...a, status: 'resolved', endsAt });

function notification(groupKey: string, alerts: Array<ReturnType<typeof alert>>, over: Record<string, unknown> = {}) {
  return {
    version: '4',
    groupKey,
    truncatedAlerts: 0,
    status: alerts.some((a) => a.status === 'firing') ? 'firing' : 'resolved',
    receiver: 'caas-observatory',
    groupLabels: { alertname: 'HighErrorRate' },
    commonLabels: {},
    commonAnnotations: {},
    externalURL: 'http://alertmanager.example.com',
    alerts,
    ...over,
  };
}

interface Accepted {
  notification_id: string;
  duplicate: boolean;
  applied: boolean;
  incidents: string[];
}
async function send(payload: unknown): Promise<Accepted> {
  const res = await api('POST', '/v1/alertmanager/webhook', hook, payload);
  status(res, 200);
  return res.json() as Accepted;
}
const incident = async (id: string, headers = t.admin) => {
  const res = await api('GET', `/v1/incidents/${id}`, headers);
  status(res, 200);
  return res.json() as Incident;
};
const count = async (table: string) => Number((await t.svc.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`))[0]?.n);

let receiver: Server;
let receiverUrl = '';
const received: Array<{ body: string; at: number }> = [];

before(async () => {
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      received.push({ body, at: Date.now() });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/page`;
  t = await startApp({ ALERTMANAGER_WEBHOOK_SECRET: SECRET, DELIVERY_ALLOW_PRIVATE: 'true', JOBS_POLL_MS: '50' });
  for (const tenant of ['acme', 'globex']) {
    await createTenant(t, tenant);
  }
  const key = async (name: string, role: string, tenant_id?: string) => {
    const res = await api('POST', '/v1/keys', t.admin, { role, tenant_id, name });
    status(res, 201);
    const b = res.json() as { key: string; id: string };
    keys[name] = b.key;
    keyIds[name] = b.id;
  };
  await key('viewer', 'viewer');
  await key('responder', 'responder');
  await key('oncall-alice', 'tenant-admin', 'acme');
  await key('acme-viewer', 'tenant-viewer', 'acme');
  await key('globex-admin', 'tenant-admin', 'globex');
  await key('globex-viewer', 'tenant-viewer', 'globex');
  await key('acme-ingest', 'ingest', 'acme');
});
after(async () => {
  await t?.close();
  receiver?.close();
});

describe('the webhook: POST /v1/alertmanager/webhook', () => {
  it('needs the alertmanager webhook secret: missing, wrong, an API key or a secret of another name answer 401 and store nothing', async () => {
    const p = notification('{}:{alertname="Auth"}', [alert('auth-1')]);
    const before = await count('alert_notifications');
    status(await api('POST', '/v1/alertmanager/webhook', {}, p), 401, /missing alertmanager webhook secret/);
    status(await api('POST', '/v1/alertmanager/webhook', { authorization: 'Bearer wrong-secret-0123456789' }, p), 401, /wrong or revoked alertmanager webhook secret/);
    status(await api('POST', '/v1/alertmanager/webhook', t.admin, p), 401);
    const slack = (await api('POST', '/v1/webhook-secrets', t.admin, { name: 'slack' })).json() as { secret: string };
    status(await api('POST', '/v1/alertmanager/webhook', { authorization: `Bearer ${slack.secret}` }, p), 401);
    assert.equal(await count('alert_notifications'), before);
    // Basic auth with the secret as password is what basic_auth in Alertmanager's http_config sends
    const basic = `Basic ${Buffer.from(`alertmanager:${SECRET}`).toString('base64')}`;
    status(await api('POST', '/v1/alertmanager/webhook', { authorization: basic }, p), 200);
    // a secret created through the API works beside the one from the environment
    const made = (await api('POST', '/v1/webhook-secrets', t.admin, { name: 'alertmanager' })).json() as { secret: string };
    const r = await api('POST', '/v1/alertmanager/webhook', { authorization: `Bearer ${made.secret}` }, notification('{}:{alertname="Auth2"}', [alert('auth-2')]));
    status(r, 200);
  });

  it('a firing notification opens an incident: tenant from the tenant_id label, title, severity, service and runbook from labels and annotations', async () => {
    const startsAt = nextStart();
    const a = await send(notification('{}:{alertname="HighErrorRate", tenant_id="acme"}', [alert('fp-open-1', { startsAt })]));
    assert.equal(a.duplicate, false);
    assert.equal(a.applied, true);
    assert.equal(a.incidents.length, 1);
    const inc = await incident(a.incidents[0] as string);
    assert.equal(inc.state, 'triggered');
    assert.equal(inc.tenant_id, 'acme');
    assert.equal(inc.title, 'Error rate above 1%');
    assert.equal(inc.severity, 'critical');
    assert.equal(inc.service, 'api-gateway');
    assert.equal(inc.runbook_url, 'https://runbooks.example.com/error-rate');
    assert.equal(inc.group_key, '{}:{alertname="HighErrorRate", tenant_id="acme"}');
    assert.deepEqual(
      inc.alerts.map((x) => [x.fingerprint, x.status, x.starts_at, x.ends_at]),
      [['fp-open-1', 'firing', startsAt, null]]
    );
    const first = inc.timeline[0];
    assert.equal(first?.kind, 'triggered');
    assert.deepEqual(first?.actor, { type: 'alertmanager', id: null, name: null });
    assert.equal(first?.notification_id, a.notification_id);
    // the whole notification is kept as it came
    const stored = await t.svc.db.query<{ payload: string }>('SELECT payload FROM alert_notifications WHERE id = $1', [a.notification_id]);
    assert.equal((JSON.parse(stored[0]?.payload ?? '{}') as { groupKey: string }).groupKey, inc.group_key);
  });

  it('repeats (repeat_interval, retries) are idempotent: the same notification id, no second incident, one timeline entry that counts them', async () => {
    const p = notification('{}:{alertname="Repeat"}', [alert('fp-rep-1', { startsAt: nextStart() })]);
    const first = await send(p);
    const n = await count('incidents');
    const again = await send(p);
    const third = await send({ ...p, alerts: [{ ...p.alerts[0], annotations: { summary: 'value changed: 2.3%' } }] }); // annotations are not what makes a notification new
    assert.equal(again.duplicate, true);
    assert.equal(third.duplicate, true);
    assert.equal(again.notification_id, first.notification_id);
    assert.deepEqual(again.incidents, first.incidents);
    assert.equal(await count('incidents'), n);
    const inc = await incident(first.incidents[0] as string);
    const notes = inc.timeline.filter((e) => e.notification_id === first.notification_id);
    assert.equal(notes.length, 1);
    assert.equal(notes[0]?.repeats, 2);
  });

  it('alerts join the open incident of their group; a resolved notification resolves it; firing again opens a new incident; a late retry of an old notification is ignored', async () => {
    const gk = '{}:{alertname="Lifecycle"}';
    const s1 = nextStart();
    const a1 = alert('fp-life-1', { startsAt: s1 });
    const open = await send(notification(gk, [a1]));
    const id = open.incidents[0] as string;
    const a2 = alert('fp-life-2', { startsAt: nextStart() }, { instance: 'b' });
    const joined = await send(notification(gk, [a1, a2]));
    assert.deepEqual(joined.incidents, [id]);
    let inc = await incident(id);
    assert.equal(inc.alerts_total, 2);
    assert.equal(inc.alerts_firing, 2);
    // one alert resolves: the incident stays open
    await send(notification(gk, [resolvedAt(a1), a2]));
    inc = await incident(id);
    assert.equal(inc.state, 'triggered');
    assert.equal(inc.alerts_firing, 1);
    assert.equal(inc.alerts.find((x) => x.fingerprint === 'fp-life-1')?.ends_at, '2026-06-01T11:00:00.000Z');
    // every alert resolved: resolved by Alertmanager
    const done = await send(notification(gk, [resolvedAt(a2)]));
    assert.deepEqual(done.incidents, [id]);
    inc = await incident(id);
    assert.equal(inc.state, 'resolved');
    assert.deepEqual(inc.resolved_by, { type: 'alertmanager', id: null, name: null });
    assert.equal(inc.alerts_firing, 0);
    assert.equal(inc.escalation.state, 'stopped');
    assert.ok(inc.timeline.some((e) => e.kind === 'resolved' && e.actor.type === 'alertmanager'));
    // a retry of the very first notification arriving late: stale, no incident
    const late = await send(notification(gk, [a1]));
    assert.deepEqual(late.incidents, []);
    assert.equal((await incident(id)).state, 'resolved');
    // the alert fires again (a new startsAt): a new incident of the same group
    const again = await send(notification(gk, [alert('fp-life-1', { startsAt: nextStart() })]));
    assert.equal(again.incidents.length, 1);
    assert.notEqual(again.incidents[0], id);
    const reopened = await incident(again.incidents[0] as string);
    assert.equal(reopened.state, 'triggered');
    assert.equal(reopened.group_key, gk);
  });

  it('a notification whose alerts belong to several tenants opens one incident per tenant (and one for the platform): no incident holds two tenants\' alerts', async () => {
    const s = nextStart();
    const r = await send(
      notification('{}:{alertname="Mixed"}', [
        alert('mix-acme', { startsAt: s }, { tenant_id: 'acme' }),
        alert('mix-globex', { startsAt: s }, { tenant_id: 'globex' }),
        alert('mix-platform', { startsAt: s, labels: { alertname: 'HighErrorRate', severity: 'warning' } }),
      ])
    );
    assert.equal(r.incidents.length, 3);
    const incs = await Promise.all(r.incidents.map((id) => incident(id)));
    assert.deepEqual(incs.map((i) => i.tenant_id).sort(), ['acme', 'globex', null].sort());
    for (const i of incs) {
      assert.equal(i.alerts.length, 1);
      assert.equal(i.alerts[0]?.labels.tenant_id ?? null, i.tenant_id);
    }
    const platform = incs.find((i) => i.tenant_id === null) as Incident;
    assert.equal(platform.severity, 'warning');
    status(await api('GET', `/v1/incidents/${platform.id}`, as('acme-viewer')), 404);
    status(await api('GET', `/v1/incidents/${platform.id}`, as('viewer')), 200);
  });

  it('refuses what is not a v4 notification with a 400 naming the field, and stores nothing', async () => {
    const before = await count('alert_notifications');
    const ok = notification('{}:{alertname="Bad"}', [alert('bad-1')]);
    const cases: Array<[unknown, RegExp]> = [
      [{ ...ok, version: '3' }, /version/],
      [{ ...ok, groupKey: '' }, /groupKey/],
      [{ ...ok, alerts: [] }, /alerts is empty/],
      [{ ...ok, alerts: [alert('x', { startsAt: 'yesterday' })] }, /alerts\[0\]\.startsAt 'yesterday' is not an RFC 3339 instant/],
      [{ ...ok, alerts: [alert('x', { startsAt: '2026-02-30T00:00:00Z' })] }, /startsAt/],
      [{ ...ok, alerts: [alert('x', { endsAt: '' })] }, /endsAt/],
      [{ ...ok, alerts: [alert('x'), alert('x')] }, /fingerprint 'x' appears twice/],
      [{ ...ok, alerts: [alert('')] }, /fingerprint is empty/],
      [{ ...ok, status: 'resolved' }, /status is resolved but alerts\[0\] is firing/],
      [{ ...ok, alerts: [{ ...alert('x'), status: 'resolved' }] }, /resolved but its endsAt is 0001-01-01/],
      [{ ...ok, alerts: [alert('x', { status: 'pending' })] }, /status/],
      [{ ...ok, alerts: [alert('x', { labels: 'severity=critical' })] }, /labels/],
      [{ ...ok, alerts: 'x' }, /alerts/],
      [{ ...ok, truncatedAlerts: -1 }, /truncatedAlerts/],
    ];
    for (const [body, msg] of cases) {
      status(await api('POST', '/v1/alertmanager/webhook', hook, body), 400, msg);
    }
    status(await t.app.inject({ method: 'POST', url: '/v1/alertmanager/webhook', headers: { ...hook, 'content-type': 'application/json' }, payload: '{"version": "4",' }), 400);
    const plain = await t.app.inject({ method: 'POST', url: '/v1/alertmanager/webhook', headers: { ...hook, 'content-type': 'text/plain' }, payload: 'hello' });
    assert.ok(plain.statusCode === 400 || plain.statusCode === 415, plain.body);
    assert.equal(await count('alert_notifications'), before);
  });

  it('a notification stored but never applied (a crash right after the answer) is applied at the next start, by a job', async () => {
    const gk = '{}:{alertname="Crashed"}';
    const p = notification(gk, [alert('crash-1', { startsAt: nextStart() })]);
    await t.svc.db.query(`INSERT INTO alert_notifications (group_key, via, receiver, status, digest, payload) VALUES ($1, 'alertmanager', 'caas', 'firing', 'x', $2)`, [gk, JSON.stringify(p)]);
    await t.svc.incidents.start();
    await waitUntil('the stored notification applied', 20_000, async () => (await t.svc.db.query(`SELECT 1 FROM incidents WHERE group_key = $1`, [gk])).length === 1);
    const left = await t.svc.db.query(`SELECT 1 FROM alert_notifications WHERE group_key = $1 AND applied_at IS NULL`, [gk]);
    assert.equal(left.length, 0);
    const jobs = await t.svc.db.query<{ state: string }>(`SELECT state FROM jobs WHERE kind = 'incidents.apply'`);
    assert.deepEqual(jobs.map((j) => j.state), ['succeeded']);
  });

  it('text PostgreSQL cannot hold (NUL, lone surrogates) is kept in the stored notification and replaced by U+FFFD in the incident', async () => {
    const r = await send(notification('{}:{alertname="Nul\u0000"}', [alert('nul-1', { startsAt: nextStart(), annotations: { summary: 'a\u0000b\ud800c' } })]));
    const inc = await incident(r.incidents[0] as string);
    assert.equal(inc.title, 'a\ufffdb\ufffdc');
    assert.equal(inc.group_key, '{}:{alertname="Nul\ufffd"}');
    const stored = await t.svc.db.query<{ payload: string }>('SELECT payload FROM alert_notifications WHERE id = $1', [r.notification_id]);
    assert.equal((JSON.parse(stored[0]?.payload ?? '{}') as { groupKey: string }).groupKey, '{}:{alertname="Nul\u0000"}');
  });
});

describe('actions and the timeline', () => {
  let id = '';
  before(async () => {
    id = (await send(notification('{}:{alertname="Actions"}', [alert('act-1', { startsAt: nextStart() })]))).incidents[0] as string;
  });

  it('acknowledge: acknowledged by the key (id and name), escalation stopped, the timeline says who; again is a no-op', async () => {
    const res = await api('POST', `/v1/incidents/${id}/acknowledge`, as('oncall-alice'));
    status(res, 200);
    const inc = res.json() as Incident;
    assert.equal(inc.state, 'acknowledged');
    assert.deepEqual(inc.acknowledged_by, { type: 'key', id: keyIds['oncall-alice'], name: 'oncall-alice' });
    assert.equal(inc.escalation.state, 'stopped');
    assert.equal(inc.escalation.next, null);
    const ev = inc.timeline.filter((e) => e.kind === 'acknowledged');
    assert.equal(ev.length, 1);
    assert.match(ev[0]?.message ?? '', /acknowledged by oncall-alice/);
    const again = (await api('POST', `/v1/incidents/${id}/acknowledge`, t.admin)).json() as Incident;
    assert.equal(again.timeline.filter((e) => e.kind === 'acknowledged').length, 1);
    assert.equal(again.acknowledged_by?.name, 'oncall-alice');
  });

  it('unacknowledge: triggered again by whoever did it, the escalation starts over; unacknowledging a triggered incident is a 409', async () => {
    const res = await api('POST', `/v1/incidents/${id}/unacknowledge`, t.admin);
    status(res, 200);
    const inc = res.json() as Incident;
    assert.equal(inc.state, 'triggered');
    assert.equal(inc.acknowledged_by, null);
    const un = inc.timeline.find((e) => e.kind === 'unacknowledged');
    assert.equal(un?.actor.type, 'key');
    assert.equal(un?.actor.name, 'CAAS_ADMIN_KEY');
    assert.equal(inc.escalation.policy_id, 'esc-default');
    status(await api('POST', `/v1/incidents/${id}/unacknowledge`, t.admin), 409, /not acknowledged/);
  });

  it('snooze {minutes}: acknowledged until then (checked: 1 to 10080 minutes); when it ends the incident is triggered again and escalated anew', async () => {
    status(await api('POST', `/v1/incidents/${id}/snooze`, as('oncall-alice'), { minutes: 0 }), 400, /minutes/);
    status(await api('POST', `/v1/incidents/${id}/snooze`, as('oncall-alice'), { minutes: 10_081 }), 400, /minutes/);
    status(await api('POST', `/v1/incidents/${id}/snooze`, as('oncall-alice'), {}), 400, /minutes/);
    status(await api('POST', `/v1/incidents/${id}/snooze`, as('oncall-alice'), { minutes: 1.5 }), 400);
    const t0 = Date.now();
    const res = await api('POST', `/v1/incidents/${id}/snooze`, as('oncall-alice'), { minutes: 30 });
    status(res, 200);
    const inc = res.json() as Incident;
    assert.equal(inc.state, 'acknowledged');
    const until = Date.parse(inc.snoozed_until ?? '');
    assert.ok(Math.abs(until - (t0 + 30 * 60_000)) < 5000, `snoozed until ${inc.snoozed_until}`);
    assert.match(inc.timeline.find((e) => e.kind === 'snoozed')?.message ?? '', /snoozed by oncall-alice for 30 minute/);
    // the snooze's end, brought forward: its job (queued for then) runs now
    const past = (await t.svc.db.query<{ until: string }>(
      `UPDATE incidents SET snoozed_until = date_trunc('milliseconds', now()) - interval '1 second' WHERE id = $1
       RETURNING to_char(snoozed_until AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS until`,
      [id]
    ))[0]?.until;
    const moved = await t.svc.db.query(
      `UPDATE jobs SET run_after = now(), payload = jsonb_set(payload, '{until}', to_jsonb($2::text)) WHERE kind = 'incidents.snooze_end' AND state = 'queued' AND payload->>'incident_id' = $1 RETURNING id`,
      [id, past]
    );
    assert.equal(moved.length, 1, 'the snooze end was queued as a job');
    await waitUntil('the snooze ended', 20_000, async () => (await incident(id)).state === 'triggered');
    const after = await incident(id);
    assert.equal(after.snoozed_until, null);
    assert.ok(after.timeline.some((e) => e.kind === 'snooze_ended' && e.actor.type === 'system'));
  });

  it('resolve by hand: resolved by the key; acknowledging or snoozing it then is a 409; resolving again changes nothing', async () => {
    const res = await api('POST', `/v1/incidents/${id}/resolve`, as('oncall-alice'));
    status(res, 200);
    const inc = res.json() as Incident;
    assert.equal(inc.state, 'resolved');
    assert.equal(inc.resolved_by?.name, 'oncall-alice');
    status(await api('POST', `/v1/incidents/${id}/acknowledge`, as('oncall-alice')), 409, /resolved/);
    status(await api('POST', `/v1/incidents/${id}/snooze`, as('oncall-alice'), { minutes: 5 }), 409, /resolved/);
    const again = (await api('POST', `/v1/incidents/${id}/resolve`, t.admin)).json() as Incident;
    assert.equal(again.resolved_by?.name, 'oncall-alice');
    assert.equal(again.timeline.filter((e) => e.kind === 'resolved').length, 1);
  });

  it('PUT postmortem: the note with who wrote it, in the timeline; an empty text removes it; too long is a 400', async () => {
    let res = await api('PUT', `/v1/incidents/${id}/postmortem`, as('oncall-alice'), { text: '## Cause\nA bad deploy.' });
    status(res, 200);
    let inc = res.json() as Incident;
    assert.deepEqual(inc.postmortem?.text, '## Cause\nA bad deploy.');
    assert.equal(inc.postmortem?.by?.name, 'oncall-alice');
    res = await api('PUT', `/v1/incidents/${id}/postmortem`, t.admin, { text: '## Cause\nA bad deploy, rolled back.' });
    inc = res.json() as Incident;
    assert.match(inc.timeline.filter((e) => e.kind === 'postmortem').at(-1)?.message ?? '', /changed by CAAS_ADMIN_KEY/);
    status(await api('PUT', `/v1/incidents/${id}/postmortem`, t.admin, { text: 'x'.repeat(100_001) }), 400);
    status(await api('PUT', `/v1/incidents/${id}/postmortem`, t.admin, { note: 'x' }), 400);
    inc = (await api('PUT', `/v1/incidents/${id}/postmortem`, t.admin, { text: '' })).json() as Incident;
    assert.equal(inc.postmortem, null);
  });

  it('the timeline lists everything in order: triggered, acknowledged, unacknowledged, snoozed, snooze_ended, resolved, postmortem', async () => {
    const kinds = (await incident(id)).timeline.map((e) => e.kind).filter((k) => k !== 'page' && k !== 'escalation');
    assert.deepEqual(kinds, ['triggered', 'acknowledged', 'unacknowledged', 'snoozed', 'snooze_ended', 'resolved', 'postmortem', 'postmortem', 'postmortem']);
  });

  it('the seed\'s POST /monitoring/alerts/:id/acknowledge acknowledges the incident GET /monitoring/alerts lists', async () => {
    const fresh = (await send(notification('{}:{alertname="Mon"}', [alert('mon-1', { startsAt: nextStart() })]))).incidents[0] as string;
    const list = (await api('GET', '/monitoring/alerts', as('acme-viewer'))).json() as { incidents: Incident[] };
    assert.equal(list.incidents[0]?.id, fresh, 'newest first');
    assert.equal(list.incidents[0]?.alerts[0]?.fingerprint, 'mon-1');
    assert.ok(list.incidents.every((i) => i.state !== 'resolved' && i.tenant_id === 'acme'));
    const res = await api('POST', `/monitoring/alerts/${fresh}/acknowledge`, as('oncall-alice'));
    status(res, 200);
    assert.equal((res.json() as Incident).state, 'acknowledged');
    const withResolved = (await api('GET', '/monitoring/alerts?include_resolved=true', as('acme-viewer'))).json() as { incidents: Incident[] };
    assert.ok(withResolved.incidents.some((i) => i.state === 'resolved'));
  });
});

describe('listing: filters and pages', () => {
  it('GET /v1/incidents: newest first, by state, severity, tenant and since; cursor pages never repeat or skip', async () => {
    const all = (await api('GET', '/v1/incidents?limit=500', t.admin)).json() as { incidents: Incident[]; next_cursor: string | null };
    assert.ok(all.incidents.length >= 8);
    const times = all.incidents.map((i) => i.created_at);
    assert.deepEqual([...times].sort().reverse(), times);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = (await api('GET', `/v1/incidents?limit=3${cursor ? `&cursor=${cursor}` : ''}`, t.admin)).json() as { incidents: Incident[]; next_cursor: string | null };
      assert.ok(page.incidents.length <= 3);
      seen.push(...page.incidents.map((i) => i.id));
      cursor = page.next_cursor;
    } while (cursor);
    assert.deepEqual(seen, all.incidents.map((i) => i.id));
    const resolved = (await api('GET', '/v1/incidents?state=resolved', t.admin)).json() as { incidents: Incident[] };
    assert.ok(resolved.incidents.length > 0 && resolved.incidents.every((i) => i.state === 'resolved'));
    const warning = (await api('GET', '/v1/incidents?severity=warning', t.admin)).json() as { incidents: Incident[] };
    assert.ok(warning.incidents.length > 0 && warning.incidents.every((i) => i.severity === 'warning'));
    const globex = (await api('GET', '/v1/incidents?tenant_id=globex', as('viewer'))).json() as { incidents: Incident[] };
    assert.ok(globex.incidents.length > 0 && globex.incidents.every((i) => i.tenant_id === 'globex'));
    const future = (await api('GET', `/v1/incidents?since=${encodeURIComponent(iso(Date.now() + 3_600_000))}`, t.admin)).json() as { incidents: Incident[] };
    assert.deepEqual(future.incidents, []);
    const recent = (await api('GET', `/v1/incidents?since=${encodeURIComponent(iso(Date.now() - 3_600_000))}`, t.admin)).json() as { incidents: Incident[] };
    assert.equal(recent.incidents.length, all.incidents.length);
    status(await api('GET', '/v1/incidents?since=yesterday', t.admin), 400, /since 'yesterday' is not an RFC 3339 instant/);
    status(await api('GET', '/v1/incidents?cursor=abc', t.admin), 400, /cursor/);
    status(await api('GET', '/v1/incidents?state=open', t.admin), 400, /triggered, acknowledged, resolved/);
    status(await api('GET', '/v1/incidents?limit=0', t.admin), 400);
    status(await api('GET', '/v1/incidents?status=resolved', t.admin), 400, /unknown query parameter 'status'/);
    status(await api('GET', '/monitoring/alerts?state=resolved', t.admin), 400, /unknown query parameter 'state'/);
  });
});

describe('tenant isolation and access on every route', () => {
  let acmeId = '';
  before(async () => {
    acmeId = (await send(notification('{}:{alertname="Iso"}', [alert('iso-1', { startsAt: nextStart() })]))).incidents[0] as string;
  });

  it("another tenant's keys get a 404 for an acme incident on every route, and never see it in a list", async () => {
    for (const k of ['globex-admin', 'globex-viewer']) {
      status(await api('GET', `/v1/incidents/${acmeId}`, as(k)), 404, /not found for tenant 'globex'/);
      const list = (await api('GET', '/v1/incidents?limit=500', as(k))).json() as { incidents: Incident[] };
      assert.ok(list.incidents.length > 0);
      assert.ok(list.incidents.every((i) => i.tenant_id === 'globex'), 'only globex incidents');
      const mon = (await api('GET', '/monitoring/alerts?include_resolved=true&limit=500', as(k))).json() as { incidents: Incident[] };
      assert.ok(mon.incidents.every((i) => i.tenant_id === 'globex'));
      status(await api('GET', '/v1/incidents?tenant_id=acme', as(k)), 403);
      status(await api('GET', '/monitoring/alerts?tenant_id=acme', as(k)), 403);
    }
    for (const action of ['acknowledge', 'unacknowledge', 'resolve']) {
      status(await api('POST', `/v1/incidents/${acmeId}/${action}`, as('globex-admin')), 404);
    }
    status(await api('POST', `/v1/incidents/${acmeId}/snooze`, as('globex-admin'), { minutes: 5 }), 404);
    status(await api('PUT', `/v1/incidents/${acmeId}/postmortem`, as('globex-admin'), { text: 'mine now' }), 404);
    status(await api('POST', `/monitoring/alerts/${acmeId}/acknowledge`, as('globex-admin')), 404);
    const inc = await incident(acmeId);
    assert.equal(inc.state, 'triggered');
    assert.equal(inc.postmortem, null);
  });

  it('routes declare their access: the webhook its secret, every reader reads, admin, responder and tenant-admin act on incidents, admin and tenant-admin change policies', () => {
    const mine = t.app.routeTable.filter((r) => r.url.startsWith('/v1/incidents') || r.url.startsWith('/monitoring/alerts') || r.url.startsWith('/v1/escalation-policies') || r.url === '/v1/alertmanager/webhook');
    const access = Object.fromEntries(
      mine.map((r) => [`${r.method} ${r.url}`, r.access.kind === 'api-key' ? `${r.access.writes ? 'writes' : 'reads'}:${r.access.roles.join(',')}` : r.access.kind === 'webhook' ? `webhook:${r.access.secret}` : 'other'])
    );
    const R = 'reads:admin,viewer,responder,tenant-admin,tenant-viewer';
    const A = 'writes:admin,responder,tenant-admin';
    const W = 'writes:admin,tenant-admin';
    assert.deepEqual(access, {
      'POST /v1/alertmanager/webhook': 'webhook:alertmanager',
      'GET /v1/incidents': R,
      'GET /v1/incidents/:id': R,
      'POST /v1/incidents/:id/acknowledge': A,
      'POST /v1/incidents/:id/unacknowledge': A,
      'POST /v1/incidents/:id/resolve': A,
      'POST /v1/incidents/:id/snooze': A,
      'PUT /v1/incidents/:id/postmortem': A,
      // signed action links of channel messages (test/channels.test.ts): no key, the link grants one action
      'GET /v1/incidents/:id/actions/:action': 'other',
      'POST /v1/incidents/:id/actions/:action': 'other',
      'GET /monitoring/alerts': R,
      'POST /monitoring/alerts/:id/acknowledge': A,
      'GET /v1/escalation-policies': R,
      'GET /v1/escalation-policies/:id': R,
      'POST /v1/escalation-policies': W,
      'PUT /v1/escalation-policies/:id': W,
      'DELETE /v1/escalation-policies/:id': W,
    });
  });

  it('who may do what: viewers and tenant-viewers read, only admin and tenant-admin act, ingest keys and no key do neither', async () => {
    status(await api('GET', `/v1/incidents/${acmeId}`, as('acme-viewer')), 200);
    status(await api('GET', `/v1/incidents/${acmeId}`, as('viewer')), 200);
    status(await api('GET', '/v1/incidents', as('acme-ingest')), 403);
    status(await api('GET', '/v1/incidents', {}), 401);
    status(await api('GET', '/monitoring/alerts', as('acme-ingest')), 403);
    for (const k of ['viewer', 'acme-viewer', 'acme-ingest']) {
      status(await api('POST', `/v1/incidents/${acmeId}/acknowledge`, as(k)), 403);
      status(await api('POST', `/monitoring/alerts/${acmeId}/acknowledge`, as(k)), 403);
      status(await api('PUT', `/v1/incidents/${acmeId}/postmortem`, as(k), { text: 'x' }), 403);
    }
    status(await api('POST', `/v1/incidents/${acmeId}/acknowledge`, {}), 401);
    status(await api('GET', '/v1/incidents/inc_0000000000000000', t.admin), 404);
    status(await api('GET', `/v1/incidents/${encodeSegment("'; DROP TABLE incidents; --")}`, t.admin), 404);
    assert.equal((await incident(acmeId)).state, 'triggered');
  });

  it('a responder key (what Grafana Editors send) acts on any tenant\'s incident and says who did it, but changes no policy, key or rule', async () => {
    const id = (await send(notification('{}:{alertname="Responder"}', [alert('resp-1', { startsAt: nextStart() }, { tenant_id: 'globex' })]))).incidents[0] as string;
    status(await api('GET', `/v1/incidents/${id}`, as('responder')), 200);
    status(await api('POST', `/v1/incidents/${id}/acknowledge`, as('responder')), 200);
    const inc = await incident(id);
    assert.equal(inc.state, 'acknowledged');
    assert.equal(inc.acknowledged_by?.id, keyIds.responder);
    status(await api('PUT', `/v1/incidents/${id}/postmortem`, as('responder'), { text: 'restarted the gateway' }), 200);
    status(await api('POST', `/v1/incidents/${id}/resolve`, as('responder')), 200);
    assert.equal((await incident(id)).state, 'resolved');
    const policy = { name: 'mine', steps: [{ wait_minutes: 0, targets: [{ type: 'user', user: 'me' }] }] };
    status(await api('POST', '/v1/escalation-policies', as('responder'), policy), 403);
    status(await api('DELETE', '/v1/escalation-policies/esc-default', as('responder')), 403);
    status(await api('POST', '/v1/keys', as('responder'), { role: 'admin' }), 403);
    status(await api('POST', '/v1/alerts/metric-rules', as('responder'), {}), 403);
    // a responder belongs to no tenant, like admin and viewer keys
    status(await api('POST', '/v1/keys', t.admin, { role: 'responder', tenant_id: 'acme' }), 400, /belongs to no tenant/);
  });
});

describe('escalation policies', () => {
  it('the seed ladder is the default platform policy: at once Slack + email; 15 min PagerDuty + SMS; 30 min phone; 1 h manager', async () => {
    const res = await api('GET', '/v1/escalation-policies', as('acme-viewer'));
    status(res, 200);
    const { policies } = res.json() as { policies: Array<{ id: string; is_default: boolean; tenant_id: string | null; steps: typeof DEFAULT_LADDER.steps; origin: string }> };
    const def = policies.find((p) => p.id === 'esc-default');
    assert.ok(def?.is_default && def.tenant_id === null && def.origin === 'standard');
    assert.deepEqual(def.steps, DEFAULT_LADDER.steps);
    let at = 0;
    const ladder = def.steps.map((s) => [(at += s.wait_minutes), s.targets.map((x) => ('channel' in x ? x.channel : 'user' in x ? x.user : ''))]);
    assert.deepEqual(ladder, [
      [0, ['slack', 'email']],
      [15, ['pagerduty', 'sms']],
      [30, ['phone']],
      [60, ['manager']],
    ]);
  });

  it('a new incident runs the default ladder: its first step pages at once; the pages a channel cannot deliver yet are recorded and say so', async () => {
    const id = (await send(notification('{}:{alertname="Ladder"}', [alert('lad-1', { startsAt: nextStart() })]))).incidents[0] as string;
    await waitUntil('the first step paged', 20_000, async () => (await incident(id)).timeline.filter((e) => e.kind === 'page' && e.detail.outcome).length === 2);
    const inc = await incident(id);
    const pages = inc.timeline.filter((e) => e.kind === 'page');
    assert.deepEqual(pages.map((p) => (p.detail.target as { channel: string }).channel), ['slack', 'email']);
    for (const p of pages) {
      assert.equal(p.detail.outcome?.status, 'recorded');
      assert.match(p.detail.outcome?.note ?? '', /recorded, not sent/);
    }
    assert.equal(inc.escalation.state, 'running');
    assert.deepEqual(inc.escalation.next && [inc.escalation.next.pass, inc.escalation.next.step], [0, 1]);
    assert.ok(Math.abs(Date.parse(inc.escalation.next?.at ?? '') - (Date.now() + 15 * 60_000)) < 60_000, `step 2 is due in 15 minutes: ${inc.escalation.next?.at}`);
    await api('POST', `/v1/incidents/${id}/resolve`, t.admin);
  });

  it("a tenant's default policy: pages go through the platform's delivery to a real receiver and to whoever is on call in a schedule; acknowledge stops every further page, even a step job that runs anyway; the acknowledger is reminded", async () => {
    // the schedule the policy names: alice, every day, around the clock
    status(await api('POST', '/v1/oncall/responders', as('oncall-alice'), { id: 'alice', name: 'Alice Acme', email: 'alice@acme.example' }), 201);
    status(
      await api('POST', '/v1/oncall/schedules', as('oncall-alice'), {
        id: 'acme-primary',
        name: 'acme primary',
        time_zone: 'Europe/Berlin',
        layers: [{ name: 'everyone', participants: ['alice'], rotation: 'daily', handoff: '09:00', starts_at: '2026-01-01' }],
      }),
      201
    );
    const created = await api('POST', '/v1/escalation-policies', as('oncall-alice'), {
      id: 'acme-oncall',
      name: 'acme on-call',
      is_default: true,
      steps: [
        { wait_minutes: 0, targets: [{ type: 'channel', channel: 'webhook', address: receiverUrl }, { type: 'schedule', schedule: 'acme-primary' }] },
        { wait_minutes: 5, targets: [{ type: 'channel', channel: 'webhook', address: receiverUrl }], important: true },
      ],
      reminder_minutes: 10,
    });
    status(created, 201);
    assert.equal((created.json() as { tenant_id: string }).tenant_id, 'acme');
    const before = received.length;
    const id = (await send(notification('{}:{alertname="Paged"}', [alert('page-1', { startsAt: nextStart() })]))).incidents[0] as string;
    await waitUntil('the receiver got the first page', 20_000, () => received.length > before);
    await waitUntil('both outcomes recorded', 20_000, async () => (await incident(id)).timeline.filter((e) => e.kind === 'page' && e.detail.outcome).length === 2);
    let inc = await incident(id);
    assert.equal(inc.escalation.policy_id, 'acme-oncall');
    const [hookPage, schedulePage] = inc.timeline.filter((e) => e.kind === 'page');
    assert.equal(hookPage?.detail.outcome?.status, 'queued');
    assert.match(hookPage?.delivery_id ?? '', /^dlv_/);
    const body = JSON.parse(received.at(-1)?.body ?? '{}') as { incident: { id: string; title: string }; reason: string };
    assert.equal(body.incident.id, id);
    assert.equal(body.reason, 'escalation');
    const dlv = await api('GET', `/v1/deliveries/${hookPage?.delivery_id}`, as('acme-viewer'));
    status(dlv, 200);
    // whoever is on call in acme-primary (alice) is emailed, through the same delivery
    assert.match(schedulePage?.message ?? '', /acme-primary/);
    assert.equal(schedulePage?.detail.outcome?.status, 'queued', JSON.stringify(schedulePage?.detail.outcome));
    assert.match(schedulePage?.detail.outcome?.note ?? '', /email/);
    const mail = await api('GET', `/v1/deliveries/${schedulePage?.delivery_id}`, as('acme-viewer'));
    status(mail, 200);
    assert.match(JSON.stringify(mail.json()), /alice@acme\.example|a\*+@acme\.example|acme\.example/);
    const step2 = await t.svc.db.query<{ id: string }>(`SELECT id::text AS id FROM jobs WHERE kind = $1 AND state = 'queued' AND payload->>'incident_id' = $2`, [INCIDENT_ESCALATE_KIND, id]);
    assert.equal(step2.length, 1, 'step 2 waits as a queued job');
    const genBefore = (await t.svc.db.query<{ g: number }>('SELECT escalation_generation AS g FROM incidents WHERE id = $1', [id]))[0]?.g;

    status(await api('POST', `/v1/incidents/${id}/acknowledge`, as('oncall-alice')), 200);
    const job = await t.svc.db.query<{ state: string }>('SELECT state FROM jobs WHERE id = $1', [step2[0]?.id]);
    assert.equal(job[0]?.state, 'cancelled', 'the queued step was cancelled');
    // a step job of the old generation that runs anyway (taken over, enqueued in a race) pages nobody
    const late = await t.svc.jobs.enqueue({ kind: INCIDENT_ESCALATE_KIND, tenantId: 'acme', payload: { incident_id: id, generation: genBefore, pass: 0, step: 1 } });
    await waitUntil('the late step ran', 20_000, async () => (await t.svc.jobs.get(late.id, null))?.state === 'succeeded');
    inc = await incident(id);
    assert.equal(inc.timeline.filter((e) => e.kind === 'page').length, 2, 'no page after the acknowledge');
    const pagesAtAck = received.length;
    // the reminder (due in 10 minutes) brought forward
    const moved = await t.svc.db.query(`UPDATE jobs SET run_after = now() WHERE kind = 'incidents.remind' AND state = 'queued' AND payload->>'incident_id' = $1 RETURNING id`, [id]);
    assert.equal(moved.length, 1, 'a reminder was queued');
    await waitUntil('the reminder', 20_000, async () => (await incident(id)).timeline.some((e) => e.kind === 'reminder' && e.detail.outcome));
    inc = await incident(id);
    const reminder = inc.timeline.find((e) => e.kind === 'reminder');
    assert.match(reminder?.message ?? '', /reminding oncall-alice \(who acknowledged\)/);
    assert.equal(received.length, pagesAtAck, 'nothing was sent to the escalation receiver after the acknowledge');
    // unacknowledge: the ladder starts over and pages again
    status(await api('POST', `/v1/incidents/${id}/unacknowledge`, as('oncall-alice')), 200);
    await waitUntil('paged again', 20_000, () => received.length > pagesAtAck);
    inc = await incident(id);
    assert.equal(inc.timeline.filter((e) => e.kind === 'page').length, 4);
    await api('POST', `/v1/incidents/${id}/resolve`, t.admin);
    assert.equal((await incident(id)).escalation.state, 'stopped');
  });

  it('policy access: a tenant sees its own and the platform\'s, changes only its own; bad policies are 400s naming what is wrong; one default per tenant', async () => {
    const globex = (await api('GET', '/v1/escalation-policies', as('globex-viewer'))).json() as { policies: Array<{ id: string }> };
    assert.ok(!globex.policies.some((p) => p.id === 'acme-oncall'));
    assert.ok(globex.policies.some((p) => p.id === 'esc-default'));
    status(await api('GET', '/v1/escalation-policies/acme-oncall', as('globex-viewer')), 404);
    status(await api('DELETE', '/v1/escalation-policies/acme-oncall', as('globex-admin')), 404);
    status(await api('PUT', '/v1/escalation-policies/esc-default', as('globex-admin'), { name: 'x', steps: [{ wait_minutes: 0, targets: [{ type: 'user', user: 'me' }] }] }), 403, /platform policy/);
    status(await api('POST', '/v1/escalation-policies', as('globex-admin'), { name: 'x', tenant_id: 'acme', steps: [{ wait_minutes: 0, targets: [{ type: 'user', user: 'me' }] }] }), 403);
    status(await api('POST', '/v1/escalation-policies', as('acme-viewer'), { name: 'x', steps: [{ wait_minutes: 0, targets: [{ type: 'user', user: 'me' }] }] }), 403);
    status(await api('POST', '/v1/escalation-policies', t.admin, { name: 'x', steps: [] }), 400, /steps/);
    status(await api('POST', '/v1/escalation-policies', t.admin, { name: 'x', steps: [{ wait_minutes: 0, targets: [] }] }), 400, /targets/);
    status(await api('POST', '/v1/escalation-policies', t.admin, { name: 'x', steps: [{ wait_minutes: 0, targets: [{ type: 'channel', channel: 'carrier-pigeon' }] }] }), 400);
    status(await api('POST', '/v1/escalation-policies', t.admin, { name: 'x', steps: [{ wait_minutes: 0, targets: [{ type: 'user', user: 'me' }] }], repeat: { times: 2, after_minutes: 0 } }), 400, /repeat/);
    status(await api('POST', '/v1/escalation-policies', t.admin, { name: 'x', tenant_id: 'nope', steps: [{ wait_minutes: 0, targets: [{ type: 'user', user: 'me' }] }] }), 400, /tenant 'nope' does not exist/);
    status(await api('POST', '/v1/escalation-policies', as('oncall-alice'), { name: 'second default', is_default: true, steps: [{ wait_minutes: 0, targets: [{ type: 'user', user: 'me' }] }] }), 409, /default policy already/);
    status(await api('POST', '/v1/escalation-policies', as('oncall-alice'), { id: 'acme-oncall', name: 'dup', steps: [{ wait_minutes: 0, targets: [{ type: 'user', user: 'me' }] }] }), 409);
    const put = await api('PUT', '/v1/escalation-policies/acme-oncall', as('oncall-alice'), { name: 'acme on-call v2', is_default: true, steps: [{ wait_minutes: 1, targets: [{ type: 'user', user: 'bob' }] }] });
    status(put, 200);
    assert.equal((put.json() as { name: string }).name, 'acme on-call v2');
    status(await api('DELETE', '/v1/escalation-policies/acme-oncall', as('oncall-alice')), 200);
    status(await api('GET', '/v1/escalation-policies/acme-oncall', t.admin), 404);
  });
});

describe('property tests', () => {
  const text = endpointText(['{}:{alertname="X"}', 'firing', 'resolved', GO_ZERO_TIME, 'tenant_id', "'; DROP TABLE incidents; --"]);
  const str = (max: number) => fc.oneof(hostileString(max), text, fc.constantFrom(...CONTROL, ...SQLISH, ...UNICODE));
  const instant = fc.oneof(
    { weight: 4, arbitrary: fc.integer({ min: Date.parse('2000-01-01'), max: Date.parse('2100-01-01') }).map(iso) },
    { weight: 1, arbitrary: fc.constantFrom(GO_ZERO_TIME, '2026-06-01T10:00:00.123456789+02:00', '2026-06-01T10:00:00Z', '9999-12-31T23:59:59Z', '0000-01-01T00:00:00Z') },
    { weight: 1, arbitrary: str(40) },
    { weight: 1, arbitrary: wrongType }
  );
  const labels = fc.oneof(
    { weight: 4, arbitrary: fc.dictionary(fc.oneof(fc.constantFrom('alertname', 'severity', 'tenant_id', 'service', '__proto__', 'constructor'), str(20)), str(80), { maxKeys: 6 }) },
    { weight: 1, arbitrary: wrongType }
  );
  const anAlert = fc.record(
    {
      status: fc.oneof({ weight: 4, arbitrary: fc.constantFrom('firing', 'resolved') }, { weight: 1, arbitrary: str(10) }),
      labels,
      annotations: labels,
      startsAt: instant,
      endsAt: fc.oneof(fc.constant(GO_ZERO_TIME), instant),
      generatorURL: fc.oneof(fc.webUrl(), str(60)),
      fingerprint: fc.oneof(fc.stringMatching(/^[0-9a-f]{1,16}$/), str(30)),
      extra: fc.jsonValue({ maxDepth: 1 }),
    },
    { requiredKeys: ['status', 'labels', 'annotations', 'startsAt', 'endsAt', 'generatorURL', 'fingerprint'] }
  );
  const payload = fc.record(
    {
      version: fc.oneof({ weight: 5, arbitrary: fc.constant('4') }, { weight: 1, arbitrary: fc.oneof(str(5), wrongType) }),
      groupKey: fc.oneof(str(200), fc.constant('{}:{alertname="Prop"}')),
      truncatedAlerts: fc.oneof({ weight: 5, arbitrary: fc.nat(10) }, { weight: 1, arbitrary: hostileNumber }),
      status: fc.oneof({ weight: 5, arbitrary: fc.constantFrom('firing', 'resolved') }, { weight: 1, arbitrary: str(10) }),
      receiver: str(40),
      groupLabels: labels,
      commonLabels: labels,
      commonAnnotations: labels,
      externalURL: str(60),
      alerts: fc.oneof({ weight: 6, arbitrary: fc.array(anAlert, { maxLength: 5 }) }, { weight: 1, arbitrary: wrongType }),
    },
    { requiredKeys: ['version', 'groupKey', 'status', 'alerts'] }
  );

  it('any payload: never a 5xx; a refused one stores nothing, an accepted one is stored and its incidents read back', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof({ weight: 6, arbitrary: payload }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) }), async (p) => {
        const before = await count('alert_notifications');
        const res = await t.app.inject({ method: 'POST', url: '/v1/alertmanager/webhook', headers: { ...hook, 'content-type': 'application/json' }, payload: toJson(p) });
        assert.ok(res.statusCode < 500, `${res.statusCode}: ${res.body.slice(0, 300)}`);
        if (res.statusCode === 200) {
          const a = res.json() as Accepted;
          assert.equal(a.applied, true, 'applied at once');
          const stored = await t.svc.db.query('SELECT 1 FROM alert_notifications WHERE id = $1', [a.notification_id]);
          assert.equal(stored.length, 1);
          for (const id of a.incidents) {
            const r = await api('GET', `/v1/incidents/${id}`, t.admin);
            assert.equal(r.statusCode, 200, r.body.slice(0, 300));
          }
        } else {
          assert.ok(res.statusCode >= 400, `${res.statusCode}`);
          assert.ok(errorOf(res).message.length > 0);
          assert.equal(await count('alert_notifications'), before, 'a refused notification is not stored');
        }
      }),
      { numRuns: 150 }
    );
  });

  it('any query, path or body on the incident routes: never a 5xx, and a tenant key never reads another tenant\'s incident', async () => {
    const acme = (await api('GET', '/v1/incidents?tenant_id=acme&limit=1', t.admin)).json() as { incidents: Incident[] };
    const acmeId = acme.incidents[0]?.id as string;
    const key = fc.constantFrom('admin', 'viewer', 'oncall-alice', 'acme-viewer', 'globex-admin', 'globex-viewer', 'acme-ingest', 'none');
    const headersOf = (k: string): Record<string, string> => (k === 'admin' ? t.admin : k === 'none' ? {} : as(k));
    const idArb = fc.oneof(fc.constant(acmeId), fc.constant('inc_0000000000000000'), text, str(30));
    const query = fc.dictionary(fc.oneof(fc.constantFrom('state', 'severity', 'tenant_id', 'since', 'cursor', 'limit', 'include_resolved'), str(10)), fc.oneof(str(30), fc.constantFrom('acme', 'globex', 'resolved', '1', '-1', '9'.repeat(30))), { maxKeys: 3 });
    const route = fc.constantFrom('list', 'monitoring', 'get', 'acknowledge', 'unacknowledge', 'resolve', 'snooze', 'postmortem', 'mon-ack');
    await fc.assert(
      fc.asyncProperty(route, key, idArb, query, fc.oneof(fc.record({ minutes: fc.oneof(fc.integer(), hostileNumber) }), fc.record({ text: str(200) }), fc.jsonValue({ maxDepth: 2 })), async (r, k, id, q, body) => {
        const qs = Object.entries(q)
          .map(([a, b]) => `${encodeSegment(a)}=${encodeSegment(b)}`)
          .join('&');
        const seg = encodeSegment(id);
        const [method, url] =
          r === 'list'
            ? ['GET', `/v1/incidents?${qs}`]
            : r === 'monitoring'
              ? ['GET', `/monitoring/alerts?${qs}`]
              : r === 'get'
                ? ['GET', `/v1/incidents/${seg}`]
                : r === 'postmortem'
                  ? ['PUT', `/v1/incidents/${seg}/postmortem`]
                  : r === 'mon-ack'
                    ? ['POST', `/monitoring/alerts/${seg}/acknowledge`]
                    : ['POST', `/v1/incidents/${seg}/${r}`];
        const res = await t.app.inject({
          method: method as 'GET',
          url,
          headers: { ...headersOf(k), ...(method === 'GET' ? {} : { 'content-type': 'application/json' }) },
          ...(method === 'GET' ? {} : { payload: toJson(body) }),
        });
        assert.ok(res.statusCode < 500, `${method} ${url}: ${res.statusCode} ${res.body.slice(0, 300)}`);
        if (res.statusCode === 200 && k.startsWith('globex')) {
          const b = res.json() as { incidents?: Incident[]; tenant_id?: string | null };
          for (const i of b.incidents ?? [b as Incident]) {
            assert.equal(i.tenant_id, 'globex', `${method} ${url} showed a ${String(i.tenant_id)} incident to a globex key`);
          }
        }
      }),
      { numRuns: 200 }
    );
  });
});
