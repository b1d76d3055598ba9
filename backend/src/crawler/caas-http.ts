/**
 * The CAAS HTTP API as a crawl source (README, "CAAS HTTP source contract"):
 *   GET {base}/{entity}?tenant_id=&updated_since=&cursor=&limit=          → {items, next_cursor}
 *   GET {base}/{entity}/deleted?tenant_id=&since=&cursor=&limit=          → {items: [{id, deleted_at}], next_cursor}
 * with an optional bearer token. Every request of one source passes its token bucket (requests/s), has a
 * time limit that covers the whole exchange, reads at most maxResponseBytes, and is tried again with
 * exponential backoff and jitter on network errors, timeouts, 408, 429 and 5xx (Retry-After honoured, up to
 * maxBackoffMs). Redirects are not followed (as in delivery/http.ts).
 */
import { parseRetryAfter } from '../delivery/http.js';
import {
  type CrawlSource,
  type DeletedItem,
  type DeletedOptions,
  type Entity,
  type EntityItem,
  type FetchedFile,
  isEntity,
  type Page,
  type PageOptions,
  SourceError,
  validateDeleted,
  validateItem,
  validatePage,
} from './source.js';

export interface CaasHttpSourceOptions {
  /** e.g. https://caas.example.com/api/v1 (no trailing slash needed) */
  baseUrl: string;
  /** shown in errors and logs; default the base URL's host */
  name?: string;
  /** bearer token; sent to the base URL's origin only (a download_url elsewhere gets none) */
  token?: string | null;
  /** the token bucket's rate; default 10 */
  requestsPerSecond?: number;
  /** the bucket's size (requests that may go at once after a quiet spell); default 1 */
  burst?: number;
  /** per try, covering connect, headers and body; default 15000 */
  timeoutMs?: number;
  /** tries after the first; default 3 */
  retries?: number;
  /** first backoff; doubles each try, with ±50% jitter; default 250 */
  backoffMs?: number;
  /** cap on one wait, also on a Retry-After; default 30000 */
  maxBackoffMs?: number;
  /** largest JSON answer read; default 32 MiB */
  maxResponseBytes?: number;
  /** for tests: a seeded or fixed jitter in [0, 1) */
  random?: () => number;
}

const causeCode = (e: unknown): string | undefined => {
  const c = (e as { cause?: { code?: unknown; message?: unknown } }).cause;
  return typeof c?.code === 'string' ? c.code : typeof c?.message === 'string' ? c.message : undefined;
};
const oneLine = (s: string, n: number) => {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > n ? `${t.slice(0, n)}…` : t;
};

/** The message of a JSON error answer ({error: {message}} or {message}), else the start of the text. */
function errorText(body: Buffer): string {
  const text = body.toString('utf8', 0, 4096);
  try {
    const v = JSON.parse(text) as { error?: { message?: unknown } | string; message?: unknown };
    const m = typeof v.error === 'object' && v.error ? v.error.message : typeof v.error === 'string' ? v.error : v.message;
    if (typeof m === 'string' && m.trim()) return oneLine(m, 300);
  } catch {
    /* not JSON */
  }
  return oneLine(text, 300);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** A token bucket: `rate` tokens a second, at most `burst` saved up; take() waits for a token. */
export class TokenBucket {
  private tokens: number;
  private last: number;
  constructor(
    readonly rate: number,
    readonly burst: number,
    private readonly now: () => number = () => performance.now()
  ) {
    if (!(rate > 0) || !Number.isFinite(rate)) throw new RangeError('requestsPerSecond must be a positive number');
    if (!(burst >= 1) || !Number.isFinite(burst)) throw new RangeError('burst must be ≥ 1');
    this.tokens = burst;
    this.last = now();
  }
  async take(signal?: AbortSignal): Promise<void> {
    for (;;) {
      const t = this.now();
      this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.rate);
      this.last = t;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await sleep(Math.max(1, ((1 - this.tokens) / this.rate) * 1000), signal);
    }
  }
}

interface RawAnswer {
  status: number;
  body: Buffer;
  mime: string | null;
}

export class CaasHttpSource implements CrawlSource {
  readonly name: string;
  private readonly base: URL;
  private readonly bucket: TokenBucket;
  private readonly o: Required<Omit<CaasHttpSourceOptions, 'name' | 'token' | 'baseUrl'>> & { token: string | null };
  /** requests sent (tries included), for tests and metrics */
  requests = 0;

