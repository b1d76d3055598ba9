/**
 * Typed, actionable API errors. The HTTP layer turns any `ApiError` into
 * `{ error: { code, message, details? } }` with its status (CONVENTIONS.md, Errors);
 * anything else becomes a 500 without a stack trace.
 */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    /** seconds, for 429 and 503 answers */
    readonly retryAfter?: number
  ) {
    super(message);
  }
}

export const badRequest = (code: string, message: string, details?: unknown) => new ApiError(400, code, message, details);
export const unauthorized = (message: string) => new ApiError(401, 'unauthorized', message);
export const forbidden = (message: string) => new ApiError(403, 'forbidden', message);
export const notFound = (message: string) => new ApiError(404, 'not_found', message);
export const conflict = (message: string) => new ApiError(409, 'conflict', message);
export const tooMany = (code: string, message: string, retryAfter: number) =>
  new ApiError(429, code, message, undefined, retryAfter);
