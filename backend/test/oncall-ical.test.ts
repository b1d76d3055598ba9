import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTenant, startApp, type TestApp } from './helpers.js';

/**
 * iCal import on a real backend (issue "Alert management", item 5): a feed with a weekly RRULE (TZID Europe/Berlin,
 * across the 2026-03-29 change), an EXDATE, an edited instance (RECURRENCE-ID moved by 2 h and handed to someone
 * else), an America/New_York TZID event and an all-day event; ATTENDEE email, ATTENDEE CN and SUMMARY name the
 * responders; unknown names are refused, or listed with skip_unmatched. Who is on call at chosen instants matches.
 *
 *   cd backend && node --import tsx --test test/oncall-ical.test.ts
 */
let t: TestApp;
const FEED = [
  'BEGIN:VCALENDAR',
  'VERSION:2.0',
  'PRODID:-//caas//oncall test//EN',
  'BEGIN:VEVENT',
  'UID:weekly-alice@caas',
  'DTSTAMP:20260201T000000Z',
  'DTSTART;TZID=Europe/Berlin:20260302T090000',
  'DTEND;TZID=Europe/Berlin:20260302T170000',
  'RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=10',
  'EXDATE;TZID=Europe/Berlin:20260316T090000',
  'SUMMARY:Business hours',
  'ATTENDEE;CN=Alice A:mailto:ALICE@ical.example',
  'END:VEVENT',
  'BEGIN:VEVENT',
  'UID:weekly-alice@caas',
  'DTSTAMP:20260201T000000Z',
  'RECURRENCE-ID;TZID=Europe/Berlin:20260323T090000',
  'DTSTART;TZID=Europe/Berlin:20260323T110000',
  'DTEND;TZID=Europe/Berlin:20260323T190000',
  'SUMMARY:Business hours (moved)',
  'ATTENDEE;CN=Bob Builder:mailto:someone-else@elsewhere.example',
  'END:VEVENT',
  'BEGIN:VEVENT',
  'UID:carol-ny@caas',
  'DTSTAMP:20260201T000000Z',
  'DTSTART;TZID=America/New_York:20260310T090000',
  'DTEND;TZID=America/New_York:20260310T120000',
  'SUMMARY:Carol',
  'END:VEVENT',
  'BEGIN:VEVENT',
  'UID:dave-allday@caas',
  'DTSTAMP:20260201T000000Z',
  'DTSTART;VALUE=DATE:20260320',
  'DTEND;VALUE=DATE:20260321',
  'SUMMARY:dave',
  'END:VEVENT',
  'BEGIN:VEVENT',
  'UID:zed@caas',
  'DTSTAMP:20260201T000000Z',
  'DTSTART:20260401T000000Z',
  'DTEND:20260402T000000Z',
  'SUMMARY:Zed Unknown',
  'END:VEVENT',
  'END:VCALENDAR',
  '',
].join('\r\n');

const api = (method: 'GET' | 'POST', url: string, payload?: unknown) => t.app.inject({ method, url, headers: t.admin, ...(payload === undefined ? {} : { payload: payload as object }) });
const who = async (iso: string) => (await t.svc.oncall.onCall('initech', new Date(iso), 'initech'))?.map((r) => r.id);

before(async () => {
  t = await startApp();
  await createTenant(t, 'initech');
  for (const r of [
    { id: 'alice', name: 'Alice', email: 'alice@ical.example' },
    { id: 'bob', name: 'Bob Builder', email: 'bob@initech.example' },
    { id: 'carol', name: 'Carol' },
    { id: 'dave', name: 'Dave' },
  ]) {
    const res = await api('POST', '/v1/oncall/responders', { ...r, tenant_id: 'initech' });
    assert.equal(res.statusCode, 201, res.body);
  }
  const s = await api('POST', '/v1/oncall/schedules', { id: 'initech', name: 'Initech', tenant_id: 'initech', time_zone: 'Europe/Berlin' });
  assert.equal(s.statusCode, 201, s.body);
});
after(async () => t.close());

