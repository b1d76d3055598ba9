import ICAL from 'ical.js';
import { DateTime, IANAZone } from 'luxon';
import { badRequest, CaasError } from '../../errors.js';
import type { IcalFeed } from './model.js';
import type { SourceInterval } from './rotation.js';

/**
 * An iCal feed as an on-call layer (issue "Alert management", item 5), parsed and expanded by ical.js: VEVENTs with
 * RRULE/RDATE recur, EXDATE removes an occurrence, an edited instance (RECURRENCE-ID) moves or reassigns one.
 * Each event's ATTENDEE (by email, then its CN) or else its SUMMARY names the responder. Times with a TZID are
 * converted by luxon when the TZID is an IANA zone, by the feed's own VTIMEZONE otherwise; floating times and
 * all-day events are in the schedule's zone.
 */
type Time = InstanceType<typeof ICAL.Time>;
type Component = InstanceType<typeof ICAL.Component>;
type Event = InstanceType<typeof ICAL.Event>;
type Timezone = InstanceType<typeof ICAL.Timezone>;

export const MAX_EVENTS = 500;
const MAX_ITERATIONS = 200_000;
const RECURRING_FREQS = new Set(['DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY']);

export interface ParsedFeed {
  events: Event[];
  zones: Map<string, Timezone>;
}

const clip = (s: string, n = 80) => (s.length > n ? `${s.slice(0, n)}…` : s);

export const assignmentKey = (c: Component): string => {
  const rid = c.getFirstPropertyValue('recurrence-id');
  return `${String(c.getFirstPropertyValue('uid') ?? '')}|${rid ? String(rid) : ''}`;
};

/** Parses a feed: VEVENTs grouped by UID into recurring events with their edited instances. Bad text is a 400. */
export function parseFeed(text: string): ParsedFeed {
  let root: Component;
  try {
    const jcal = ICAL.parse(text) as unknown;
    root = new ICAL.Component((Array.isArray(jcal) && Array.isArray(jcal[0]) ? jcal[0] : jcal) as unknown[]);
  } catch (e) {
    throw badRequest('invalid_ical', `the feed is not iCalendar text (RFC 5545): ${clip(e instanceof Error ? e.message : String(e), 200)}`);
  }
  if (root.name !== 'vcalendar') {
    throw badRequest('invalid_ical', `the feed's outer component is ${clip(root.name)}, not VCALENDAR`);
  }
  const zones = new Map<string, Timezone>();
  for (const vtz of root.getAllSubcomponents('vtimezone')) {
    const tzid = String(vtz.getFirstPropertyValue('tzid') ?? '');
    if (tzid) {
      zones.set(tzid, new ICAL.Timezone({ component: vtz, tzid }));
    }
  }
  const vevents = root.getAllSubcomponents('vevent');
  if (vevents.length > MAX_EVENTS) {
    throw badRequest('too_many_events', `the feed has ${vevents.length} events: at most ${MAX_EVENTS} (recurring events count once)`);
  }
  const masters = new Map<string, Component>();
  const exceptions = new Map<string, Component[]>();
  const events: Event[] = [];
  vevents.forEach((v, i) => {
    const uid = String(v.getFirstPropertyValue('uid') ?? `no-uid-${i}`);
    const where = `event '${clip(String(v.getFirstPropertyValue('summary') ?? uid))}'`;
    const start = v.getFirstProperty('dtstart');
    if (!start) {
      throw badRequest('invalid_ical', `${where} has no DTSTART`);
    }
    for (const p of [start, v.getFirstProperty('dtend'), v.getFirstProperty('recurrence-id')]) {
      const tzid = p?.getParameter('tzid');
      if (typeof tzid === 'string' && !IANAZone.isValidZone(tzid) && !zones.has(tzid)) {
        throw badRequest('unknown_time_zone', `${where}: TZID '${clip(tzid)}' is neither an IANA time zone nor defined by a VTIMEZONE in the feed`);
      }
    }
    const rrule = v.getFirstPropertyValue('rrule') as { freq?: string } | null;
    if (rrule && !RECURRING_FREQS.has(String(rrule.freq))) {
      throw badRequest('invalid_ical', `${where} recurs ${String(rrule.freq ?? 'without FREQ')}: on-call events recur DAILY, WEEKLY, MONTHLY or YEARLY`);
    }
    if (v.getFirstProperty('recurrence-id')) {
      exceptions.set(uid, [...(exceptions.get(uid) ?? []), v]);
    } else if (masters.has(uid)) {
      throw badRequest('invalid_ical', `${where}: UID '${clip(uid)}' is used by two events without RECURRENCE-ID`);
    } else {
      masters.set(uid, v);
    }
  });
  for (const [uid, master] of masters) {
    events.push(new ICAL.Event(master, { exceptions: exceptions.get(uid) ?? [], strictExceptions: false }));
    exceptions.delete(uid);
  }
  // an edited instance whose series is not in the feed stands alone
  for (const list of exceptions.values()) {
    events.push(...list.map((c) => new ICAL.Event(c)));
  }
  return { events, zones };
}

