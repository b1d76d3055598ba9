import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import PostalMime from 'postal-mime';
import { SMTPServer } from 'smtp-server';
import { GO_ZERO_TIME } from '../src/alerts/alertmanager/webhook.js';
import { INCIDENT_ESCALATE_KIND } from '../src/alerts/incidents/service.js';
import { verifySignature } from '../src/delivery/signature.js';
import { waitUntil } from './child-process.js';
import { createTenant, startApp, type TestApp } from './helpers.js';

/**
 * Alert channels end to end on a real backend (issue "Alert management", items 2 and 6): every kind through the
 * platform's delivery and its real job runner — email to a real SMTP server (smtp-server), Slack, PagerDuty and the
 * Twilio-style SMS / voice provider recorded by a local HTTP receiver, the generic webhook verified with its signature —
 * then an incident escalated through the default ladder (Slack + email at step 1, PagerDuty + SMS at step 2), the
 * Slack message's signed Acknowledge link (GET changes nothing, POST acknowledges; tampered 401, expired 410), and the
 * acknowledge telling PagerDuty and stopping every later step.
 *
 *   cd backend && node --import tsx --test test/channels.test.ts
 */
const AM_SECRET = 'am-webhook-secret-0123456789abcdef';
const PUBLIC_URL = 'http://caas.example.test:8080';
const SLACK_TOKEN = 'xoxSLACKTOKEN0123456789abcdef';
const PD_KEY = 'pdROUTINGKEY0123456789abcdef';
const TW_SID = 'AC0123456789abcdef';
const TW_TOKEN = 'twAUTHTOKEN0123456789abcdef';
const HOOK_SECRET = 'hookSIGNINGSECRET0123456789abcdef';

interface Hit {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}
let t: TestApp;
let receiver: Server;
let base = '';
const hits: Hit[] = [];
let smtp: SMTPServer;
const mails: Array<{ raw: Buffer; rcpt: string[] }> = [];
const ids: Record<string, string> = {};

const api = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown, headers: Record<string, string> = t.admin) =>
  t.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });

async function delivered(id: string): Promise<void> {
  await waitUntil(`delivery ${id} sent`, 20_000, async () => {
    const d = await t.svc.deliveries.get(id, null);
    if (d?.status === 'failed') {
      throw new Error(`delivery ${id} failed: ${d.last_error}`);
    }
    return d?.status === 'sent';
  });
}
const hitsAt = (prefix: string) => hits.filter((h) => h.path.startsWith(prefix));

before(async () => {
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      hits.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(req.url?.startsWith('/pd') ? 202 : 200, { 'content-type': 'application/json' }).end('{"status":"success"}');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push({ raw: Buffer.concat(chunks), rcpt: session.envelope.rcptTo.map((r) => r.address) });
        cb();
      });
    },
  });
  await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
  const smtpPort = (smtp.server.address() as AddressInfo).port;
  t = await startApp({
    ALERTMANAGER_WEBHOOK_SECRET: AM_SECRET,
    DELIVERY_ALLOW_PRIVATE: 'true',
    JOBS_POLL_MS: '50',
    PUBLIC_URL,
    SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
  });
  await createTenant(t, 'acme');
  const create = async (name: string, body: Record<string, unknown>) => {
    const res = await api('POST', '/v1/alerts/channels', { tenant_id: 'acme', name, ...body });
    assert.equal(res.statusCode, 201, res.body);
    ids[name] = (res.json() as { id: string }).id;
  };
  await create('ops-mail', { kind: 'email', settings: { to: ['oncall@acme.test'] } });
  await create('ops-slack', { kind: 'slack', secret: { webhook_url: `${base}/slack/T000/B000/${SLACK_TOKEN}` } });
  await create('ops-pd', { kind: 'pagerduty', settings: { api_url: `${base}/pd/v2/enqueue` }, secret: { routing_key: PD_KEY } });
  await create('ops-sms', { kind: 'sms', settings: { api_url: `${base}/twilio/sms`, from: '+15005550006', to: ['+4915112345678'] }, secret: { account_sid: TW_SID, auth_token: TW_TOKEN } });
  await create('ops-phone', { kind: 'phone', settings: { api_url: `${base}/twilio/call`, from: '+15005550006', to: ['+4915112345678'] }, secret: { account_sid: TW_SID, auth_token: TW_TOKEN } });
  await create('ops-hook', { kind: 'webhook', settings: { url: `${base}/hook` }, secret: { signing_secret: HOOK_SECRET } });
});
after(async () => {
  await t?.close();
  receiver?.closeAllConnections();
  receiver?.close();
  await new Promise<void>((r) => (smtp ? smtp.close(() => r()) : r()));
});

