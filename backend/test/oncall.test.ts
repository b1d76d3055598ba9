import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { DateTime } from 'luxon';
import { checkLayers, type Layer, type LayerInput, type Override } from '../src/alerts/oncall/model.js';
import { layerShifts, scheduleShifts, shiftAt, type Resolvable } from '../src/alerts/oncall/rotation.js';

/**
 * The on-call maths (issue "Alert management", item 5), pure: daily and weekly rotations with their hand-off in the
 * schedule's zone, layers by priority, overrides, gaps, restrictions, across the daylight-saving changes of 2026
 * (Europe/Berlin 03-29 and 10-25, America/New_York 03-08 and 11-01), and a property: who is on call at an instant
 * is the shift covering it in a window's shifts; shifts never overlap and cover the window where a layer has people.
 *
 *   cd backend && node --import tsx --test test/oncall.test.ts
 */
const H = 3_600_000;
const layer = (over: Partial<LayerInput> = {}): Layer =>
  checkLayers([{ name: 'primary', participants: ['alice', 'bob', 'carol'], rotation: 'daily', handoff: '09:00', starts_at: '2026-01-01', ...over }])[0] as Layer;
const sched = (zone: string, layers: Layer[], overrides: Override[] = []): Resolvable => ({ time_zone: zone, layers, overrides });
const at = (iso: string, zone: string) => DateTime.fromISO(iso, { zone }).toMillis();
const local = (ms: number, zone: string) => DateTime.fromMillis(ms, { zone }).toFormat("yyyy-MM-dd'T'HH:mm");
const override = (id: string, responder_id: string, from: string, to: string): Override => ({ id, responder_id, from, to, note: null, created_at: from });