  constructor(opts: CaasHttpSourceOptions) {
    let base: URL;
    try {
      base = new URL(opts.baseUrl);
    } catch {
      throw new SourceError('invalid', `the source's base URL is not a URL: ${JSON.stringify(opts.baseUrl)} (set the CAAS API URL)`, false);
    }
    if (base.protocol !== 'http:' && base.protocol !== 'https:') {
      throw new SourceError('invalid', `the source's base URL must be http(s), got ${base.protocol} (set the CAAS API URL)`, false);
    }
    if (!base.pathname.endsWith('/')) base.pathname += '/';
    this.base = base;
    this.name = opts.name ?? `CAAS API at ${base.host}`;
    this.o = {
      token: opts.token ?? null,
      requestsPerSecond: opts.requestsPerSecond ?? 10,
      burst: opts.burst ?? 1,
      timeoutMs: opts.timeoutMs ?? 15_000,
      retries: opts.retries ?? 3,
      backoffMs: opts.backoffMs ?? 250,
      maxBackoffMs: opts.maxBackoffMs ?? 30_000,
      maxResponseBytes: opts.maxResponseBytes ?? 32 * 1024 * 1024,
      random: opts.random ?? Math.random,
    };
    this.bucket = new TokenBucket(this.o.requestsPerSecond, this.o.burst);
  }

  async page<E extends Entity>(entity: E, tenant: string, opts: PageOptions): Promise<Page<EntityItem[E]>> {
    this.checkArgs(entity, tenant, opts.limit);
    const u = new URL(entity, this.base);
    u.searchParams.set('tenant_id', tenant);
    u.searchParams.set('updated_since', String(Math.max(0, Math.floor(opts.updatedSince))));
    if (opts.cursor) u.searchParams.set('cursor', opts.cursor);
    u.searchParams.set('limit', String(opts.limit));
    const body = await this.getJson(u, opts.signal);
    return validatePage(`${this.name} (${entity})`, body, (raw) => validateItem(entity, raw, tenant));
  }

  async deleted(entity: Entity, tenant: string, opts: DeletedOptions): Promise<Page<DeletedItem>> {
    this.checkArgs(entity, tenant, opts.limit);
    const u = new URL(`${entity}/deleted`, this.base);
    u.searchParams.set('tenant_id', tenant);
    u.searchParams.set('since', String(Math.max(0, Math.floor(opts.since))));
    if (opts.cursor) u.searchParams.set('cursor', opts.cursor);
    u.searchParams.set('limit', String(opts.limit));
    const body = await this.getJson(u, opts.signal);
    return validatePage(`${this.name} (${entity}/deleted)`, body, validateDeleted);
  }

  async fetchFile(downloadUrl: string, opts: { maxBytes: number; signal?: AbortSignal }): Promise<FetchedFile> {
    let u: URL;
    try {
      u = new URL(downloadUrl, this.base);
    } catch {
      throw new SourceError('invalid', `the file's download_url is not a URL: ${JSON.stringify(downloadUrl.slice(0, 200))}`, false);
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') {
      throw new SourceError('invalid', `the file's download_url must be http(s), got ${u.protocol}`, false);
    }
    const a = await this.request(u, opts.maxBytes, opts.signal, 'file');
    return { bytes: a.body, mime: a.mime };
  }

  async close(): Promise<void> {}

  private checkArgs(entity: string, tenant: string, limit: number): void {
    if (!isEntity(entity)) throw new SourceError('invalid', `unknown entity ${JSON.stringify(entity)} (one of messages, files, users, conversations)`, false);
    if (typeof tenant !== 'string' || tenant.length === 0) throw new SourceError('invalid', 'a tenant id is needed', false);
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new SourceError('invalid', `limit must be a whole number from 1 to 10000, got ${limit}`, false);
  }

  private async getJson(u: URL, signal?: AbortSignal): Promise<unknown> {
    const a = await this.request(u, this.o.maxResponseBytes, signal, 'answer');
    try {
      return JSON.parse(a.body.toString('utf8'));
    } catch (e) {
      throw new SourceError(
        'bad_answer',
        `${this.name} answered ${u.pathname} with something that is not JSON (${(e as Error).message}): ${oneLine(a.body.toString('utf8', 0, 200), 120)}`,
        false
      );
    }
  }

