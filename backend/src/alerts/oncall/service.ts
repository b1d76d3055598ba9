import { randomBytes } from 'node:crypto';
import { DateTime } from 'luxon';
import { checkResolvedTarget, checkTarget } from '../../delivery/outbound.js';
import { badRequest, CaasError, conflict, forbidden, notFound } from '../../errors.js';
import type { MetadataDb } from '../../store/metadata-db.js';
import type { OnCallDirectory, Responder } from './directory.js';
import { assign, feedIntervals, parseFeed, type ParsedFeed } from './ical.js';
import {
  checkId,
  checkLayers,
  checkResponder,
  checkText,
  checkWindow,
  checkZone,
  MAX_OVERRIDES,
  ONCALL_ID,
  parseInstant,
  type LayerInput,
  type ResponderInput,
  type Schedule,
  type Shift,
} from './model.js';
import { scheduleShifts, type SourceInterval } from './rotation.js';
import { OnCallStore, type StoredResponder } from './store.js';

/**
 * On-call (issue "Alert management", item 5) as a key sees it, and the directory escalation and channels ask
 * (`OnCallDirectory`). Admin and viewer keys (tenant null) see everything; a tenant's keys their own tenant's and
 * the platform's, the platform's read only; another tenant's object is not found, never forbidden. A tenant's
 * schedule may name its own and platform responders; a platform schedule only platform responders (it pages for
 * every tenant).
 */
export interface ScheduleInput {
  id?: string;
  name: string;
  tenant_id?: string | null;
  time_zone: string;
  layers?: LayerInput[];
}

export interface OverrideInput {
  responder_id: string;
  from: string | number;
  to: string | number;
  note?: string | null;
}

export interface IcalInput {
  text?: string;
  url?: string;
  /** the iCal layer's priority among the layers (default: above every layer) */
  priority?: number;
  /** import the events that name a known responder and list the others (default: refuse the feed naming them) */
  skip_unmatched?: boolean;
}

export interface ShiftView {
  responder_id: string;
  responder: { id: string; name: string } | null;
  start: string;
  end: string;
  start_local: string;
  end_local: string;
  hours: number;
  source: Shift['source'];
  layer: string | null;
  override_id: string | null;
}

const MAX_OVERRIDE_DAYS = 366;
const NOW_HORIZON_DAYS = 31;
const clip = (s: string, n = 80) => (s.length > n ? `${s.slice(0, n)}…` : s);
const isFk = (e: unknown) => (e as { code?: unknown }).code === '23503';

export class OnCallService implements OnCallDirectory {
  readonly store: OnCallStore;
  private readonly feeds = new Map<string, ParsedFeed>();

  constructor(private readonly opts: { db: MetadataDb; allowPrivate: boolean; fetchTimeoutMs?: number; maxFeedBytes?: number }) {
    this.store = new OnCallStore(opts.db);
  }

  // ---- the directory ------------------------------------------------------------------------------

  async responder(id: string, tenant: string | null): Promise<Responder | undefined> {
    const r = ONCALL_ID.test(id) ? await this.store.responder(this.opts.db, id) : undefined;
    return r && (r.tenant_id === null || r.tenant_id === tenant) ? strip(r) : undefined;
  }

  async onCall(scheduleId: string, at: Date, tenant: string | null): Promise<Responder[] | undefined> {
    const s = ONCALL_ID.test(scheduleId) ? await this.store.schedule(this.opts.db, scheduleId) : undefined;
    if (!s || (s.tenant_id !== null && s.tenant_id !== tenant)) {
      return undefined;
    }
    const ms = at.getTime();
    const shift = this.resolve(s, ms, ms + 1)[0];
    if (!shift) {
      return [];
    }
    const r = await this.store.responder(this.opts.db, shift.responder_id);
    return r ? [strip(r)] : [];
  }

  /** Whether a policy of `owner` may name the schedule (escalation's check): the owner's own or a platform schedule; a platform policy only a platform one. */
  async scheduleUsableBy(id: string, owner: string | null): Promise<boolean> {
    const s = ONCALL_ID.test(id) ? await this.store.schedule(this.opts.db, id) : undefined;
    return s !== undefined && (s.tenant_id === null || s.tenant_id === owner);
  }

  // ---- responders ---------------------------------------------------------------------------------

  async listResponders(tenant: string | null): Promise<StoredResponder[]> {
    return this.store.responders(tenant);
  }

