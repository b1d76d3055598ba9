/**
 * Text extraction in a worker thread (issue "Crawler and search": files are read "with size and time limits").
 * extractText() in the backend's own thread answers at its time limit, but a parser that computes without
 * yielding (a huge DOCX's XML, a pathological PDF) would still hold the event loop that ingestion and the API
 * share. Here the file is read in a worker with its own heap limit; at the time limit the worker is terminated,
 * which stops any computation, and the next file gets a fresh one. Files are read one at a time per extractor.
 */
import { Worker } from 'node:worker_threads';
import { type ExtractOptions, type Extracted, extractText, kindOf } from './extract.js';

export interface IsolatedExtractorOptions {
  /** heap of the worker; default 256 MB */
  maxHeapMb?: number;
  /** time the worker may take to start (load tsx, pdf.js, mammoth); default 30000 ms */
  startTimeoutMs?: number;
}

type Job = { bytes: Uint8Array; opts: Omit<ExtractOptions, 'signal'> & { signal?: AbortSignal }; resolve: (r: Extracted) => void };

export class IsolatedExtractor {
  private worker: Worker | null = null;
  private ready: Promise<Worker> | null = null;
  private queue: Job[] = [];
  private busy = false;
  private seq = 0;
  private closed = false;
  /** workers started so far (one more after each terminated file) */
  started = 0;

  constructor(private readonly o: IsolatedExtractorOptions = {}) {}

  /** Same answer as extractText(); never throws. */
  extract(bytes: Uint8Array, opts: ExtractOptions = {}): Promise<Extracted> {
    return new Promise((resolve) => {
      this.queue.push({ bytes, opts, resolve });
      void this.pump();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const j of this.queue.splice(0)) j.resolve(failed(j, 'the extractor was closed'));
    const w = this.worker;
    this.worker = null;
    this.ready = null;
    await w?.terminate();
  }

  private async pump(): Promise<void> {
    if (this.busy) return;
    const job = this.queue.shift();
    if (!job) return;
    this.busy = true;
    try {
      job.resolve(await this.run(job));
    } finally {
      this.busy = false;
      void this.pump();
    }
  }

  private start(): Promise<Worker> {
    this.ready ??= new Promise<Worker>((resolve, reject) => {
      const w = new Worker(new URL('./extract-worker.mjs', import.meta.url), {
        resourceLimits: { maxOldGenerationSizeMb: this.o.maxHeapMb ?? 256 },
        stdout: false,
        stderr: false,
      });
      this.started++;
      const t = setTimeout(() => {
        void w.terminate();
        reject(new Error(`the extraction worker did not start within ${this.o.startTimeoutMs ?? 30_000} ms`));
      }, this.o.startTimeoutMs ?? 30_000);
      w.once('message', () => {
        clearTimeout(t);
        this.worker = w;
        resolve(w);
      });
      w.once('error', (e) => {
        clearTimeout(t);
        reject(e);
      });
      w.unref();
    }).catch((e: unknown) => {
      this.ready = null;
      throw e;
    });
    return this.ready;
  }

  private kill(w: Worker): void {
    if (this.worker === w) {
      this.worker = null;
      this.ready = null;
    }
    void w.terminate();
  }

  private async run(job: Job): Promise<Extracted> {
    if (this.closed) return failed(job, 'the extractor was closed');
    const { signal, ...opts } = job.opts;
    if (signal?.aborted) return failed(job, 'extraction was cancelled');
    const maxBytes = opts.maxBytes ?? 20 * 1024 * 1024;
    if (job.bytes.byteLength > maxBytes || kindOf(job.bytes, opts.mime, opts.name) === null) {
      return extractText(job.bytes, opts); // refused before any parsing: no worker needed
    }
    let w: Worker;
    try {
      w = await this.start();
    } catch (e) {
      return failed(job, `text extraction is not available: ${(e as Error).message}`);
    }
    const timeoutMs = opts.timeoutMs ?? 10_000;
    const id = ++this.seq;
    return new Promise<Extracted>((resolve) => {
      let done = false;
      const finish = (r: Extracted, killWorker: boolean) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        w.off('message', onMessage);
        w.off('error', onError);
        w.off('exit', onExit);
        signal?.removeEventListener('abort', onAbort);
        if (killWorker) this.kill(w);
        resolve(r);
      };
      const onMessage = (m: { id?: number; result?: Extracted }) => {
        if (m.id === id && m.result) finish(m.result, false);
      };
      const onError = (e: Error & { code?: string }) =>
        finish(
          failed(
            job,
            e.code === 'ERR_WORKER_OUT_OF_MEMORY'
              ? `reading the file needed more than ${this.o.maxHeapMb ?? 256} MB of memory (the extraction memory limit); indexed by name only`
              : `the extractor failed on this file (${e.message}); indexed by name only`
          ),
          true
        );
      const onExit = () => finish(failed(job, 'the extractor stopped while reading this file; indexed by name only'), true);
      const onAbort = () => finish(failed(job, 'extraction was cancelled'), true);
      // the worker's own limit answers first when its parser yields; this one ends a parser that does not
      const timer = setTimeout(
        () => finish(failed(job, `reading the file took longer than ${timeoutMs} ms (the extraction time limit); indexed by name only`), true),
        timeoutMs + 250
      );
      w.on('message', onMessage);
      w.once('error', onError);
      w.once('exit', onExit);
      signal?.addEventListener('abort', onAbort, { once: true });
      // a copy: the caller keeps its buffer
      w.postMessage({ id, bytes: new Uint8Array(job.bytes), opts: { ...opts, timeoutMs } });
    });
  }
}

function failed(job: Job, error: string): Extracted {
  const kind = kindOf(job.bytes, job.opts.mime, job.opts.name);
  return { status: 'failed', content: null, error, kind, truncated: false };
}
