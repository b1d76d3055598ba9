/**
 * Demo loader: a plain HTTP client of the ingest API. It streams the generator's events as NDJSON
 * batches to `POST /v1/events` (optionally gzip), a few requests in flight at a time, and honours
 * backpressure: a 429 is waited out (Retry-After) and the same batch is sent again.
 */
import { promisify } from 'node:util';
import { gzip as gzipCb } from 'node:zlib';
import { generateBatches, type DemoEvent, type DemoGeneratorOptions } from './generator.js';

const gzip = promisify(gzipCb);

export class DemoLoadError extends Error {
  override name = 'DemoLoadError';

  /** `status` is the HTTP status, or 0 when no response arrived (network error). */
  constructor(
    message: string,
    readonly status: number,
    readonly body: string,
    options?: { cause?: unknown }
  ) {
    super(message, options);
  }
}

export interface LoadProgress {
  /** events sent and answered 202 */
  sent: number;
  accepted: number;
  rejected: number;
  batches: number;
  /** 429 answers waited out */
  retries: number;
}

export interface LoadDemoResult extends LoadProgress {
  durationMs: number;
}

export interface LoadDemoOptions extends DemoGeneratorOptions {
  /** backend base URL, e.g. http://localhost:8080 */
  baseUrl: string;
  /** API key with ingest rights for the tenants (an admin key may ingest for any tenant) */
  apiKey: string;
  /** events per request, default 500 */
  batchSize?: number;
  /** requests in flight, default 4 */
  concurrency?: number;
  /** send bodies with Content-Encoding: gzip, default false */
  gzip?: boolean;
  signal?: AbortSignal;
  onProgress?: (progress: LoadProgress) => void;
  /** 429s in a row tolerated for one batch before giving up, default 120 */
  maxRetries?: number;
  /** fetch implementation, default the global fetch */
  fetch?: typeof fetch;
  /**
   * Sends `x-request-id: <prefix><n>` with each request, so the server can tell the loader's
   * requests from others' (`npm start -- --demo` keeps their per-request log lines quiet).
   */
  requestIdPrefix?: string;
}

/** Encodes events as NDJSON (one JSON object a line, trailing newline). */
export function toNdjson(events: readonly DemoEvent[]): string {
  let out = '';
  for (const e of events) out += JSON.stringify(e) + '\n';
  return out;
}

/**
 * Parses Retry-After (delta seconds or an HTTP date) into milliseconds; 1 s when absent or unreadable.
 * Never negative, at most 5 minutes.
 */