  async getResponder(id: string, tenant: string | null): Promise<StoredResponder> {
    const r = ONCALL_ID.test(id) ? await this.store.responder(this.opts.db, id) : undefined;
    if (!r || (tenant !== null && r.tenant_id !== null && r.tenant_id !== tenant)) {
      throw notFound(`responder '${clip(id)}' not found${tenant ? ` for tenant '${tenant}'` : ''}: list them with GET /v1/oncall/responders`);
    }
    return r;
  }

  async createResponder(input: ResponderInput, tenant: string | null): Promise<StoredResponder> {
    const id = checkId('responder', input.id ?? `rsp-${randomBytes(6).toString('hex')}`);
    const owner = this.owner(input.tenant_id, tenant, 'responders');
    const fields = checkResponder(input);
    const row = await this.fk(owner, () => this.store.insertResponder({ id, tenant_id: owner, ...fields }));
    if (!row) {
      throw conflict(`responder '${id}' already exists: choose another id, or change it with PUT /v1/oncall/responders/${id}`);
    }
    return row;
  }

  async replaceResponder(id: string, input: ResponderInput, tenant: string | null): Promise<StoredResponder> {
    const current = await this.getResponder(id, tenant);
    this.writable('responder', current, tenant);
    if (input.tenant_id !== undefined && input.tenant_id !== current.tenant_id) {
      throw badRequest('invalid_responder', `a responder stays with its owner (${current.tenant_id === null ? 'the platform' : `tenant '${current.tenant_id}'`}): leave tenant_id out, or create a new responder`);
    }
    if (input.id !== undefined && input.id !== id) {
      throw badRequest('invalid_responder', `the body's id '${clip(input.id)}' is not the path's '${id}'`);
    }
    const row = await this.store.updateResponder({ id, tenant_id: current.tenant_id, ...checkResponder(input) });
    if (!row) {
      throw notFound(`responder '${id}' not found: it was deleted meanwhile`);
    }
    return row;
  }

  async removeResponder(id: string, tenant: string | null): Promise<{ id: string }> {
    this.writable('responder', await this.getResponder(id, tenant), tenant);
    const using = await this.store.schedulesUsing(id);
    if (using.length > 0) {
      throw conflict(`responder '${id}' is on schedule${using.length > 1 ? 's' : ''} ${using.map((s) => `'${s}'`).join(', ')}: take them out of those layers (or re-import the feed) first`);
    }
    await this.store.deleteResponder(id);
    return { id };
  }

  // ---- schedules ----------------------------------------------------------------------------------

  async listSchedules(tenant: string | null): Promise<Schedule[]> {
    return this.store.schedules(tenant);
  }

  async getSchedule(id: string, tenant: string | null): Promise<Schedule> {
    const s = ONCALL_ID.test(id) ? await this.store.schedule(this.opts.db, id) : undefined;
    if (!s || (tenant !== null && s.tenant_id !== null && s.tenant_id !== tenant)) {
      throw notFound(`schedule '${clip(id)}' not found${tenant ? ` for tenant '${tenant}'` : ''}: list them with GET /v1/oncall/schedules`);
    }
    return s;
  }

  async createSchedule(input: ScheduleInput, tenant: string | null): Promise<Schedule> {
    const id = checkId('schedule', input.id ?? `sch-${randomBytes(6).toString('hex')}`);
    const owner = this.owner(input.tenant_id, tenant, 'schedules');
    const fields = await this.scheduleFields(input, owner);
    const ok = await this.fk(owner, () => this.store.insertSchedule({ id, tenant_id: owner, ...fields }));
    if (!ok) {
      throw conflict(`schedule '${id}' already exists: choose another id, or change it with PUT /v1/oncall/schedules/${id}`);
    }
    return this.getSchedule(id, tenant);
  }

  async replaceSchedule(id: string, input: ScheduleInput, tenant: string | null): Promise<Schedule> {
    const current = await this.getSchedule(id, tenant);
    this.writable('schedule', current, tenant);
    if (input.tenant_id !== undefined && input.tenant_id !== current.tenant_id) {
      throw badRequest('invalid_schedule', `a schedule stays with its owner (${current.tenant_id === null ? 'the platform' : `tenant '${current.tenant_id}'`}): leave tenant_id out, or create a new schedule`);
    }
    if (input.id !== undefined && input.id !== id) {
      throw badRequest('invalid_schedule', `the body's id '${clip(input.id)}' is not the path's '${id}'`);
    }
    await this.store.updateSchedule({ id, ...(await this.scheduleFields(input, current.tenant_id)) });
    return this.getSchedule(id, tenant);
  }

