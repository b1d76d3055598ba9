import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { SecretBox, secretKeyPath } from '../src/auth/secret-box.js';
import { CaasError } from '../src/errors.js';
import type { StoredWebhook } from '../src/delivery/message.js';
import { DeliveryRepo } from '../src/delivery/store.js';
import { startDemoPlatform, type DemoPlatform } from '../src/demo/caas-platform/index.js';
import { createTenant, startApp, tempDir, type TestApp } from './helpers.js';
import { waitFor } from './jobs-support.js';

/**
 * Stored secrets are sealed (AES-256-GCM) under a key outside the metadata store: CAAS_SECRET_KEY, or a generated
 * DATA_DIR/secret.key. A crawl source's token and connection string are never in the database in plain text, the
 * crawler still uses them, plain values of earlier versions are sealed at start, and a backend with another key says
 * which key to give instead of crawling with garbage.
 *
 *   cd backend && node --import tsx --test test/secret-box.test.ts
 */
const TOKEN = 'platform-bearer-token-5b1e9d0c7a';
const KEY = 'a-test-secret-key-of-more-than-32-characters';

describe('SecretBox', () => {
  it('opens what it sealed, whatever the text; never the same sealed value twice; plain values pass through', () => {
    const box = SecretBox.fromKey(KEY);
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (plain) => {
        const a = box.seal(plain);
        assert.ok(SecretBox.isSealed(a));
        assert.ok(plain.length < 4 || !a.includes(plain), 'the sealed value does not contain the plain one');
        assert.equal(box.open(a, 'x'), plain);
        assert.notEqual(box.seal(plain), a);
      }),
      { seed: 7, numRuns: 300 }
    );
    assert.equal(box.open('postgres://u:p@h/db', 'x'), 'postgres://u:p@h/db');
  });

  it('another key, or a changed sealed value, cannot be opened: the error names the key to give', () => {
    const sealed = SecretBox.fromKey(KEY).seal(TOKEN);
    const other = SecretBox.fromKey(`${KEY}-rotated`);
    assert.throws(
      () => other.open(sealed, "the token of source 'demo'"),
      (e: unknown) =>
        e instanceof CaasError &&
        e.code === 'secret_unreadable' &&
        /the token of source 'demo' was sealed with another key/.test(e.message) &&
        /CAAS_SECRET_KEY/.test(e.message)
    );
    const flipped = sealed.slice(0, -2) + (sealed.endsWith('A') ? 'B' : 'A') + sealed.slice(-1);
    assert.throws(() => SecretBox.fromKey(KEY).open(flipped, 'x'), /sealed with another key/);
    assert.throws(() => SecretBox.fromKey(KEY).open('sealed:v1:AAAA', 'x'), /sealed with another key/);
    assert.throws(() => SecretBox.fromKey('short'), /at least 32 characters/);
  });

  it('without CAAS_SECRET_KEY: a random key in DATA_DIR/secret.key (0600), the same at the next start', () => {
    const dir = tempDir();
    const first = SecretBox.load({ dataDir: dir });
    assert.equal(first.origin, 'file');
    assert.equal(statSync(secretKeyPath(dir)).mode & 0o777, 0o600);
    const sealed = first.seal(TOKEN);
    assert.equal(SecretBox.load({ dataDir: dir }).open(sealed, 'x'), TOKEN);
    assert.throws(() => SecretBox.load({ dataDir: tempDir() }).open(sealed, 'x'), /DATA_DIR\/secret\.key/);
    // CAAS_SECRET_KEY wins over the file
    assert.equal(SecretBox.load({ dataDir: dir, secretKey: KEY }).origin, 'CAAS_SECRET_KEY');
  });
});

