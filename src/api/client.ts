import { lastValueFrom, fromEvent, takeUntil } from 'rxjs';
import { getBackendSrv } from '@grafana/runtime';
import { API_PROXY_BASE } from '../constants';
import { ApiError, CaasError, isErrorBody, isRecord, NetworkError, RequestAbortedError, TimeoutError } from './errors';

/** Default time limit of one backend call; the backend's own health checks answer well within it. */
export const DEFAULT_TIMEOUT_MS = 15_000;

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RequestOptions {
  method?: HttpMethod;
  params?: Record<string, string | number | boolean | undefined>;
  data?: unknown;
  /** Abort from the caller (unmount, refresh); rejects with RequestAbortedError. */
  signal?: AbortSignal;
  /** Rejects with TimeoutError after this many ms. */
  timeoutMs?: number;
  /**
   * Non-2xx statuses whose body is still an answer, e.g. 503 from /health/ready, which carries the per-engine
   * checks. An `{ error }` body with such a status is still an ApiError.
   */
  acceptStatus?: readonly number[];
}

/** What a feature's API function passes on to request(): the caller's abort signal and timeout. */
export type CallOptions = Pick<RequestOptions, 'signal' | 'timeoutMs'>;

export interface ApiResponse<T> {
  status: number;
  data: T;
}

/**
 * Calls the CAAS backend through the app's plugin-proxy route (`/api/plugin-proxy/<app id>/api/...`); Grafana adds
 * the API key, so it never reaches the browser. `path` is the backend path, e.g. `/health`.
 */
export function request<T>(path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
  return fetchGrafana<T>(`${API_PROXY_BASE}${path}`, options);
}

/** Calls any Grafana HTTP API (e.g. the plugin settings API) with the same error classes as the backend client. */
export async function fetchGrafana<T>(url: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
  const { method = 'GET', params, data, signal, timeoutMs = DEFAULT_TIMEOUT_MS, acceptStatus = [] } = options;
  if (signal?.aborted) {
    throw new RequestAbortedError();
  }

  // One controller for both the caller's abort and our time limit, so we can tell them apart afterwards.
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  const onCallerAbort = () => controller.abort();
  signal?.addEventListener('abort', onCallerAbort);

  try {
    const response = await lastValueFrom(
      getBackendSrv()
        .fetch<T>({
          url,
          method,
          params,
          data,
          abortSignal: controller.signal,
          // The pages show their own, actionable errors; Grafana's generic toasts would only repeat them.
          showErrorAlert: false,
          showSuccessAlert: false,
        })
        // Unsubscribing cancels the HTTP request in Grafana's backend_srv; lastValueFrom then rejects and we map it.
        .pipe(takeUntil(fromEvent(controller.signal, 'abort')))
    );
    return { status: response.status, data: response.data };
  } catch (error) {
    if (timedOut) {
      throw new TimeoutError(timeoutMs, { cause: error });
    }
    if (signal?.aborted) {
      throw new RequestAbortedError({ cause: error });
    }
    const mapped = toClientError(error);
    if (mapped instanceof ApiError && acceptStatus.includes(mapped.status) && !isErrorBody(mapped.data)) {
      return { status: mapped.status, data: mapped.data as T };
    }
    throw mapped;
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onCallerAbort);
  }
}

/**
 * Maps what Grafana's backend_srv throws (a FetchError `{ status, data }`, or a plain Error when fetch itself failed)
 * to the client's error classes.
 */
export function toClientError(error: unknown): CaasError {
  if (error instanceof CaasError) {
    return error;
  }
  if (isRecord(error) && typeof error.status === 'number') {
    const { status, data } = error;
    if (error.cancelled === true) {
      return new RequestAbortedError({ cause: error });
    }
    // status 0 / -1: the browser never got an answer from Grafana itself.
    if (status <= 0) {
      return new NetworkError('no answer from Grafana', { status, cause: error });
    }
    // 502 / 504 without the backend's error body: Grafana's proxy could not reach the backend (or gave up waiting).
    if ((status === 502 || status === 504) && !isErrorBody(data)) {
      return new NetworkError(`Grafana could not reach the backend (HTTP ${status})`, { status, cause: error });
    }
    return new ApiError(status, data);
  }
  const message = error instanceof Error ? error.message : String(error);
  return new NetworkError(message, { cause: error });
}
