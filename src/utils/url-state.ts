import { dateMath, dateTime, type DateTime, type RawTimeRange, rangeUtil, type TimeRange, toUtc } from '@grafana/data';

/**
 * Every page keeps its state in the URL's search params, so a copied link reproduces the screen (DESIGN.md, Grafana
 * side; issue "Platform", part 6). The tenant and the time range are shared by every page and carried by the links
 * between them; each page adds its own (the explorer's query and view, Home's jobs tab and open job).
 */
export const PARAMS = {
  tenant: 'tenant',
  from: 'from',
  to: 'to',
} as const;

/** The params a link from one page of the app to another carries along. */
export const SHARED_PARAMS: readonly string[] = [PARAMS.tenant, PARAMS.from, PARAMS.to];

/** The range a page shows when the URL names none: the last 30 days, as the bundled dashboards open. */
export const DEFAULT_RAW_RANGE = { from: 'now-30d', to: 'now' } as const;

/**
 * One end of a time range as Grafana writes it in a URL (Grafana's own parseUrlParam): a relative expression
 * (`now-7d`, `now/d`), epoch milliseconds, `YYYYMMDD` or `YYYYMMDDTHHmmss` (UTC), or ISO 8601. Anything else is
 * undefined.
 */
export function parseTimeParam(value: string | null | undefined): string | DateTime | undefined {
  const text = value?.trim();
  if (!text) {
    return undefined;
  }
  if (text.startsWith('now')) {
    return dateMath.isValid(text) ? text : undefined;
  }
  if (/^\d{8}$/.test(text)) {
    return valid(toUtc(text, 'YYYYMMDD'));
  }
  if (/^\d{8}T\d{6}$/.test(text)) {
    return valid(toUtc(text, 'YYYYMMDDTHHmmss'));
  }
  if (/^-?\d+$/.test(text)) {
    return valid(dateTime(Number(text)));
  }
  // ISO 8601 only: moment's lenient fallback would take "yesterday" or "1/2/3" for a date.
  if (/^\d{4}-\d{2}-\d{2}/.test(text)) {
    return valid(dateTime(text));
  }
  return undefined;
}

function valid(d: DateTime): DateTime | undefined {
  return d.isValid() ? d : undefined;
}

/** The time range the URL names; the default when either end is missing or unreadable, or `from` is not before `to`. */
export function rangeFromParams(params: URLSearchParams, fallback: RawTimeRange = DEFAULT_RAW_RANGE): TimeRange {
  return parseRange(params.get(PARAMS.from), params.get(PARAMS.to), fallback);
}

/** The range of two URL values (see parseTimeParam); the default when either is unreadable or from is not before to. */
export function parseRange(
  fromParam: string | null | undefined,
  toParam: string | null | undefined,
  fallback: RawTimeRange = DEFAULT_RAW_RANGE
): TimeRange {
  const from = parseTimeParam(fromParam);
  const to = parseTimeParam(toParam);
  if (from !== undefined && to !== undefined) {
    const range = rangeUtil.convertRawToRange({ from, to });
    if (range.from.isValid() && range.to.isValid() && range.from.valueOf() < range.to.valueOf()) {
      return range;
    }
  }
  return rangeUtil.convertRawToRange(fallback);
}

/** One end of a range for the URL: relative expressions as written, absolute times as epoch ms (as Grafana does). */
export function timeParam(value: string | DateTime): string {
  return typeof value === 'string' ? value : String(value.valueOf());
}

/** The URL params of a range: `{ from: 'now-7d', to: 'now' }` or epoch ms. */
export function rangeToParams(range: TimeRange): { from: string; to: string } {
  return { from: timeParam(range.raw.from), to: timeParam(range.raw.to) };
}

/** A link to another page of the app that keeps the shared params (tenant, time range) of the current URL. */
export function linkWithShared(path: string, current: URLSearchParams, extra: Record<string, string> = {}): string {
  const next = new URLSearchParams();
  for (const name of SHARED_PARAMS) {
    const value = current.get(name);
    if (value) {
      next.set(name, value);
    }
  }
  for (const [name, value] of Object.entries(extra)) {
    next.set(name, value);
  }
  const search = next.toString();
  return search ? `${path}?${search}` : path;
}

/** Applies changes to search params: a value sets its param, undefined or '' removes it; other params are kept. */
export function withChanges(params: URLSearchParams, changes: Record<string, string | undefined>): URLSearchParams {
  const next = new URLSearchParams(params);
  for (const [name, value] of Object.entries(changes)) {
    if (value === undefined || value === '') {
      next.delete(name);
    } else {
      next.set(name, value);
    }
  }
  return next;
}
