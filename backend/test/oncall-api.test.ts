import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import fc from 'fast-check';
import { createKey, createTenant, startApp, type TestApp } from './helpers.js';
import { hostileString, wrongType } from './hostile/arbitraries.js';

/**
 * On-call over HTTP on a real backend (PGlite; issue "Alert management", item 5): responders and schedules CRUD,
 * overrides, shifts over a window (DST in the schedule's zone), /v1/oncall/now, the directory the notifier asks,
 * tenant isolation (another tenant's is 404; the platform's read only), an escalation step naming an unknown
 * schedule refused, and hostile bodies and queries with fast-check: 4xx only, never a 5xx.
 *
 *   cd backend && node --import tsx --test test/oncall-api.test.ts
 */
let t: TestApp;
const keys: Record<string, string> = {};
const as = (name: string) => (name === 'admin' ? t.admin : { authorization: `Bearer ${keys[name]}` });
const api = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, who: string, payload?: unknown) =>
  t.app.inject({ method, url, headers: as(who), ...(payload === undefined ? {} : { payload: payload as object }) });
function status(res: LightMyRequestResponse, code: number, message?: RegExp): void {
  assert.equal(res.statusCode, code, `expected ${code}, got ${res.statusCode}: ${res.body.slice(0, 500)}`);
  if (message) {
    assert.match((res.json() as { error: { message: string } }).error.message, message);
  }
}

before(async () => {
  t = await startApp();
  await createTenant(t, 'acme');
  await createTenant(t, 'globex');
  keys.acmeAdmin = await createKey(t, 'acme', 'tenant-admin');
  keys.acmeViewer = await createKey(t, 'acme', 'tenant-viewer');
  keys.globexAdmin = await createKey(t, 'globex', 'tenant-admin');
  keys.viewer = await createKey(t, undefined, 'viewer');
});
after(async () => t.close());

