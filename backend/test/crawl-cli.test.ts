import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, it } from 'node:test';
import { run } from '../src/cli/caas.js';
import { startDemoPlatform, type DemoPlatform } from '../src/demo/caas-platform/index.js';
import { ADMIN_KEY, createTenant, startApp, tempDir, type TestApp } from './helpers.js';

/** `npx caas sources …` and `npx caas crawl …` against a listening backend, the demo platform as the source. */
const TOKEN = 'cli-source-token-5b1e';
let t: TestApp;
let platform: DemoPlatform;

async function cli(...args: string[]): Promise<string> {
  const out: string[] = [];
  await run(args, (s) => out.push(s));
  return out.join('\n');
}

before(async () => {
  platform = await startDemoPlatform({ seed: 3, tenants: ['acme'], token: TOKEN, messagesPerTenant: 40 });
  const dataDir = tempDir();
  t = await startApp({ JOBS_POLL_MS: '20' }, dataDir);
  await createTenant(t, 'acme');
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  process.env.CAAS_URL = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  process.env.CAAS_ADMIN_KEY = ADMIN_KEY;
  process.env.DATA_DIR = dataDir;
});
after(async () => {
  delete process.env.CAAS_URL;
  delete process.env.CAAS_ADMIN_KEY;
  await t?.close();
  await platform?.close();
});

it('sources add/list/remove and crawl --wait', { timeout: 120_000 }, async () => {
  const added = await cli('sources', 'add', '--id', 'demo', '--kind', 'caas_http', '--source-url', platform.url, '--token', TOKEN, '--rate-limit', '100');
  assert.ok(!added.includes(TOKEN), added);
  assert.deepEqual((JSON.parse(added) as { token: unknown }).token, { set: true });
  const done = JSON.parse(await cli('crawl', '--entity', 'users', '--tenant', 'acme', '--type', 'full_reindex', '--wait')) as { state: string; progress: { done: number } };
  assert.equal(done.state, 'succeeded');
  assert.equal(done.progress.done, platform.data.tenants.get('acme')!.users.size);
  const queued = JSON.parse(await cli('crawl', '--entity', 'messages', '--tenant', 'acme', '--type', 'incremental', '--batch-size', '7')) as { job_id: string };
  assert.match(queued.job_id, /^[0-9a-f-]{36}$/);
  const list = await cli('sources', 'list');
  assert.ok(!list.includes(TOKEN));
  assert.equal((JSON.parse(list) as { sources: Array<{ id: string }> }).sources[0]?.id, 'demo');
  await assert.rejects(cli('crawl', '--entity', 'messages', '--tenant', 'acme'), /--type/);
  await assert.rejects(cli('crawl', '--entity', 'messages', '--tenant', 'acme', '--type', 'full_reindex', '--source', 'nope'), /404/);
  await assert.rejects(cli('sources', 'list', '--direct'), /running backend/);
  const reset = JSON.parse(await cli('sources', 'reset-cursor', 'demo', '--entity', 'users', '--tenant', 'acme')) as { reset: unknown };
  assert.deepEqual(reset.reset, { source_id: 'demo', entity: 'users', tenant_id: 'acme' });
  const after = JSON.parse(await cli('sources', 'list')) as { sources: Array<{ cursors: Array<{ entity: string }> }> };
  assert.ok(!after.sources[0]!.cursors.some((c) => c.entity === 'users'), 'the users cursor is gone');
  await assert.rejects(cli('sources', 'reset-cursor', 'demo', '--entity', 'users', '--tenant', 'acme'), /404/);
  assert.deepEqual(JSON.parse(await cli('sources', 'remove', 'demo')), { removed: 'demo' });
});
