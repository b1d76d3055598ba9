import { DateTime } from 'luxon';
import type { Layer, Override, Shift, ShiftSource } from './model.js';

/**
 * The maths of on-call (issue "Alert management", item 5), pure: the shifts of a layer in a window, and the final
 * shifts of a schedule (overrides over every layer, then layers by priority). Hand-offs are local wall-clock times in
 * the schedule's zone (luxon): across a daylight-saving change a daily 09:00 hand-off stays 09:00 local and that
 * shift is 23 or 25 hours long. Windows are half-open, [from, to), in epoch milliseconds.
 */

/** A candidate interval of one source before the merge: who, when, how strong. */
export interface SourceInterval extends Shift {
  /** higher wins; overrides are +Infinity */
  priority: number;
  /** among equal priorities, higher wins */
  order: number;
  /** the identity of the underlying shift: pieces of one shift join again after the merge */
  key: string;
}

const DAY_MS = 86_400_000;

/** The instant of local `hh:mm` on the calendar day `date` (a UTC-midnight DateTime) in `zone`; a skipped time moves forward. */
function localInstant(date: DateTime, hhmm: string, zone: string): number {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  return DateTime.fromObject({ year: date.year, month: date.month, day: date.day, hour: h, minute: m }, { zone }).toMillis();
}

/** The calendar day of the first hand-off (weekly: the first hand-off weekday on or after starts_at), as a UTC-midnight DateTime. */
function firstDay(layer: Layer): DateTime {
  const d = DateTime.fromISO(layer.starts_at, { zone: 'UTC' });
  if (layer.rotation === 'weekly') {
    const wd = layer.handoff_weekday ?? 1;
    return d.plus({ days: (wd - d.weekday + 7) % 7 });
  }
  return d;
}

/** The restriction's windows (local times of chosen weekdays) that touch [from, to). */
function restrictionWindows(layer: Layer, zone: string, from: number, to: number): Array<[number, number]> {
  const r = layer.restriction;
  if (!r) {
    return [[from, to]];
  }
  const out: Array<[number, number]> = [];
  let day = DateTime.fromMillis(from, { zone }).minus({ days: 1 });
  day = DateTime.fromObject({ year: day.year, month: day.month, day: day.day }, { zone: 'UTC' });
  const last = DateTime.fromMillis(to, { zone });
  const lastDay = DateTime.fromObject({ year: last.year, month: last.month, day: last.day }, { zone: 'UTC' });
  for (; day <= lastDay; day = day.plus({ days: 1 })) {
    if (!r.days.includes(day.weekday)) {
      continue;
    }
    const s = localInstant(day, r.start, zone);
    const e = localInstant(r.end > r.start ? day : day.plus({ days: 1 }), r.end, zone);
    if (e > from && s < to && e > s) {
      out.push([s, e]);
    }
  }
  return out;
}

/** The shifts of one layer that overlap [from, to), clipped to it; nobody before the first hand-off or without participants. */
export function layerShifts(layer: Layer, zone: string, from: number, to: number, layerIndex = 0): SourceInterval[] {
  const n = layer.participants.length;
  if (n === 0 || to <= from) {
    return [];
  }
  const base = firstDay(layer);
  const period = layer.every * (layer.rotation === 'weekly' ? 7 : 1);
  const startOf = (k: number) => localInstant(base.plus({ days: k * period }), layer.handoff, zone);
  let k = Math.max(0, Math.floor((from - startOf(0)) / (period * DAY_MS)) - 1);
  const windows = restrictionWindows(layer, zone, from, to);
  const out: SourceInterval[] = [];
  for (let start = startOf(k); start < to; k++) {
    const end = startOf(k + 1);
    if (end > from) {
      const responder_id = layer.participants[k % n] as string;
      for (const [ws, we] of windows) {
        const s = Math.max(start, ws, from);
        const e = Math.min(end, we, to);
        if (e > s) {
          out.push({ responder_id, start: s, end: e, source: 'layer', layer: layer.name, override_id: null, priority: layer.priority, order: -layerIndex, key: `L${layerIndex}:${start}` });
        }
      }
    }
    start = end;
  }
  return out;
}

export function overrideIntervals(overrides: Override[], from: number, to: number): SourceInterval[] {
  const out: SourceInterval[] = [];
  overrides.forEach((o, i) => {
    const s = Math.max(Date.parse(o.from), from);
    const e = Math.min(Date.parse(o.to), to);
    if (e > s) {
      out.push({ responder_id: o.responder_id, start: s, end: e, source: 'override', layer: null, override_id: o.id, priority: Infinity, order: i, key: `O:${o.id}` });
    }
  });
  return out;
}

const stronger = (a: SourceInterval, b: SourceInterval) => a.priority > b.priority || (a.priority === b.priority && a.order > b.order);

/**
 * The final shifts over [from, to): at every instant the strongest interval covering it (overrides, then the
 * highest priority); pieces of one underlying shift that stay adjacent are one shift. Never overlapping, sorted;
 * a gap is a time nobody is on call.
 */
export function merge(intervals: SourceInterval[], from: number, to: number): Shift[] {
  const clipped = intervals.map((iv) => ({ ...iv, start: Math.max(iv.start, from), end: Math.min(iv.end, to) })).filter((iv) => iv.end > iv.start);
  const points = [...new Set([from, to, ...clipped.flatMap((iv) => [iv.start, iv.end])])].sort((a, b) => a - b);
  const byStart = [...clipped].sort((a, b) => a.start - b.start);
  const out: Array<Shift & { key: string }> = [];
  let active: SourceInterval[] = [];
  let next = 0;
  for (let i = 0; i + 1 < points.length; i++) {
    const a = points[i] as number;
    const b = points[i + 1] as number;
    active = active.filter((iv) => iv.end > a);
    while (next < byStart.length && (byStart[next] as SourceInterval).start <= a) {
      const iv = byStart[next++] as SourceInterval;
      if (iv.end > a) {
        active.push(iv);
      }
    }
    let best: SourceInterval | undefined;
    for (const iv of active) {
      if (!best || stronger(iv, best)) {
        best = iv;
      }
    }
    if (!best) {
      continue;
    }
    const prev = out[out.length - 1];
    if (prev && prev.key === best.key && prev.end === a && prev.responder_id === best.responder_id) {
      prev.end = b;
    } else {
      out.push({ responder_id: best.responder_id, start: a, end: b, source: best.source, layer: best.layer, override_id: best.override_id, key: best.key });
    }
  }
  return out.map(({ key: _key, ...s }) => s);
}

export interface Resolvable {
  time_zone: string;
  layers: Layer[];
  overrides: Override[];
}

/** A schedule's final shifts over [from, to): its layers, the feed's intervals (`extra`) and its overrides. */
export function scheduleShifts(s: Resolvable, from: number, to: number, extra: SourceInterval[] = []): Shift[] {
  const layered = s.layers.flatMap((l, i) => layerShifts(l, s.time_zone, from, to, i));
  return merge([...layered, ...extra, ...overrideIntervals(s.overrides, from, to)], from, to);
}

/** Who is on call at `at`: the shift covering it, or none. */
export function shiftAt(s: Resolvable, at: number, extra: SourceInterval[] = []): Shift | undefined {
  return scheduleShifts(s, at, at + 1, extra)[0];
}

export const sourceLabel = (s: { source: ShiftSource; layer: string | null }): string => (s.source === 'layer' ? (s.layer ?? 'layer') : s.source === 'ical' ? 'iCal' : 'override');