describe('rotations', () => {
  it('daily: one participant a day from the hand-off, in order, round and round', () => {
    const z = 'Europe/Berlin';
    const s = sched(z, [layer()]);
    const shifts = scheduleShifts(s, at('2026-01-01T00:00', z), at('2026-01-05T00:00', z));
    assert.deepEqual(
      shifts.map((x) => [x.responder_id, local(x.start, z), local(x.end, z)]),
      [
        ['alice', '2026-01-01T09:00', '2026-01-02T09:00'],
        ['bob', '2026-01-02T09:00', '2026-01-03T09:00'],
        ['carol', '2026-01-03T09:00', '2026-01-04T09:00'],
        ['alice', '2026-01-04T09:00', '2026-01-05T00:00'],
      ]
    );
    assert.equal(shiftAt(s, at('2026-01-01T08:59', z)), undefined, 'nobody before the first hand-off');
    assert.equal(shiftAt(s, at('2026-01-03T08:59', z))?.responder_id, 'bob');
    assert.equal(shiftAt(s, at('2026-01-03T09:00', z))?.responder_id, 'carol');
    // a long way on: day 1000 is (1000 mod 3) = 1 → bob
    assert.equal(shiftAt(s, at('2028-09-27T12:00', z))?.responder_id, 'bob');
  });

  it('every N days and weekly on a hand-off weekday', () => {
    const z = 'UTC';
    const two = sched(z, [layer({ every: 2, participants: ['a', 'b'] })]);
    assert.deepEqual(
      scheduleShifts(two, at('2026-01-01T09:00', z), at('2026-01-07T09:00', z)).map((x) => [x.responder_id, (x.end - x.start) / H]),
      [['a', 48], ['b', 48], ['a', 48]]
    );
    // 2026-01-01 is a Thursday: a Monday 10:30 hand-off first happens on 2026-01-05
    const weekly = sched(z, [layer({ rotation: 'weekly', handoff: '10:30', handoff_weekday: 1, participants: ['a', 'b'] })]);
    const w = scheduleShifts(weekly, at('2026-01-01T00:00', z), at('2026-01-20T00:00', z));
    assert.deepEqual(
      w.map((x) => [x.responder_id, local(x.start, z)]),
      [['a', '2026-01-05T10:30'], ['b', '2026-01-12T10:30'], ['a', '2026-01-19T10:30']]
    );
  });

  it('layers by priority: the higher wins where both have someone, the lower fills the rest; overrides beat every layer', () => {
    const z = 'UTC';
    const base = layer({ name: 'base', priority: 0, participants: ['a'], handoff: '00:00' });
    const day = layer({ name: 'business', priority: 10, participants: ['b', 'c'], handoff: '09:00', restriction: { days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' } });
    const s = sched(z, [base, day], [override('o1', 'z', '2026-01-06T12:00:00Z', '2026-01-06T14:00:00Z')]);
    // 2026-01-05 is a Monday; the business layer started 2026-01-01 with b, so b has the 5th and c the 6th
    const shifts = scheduleShifts(s, at('2026-01-05T00:00', z), at('2026-01-07T00:00', z));
    assert.deepEqual(
      shifts.map((x) => [x.responder_id, local(x.start, z), local(x.end, z), x.source, x.layer]),
      [
        ['a', '2026-01-05T00:00', '2026-01-05T09:00', 'layer', 'base'],
        ['b', '2026-01-05T09:00', '2026-01-05T17:00', 'layer', 'business'],
        ['a', '2026-01-05T17:00', '2026-01-06T00:00', 'layer', 'base'],
        ['a', '2026-01-06T00:00', '2026-01-06T09:00', 'layer', 'base'],
        ['c', '2026-01-06T09:00', '2026-01-06T12:00', 'layer', 'business'],
        ['z', '2026-01-06T12:00', '2026-01-06T14:00', 'override', null],
        ['c', '2026-01-06T14:00', '2026-01-06T17:00', 'layer', 'business'],
        ['a', '2026-01-06T17:00', '2026-01-07T00:00', 'layer', 'base'],
      ]
    );
    // Saturday: the business layer has nobody, the base layer covers
    assert.equal(shiftAt(s, at('2026-01-10T12:00', z))?.layer, 'base');
  });

  it('gaps: nobody on call is no shift', () => {
    const z = 'UTC';
    const s = sched(z, [layer({ participants: ['a'], restriction: { days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' } })]);
    assert.equal(shiftAt(s, at('2026-01-05T18:00', z)), undefined);
    assert.deepEqual(scheduleShifts(s, at('2026-01-10T00:00', z), at('2026-01-12T00:00', z)), [], 'a weekend of nobody');
    assert.deepEqual(scheduleShifts(sched(z, [layer({ participants: [] })]), 0, 10 * 86_400_000), []);
    // a night restriction runs past midnight
    const night = sched(z, [layer({ participants: ['n'], handoff: '00:00', restriction: { days: [1], start: '22:00', end: '06:00' } })]);
    assert.deepEqual(
      scheduleShifts(night, at('2026-01-05T00:00', z), at('2026-01-07T00:00', z)).map((x) => [local(x.start, z), local(x.end, z)]),
      [['2026-01-05T22:00', '2026-01-06T00:00'], ['2026-01-06T00:00', '2026-01-06T06:00']],
      'Monday 22:00 to Tuesday 06:00 (two daily shifts meet at midnight)'
    );
  });
});

describe('daylight-saving changes', () => {
  const cases = [
    { zone: 'Europe/Berlin', day: '2026-03-29', hours: 23 },
    { zone: 'Europe/Berlin', day: '2026-10-25', hours: 25 },
    { zone: 'America/New_York', day: '2026-03-08', hours: 23 },
    { zone: 'America/New_York', day: '2026-11-01', hours: 25 },
  ];
  for (const c of cases) {
    it(`${c.zone} ${c.day}: a daily 09:00 hand-off stays 09:00 local; the shift over the change is ${c.hours} h`, () => {
      const s = sched(c.zone, [layer()]);
      const d = DateTime.fromISO(c.day, { zone: c.zone });
      const shifts = scheduleShifts(s, d.minus({ days: 3 }).toMillis(), d.plus({ days: 3 }).toMillis());
      for (const x of shifts.slice(1, -1)) {
        assert.equal(DateTime.fromMillis(x.start, { zone: c.zone }).toFormat('HH:mm'), '09:00');
        assert.equal(DateTime.fromMillis(x.end, { zone: c.zone }).toFormat('HH:mm'), '09:00');
      }
      const over = shifts.find((x) => local(x.start, c.zone) === d.minus({ days: 1 }).toFormat("yyyy-MM-dd'T'09:00"));
      assert.ok(over, 'the shift from the day before the change');
      assert.equal((over.end - over.start) / H, c.hours);
      const others = shifts.slice(1, -1).filter((x) => x !== over);
      assert.ok(others.length >= 3 && others.every((x) => x.end - x.start === 24 * H), 'every other whole shift is 24 h');
    });
    it(`${c.zone} ${c.day}: a weekly shift spanning the change is ${c.hours === 23 ? 167 : 169} h`, () => {
      const s = sched(c.zone, [layer({ rotation: 'weekly', handoff_weekday: 1, handoff: '09:00' })]);
      const d = DateTime.fromISO(c.day, { zone: c.zone });
      const shifts = scheduleShifts(s, d.minus({ days: 14 }).toMillis(), d.plus({ days: 14 }).toMillis());
      const spanning = shifts.find((x) => x.start < d.toMillis() && x.end > d.toMillis());
      assert.ok(spanning);
      assert.equal((spanning.end - spanning.start) / H, c.hours === 23 ? 167 : 169);
      assert.equal(DateTime.fromMillis(spanning.end, { zone: c.zone }).toFormat('ccc HH:mm'), 'Mon 09:00');
    });
  }
  it('a hand-off inside the skipped hour moves forward to the first time that exists, and stays 02:30 on other days', () => {
    const z = 'Europe/Berlin';
    const s = sched(z, [layer({ handoff: '02:30' })]);
    const shifts = scheduleShifts(s, at('2026-03-27T00:00', z), at('2026-03-31T00:00', z));
    assert.deepEqual(
      shifts.slice(1).map((x) => local(x.start, z)),
      ['2026-03-27T02:30', '2026-03-28T02:30', '2026-03-29T03:30', '2026-03-30T02:30']
    );
  });
});

describe('property: onCall(at) is the shift covering at', () => {
  const zones = ['UTC', 'Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kolkata', 'Pacific/Chatham'];
  const hhmm = fc.tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 })).map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);
  const layerArb = fc.record({
    name: fc.constantFrom('l1', 'l2', 'l3', 'l4'),
    priority: fc.integer({ min: -2, max: 2 }),
    participants: fc.array(fc.constantFrom('a', 'b', 'c', 'd'), { maxLength: 4 }),
    rotation: fc.constantFrom('daily' as const, 'weekly' as const),
    every: fc.integer({ min: 1, max: 3 }),
    handoff: hhmm,
    handoff_weekday: fc.integer({ min: 1, max: 7 }),
    starts_at: fc.date({ min: new Date('2025-10-01'), max: new Date('2026-12-31'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
    restriction: fc.option(fc.record({ days: fc.uniqueArray(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 7 }), start: hhmm, end: hhmm }), { nil: null }),
  });
  const arb = fc.record({
    zone: fc.constantFrom(...zones),
    layers: fc.uniqueArray(layerArb, { maxLength: 3, selector: (l) => l.name }),
    overrides: fc.array(fc.tuple(fc.integer({ min: 0, max: 60 * 24 }), fc.integer({ min: 1, max: 60 * 72 }), fc.constantFrom('x', 'y')), { maxLength: 3 }),
    from: fc.integer({ min: Date.UTC(2025, 9, 1), max: Date.UTC(2027, 0, 1) }),
    days: fc.integer({ min: 1, max: 40 }),
    probes: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 8 }),
  });

  it('for random schedules and instants; shifts never overlap, and cover the window where a layer has people', () => {
    fc.assert(
      fc.property(arb, (c) => {
        const layers = checkLayers(
          c.layers.map((l) => ({ ...l, handoff_weekday: l.rotation === 'weekly' ? l.handoff_weekday : null, restriction: l.restriction && l.restriction.start !== l.restriction.end ? l.restriction : null }))
        );
        const to = c.from + c.days * 86_400_000;
        const overrides = c.overrides.map(([offMin, lenMin, who], i) => override(`o${i}`, who, new Date(c.from + offMin * 60_000).toISOString(), new Date(c.from + (offMin + lenMin) * 60_000).toISOString()));
        const s = sched(c.zone, layers, overrides);
        const shifts = scheduleShifts(s, c.from, to);
        for (let i = 0; i < shifts.length; i++) {
          const x = shifts[i]!;
          assert.ok(x.start < x.end && x.start >= c.from && x.end <= to, 'inside the window');
          if (i > 0) {
            assert.ok(shifts[i - 1]!.end <= x.start, 'no overlap, sorted');
          }
        }
        const probeAt = c.probes.map((p) => Math.min(to - 1, c.from + Math.floor(p * (to - c.from))));
        for (const t of probeAt) {
          const covering = shifts.find((x) => x.start <= t && t < x.end);
          const now = shiftAt(s, t);
          assert.equal(now?.responder_id, covering?.responder_id, `at ${new Date(t).toISOString()}`);
          assert.equal(now?.source, covering?.source);
          // where some layer (without restriction) has started and has people, someone is on call
          const full = layers.some((l) => l.participants.length > 0 && !l.restriction && layerShifts(l, c.zone, t, t + 1).length > 0);
          if (full) {
            assert.ok(covering, 'covered where an unrestricted layer is on shift');
          }
          if (overrides.some((o) => Date.parse(o.from) <= t && t < Date.parse(o.to))) {
            assert.equal(covering?.source, 'override', 'an override wins');
          }
        }
      }),
      { numRuns: 300 }
    );
  });
});
