import { dateTimeForTimeZone, dateTimeFormat } from '@grafana/data';
import type { Shift } from '../../api/oncall';
import { ApiError } from '../../api/errors';

/** The calendar's span: two weeks from now. */
export const CALENDAR_DAYS = 14;

/** A time in the schedule's zone, e.g. `Sun 29 Mar 03:00`. */
export function inZone(iso: string, zone: string, format = 'ddd D MMM HH:mm'): string {
  return dateTimeFormat(iso, { timeZone: zone, format });
}

/** The zone's abbreviation(s) over [from, to), e.g. `CET/CEST` across a daylight-saving change. */
export function zoneAbbreviations(zone: string, from: Date, to: Date): string {
  const a = inZone(from.toISOString(), zone, 'z');
  const b = inZone(to.toISOString(), zone, 'z');
  return a === b ? a : `${a}/${b}`;
}

/** A `datetime-local` value (YYYY-MM-DDTHH:mm) read in the schedule's zone, as ISO 8601 UTC. */
export function localInputToIso(value: string, zone: string): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(value)) {
    return undefined;
  }
  const d = dateTimeForTimeZone(zone, value, 'YYYY-MM-DDTHH:mm');
  return d.isValid() ? d.toISOString() : undefined;
}

/** An instant as a `datetime-local` value in the schedule's zone. */
export function isoToLocalInput(iso: string, zone: string): string {
  return inZone(iso, zone, 'YYYY-MM-DDTHH:mm');
}

export interface CalendarEntry {
  shift: Shift;
  /** `HH:mm` in the zone, or `…` when it began on an earlier day. */
  start: string;
  /** `HH:mm`, or `…` when it runs on past the day. */
  end: string;
  /** The zone's abbreviation at the shift's start, e.g. CEST. */
  abbr: string;
}

export interface CalendarDay {
  /** YYYY-MM-DD in the schedule's zone. */
  date: string;
  label: string;
  entries: CalendarEntry[];
}

/**
 * The shifts as a row per local day of the schedule's zone (the days from `from` to `to`): a shift spanning days shows
 * on each, cut at the day's edges (…). Local days come from the zone, so a day of a daylight-saving change is still one
 * row, and its shifts show the offsets on either side (CET, CEST).
 */
export function calendarDays(shifts: readonly Shift[], zone: string, from: Date, to: Date): CalendarDay[] {
  const dayOf = (iso: string) => inZone(iso, zone, 'YYYY-MM-DD');
  const days: CalendarDay[] = [];
  const seen = new Set<string>();
  // Walk in 6-hour steps: every local day (23, 24 or 25 hours long) is met at least once.
  for (let t = from.getTime(); t < to.getTime(); t += 6 * 3_600_000) {
    const iso = new Date(t).toISOString();
    const date = dayOf(iso);
    if (!seen.has(date)) {
      seen.add(date);
      days.push({ date, label: inZone(iso, zone, 'ddd D MMM'), entries: [] });
    }
  }
  const lastIso = new Date(to.getTime() - 1).toISOString();
  if (!seen.has(dayOf(lastIso))) {
    days.push({ date: dayOf(lastIso), label: inZone(lastIso, zone, 'ddd D MMM'), entries: [] });
  }
  for (const shift of shifts) {
    const first = dayOf(shift.start);
    // The end is exclusive: a shift ending at 00:00 does not show on the next day.
    const last = dayOf(new Date(Date.parse(shift.end) - 1).toISOString());
    for (const day of days) {
      if (day.date < first || day.date > last) {
        continue;
      }
      day.entries.push({
        shift,
        start: day.date === first ? inZone(shift.start, zone, 'HH:mm') : '…',
        end: day.date === last ? inZone(shift.end, zone, 'HH:mm') : '…',
        abbr: inZone(shift.start, zone, 'z'),
      });
    }
  }
  return days;
}

/**
 * The form field a backend 400/409 on a policy is about, so its reason shows next to that field: `name`,
 * `is_default`, `repeat`, `reminder_minutes`, `steps.<i>.wait_minutes` or `steps.<i>.targets`.
 */
export function policyFieldOfError(error: unknown): string | undefined {
  if (!(error instanceof ApiError) || !error.body) {
    return undefined;
  }
  if (error.status === 409) {
    return 'is_default';
  }
  if (error.code === 'unknown_tenant') {
    return 'tenant_id';
  }
  const details = error.body.error.details;
  const paths = Array.isArray(details)
    ? details.map((d) =>
        d && typeof d === 'object' ? String((d as { instancePath?: unknown }).instancePath ?? '') : ''
      )
    : [];
  for (const p of paths) {
    const step = /^\/steps\/(\d+)\/(wait_minutes|targets|important)/.exec(p);
    if (step) {
      return `steps.${step[1]}.${step[2] === 'important' ? 'targets' : step[2]}`;
    }
    const top = /^\/(name|tenant_id|repeat|reminder_minutes|is_default|id)/.exec(p);
    if (top) {
      return top[1];
    }
  }
  const message = error.body.error.message;
  const step = /steps\[(\d+)\]/.exec(message);
  if (step) {
    return `steps.${step[1]}.targets`;
  }
  if (/repeat\./.test(message)) {
    return 'repeat';
  }
  if (/steps is empty/.test(message)) {
    return 'steps';
  }
  return undefined;
}

/** The message of a backend error, for showing next to a field. */
export function messageOfError(error: unknown): string {
  if (error instanceof ApiError) {
    return error.body?.error.message ?? error.message;
  }
  return error instanceof Error ? error.message : String(error);
}
