import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DEMO_REQUEST_ID_PREFIX, DEMO_TENANTS } from '../src/demo/run-demo.js';
import { AnalyticsStore } from '../src/store/analytics-store.js';
import { freePort, running, spawnCaptured, waitUntil, type Spawned } from './child-process.js';
import { tempDir } from './helpers.js';

/**
 * `npm start -- --demo` three times on one data dir (issue "Hardening"): the first start loads the
 * demo without logging its ingest requests and prints the ready block; the second finds the data
 * and skips; `--demo-reset` deletes the demo tenants' events and rollups and loads once more, so
 * ClickHouse ends with exactly one load, in `events` and in every table derived from it.
 */
const backendDir = join(fileURLToPath(import.meta.url), '..', '..');
const dataDir = tempDir('caas-demo-start-');
const READY = '==== CAAS Observatory backend is ready ====';
const ids = DEMO_TENANTS.map((t) => t.id);
const children: Spawned[] = [];
after(() => children.filter((c) => c.child.exitCode === null && c.child.signalCode === null).forEach((c) => c.child.kill('SIGKILL')));

type LogLine = Record<string, unknown> & { msg?: string; reqId?: string };
const jsonLines = (out: string): LogLine[] =>
  out
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as LogLine);

/** Runs main.ts with `flags` until its ready block is out; returns the process and its port. */
async function start(flags: string[]): Promise<{ s: Spawned; port: number }> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info', BATCH_MAX_AGE_MS: '200' };
  delete env.CAAS_ADMIN_KEY; // the ready block then names the key file
  delete env.CLICKHOUSE_URL;
  delete env.DATABASE_URL;
  const s = spawnCaptured(process.execPath, ['--import', 'tsx', 'src/main.ts', ...flags, '--demo-days', '1', '--demo-events-per-day', '400'], { cwd: backendDir, env });
  children.push(s);
  await waitUntil('the ready block', 90_000, () => {
    if (s.child.exitCode !== null) {
      throw new Error(`the backend exited with ${s.child.exitCode}:\n${s.output()}`);
    }
    return s.output().includes(READY);
  });
  return { s, port };
}

async function stop(s: Spawned): Promise<void> {
  s.child.kill('SIGTERM');
  assert.equal((await s.exited(30_000)).code, 0);
}

it('npm start -- --demo loads once, quietly; a restart skips; --demo-reset reloads', { timeout: 300_000 }, async (t) => {
  // 1. First start: loads, and says where everything is.
  const first = await start(['--demo']);
  const keyFile = join(dataDir, 'admin.key');
  const out1 = first.s.output();
  assert.match(out1, new RegExp(`URL {8}http://127\\.0\\.0\\.1:${first.port}\\n`));
  assert.ok(out1.includes(`admin key  ${keyFile}`), 'the ready block names the admin key file');
  assert.match(readFileSync(keyFile, 'utf8'), /^caas_admin_/);
  const loaded1 = jsonLines(out1).find((l) => l.msg === 'demo events loaded') as { accepted: number; batches: number } | undefined;
  assert.ok(loaded1 && loaded1.accepted > 0 && loaded1.batches > 0, 'the demo was loaded');
  assert.ok(out1.indexOf(READY) > out1.indexOf('"msg":"demo events loaded"'), 'the ready block comes after the load');
  const demoLines = jsonLines(out1).filter((l) => typeof l.reqId === 'string' && l.reqId.startsWith(DEMO_REQUEST_ID_PREFIX));
  assert.deepEqual(demoLines, [], `none of the ${loaded1.batches} demo requests is logged`);
  // Other requests are logged as before (the quieting ends with the load and only ever touched its requests).
  await fetch(`http://127.0.0.1:${first.port}/health/live`, { headers: { 'x-request-id': 'after-the-demo' } });
  await waitUntil('the request line of a request after the demo', 5_000, () =>
    jsonLines(first.s.output()).some((l) => l.reqId === 'after-the-demo' && l.msg === 'incoming request')
  );
  await stop(first.s);

  // 2. Second start: the data is there, nothing is loaded again.
  const second = await start(['--demo']);
  const lines2 = jsonLines(second.s.output());
  const skipped = lines2.find((l) => l.msg?.startsWith('demo data is already loaded')) as { events: number } | undefined;
  assert.ok(skipped, 'the restart says the demo data is already loaded');
  assert.equal(skipped.events, loaded1.accepted, 'it counted the first load in ClickHouse');
  assert.equal(lines2.filter((l) => l.msg === 'demo events loaded').length, 0, 'nothing is loaded again');
  assert.match(second.s.output(), /demo data {2}acme, globex, initech: already loaded \(\d+ events\); --demo-reset reloads it/);
  await stop(second.s);

  // 3. --demo-reset: delete, then load again.
  const third = await start(['--demo-reset']);
  const lines3 = jsonLines(third.s.output());
  const reset = lines3.find((l) => l.msg?.startsWith('--demo-reset: deleted')) as { tables: string[] } | undefined;
  assert.ok(reset, 'the reset is logged');
  const loaded3 = lines3.find((l) => l.msg === 'demo events loaded') as { accepted: number } | undefined;
  assert.ok(loaded3 && loaded3.accepted > 0, 'the demo was loaded again');
  await stop(third.s);
  assert.equal(running(third.s.child.pid as number), false);

  // ClickHouse, read once the backend is gone (one process per data dir): exactly the third load,
  // in events and in every table derived from it (a rollup left alone would count both loads).
  const store = AnalyticsStore.embedded(dataDir, 1);
  try {
    const n = async (sql: string) => Number((await store.query<{ n: string }>(sql, { t: ids }))[0]?.n);
    assert.equal(await n('SELECT count() AS n FROM events WHERE tenant_id IN {t:Array(String)}'), loaded3.accepted, 'events: one load, not two');
    const derived = reset.tables.filter((x) => x !== 'events');
    assert.ok(derived.includes('events_rollup_hour') && derived.includes('user_days') && derived.includes('user_months'), `reset tables: ${reset.tables.join(', ')}`);
    for (const table of derived) {
      assert.equal(await n(`SELECT sum(events) AS n FROM ${table} WHERE tenant_id IN {t:Array(String)}`), loaded3.accepted, `${table} counts one load`);
    }
    t.diagnostic(`loads: ${loaded1.accepted} then ${loaded3.accepted} events; reset ${reset.tables.length} tables`);
  } finally {
    await store.close();
  }
});
