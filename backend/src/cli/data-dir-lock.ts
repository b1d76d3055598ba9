import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Marks a DATA_DIR as held by one process: `DATA_DIR/backend.lock` holds the holder's pid.
 *
 * The embedded engines (PGlite, chdb) and the WAL assume one process per data dir; a second one
 * opening PGlite's files while the backend runs can corrupt them. The backend takes the lock for
 * its lifetime and `caas --direct` for the duration of one command, so neither opens a data dir
 * the other is using. A file whose pid is no longer alive (SIGKILL, power loss) is stale and does
 * not count. It lives next to the CLI because `--direct` is what it guards; main.ts takes it too.
 */
export function lockPath(dataDir: string): string {
  return join(dataDir, 'backend.lock');
}

export class DataDirHeldError extends Error {
  override name = 'DataDirHeldError';
  constructor(
    readonly dataDir: string,
    readonly pid: number
  ) {
    super(
      `DATA_DIR ${dataDir} is in use by process ${pid} (${lockPath(dataDir)}): a CAAS backend, or a 'caas --direct' command. ` +
        `If process ${pid} is not one of those (its pid was reused after a crash), delete that file.`
    );
  }
}

/** Alive = signal 0 is deliverable; EPERM means it exists but belongs to another user. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readPid(path: string): number | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return null;
  }
  const pid = Number.parseInt(text.trim(), 10);
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

/** The pid of another live process holding `dataDir`, or null (no file, a stale one, or ours). */
export function lockHolder(dataDir: string): number | null {
  const pid = readPid(lockPath(dataDir));
  return pid !== null && pid !== process.pid && alive(pid) ? pid : null;
}

export interface DataDirLock {
  readonly path: string;
  /** Removes the file if it is still ours. Synchronous, so it also works in an 'exit' handler. */
  release(): void;
}

/**
 * Takes `dataDir` for this process, or throws DataDirHeldError naming the live holder. The file is
 * created with O_EXCL, so of two processes starting at once exactly one wins; a stale file is
 * removed and the creation retried.
 */
export function acquireDataDirLock(dataDir: string): DataDirLock {
  mkdirSync(dataDir, { recursive: true });
  const path = lockPath(dataDir);
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(path, `${process.pid}\n`, { flag: 'wx' });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 3) {
        throw e;
      }
    }
    const holder = lockHolder(dataDir);
    if (holder !== null) {
      throw new DataDirHeldError(dataDir, holder);
    }
    try {
      unlinkSync(path); // stale (its pid is gone) or our own pid from a previous life
    } catch {
      // another process removed it first; the next attempt decides
    }
  }
  let released = false;
  return {
    path,
    release() {
      if (released) {
        return;
      }
      released = true;
      if (readPid(path) === process.pid) {
        try {
          unlinkSync(path);
        } catch {
          // already gone
        }
      }
    },
  };
}
