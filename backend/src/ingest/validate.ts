import { Ajv, type ErrorObject } from 'ajv';
import { AnalyticsEventInput } from '../contracts/events.js';

/** Per-event validation against the contract (TypeBox schema compiled once by Ajv). */
const ajv = new Ajv({ allErrors: false, strict: false });
const check = ajv.compile<AnalyticsEventInput>(AnalyticsEventInput);

const MAX_PROPERTY_KEY = 128;

export type Checked = { ok: true; event: AnalyticsEventInput } | { ok: false; reason: string };

export function checkEvent(raw: unknown): Checked {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return { ok: false, reason: `an event must be a JSON object, got ${raw === null ? 'null' : Array.isArray(raw) ? 'an array' : typeof raw}` };
  }
  if (check(raw)) {
    // TypeBox's Record puts the key's schema in a pattern Ajv does not length-check: check it here.
    for (const key of Object.keys(raw.properties ?? {})) {
      if (key.length > MAX_PROPERTY_KEY) {
        return { ok: false, reason: `property key '${key.slice(0, 40)}…' is ${key.length} characters long; at most ${MAX_PROPERTY_KEY}` };
      }
    }
    return { ok: true, event: raw };
  }
  return { ok: false, reason: describe(check.errors?.[0]) };
}

/** Turns an Ajv error into a sentence a person can act on. */
function describe(e: ErrorObject | undefined): string {
  if (!e) {
    return 'event does not match the event schema';
  }
  const field = e.instancePath.replace(/^\//, '').replace(/\//g, '.');
  const where = field ? `'${field}'` : 'event';
  if (field === 'timestamp') {
    return `'timestamp' must be epoch milliseconds (number) or an ISO 8601 string (e.g. 2024-01-31T12:00:00Z)`;
  }
  switch (e.keyword) {
    case 'required':
      return `missing required field '${field ? field + '.' : ''}${String(e.params.missingProperty)}'`;
    case 'additionalProperties':
      return `unknown field '${String(e.params.additionalProperty)}' (put custom data under 'properties')`;
    case 'type':
      return `${where} must be ${String(e.params.type)}`;
    case 'pattern':
      return field === 'type'
        ? `'type' must be snake_case starting with a letter (e.g. message_sent), at most 64 characters`
        : `${where} has an invalid format (${String(e.params.pattern)})`;
    case 'minLength':
      return `${where} must not be empty`;
    case 'maxLength':
      return `${where} is too long (at most ${String(e.params.limit)} characters)`;
    default:
      return `${where} ${e.message ?? 'is invalid'}`;
  }
}

/** The largest |epoch ms| a JavaScript Date holds (±100,000,000 days around 1970). */
const MAX_DATE_MS = 8.64e15;

/** A date for a message, or the value as sent when no Date can hold it (toISOString would throw). */
function dateText(ms: number, sent: number | string): string {
  return Math.abs(ms) <= MAX_DATE_MS ? new Date(ms).toISOString() : String(sent);
}

/** Parses a timestamp (epoch ms or ISO 8601) and checks it lies inside the allowed skew. */
export function checkTimestamp(
  ts: number | string,
  now: number,
  maxFutureMs: number,
  maxPastMs: number
): { ok: true; ms: number } | { ok: false; reason: string } {
  let ms: number;
  if (typeof ts === 'number') {
    if (!Number.isFinite(ts) || Math.abs(ts) > MAX_DATE_MS) {
      return { ok: false, reason: `'timestamp' ${ts} is not a date: send epoch milliseconds (e.g. ${now}) or an ISO 8601 string` };
    }
    if (ts > 0 && ts < 1e11) {
      return { ok: false, reason: `'timestamp' ${ts} looks like epoch seconds; send epoch milliseconds (${ts * 1000})` };
    }
    ms = Math.round(ts);
  } else {
    ms = Date.parse(ts);
    if (Number.isNaN(ms)) {
      return { ok: false, reason: `'timestamp' '${ts}' is not an ISO 8601 date-time (e.g. 2024-01-31T12:00:00Z)` };
    }
  }
  if (ms > now + maxFutureMs) {
    return { ok: false, reason: `'timestamp' ${dateText(ms, ts)} is more than ${maxFutureMs / 1000}s in the future (check the client clock; limit EVENT_MAX_FUTURE_SECONDS)` };
  }
  if (ms < now - maxPastMs) {
    return { ok: false, reason: `'timestamp' ${dateText(ms, ts)} is older than ${Math.round(maxPastMs / 86_400_000)} days (limit EVENT_MAX_PAST_SECONDS)` };
  }
  return { ok: true, ms };
}

export interface ShapeLimits {
  /** levels of nesting, the event object itself being level 1 (EVENT_MAX_DEPTH) */
  maxDepth: number;
}

/**
 * What the schema cannot say about an event, checked before anything serialises it: its nesting
 * depth (a 20,000-deep `properties` overflows JSON.stringify's stack) and that every string, keys
 * included, is well-formed Unicode. A lone UTF-16 surrogate (`"\ud800"` in JSON) is legal JSON
 * but ClickHouse refuses it on insert, so accepting it would acknowledge an event that can never be
 * stored (issue "Hardening", defects 1 and 4). The walk is iterative for the same reason.
 */
export function checkShape(event: object, limits: ShapeLimits): { ok: true } | { ok: false; reason: string } {
  const stack: Array<{ v: unknown; depth: number; path: string }> = [{ v: event, depth: 1, path: '' }];
  while (stack.length > 0) {
    const { v, depth, path } = stack.pop() as { v: unknown; depth: number; path: string };
    if (typeof v === 'string') {
      if (!v.isWellFormed()) {
        return { ok: false, reason: loneSurrogate(v, `'${path}'`) };
      }
      continue;
    }
    if (v === null || typeof v !== 'object') {
      continue;
    }
    if (depth > limits.maxDepth) {
      return { ok: false, reason: `the event nests deeper than ${limits.maxDepth} levels at '${path}' (limit EVENT_MAX_DEPTH): flatten its properties` };
    }
    if (Array.isArray(v)) {
      v.forEach((item, i) => stack.push({ v: item, depth: depth + 1, path: `${path}[${i}]` }));
      continue;
    }
    for (const [k, item] of Object.entries(v as Record<string, unknown>)) {
      const p = path ? `${path}.${k}` : k;
      if (!k.isWellFormed()) {
        return { ok: false, reason: loneSurrogate(k, `the key '${p}'`) };
      }
      stack.push({ v: item, depth: depth + 1, path: p });
    }
  }
  return { ok: true };
}

function loneSurrogate(s: string, where: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const high = c >= 0xd800 && c <= 0xdbff;
    if (high && i + 1 < s.length && isLow(s.charCodeAt(i + 1))) {
      i++;
      continue;
    }
    if (high || isLow(c)) {
      return `${where} holds a lone UTF-16 surrogate (U+${c.toString(16).toUpperCase()}) at position ${i}: it is not valid Unicode and cannot be stored; send well-formed text`;
    }
  }
  return `${where} is not well-formed Unicode`;
}

const isLow = (c: number) => c >= 0xdc00 && c <= 0xdfff;
