import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it, test } from 'node:test';
import PostalMime from 'postal-mime';
import { SMTPServer, type SMTPServerAddress } from 'smtp-server';
import { postJson } from '../src/delivery/http.js';
import { messageIdFor, normalizeMessage, redactDestination, redactUrl } from '../src/delivery/message.js';
import { checkResolvedTarget, checkTarget, isPrivateAddress, TargetRefused } from '../src/delivery/outbound.js';
import { DELIVERY_SEND_KIND, DeliveryService, type DeliveryConfig } from '../src/delivery/service.js';
import { signatureHeader, verifySignature } from '../src/delivery/signature.js';
import { CaasError } from '../src/errors.js';
import { PermanentJobError, type JobRunner } from '../src/jobs/runner.js';
import { createMetrics } from '../src/observability/metrics.js';
import type { MetadataDb } from '../src/store/metadata-db.js';
import { tempDir } from './helpers.js';
import { ENGINES, ISO, quietLog, testRunner, waitFor } from './jobs-support.js';

/**
 * Delivery (issue "Platform", part 3) against real receivers started here: an SMTP server
 * (smtp-server on 127.0.0.1; postal-mime parses what arrives) and HTTP receivers (node:http) that
 * fail, stall, refuse or answer too much. The job runner runs on PGlite with a fast backoff.
 */

const CONFIG: DeliveryConfig = {
  timeoutMs: 500,
  maxResponseBytes: 64 * 1024,
  maxMessageBytes: 10 * 1024 * 1024,
  maxAttempts: 3,
  maxRetryAfterSeconds: 5,
  allowPrivate: true,
  mailFrom: 'CAAS Observatory <caas@observatory.test>',
};

const SECRET = 'whsec-test-0123456789abcdef';

// ---------------------------------------------------------------------------------------------

