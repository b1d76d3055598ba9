import { useCallback, useLayoutEffect, useMemo, useRef } from 'react';
import { useSearchParams } from 'react-router-dom';
import type { TimeRange } from '@grafana/data';
import { PARAMS, parseRange, rangeToParams, withChanges } from '../utils/url-state';

export interface UpdateOptions {
  /**
   * Replace the history entry instead of adding one: for edits as they are typed (the explorer's query), so Back
   * leaves the page rather than undoing keystrokes. Picks a person would go back from (tenant, range, tab) push.
   */
  replace?: boolean;
}

export interface UrlState {
  params: URLSearchParams;
  /** Sets (or, with undefined / '', removes) params, keeping the others; one history entry for all of them. */
  update: (changes: Record<string, string | undefined>, options?: UpdateOptions) => void;
  /** The shared tenant (`tenant`); undefined means every tenant the key sees. */
  tenant: string | undefined;
  setTenant: (tenant: string | undefined) => void;
  /** The shared time range (`from`, `to`, Grafana-style: now-7d or epoch ms); the last 30 days when the URL has none. */
  range: TimeRange;
  setRange: (range: TimeRange) => void;
}

/**
 * The page's state in the URL's search params (react-router's, i.e. Grafana's location inside Grafana). Reading is
 * by render: Back and Forward, and a pasted link, show what the URL says.
 */
export function useUrlState(): UrlState {
  const [params, setSearchParams] = useSearchParams();
  // Two updates in one tick (the editor's change, then its run) must build on each other, not on the last render's.
  const latest = useRef(params);
  // Only a new location resets it (a re-render for another reason must not undo an update still on its way).
  useLayoutEffect(() => {
    latest.current = params;
  }, [params]);

  const update = useCallback(
    (changes: Record<string, string | undefined>, options: UpdateOptions = {}) => {
      const next = withChanges(latest.current, changes);
      if (next.toString() === latest.current.toString()) {
        return;
      }
      latest.current = next;
      setSearchParams(next, { replace: options.replace });
    },
    [setSearchParams]
  );

  const tenant = params.get(PARAMS.tenant)?.trim() || undefined;
  const from = params.get(PARAMS.from);
  const to = params.get(PARAMS.to);
  // Recomputed only when the URL's range changes; a relative range is re-evaluated by whoever runs a query.
  const range = useMemo(() => parseRange(from, to), [from, to]);

  const setTenant = useCallback((next: string | undefined) => update({ [PARAMS.tenant]: next?.trim() }), [update]);
  const setRange = useCallback((next: TimeRange) => update(rangeToParams(next)), [update]);

  return { params, update, tenant, setTenant, range, setRange };
}