async function testChannel(name: string): Promise<string> {
  const res = await api('POST', `/v1/alerts/channels/${ids[name]}/test`);
  assert.equal(res.statusCode, 200, res.body);
  const id = (res.json() as { delivery_id: string }).delivery_id;
  assert.match(id, /^dlv_/);
  await delivered(id);
  return id;
}

describe('each kind of channel, through the real delivery', () => {
  it('Slack: a Block Kit message (header, severity/service/tenant fields, buttons) POSTed to the incoming webhook', async () => {
    await testChannel('ops-slack');
    const h = hitsAt('/slack/').at(-1) as Hit;
    assert.equal(h.path, `/slack/T000/B000/${SLACK_TOKEN}`);
    assert.match(String(h.headers['content-type']), /application\/json/);
    const body = JSON.parse(h.body) as { text: string; blocks: Array<{ type: string; text?: { text: string }; fields?: Array<{ text: string }>; elements?: Array<{ type: string; url?: string }> }> };
    assert.match(body.text, /^\[TEST\]/);
    assert.deepEqual(body.blocks.map((b) => b.type), ['header', 'section', 'context', 'actions']);
    assert.match(body.blocks[0]?.text?.text ?? '', /Test of channel ops-slack/);
    const fields = body.blocks[1]?.fields?.map((f) => f.text) ?? [];
    assert.ok(fields.includes('*Severity*\ninfo') && fields.includes('*Tenant*\nacme') && fields.some((f) => f.startsWith('*Service*')), JSON.stringify(fields));
  });

  it('PagerDuty: Events API v2 trigger with routing_key, dedup_key and payload {summary, source, severity}', async () => {
    await testChannel('ops-pd');
    const h = hitsAt('/pd/').at(-1) as Hit;
    const body = JSON.parse(h.body) as { routing_key: string; event_action: string; dedup_key: string; payload: { summary: string; source: string; severity: string; group: string } };
    assert.equal(body.routing_key, PD_KEY);
    assert.equal(body.event_action, 'trigger');
    assert.match(body.dedup_key, /:test$/, 'a test never dedups with a real incident');
    assert.equal(body.payload.severity, 'info');
    assert.equal(body.payload.source, 'caas/acme');
    assert.equal(body.payload.group, 'acme');
    assert.match(body.payload.summary, /\[TEST\]/);
  });

  it('SMS and phone: Twilio-style form posts (To, From, Body / Twiml) with Basic auth sid:token', async () => {
    await testChannel('ops-sms');
    await testChannel('ops-phone');
    const auth = `Basic ${Buffer.from(`${TW_SID}:${TW_TOKEN}`).toString('base64')}`;
    const sms = hitsAt('/twilio/sms').at(-1) as Hit;
    assert.equal(sms.headers['content-type'], 'application/x-www-form-urlencoded');
    assert.equal(sms.headers.authorization, auth);
    const f = new URLSearchParams(sms.body);
    assert.equal(f.get('To'), '+4915112345678');
    assert.equal(f.get('From'), '+15005550006');
    assert.match(f.get('Body') ?? '', /\[TEST\].*Test of channel ops-sms/);
    const call = hitsAt('/twilio/call').at(-1) as Hit;
    assert.equal(call.headers.authorization, auth);
    const twiml = new URLSearchParams(call.body).get('Twiml') ?? '';
    assert.match(twiml, /^<Response><Say>.*Test of channel ops-phone.*<\/Say><\/Response>$/);
  });

  it('webhook: a JSON body signed with the channel secret (X-Caas-Signature verifies)', async () => {
    await testChannel('ops-hook');
    const h = hitsAt('/hook').at(-1) as Hit;
    assert.ok(verifySignature(HOOK_SECRET, h.headers['x-caas-signature'] as string, h.body), 'the signature verifies');
    assert.equal(verifySignature('another-secret-0123456789', h.headers['x-caas-signature'] as string, h.body), false);
    const body = JSON.parse(h.body) as { test: boolean; event: string; incident: { tenant_id: string } };
    assert.equal(body.test, true);
    assert.equal(body.event, 'trigger');
    assert.equal(body.incident.tenant_id, 'acme');
  });

  it('email: through the real SMTP server, marked as a test', async () => {
    const before = mails.length;
    await testChannel('ops-mail');
    assert.equal(mails.length, before + 1);
    const m = mails.at(-1) as { raw: Buffer; rcpt: string[] };
    assert.deepEqual(m.rcpt, ['oncall@acme.test']);
    const mail = await PostalMime.parse(m.raw);
    assert.match(mail.subject ?? '', /^\[TEST\] \[info\] Test of channel ops-mail/);
    assert.match(mail.text ?? '', /This is a test message/);
  });

  it("every delivery is in the channel's log and the delivery log, and no secret is in either (nor in the channel API)", async () => {
    const secrets = [SLACK_TOKEN, PD_KEY, TW_TOKEN, HOOK_SECRET];
    const all = await api('GET', '/v1/deliveries?limit=1000');
    for (const name of Object.keys(ids)) {
      const res = await api('GET', `/v1/alerts/channels/${ids[name]}/deliveries`);
      assert.equal(res.statusCode, 200);
      const ds = (res.json() as { deliveries: Array<{ status: string; test: boolean; channel_id: string }> }).deliveries;
      assert.ok(ds.length >= 1, `${name} has deliveries`);
      assert.ok(ds.every((d) => d.channel_id === ids[name]));
      assert.equal(ds[0]?.status, 'sent');
      assert.equal(ds[0]?.test, true);
      for (const s of secrets) {
        assert.ok(!res.body.includes(s), `${name}'s log holds no secret`);
      }
    }
    const list = await api('GET', '/v1/alerts/channels');
    for (const s of [...secrets, TW_SID.slice(2)]) {
      assert.ok(!all.body.includes(s), 'the delivery log holds no secret');
      assert.ok(!list.body.includes(s), 'the channel list holds no secret');
    }
    const slack = (list.json() as { channels: Array<{ name: string; secret: { set: boolean; hint: string } }> }).channels.find((c) => c.name === 'ops-slack');
    assert.deepEqual(slack?.secret, { set: true, hint: `…${SLACK_TOKEN.slice(-4)}` });
    // sealed at rest
    const rows = await t.svc.db.query<{ secret: string | null }>('SELECT secret FROM alert_channels');
    for (const r of rows) {
      for (const s of secrets) {
        assert.ok(!(r.secret ?? '').includes(s), 'the stored secret is sealed');
      }
    }
  });
});