describe('responders and schedules', () => {
  it('CRUD with checks that say what to change', async () => {
    status(await api('POST', '/v1/oncall/responders', 'acmeAdmin', { id: 'alice', name: 'Alice', email: 'alice@acme.example', phone: '+4915112345678', slack_user_id: 'U024BE7LH' }), 201);
    status(await api('POST', '/v1/oncall/responders', 'acmeAdmin', { id: 'bob', name: 'Bob', email: 'bob@acme.example' }), 201);
    status(await api('POST', '/v1/oncall/responders', 'acmeAdmin', { id: 'bob', name: 'Bob again' }), 409, /already exists/);
    status(await api('POST', '/v1/oncall/responders', 'admin', { id: 'ops', name: 'Platform Ops', email: 'ops@caas.example' }), 201);
    status(await api('POST', '/v1/oncall/responders', 'globexAdmin', { id: 'gina', name: 'Gina' }), 201);
    status(await api('POST', '/v1/oncall/responders', 'acmeAdmin', { name: 'X', phone: '015112345678' }), 400, /E\.164/);
    status(await api('POST', '/v1/oncall/responders', 'acmeAdmin', { name: 'X', email: 'not an email' }), 400, /address/);
    status(await api('POST', '/v1/oncall/responders', 'admin', { name: 'X', tenant_id: 'nope' }), 400, /tenant 'nope' does not exist/);
    const list = (await api('GET', '/v1/oncall/responders', 'acmeViewer')).json() as { responders: Array<{ id: string }> };
    assert.deepEqual(list.responders.map((r) => r.id).sort(), ['alice', 'bob', 'ops'], "acme's own and the platform's, not globex's");
    const put = await api('PUT', '/v1/oncall/responders/bob', 'acmeAdmin', { name: 'Robert', email: 'bob@acme.example' });
    status(put, 200);
    assert.equal((put.json() as { name: string }).name, 'Robert');

    const created = await api('POST', '/v1/oncall/schedules', 'acmeAdmin', {
      id: 'acme-primary',
      name: 'Acme primary',
      time_zone: 'Europe/Berlin',
      layers: [
        { name: 'weekly', priority: 0, participants: ['alice', 'bob'], rotation: 'weekly', handoff: '09:00', handoff_weekday: 1, starts_at: '2026-03-02' },
        { name: 'ops nights', priority: 5, participants: ['ops'], rotation: 'daily', handoff: '00:00', starts_at: '2026-03-01', restriction: { days: [6, 7], start: '00:00', end: '06:00' } },
      ],
    });
    status(created, 201);
    status(await api('POST', '/v1/oncall/schedules', 'acmeAdmin', { name: 'Bad zone', time_zone: 'Mars/Olympus_Mons' }), 400, /Mars\/Olympus_Mons/);
    status(
      await api('POST', '/v1/oncall/schedules', 'acmeAdmin', { name: 'Bad time', time_zone: 'UTC', layers: [{ name: 'l', participants: ['alice'], rotation: 'daily', handoff: '25:00', starts_at: '2026-01-01' }] }),
      400,
      /25:00/
    );
    status(
      await api('POST', '/v1/oncall/schedules', 'acmeAdmin', { name: 'Stranger', time_zone: 'UTC', layers: [{ name: 'l', participants: ['gina'], rotation: 'daily', handoff: '09:00', starts_at: '2026-01-01' }] }),
      400,
      /'gina'.*tenant 'acme' does not have/
    );
    status(
      await api('POST', '/v1/oncall/schedules', 'admin', { name: 'Platform', time_zone: 'UTC', layers: [{ name: 'l', participants: ['alice'], rotation: 'daily', handoff: '09:00', starts_at: '2026-01-01' }] }),
      400,
      /platform schedule pages platform responders only/
    );
    status(await api('DELETE', '/v1/oncall/responders/alice', 'acmeAdmin'), 409, /acme-primary/);
  });

  it('shifts over a window: the weekly hand-off stays 09:00 Berlin time across 2026-03-29 (167 h), weekend nights by the higher layer', async () => {
    const res = await api('GET', '/v1/oncall/schedules/acme-primary/shifts?from=2026-03-23T00:00:00Z&to=2026-04-06T00:00:00Z', 'acmeViewer');
    status(res, 200);
    const body = res.json() as { shifts: Array<{ responder_id: string; responder: { name: string } | null; start: string; end: string; start_local: string; hours: number; source: string; layer: string }> };
    const weekly = body.shifts.filter((s) => s.layer === 'weekly');
    const spanning = weekly.find((s) => s.start_local.startsWith('2026-03-23T09:00'));
    assert.ok(spanning, JSON.stringify(body.shifts.slice(0, 4)));
    // 2026-03-02 alice, 03-09 bob, 03-16 alice, 03-23 bob; the weekend nights cut it
    assert.equal(spanning.responder_id, 'bob');
    assert.equal(spanning.responder?.name, 'Robert');
    const nights = body.shifts.filter((s) => s.layer === 'ops nights');
    assert.equal(nights.length, 4, 'two weekends, Saturday and Sunday 00:00-06:00');
    assert.ok(nights.every((n) => n.start_local.includes('T00:00') && n.responder_id === 'ops'));
    const bobWeek = weekly.filter((s) => s.responder_id === 'bob' && s.start >= '2026-03-23' && s.end <= '2026-03-30T07:00:00Z');
    const hours = bobWeek.reduce((n, s) => n + s.hours, 0) + nights.filter((n) => n.start < '2026-03-30').reduce((n, s) => n + s.hours, 0);
    assert.equal(hours, 167, "bob's week, with the two nights ops takes, is 167 h (the clocks went forward)");
    status(await api('GET', '/v1/oncall/schedules/acme-primary/shifts?from=2026-01-01T00:00:00Z&to=2026-06-01T00:00:00Z', 'acmeViewer'), 400, /at most 92/);
    status(await api('GET', '/v1/oncall/schedules/acme-primary/shifts?from=2026-03-02&to=2026-03-01T00:00:00Z', 'acmeViewer'), 400, /instant/);
    status(await api('GET', '/v1/oncall/schedules/acme-primary/shifts?from=2026-01-01T00:00:00Z&to=2026-06-01T00:00:00Z', 'globexAdmin'), 404);
  });

  it('overrides replace whoever is on call; the directory answers as an incident of the tenant sees it', async () => {
    const o = await api('POST', '/v1/oncall/schedules/acme-primary/overrides', 'acmeAdmin', { responder_id: 'alice', from: '2026-03-24T10:00:00Z', to: '2026-03-24T12:00:00Z', note: 'swap' });
    status(o, 201);
    const oid = (o.json() as { overrides: Array<{ id: string }> }).overrides[0]!.id;
    status(await api('POST', '/v1/oncall/schedules/acme-primary/overrides', 'acmeAdmin', { responder_id: 'gina', from: '2026-03-24T10:00:00Z', to: '2026-03-24T12:00:00Z' }), 400, /gina/);
    status(await api('POST', '/v1/oncall/schedules/acme-primary/overrides', 'acmeAdmin', { responder_id: 'alice', from: '2026-03-24T12:00:00Z', to: '2026-03-24T10:00:00Z' }), 400, /after/);
    const oncall = t.svc.oncall;
    assert.deepEqual((await oncall.onCall('acme-primary', new Date('2026-03-24T11:00:00Z'), 'acme'))?.map((r) => r.id), ['alice']);
    assert.deepEqual((await oncall.onCall('acme-primary', new Date('2026-03-24T13:00:00Z'), 'acme'))?.map((r) => r.id), ['bob']);
    assert.deepEqual((await oncall.onCall('acme-primary', new Date('2026-03-28T23:30:00Z'), 'acme'))?.map((r) => r.id), ['ops'], 'Sunday 00:30 Berlin: the nights layer');
    assert.deepEqual(await oncall.onCall('acme-primary', new Date('2026-02-28T12:00:00Z'), 'acme'), [], 'before the first hand-offs: nobody');
    assert.equal(await oncall.onCall('acme-primary', new Date('2026-03-24T11:00:00Z'), 'globex'), undefined, "another tenant's schedule does not exist for it");
    assert.equal((await oncall.responder('alice', 'acme'))?.email, 'alice@acme.example');
    assert.equal(await oncall.responder('alice', 'globex'), undefined);
    assert.equal((await oncall.responder('ops', 'globex'))?.id, 'ops', 'a platform responder pages for every tenant');
    status(await api('DELETE', `/v1/oncall/schedules/acme-primary/overrides/${oid}`, 'acmeAdmin'), 200);
    status(await api('DELETE', `/v1/oncall/schedules/acme-primary/overrides/${oid}`, 'acmeAdmin'), 404);
    assert.deepEqual((await oncall.onCall('acme-primary', new Date('2026-03-24T11:00:00Z'), 'acme'))?.map((r) => r.id), ['bob']);
  });

  it('/v1/oncall/now: every schedule the key sees, who is on call and the next hand-off', async () => {
    status(
      await api('POST', '/v1/oncall/schedules', 'admin', { id: 'platform-247', name: 'Platform 24/7', time_zone: 'UTC', layers: [{ name: 'all', participants: ['ops'], rotation: 'daily', handoff: '08:00', starts_at: '2020-01-01' }] }),
      201
    );
    const acme = (await api('GET', '/v1/oncall/now', 'acmeViewer')).json() as { schedules: Array<{ schedule_id: string; on_call: Array<{ id: string }>; next_handoff: { at: string } | null }> };
    assert.deepEqual(acme.schedules.map((s) => s.schedule_id).sort(), ['acme-primary', 'platform-247']);
    const p = acme.schedules.find((s) => s.schedule_id === 'platform-247')!;
    assert.deepEqual(p.on_call.map((r) => r.id), ['ops']);
    assert.match(p.next_handoff?.at ?? '', /T08:00:00\.000Z$/);
    const globex = (await api('GET', '/v1/oncall/now', 'globexAdmin')).json() as { schedules: Array<{ schedule_id: string }> };
    assert.deepEqual(globex.schedules.map((s) => s.schedule_id), ['platform-247']);
  });

  it("tenant isolation: another tenant's is 404, the platform's read only, viewers write nothing", async () => {
    status(await api('GET', '/v1/oncall/schedules/acme-primary', 'globexAdmin'), 404);
    status(await api('PUT', '/v1/oncall/schedules/acme-primary', 'globexAdmin', { name: 'mine', time_zone: 'UTC' }), 404);
    status(await api('DELETE', '/v1/oncall/schedules/acme-primary', 'globexAdmin'), 404);
    status(await api('GET', '/v1/oncall/responders/alice', 'globexAdmin'), 404);
    status(await api('DELETE', '/v1/oncall/responders/alice', 'globexAdmin'), 404);
    status(await api('POST', '/v1/oncall/schedules/acme-primary/overrides', 'globexAdmin', { responder_id: 'gina', from: 0, to: 1 }), 404);
    status(await api('GET', '/v1/oncall/schedules/platform-247', 'globexAdmin'), 200);
    status(await api('PUT', '/v1/oncall/schedules/platform-247', 'globexAdmin', { name: 'mine', time_zone: 'UTC' }), 403, /platform schedule/);
    status(await api('DELETE', '/v1/oncall/responders/ops', 'acmeAdmin'), 403);
    status(await api('POST', '/v1/oncall/responders', 'acmeViewer', { name: 'V' }), 403);
    status(await api('POST', '/v1/oncall/responders', 'viewer', { name: 'V' }), 403);
    status(await api('POST', '/v1/oncall/responders', 'acmeAdmin', { name: 'V', tenant_id: 'globex' }), 403);
    const globexList = (await api('GET', '/v1/oncall/schedules', 'globexAdmin')).json() as { schedules: Array<{ id: string }> };
    assert.deepEqual(globexList.schedules.map((s) => s.id), ['platform-247']);
    const all = (await api('GET', '/v1/oncall/schedules', 'viewer')).json() as { schedules: Array<{ id: string }> };
    assert.deepEqual(all.schedules.map((s) => s.id).sort(), ['acme-primary', 'platform-247']);
  });

  it('an escalation step naming a schedule its tenant does not have is a 400 naming it', async () => {
    const policy = (schedule: string) => ({ name: 'p', steps: [{ wait_minutes: 0, targets: [{ type: 'schedule', schedule }] }] });
    status(await api('POST', '/v1/escalation-policies', 'acmeAdmin', policy('no-such-schedule')), 400, /no-such-schedule/);
    status(await api('POST', '/v1/escalation-policies', 'globexAdmin', policy('acme-primary')), 400, /acme-primary.*globex/);
    status(await api('POST', '/v1/escalation-policies', 'admin', policy('acme-primary')), 400, /platform/);
    status(await api('POST', '/v1/escalation-policies', 'acmeAdmin', policy('acme-primary')), 201);
    status(await api('POST', '/v1/escalation-policies', 'globexAdmin', policy('platform-247')), 201);
  });

  it('delete: a schedule with its overrides, then its responders', async () => {
    status(await api('POST', '/v1/oncall/schedules', 'acmeAdmin', { id: 'tmp', name: 'tmp', time_zone: 'UTC', layers: [{ name: 'l', participants: ['bob'], rotation: 'daily', handoff: '09:00', starts_at: '2026-01-01' }] }), 201);
    status(await api('DELETE', '/v1/oncall/schedules/tmp', 'acmeAdmin'), 200);
    status(await api('GET', '/v1/oncall/schedules/tmp', 'acmeAdmin'), 404);
    status(await api('POST', '/v1/oncall/responders', 'acmeAdmin', { id: 'temp', name: 'Temp' }), 201);
    status(await api('DELETE', '/v1/oncall/responders/temp', 'acmeAdmin'), 200);
    status(await api('GET', '/v1/oncall/responders/temp', 'acmeAdmin'), 404);
  });
});

