import type { ErrorBody } from '../../backend/src/contracts/common';

/**
 * Error classes of the backend client, after meilisearch-js (CONVENTIONS.md, Errors): a base class that sets `name`,
 * an API error that keeps the HTTP status and the parsed body, and separate classes for network failures, timeouts
 * and a caller's abort, so the UI can tell the user what to change.
 */
export class CaasError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    // Set explicitly, not from new.target.name: the production bundle mangles class names.
    this.name = 'CaasError';
  }
}

/**
 * An HTTP answer that is not 2xx. `body` is the backend's `{ error: { code, message } }` when the backend itself
 * answered; when Grafana answered instead (no route, role denied) `body` is undefined and `grafanaMessage` holds
 * Grafana's `{ message }`.
 */
export class ApiError extends CaasError {
  readonly status: number;
  readonly body: ErrorBody | undefined;
  readonly code: string | undefined;
  readonly grafanaMessage: string | undefined;
  /** The raw response data, e.g. a 503 readiness report that still carries the per-engine checks. */
  readonly data: unknown;

  constructor(status: number, data: unknown) {
    const body = isErrorBody(data) ? data : undefined;
    const grafanaMessage = body ? undefined : messageOf(data);
    super(body?.error.message ?? grafanaMessage ?? `HTTP ${status}`, { cause: body ?? data });
    this.name = 'ApiError';
    this.status = status;
    this.body = body;
    this.code = body?.error.code;
    this.grafanaMessage = grafanaMessage;
    this.data = data;
  }

  /** True when the answer came from the CAAS backend rather than from Grafana's proxy. */
  get fromBackend(): boolean {
    return this.body !== undefined;
  }
}

/** Grafana could not reach the backend: bad URL, backend down, DNS, TLS (Grafana's proxy answers 502 without a body). */
export class NetworkError extends CaasError {
  readonly status: number | undefined;

  constructor(message: string, options?: { status?: number; cause?: unknown }) {
    super(message, options);
    this.name = 'NetworkError';
    this.status = options?.status;
  }
}

/** No answer within the client's time limit (or Grafana's proxy gave up: 504). */
export class TimeoutError extends CaasError {
  readonly timeoutMs: number;

  constructor(timeoutMs: number, options?: { cause?: unknown }) {
    super(`no answer within ${timeoutMs} ms`, options);
    this.name = 'TimeoutError';
    this.timeoutMs = timeoutMs;
  }
}

/** The caller aborted the request (page left, refresh clicked); not an error to show. */
export class RequestAbortedError extends CaasError {
  constructor(options?: { cause?: unknown }) {
    super('request aborted', options);
    this.name = 'RequestAbortedError';
  }
}

/** The backend answered 2xx, but not with the shape its contract promises (version skew between app and backend). */
export class UnexpectedResponseError extends CaasError {
  readonly data: unknown;

  constructor(what: string, data: unknown) {
    super(`unexpected answer from the backend: ${what}`);
    this.name = 'UnexpectedResponseError';
    this.data = data;
  }
}

export function isErrorBody(data: unknown): data is ErrorBody {
  if (!isRecord(data) || !isRecord(data.error)) {
    return false;
  }
  return typeof data.error.code === 'string' && typeof data.error.message === 'string';
}

/** A plain-text or `{ message }` body's message (what Grafana's own proxy answers). */
export function messageOf(data: unknown): string | undefined {
  if (typeof data === 'string' && data.trim() !== '') {
    return data.trim();
  }
  if (isRecord(data) && typeof data.message === 'string' && data.message !== '') {
    return data.message;
  }
  return undefined;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * An answer as the caller expects it: an object that `ok` accepts, else an UnexpectedResponseError naming `what`
 * (e.g. "GET /v1/oncall/now without schedules"). The check is on the shape a page relies on, not the whole schema.
 */
export function expectShape<T>(what: string, data: unknown, ok: (d: Record<string, unknown>) => boolean): T {
  if (!isRecord(data) || !ok(data)) {
    throw new UnexpectedResponseError(what, data);
  }
  return data as T;
}
