import { useCallback, useEffect, useRef, useState } from 'react';
import type { DataFrame, TimeRange } from '@grafana/data';
import type { QueryMeta } from '../../../backend/src/contracts/analytics';
import { queryAnalytics } from '../../api/analytics';
import { RequestAbortedError } from '../../api/errors';
import { QueryValidationError, toAnalyticsBody, validateQuery } from '../../datasource/request';
import { shownPart, toDataFrames } from '../../datasource/toDataFrames';
import type { CaasQuery } from '../../datasource/types';
import { labels } from '../../labels';

export interface ExplorerResult {
  query: CaasQuery;
  frames: DataFrame[];
  meta: QueryMeta;
  range: TimeRange;
}

/**
 * One explorer query: checked the way the data source checks a panel's query (validateQuery), turned into the
 * contract's body by the data source's own toAnalyticsBody (so the explorer asks exactly what a panel would), sent
 * through the app's proxy route, and answered as Grafana data frames (toDataFrames).
 */
export async function runExplorerQuery(
  query: CaasQuery,
  range: TimeRange,
  options: { signal?: AbortSignal; maxDataPoints?: number } = {}
): Promise<ExplorerResult> {
  if (query.kind === 'annotations') {
    throw new QueryValidationError(labels.analytics.notAnalytics);
  }
  const problem = validateQuery(query);
  if (problem) {
    throw new QueryValidationError(problem);
  }
  const from = range.from.valueOf();
  const to = range.to.valueOf();
  // Like a panel's $__interval: the range over the points a chart can show; the backend picks the granularity from it.
  const intervalMs = Math.max(1, Math.floor((to - from) / (options.maxDataPoints ?? 1000)));
  const tenant = query.tenant?.trim() || undefined;
  const body = toAnalyticsBody(query, { from, to, tenant, intervalMs });
  const response = await queryAnalytics(body, { signal: options.signal });
  return { query, frames: toDataFrames(response, query.refId, shownPart(query)), meta: response.meta, range };
}

export interface ExplorerState {
  loading: boolean;
  result?: ExplorerResult;
  error?: unknown;
}

/** Runs explorer queries; a new run (or leaving the page) aborts the one in flight, whose answer is then dropped. */
export function useExplorerQuery(maxDataPoints?: number) {
  const [state, setState] = useState<ExplorerState>({ loading: false });
  const controller = useRef<AbortController | undefined>(undefined);

  useEffect(() => () => controller.current?.abort(), []);

  const run = useCallback(
    async (query: CaasQuery, range: TimeRange) => {
      controller.current?.abort();
      const current = new AbortController();
      controller.current = current;
      setState((s) => ({ ...s, loading: true }));
      try {
        const result = await runExplorerQuery(query, range, { signal: current.signal, maxDataPoints });
        if (controller.current === current) {
          setState({ loading: false, result });
        }
      } catch (error) {
        if (error instanceof RequestAbortedError || controller.current !== current) {
          return;
        }
        setState({ loading: false, error });
      }
    },
    [maxDataPoints]
  );

  /** Drops what is shown (and aborts what is in flight). */
  const clear = useCallback(() => {
    controller.current?.abort();
    controller.current = undefined;
    setState({ loading: false });
  }, []);

  return { ...state, run, clear };
}
