import { isErrorBody, isRecord, messageOf } from '../api/errors';
import { labels } from './labels';
import { QueryValidationError } from './request';

/**
 * Turns whatever a query or a variable lookup throws into one message a Grafana user can act on (CONVENTIONS.md,
 * Errors: messages name the setting to change, as grafana-infinity does). What Grafana's backend_srv throws for a
 * non-2xx answer is a FetchError `{ status, data }`; a failed fetch is a plain Error.
 */
export interface DescribedError {
  message: string;
  /** HTTP status when there was one. */
  status?: number;
  /** Grafana cancelled the request (a newer query replaced it): not an error to show. */
  cancelled?: boolean;
}

/** Thrown by the data source for an answer whose shape breaks the contract. */
export class UnexpectedAnswerError extends Error {
  constructor(what: string) {
    super(labels.errors.unexpected(what));
    this.name = 'UnexpectedAnswerError';
  }
}

/** Thrown when no answer came within QUERY_TIMEOUT_MS (rxjs `timeout`). */
export class QueryTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(labels.errors.timeout(Math.round(timeoutMs / 1000)));
    this.name = 'QueryTimeoutError';
  }
}

export function describeError(error: unknown): DescribedError {
  if (
    error instanceof QueryValidationError ||
    error instanceof UnexpectedAnswerError ||
    error instanceof QueryTimeoutError
  ) {
    return { message: error.message };
  }
  if (isRecord(error) && typeof error.status === 'number') {
    const status = error.status;
    if (error.cancelled === true) {
      return { message: 'cancelled', status, cancelled: true };
    }
    if (status <= 0) {
      return { message: labels.errors.network, status };
    }
    const body = isBackendError(error.data) ? error.data.error : undefined;
    if (body) {
      const detail = `${body.code}: ${body.message}`;
      if (status === 401) {
        return { message: labels.errors.unauthorized(detail), status };
      }
      if (status === 403) {
        return { message: labels.errors.forbidden(detail), status };
      }
      return { message: labels.errors.backend(status, body.message), status };
    }
    // No backend body: Grafana's proxy answered itself.
    if (status === 502 || status === 503 || status === 504) {
      return { message: labels.errors.unreachable(status), status };
    }
    if (status === 404) {
      return { message: labels.errors.noRoute, status };
    }
    const grafanaMessage = messageOf(error.data) ?? (typeof error.statusText === 'string' ? error.statusText : '');
    return { message: labels.errors.backend(status, grafanaMessage || 'no details'), status };
  }
  if (error instanceof Error) {
    // fetch itself failed (TypeError: Failed to fetch) or a bug: say what happened.
    return { message: error.name === 'TypeError' ? labels.errors.network : labels.errors.unknown(error.message) };
  }
  return { message: labels.errors.unknown(String(error)) };
}

/** The backend's error body; one definition shared with the app's API client. */
export const isBackendError = isErrorBody;
export { isRecord };
