import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import fc from 'fast-check';
import PostalMime from 'postal-mime';
import { messageIdFor } from '../src/delivery/message.js';
import { verifySignature } from '../src/delivery/signature.js';
import { createKey, createTenant, startApp, type TestApp } from './helpers.js';
import { endpointText, encodeSegment, queryString } from './hostile/arbitraries.js';
import { ISO, waitFor } from './jobs-support.js';

/**
 * The delivery API on a real backend (embedded ClickHouse and PGlite, no SMTP_URL: mail goes to
 * DATA_DIR/outbox; issue "Platform", part 3): GET /v1/deliveries, GET /v1/deliveries/:id,
 * POST /v1/deliveries/test, tenant isolation of the log, the .eml outbox, and property tests:
 * bad input to the new endpoints never gets a 5xx.
 */
let t: TestApp;
let hook: { url: string; hits: Array<{ headers: IncomingMessage['headers']; body: string }>; server: Server };
const keys: Record<string, string> = {};
const as = (name: string) => ({ authorization: `Bearer ${keys[name]}` });
const SECRET = 'whsec-api-test-0123456789';

interface DeliveryBody {
  id: string;
  tenant_id: string | null;
  kind: string;
  destination: string;
  idempotency_key: string;
  status: string;
  attempts: number;
  last_error: string | null;
  response_status: number | null;
  job_id: string | null;
  created_at: string;
  sent_at: string | null;
}
const DELIVERY_KEYS = ['attempts', 'created_at', 'destination', 'id', 'idempotency_key', 'job_id', 'kind', 'last_error', 'response_status', 'sent_at', 'status', 'tenant_id'];

function errorOf(res: LightMyRequestResponse): { code: string; message: string } {
  const body = res.json() as { error?: { code: string; message: string } };
  assert.ok(body.error?.code && body.error.message, `an error body: ${res.body}`);
  return body.error;
}

function status(res: LightMyRequestResponse, code: number, message?: RegExp): void {
  assert.equal(res.statusCode, code, `expected ${code}, got ${res.statusCode}: ${res.body}`);
  if (message) {
    assert.match(errorOf(res).message, message);
  }
}

const post = (headers: Record<string, string>, payload: unknown) => t.app.inject({ method: 'POST', url: '/v1/deliveries/test', headers, payload: payload as object });

async function finished(id: string, headers = t.admin): Promise<DeliveryBody> {
  return waitFor(`delivery ${id} finished`, 30_000, async () => {
    const r = await t.app.inject({ method: 'GET', url: `/v1/deliveries/${id}`, headers });
    const d = r.json() as DeliveryBody;
    return d.status === 'sent' || d.status === 'failed' ? d : undefined;
  });
}

