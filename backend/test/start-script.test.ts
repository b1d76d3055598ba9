import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { lockPath } from '../src/cli/data-dir-lock.js';
import { freePort, running, spawnCaptured, waitForHttp, waitUntil, type Spawned } from './child-process.js';
import { ADMIN_KEY, tempDir } from './helpers.js';

/**
 * `npm start` (scripts/start.mjs) never leaves its backend behind: signals are passed on and the
 * script exits with the backend's code, and a SIGKILLed script's backend notices the closed IPC
 * channel and shuts down. The backend's pid is read from DATA_DIR/backend.lock, which also checks
 * that the running backend marks its data dir and removes the mark on a clean exit.
 */
const root = join(fileURLToPath(import.meta.url), '..', '..', '..');
const started: number[] = [];
after(() => {
  // Only what is still running: a pid that exited may since belong to someone else.
  for (const pid of started.filter(running)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

interface Started {
  script: Spawned;
  backendPid: number;
  dataDir: string;
}

async function startScript(env: Record<string, string> = {}): Promise<Started> {
  const dataDir = tempDir('caas-start-');
  const port = await freePort();
  const script = spawnCaptured(process.execPath, [join(root, 'scripts', 'start.mjs'), '--no-build'], {
    cwd: root,
    env: { ...process.env, DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', CAAS_ADMIN_KEY: ADMIN_KEY, LOG_LEVEL: 'info', ...env },
  });
  started.push(script.child.pid as number);
  await waitForHttp(script, `http://127.0.0.1:${port}/health/live`, 120_000);
  const backendPid = Number(readFileSync(lockPath(dataDir), 'utf8').trim());
  started.push(backendPid);
  assert.ok(backendPid > 0 && backendPid !== script.child.pid, `backend.lock names the backend, not the script: ${backendPid}`);
  assert.ok(running(backendPid), `the backend (pid ${backendPid}) runs`);
  return { script, backendPid, dataDir };
}

describe('npm start (scripts/start.mjs)', { timeout: 600_000 }, () => {
  it('its backend shuts down when the script is killed with SIGKILL', { timeout: 150_000 }, async () => {
    const { script, backendPid, dataDir } = await startScript();
    script.child.kill('SIGKILL');
    assert.equal((await script.exited(5_000)).signal, 'SIGKILL');
    await waitUntil(`the orphaned backend (pid ${backendPid}) exiting`, 15_000, () => !running(backendPid));
    assert.match(script.output(), /"reason":"parent process exited"/, 'the backend shut down because its parent went away');
    assert.equal(existsSync(lockPath(dataDir)), false, 'a clean shutdown removes backend.lock');
  });

  for (const signal of ['SIGTERM', 'SIGHUP'] as const) {
    it(`passes ${signal} on and exits with the backend's code`, { timeout: 150_000 }, async () => {
      const { script, backendPid, dataDir } = await startScript();
      script.child.kill(signal);
      const { code, signal: by } = await script.exited(30_000);
      assert.deepEqual({ code, signal: by }, { code: 0, signal: null }, 'the script waited for the backend and took its exit code 0');
      assert.equal(running(backendPid), false, 'the backend is gone');
      assert.match(script.output(), new RegExp(`"reason":"${signal}"`), `the backend shut down on ${signal}`);
      assert.equal(existsSync(lockPath(dataDir)), false, 'a clean shutdown removes backend.lock');
    });
  }

  it('exits 128 + 9 when its backend is killed with SIGKILL', { timeout: 150_000 }, async () => {
    const { script, backendPid } = await startScript();
    process.kill(backendPid, 'SIGKILL');
    const { code } = await script.exited(15_000);
    assert.equal(code, 137);
  });

  it("exits with the backend's code when the backend cannot start (configuration error: 2)", { timeout: 120_000 }, async () => {
    const script = spawnCaptured(process.execPath, [join(root, 'scripts', 'start.mjs'), '--no-build'], {
      cwd: root,
      env: { ...process.env, DATA_DIR: tempDir('caas-start-'), PORT: 'eighty', CAAS_ADMIN_KEY: ADMIN_KEY },
    });
    started.push(script.child.pid as number);
    const { code } = await script.exited(20_000);
    assert.equal(code, 2, script.output());
    assert.match(script.output(), /configuration error: PORT=eighty/);
  });
});