  /** One GET, tried again on what may pass; a 2xx answer's body, or a SourceError that says what to do. */
  private async request(u: URL, maxBytes: number, signal: AbortSignal | undefined, what: 'answer' | 'file'): Promise<RawAnswer> {
    let last: SourceError | null = null;
    for (let attempt = 0; attempt <= this.o.retries; attempt++) {
      if (attempt > 0) {
        const exp = Math.min(this.o.maxBackoffMs, this.o.backoffMs * 2 ** (attempt - 1));
        const jittered = Math.min(this.o.maxBackoffMs, exp * (0.5 + this.o.random()));
        const asked = last?.extra.retryAfterMs ?? 0;
        if (asked > this.o.maxBackoffMs) {
          // the source asked for a longer pause than one run waits: stop here, a later run goes on
          throw new SourceError(
            last!.kind,
            `${last!.message} (it asked to wait ${Math.ceil(asked / 1000)} s, longer than the source's maxBackoffMs of ${this.o.maxBackoffMs} ms: try again later)`,
            true,
            last!.extra
          );
        }
        await sleep(Math.max(jittered, asked), signal);
      }
      await this.bucket.take(signal);
      try {
        return await this.once(u, maxBytes, signal, what);
      } catch (e) {
        if (!(e instanceof SourceError) || !e.retryable) throw e;
        last = e;
      }
    }
    const tries = this.o.retries + 1;
    throw new SourceError(last!.kind, `${last!.message} (after ${tries} ${tries === 1 ? 'try' : 'tries'})`, true, last!.extra);
  }

  private async once(u: URL, maxBytes: number, signal: AbortSignal | undefined, what: 'answer' | 'file'): Promise<RawAnswer> {
    const headers: Record<string, string> = { accept: what === 'file' ? '*/*' : 'application/json', 'user-agent': 'caas-observatory-crawler/1' };
    if (this.o.token && u.origin === this.base.origin) headers.authorization = `Bearer ${this.o.token}`;
    const timeout = AbortSignal.timeout(this.o.timeoutMs);
    const both = signal ? AbortSignal.any([timeout, signal]) : timeout;
    const where = `${this.name} (${u.pathname})`;
    this.requests++;
    let res: Response;
    try {
      res = await fetch(u, { headers, signal: both, redirect: 'manual' });
    } catch (e) {
      if (signal?.aborted) throw signal.reason;
      if (timeout.aborted) throw new SourceError('timeout', `${where} gave no answer within ${this.o.timeoutMs} ms (the source's timeout)`, true);
      throw new SourceError('network', `${where} could not be reached: ${causeCode(e) ?? (e as Error).message} (check the source's URL)`, true, { cause: e });
    }
    // read at most maxBytes (+1 to know it was more)
    const chunks: Buffer[] = [];
    let read = 0;
    const declared = Number(res.headers.get('content-length'));
    const reader = res.body?.getReader();
    try {
      if (res.ok && Number.isFinite(declared) && declared > maxBytes) {
        throw tooLarge();
      }
      while (reader) {
        const { done, value } = await reader.read();
        if (done) break;
        read += value.byteLength;
        if (read > maxBytes) {
          if (!res.ok) break; // an error page: its start is enough
          throw tooLarge();
        }
        chunks.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
      }
    } catch (e) {
      if (e instanceof SourceError) throw e;
      if (signal?.aborted) throw signal.reason;
      if (timeout.aborted) throw new SourceError('timeout', `${where} did not finish its ${what} within ${this.o.timeoutMs} ms (the source's timeout)`, true);
      throw new SourceError('network', `${where} broke off its ${what}: ${causeCode(e) ?? (e as Error).message}`, true, { cause: e });
    } finally {
      await reader?.cancel().catch(() => undefined);
    }
    const body = Buffer.concat(chunks);
    if (res.ok) return { status: res.status, body, mime: res.headers.get('content-type') };

    const said = body.length ? `: ${errorText(body)}` : '';
    const status = `${where} answered ${res.status}${res.statusText ? ` ${res.statusText}` : ''}${said}`;
    const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'));
    const extra = { status: res.status, ...(retryAfterMs !== null ? { retryAfterMs } : {}) };
    if (res.status === 401) {
      throw new SourceError('unauthenticated', `${status} (${this.o.token ? "the source's token was refused: set a valid bearer token" : 'the source needs a bearer token: set its token'})`, false, extra);
    }
    if (res.status === 403) throw new SourceError('forbidden', `${status} (the token may not read this tenant or entity)`, false, extra);
    if (res.status === 404) throw new SourceError('not_found', `${status} (check the source's base URL${what === 'file' ? ' or whether the file still exists' : ' and the tenant id'})`, false, extra);
    if (res.status === 408 || res.status === 429 || res.status >= 500) {
      throw new SourceError('unavailable', status, true, extra);
    }
    if (res.status >= 300 && res.status < 400) {
      throw new SourceError('bad_answer', `${status} (a redirect; redirects are not followed: configure the final URL)`, false, extra);
    }
    throw new SourceError('invalid', status, false, extra);

    function tooLarge(): SourceError {
      return new SourceError(
        'too_large',
        what === 'file'
          ? `the file at ${u.pathname} is larger than ${maxBytes} bytes (the file size limit)`
          : `${where} answered more than ${maxBytes} bytes (the answer size limit; use a smaller page limit)`,
        false
      );
    }
  }
}