describe('hostile input: 4xx only', () => {
  const hhmm = fc.oneof(fc.constantFrom('09:00', '24:00', '9:00', '09:60', '', '09:00:00', '١٢:٠٠'), hostileString(8), wrongType);
  const zone = fc.oneof(fc.constantFrom('UTC', 'Europe/Berlin', 'Mars/Base', '+01:00', 'Etc/GMT+99', '../../etc/passwd', 'utc', ''), hostileString(40), wrongType);
  const ids = fc.oneof(fc.constantFrom('alice', 'ops', 'gina', 'nobody', ''), hostileString(70), wrongType);
  const layer = fc.record(
    {
      name: fc.oneof(fc.constantFrom('l', 'iCal', ''), hostileString(120), wrongType),
      priority: fc.oneof(fc.integer({ min: -5000, max: 5000 }), wrongType),
      participants: fc.oneof(fc.array(ids, { maxLength: 5 }), fc.array(fc.constant('alice'), { minLength: 101, maxLength: 150 }), wrongType),
      rotation: fc.oneof(fc.constantFrom('daily', 'weekly', 'hourly'), wrongType),
      every: fc.oneof(fc.integer({ min: -3, max: 1000 }), wrongType),
      handoff: hhmm,
      handoff_weekday: fc.oneof(fc.integer({ min: -1, max: 9 }), fc.constant(null), wrongType),
      starts_at: fc.oneof(fc.constantFrom('2026-01-01', '2026-02-30', '0000-01-01', '9999-12-31', '2026-1-1'), hostileString(12), wrongType),
      restriction: fc.oneof(fc.constant(null), fc.record({ days: fc.oneof(fc.array(fc.integer({ min: -1, max: 9 }), { maxLength: 9 }), wrongType), start: hhmm, end: hhmm }), wrongType),
    },
    { requiredKeys: [] }
  );
  const schedule = fc.record(
    {
      id: fc.oneof(fc.constantFrom('h1', 'acme-primary', 'platform-247'), hostileString(70), wrongType),
      name: fc.oneof(fc.constant('n'), hostileString(300), wrongType),
      tenant_id: fc.oneof(fc.constantFrom('acme', 'globex', 'nope'), fc.constant(null), hostileString(20), wrongType),
      time_zone: zone,
      layers: fc.oneof(fc.array(layer, { maxLength: 3 }), fc.array(fc.constant({ name: 'x', participants: [], rotation: 'daily', handoff: '09:00', starts_at: '2026-01-01' }), { minLength: 21, maxLength: 30 }), wrongType),
    },
    { requiredKeys: [] }
  );
  const instant = fc.oneof(fc.constantFrom('2026-03-29T01:00:00Z', '2026-03-29T01:00:00', 'now', '', '1e99', '-1', '99999999999999999', '2026-13-01T00:00:00Z'), fc.integer(), hostileString(30), wrongType);

  it('schedules: POST and PUT never 5xx, and a refused one stores nothing', async () => {
    await fc.assert(
      fc.asyncProperty(schedule, fc.constantFrom('admin', 'acmeAdmin', 'globexAdmin'), fc.boolean(), async (body, who, put) => {
        const before = (await api('GET', '/v1/oncall/schedules', 'viewer')).json() as { schedules: unknown[] };
        const res = put ? await api('PUT', '/v1/oncall/schedules/acme-primary', who, body) : await api('POST', '/v1/oncall/schedules', who, body);
        assert.ok(res.statusCode < 500, `${res.statusCode} ${res.body.slice(0, 300)} for ${JSON.stringify(body).slice(0, 300)}`);
        if (res.statusCode >= 400) {
          assert.ok((res.json() as { error?: { message?: string } }).error?.message, 'an error that says why');
          const afterList = (await api('GET', '/v1/oncall/schedules', 'viewer')).json() as { schedules: unknown[] };
          assert.deepEqual(afterList.schedules, before.schedules, 'nothing stored');
        } else if (!put) {
          const id = (res.json() as { id: string }).id;
          status(await api('DELETE', `/v1/oncall/schedules/${encodeURIComponent(id)}`, 'admin'), 200);
        }
      }),
      { numRuns: 120 }
    );
  });

  it('responders, overrides, shifts and iCal: never 5xx', async () => {
    const responder = fc.record({ id: ids, name: fc.oneof(fc.constant('N'), hostileString(300), wrongType), email: fc.oneof(fc.constantFrom('a@b.co', 'x@', '<a@b.co>'), hostileString(300), wrongType), phone: fc.oneof(fc.constantFrom('+4915112345678', '+0', '12345'), hostileString(40), wrongType), slack_user_id: fc.oneof(fc.constantFrom('U024BE7LH', 'u1'), hostileString(40), wrongType), tenant_id: fc.oneof(fc.constantFrom('acme', 'nope'), wrongType) }, { requiredKeys: [] });
    const override = fc.record({ responder_id: ids, from: instant, to: instant, note: fc.oneof(hostileString(600), wrongType) }, { requiredKeys: [] });
    const ical = fc.record({ text: fc.oneof(fc.constantFrom('BEGIN:VCALENDAR\r\nEND:VCALENDAR', 'BEGIN:VEVENT\r\nEND:VEVENT', 'BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;TZID=Mars/Base:20260101T090000\r\nSUMMARY:Alice\r\nEND:VEVENT\r\nEND:VCALENDAR', 'BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\nDTSTART:20260101T090000Z\r\nDTEND:20260101T100000Z\r\nRRULE:FREQ=SECONDLY\r\nSUMMARY:Alice\r\nEND:VEVENT\r\nEND:VCALENDAR'), hostileString(200), wrongType), url: fc.oneof(fc.constantFrom('http://127.0.0.1:1/x.ics', 'file:///etc/passwd', 'not a url'), wrongType), priority: fc.oneof(fc.integer({ min: -5000, max: 5000 }), wrongType), skip_unmatched: fc.oneof(fc.boolean(), wrongType) }, { requiredKeys: [] });
    const req = fc.oneof(
      fc.record({ kind: fc.constant('responder' as const), body: responder, put: fc.boolean() }),
      fc.record({ kind: fc.constant('override' as const), body: override, put: fc.constant(false) }),
      fc.record({ kind: fc.constant('shifts' as const), body: fc.record({ from: instant, to: instant }), put: fc.constant(false) }),
      fc.record({ kind: fc.constant('ical' as const), body: ical, put: fc.constant(false) })
    );
    await fc.assert(
      fc.asyncProperty(req, fc.constantFrom('admin', 'acmeAdmin', 'globexAdmin'), async (r, who) => {
        let res: LightMyRequestResponse;
        switch (r.kind) {
          case 'responder':
            res = r.put ? await api('PUT', '/v1/oncall/responders/bob', who, r.body) : await api('POST', '/v1/oncall/responders', who, r.body);
            if (res.statusCode === 201) {
              await api('DELETE', `/v1/oncall/responders/${encodeURIComponent((res.json() as { id: string }).id)}`, 'admin');
            }
            break;
          case 'override':
            res = await api('POST', '/v1/oncall/schedules/acme-primary/overrides', who, r.body);
            break;
          case 'shifts': {
            const text = (v: unknown) => (typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v));
            const q = new URLSearchParams({ from: text(r.body.from), to: text(r.body.to) });
            res = await api('GET', `/v1/oncall/schedules/acme-primary/shifts?${q.toString()}`, who);
            break;
          }
          case 'ical':
            res = await api('POST', '/v1/oncall/schedules/acme-primary/ical', who, r.body);
            break;
        }
        assert.ok(res.statusCode < 500, `${r.kind}: ${res.statusCode} ${res.body.slice(0, 300)} for ${JSON.stringify(r.body).slice(0, 300)}`);
      }),
      { numRuns: 150 }
    );
    // still whole afterwards
    status(await api('GET', '/v1/oncall/schedules/acme-primary/shifts?from=2026-03-23T00:00:00Z&to=2026-04-06T00:00:00Z', 'acmeViewer'), 200);
  });
});
