import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { AnalyticsStore } from '../src/store/analytics-store.js';
import { ADMIN_KEY, tempDir } from './helpers.js';

/**
 * Durability (issue "Foundation", "Bad input and faults"): a real server process is killed with
 * SIGKILL in the middle of a heavy ingest, restarted on the same data dir, and every acknowledged
 * event is then found in ClickHouse exactly once.
 */
const backendDir = join(fileURLToPath(import.meta.url), '..', '..');
const dataDir = tempDir('caas-crash-');
const children: ChildProcess[] = [];
after(() => children.forEach((c) => c.kill('SIGKILL')));

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function startServer(port: number): Promise<{ child: ChildProcess; output: () => string }> {
  let out = '';
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: backendDir,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      CAAS_ADMIN_KEY: ADMIN_KEY,
      LOG_LEVEL: 'info',
      TENANT_RATE_LIMIT: '0',
      BATCH_MAX_EVENTS: '20000',
      BATCH_MAX_AGE_MS: '1500',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const t0 = Date.now();
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`server exited with ${child.exitCode}: ${out}`);
    }
    try {
      const r = await fetch(`http://127.0.0.1:${port}/health/ready`);
      if (r.status === 200) {
        break;
      }
    } catch {
      // not listening yet
    }
    if (Date.now() - t0 > 60_000) {
      throw new Error(`server not ready in 60 s: ${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, output: () => out };
}

const exited = (c: ChildProcess) => new Promise<void>((resolve) => (c.exitCode !== null || c.signalCode !== null ? resolve() : c.once('exit', () => resolve())));

it('every acknowledged event survives SIGKILL mid-ingest exactly once', { timeout: 240_000 }, async (t) => {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const auth = { authorization: `Bearer ${ADMIN_KEY}` };
  const first = await startServer(port);
  const created = await fetch(`${base}/v1/tenants`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify({ id: 'acme', name: 'Acme' }) });
  assert.equal(created.status, 201);

  const acked: string[] = [];
  let killed = false;
  const client = async (c: number) => {
    for (let b = 0; !killed; b++) {
      const ids = Array.from({ length: 500 }, (_, i) => `c${c}-b${b}-e${i}`);
      const body = ids
        .map((id, i) => JSON.stringify({ event_id: id, type: 'message_sent', tenant_id: 'acme', user_id: `u${i % 50}`, timestamp: Date.now() - i, properties: { message_type: 'text', c } }))
        .join('\n');
      try {
        const r = await fetch(`${base}/v1/events`, { method: 'POST', headers: { ...auth, 'content-type': 'application/x-ndjson' }, body });
        if (r.status === 202) {
          acked.push(...ids);
        }
      } catch {
        return; // the server died under this request: not acknowledged
      }
    }
  };
  const clients = Array.from({ length: 6 }, (_, c) => client(c));
  // Kill once a good amount is acknowledged, with requests in flight and a segment still open.
  while (acked.length < 60_000) {
    await new Promise((r) => setTimeout(r, 50));
  }
  first.child.kill('SIGKILL');
  killed = true;
  await exited(first.child);
  await Promise.all(clients);
  assert.equal(first.child.signalCode, 'SIGKILL');

  const second = await startServer(port);
  assert.match(second.output(), /replaying WAL segments left by the previous run/, 'the kill left acknowledged events in the WAL');
  for (let i = 0; ; i++) {
    const h = (await (await fetch(`${base}/health`)).json()) as { wal: { backlog_events: number } };
    if (h.wal.backlog_events === 0) {
      break;
    }
    assert.ok(i < 600, 'WAL drained within 60 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  second.child.kill('SIGTERM');
  await exited(second.child);

  // Read ClickHouse directly, in this process, once the server is gone (one process owns the dir).
  const store = AnalyticsStore.embedded(dataDir, 1);
  try {
    const dup = await store.query<{ n: string }>('SELECT count() n FROM (SELECT event_id FROM events GROUP BY event_id HAVING count() > 1)');
    assert.equal(Number(dup[0]?.n), 0, 'no event stored twice');
    const stored = new Set((await store.query<{ event_id: string }>('SELECT event_id FROM events')).map((r) => r.event_id));
    const missing = acked.filter((id) => !stored.has(id));
    assert.equal(missing.length, 0, `acknowledged but missing: ${missing.slice(0, 5).join(', ')}`);
    assert.ok(acked.length >= 60_000, `acknowledged ${acked.length}`);
    t.diagnostic(`crash test: ${acked.length} acknowledged, ${stored.size} stored (in-flight unacknowledged ones may land too), 0 missing, 0 duplicated`);
  } finally {
    await store.close();
  }
});
