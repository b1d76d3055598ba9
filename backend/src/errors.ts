/**
 * Errors of the domain (ingest, analytics, auth, jobs, …), free of HTTP: each names what kind of
 * failure it is, a stable code and a message that says what to change. `http/errors.ts` maps the
 * kind to a status code (CONVENTIONS.md, Errors; issue "Platform", part 1).
 */
export type ErrorKind =
  | 'invalid' // the input is wrong: change it
  | 'unauthenticated' // no or bad credentials
  | 'forbidden' // these credentials may not do this
  | 'not_found'
  | 'conflict'
  | 'gone' // existed once and no longer does (an expired or revoked link)
  | 'too_large'
  | 'unsupported_media'
  | 'rate_limited' // try again after retryAfter seconds
  | 'timeout' // the work ran longer than its limit
  | 'unavailable' // a dependency is down: try again after retryAfter seconds
  | 'internal';

export class CaasError extends Error {
  override name = 'CaasError';
  constructor(
    readonly kind: ErrorKind,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    /** seconds, for rate_limited and unavailable */
    readonly retryAfter?: number
  ) {
    super(message);
  }
}

export const badRequest = (code: string, message: string, details?: unknown) => new CaasError('invalid', code, message, details);
export const unauthorized = (message: string) => new CaasError('unauthenticated', 'unauthorized', message);
export const forbidden = (message: string) => new CaasError('forbidden', 'forbidden', message);
export const notFound = (message: string) => new CaasError('not_found', 'not_found', message);
export const conflict = (message: string) => new CaasError('conflict', 'conflict', message);
export const gone = (code: string, message: string) => new CaasError('gone', code, message);
export const tooMany = (code: string, message: string, retryAfter: number) => new CaasError('rate_limited', code, message, undefined, retryAfter);