describe('delivery: destinations, signatures, targets, messages', () => {
  it('redacts destinations: no credentials, no query, webhook paths cut after the first segment; email addresses kept', () => {
    const cases: Array<[string, string]> = [
      ['https://hooks.slack.com/services/T0001/B0002/XXXXXXXXXXXXXXXXXXXXXXXX', 'https://hooks.slack.com/services/…'],
      ['https://user:p%40ss@hooks.example.com/services/T1/B2/tok?token=abc#frag', 'https://hooks.example.com/services/…'],
      ['http://127.0.0.1:9999/hook?key=secret', 'http://127.0.0.1:9999/hook'],
      ['https://discord.com/api/webhooks/123/abcdef', 'https://discord.com/api/…'],
      ['https://example.com', 'https://example.com'],
      ['https://example.com/?k=v', 'https://example.com'],
      ['https://example.com/a/', 'https://example.com/a/…'],
      ['not a url', '(not a URL)'],
    ];
    for (const [url, want] of cases) {
      assert.equal(redactUrl(url), want, url);
      assert.ok(!redactUrl(url).includes('secret') && !redactUrl(url).includes('p%40ss') && !redactUrl(url).includes('XXXX'), url);
    }
    const webhook = normalizeMessage({ kind: 'webhook', url: 'https://u:pw@hooks.slack.com/services/T/B/tok?x=1', body: { a: 1 }, secret: SECRET }, { maxBytes: 1e6, allowPrivate: true });
    assert.equal(redactDestination(webhook), 'https://hooks.slack.com/services/…');
    const email = normalizeMessage({ kind: 'email', to: ['a@example.com', 'b@example.org'], cc: 'c@example.net', subject: 's', text: 't' }, { maxBytes: 1e6, allowPrivate: true });
    assert.equal(redactDestination(email), 'a@example.com, b@example.org (cc c@example.net)');
  });

  it('signs "<t>.<body>" with HMAC-SHA256; verifySignature accepts it within the tolerance and refuses anything else', () => {
    const body = JSON.stringify({ hello: 'wörld' });
    const now = 1_800_000_000;
    const h = signatureHeader(SECRET, body, now);
    assert.match(h, /^t=1800000000,v1=[0-9a-f]{64}$/);
    assert.equal(verifySignature(SECRET, h, body, 300, now + 10), true);
    assert.equal(verifySignature(SECRET, h, Buffer.from(body), 300, now), true, 'the raw body as a Buffer');
    assert.equal(verifySignature(`${SECRET}x`, h, body, 300, now), false, 'another secret');
    assert.equal(verifySignature(SECRET, h, `${body} `, 300, now), false, 'a changed body');
    assert.equal(verifySignature(SECRET, h, body, 300, now + 301), false, 'too old: a replay');
    assert.equal(verifySignature(SECRET, h, body, 300, now - 301), false, 'too far in the future');
    assert.equal(verifySignature(SECRET, h.replace(/t=\d+/, `t=${now + 1}`), body, 300, now), false, 'another timestamp');
    const other = signatureHeader('another-secret-0123456789', body, now);
    assert.equal(verifySignature(SECRET, `${other},v1=${h.split('v1=')[1]}`, body, 300, now), true, 'one of several v1 entries (a sender rolling its secret)');
    for (const bad of [undefined, null, '', 'v1=abc', `t=${now}`, `t=${now},v1=${'0'.repeat(64)}`, `t=x,v1=${h.split('v1=')[1]}`, 'garbage,,,=', 'x'.repeat(5000)]) {
      assert.equal(verifySignature(SECRET, bad, body, 300, now), false, String(bad).slice(0, 40));
    }
  });

  it('refuses non-http(s) URLs and says so; refuses private targets only when DELIVERY_ALLOW_PRIVATE is off (no DNS in tests)', async () => {
    const refusal = (fn: () => unknown, re: RegExp) => {
      assert.throws(fn, (e: unknown) => e instanceof CaasError && e.kind === 'invalid' && re.test(e.message));
    };
    refusal(() => checkTarget('ftp://example.com/x', { allowPrivate: true }), /uses ftp:, but webhooks are HTTP POSTs: use an http:\/\/ or https:\/\/ URL/);
    refusal(() => checkTarget('file:///etc/passwd', { allowPrivate: true }), /uses file:/);
    refusal(() => checkTarget('javascript:alert(1)', { allowPrivate: true }), /uses javascript:/);
    refusal(() => checkTarget('hooks.example.com/x', { allowPrivate: true }), /is not a URL: write it whole/);
    assert.equal(checkTarget('http://127.0.0.1:1/x', { allowPrivate: true }).port, '1', 'private allowed by default');
    for (const u of ['http://127.0.0.1/', 'http://127.1/', 'http://2130706433/', 'http://[::1]/', 'http://[::ffff:127.0.0.1]/', 'http://10.1.2.3/', 'http://169.254.169.254/latest/meta-data', 'http://192.168.0.10/', 'http://[fe80::1]/', 'http://[fd00::1]/', 'http://localhost:8080/', 'http://api.localhost/', 'http://0.0.0.0/']) {
      refusal(() => checkTarget(u, { allowPrivate: false }), /private, loopback or reserved address: this backend refuses those \(DELIVERY_ALLOW_PRIVATE=false\)/);
    }
    for (const u of ['https://93.184.216.34/', 'https://hooks.slack.com/services/x', 'http://[2606:4700::1111]/']) {
      assert.ok(checkTarget(u, { allowPrivate: false }), u);
    }
    assert.equal(isPrivateAddress('8.8.8.8'), false);
    assert.equal(isPrivateAddress('172.31.255.255'), true);
    assert.equal(isPrivateAddress('172.32.0.1'), false);
    assert.equal(isPrivateAddress('100.64.0.1'), true);
    assert.equal(isPrivateAddress('::ffff:7f00:1'), true);
    assert.equal(isPrivateAddress('example.com'), false, 'names are not addresses');
    // host names are checked before each try through the resolver (injected: no DNS here)
    const resolvesTo = (addrs: string[]) => async () => addrs;
    await assert.rejects(checkResolvedTarget(new URL('https://internal.example.com/x'), { allowPrivate: false, resolve: resolvesTo(['203.0.114.1', '10.0.0.7']) }), (e: unknown) => e instanceof TargetRefused && /resolves to 10\.0\.0\.7/.test((e as Error).message));
    await checkResolvedTarget(new URL('https://public.example.com/x'), { allowPrivate: false, resolve: resolvesTo(['93.184.216.34']) });
    let asked = false;
    await checkResolvedTarget(new URL('https://anything.example.com/x'), {
      allowPrivate: true,
      resolve: async () => {
        asked = true;
        return [];
      },
    });
    assert.equal(asked, false, 'nothing is resolved while private targets are allowed');
  });

  it('checks a message when it is sent, naming the field to change', () => {
    const opts = { maxBytes: 4096, allowPrivate: true };
    const bad: Array<[unknown, RegExp]> = [
      [null, /a message is an object/],
      [{ kind: 'sms' }, /kind "sms" is unknown: kind must be one of email, webhook/],
      [{ kind: 'email', subject: 's', text: 't' }, /'to' is required/],
      [{ kind: 'email', to: 'Bob <bob@example.com>', subject: 's', text: 't' }, /'to' = .* is not an email address/],
      [{ kind: 'email', to: ['ok@example.com', 'a@b@c'], subject: 's', text: 't' }, /'to\[1\]' = "a@b@c" is not an email address/],
      [{ kind: 'email', to: 'x@example.com\r\nBcc: y@example.com', subject: 's', text: 't' }, /is not an email address/],
      [{ kind: 'email', to: Array.from({ length: 51 }, (_, i) => `u${i}@example.com`), subject: 's', text: 't' }, /at most 50/],
      [{ kind: 'email', to: 'a@example.com', subject: 'line\r\nBcc: x@example.com', text: 't' }, /'subject' must be one line/],
      [{ kind: 'email', to: 'a@example.com', subject: 's' }, /'text' is required/],
      [{ kind: 'email', to: 'a@example.com', subject: '\ud800', text: 't' }, /invalid Unicode/],
      [{ kind: 'email', to: 'a@example.com', subject: 's', text: 't', attachments: [{ filename: 'a.pdf', contentType: 'application/pdf', content: 'not base64!' }] }, /'attachments\[0\].content' is not base64/],
      [{ kind: 'email', to: 'a@example.com', subject: 's', text: 't', attachments: [{ filename: '../a.pdf', contentType: 'application/pdf', content: '' }] }, /without '\/'/],
      [{ kind: 'email', to: 'a@example.com', subject: 's', text: 't', attachments: [{ filename: 'a', contentType: 'pdf', content: '' }] }, /is not a media type/],
      [{ kind: 'email', to: 'a@example.com', subject: 's', text: 'x'.repeat(5000) }, /at most 4096/],
      [{ kind: 'webhook', body: {} }, /'url' is required/],
      [{ kind: 'webhook', url: 'gopher://x', body: {} }, /use an http:\/\/ or https:\/\/ URL/],
      [{ kind: 'webhook', url: 'https://example.com' }, /'body' is required: any JSON value/],
      [{ kind: 'webhook', url: 'https://example.com', body: { n: 1n } }, /'body' cannot be written as JSON/],
      [{ kind: 'webhook', url: 'https://example.com', body: {}, secret: 'short' }, /at least 16 characters/],
      [{ kind: 'webhook', url: 'https://example.com', body: {}, headers: { 'X-Caas-Signature': 'forged' } }, /is set by the delivery itself/],
      [{ kind: 'webhook', url: 'https://example.com', body: {}, headers: { 'Bad Header': 'x' } }, /not a valid HTTP header name/],
      [{ kind: 'webhook', url: 'https://example.com', body: {}, headers: { 'X-Ok': 'a\r\nInjected: 1' } }, /visible ASCII/],
      [{ kind: 'webhook', url: 'https://example.com', body: 'x'.repeat(5000) }, /the message is \d+ bytes: at most 4096 \(DELIVERY_MAX_MESSAGE_BYTES\)/],
    ];
    for (const [m, re] of bad) {
      assert.throws(
        () => normalizeMessage(m, opts),
        (e: unknown) => e instanceof CaasError && (e.kind === 'invalid' || e.kind === 'too_large') && re.test(e.message),
        `${JSON.stringify(m, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))?.slice(0, 120)} → ${re}`
      );
    }
  });
});