function alertmanagerNotification(name: string) {
  return {
    version: '4',
    groupKey: `{}:{alertname="${name}", tenant_id="acme"}`,
    truncatedAlerts: 0,
    status: 'firing',
    receiver: 'caas-backend',
    groupLabels: { alertname: name },
    commonLabels: {},
    commonAnnotations: {},
    externalURL: 'http://alertmanager.example.com',
    alerts: [
      {
        status: 'firing',
        labels: { alertname: name, severity: 'critical', tenant_id: 'acme', service: 'api-gateway' },
        annotations: { summary: `${name}: error rate above 1%`, runbook_url: 'https://runbooks.example.com/error-rate' },
        startsAt: new Date().toISOString(),
        endsAt: GO_ZERO_TIME,
        generatorURL: 'http://prometheus.example.com/graph',
        fingerprint: `${name}-fp`,
      },
    ],
  };
}

interface Ev {
  kind: string;
  actor: { type: string; id: string | null; name: string | null };
  detail: { target?: { channel?: string }; outcome?: { status: string; delivery_id: string | null; note: string } };
}
const incident = async (id: string) => (await api('GET', `/v1/incidents/${id}`)).json() as { state: string; timeline: Ev[]; acknowledged_by: Ev['actor'] | null; escalation: { state: string } };