/** The instant of an iCal time whose property carried `tzid` (null: floating, or UTC when the time says so). */
function instant(t: Time, tzid: string | null, zone: string, feed: ParsedFeed): number {
  const fields = { year: t.year, month: t.month, day: t.day, hour: t.isDate ? 0 : t.hour, minute: t.isDate ? 0 : t.minute, second: t.isDate ? 0 : t.second };
  if (t.isDate) {
    return DateTime.fromObject(fields, { zone }).toMillis();
  }
  if (t.zone === ICAL.Timezone.utcTimezone || (!tzid && t.zone?.tzid === 'UTC')) {
    return Date.UTC(fields.year, fields.month - 1, fields.day, fields.hour, fields.minute, fields.second);
  }
  if (tzid && IANAZone.isValidZone(tzid)) {
    return DateTime.fromObject(fields, { zone: tzid }).toMillis();
  }
  const vtz = tzid ? feed.zones.get(tzid) : undefined;
  if (vtz) {
    return new ICAL.Time({ ...fields, isDate: false }, vtz).toUnixTime() * 1000;
  }
  return DateTime.fromObject(fields, { zone }).toMillis();
}

const tzidOf = (c: Component, prop: 'dtstart' | 'dtend' | 'recurrence-id'): string | null => {
  const p = c.getFirstProperty(prop) ?? (prop === 'dtend' ? c.getFirstProperty('dtstart') : null);
  const v = p?.getParameter('tzid');
  return typeof v === 'string' ? v : null;
};

/** An event's edited instances (ical.js keeps them in an object keyed by RECURRENCE-ID, though typed as an array). */
const exceptionsOf = (ev: Event): Event[] => Object.values((ev.exceptions ?? {}) as unknown as Record<string, Event>);

export interface Occurrence {
  key: string;
  uid: string;
  start: number;
  end: number;
  summary: string;
}

/** Every occurrence of the feed's events that overlaps [from, to). */
export function occurrences(feed: ParsedFeed, zone: string, from: number, to: number): Occurrence[] {
  const out: Occurrence[] = [];
  let iterations = 0;
  for (const ev of feed.events) {
    const at = (t: Time, c: Component, prop: 'dtstart' | 'dtend' | 'recurrence-id') => instant(t, tzidOf(c, prop), zone, feed);
    const push = (item: Event, s: Time, e: Time) => {
      const start = at(s, item.component, 'dtstart');
      const end = at(e, item.component, 'dtend');
      if (end > from && start < to && end > start) {
        out.push({ key: assignmentKey(item.component), uid: item.uid, start, end, summary: item.summary ?? '' });
      }
    };
    if (!ev.isRecurring()) {
      push(ev, ev.startDate, ev.endDate);
      continue;
    }
    // how far an edited instance moved: occurrences are walked by their original times
    // (an occurrence ends at most `moved + longest` after its original start)
    let moved = 0;
    let longest = at(ev.endDate, ev.component, 'dtend') - at(ev.startDate, ev.component, 'dtstart');
    for (const x of exceptionsOf(ev)) {
      moved = Math.max(moved, Math.abs(at(x.startDate, x.component, 'dtstart') - at(x.recurrenceId, x.component, 'recurrence-id')));
      longest = Math.max(longest, at(x.endDate, x.component, 'dtend') - at(x.startDate, x.component, 'dtstart'));
    }
    const slack = moved + Math.max(0, longest) + 86_400_000;
    const it = ev.iterator();
    for (let next = it.next(); next; next = it.next()) {
      if (++iterations > MAX_ITERATIONS) {
        throw new CaasError('invalid', 'ical_too_dense', `expanding the feed took more than ${MAX_ITERATIONS} occurrences: import a feed whose events start nearer to now`);
      }
      const original = at(next, ev.component, 'dtstart');
      if (original >= to + slack) {
        break;
      }
      if (original + slack < from) {
        continue;
      }
      const d = ev.getOccurrenceDetails(next);
      push(d.item, d.startDate, d.endDate);
    }
  }
  return out;
}

export interface ImportResult {
  assignments: Record<string, string>;
  events: number;
  unmatched: Array<{ event: string; names: string[] }>;
}

/**
 * Who each event (and edited instance) names: an ATTENDEE's email, else its CN, else the SUMMARY, against the
 * responders `match` knows. Events naming nobody known are listed, not guessed.
 */
export function assign(feed: ParsedFeed, match: (emails: string[], names: string[]) => string | undefined): ImportResult {
  const assignments: Record<string, string> = {};
  const unmatched: ImportResult['unmatched'] = [];
  const components = feed.events.flatMap((e) => [e.component, ...exceptionsOf(e).map((x) => x.component)]);
  for (const c of components) {
    const emails: string[] = [];
    const names: string[] = [];
    for (const a of c.getAllProperties('attendee')) {
      const v = String(a.getFirstValue() ?? '');
      if (/^mailto:/i.test(v)) {
        emails.push(v.replace(/^mailto:/i, '').trim().toLowerCase());
      }
      const cn = a.getParameter('cn');
      if (typeof cn === 'string' && cn.trim()) {
        names.push(cn.trim());
      }
    }
    const summary = String(c.getFirstPropertyValue('summary') ?? '').trim();
    if (summary) {
      names.push(summary);
    }
    const id = match(emails, names);
    if (id) {
      assignments[assignmentKey(c)] = id;
    } else {
      unmatched.push({ event: clip(summary || String(c.getFirstPropertyValue('uid') ?? '?')), names: [...emails, ...names].map((n) => clip(n)) });
    }
  }
  return { assignments, events: components.length, unmatched };
}

/** The feed as a layer's intervals over [from, to): overlapping events, the later start wins. */
export function feedIntervals(feed: ParsedFeed, stored: IcalFeed, zone: string, from: number, to: number): SourceInterval[] {
  return occurrences(feed, zone, from, to).flatMap((o) => {
    const responder_id = stored.assignments[o.key];
    return responder_id
      ? [{ responder_id, start: o.start, end: o.end, source: 'ical' as const, layer: 'iCal', override_id: null, priority: stored.priority, order: 1 + o.start / 1e15, key: `I:${o.key}:${o.start}` }]
      : [];
  });
}
