import { useCallback, useEffect, useState } from 'react';
import { getHealth, type HealthResponse } from '../api/health';
import { RequestAbortedError } from '../api/errors';

export interface HealthState {
  /** True while a call is in flight; the previous answer stays available meanwhile. */
  loading: boolean;
  health?: HealthResponse;
  error?: unknown;
}

interface Result {
  attempt: number;
  health?: HealthResponse;
  error?: unknown;
}

/** Loads GET /health on mount and on refresh(); a newer call or unmount aborts the one in flight. */
export function useHealth(): HealthState & { refresh: () => void } {
  const [attempt, setAttempt] = useState(0);
  const [result, setResult] = useState<Result>();

  useEffect(() => {
    const controller = new AbortController();
    getHealth({ signal: controller.signal }).then(
      (health) => setResult({ attempt, health }),
      (error: unknown) => {
        if (!(error instanceof RequestAbortedError)) {
          setResult({ attempt, error });
        }
      }
    );
    return () => controller.abort();
  }, [attempt]);

  const refresh = useCallback(() => setAttempt((n) => n + 1), []);

  return { loading: result?.attempt !== attempt, health: result?.health, error: result?.error, refresh };
}