describe('an incident through the default ladder, and the signed action links', () => {
  let id = '';
  let ackUrl = '';

  it('step 1 reaches Slack (with signed Acknowledge / Resolve buttons) and email at once', async () => {
    const slackBefore = hitsAt('/slack/').length;
    const mailsBefore = mails.length;
    const res = await api('POST', '/v1/alertmanager/webhook', alertmanagerNotification('LadderChannels'), { authorization: `Bearer ${AM_SECRET}` });
    assert.equal(res.statusCode, 200, res.body);
    id = (res.json() as { incidents: string[] }).incidents[0] as string;
    await waitUntil('step 1 pages recorded', 20_000, async () => (await incident(id)).timeline.filter((e) => e.kind === 'page' && e.detail.outcome).length === 2);
    const pages = (await incident(id)).timeline.filter((e) => e.kind === 'page');
    assert.deepEqual(pages.map((p) => [p.detail.target?.channel, p.detail.outcome?.status]), [
      ['slack', 'queued'],
      ['email', 'queued'],
    ]);
    await waitUntil('slack and email got it', 20_000, () => hitsAt('/slack/').length > slackBefore && mails.length > mailsBefore);
    const slack = JSON.parse((hitsAt('/slack/').at(-1) as Hit).body) as { blocks: Array<{ type: string; elements?: Array<{ action_id: string; url: string; text: { text: string } }> }> };
    const buttons = slack.blocks.find((b) => b.type === 'actions')?.elements ?? [];
    assert.deepEqual(buttons.map((b) => b.text.text), ['Acknowledge', 'Resolve', 'Runbook', 'Open incident']);
    ackUrl = buttons[0]?.url ?? '';
    assert.ok(ackUrl.startsWith(`${PUBLIC_URL}/v1/incidents/${id}/actions/acknowledge?link=`), ackUrl);
    assert.equal(buttons[2]?.url, 'https://runbooks.example.com/error-rate');
    const mail = await PostalMime.parse((mails.at(-1) as { raw: Buffer }).raw);
    assert.match(mail.subject ?? '', /\[critical\] LadderChannels: error rate above 1%/);
    assert.match(mail.html ?? '', /actions\/acknowledge\?link=/);
    // the link in the webhook / PagerDuty custom details is for the same incident; PagerDuty is not paged before step 2
    assert.equal(hitsAt('/pd/').filter((h) => h.body.includes(id)).length, 0);
  });

  it('step 2 (brought forward) triggers PagerDuty (dedup_key = the incident) and texts the SMS channel', async () => {
    const moved = await t.svc.db.query(`UPDATE jobs SET run_after = now() WHERE kind = $1 AND state = 'queued' AND payload->>'incident_id' = $2 RETURNING id`, [INCIDENT_ESCALATE_KIND, id]);
    assert.equal(moved.length, 1);
    await waitUntil('step 2 paged', 20_000, () => hitsAt('/pd/').some((h) => h.body.includes(id)) && hitsAt('/twilio/sms').some((h) => h.body.includes(id)));
    const pd = JSON.parse(hitsAt('/pd/').filter((h) => h.body.includes(id)).at(-1)?.body ?? '{}') as { event_action: string; dedup_key: string; payload: { severity: string; component: string }; links: Array<{ href: string }> };
    assert.equal(pd.event_action, 'trigger');
    assert.equal(pd.dedup_key, id);
    assert.equal(pd.payload.severity, 'critical');
    assert.equal(pd.payload.component, 'api-gateway');
    assert.equal(pd.links[0]?.href, 'https://runbooks.example.com/error-rate');
  });

  it('the Acknowledge link: GET shows a page and changes nothing; tampered is 401, expired 410; POST acknowledges as the link', async () => {
    const path = ackUrl.slice(PUBLIC_URL.length);
    const page = await t.app.inject({ method: 'GET', url: path });
    assert.equal(page.statusCode, 200, page.body);
    assert.match(String(page.headers['content-type']), /text\/html/);
    assert.match(page.body, /<form method="post"/);
    assert.match(page.body, /LadderChannels: error rate above 1%/);
    assert.equal((await incident(id)).state, 'triggered', 'GET changed nothing');

    const token = new URL(ackUrl).searchParams.get('link') ?? '';
    const [payload, sig] = token.split('.') as [string, string];
    const forgedBody = Buffer.from(JSON.stringify({ ...(JSON.parse(Buffer.from(payload, 'base64url').toString()) as object), a: 'resolve' })).toString('base64url');
    const tampered = await t.app.inject({ method: 'POST', url: `/v1/incidents/${id}/actions/resolve?link=${forgedBody}.${sig}` });
    assert.equal(tampered.statusCode, 401, tampered.body);
    const flipped = await t.app.inject({ method: 'POST', url: `/v1/incidents/${id}/actions/acknowledge?link=${payload}.${sig.slice(0, -2)}AA` });
    assert.equal(flipped.statusCode, 401);
    // a valid link of another incident's path
    const other = await t.app.inject({ method: 'POST', url: `/v1/incidents/inc_0000000000000001/actions/acknowledge?link=${token}` });
    assert.equal(other.statusCode, 401);
    assert.equal((await t.app.inject({ method: 'POST', url: `/v1/incidents/${id}/actions/acknowledge` })).statusCode, 401);
    const expired = await t.svc.actionLinks.sign(id, 'acknowledge', 'ops-slack', 60, Date.now() - 120_000);
    const exp = await t.app.inject({ method: 'POST', url: expired.url.slice(PUBLIC_URL.length) });
    assert.equal(exp.statusCode, 410, exp.body);
    assert.match((exp.json() as { error: { message: string } }).error.message, /expired/);
    assert.equal((await incident(id)).state, 'triggered', 'none of them acted');

    const pdBefore = hitsAt('/pd/').length;
    const phoneBefore = hitsAt('/twilio/call').length;
    const done = await t.app.inject({ method: 'POST', url: path, headers: { 'content-type': 'text/plain' }, payload: '' });
    assert.equal(done.statusCode, 200, done.body);
    assert.equal((done.json() as { state: string }).state, 'acknowledged');
    const inc = await incident(id);
    assert.equal(inc.state, 'acknowledged');
    assert.equal(inc.acknowledged_by?.type, 'link');
    assert.match(inc.acknowledged_by?.id ?? '', /^act_/);
    assert.equal(inc.acknowledged_by?.name, 'ops-slack');
    assert.equal(inc.escalation.state, 'stopped');

    // PagerDuty is told: acknowledge with the same dedup_key
    await waitUntil('PagerDuty acknowledge', 20_000, () => hitsAt('/pd/').slice(pdBefore).some((h) => (JSON.parse(h.body) as { event_action: string }).event_action === 'acknowledge'));
    const ack = JSON.parse(hitsAt('/pd/').slice(pdBefore).at(-1)?.body ?? '{}') as { event_action: string; dedup_key: string; routing_key: string };
    assert.deepEqual([ack.event_action, ack.dedup_key, ack.routing_key], ['acknowledge', id, PD_KEY]);
    // step 3 (phone) never runs: its job is cancelled, and nothing is called
    const queued = await t.svc.db.query(`SELECT id FROM jobs WHERE kind = $1 AND state = 'queued' AND payload->>'incident_id' = $2`, [INCIDENT_ESCALATE_KIND, id]);
    assert.equal(queued.length, 0);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(hitsAt('/twilio/call').length, phoneBefore, 'no phone call after the acknowledge');
    assert.equal(inc.timeline.filter((e) => e.kind === 'page').length, 4, 'steps 1 and 2 only');
  });

  it('resolving tells PagerDuty (resolve); the GET page of a resolved incident offers nothing to do', async () => {
    const pdBefore = hitsAt('/pd/').length;
    const resolveLink = await t.svc.actionLinks.sign(id, 'resolve', 'ops-mail');
    const res = await t.app.inject({ method: 'POST', url: resolveLink.url.slice(PUBLIC_URL.length), headers: { accept: 'text/html' } });
    assert.equal(res.statusCode, 200, res.body);
    assert.match(res.body, /resolved/);
    await waitUntil('PagerDuty resolve', 20_000, () => hitsAt('/pd/').slice(pdBefore).some((h) => (JSON.parse(h.body) as { event_action: string }).event_action === 'resolve'));
    const page = await t.app.inject({ method: 'GET', url: resolveLink.url.slice(PUBLIC_URL.length) });
    assert.match(page.body, /Nothing to do/);
    assert.doesNotMatch(page.body, /<form/);
  });
});

