import { DateTime, IANAZone } from 'luxon';
import { badRequest } from '../../errors.js';
import type { Responder } from './directory.js';

/**
 * On-call schedules (issue "Alert management", item 5): responders, schedules of layers (rotations) ordered by
 * priority, overrides, and an imported iCal feed. Types and the checks of what a client sends; the maths is in
 * rotation.ts, free of storage and HTTP.
 */
export type { Responder };

export const ONCALL_ID = /^[a-z0-9][a-z0-9_-]{0,62}$/;
export const E164 = /^\+[1-9][0-9]{6,14}$/;
export const SLACK_USER = /^[UW][A-Z0-9]{2,20}$/;
export const HHMM = /^([01][0-9]|2[0-3]):[0-5][0-9]$/;
export const LOCAL_DATE = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/;

export const MAX_LAYERS = 20;
export const MAX_PARTICIPANTS = 100;
export const MAX_OVERRIDES = 1000;
export const MAX_EVERY = 52;
/** the longest window GET …/shifts answers (a quarter) */
export const MAX_WINDOW_DAYS = 92;

export type Rotation = 'daily' | 'weekly';

/** Only these local times of these days count (e.g. business hours); `end` ≤ `start` runs past midnight. */
export interface Restriction {
  /** ISO weekdays, 1 = Monday … 7 = Sunday: the day a window starts on */
  days: number[];
  start: string;
  end: string;
}

export interface Layer {
  name: string;
  /** higher wins where layers overlap */
  priority: number;
  /** responder ids, in rotation order */
  participants: string[];
  rotation: Rotation;
  /** every N days (daily) or weeks (weekly) */
  every: number;
  /** HH:MM, local time in the schedule's zone */
  handoff: string;
  /** weekly: the ISO weekday of the hand-off (1 = Monday … 7 = Sunday) */
  handoff_weekday: number | null;
  /** YYYY-MM-DD, local: the first hand-off is at `handoff` on this day (weekly: the first `handoff_weekday` on or after it) */
  starts_at: string;
  restriction: Restriction | null;
}

export interface Override {
  id: string;
  responder_id: string;
  /** ISO 8601 instants */
  from: string;
  to: string;
  note: string | null;
  created_at: string;
}

/** An imported iCal feed: its text, expanded when asked, and who each event (or edited instance) names. */
export interface IcalFeed {
  text: string;
  priority: number;
  imported_at: string;
  /** `${uid}|${recurrence-id or ''}` → responder id */
  assignments: Record<string, string>;
  events: number;
}

export interface Schedule {
  id: string;
  tenant_id: string | null;
  name: string;
  time_zone: string;
  layers: Layer[];
  overrides: Override[];
  ical: IcalFeed | null;
  created_at: string;
  updated_at: string;
}

export type ShiftSource = 'layer' | 'override' | 'ical';

export interface Shift {
  responder_id: string;
  start: number;
  end: number;
  source: ShiftSource;
  /** the layer's name for layer shifts; 'iCal' for the feed */
  layer: string | null;
  override_id: string | null;
}

const clip = (s: string, n = 80) => (s.length > n ? `${s.slice(0, n)}…` : s);

export function checkZone(zone: string): string {
  if (!IANAZone.isValidZone(zone)) {
    throw badRequest('unknown_time_zone', `time_zone '${clip(zone)}' is not an IANA time zone: use a name like Europe/Berlin, America/New_York or UTC`);
  }
  return zone;
}

export function checkId(kind: string, id: string): string {
  if (!ONCALL_ID.test(id)) {
    throw badRequest(`invalid_${kind}`, `${kind} id '${clip(id)}' is not valid: 1-63 characters of a-z, 0-9, _ and -, starting with a letter or digit (or leave it out)`);
  }
  return id;
}

export function checkText(field: string, v: string, max = 200): string {
  const t = v.trim();
  if (t.length === 0 || t.length > max || !t.isWellFormed() || /[\u0000-\u001f\u007f]/.test(t)) {
    throw badRequest('invalid_field', `${field} must be 1-${max} printable characters`);
  }
  return t;
}

export interface ResponderInput {
  id?: string;
  name: string;
  tenant_id?: string | null;
  email?: string | null;
  phone?: string | null;
  slack_user_id?: string | null;
}

