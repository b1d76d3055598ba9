import assert from 'node:assert/strict';
import { after, it } from 'node:test';
import { startDemoPlatform, type DemoPlatform } from '../src/demo/caas-platform/index.js';
import { spawnCaptured, waitUntil, type Spawned } from './child-process.js';
import { tempDir } from './helpers.js';

/**
 * A crawler process SIGKILLed in the middle of an incremental crawl (issue "Crawler and search": "a crash
 * mid-crawl resumes from the last committed batch with no gap and no loss"). The child
 * (crawl-crash-child.ts) crawls acme's messages from the demo platform in batches of 10 and is killed after
 * its fourth committed batch, wherever it is then (mid-download, between the engine and the cursor, …); a
 * second process on the same data dir takes the job over when its lease runs out and finishes it.
 */
const TOKEN = 'crash-test-token';
let platform: DemoPlatform | undefined;
const children: Spawned[] = [];
after(async () => {
  for (const c of children) if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL');
  await platform?.close();
});

const child = (args: string[]) => {
  const s = spawnCaptured(process.execPath, ['--import', 'tsx', 'test/crawl-crash-child.ts', ...args], { cwd: process.cwd(), env: { ...process.env, LOG_LEVEL: 'silent' } });
  children.push(s);
  return s;
};

it('SIGKILL mid-crawl: the next process resumes from the last committed batch, every message indexed once', { timeout: 180_000 }, async () => {
  platform = await startDemoPlatform({ seed: 5, tenants: ['acme'], token: TOKEN, messagesPerTenant: 200 });
  const expected = [...platform.data.tenants.get('acme')!.messages.keys()].sort();
  const dataDir = tempDir('caas-crawl-crash-');

  const first = child(['start', dataDir, platform.url, TOKEN]);
  await waitUntil('the first process committed 4 batches', 90_000, () => /BATCH 4\b/.test(first.output()));
  first.child.kill('SIGKILL');
  const gone = await first.exited(10_000);
  assert.equal(gone.signal, 'SIGKILL');
  const batches = Number(first.output().match(/BATCH (\d+)/g)?.at(-1)?.split(' ')[1]);
  assert.ok(batches >= 4 && batches * 10 < expected.length, `killed mid-crawl, after batch ${batches} of ~${Math.ceil(expected.length / 10)}`);

  const second = child(['resume', dataDir]);
  const exit = await second.exited(120_000);
  assert.equal(exit.code, 0, second.output());
  const line = second.output().split('\n').find((l) => l.startsWith('RESULT '));
  assert.ok(line, second.output());
  const r = JSON.parse(line.slice('RESULT '.length)) as {
    job: { state: string; attempts: number };
    ids: string[];
    upserted: string[];
    cursor: { updated_at: number; last_id: string };
  };
  assert.equal(r.job.state, 'succeeded');
  assert.equal(r.job.attempts, 2, 'the second process took the job over');
  assert.deepEqual([...r.ids].sort(), expected, 'every message of the source is indexed, once');
  // the second process started at the last committed cursor: it read at most one batch the first had read
  const before = expected.length - r.upserted.length;
  assert.ok(before >= (batches - 1) * 10 && before <= batches * 10 + 10, `the resumed crawl skipped the ${before} messages already committed (killed after batch ${batches})`);
  assert.equal(new Set(r.upserted).size, r.upserted.length, 'the resumed run upserted no message twice');
  const newest = [...platform.data.tenants.get('acme')!.messages.values()].sort((a, b) => a.updated_at - b.updated_at || (a.id < b.id ? -1 : 1)).at(-1)!;
  assert.equal(r.cursor.updated_at, newest.updated_at, 'the cursor ends at the newest message');
});
