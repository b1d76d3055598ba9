import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { open, readdir, readFile, truncate, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Write-ahead log of accepted events (DESIGN.md data flow 1).
 *
 * Accepted events are appended as NDJSON lines (already in the events table's row shape) to the
 * open segment and fsynced before the request is acknowledged. Concurrent requests share one
 * write + fsync (group commit). A segment is sealed when it holds `maxSegmentEvents` events or is
 * `maxSegmentAgeMs` old; each sealed segment is inserted into ClickHouse as one batch whose
 * deduplication token is the segment's uuid, so a replay after a crash is dropped by the engine
 * instead of duplicating rows. A segment's file is deleted only after its insert committed.
 */
export interface Segment {
  seq: number;
  /** uuid in the file name: the insert deduplication token */
  token: string;
  path: string;
  events: number;
  bytes: number;
  createdAt: number;
  /** the segment's text, kept in memory for live segments; recovered ones are read from disk */
  chunks: string[] | null;
}

export interface WalOptions {
  dir: string;
  maxSegmentEvents: number;
  maxSegmentAgeMs: number;
  /** called, in order, for every sealed segment (including the ones recovered at open) */
  onSeal: (segment: Segment) => void;
  onFsync?: (seconds: number) => void;
}

export class WalWriteError extends Error {
  override name = 'WalWriteError';
}

const FILE_RE = /^(\d{12})-([0-9a-f-]{36})\.wal$/;

interface Pending {
  text: string;
  events: number;
  resolve: () => void;
  reject: (e: Error) => void;
}

export class Wal {
  private current: (Segment & { fh: FileHandle }) | null = null;
  private nextSeq = 1;
  private pending: Pending[] = [];
  private ops: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  /** events and bytes acknowledged but not yet committed downstream */
  private backlog = { events: 0, bytes: 0, segments: 0 };

  constructor(private readonly opts: WalOptions) {
    mkdirSync(opts.dir, { recursive: true });
  }

  /** Recovers segments left by a previous process (sealing a torn tail) and hands them to onSeal. */
  async open(): Promise<Segment[]> {
    const names = (await readdir(this.opts.dir)).filter((n) => FILE_RE.test(n)).sort();
    const recovered: Segment[] = [];
    for (const name of names) {
      const m = FILE_RE.exec(name);
      if (!m?.[1] || !m[2]) {
        continue;
      }
      const path = join(this.opts.dir, name);
      let text = await readFile(path, 'utf8');
      // Only the tail can be torn: a write is acknowledged after its fsync, so a partial last
      // line was never acknowledged and is dropped.
      const end = text.lastIndexOf('\n') + 1;
      if (end < text.length) {
        await truncate(path, Buffer.byteLength(text.slice(0, end)));
        text = text.slice(0, end);
      }
      const seq = Number(m[1]);
      this.nextSeq = Math.max(this.nextSeq, seq + 1);
      if (text.length === 0) {
        await unlink(path);
        continue;
      }
      const seg: Segment = {
        seq,
        token: m[2],
        path,
        events: countLines(text),
        bytes: Buffer.byteLength(text),
        createdAt: Date.now(),
        chunks: null,
      };
      recovered.push(seg);
    }
    for (const seg of recovered) {
      this.addBacklog(seg.events, seg.bytes, 1);
      this.opts.onSeal(seg);
    }
    this.timer = setInterval(() => this.sealIfOld(), Math.max(10, Math.floor(this.opts.maxSegmentAgeMs / 4)));
    this.timer.unref();
    return recovered;
  }

  get stats(): { events: number; bytes: number; segments: number } {
    return { ...this.backlog };
  }

  /** Appends NDJSON text holding `events` lines; resolves once it is fsynced. */
  append(text: string, events: number): Promise<void> {
    if (this.closed) {
      return Promise.reject(new WalWriteError('the WAL is closed (server shutting down); retry against a running instance'));
    }
    if (events === 0) {
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ text, events, resolve, reject });
      if (this.pending.length === 1) {
        this.schedule(() => this.writePending());
      }
    });
  }

  /** Called by the flusher once a segment is committed downstream: its file is removed. */
  async release(seg: Segment): Promise<void> {
    await unlink(seg.path).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'ENOENT') {
        throw e;
      }
    });
    seg.chunks = null;
    this.addBacklog(-seg.events, -seg.bytes, -1);
  }

  /** Seals the open segment now (shutdown, tests). */
  flush(): Promise<void> {
    return this.schedule(() => this.seal());
  }

  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
    if (this.timer) {
      clearInterval(this.timer);
    }
  }

  private addBacklog(events: number, bytes: number, segments: number): void {
    this.backlog.events += events;
    this.backlog.bytes += bytes;
    this.backlog.segments += segments;
  }

  private schedule(fn: () => Promise<void>): Promise<void> {
    const run = this.ops.then(fn);
    this.ops = run.catch(() => undefined);
    return run;
  }

  private sealIfOld(): void {
    const c = this.current;
    if (c && c.events > 0 && Date.now() - c.createdAt >= this.opts.maxSegmentAgeMs) {
      void this.schedule(() => this.seal());
    }
  }

  private async segment(): Promise<Segment & { fh: FileHandle }> {
    if (this.current) {
      return this.current;
    }
    const seq = this.nextSeq++;
    const token = randomUUID();
    const path = join(this.opts.dir, `${String(seq).padStart(12, '0')}-${token}.wal`);
    const fh = await open(path, 'a');
    // The new file's directory entry must be durable too, or an fsynced segment could vanish.
    const dir = await open(this.opts.dir, 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
    this.current = { seq, token, path, events: 0, bytes: 0, createdAt: Date.now(), chunks: [], fh };
    this.addBacklog(0, 0, 1);
    return this.current;
  }

  private async writePending(): Promise<void> {
    const batch = this.pending.splice(0);
    if (batch.length === 0) {
      return;
    }
    const text = batch.length === 1 ? (batch[0] as Pending).text : batch.map((p) => p.text).join('');
    const events = batch.reduce((n, p) => n + p.events, 0);
    const bytes = Buffer.byteLength(text);
    let seg: (Segment & { fh: FileHandle }) | null = null;
    const t0 = performance.now();
    try {
      seg = await this.segment();
      await seg.fh.write(text);
      await seg.fh.datasync();
    } catch (e) {
      const err = new WalWriteError(`could not persist events to the WAL: ${(e as Error).message}; nothing was acknowledged, retry the request`);
      batch.forEach((p) => p.reject(err));
      if (seg) {
        // Cut what the failed write may have left, then seal what was good.
        await seg.fh.truncate(seg.bytes).catch(() => undefined);
        await this.seal();
      }
      return;
    }
    this.opts.onFsync?.((performance.now() - t0) / 1000);
    seg.chunks?.push(text);
    seg.events += events;
    seg.bytes += bytes;
    this.addBacklog(events, bytes, 0);
    batch.forEach((p) => p.resolve());
    if (seg.events >= this.opts.maxSegmentEvents) {
      await this.seal();
    }
  }

  private async seal(): Promise<void> {
    const c = this.current;
    if (!c) {
      return;
    }
    this.current = null;
    await c.fh.close();
    if (c.events === 0) {
      await unlink(c.path).catch(() => undefined);
      this.addBacklog(0, 0, -1);
      return;
    }
    const { fh: _fh, ...seg } = c;
    this.opts.onSeal(seg);
  }
}

/** Reads a sealed segment's text (from memory when live, from disk when recovered). */
export async function segmentText(seg: Segment): Promise<string> {
  return seg.chunks ? seg.chunks.join('') : readFile(seg.path, 'utf8');
}

function countLines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) {
    n++;
  }
  return n;
}
