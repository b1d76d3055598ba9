import type { CrawlRun, CrawlType, Entity } from '../../api/crawler';
import { type DescribeContext, describeError, type ErrorDescription } from '../../api/describe-error';
import { ApiError } from '../../api/errors';
import { labels } from '../../labels';
import { formatCount, formatDuration } from '../../utils/format';

/** How crawls read on the Crawler page: their type and entity in words, progress, rate, time left, Admin errors. */

export function crawlTypeName(type: string): string {
  return labels.crawler.types[type as CrawlType] ?? type;
}

export function entityName(entity: string): string {
  return labels.crawler.entities[entity as Entity] ?? entity;
}

const ACTIVE = new Set(['queued', 'running']);

export function isActive(run: Pick<CrawlRun, 'state'>): boolean {
  return ACTIVE.has(run.state);
}

export interface ProgressView {
  /** e.g. "1,250 / 4,000" (of an estimate: "≈"), or "1,250" while the total is unknown */
  text: string;
  /** 0..1 when a total or an estimate is known, for the bar */
  fraction: number | null;
}

/**
 * A crawl's progress: documents done out of its total, or while running out of the estimate (a full reindex expects
 * the size of the index it replaces), else the count alone.
 */
export function crawlProgress(run: CrawlRun): ProgressView {
  const { done, total } = run.progress;
  const of = total ?? run.expected_total;
  if (of === null) {
    return { text: labels.crawler.crawls.progressCount(formatCount(done)), fraction: null };
  }
  const estimated = total === null;
  return {
    text: labels.crawler.crawls.progressOf(formatCount(done), formatCount(of), estimated),
    fraction: of > 0 ? Math.min(1, done / of) : 1,
  };
}

/** Documents per second, with one decimal below 10 (e.g. "4.5 docs/s", "320 docs/s"); "–" before the run started. */
export function crawlRate(run: CrawlRun): string {
  const rate = run.rate_per_s;
  if (rate === null || run.state === 'queued') {
    return labels.crawler.crawls.none;
  }
  return labels.crawler.crawls.rate(rate < 10 ? rate.toFixed(1) : formatCount(rate));
}

export interface EtaView {
  text: string;
  /** why the time left is unknown, as a tooltip */
  hint?: string;
}

/** The time left of a running crawl (e.g. "1 min 5 s"), or why it cannot be told; "–" for a crawl not running. */
export function crawlEta(run: CrawlRun): EtaView {
  const c = labels.crawler.crawls;
  if (run.state !== 'running') {
    return { text: c.none };
  }
  if (run.eta_s !== null) {
    return { text: formatDuration(Math.max(1, run.eta_s)) };
  }
  if (run.expected_total !== null && run.progress.done >= run.expected_total) {
    return { text: c.etaAlmost, hint: c.etaAlmostHint };
  }
  if (run.expected_total !== null) {
    return { text: c.etaUnknown, hint: c.etaNoRateHint };
  }
  return { text: c.etaUnknown, hint: run.type === 'full_reindex' ? c.etaFirstFullHint : c.etaIncrementalHint };
}

/**
 * An Admin action's failure: the backend refusing the key Grafana sent on an Admin route means the app's admin key
 * (not the read key) is missing or wrong; Grafana refusing the route means the user is not an org Admin. Anything
 * else reads as on every page.
 */
export function describeAdminError(error: unknown, context: DescribeContext = {}): ErrorDescription {
  if (error instanceof ApiError && error.fromBackend && (error.status === 401 || error.status === 403)) {
    return { ...labels.crawler.errors.adminKey, fixOnConfigPage: true };
  }
  if (error instanceof ApiError && !error.fromBackend && error.status === 403) {
    return { ...labels.crawler.errors.notAdmin, fixOnConfigPage: false };
  }
  return describeError(error, context);
}
