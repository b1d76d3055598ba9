import type { Granularity } from '../contracts/analytics.js';
import { badRequest } from '../http/errors.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

export const GRANULARITY_MS: Record<Granularity, number> = {
  minute: MIN,
  hour: HOUR,
  day: DAY,
  week: 7 * DAY,
  month: 30 * DAY,
};
const ORDER: Granularity[] = ['minute', 'hour', 'day', 'week', 'month'];

/**
 * An instant from epoch ms or ISO 8601. A bare date ('2024-01-31') is midnight UTC; as the end of a
 * range (`endOfDay`) it means the whole day, so the seed's from=2024-01-01&to=2024-01-31 is January.
 */
export function parseInstant(v: number | string, name: string, endOfDay = false): number {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) {
      throw badRequest('invalid_time', `'${name}' must be epoch milliseconds or an ISO 8601 date`);
    }
    return Math.round(v);
  }
  if (/^\d+$/.test(v)) {
    return Number(v);
  }
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00Z` : v);
  if (Number.isNaN(ms)) {
    throw badRequest('invalid_time', `'${name}'='${v}' is not epoch milliseconds or an ISO 8601 date (e.g. 2024-01-31 or 2024-01-31T12:00:00Z)`);
  }
  return endOfDay && /^\d{4}-\d{2}-\d{2}$/.test(v) ? ms + DAY : ms;
}

/** Start of the bucket holding `ms`, in UTC (weeks start on Monday). */
export function bucketStart(ms: number, g: Granularity): number {
  switch (g) {
    case 'minute':
    case 'hour':
    case 'day':
      return ms - (((ms % GRANULARITY_MS[g]) + GRANULARITY_MS[g]) % GRANULARITY_MS[g]);
    case 'week': {
      const day = bucketStart(ms, 'day');
      const dow = (new Date(day).getUTCDay() + 6) % 7; // Monday = 0
      return day - dow * DAY;
    }
    case 'month': {
      const d = new Date(ms);
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
    }
  }
}

export function nextBucket(start: number, g: Granularity): number {
  if (g === 'month') {
    const d = new Date(start);
    return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
  }
  return start + (g === 'week' ? 7 * DAY : GRANULARITY_MS[g]);
}

/** Every bucket start in [from, to). */
export function buckets(from: number, to: number, g: Granularity): number[] {
  const out: number[] = [];
  for (let b = bucketStart(from, g); b < to; b = nextBucket(b, g)) {
    out.push(b);
  }
  return out;
}

/** The SQL bucket of a DateTime/DateTime64 expression as a UTC DateTime. */
export function bucketSql(expr: string, g: Granularity): string {
  switch (g) {
    case 'minute':
      return `toStartOfMinute(${expr})`;
    case 'hour':
      return `toStartOfHour(${expr})`;
    case 'day':
      return `toStartOfDay(${expr})`;
    case 'week':
      return `toDateTime(toMonday(${expr}), 'UTC')`;
    case 'month':
      return `toDateTime(toStartOfMonth(${expr}), 'UTC')`;
  }
}

/** Granularity from Grafana's interval: the finest one at least as wide, coarsened to stay under maxPoints. */
export function autoGranularity(from: number, to: number, intervalMs: number | undefined, maxPoints: number): Granularity {
  const span = Math.max(1, to - from);
  for (const g of ORDER) {
    if ((intervalMs === undefined || GRANULARITY_MS[g] >= intervalMs * 0.999) && span / GRANULARITY_MS[g] <= maxPoints) {
      return g;
    }
  }
  return 'month';
}

export const DAY_MS = DAY;

/** 'YYYY-MM-DD' of a UTC day. */
export function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