  async removeSchedule(id: string, tenant: string | null): Promise<{ id: string }> {
    this.writable('schedule', await this.getSchedule(id, tenant), tenant);
    await this.store.deleteSchedule(id);
    return { id };
  }

  async addOverride(id: string, input: OverrideInput, tenant: string | null): Promise<Schedule> {
    const s = await this.getSchedule(id, tenant);
    this.writable('schedule', s, tenant);
    const from = parseInstant('from', input.from);
    const to = parseInstant('to', input.to);
    if (to <= from) {
      throw badRequest('invalid_window', 'to must be after from');
    }
    if (to - from > MAX_OVERRIDE_DAYS * 86_400_000) {
      throw badRequest('window_too_long', `an override is at most ${MAX_OVERRIDE_DAYS} days: split longer absences, or change the layers`);
    }
    await this.checkResponders([input.responder_id], s.tenant_id, 'responder_id');
    if ((await this.store.countOverrides(id)) >= MAX_OVERRIDES) {
      throw conflict(`schedule '${id}' has ${MAX_OVERRIDES} overrides already: delete old ones first`);
    }
    const note = input.note ? checkText('note', input.note, 500) : null;
    await this.store.insertOverride(id, { id: `ovr-${randomBytes(6).toString('hex')}`, responder_id: input.responder_id, from: new Date(from).toISOString(), to: new Date(to).toISOString(), note });
    return this.getSchedule(id, tenant);
  }

  async removeOverride(id: string, overrideId: string, tenant: string | null): Promise<Schedule> {
    const s = await this.getSchedule(id, tenant);
    this.writable('schedule', s, tenant);
    if (!ONCALL_ID.test(overrideId) || !(await this.store.deleteOverride(id, overrideId))) {
      throw notFound(`override '${clip(overrideId)}' not found on schedule '${id}': GET /v1/oncall/schedules/${id} lists its overrides`);
    }
    return this.getSchedule(id, tenant);
  }

  // ---- iCal ---------------------------------------------------------------------------------------

  async importIcal(id: string, input: IcalInput, tenant: string | null): Promise<{ schedule: Schedule; events: number; imported: number; unmatched: Array<{ event: string; names: string[] }> }> {
    const s = await this.getSchedule(id, tenant);
    this.writable('schedule', s, tenant);
    if ((input.text === undefined) === (input.url === undefined)) {
      throw badRequest('invalid_ical', 'send the feed as text or name its url (one of the two)');
    }
    const text = input.text ?? (await this.fetchFeed(input.url as string));
    return this.feedErrors(() => this.importText(s, text, input, tenant));
  }