before(async () => {
  t = await startApp({ JOBS_POLL_MS: '20', JOBS_BACKOFF_BASE_MS: '10', DELIVERY_TIMEOUT_MS: '2000', DELIVERY_MAX_ATTEMPTS: '3', DELIVERY_ALLOW_PRIVATE: 'true', MAIL_FROM: 'Observatory <reports@caas.test>' });
  await createTenant(t, 'acme');
  await createTenant(t, 'globex');
  keys.acmeAdmin = await createKey(t, 'acme', 'tenant-admin');
  keys.acmeViewer = await createKey(t, 'acme', 'tenant-viewer');
  keys.globexAdmin = await createKey(t, 'globex', 'tenant-admin');
  keys.ingest = await createKey(t, 'acme', 'ingest');
  keys.viewer = await createKey(t, undefined, 'viewer');
  const hits: Array<{ headers: IncomingMessage['headers']; body: string }> = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      hits.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(req.url?.startsWith('/gone') ? 410 : 200, { 'content-type': 'text/plain' }).end(req.url?.startsWith('/gone') ? 'this hook was deleted' : 'ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  hook = { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits, server };
});
after(async () => {
  hook?.server.closeAllConnections();
  hook?.server.close();
  await t?.close();
});

describe('delivery API', () => {
  it('POST /v1/deliveries/test {kind: email} without SMTP_URL writes DATA_DIR/outbox/<id>.eml that postal-mime parses', { timeout: 60_000 }, async () => {
    const r = await post(t.admin, { kind: 'email', to: 'oncall@acme.test', tenant_id: 'acme', idempotency_key: 'try-mail-1' });
    status(r, 202);
    const queued = r.json() as DeliveryBody;
    assert.deepEqual(Object.keys(queued).sort(), DELIVERY_KEYS);
    assert.equal(queued.kind, 'email');
    assert.equal(queued.tenant_id, 'acme');
    assert.equal(queued.destination, 'oncall@acme.test');
    assert.match(queued.created_at, ISO);
    const d = await finished(queued.id);
    assert.equal(d.status, 'sent', JSON.stringify(d));
    assert.equal(d.attempts, 1);
    assert.match(d.sent_at ?? '', ISO);
    const file = join(t.cfg.dataDir, 'outbox', `${d.id}.eml`);
    assert.ok(existsSync(file), `${file} written`);
    assert.deepEqual(
      readdirSync(join(t.cfg.dataDir, 'outbox')).filter((f) => f.endsWith('.tmp')),
      [],
      'no half-written files'
    );
    const mail = await PostalMime.parse(readFileSync(file));
    assert.equal(mail.subject, 'CAAS Observatory: test message');
    assert.deepEqual(mail.to?.map((a) => a.address), ['oncall@acme.test']);
    assert.equal(mail.from?.address, 'reports@caas.test');
    assert.match(mail.text ?? '', /This is a test message from CAAS Observatory, requested by key \S+ for tenant acme/);
    assert.equal(mail.messageId, messageIdFor('acme', 'try-mail-1', 'caas.test'));
    // the same key again: the same delivery, no second file
    const again = await post(t.admin, { kind: 'email', to: 'oncall@acme.test', tenant_id: 'acme', idempotency_key: 'try-mail-1' });
    status(again, 202);
    assert.equal((again.json() as DeliveryBody).id, d.id);
    assert.equal((again.json() as DeliveryBody).status, 'sent');
    assert.equal(readdirSync(join(t.cfg.dataDir, 'outbox')).length, 1);
  });

  it('outbox mode keeps attachments (the same MIME builder as SMTP)', { timeout: 60_000 }, async () => {
    const csv = 'day,messages\n2026-11-30,15000\n';
    const { delivery } = await t.svc.deliveries.send(
      { kind: 'email', to: ['a@acme.test'], subject: 'Monthly CSV', text: 'attached', attachments: [{ filename: 'messages.csv', contentType: 'text/csv', content: Buffer.from(csv).toString('base64') }] },
      { tenantId: 'acme', idempotencyKey: 'monthly-csv-2026-11' }
    );
    const d = await finished(delivery.id);
    assert.equal(d.status, 'sent');
    const mail = await PostalMime.parse(readFileSync(join(t.cfg.dataDir, 'outbox', `${d.id}.eml`)));
    assert.equal(mail.attachments[0]?.filename, 'messages.csv');
    assert.equal(mail.attachments[0]?.mimeType, 'text/csv');
    assert.equal(Buffer.from(mail.attachments[0]?.content as ArrayBuffer).toString('utf8'), csv);
  });

  it('POST /v1/deliveries/test {kind: webhook} signs with the given secret; destinations are redacted', { timeout: 60_000 }, async () => {
    const r = await post(as('acmeAdmin'), { kind: 'webhook', url: `${hook.url}/services/T1/B2/s3cret?key=k3y`, secret: SECRET });
    status(r, 202);
    const queued = r.json() as DeliveryBody;
    assert.equal(queued.tenant_id, 'acme', "a tenant key's test is its tenant's");
    assert.equal(queued.destination, `${hook.url}/services/…`);
    assert.match(queued.idempotency_key, /^test:/);
    const d = await finished(queued.id, as('acmeAdmin'));
    assert.equal(d.status, 'sent');
    assert.equal(d.response_status, 200);
    const hit = hook.hits.find((h) => h.headers['x-caas-delivery'] === d.id);
    assert.ok(hit, 'the receiver got it');
    assert.equal(verifySignature(SECRET, hit.headers['x-caas-signature'] as string, hit.body, 60), true);
    assert.equal((JSON.parse(hit.body) as { type: string; tenant_id: string }).type, 'caas.test');
    const listed = (await t.app.inject({ method: 'GET', url: '/v1/deliveries', headers: t.admin })).body;
    for (const secret of ['s3cret', 'k3y', SECRET]) {
      assert.ok(!listed.includes(secret), `the log shows no ${secret}`);
    }
    // the delivery's job is visible to its tenant with a run log
    const job = (await t.app.inject({ method: 'GET', url: `/v1/jobs/${d.job_id}`, headers: as('acmeViewer') })).json() as { kind: string; tenant_id: string; state: string; log: Array<{ message: string }> };
    assert.equal(job.kind, 'delivery.send');
    assert.equal(job.tenant_id, 'acme');
    assert.equal(job.state, 'succeeded');
    assert.ok(!JSON.stringify(job).includes('s3cret') && !JSON.stringify(job).includes(SECRET));
  });

  it('a receiver answering 410 fails the test at once with its answer', { timeout: 60_000 }, async () => {
    const r = await post(as('globexAdmin'), { kind: 'webhook', url: `${hook.url}/gone/hook` });
    status(r, 202);
    const d = await finished((r.json() as DeliveryBody).id, as('globexAdmin'));
    assert.equal(d.status, 'failed');
    assert.equal(d.attempts, 1);
    assert.equal(d.response_status, 410);
    assert.match(d.last_error ?? '', /answered 410 Gone: this hook was deleted/);
  });

  it("a tenant's keys see only its deliveries; admin and viewer keys see every one", { timeout: 60_000 }, async () => {
    const globex = await post(as('globexAdmin'), { kind: 'webhook', url: `${hook.url}/globex` });
    status(globex, 202);
    const globexId = (globex.json() as DeliveryBody).id;
    await finished(globexId);
    const list = async (headers: Record<string, string>, qs = '') => {
      const r = await t.app.inject({ method: 'GET', url: `/v1/deliveries${qs}`, headers });
      status(r, 200);
      return (r.json() as { deliveries: DeliveryBody[] }).deliveries;
    };
    const acme = await list(as('acmeViewer'));
    assert.ok(acme.length >= 3);
    assert.ok(acme.every((d) => d.tenant_id === 'acme'), 'acme sees only acme');
    assert.ok(!acme.some((d) => d.id === globexId));
    const globexList = await list(as('globexAdmin'));
    assert.ok(globexList.every((d) => d.tenant_id === 'globex') && globexList.some((d) => d.id === globexId));
    status(await t.app.inject({ method: 'GET', url: `/v1/deliveries/${globexId}`, headers: as('acmeAdmin') }), 404, /delivery 'dlv_[0-9a-f]{24}' not found for tenant 'acme'/);
    status(await t.app.inject({ method: 'GET', url: '/v1/deliveries?tenant_id=globex', headers: as('acmeViewer') }), 403, /belongs to tenant 'acme'/);
    const all = await list(as('viewer'));
    assert.ok(all.some((d) => d.tenant_id === 'acme') && all.some((d) => d.tenant_id === 'globex'));
    assert.ok((await list(t.admin, '?tenant_id=globex')).every((d) => d.tenant_id === 'globex'));
    status(await t.app.inject({ method: 'GET', url: `/v1/deliveries/${globexId}`, headers: as('viewer') }), 200);
    // filters and order
    const sentWebhooks = await list(t.admin, '?status=sent&kind=webhook');
    assert.ok(sentWebhooks.length >= 2 && sentWebhooks.every((d) => d.status === 'sent' && d.kind === 'webhook'));
    assert.ok((await list(t.admin, '?status=failed')).every((d) => d.status === 'failed'));
    assert.equal((await list(t.admin, '?limit=1')).length, 1);
    const newest = await list(t.admin);
    assert.deepEqual(newest.map((d) => d.created_at), [...newest.map((d) => d.created_at)].sort().reverse(), 'newest first');
    // who may send tests
    status(await post(as('acmeViewer'), { kind: 'email', to: 'a@acme.test' }), 403);
    status(await post(as('viewer'), { kind: 'email', to: 'a@acme.test' }), 403);
    status(await post(as('ingest'), { kind: 'email', to: 'a@acme.test' }), 403);
    status(await post({}, { kind: 'email', to: 'a@acme.test' }), 401);
    status(await post(as('acmeAdmin'), { kind: 'email', to: 'a@acme.test', tenant_id: 'globex' }), 403);
    status(await t.app.inject({ method: 'GET', url: '/v1/deliveries', headers: as('ingest') }), 403);
  });

  it('every bad input is a 4xx that says what to change', async () => {
    const cases: Array<[unknown, number, RegExp]> = [
      [{ kind: 'webhook', url: 'ftp://files.example.com/x' }, 400, /uses ftp:, but webhooks are HTTP POSTs: use an http:\/\/ or https:\/\/ URL/],
      [{ kind: 'webhook', url: 'hooks.example.com' }, 400, /is not a URL: write it whole/],
      [{ kind: 'webhook' }, 400, /a webhook test needs 'url'/],
      [{ kind: 'webhook', url: 'https://example.com', to: 'a@b.test' }, 400, /'to' is for kind email/],
      [{ kind: 'webhook', url: 'https://example.com', secret: 'short' }, 400, /'secret' must NOT have fewer than 16 characters/],
      [{ kind: 'email' }, 400, /an email test needs 'to'/],
      [{ kind: 'email', to: 'not-an-address' }, 400, /'to' = "not-an-address" is not an email address/],
      [{ kind: 'email', to: ['a@acme.test', 'b@'] }, 400, /'to\[1\]' = "b@" is not an email address/],
      [{ kind: 'email', to: 'a@acme.test', url: 'https://example.com' }, 400, /'url' is for kind webhook/],
      [{ kind: 'email', to: [] }, 400, /'to'/],
      [{ kind: 'sms', to: 'a@acme.test' }, 400, /'kind' must be one of email, webhook/],
      [{ to: 'a@acme.test' }, 400, /missing required field 'kind'/],
      [{ kind: 'email', to: 'a@acme.test', extra: 1 }, 400, /unknown field 'extra': the body takes kind, to, url, secret, tenant_id, idempotency_key/],
      [{ kind: 'email', to: 'a@acme.test', tenant_id: 'nope' }, 404, /tenant 'nope' not found/],
      [{ kind: 'email', to: 'a@acme.test', idempotency_key: '' }, 400, /idempotency_key/],
    ];
    for (const [body, code, re] of cases) {
      status(await post(t.admin, body), code, re);
    }
    status(await t.app.inject({ method: 'GET', url: '/v1/deliveries?status=lost', headers: t.admin }), 400, /'status' must be one of queued, sending, sent, failed/);
    status(await t.app.inject({ method: 'GET', url: '/v1/deliveries?kind=fax', headers: t.admin }), 400, /'kind' must be one of email, webhook/);
    status(await t.app.inject({ method: 'GET', url: '/v1/deliveries?limit=0', headers: t.admin }), 400, /'limit'/);
    status(await t.app.inject({ method: 'GET', url: '/v1/deliveries/nope', headers: t.admin }), 400, /is not a delivery id: delivery ids are dlv_ and 24 hex digits/);
    status(await t.app.inject({ method: 'GET', url: '/v1/deliveries/dlv_000000000000000000000000', headers: t.admin }), 404, /list deliveries with GET \/v1\/deliveries/);
  });

  it('routes declare their access; metrics count deliveries by kind and outcome', async () => {
    const routes = t.app.routeTable.filter((r) => r.url.startsWith('/v1/deliveries'));
    const access = Object.fromEntries(routes.map((r) => [`${r.method} ${r.url}`, r.access.kind === 'api-key' ? `${r.access.writes ? 'writes' : 'reads'}:${r.access.roles.join(',')}` : 'other']));
    assert.deepEqual(access, {
      'GET /v1/deliveries': 'reads:admin,viewer,responder,tenant-admin,tenant-viewer',
      'GET /v1/deliveries/:id': 'reads:admin,viewer,responder,tenant-admin,tenant-viewer',
      'POST /v1/deliveries/test': 'writes:admin,tenant-admin',
    });
    const m = await t.app.inject({ method: 'GET', url: '/metrics' });
    assert.match(m.body, /caas_deliveries_total\{kind="email",outcome="sent"\} [1-9]/);
    assert.match(m.body, /caas_deliveries_total\{kind="webhook",outcome="failed"\} [1-9]/);
    assert.match(m.body, /caas_deliveries_total\{kind="email",outcome="duplicate"\} [1-9]/);
    assert.match(m.body, /caas_job_attempts_total\{kind="delivery.send",outcome="succeeded"\} [1-9]/);
  });

  it('property: random bad input to the delivery endpoints never gets a 5xx', { timeout: 180_000 }, async () => {
    const text = endpointText(["'; DROP TABLE deliveries; --", 'sent', 'webhook', 'dlv_000000000000000000000000']);
    const enc = encodeSegment;
    const header = fc.constantFrom('admin', 'acmeAdmin', 'acmeViewer', 'viewer', 'ingest', 'none');
    const headersOf = (h: string): Record<string, string> => (h === 'admin' ? t.admin : h === 'none' ? {} : as(h));
    // URLs that must be refused, or that go nowhere that answers (port 9 on loopback refuses): never a
    // real host, so no DNS and no traffic leaves the machine
    const url = fc.oneof(
      text,
      fc.constantFrom('ftp://x', 'file:///etc/passwd', 'javascript:alert(1)', 'http://', 'http://[::1', 'https://exa mple.com', 'http://127.0.0.1:9/x', 'gopher://127.0.0.1:70/', 'http://user:pw@127.0.0.1:9/a/b?c=d', `http://127.0.0.1:9/${'a'.repeat(3000)}`),
      fc.webPath().map((p) => `http://127.0.0.1:9${p}`),
      fc.webQueryParameters().map((q) => `https://[::1]:9/?${q}`)
    );
    const address = fc.oneof(text, fc.emailAddress(), fc.constantFrom('a@b', 'a@b.test\r\nBcc: c@d.test', '"quoted"@example.com', 'Bob <bob@example.com>', '@example.com', 'a@[127.0.0.1]', 'a@-bad-.test'));
    const body = fc.oneof(
      fc.record(
        {
          kind: fc.oneof(fc.constantFrom('email', 'webhook'), text),
          to: fc.oneof(address, fc.array(address, { maxLength: 60 }), fc.integer(), fc.constant(null)),
          url,
          secret: fc.oneof(text, fc.string({ minLength: 16, maxLength: 300 })),
          tenant_id: fc.oneof(fc.constantFrom('acme', 'globex', 'nope'), text),
          idempotency_key: fc.oneof(text, fc.string({ maxLength: 300 })),
          extra: fc.jsonValue(),
        },
        { requiredKeys: [] }
      ),
      // nearly right: these reach the handler and, now and then, the delivery log
      fc.record({
        kind: fc.constant('email'),
        to: fc.oneof(address, fc.array(address, { minLength: 1, maxLength: 3 })),
        tenant_id: fc.option(fc.constantFrom('acme', 'globex', 'nope'), { nil: undefined }),
      }),
      fc.record({
        kind: fc.constant('webhook'),
        url,
        secret: fc.option(fc.string({ minLength: 16, maxLength: 40 }), { nil: undefined }),
        idempotency_key: fc.option(text, { nil: undefined }),
      }),
      fc.jsonValue()
    );
    const webhooksBefore = (await t.svc.db.query("SELECT 1 FROM deliveries WHERE kind = 'webhook'")).length;
    let runs = 0;
    const seen = new Map<number, number>();
    const check = (r: LightMyRequestResponse, what: string) => {
      runs++;
      seen.set(r.statusCode, (seen.get(r.statusCode) ?? 0) + 1);
      assert.ok(r.statusCode < 500, `${what} → ${r.statusCode}: ${r.body.slice(0, 300)}`);
      // 414: a path segment over fastify's maxParamLength (100) is refused by the router itself
      if (r.statusCode >= 400 && r.statusCode !== 414) {
        assert.ok(errorOf(r).message.trim().length > 0);
      }
    };
    await fc.assert(
      fc.asyncProperty(fc.dictionary(fc.constantFrom('status', 'kind', 'limit', 'tenant_id', 'before', 'status[]'), text, { maxKeys: 4 }), header, async (q, h) => {
        const qs = queryString(q);
        check(await t.app.inject({ method: 'GET', url: `/v1/deliveries?${qs}`, headers: headersOf(h) }), `GET /v1/deliveries?${qs} as ${h}`);
      }),
      { seed: 0xde11, numRuns: 150 }
    );
    await fc.assert(
      fc.asyncProperty(text, header, async (id, h) => {
        check(await t.app.inject({ method: 'GET', url: `/v1/deliveries/${enc(id)}`, headers: headersOf(h) }), `GET /v1/deliveries/${id} as ${h}`);
      }),
      { seed: 0xde12, numRuns: 150 }
    );
    await fc.assert(
      fc.asyncProperty(body, header, async (b, h) => {
        const payload = JSON.stringify(b);
        check(
          await t.app.inject({ method: 'POST', url: '/v1/deliveries/test', headers: { ...headersOf(h), 'content-type': 'application/json' }, payload }),
          `POST /v1/deliveries/test ${payload.slice(0, 160)} as ${h}`
        );
      }),
      { seed: 0xde13, numRuns: 250 }
    );
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 200 }), header, async (raw, h) => {
        check(await t.app.inject({ method: 'POST', url: '/v1/deliveries/test', headers: { ...headersOf(h), 'content-type': 'application/json' }, payload: raw }), `raw body ${raw.slice(0, 80)}`);
      }),
      { seed: 0xde14, numRuns: 60 }
    );
    assert.ok(runs >= 600, `${runs} requests`);
    for (const code of [200, 202, 400, 401, 403, 404]) {
      assert.ok(seen.has(code), `the generators reach ${code} (seen: ${JSON.stringify([...seen])})`);
    }
    // whatever was accepted was recorded with a redacted destination and no secrets
    const rows = await t.svc.db.query<{ destination: string }>("SELECT destination FROM deliveries WHERE kind = 'webhook'");
    assert.ok(rows.length > webhooksBefore, `the property's accepted webhooks are in the log (${rows.length - webhooksBefore})`);
    const leaky = rows.filter((r) => /[?#@]/.test(r.destination) || r.destination.split('/').length > 5);
    assert.deepEqual(leaky, [], 'no query, fragment, credentials or second path segment in a webhook destination');
  });
});