export function checkResponder(r: ResponderInput): Omit<Responder, 'id' | 'tenant_id'> {
  const email = r.email ? r.email.trim() : null;
  if (email !== null && (email.length > 254 || !/^[^\s@<>()",;:]+@[^\s@<>()",;:]+\.[^\s@<>()",;:]+$/.test(email))) {
    throw badRequest('invalid_email', `email '${clip(email)}' is not an address like alice@example.com`);
  }
  if (r.phone && !E164.test(r.phone)) {
    throw badRequest('invalid_phone', `phone '${clip(r.phone)}' is not E.164: a + and 7-15 digits, e.g. +4915112345678`);
  }
  if (r.slack_user_id && !SLACK_USER.test(r.slack_user_id)) {
    throw badRequest('invalid_slack_user', `slack_user_id '${clip(r.slack_user_id)}' is not a Slack member id (U or W and upper-case letters and digits, e.g. U024BE7LH)`);
  }
  return { name: checkText('name', r.name), email, phone: r.phone || null, slack_user_id: r.slack_user_id || null };
}

export interface LayerInput {
  name: string;
  priority?: number;
  participants: string[];
  rotation: Rotation;
  every?: number;
  handoff: string;
  handoff_weekday?: number | null;
  starts_at: string;
  restriction?: Restriction | null;
}

function checkLocalDate(field: string, v: string): string {
  if (!LOCAL_DATE.test(v) || !DateTime.fromISO(v, { zone: 'UTC' }).isValid) {
    throw badRequest('invalid_date', `${field} '${clip(v)}' is not a date YYYY-MM-DD`);
  }
  const year = Number(v.slice(0, 4));
  if (year < 1970 || year > 2200) {
    throw badRequest('invalid_date', `${field} '${v}' is out of range: a year from 1970 to 2200`);
  }
  return v;
}

function checkHhmm(field: string, v: string): string {
  if (!HHMM.test(v)) {
    throw badRequest('invalid_time', `${field} '${clip(v)}' is not a time of day HH:MM (00:00-23:59)`);
  }
  return v;
}

function checkWeekday(field: string, v: number): number {
  if (!Number.isInteger(v) || v < 1 || v > 7) {
    throw badRequest('invalid_weekday', `${field} ${v} is not an ISO weekday: 1 (Monday) to 7 (Sunday)`);
  }
  return v;
}

export function checkLayers(input: LayerInput[]): Layer[] {
  if (input.length > MAX_LAYERS) {
    throw badRequest('too_many_layers', `${input.length} layers: at most ${MAX_LAYERS}`);
  }
  const names = new Set<string>();
  return input.map((l, i) => {
    const at = `layers[${i}]`;
    const name = checkText(`${at}.name`, l.name, 100);
    if (names.has(name.toLowerCase()) || name.toLowerCase() === 'ical') {
      throw badRequest('invalid_layer', `${at}.name '${clip(name)}' is ${name.toLowerCase() === 'ical' ? "reserved for the imported feed's layer" : 'used twice'}: name each layer once`);
    }
    names.add(name.toLowerCase());
    if (l.participants.length > MAX_PARTICIPANTS) {
      throw badRequest('too_many_participants', `${at}.participants has ${l.participants.length}: at most ${MAX_PARTICIPANTS}`);
    }
    l.participants.forEach((p) => checkId('responder', p));
    if (l.rotation !== 'daily' && l.rotation !== 'weekly') {
      throw badRequest('invalid_rotation', `${at}.rotation must be daily or weekly`);
    }
    const every = l.every ?? 1;
    if (!Number.isInteger(every) || every < 1 || every > MAX_EVERY) {
      throw badRequest('invalid_rotation', `${at}.every ${every} must be a whole number from 1 to ${MAX_EVERY}`);
    }
    const priority = l.priority ?? 0;
    if (!Number.isInteger(priority) || Math.abs(priority) > 1000) {
      throw badRequest('invalid_priority', `${at}.priority ${priority} must be a whole number from -1000 to 1000`);
    }
    const weekday = l.rotation === 'weekly' ? checkWeekday(`${at}.handoff_weekday`, l.handoff_weekday ?? 1) : null;
    if (l.rotation === 'daily' && l.handoff_weekday !== undefined && l.handoff_weekday !== null) {
      throw badRequest('invalid_rotation', `${at}.handoff_weekday is for weekly rotations: leave it out of a daily one`);
    }
    let restriction: Restriction | null = null;
    if (l.restriction) {
      const r = l.restriction;
      if (r.days.length === 0 || r.days.length > 7) {
        throw badRequest('invalid_restriction', `${at}.restriction.days must name 1 to 7 weekdays (1 = Monday … 7 = Sunday)`);
      }
      r.days.forEach((d, j) => checkWeekday(`${at}.restriction.days[${j}]`, d));
      checkHhmm(`${at}.restriction.start`, r.start);
      checkHhmm(`${at}.restriction.end`, r.end);
      if (r.start === r.end) {
        throw badRequest('invalid_restriction', `${at}.restriction.start and end are both ${r.start}: leave restriction out for the whole day`);
      }
      restriction = { days: [...new Set(r.days)].sort(), start: r.start, end: r.end };
    }
    return {
      name,
      priority,
      participants: l.participants,
      rotation: l.rotation,
      every,
      handoff: checkHhmm(`${at}.handoff`, l.handoff),
      handoff_weekday: weekday,
      starts_at: checkLocalDate(`${at}.starts_at`, l.starts_at),
      restriction,
    };
  });
}

/** An instant a client sends: ISO 8601 with a zone, or epoch milliseconds. */
export function parseInstant(field: string, v: string | number): number {
  const ms = typeof v === 'number' ? v : /^-?[0-9]{1,15}$/.test(v) ? Number(v) : /(Z|[+-][0-9]{2}:?[0-9]{2})$/i.test(v) ? DateTime.fromISO(v, { setZone: true }).toMillis() : NaN;
  if (!Number.isFinite(ms) || ms < Date.UTC(1970, 0, 1) || ms > Date.UTC(2200, 0, 1)) {
    throw badRequest('invalid_instant', `${field} '${clip(String(v))}' is not an instant from 1970 to 2200: ISO 8601 with a zone (2026-03-29T09:00:00Z, …+02:00) or epoch milliseconds`);
  }
  return ms;
}

export function checkWindow(from: number, to: number, maxDays = MAX_WINDOW_DAYS): void {
  if (to <= from) {
    throw badRequest('invalid_window', `to must be after from`);
  }
  if (to - from > maxDays * 86_400_000) {
    throw badRequest('window_too_long', `the window is ${Math.ceil((to - from) / 86_400_000)} days: at most ${maxDays}`);
  }
}