// ---------------------------------------------------------------------------------------------

interface Received {
  raw: Buffer;
  rcpt: string[];
}

interface Hit {
  at: number;
  headers: IncomingMessage['headers'];
  body: string;
}

/** An HTTP receiver on 127.0.0.1 whose answers a test scripts; it records every request. */
async function receiver(answer: (hit: Hit, n: number, res: ServerResponse) => void): Promise<{ url: string; hits: Hit[]; server: Server; close: () => Promise<void> }> {
  const hits: Hit[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const hit = { at: Date.now(), headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      hits.push(hit);
      res.on('error', () => undefined);
      answer(hit, hits.length, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    server,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

for (const engine of ENGINES) describe(`delivery against a real SMTP server and real HTTP receivers, on ${engine.name}`, () => {
  let db: MetadataDb;
  let runner: JobRunner;
  let svc: DeliveryService;
  let smtp: SMTPServer | undefined;
  let skip: string | undefined;
  let cleanup = async () => undefined as void;
  const mails: Received[] = [];
  const rcptFailures = new Map<string, number>();
  const metrics = createMetrics();
  const closers: Array<() => Promise<void>> = [];
  const it = (title: string, opts: { timeout?: number }, fn: () => Promise<void>) =>
    test(title, { timeout: opts.timeout ?? 30_000 }, async (t) => {
      if (skip) {
        t.skip(skip);
        return;
      }
      await fn();
    });

  before(async () => {
    const opened = await engine.open();
    if (typeof opened === 'string') {
      skip = opened;
      console.log(`# SKIP delivery on ${engine.name}: ${opened}`);
      return;
    }
    db = opened.db;
    cleanup = opened.cleanup;
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onRcptTo(address: SMTPServerAddress, _session, callback) {
        if (address.address.startsWith('nobody@')) {
          return callback(Object.assign(new Error('5.1.1 no such mailbox here'), { responseCode: 550 }));
        }
        if (address.address.startsWith('greylist@') && (rcptFailures.get(address.address) ?? 0) < 1) {
          rcptFailures.set(address.address, (rcptFailures.get(address.address) ?? 0) + 1);
          return callback(Object.assign(new Error('4.7.1 greylisted, try again later'), { responseCode: 451 }));
        }
        return callback();
      },
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          mails.push({ raw: Buffer.concat(chunks), rcpt: session.envelope.rcptTo.map((r) => r.address) });
          callback();
        });
      },
    });
    smtp = server;
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.server.address() as AddressInfo;
    const dataDir = tempDir('caas-delivery-');
    runner = testRunner(db, { backoffBaseMs: 10, metrics });
    svc = new DeliveryService({ db, jobs: runner, log: quietLog, metrics, config: CONFIG, smtpUrl: `smtp://127.0.0.1:${port}`, dataDir });
    runner.register(DELIVERY_SEND_KIND, svc.handler, { maxAttempts: CONFIG.maxAttempts });
    runner.start();
  });
  after(async () => {
    await runner?.stop();
    svc?.close();
    await cleanup();
    await new Promise<void>((r) => (smtp ? smtp.close(() => r()) : r()));
    for (const c of closers) {
      await c();
    }
  });

  const finished = (id: string, timeoutMs = 20_000) =>
    waitFor(`delivery ${id} sent or failed`, timeoutMs, async () => {
      const d = await svc.get(id, null);
      return d && (d.status === 'sent' || d.status === 'failed') ? d : undefined;
    });
  const jobDone = (jobId: string) =>
    waitFor(`job ${jobId} finished`, 20_000, async () => {
      const j = await runner.get(jobId, null);
      return j && ['succeeded', 'failed', 'cancelled'].includes(j.state) ? j : undefined;
    });
  const start = async (...args: Parameters<typeof receiver>) => {
    const r = await receiver(...args);
    closers.push(r.close);
    return r;
  };

  it('email over SMTP: subject, to, text, attachment and a Message-ID from the key; one message per key even when sent twice', { timeout: 30_000 }, async () => {
    const pdf = Buffer.from('%PDF-1.4 a tiny report\n%%EOF\n');
    const message = {
      kind: 'email' as const,
      to: ['ops@acme.test', 'cto@acme.test'],
      cc: 'audit@acme.test',
      subject: 'Weekly report: acme — 2026-W48',
      text: 'Hello,\n\nthe weekly report is attached.\n',
      html: '<p>the weekly report is attached.</p>',
      attachments: [{ filename: 'report.pdf', contentType: 'application/pdf', content: pdf.toString('base64') }],
    };
    const first = await svc.send(message, { tenantId: 'acme', idempotencyKey: 'report:weekly:2026-W48' });
    assert.equal(first.created, true);
    assert.equal(first.delivery.status, 'queued');
    assert.match(first.delivery.id, /^dlv_[0-9a-f]{24}$/);
    const again = await svc.send(message, { tenantId: 'acme', idempotencyKey: 'report:weekly:2026-W48' });
    assert.equal(again.created, false);
    assert.equal(again.delivery.id, first.delivery.id, 'the second send answers the first delivery');
    const d = await finished(first.delivery.id);
    assert.equal(d.status, 'sent', JSON.stringify(d));
    assert.equal(d.attempts, 1);
    assert.equal(d.response_status, 250);
    assert.match(d.sent_at ?? '', ISO);
    assert.equal(d.destination, 'ops@acme.test, cto@acme.test (cc audit@acme.test)');
    // a third send after it was sent: still nothing new
    assert.equal((await svc.send(message, { tenantId: 'acme', idempotencyKey: 'report:weekly:2026-W48' })).delivery.status, 'sent');
    await new Promise((r) => setTimeout(r, 300));
    const ours = mails.filter((m) => m.raw.includes('2026-W48'));
    assert.equal(ours.length, 1, 'one message for one key');
    const mail = await PostalMime.parse(ours[0]?.raw as Buffer);
    assert.equal(mail.subject, 'Weekly report: acme — 2026-W48');
    assert.deepEqual(mail.to?.map((a) => a.address), ['ops@acme.test', 'cto@acme.test']);
    assert.deepEqual(mail.cc?.map((a) => a.address), ['audit@acme.test']);
    assert.deepEqual(ours[0]?.rcpt.sort(), ['audit@acme.test', 'cto@acme.test', 'ops@acme.test']);
    assert.equal(mail.from?.address, 'caas@observatory.test');
    assert.equal(mail.text?.trim(), 'Hello,\n\nthe weekly report is attached.');
    assert.match(mail.html ?? '', /the weekly report is attached/);
    assert.equal(mail.messageId, messageIdFor('acme', 'report:weekly:2026-W48', 'observatory.test'));
    assert.equal(mail.headers.find((h) => h.key === 'x-caas-delivery')?.value, d.id);
    assert.equal(mail.attachments.length, 1);
    const att = mail.attachments[0];
    assert.equal(att?.filename, 'report.pdf');
    assert.equal(att?.mimeType, 'application/pdf');
    assert.deepEqual(Buffer.from(att?.content as ArrayBuffer), pdf);
    // the message is dropped once sent: the log keeps no body
    const rows = await db.query<{ message: unknown }>('SELECT message FROM deliveries WHERE id = $1', [d.id]);
    assert.equal(rows[0]?.message, null);
  });

  it('the same key for another tenant is another delivery; another key another Message-ID', { timeout: 30_000 }, async () => {
    const message = { kind: 'email' as const, to: 'ops@globex.test', subject: 'Key scope check', text: 'x' };
    const a = await svc.send(message, { tenantId: 'globex', idempotencyKey: 'same-key' });
    const b = await svc.send(message, { tenantId: 'initech', idempotencyKey: 'same-key' });
    const c = await svc.send(message, { tenantId: null, idempotencyKey: 'same-key' });
    assert.equal(new Set([a.delivery.id, b.delivery.id, c.delivery.id]).size, 3);
    for (const x of [a, b, c]) {
      assert.equal((await finished(x.delivery.id)).status, 'sent');
    }
    const ids = await Promise.all(mails.filter((m) => m.raw.includes('Key scope check')).map(async (m) => (await PostalMime.parse(m.raw)).messageId));
    assert.equal(ids.length, 3);
    assert.equal(new Set(ids).size, 3, 'a Message-ID per (tenant, key)');
  });

  it('SMTP 451 (greylisting) is retried; 550 fails at once with the reason', { timeout: 30_000 }, async () => {
    const grey = await svc.send({ kind: 'email', to: 'greylist@acme.test', subject: 'Greylisted once', text: 'x' }, { tenantId: 'acme', idempotencyKey: 'grey-1' });
    const d = await finished(grey.delivery.id);
    assert.equal(d.status, 'sent', JSON.stringify(d));
    assert.equal(d.attempts, 2, 'one deferral, then accepted');
    assert.equal(mails.filter((m) => m.raw.includes('Greylisted once')).length, 1);
    const nobody = await svc.send({ kind: 'email', to: 'nobody@acme.test', subject: 'Bounces', text: 'x' }, { tenantId: 'acme', idempotencyKey: 'nobody-1' });
    const n = await finished(nobody.delivery.id);
    assert.equal(n.status, 'failed');
    assert.equal(n.attempts, 1, 'a permanent refusal is not retried');
    assert.equal(n.response_status, 550);
    assert.match(n.last_error ?? '', /the SMTP server refused the message with 550 .*no such mailbox/);
    const job = await jobDone(n.job_id as string);
    assert.equal(job.state, 'failed');
    assert.equal(job.attempts, 1);
  });

  it('a webhook receiver that answers 500, then 429 with Retry-After: 1, then 200: sent with attempts 3, every try signed and verified', { timeout: 30_000 }, async () => {
    const verified: boolean[] = [];
    const r = await start((hit, n, res) => {
      verified.push(verifySignature(SECRET, hit.headers['x-caas-signature'] as string | undefined, hit.body, 300));
      if (n === 1) {
        res.writeHead(500, { 'content-type': 'text/plain' }).end('database is down');
      } else if (n === 2) {
        res.writeHead(429, { 'retry-after': '1', 'content-type': 'text/plain' }).end('slow down');
      } else {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      }
    });
    const body = { type: 'incident.opened', incident: { id: 'inc-42', title: 'Error rate above 5%' } };
    const { delivery } = await svc.send({ kind: 'webhook', url: `${r.url}/hooks/caas/abc?token=t0p`, body, secret: SECRET }, { tenantId: 'acme', idempotencyKey: 'incident:inc-42:page:1' });
    const d = await finished(delivery.id);
    assert.equal(d.status, 'sent', JSON.stringify(d));
    assert.equal(d.attempts, 3);
    assert.equal(d.response_status, 200);
    assert.equal(d.last_error, null);
    assert.equal(r.hits.length, 3);
    assert.deepEqual(verified, [true, true, true], 'the receiver verified the signature of every try');
    for (const h of r.hits) {
      assert.deepEqual(JSON.parse(h.body), body);
      assert.equal(h.headers['x-caas-delivery'], d.id, 'the same delivery id on every try: receivers can drop repeats');
      assert.equal(h.headers['content-type'], 'application/json');
    }
    const gap = (r.hits[2]?.at ?? 0) - (r.hits[1]?.at ?? 0);
    assert.ok(gap >= 950, `the third try waited for Retry-After: 1 (${gap} ms after the 429; the backoff alone is 40 ms)`);
    const job = await jobDone(d.job_id as string);
    assert.equal(job.state, 'succeeded');
    assert.equal(job.attempts, 3);
    const log = (await runner.get(d.job_id as string, null))?.log.map((l) => l.message).join('\n') ?? '';
    assert.match(log, /answered 500 Internal Server Error: database is down/);
    assert.match(log, /answered 429 Too Many Requests: slow down/);
    assert.match(log, /asked to wait 1 s \(Retry-After\)/);
    assert.doesNotMatch(log, /t0p|abc|whsec/, 'the job log holds neither the URL secrets nor the signing secret');
  });

  it('a receiver that never answers: each try times out, is recorded and retried, then the delivery fails', { timeout: 30_000 }, async () => {
    const r = await start(() => undefined);
    const t0 = Date.now();
    const { delivery } = await svc.send({ kind: 'webhook', url: `${r.url}/stall`, body: { n: 1 } }, { tenantId: 'acme', idempotencyKey: 'stall-1' });
    const d = await finished(delivery.id);
    assert.equal(d.status, 'failed');
    assert.equal(d.attempts, 3, 'retried up to DELIVERY_MAX_ATTEMPTS');
    assert.equal(r.hits.length, 3);
    assert.match(d.last_error ?? '', /^http:\/\/127\.0\.0\.1:\d+\/stall: no answer within 500 ms \(DELIVERY_TIMEOUT_MS\)$/);
    assert.ok(Date.now() - t0 >= 1500, 'three tries of 500 ms each');
    const job = await jobDone(d.job_id as string);
    assert.equal(job.state, 'failed');
    assert.match(job.last_error ?? '', /no answer within 500 ms/);
  });

  it('a receiver that is not there (connection refused): retried, then failed naming the error', { timeout: 30_000 }, async () => {
    const gone = await receiver(() => undefined);
    await gone.close(); // its port now refuses connections
    const { delivery } = await svc.send({ kind: 'webhook', url: `${gone.url}/x`, body: {} }, { tenantId: 'acme', idempotencyKey: 'refused-1' });
    const d = await finished(delivery.id);
    assert.equal(d.status, 'failed');
    assert.equal(d.attempts, 3);
    assert.equal(d.response_status, null);
    assert.match(d.last_error ?? '', /^http:\/\/127\.0\.0\.1:\d+\/x: the request failed: ECONNREFUSED$/);
  });

  it('a receiver that answers 400: failed at once with the status and the start of the answer', { timeout: 30_000 }, async () => {
    const r = await start((_hit, _n, res) => {
      res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: false, error: 'channel_not_found', detail: 'x'.repeat(2000) }));
    });
    const { delivery } = await svc.send({ kind: 'webhook', url: `${r.url}/services/T1/B2/secret`, body: { text: 'hi' } }, { tenantId: 'acme', idempotencyKey: 'bad-channel' });
    const d = await finished(delivery.id);
    assert.equal(d.status, 'failed');
    assert.equal(d.attempts, 1);
    assert.equal(r.hits.length, 1, 'not retried');
    assert.equal(d.response_status, 400);
    assert.match(d.last_error ?? '', /^http:\/\/127\.0\.0\.1:\d+\/services\/… answered 400 Bad Request: \{"ok":false,"error":"channel_not_found"/);
    assert.ok((d.last_error ?? '').length < 500, 'only the start of the answer');
    const job = await jobDone(d.job_id as string);
    assert.equal(job.state, 'failed');
    assert.match((await runner.get(d.job_id as string, null))?.log.map((l) => l.message).join('\n') ?? '', /not retried: PermanentJobError/);
  });

  it('an answer of 5 MB is read only up to DELIVERY_MAX_RESPONSE_BYTES', { timeout: 30_000 }, async () => {
    const FIVE_MB = 5 * 1024 * 1024;
    let written = 0;
    const r = await start((_hit, _n, res) => {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(FIVE_MB) });
      const chunk = Buffer.alloc(64 * 1024, 'x');
      const pump = () => {
        while (written < FIVE_MB && !res.destroyed) {
          written += chunk.length;
          if (!res.write(chunk)) {
            res.once('drain', pump);
            return;
          }
        }
        res.end();
      };
      pump();
    });
    const a = await postJson(new URL(`${r.url}/big`), '{}', {}, { timeoutMs: 5000, maxResponseBytes: 64 * 1024 });
    assert.equal(a.status, 200);
    assert.equal(a.truncated, true);
    assert.equal(Buffer.byteLength(a.bodyStart), 64 * 1024, 'the start of the answer is kept');
    assert.ok(a.bytesRead < FIVE_MB / 4, `read ${a.bytesRead} bytes of ${FIVE_MB}`);
    // through the service: sent (it answered 200), the cut noted in the job's log
    const { delivery } = await svc.send({ kind: 'webhook', url: `${r.url}/big`, body: {} }, { tenantId: 'acme', idempotencyKey: 'big-answer' });
    const d = await finished(delivery.id);
    assert.equal(d.status, 'sent');
    const log = (await runner.get(d.job_id as string, null))?.log.map((l) => l.message).join('\n') ?? '';
    assert.match(log, /the answer was not read past \d+ bytes \(DELIVERY_MAX_RESPONSE_BYTES=65536\)/);
  });

  it('credentials in the URL go as Basic auth and never reach the log; the stored message (and its secret) is dropped once finished', { timeout: 30_000 }, async () => {
    const r = await start((_hit, _n, res) => res.writeHead(204).end());
    const url = `${r.url.replace('http://', 'http://hookuser:hookpass@')}/services/T9/B9/tok3n?sig=s3cr3t`;
    const { delivery } = await svc.send({ kind: 'webhook', url, body: { a: 1 }, secret: SECRET, headers: { 'X-Extra': 'yes' } }, { tenantId: 'acme', idempotencyKey: 'redact-1' });
    assert.equal(delivery.destination, `${r.url}/services/…`);
    const d = await finished(delivery.id);
    assert.equal(d.status, 'sent');
    assert.equal(r.hits[0]?.headers.authorization, `Basic ${Buffer.from('hookuser:hookpass').toString('base64')}`);
    assert.equal(r.hits[0]?.headers['x-extra'], 'yes');
    const row = await db.query<Record<string, unknown>>('SELECT * FROM deliveries WHERE id = $1', [d.id]);
    const text = JSON.stringify(row);
    for (const secret of ['hookpass', 'tok3n', 's3cr3t', SECRET, '"a":1']) {
      assert.ok(!text.includes(secret), `the stored delivery holds no ${secret}`);
    }
    const log = JSON.stringify(await runner.get(d.job_id as string, null));
    for (const secret of ['hookpass', 'tok3n', 's3cr3t', SECRET]) {
      assert.ok(!log.includes(secret), `the job holds no ${secret}`);
    }
  });

  it('a delivery whose job is cancelled reads as failed; a delivery recorded without a job is enqueued again', { timeout: 30_000 }, async () => {
    const r = await start(() => undefined); // never answers: the job is running when cancelled
    const { delivery } = await svc.send({ kind: 'webhook', url: `${r.url}/x`, body: {} }, { tenantId: 'acme', idempotencyKey: 'cancel-me' });
    await waitFor('first try under way', 5000, () => r.hits.length > 0);
    await runner.cancel(delivery.job_id as string, null);
    const d = await waitFor('cancelled delivery reads failed', 5000, async () => {
      const x = await svc.get(delivery.id, null);
      return x?.status === 'failed' ? x : undefined;
    });
    assert.match(d.last_error ?? '', /its job was cancelled/);
    // an instance that stopped between recording and enqueueing
    const ok = await start((_h, _n, res) => res.writeHead(200).end());
    await db.query(
      `INSERT INTO deliveries (id, tenant_id, idempotency_key, kind, destination, message, created_at) VALUES ('dlv_00000000000000000000beef', 'acme', 'orphan', 'webhook', 'x', $1::jsonb, now() - interval '2 minutes')`,
      [JSON.stringify({ kind: 'webhook', url: `${ok.url}/orphan`, body: '{}', secret: null, headers: {} })]
    );
    assert.equal(await svc.requeueOrphans(), 1);
    assert.equal((await finished('dlv_00000000000000000000beef')).status, 'sent');
    assert.equal(ok.hits.length, 1);
  });

  it('with DELIVERY_ALLOW_PRIVATE=false: a private literal is refused at send, a name resolving to a private address at the try', {}, async () => {
    const enqueued: string[] = [];
    const strict = new DeliveryService({
      db,
      jobs: {
        enqueue: async (job) => {
          enqueued.push(String((job.payload as { delivery_id: string }).delivery_id));
          return { id: randomUUID(), created: true };
        },
      },
      log: quietLog,
      config: { ...CONFIG, allowPrivate: false },
      smtpUrl: undefined,
      dataDir: tempDir('caas-delivery-strict-'),
      resolve: async (host) => (host === 'intranet.example.com' ? ['93.184.216.34', '10.0.0.7'] : ['93.184.216.34']),
    });
    await assert.rejects(
      strict.send({ kind: 'webhook', url: 'http://169.254.169.254/latest/meta-data', body: {} }, { tenantId: 'acme', idempotencyKey: 'imds' }),
      (e: unknown) => e instanceof CaasError && e.code === 'private_target' && /DELIVERY_ALLOW_PRIVATE=false/.test(e.message)
    );
    assert.equal(enqueued.length, 0, 'nothing recorded or enqueued');
    const { delivery } = await strict.send({ kind: 'webhook', url: 'https://intranet.example.com/hooks/x', body: {} }, { tenantId: 'acme', idempotencyKey: 'intranet' });
    const ctx = {
      id: delivery.job_id as string,
      kind: DELIVERY_SEND_KIND,
      payload: { delivery_id: delivery.id },
      tenantId: 'acme',
      attempt: 1,
      maxAttempts: 3,
      firedAt: null,
      signal: new AbortController().signal,
      progress: async () => undefined,
      log: async () => undefined,
    };
    await assert.rejects(strict.handler(ctx), (e: unknown) => e instanceof PermanentJobError && /resolves to 10\.0\.0\.7/.test(e.message));
    const d = await strict.get(delivery.id, 'acme');
    assert.equal(d?.status, 'failed');
    assert.equal(d?.attempts, 1);
    assert.match(d?.last_error ?? '', /^https:\/\/intranet\.example\.com\/hooks\/…: refused: intranet\.example\.com resolves to 10\.0\.0\.7, a private, loopback or reserved address \(DELIVERY_ALLOW_PRIVATE=false\)$/);
    strict.close();
  });

  it('counts deliveries by kind and outcome', {}, async () => {
    const text = await metrics.registry.metrics();
    for (const re of [
      /caas_deliveries_total\{kind="email",outcome="sent"\} [1-9]/,
      /caas_deliveries_total\{kind="email",outcome="duplicate"\} [1-9]/,
      /caas_deliveries_total\{kind="email",outcome="failed"\} 1/,
      /caas_deliveries_total\{kind="webhook",outcome="retry"\} [1-9]/,
      /caas_deliveries_total\{kind="webhook",outcome="failed"\} [1-9]/,
      /caas_delivery_attempt_duration_seconds_count\{kind="webhook",outcome="sent"\} [1-9]/,
    ]) {
      assert.match(text, re);
    }
  });
});
