import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * Helpers for tests that run the backend as a real process (npm start's script, main.ts): a free
 * port, bounded waits, and whether a pid still runs. Every wait has a deadline, so a hung child
 * fails its test instead of hanging the suite.
 */
export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` every 100 ms until it returns true; throws `what` after `timeoutMs`. */
export async function waitUntil(what: string, timeoutMs: number, check: () => boolean | Promise<boolean>): Promise<void> {
  const t0 = Date.now();
  while (!(await check())) {
    if (Date.now() - t0 > timeoutMs) {
      throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    }
    await sleep(100);
  }
}

/**
 * Whether `pid` runs. A zombie (exited, not yet reaped by whichever process adopted it) does not
 * run: an orphan's exit is reaped by init, which in a container may never happen.
 */
export function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    try {
      process.kill(pid, 0);
      return true;
    } catch (e) {
      return (e as NodeJS.ErrnoException).code === 'EPERM';
    }
  }
}

export interface Spawned {
  child: ChildProcess;
  /** stdout and stderr so far */
  output(): string;
  /** resolves with the exit code and signal; rejects after `timeoutMs` */
  exited(timeoutMs: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Spawns with stdout and stderr captured. */
export function spawnCaptured(command: string, args: string[], options: SpawnOptions): Spawned {
  let out = '';
  const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve({ code: child.exitCode, signal: child.signalCode });
    }
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  return {
    child,
    output: () => out,
    exited: (timeoutMs) => {
      let timer: NodeJS.Timeout | undefined;
      return Promise.race([
        exit,
        new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`process ${child.pid} did not exit within ${timeoutMs / 1000} s:\n${out}`)), timeoutMs))),
      ]).finally(() => clearTimeout(timer));
    },
  };
}

/** Waits until `url` answers 200 while `s` runs; includes the output in the error. */
export async function waitForHttp(s: Spawned, url: string, timeoutMs = 60_000): Promise<void> {
  await waitUntil(`${url} answering 200`, timeoutMs, async () => {
    if (s.child.exitCode !== null || s.child.signalCode !== null) {
      throw new Error(`the process exited (${s.child.exitCode ?? s.child.signalCode}) before ${url} answered:\n${s.output()}`);
    }
    try {
      return (await fetch(url, { signal: AbortSignal.timeout(2000) })).status === 200;
    } catch {
      return false;
    }
  });
}