export function retryAfterMs(header: string | null, now = Date.now()): number {
  const fallback = 1000;
  if (header === null || header.trim() === '') return fallback;
  const raw = header.trim();
  let ms: number;
  if (/^\d+(\.\d+)?$/.test(raw)) ms = Number(raw) * 1000;
  else {
    const at = Date.parse(raw);
    if (Number.isNaN(at)) return fallback;
    ms = at - now;
  }
  return Math.min(300_000, Math.max(0, ms));
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

function snippet(text: string): string {
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Creates tenants through `POST /v1/tenants` with an admin key; a tenant that already exists (409) is fine.
 */
export async function ensureTenants(opts: {
  baseUrl: string;
  apiKey: string;
  tenants: ReadonlyArray<string | { id: string; name: string }>;
  fetch?: typeof fetch;
  signal?: AbortSignal;
}): Promise<void> {
  const doFetch = opts.fetch ?? fetch;
  const url = `${trimSlash(opts.baseUrl)}/v1/tenants`;
  for (const t of opts.tenants) {
    const body = typeof t === 'string' ? { id: t, name: t } : t;
    let res: Response;
    try {
      res = await doFetch(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${opts.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: opts.signal,
      });
    } catch (err) {
      throw new DemoLoadError(`POST ${url} failed: ${(err as Error).message}`, 0, '', { cause: err });
    }
    const text = await res.text();
    if (!res.ok && res.status !== 409) {
      throw new DemoLoadError(
        `POST ${url} (tenant ${body.id}) answered ${res.status}: ${snippet(text)}`,
        res.status,
        text
      );
    }
  }
}

/**
 * Sends the generated events through the real ingest path. Resolves when every batch has been answered
 * 202; rejects with a DemoLoadError on any other answer (other than 429, which is waited out and resent).
 */
export async function loadDemo(options: LoadDemoOptions): Promise<LoadDemoResult> {
  const {
    baseUrl,
    apiKey,
    batchSize = 500,
    concurrency = 4,
    gzip: useGzip = false,
    signal,
    onProgress,
    maxRetries = 120,
    fetch: doFetch = fetch,
    requestIdPrefix,
    ...generatorOptions
  } = options;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError('concurrency must be ≥ 1');
  const url = `${trimSlash(baseUrl)}/v1/events`;
  const started = Date.now();
  const progress: LoadProgress = { sent: 0, accepted: 0, rejected: 0, batches: 0, retries: 0 };
  const batches = generateBatches(generatorOptions, batchSize);
  let failure: unknown;
  let done = false;
  let requests = 0;

  const nextBatch = (): DemoEvent[] | undefined => {
    if (done || failure !== undefined) return undefined;
    const r = batches.next();
    if (r.done) {
      done = true;
      return undefined;
    }
    return r.value;
  };

  const send = async (events: DemoEvent[]): Promise<void> => {
    const text = toNdjson(events);
    const body = useGzip ? await gzip(text) : text;
    const headers: Record<string, string> = {
      authorization: `Bearer ${apiKey}`,
      'content-type': 'application/x-ndjson',
    };
    if (useGzip) headers['content-encoding'] = 'gzip';
    for (let attempt = 0; ; attempt++) {
      signal?.throwIfAborted();
      if (requestIdPrefix !== undefined) headers['x-request-id'] = `${requestIdPrefix}${++requests}`;
      let res: Response;
      try {
        res = await doFetch(url, { method: 'POST', headers, body, signal });
      } catch (err) {
        if (signal?.aborted) throw signal.reason;
        throw new DemoLoadError(`POST ${url} failed: ${(err as Error).message}`, 0, '', { cause: err });
      }
      const answer = await res.text();
      if (res.status === 429) {
        if (attempt >= maxRetries) {
          throw new DemoLoadError(`POST ${url} still answered 429 after ${maxRetries} retries`, 429, answer);
        }
        progress.retries++;
        await sleep(retryAfterMs(res.headers.get('retry-after')), signal);
        continue;
      }
      if (!res.ok) {
        throw new DemoLoadError(`POST ${url} answered ${res.status}: ${snippet(answer)}`, res.status, answer);
      }
      let parsed: { accepted?: unknown; rejected?: unknown };
      try {
        parsed = JSON.parse(answer) as typeof parsed;
      } catch (err) {
        throw new DemoLoadError(`POST ${url} answered ${res.status} with a body that is not JSON`, res.status, answer, {
          cause: err,
        });
      }
      if (typeof parsed.accepted !== 'number' || !Array.isArray(parsed.rejected)) {
        throw new DemoLoadError(`POST ${url} answered ${res.status} without {accepted, rejected}`, res.status, answer);
      }
      progress.sent += events.length;
      progress.accepted += parsed.accepted;
      progress.rejected += parsed.rejected.length;
      progress.batches++;
      onProgress?.({ ...progress });
      return;
    }
  };

  const worker = async (): Promise<void> => {
    for (let batch = nextBatch(); batch !== undefined; batch = nextBatch()) {
      try {
        await send(batch);
      } catch (err) {
        if (failure === undefined) failure = err;
        return;
      }
    }
  };

  await Promise.all(Array.from({ length: concurrency }, () => worker()));
  if (failure !== undefined) throw failure;
  return { ...progress, durationMs: Date.now() - started };
}