describe('iCal import', () => {
  it('refuses a feed naming someone unknown, naming them', async () => {
    const res = await api('POST', '/v1/oncall/schedules/initech/ical', { text: FEED });
    assert.equal(res.statusCode, 400, res.body);
    const e = (res.json() as { error: { code: string; message: string; details: { unmatched: Array<{ event: string }> } } }).error;
    assert.equal(e.code, 'unknown_responders');
    assert.match(e.message, /Zed Unknown/);
    assert.deepEqual(e.details.unmatched.map((u) => u.event), ['Zed Unknown']);
    assert.deepEqual(await who('2026-03-02T08:30:00Z'), [], 'nothing imported');
  });

  it('imports the rest with skip_unmatched and lists who it could not match', async () => {
    const res = await api('POST', '/v1/oncall/schedules/initech/ical', { text: FEED, skip_unmatched: true });
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json() as { events: number; imported: number; unmatched: Array<{ event: string }>; schedule: { ical: { assigned: number } } };
    assert.equal(body.events, 5);
    assert.equal(body.imported, 4);
    assert.deepEqual(body.unmatched.map((u) => u.event), ['Zed Unknown']);
  });

  it('who is on call matches the feed at chosen instants', async () => {
    // weekly, Monday 09:00-17:00 Berlin (CET, UTC+1), matched by ATTENDEE email (case-insensitive)
    assert.deepEqual(await who('2026-03-02T08:30:00Z'), ['alice']);
    assert.deepEqual(await who('2026-03-02T07:59:00Z'), [], 'before 09:00 local');
    assert.deepEqual(await who('2026-03-09T15:59:00Z'), ['alice']);
    assert.deepEqual(await who('2026-03-09T16:00:00Z'), [], '17:00 local: over');
    // EXDATE
    assert.deepEqual(await who('2026-03-16T08:30:00Z'), [], 'the excluded Monday');
    // the edited instance: moved 09:00 → 11:00 and handed to Bob (ATTENDEE CN)
    assert.deepEqual(await who('2026-03-23T08:30:00Z'), [], '09:30 local: moved away');
    assert.deepEqual(await who('2026-03-23T10:30:00Z'), ['bob']);
    assert.deepEqual(await who('2026-03-23T17:30:00Z'), ['bob'], '18:30 local: the moved end');
    // after the change to CEST (UTC+2): still 09:00 local
    assert.deepEqual(await who('2026-03-30T07:05:00Z'), ['alice'], '09:05 CEST');
    assert.deepEqual(await who('2026-03-30T06:55:00Z'), [], '08:55 CEST');
    assert.deepEqual(await who('2026-03-30T14:55:00Z'), ['alice'], '16:55 CEST');
    assert.deepEqual(await who('2026-03-30T15:05:00Z'), [], '17:05 CEST');
    // TZID America/New_York, after its 03-08 change (EDT, UTC-4): 09:00-12:00 is 13:00-16:00Z; SUMMARY names Carol
    assert.deepEqual(await who('2026-03-10T12:59:00Z'), []);
    assert.deepEqual(await who('2026-03-10T13:00:00Z'), ['carol']);
    assert.deepEqual(await who('2026-03-10T15:59:00Z'), ['carol']);
    // all-day in the schedule's zone: 2026-03-20 00:00-24:00 Berlin = 03-19 23:00Z to 03-20 23:00Z; SUMMARY 'dave' (case-insensitive)
    assert.deepEqual(await who('2026-03-19T22:59:00Z'), []);
    assert.deepEqual(await who('2026-03-19T23:00:00Z'), ['dave']);
    assert.deepEqual(await who('2026-03-20T22:59:00Z'), ['dave']);
    assert.deepEqual(await who('2026-03-20T23:00:00Z'), []);
    // the unmatched event is not anyone's
    assert.deepEqual(await who('2026-04-01T12:00:00Z'), []);
    // COUNT=10 from 03-02, one excluded: the last is 05-04
    assert.deepEqual(await who('2026-05-04T08:00:00Z'), ['alice']);
    assert.deepEqual(await who('2026-05-11T08:00:00Z'), []);
  });

  it('the shifts say they come from the iCal layer; overrides still win over it', async () => {
    const res = await api('GET', '/v1/oncall/schedules/initech/shifts?from=2026-03-23T00:00:00Z&to=2026-03-24T00:00:00Z');
    assert.equal(res.statusCode, 200, res.body);
    const shifts = (res.json() as { shifts: Array<{ responder_id: string; start_local: string; end_local: string; source: string; layer: string; hours: number }> }).shifts;
    assert.deepEqual(
      shifts.map((s) => [s.responder_id, s.start_local.slice(0, 16), s.end_local.slice(0, 16), s.source, s.layer, s.hours]),
      [['bob', '2026-03-23T11:00', '2026-03-23T19:00', 'ical', 'iCal', 8]]
    );
    const o = await api('POST', '/v1/oncall/schedules/initech/overrides', { responder_id: 'dave', from: '2026-03-23T12:00:00Z', to: '2026-03-23T13:00:00Z' });
    assert.equal(o.statusCode, 201, o.body);
    assert.deepEqual(await who('2026-03-23T12:30:00Z'), ['dave']);
    assert.deepEqual(await who('2026-03-23T13:30:00Z'), ['bob']);
  });

  it('bad feeds are 400s that say why', async () => {
    const bad = async (text: string, re: RegExp) => {
      const res = await api('POST', '/v1/oncall/schedules/initech/ical', { text });
      assert.equal(res.statusCode, 400, res.body);
      assert.match((res.json() as { error: { message: string } }).error.message, re);
    };
    await bad('not a calendar', /not iCalendar/);
    await bad('BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART;TZID=Mars/Base:20260101T090000\r\nSUMMARY:Alice\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n', /Mars\/Base/);
    await bad('BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\nDTSTART:20260101T090000Z\r\nDTEND:20260101T100000Z\r\nRRULE:FREQ=MINUTELY\r\nSUMMARY:Alice\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n', /MINUTELY/);
    const url = await api('POST', '/v1/oncall/schedules/initech/ical', { url: 'http://127.0.0.1:9/feed.ics' });
    assert.equal(url.statusCode, 400, url.body);
    assert.match((url.json() as { error: { message: string } }).error.message, /private|loopback/);
    // the feed imported before is still there
    assert.deepEqual(await who('2026-03-02T08:30:00Z'), ['alice']);
  });
});
