import { Ajv, type ErrorObject } from 'ajv';
import { AnalyticsEventInput } from '../contracts/events.js';

/** Per-event validation against the contract (TypeBox schema compiled once by Ajv). */
const ajv = new Ajv({ allErrors: false, strict: false });
const check = ajv.compile<AnalyticsEventInput>(AnalyticsEventInput);

export type Checked = { ok: true; event: AnalyticsEventInput } | { ok: false; reason: string };

export function checkEvent(raw: unknown): Checked {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return { ok: false, reason: `an event must be a JSON object, got ${raw === null ? 'null' : Array.isArray(raw) ? 'an array' : typeof raw}` };
  }
  if (check(raw)) {
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

/** Parses a timestamp (epoch ms or ISO 8601) and checks it lies inside the allowed skew. */
export function checkTimestamp(
  ts: number | string,
  now: number,
  maxFutureMs: number,
  maxPastMs: number
): { ok: true; ms: number } | { ok: false; reason: string } {
  let ms: number;
  if (typeof ts === 'number') {
    if (!Number.isFinite(ts)) {
      return { ok: false, reason: `'timestamp' must be a finite number of epoch milliseconds` };
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
    return { ok: false, reason: `'timestamp' ${new Date(ms).toISOString()} is more than ${maxFutureMs / 1000}s in the future (check the client clock; limit EVENT_MAX_FUTURE_SECONDS)` };
  }
  if (ms < now - maxPastMs) {
    return { ok: false, reason: `'timestamp' ${new Date(ms).toISOString()} is older than ${Math.round(maxPastMs / 86_400_000)} days (limit EVENT_MAX_PAST_SECONDS)` };
  }
  return { ok: true, ms };
}
