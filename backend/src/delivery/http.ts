/**
 * One outbound HTTP request (issue "Platform", part 3): a POST with a time limit that covers the
 * whole exchange (connect, headers, body), reading at most `maxResponseBytes` of the answer (a
 * receiver answering 5 MB costs us that many bytes and no more), redirects not followed (a
 * redirect could lead anywhere, past the address checks).
 */
export interface HttpAnswer {
  status: number;
  statusText: string;
  /** the start of the answer's body, as text (at most maxResponseBytes) */
  bodyStart: string;
  /** bytes read from the answer before we stopped */
  bytesRead: number;
  /** the answer was longer than maxResponseBytes (or broke off) and was not read to its end */
  truncated: boolean;
  /** from Retry-After (seconds, or an HTTP date), in ms from now */
  retryAfterMs: number | null;
}

/** A try that did not hand the message over: `retryable` says whether another try may. */
export class SendFailure extends Error {
  override name = 'SendFailure';
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly extra: { status?: number | null; retryAfterMs?: number | null } = {}
  ) {
    super(message);
  }
}

export function parseRetryAfter(v: string | null, now = Date.now()): number | null {
  if (v === null) {
    return null;
  }
  const s = v.trim();
  if (/^\d{1,10}$/.test(s)) {
    return Number(s) * 1000;
  }
  const at = Date.parse(s);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

const causeCode = (e: unknown): string | undefined => {
  const c = (e as { cause?: { code?: unknown; message?: unknown } }).cause;
  return typeof c?.code === 'string' ? c.code : typeof c?.message === 'string' ? c.message : undefined;
};

export async function postJson(
  url: URL,
  body: string,
  headers: Record<string, string>,
  opts: { timeoutMs: number; maxResponseBytes: number; signal?: AbortSignal }
): Promise<HttpAnswer> {
  const target = new URL(url);
  const h: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'caas-observatory-delivery/1', ...headers };
  if (target.username || target.password) {
    // fetch refuses URLs with credentials: they become Basic auth, as a browser would send them
    if (!Object.keys(h).some((k) => k.toLowerCase() === 'authorization')) {
      h.authorization = `Basic ${Buffer.from(`${decodeURIComponent(target.username)}:${decodeURIComponent(target.password)}`).toString('base64')}`;
    }
    target.username = '';
    target.password = '';
  }
  const timeout = AbortSignal.timeout(opts.timeoutMs);
  const signal = opts.signal ? AbortSignal.any([timeout, opts.signal]) : timeout;
  let res: Response;
  try {
    res = await fetch(target, { method: 'POST', headers: h, body, signal, redirect: 'manual' });
  } catch (e) {
    if (opts.signal?.aborted) {
      throw opts.signal.reason;
    }
    if (timeout.aborted) {
      throw new SendFailure(`no answer within ${opts.timeoutMs} ms (DELIVERY_TIMEOUT_MS)`, true);
    }
    throw new SendFailure(`the request failed: ${causeCode(e) ?? (e as Error).message}`, true);
  }

  const chunks: Buffer[] = [];
  let kept = 0;
  let bytesRead = 0;
  let truncated = false;
  const reader = res.body?.getReader();
  try {
    while (reader) {
      const { done, value } = await reader.read();
      if (done) {
        break;
      }
      bytesRead += value.byteLength;
      if (kept < opts.maxResponseBytes) {
        const part = Buffer.from(value.buffer, value.byteOffset, Math.min(value.byteLength, opts.maxResponseBytes - kept));
        chunks.push(part);
        kept += part.byteLength;
      }
      if (bytesRead > opts.maxResponseBytes) {
        truncated = true;
        break;
      }
    }
  } catch (e) {
    if (opts.signal?.aborted) {
      throw opts.signal.reason;
    }
    // the status came; the body broke off or took too long: keep what we read
    truncated = true;
  } finally {
    // stop the transfer (closes the connection when the answer is not read to its end)
    await reader?.cancel().catch(() => undefined);
  }
  return {
    status: res.status,
    statusText: res.statusText,
    bodyStart: Buffer.concat(chunks).toString('utf8'),
    bytesRead,
    truncated,
    retryAfterMs: parseRetryAfter(res.headers.get('retry-after')),
  };
}

const oneLine = (s: string, n: number) => {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > n ? `${t.slice(0, n)}…` : t;
};

/**
 * What an answer means for the delivery: 2xx sent; 408, 429 and 5xx worth another try (429 and 503
 * with the receiver's Retry-After); anything else (other 4xx, a redirect) failed for good, with the
 * status and the start of the answer.
 */
export function judgeAnswer(a: HttpAnswer, destination: string): SendFailure | null {
  if (a.status >= 200 && a.status < 300) {
    return null;
  }
  const said = a.bodyStart ? `: ${oneLine(a.bodyStart, 300)}` : '';
  const what = `${destination} answered ${a.status}${a.statusText ? ` ${a.statusText}` : ''}${said}`;
  if (a.status === 408 || a.status === 429 || a.status >= 500) {
    return new SendFailure(what, true, { status: a.status, retryAfterMs: a.retryAfterMs });
  }
  if (a.status >= 300 && a.status < 400) {
    return new SendFailure(`${what} (a redirect; redirects are not followed: configure the final URL)`, false, { status: a.status });
  }
  return new SendFailure(what, false, { status: a.status });
}
