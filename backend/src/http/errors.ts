import { CaasError, type ErrorKind } from '../errors.js';

export { badRequest, conflict, forbidden, gone, notFound, tooMany, unauthorized } from '../errors.js';

/** The status code of each kind of domain error: the only place HTTP meets the domain's errors. */
export const STATUS: Record<ErrorKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  gone: 410,
  too_large: 413,
  unsupported_media: 415,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
  timeout: 504,
};

const KIND_OF = new Map<number, ErrorKind>(Object.entries(STATUS).map(([k, s]) => [s, k as ErrorKind]));

/**
 * An error raised in the HTTP layer itself, by status. The error handler turns it and any
 * CaasError into `{ error: { code, message, details? } }` with its status (CONVENTIONS.md, Errors);
 * anything else becomes a 500 without a stack trace.
 */
export class ApiError extends CaasError {
  override name = 'ApiError';
  constructor(status: number, code: string, message: string, details?: unknown, retryAfter?: number) {
    super(KIND_OF.get(status) ?? (status >= 500 ? 'internal' : 'invalid'), code, message, details, retryAfter);
  }
}

export const statusOf = (e: CaasError): number => STATUS[e.kind];