  /** ical.js throws plain errors on some malformed values (an RRULE part, a date): the feed's fault, a 400. */
  private async feedErrors<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof CaasError) {
        throw e;
      }
      throw badRequest('invalid_ical', `the feed could not be read: ${clip(e instanceof Error ? e.message : String(e), 200)}`);
    }
  }

  private async importText(s: Schedule, text: string, input: IcalInput, tenant: string | null) {
    const id = s.id;
    const feed = parseFeed(text);
    // every occurrence must expand (a year around now): a feed that cannot is refused here, not on the page
    const now = Date.now();
    const probe = assign(feed, await this.matcher(s.tenant_id));
    if (probe.unmatched.length > 0 && !input.skip_unmatched) {
      throw badRequest(
        'unknown_responders',
        `${probe.unmatched.length} event${probe.unmatched.length > 1 ? 's' : ''} name${probe.unmatched.length > 1 ? '' : 's'} no responder of this schedule: ${probe.unmatched
          .slice(0, 10)
          .map((u) => `'${u.event}' (${u.names.join(', ') || 'no ATTENDEE or SUMMARY'})`)
          .join('; ')}. Create them (POST /v1/oncall/responders) with those emails or names, or send skip_unmatched: true`,
        { unmatched: probe.unmatched }
      );
    }
    const priority = input.priority ?? Math.max(0, ...s.layers.map((l) => l.priority)) + 1;
    if (!Number.isInteger(priority) || Math.abs(priority) > 1000) {
      throw badRequest('invalid_priority', `priority ${priority} must be a whole number from -1000 to 1000`);
    }
    const stored = { text, priority, imported_at: new Date().toISOString(), assignments: probe.assignments, events: probe.events };
    feedIntervals(feed, stored, s.time_zone, now - 183 * 86_400_000, now + 183 * 86_400_000);
    await this.store.setIcal(id, stored);
    return { schedule: await this.getSchedule(id, tenant), events: probe.events, imported: Object.keys(probe.assignments).length, unmatched: probe.unmatched };
  }

  async removeIcal(id: string, tenant: string | null): Promise<Schedule> {
    const s = await this.getSchedule(id, tenant);
    this.writable('schedule', s, tenant);
    await this.store.setIcal(id, null);
    return this.getSchedule(id, tenant);
  }

  // ---- who is on call -----------------------------------------------------------------------------

  /** The final shifts of a schedule over [from, to) (at most 92 days), with names and local times for a calendar. */
  async shifts(id: string, from: string | number, to: string | number, tenant: string | null): Promise<{ schedule_id: string; time_zone: string; from: string; to: string; shifts: ShiftView[] }> {
    const s = await this.getSchedule(id, tenant);
    const f = parseInstant('from', from);
    const t = parseInstant('to', to);
    checkWindow(f, t);
    return { schedule_id: s.id, time_zone: s.time_zone, from: new Date(f).toISOString(), to: new Date(t).toISOString(), shifts: await this.view(s, this.resolve(s, f, t)) };
  }

  /** Every schedule the key sees: who is on call now and the next hand-off (within 31 days). */
  async now(tenant: string | null, at = Date.now()) {
    const schedules = await this.store.schedules(tenant);
    const out = [];
    for (const s of schedules) {
      const shifts = await this.view(s, this.resolve(s, at, at + NOW_HORIZON_DAYS * 86_400_000));
      const current = shifts[0] && Date.parse(shifts[0].start) <= at ? shifts[0] : null;
      const after = current ? shifts.find((x) => Date.parse(x.start) >= Date.parse(current.end)) : shifts[0];
      const handoffAt = current ? current.end : (after?.start ?? null);
      const next = after && after.start === handoffAt ? after : null;
      out.push({
        schedule_id: s.id,
        name: s.name,
        tenant_id: s.tenant_id,
        time_zone: s.time_zone,
        on_call: current ? [current.responder ?? { id: current.responder_id, name: current.responder_id }] : [],
        shift: current,
        next_handoff: handoffAt === null ? null : { at: handoffAt, to: next?.responder ?? null },
      });
    }
    return { at: new Date(at).toISOString(), schedules: out };
  }

  /** The final shifts, pure of names (the maths of rotation.ts with the feed). */
  resolve(s: Schedule, from: number, to: number): Shift[] {
    let extra: SourceInterval[] = [];
    if (s.ical) {
      const key = `${s.id}:${s.ical.imported_at}`;
      let feed = this.feeds.get(key);
      if (!feed) {
        feed = parseFeed(s.ical.text);
        if (this.feeds.size > 50) {
          this.feeds.delete(this.feeds.keys().next().value as string);
        }
        this.feeds.set(key, feed);
      }
      extra = feedIntervals(feed, s.ical, s.time_zone, from, to);
    }
    return scheduleShifts(s, from, to, extra);
  }

  // ---- helpers ------------------------------------------------------------------------------------

  private async view(s: Schedule, shifts: Shift[]): Promise<ShiftView[]> {
    const names = new Map((await this.store.respondersByIds([...new Set(shifts.map((x) => x.responder_id))])).map((r) => [r.id, r.name]));
    return shifts.map((x) => ({
      responder_id: x.responder_id,
      responder: names.has(x.responder_id) ? { id: x.responder_id, name: names.get(x.responder_id) as string } : null,
      start: new Date(x.start).toISOString(),
      end: new Date(x.end).toISOString(),
      start_local: DateTime.fromMillis(x.start, { zone: s.time_zone }).toISO() as string,
      end_local: DateTime.fromMillis(x.end, { zone: s.time_zone }).toISO() as string,
      hours: Math.round(((x.end - x.start) / 3_600_000) * 1000) / 1000,
      source: x.source,
      layer: x.layer,
      override_id: x.override_id,
    }));
  }

  private async scheduleFields(input: ScheduleInput, owner: string | null) {
    const layers = checkLayers(input.layers ?? []);
    await this.checkResponders(
      layers.flatMap((l) => l.participants),
      owner,
      'layers[].participants'
    );
    return { name: checkText('name', input.name), time_zone: checkZone(input.time_zone), layers };
  }

  /** Every id names a responder the owner's schedules may page. */
  private async checkResponders(ids: string[], owner: string | null, field: string): Promise<void> {
    const unique = [...new Set(ids)];
    unique.forEach((id) => checkId('responder', id));
    const found = new Map((await this.store.respondersByIds(unique)).map((r) => [r.id, r]));
    const bad = unique.filter((id) => {
      const r = found.get(id);
      return !r || (r.tenant_id !== null && r.tenant_id !== owner);
    });
    if (bad.length > 0) {
      throw badRequest(
        'unknown_responder',
        `${field} names ${bad.length > 1 ? 'responders' : 'a responder'} ${bad.slice(0, 10).map((b) => `'${b}'`).join(', ')} that ${owner === null ? 'the platform does not have (a platform schedule pages platform responders only)' : `tenant '${owner}' does not have`}: create them with POST /v1/oncall/responders`
      );
    }
  }

  private async matcher(owner: string | null): Promise<(emails: string[], names: string[]) => string | undefined> {
    const usable = (await this.store.responders(owner)).filter((r) => r.tenant_id === null || r.tenant_id === owner);
    const byEmail = new Map(usable.filter((r) => r.email).map((r) => [(r.email as string).toLowerCase(), r.id]));
    const byName = new Map<string, string>();
    for (const r of usable) {
      byName.set(r.name.trim().toLowerCase(), byName.has(r.name.trim().toLowerCase()) ? '' : r.id);
    }
    return (emails, names) => {
      for (const e of emails) {
        const id = byEmail.get(e);
        if (id) {
          return id;
        }
      }
      for (const n of names) {
        const id = byName.get(n.toLowerCase());
        if (id) {
          return id;
        }
      }
      return undefined;
    };
  }

  private async fetchFeed(url: string): Promise<string> {
    const u = checkTarget(url, { allowPrivate: this.opts.allowPrivate });
    const max = this.opts.maxFeedBytes ?? 2_000_000;
    try {
      await checkResolvedTarget(u, { allowPrivate: this.opts.allowPrivate });
      const res = await fetch(u, { redirect: 'manual', signal: AbortSignal.timeout(this.opts.fetchTimeoutMs ?? 10_000), headers: { accept: 'text/calendar, text/plain;q=0.5' } });
      if (res.status !== 200) {
        throw badRequest('ical_fetch_failed', `fetching the feed answered HTTP ${res.status}${res.status >= 300 && res.status < 400 ? ' (a redirect: give the final URL)' : ''}`);
      }
      const body = await res.text();
      if (body.length > max) {
        throw badRequest('ical_too_large', `the feed is ${body.length} characters: at most ${max}`);
      }
      return body;
    } catch (e) {
      if (e instanceof CaasError) {
        throw e;
      }
      throw badRequest('ical_fetch_failed', `fetching the feed failed: ${clip(e instanceof Error ? e.message : String(e), 200)}`);
    }
  }

  private owner(requested: string | null | undefined, tenant: string | null, what: string): string | null {
    if (tenant !== null && requested !== undefined && requested !== tenant) {
      throw forbidden(`this key belongs to tenant '${tenant}' and cannot write ${what} for ${requested === null ? 'the platform' : `tenant '${clip(requested)}'`}`);
    }
    return tenant ?? requested ?? null;
  }

  private writable(kind: string, o: { id: string; tenant_id: string | null }, tenant: string | null): void {
    if (tenant !== null && o.tenant_id === null) {
      throw forbidden(`'${o.id}' is a platform ${kind}: admins change it; create one for tenant '${tenant}' instead`);
    }
  }

  private async fk<T>(owner: string | null, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (isFk(e)) {
        throw badRequest('unknown_tenant', `tenant '${clip(String(owner))}' does not exist: create it with POST /v1/tenants, or leave tenant_id null for the platform`);
      }
      throw e;
    }
  }
}

const strip = (r: StoredResponder): Responder => ({ id: r.id, name: r.name, tenant_id: r.tenant_id, email: r.email, phone: r.phone, slack_user_id: r.slack_user_id });
