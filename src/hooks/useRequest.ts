import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { RequestAbortedError } from '../api/errors';

export interface RequestState<T> {
  /** True while a call is in flight; the previous answer stays available meanwhile (no flicker on retry). */
  loading: boolean;
  data?: T;
  error?: unknown;
  /** When the shown answer arrived (ms since epoch). */
  at?: number;
  retry: () => void;
}

interface Result<T> {
  key: string;
  attempt: number;
  data?: T;
  error?: unknown;
  at: number;
}

/**
 * Calls `load` on mount, whenever `key` changes (e.g. the tenant) and on retry(); a newer call or unmount aborts the
 * one in flight, whose answer is dropped. `load` is read at call time, so it need not be memoised: `key` says when to
 * call again.
 */
export function useRequest<T>(key: string, load: (signal: AbortSignal) => Promise<T>): RequestState<T> {
  const [attempt, setAttempt] = useState(0);
  const [result, setResult] = useState<Result<T>>();
  const loader = useRef(load);
  useLayoutEffect(() => {
    loader.current = load;
  });

  useEffect(() => {
    const controller = new AbortController();
    loader.current(controller.signal).then(
      (data) => setResult({ key, attempt, data, at: Date.now() }),
      (error: unknown) => {
        if (!(error instanceof RequestAbortedError) && !controller.signal.aborted) {
          setResult({ key, attempt, error, at: Date.now() });
        }
      }
    );
    return () => controller.abort();
  }, [key, attempt]);

  const retry = useCallback(() => setAttempt((n) => n + 1), []);
  const current = result?.key === key ? result : undefined;
  return {
    loading: current?.attempt !== attempt,
    data: current?.data,
    error: current?.error,
    at: current?.at,
    retry,
  };
}