describe('crawl sources: sealed at rest, used by the crawler', () => {
  let t: TestApp;
  let platform: DemoPlatform;
  const dataDir = tempDir();

  before(async () => {
    platform = await startDemoPlatform({ seed: 5, tenants: ['acme'], token: TOKEN, messagesPerTenant: 30 });
    t = await startApp({ CAAS_SECRET_KEY: KEY, JOBS_POLL_MS: '20' }, dataDir);
    await createTenant(t, 'acme');
  });
  after(async () => {
    await t?.close();
    await platform?.close();
  });

  const stored = async () =>
    t.svc.db.query<{ id: string; url: string | null; token: string | null; connection_string: string | null }>(
      'SELECT id, url, token, connection_string FROM crawl_sources ORDER BY id'
    );

  it('the token and the connection string are stored sealed; the API says only that they are set', async () => {
    const r = await t.app.inject({
      method: 'POST',
      url: '/v1/sources',
      headers: t.admin,
      payload: { id: 'demo', kind: 'caas_http', url: platform.url, token: TOKEN },
    });
    assert.equal(r.statusCode, 201, r.body);
    assert.deepEqual((r.json() as { token: unknown }).token, { set: true });
    const [row] = await stored();
    assert.ok(row?.token && SecretBox.isSealed(row.token), `sealed: ${row?.token}`);
    assert.ok(!JSON.stringify(row).includes(TOKEN), 'no plain token in the row');
    assert.equal(SecretBox.fromKey(KEY).open(row.token, 'x'), TOKEN);
    // a value that looks sealed is refused (it would be taken for one)
    const sealedLike = await t.app.inject({
      method: 'POST',
      url: '/v1/sources',
      headers: t.admin,
      payload: { id: 'odd', kind: 'caas_http', url: platform.url, token: row.token },
    });
    assert.equal(sealedLike.statusCode, 400, sealedLike.body);
    assert.match(sealedLike.body, /give the plain token/);
  });

  it('the crawler opens the token: the platform (which checks it) is crawled', async () => {
    const r = await t.app.inject({
      method: 'POST',
      url: '/v1/crawls',
      headers: t.admin,
      payload: { source_id: 'demo', type: 'full_reindex', entity: 'messages', tenant_id: 'acme', batch_size: 50 },
    });
    assert.equal(r.statusCode, 202, r.body);
    const id = (r.json() as { job_id: string }).job_id;
    const job = await waitFor('crawl finished', 60_000, async () => {
      const j = (await t.app.inject({ method: 'GET', url: `/v1/jobs/${id}`, headers: t.admin })).json() as { state: string; last_error: string | null };
      return ['succeeded', 'failed'].includes(j.state) ? j : undefined;
    });
    assert.equal(job.state, 'succeeded', String(job.last_error));
    const found = await t.svc.search.search('acme', { q: '', entities: ['messages'], limit: 1 });
    assert.ok(found.total > 0, 'messages indexed');
  });

  it('a message waiting to be sent (a Slack URL, a signing secret, Basic auth) is sealed in the deliveries table and opened to send', async () => {
    const repo = new DeliveryRepo(t.svc.db, SecretBox.load({ secretKey: KEY, dataDir }));
    const message: StoredWebhook = {
      kind: 'webhook',
      url: 'https://hooks.slack.com/services/T000/B000/SLACKSECRETPATH',
      body: '{"text":"hi"}',
      secret: 'a-webhook-signing-secret-0123456789',
      headers: { authorization: 'Basic QUMxMjM6dHdpbGlvLXRva2Vu' },
      form: true,
    };
    const { view } = await repo.insert({ id: 'dlv_sealedtest0001', tenantId: null, key: 'sealed-test-1', kind: 'webhook', destination: 'https://hooks.slack.com/…', message });
    const [row] = await t.svc.db.query<{ message: string }>('SELECT message::text AS message FROM deliveries WHERE id = $1', [view.id]);
    for (const secret of ['SLACKSECRETPATH', 'a-webhook-signing-secret', 'QUMxMjM6dHdpbGlvLXRva2Vu']) {
      assert.ok(!row?.message.includes(secret), `${secret} is not in the stored message`);
    }
    assert.match(row?.message ?? '', /^"sealed:v1:/);
    assert.deepEqual((await repo.load(view.id))?.message, message);
    // a backend with another key cannot open it, and says which key to give
    const other = new DeliveryRepo(t.svc.db, SecretBox.load({ secretKey: `${KEY}-other`, dataDir }));
    await assert.rejects(other.load(view.id), /sealed with another key.*CAAS_SECRET_KEY/);
  });

  it('a plain value of an earlier version is sealed at start; a backend with another key says which key to give', async () => {
    await t.svc.db.query(`UPDATE crawl_sources SET token = $1 WHERE id = 'demo'`, [TOKEN]);
    assert.equal(await t.svc.crawler.resealLegacy(), 1);
    const [row] = await stored();
    assert.ok(row?.token && SecretBox.isSealed(row.token));
    assert.equal(await t.svc.crawler.resealLegacy(), 0);

    // the same data dir under another key: the source cannot be built, and the crawl fails saying why
    await t.close();
    t = await startApp({ CAAS_SECRET_KEY: `${KEY}-other`, JOBS_POLL_MS: '20', JOBS_MAX_ATTEMPTS: '1' }, dataDir);
    const r = await t.app.inject({
      method: 'POST',
      url: '/v1/crawls',
      headers: t.admin,
      payload: { source_id: 'demo', type: 'incremental', entity: 'users', tenant_id: 'acme', batch_size: 50 },
    });
    assert.equal(r.statusCode, 202, r.body);
    const id = (r.json() as { job_id: string }).job_id;
    const job = await waitFor('crawl failed', 60_000, async () => {
      const j = (await t.app.inject({ method: 'GET', url: `/v1/jobs/${id}`, headers: t.admin })).json() as { state: string; last_error: string | null };
      return ['succeeded', 'failed'].includes(j.state) ? j : undefined;
    });
    assert.equal(job.state, 'failed');
    assert.match(String(job.last_error), /the token of source 'demo' was sealed with another key.*CAAS_SECRET_KEY/);
  });
});
