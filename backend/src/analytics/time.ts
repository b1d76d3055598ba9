import type { Granularity } from '../contracts/analytics.js';
import { badRequest } from '../errors.js';

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

/** The largest |epoch ms| a JavaScript Date holds; epoch ms beyond it are no instant. */
const MAX_DATE_MS = 8.64e15;

function outOfRange(name: string, v: number | string): never {
  throw badRequest(
    'invalid_time',
    `'${name}'=${String(v).slice(0, 40)} is outside the accepted range: epoch milliseconds from -${MAX_DATE_MS} to ${MAX_DATE_MS} (years -271821 to 275760), or an ISO 8601 date`
  );
}

/**
 * An instant from epoch ms or ISO 8601. A bare date ('2024-01-31') is midnight UTC; as the end of a
 * range (`endOfDay`) it means the whole day, so the seed's from=2024-01-01&to=2024-01-31 is January.
 * Epoch ms must be a safe integer a Date can hold (issue "Hardening", defect 6).
 */
export function parseInstant(v: number | string, name: string, endOfDay = false): number {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) {
      throw badRequest('invalid_time', `'${name}' must be epoch milliseconds or an ISO 8601 date`);
    }
    const ms = Math.round(v);
    return Math.abs(ms) <= MAX_DATE_MS ? ms : outOfRange(name, v);
  }
  if (/^\d+$/.test(v)) {
    const ms = Number(v);
    return ms <= MAX_DATE_MS ? ms : outOfRange(name, v);
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

/**
 * Where data can be: not before the oldest day the events TTL keeps (and never before March 1970,
 * so that windows reaching a month back stay after the epoch the engine's Date type starts at),
 * and not after the latest timestamp ingestion accepts. Ranges are cut to these bounds; a range
 * wholly outside them has nothing to read (issue "Hardening", defect 5).
 */
export interface DataBounds {
  floor: number;
  ceiling: number;
}

const EPOCH_FLOOR = Date.UTC(1970, 2, 1);

export function dataBounds(now: number, ttlDays: number, maxFutureSeconds: number): DataBounds {
  const ttlFloor = bucketStart(now - ttlDays * DAY, 'day');
  return { floor: Math.max(EPOCH_FLOOR, ttlFloor), ceiling: now + maxFutureSeconds * 1000 + DAY };
}

/** [from, to) cut to the bounds, or null when nothing of it lies inside. */
export function boundRange(from: number, to: number, b: DataBounds): { from: number; to: number } | null {
  const f = Math.max(from, b.floor);
  const t = Math.min(to, b.ceiling);
  return t > f ? { from: f, to: t } : null;
}
