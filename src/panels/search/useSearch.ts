import { useEffect, useMemo, useState } from 'react';
import { search, type SearchAnswer, type SearchRequest } from '../../api/search';
import { useRequest, type RequestState } from '../../hooks/useRequest';
import { requestsFor, type SearchScope, type SearchState } from './query';

/** How long typing must pause before a search is asked (ms). */
export const DEFAULT_DEBOUNCE_MS = 300;

/** `value`, once it has stayed the same for `delayMs`. */
export function useDebounced<T>(value: T, delayMs: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), Math.max(0, delayMs));
    return () => clearTimeout(timer);
  }, [value, delayMs]);
  return delayMs <= 0 ? value : settled;
}

/** An answer and how long it took, as the reader sees it (through Grafana's proxy). */
export interface Timed {
  answer: SearchAnswer;
  ms: number;
}

async function timed(body: SearchRequest, signal: AbortSignal): Promise<Timed> {
  const t0 = performance.now();
  const answer = await search(body, { signal });
  return { answer, ms: Math.round(performance.now() - t0) };
}

export interface SearchResults {
  /** the hits shown (the selected tab's) */
  hits: RequestState<Timed | null>;
  /** every entity's answer: the tab counts and the type facet */
  counts: RequestState<Timed | null>;
  /** q as last asked (typing not yet settled is not asked) */
  askedQ: string;
  /** typing has not settled yet */
  pending: boolean;
}

/**
 * Runs the search `state` asks in `scope` (nothing without a tenant), with q debounced: the hits of the selected tab,
 * and the every-entity answer for the tab counts (the same request when every entity is shown). A newer search aborts
 * the one in flight.
 */
export function useSearch(
  state: SearchState,
  scope: SearchScope | undefined,
  debounceMs = DEFAULT_DEBOUNCE_MS
): SearchResults {
  const q = useDebounced(state.q, debounceMs);
  const requests = useMemo(() => (scope ? requestsFor({ ...state, q }, scope) : undefined), [state, q, scope]);
  const countsKey = requests ? JSON.stringify(requests.counts) : 'none';
  const own = requests && requests.hits !== requests.counts ? requests.hits : undefined;
  const hitsKey = own ? JSON.stringify(own) : 'same';
  const counts = useRequest<Timed | null>(countsKey, (signal) =>
    requests ? timed(requests.counts, signal) : Promise.resolve(null)
  );
  const separate = useRequest<Timed | null>(hitsKey, (signal) => (own ? timed(own, signal) : Promise.resolve(null)));
  return { hits: own ? separate : counts, counts, askedQ: q, pending: q !== state.q };
}