describe('people: a schedule target pages whoever is on call through their contact methods', () => {
  it('an important step to a schedule: the on-call responder is emailed, texted through the SMS channel and mentioned in the Slack channel', async () => {
    const ok = async (method: 'POST', url: string, body: unknown) => {
      const r = await api(method, url, body);
      assert.ok(r.statusCode < 300, `${url}: ${r.statusCode} ${r.body}`);
    };
    await ok('POST', '/v1/oncall/responders', { id: 'dana', tenant_id: 'acme', name: 'Dana Acme', email: 'dana@acme.test', phone: '+4915100000001', slack_user_id: 'U0DANA123' });
    await ok('POST', '/v1/oncall/schedules', {
      id: 'acme-primary',
      tenant_id: 'acme',
      name: 'acme primary',
      time_zone: 'Europe/Berlin',
      layers: [{ name: 'everyone', participants: ['dana'], rotation: 'daily', handoff: '09:00', starts_at: '2026-01-01' }],
    });
    await ok('POST', '/v1/escalation-policies', { id: 'acme-people', tenant_id: 'acme', name: 'acme people', is_default: true, steps: [{ wait_minutes: 0, important: true, targets: [{ type: 'schedule', schedule: 'acme-primary' }] }] });
    const [mailsBefore, smsBefore, slackBefore] = [mails.length, hitsAt('/twilio/sms').length, hitsAt('/slack/').length];
    const res = await api('POST', '/v1/alertmanager/webhook', alertmanagerNotification('PeoplePage'), { authorization: `Bearer ${AM_SECRET}` });
    assert.equal(res.statusCode, 200, res.body);
    const id = (res.json() as { incidents: string[] }).incidents[0] as string;
    await waitUntil('dana emailed, texted and mentioned', 20_000, () => mails.length > mailsBefore && hitsAt('/twilio/sms').length > smsBefore && hitsAt('/slack/').length > slackBefore);
    assert.ok(mails.slice(mailsBefore).some((m) => m.rcpt.includes('dana@acme.test')));
    const sms = new URLSearchParams(hitsAt('/twilio/sms').slice(smsBefore).at(-1)?.body ?? '');
    assert.equal(sms.get('To'), '+4915100000001');
    assert.match(sms.get('Body') ?? '', /PeoplePage/);
    const slack = JSON.parse(hitsAt('/slack/').slice(slackBefore).at(-1)?.body ?? '{}') as { blocks: Array<{ type: string; text?: { text: string } }> };
    assert.ok(slack.blocks.some((b) => b.type === 'section' && b.text?.text === '<@U0DANA123> you are on call for this incident'), JSON.stringify(slack.blocks[1]));
    const page = (await incident(id)).timeline.find((e) => e.kind === 'page');
    assert.equal(page?.detail.outcome?.status, 'queued');
  });
});
