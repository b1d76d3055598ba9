import type { Logger } from 'pino';
import type { Principal } from '../../auth/keys.js';
import { badRequest, CaasError, conflict, notFound } from '../../errors.js';
import { RetryLater, type JobContext, type JobRunner } from '../../jobs/runner.js';
import type { MetadataDb, Queryable } from '../../store/metadata-db.js';
import type { IncidentIntake, WebhookPayload } from '../alertmanager/webhook.js';
import { describeTarget, EscalationPolicyRepo, ScopedPolicies, type EscalationPolicy, type Notifier, type PageTarget } from './escalation.js';
import { checkNotification, INCIDENT_ID, parseRfc3339, storable, type Actor, type CheckedNotification, type IncidentState, type Via } from './model.js';
import {
  addEvent,
  alertsOf,
  applyNotification,
  getIncident,
  listIncidents,
  lockGroup,
  timelineOf,
  type AlertRow,
  type Applied,
  type EventRow,
  type IncidentRow,
} from './store.js';

export const INCIDENT_APPLY_KIND = 'incidents.apply';
export const INCIDENT_ESCALATE_KIND = 'incidents.escalate';
export const INCIDENT_REMIND_KIND = 'incidents.remind';
export const INCIDENT_SNOOZE_END_KIND = 'incidents.snooze_end';

export const SNOOZE_MAX_MINUTES = 7 * 24 * 60;
export const POSTMORTEM_MAX = 100_000;

/** What the webhook answers: the stored notification, whether it repeated the group's last one, and the incidents it touched. */
export interface Accepted {
  notification_id: string;
  duplicate: boolean;
  /** false when storing succeeded but applying failed: a job applies it later (the log says why) */
  applied: boolean;
  incidents: string[];
}

export interface IncidentView extends Omit<IncidentRow, 'seq' | 'escalation_policy_id' | 'escalation_generation' | 'escalation_next_pass' | 'escalation_next_step' | 'escalation_next_at' | 'escalation_job_id' | 'postmortem' | 'postmortem_at' | 'postmortem_by'> {
  postmortem: { text: string; updated_at: string; by: Actor | null } | null;
  escalation: {
    policy_id: string | null;
    /** running: a next step is due; stopped: acknowledged, snoozed or resolved; finished: the last step ran; none: no policy */
    state: 'running' | 'stopped' | 'finished' | 'none';
    next: { pass: number; step: number; at: string } | null;
  };
}

export interface IncidentDetail extends IncidentView {
  alerts: AlertRow[];
  timeline: EventRow[];
}

export interface IncidentPage {
  incidents: IncidentView[];
  /** pass as `cursor` for the next (older) page; null on the last */
  next_cursor: string | null;
}

export interface ListQuery {
  state?: IncidentState;
  states?: IncidentState[];
  severity?: string;
  since?: string;
  cursor?: string;
  limit?: number;
}

export interface IncidentServiceOptions {
  db: MetadataDb;
  jobs: JobRunner;
  log: Logger;
  notifier: Notifier;
}

type Action = 'acknowledge' | 'unacknowledge' | 'resolve' | 'snooze';

interface EscalatePayload {
  incident_id: string;
  generation: number;
  pass: number;
  step: number;
}

/**
 * Incidents (issue "Alert management", backend item 3) and their escalation (item 4). Alertmanager's webhook and,
 * without Alertmanager, the ruler hand notifications to `receive`: each is stored whole before anything else (the
 * answer acknowledges it), then applied to the incidents under its group's lock; a notification that repeats the
 * group's last one only counts a repeat. Actions (acknowledge, unacknowledge, resolve, snooze, post-mortem) say who
 * did them in the timeline; escalation steps, snooze ends and reminders run as jobs that re-check the incident, so an
 * acknowledge stops every page that was not yet decided.
 */
export class IncidentService implements IncidentIntake {
  readonly policies: EscalationPolicyRepo;
  /** the policies as the API's keys see them */
  readonly scopedPolicies: ScopedPolicies;
  private readonly log: Logger;

  constructor(private readonly o: IncidentServiceOptions) {
    this.policies = new EscalationPolicyRepo(o.db);
    this.scopedPolicies = new ScopedPolicies(this.policies, o.db);
    this.log = o.log.child({ component: 'incidents' });
  }

  /** Registers the job kinds (before the runner starts). */
  register(jobs: JobRunner): void {
    jobs.register<{ group_key?: unknown }>(INCIDENT_APPLY_KIND, async (ctx) => {
      if (typeof ctx.payload.group_key !== 'string') {
        return;
      }
      await this.applyPending(ctx.payload.group_key);
    });
    jobs.register<EscalatePayload>(INCIDENT_ESCALATE_KIND, (ctx) => this.escalate(ctx));
    jobs.register<{ incident_id: string; generation: number }>(INCIDENT_REMIND_KIND, (ctx) => this.remind(ctx));
    jobs.register<{ incident_id: string; until: string }>(INCIDENT_SNOOZE_END_KIND, (ctx) => this.snoozeEnd(ctx));
  }

  /**
   * At start: the default policy on a fresh database; notifications stored but never applied (a crash between the
   * answer and the apply) are applied; triggered incidents whose escalation never started get it started.
   */
  async start(): Promise<void> {
    if (await this.policies.seed()) {
      this.log.info('default escalation policy (the seed ladder) stored');
    }
    const groups = await this.o.db.query<{ group_key: string }>(`SELECT DISTINCT group_key FROM alert_notifications WHERE applied_at IS NULL`);
    for (const g of groups) {
      await this.o.jobs.enqueue({ kind: INCIDENT_APPLY_KIND, payload: { group_key: g.group_key }, dedupKey: `apply:${g.group_key.slice(0, 150)}` });
    }
    const stalled = await this.o.db.query<{ id: string }>(
      `SELECT id FROM incidents WHERE state = 'triggered' AND escalation_policy_id IS NOT NULL AND escalation_next_at IS NULL AND escalation_generation = 0
         AND NOT EXISTS (SELECT 1 FROM incident_events e WHERE e.incident_id = incidents.id AND e.kind IN ('page', 'escalation'))`
    );
    for (const s of stalled) {
      await this.startEscalation(s.id).catch((e: unknown) => this.log.warn({ err: e, incident: s.id }, 'starting the escalation failed'));
    }
  }

  /** The intake the ruler calls (IncidentIntake): the same path as Alertmanager's webhook. */
  async receive(payload: WebhookPayload, via: Via): Promise<void> {
    await this.accept(payload, via);
  }

  /**
   * Stores a notification (durably: it is committed before this returns) and applies it. A notification equal to
   * its group's last one (Alertmanager's repeat_interval, or a retry of one we answered too late) counts a repeat.
   * Throws a 400-kind CaasError naming the field when the payload is not a v4 notification one can act on.
   */
  async accept(payload: WebhookPayload, via: Via): Promise<Accepted> {
    const n = checkNotification(payload);
    const stored = await this.o.db.transaction(async (tx) => {
      await lockGroup(tx, n.groupKey);
      const last = (
        await tx.query<{ id: string; digest: string; applied: boolean }>(
          `SELECT id::text AS id, digest, applied_at IS NOT NULL AS applied FROM alert_notifications WHERE group_key = $1 ORDER BY id DESC LIMIT 1`,
          [n.groupKey]
        )
      )[0];
      if (last?.digest === n.digest) {
        await tx.query(`UPDATE alert_notifications SET repeats = repeats + 1, last_received_at = now() WHERE id = $1`, [last.id]);
        return { id: last.id, duplicate: true, applied: last.applied };
      }
      const row = (
        await tx.query<{ id: string }>(
          `INSERT INTO alert_notifications (group_key, via, receiver, status, digest, payload) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id::text AS id`,
          [n.groupKey, via, n.receiver, n.status, n.digest, JSON.stringify(payload)]
        )
      )[0];
      if (!row) {
        throw new CaasError('internal', 'internal', 'the notification was not stored');
      }
      return { id: row.id, duplicate: false, applied: false };
    });
    if (stored.duplicate) {
      const ids = await this.o.db.query<{ id: string }>(`SELECT DISTINCT incident_id AS id FROM incident_events WHERE notification_id = $1`, [stored.id]);
      return { notification_id: stored.id, duplicate: true, applied: stored.applied, incidents: ids.map((r) => r.id) };
    }
    try {
      const incidents = await this.applyPending(n.groupKey, stored.id);
      return { notification_id: stored.id, duplicate: false, applied: true, incidents };
    } catch (e) {
      // Stored, so acknowledged: a job applies it (retried with backoff), and the next start looks again.
      this.log.error({ err: e, notification: stored.id }, 'applying a stored notification failed; a job retries it');
      await this.o.db.query(`UPDATE alert_notifications SET apply_error = $2 WHERE id = $1`, [stored.id, storable(String((e as Error).message ?? e)).slice(0, 2000)]).catch(() => undefined);
      await this.o.jobs
        .enqueue({ kind: INCIDENT_APPLY_KIND, payload: { group_key: n.groupKey }, dedupKey: `apply:${n.groupKey.slice(0, 150)}` })
        .catch((err: unknown) => this.log.error({ err, notification: stored.id }, 'enqueueing the apply job failed; the next start applies it'));
      return { notification_id: stored.id, duplicate: false, applied: false, incidents: [] };
    }
  }

  /** Applies every stored, unapplied notification of a group in the order received; the incidents that `id` touched. */
  private async applyPending(groupKey: string, id?: string): Promise<string[]> {
    const results: Array<{ id: string; applied: Applied }> = [];
    await this.o.db.transaction(async (tx) => {
      await lockGroup(tx, groupKey);
      const pending = await tx.query<{ id: string; via: Via; payload: string }>(
        `SELECT id::text AS id, via, payload FROM alert_notifications WHERE group_key = $1 AND applied_at IS NULL ORDER BY id`,
        [groupKey]
      );
      for (const p of pending) {
        let n: CheckedNotification;
        try {
          n = checkNotification(JSON.parse(p.payload) as WebhookPayload);
        } catch (e) {
          // checked when it was received: only a change of the checks can get here
          await tx.query(`UPDATE alert_notifications SET applied_at = now(), apply_error = $2 WHERE id = $1`, [p.id, `not applied: ${(e as Error).message}`.slice(0, 2000)]);
          continue;
        }
        const applied = await applyNotification(tx, p.id, n, p.via, (tenant) => this.policies.defaultFor(tx, tenant));
        await tx.query(`UPDATE alert_notifications SET applied_at = now(), apply_error = NULL WHERE id = $1`, [p.id]);
        results.push({ id: p.id, applied });
      }
    });
    for (const r of results) {
      for (const inc of r.applied.opened) {
        await this.startEscalation(inc).catch((e: unknown) => this.log.warn({ err: e, incident: inc }, 'starting the escalation failed; the next start tries again'));
      }
      for (const inc of r.applied.resolved) {
        await this.cancelJobs(inc);
        const row = await getIncident(this.o.db, inc);
        if (row) {
          await this.tell(row, 'resolve');
        }
      }
    }
    const mine = results.find((r) => r.id === id)?.applied;
    return mine ? [...new Set([...mine.opened, ...mine.touched, ...mine.resolved])] : [];
  }

  // ---- reading ----

  async list(tenant: string | null, q: ListQuery): Promise<IncidentPage> {
    const limit = q.limit ?? 50;
    let since: number | undefined;
    if (q.since !== undefined) {
      since = parseRfc3339(q.since);
      if (since === undefined) {
        throw badRequest('invalid_since', `since '${q.since.slice(0, 40)}' is not an RFC 3339 instant (e.g. 2024-05-01T00:00:00Z)`);
      }
    }
    if (q.cursor !== undefined && !/^[1-9][0-9]{0,17}$/.test(q.cursor)) {
      throw badRequest('invalid_cursor', `cursor '${q.cursor.slice(0, 40)}' is not one this API gave: pass next_cursor of the previous page as it is`);
    }
    const rows = await listIncidents(this.o.db, {
      tenant,
      states: q.states ?? (q.state ? [q.state] : undefined),
      severity: q.severity,
      since,
      before: q.cursor,
      limit: limit + 1,
    });
    const page = rows.slice(0, limit);
    return { incidents: page.map(view), next_cursor: rows.length > limit ? (page[page.length - 1]?.seq ?? null) : null };
  }

  /** Incidents with their alerts (GET /monitoring/alerts). */
  async listWithAlerts(tenant: string | null, q: ListQuery): Promise<{ incidents: Array<IncidentView & { alerts: AlertRow[] }>; next_cursor: string | null }> {
    const page = await this.list(tenant, q);
    const alerts = await alertsOf(this.o.db, page.incidents.map((i) => i.id));
    return { incidents: page.incidents.map((i) => ({ ...i, alerts: alerts.get(i.id) ?? [] })), next_cursor: page.next_cursor };
  }

  async get(id: string, tenant: string | null): Promise<IncidentDetail> {
    const row = await this.visible(this.o.db, id, tenant);
    const [alerts, timeline] = await Promise.all([alertsOf(this.o.db, [id]), timelineOf(this.o.db, id)]);
    return { ...view(row), alerts: alerts.get(id) ?? [], timeline };
  }

  /** The incident if `tenant` (null: every tenant) may see it; a 404 otherwise, never a 403 that would say it exists. */
  private async visible(q: Queryable, id: string, tenant: string | null, lock = false): Promise<IncidentRow> {
    const row = INCIDENT_ID.test(id) ? await getIncident(q, id, lock) : undefined;
    if (!row || (tenant !== null && row.tenant_id !== tenant)) {
      throw notFound(`incident '${id.slice(0, 80)}' not found${tenant ? ` for tenant '${tenant}'` : ''}: list incidents with GET /v1/incidents`);
    }
    return row;
  }

  // ---- actions ----

  /** Who a principal is, for the timeline: the key's id and name, or the signed link. */
  async actorOf(p: Principal): Promise<Actor> {
    if (p.keyId.startsWith('link:')) {
      return { type: 'link', id: p.keyId.slice(5), name: null };
    }
    const rows = await this.o.db.query<{ name: string }>(`SELECT name FROM api_keys WHERE id = $1`, [p.keyId]);
    return { type: 'key', id: p.keyId, name: rows[0]?.name || null };
  }

  async act(id: string, tenant: string | null, action: Action, actor: Actor, opts: { minutes?: number } = {}): Promise<IncidentDetail> {
    if (action === 'snooze') {
      const m = opts.minutes;
      if (m === undefined || !Number.isInteger(m) || m < 1 || m > SNOOZE_MAX_MINUTES) {
        throw badRequest('invalid_snooze', `minutes must be a whole number from 1 to ${SNOOZE_MAX_MINUTES} (a week)`);
      }
    }
    const after = await this.o.db.transaction(async (tx) => {
      const inc = await this.visible(tx, id, tenant, true);
      const by = JSON.stringify(actor);
      const who = actor.name ?? actor.id ?? actor.type;
      const stop = `escalation_generation = escalation_generation + 1, escalation_next_pass = NULL, escalation_next_step = NULL, escalation_next_at = NULL, escalation_job_id = NULL`;
      if (inc.state === 'resolved' && action !== 'resolve') {
        throw conflict(`incident '${id}' was resolved at ${inc.resolved_at ?? '?'}: nothing to ${action} (the group's next firing alert opens a new incident)`);
      }
      switch (action) {
        case 'acknowledge':
          if (inc.state === 'acknowledged' && inc.snoozed_until === null) {
            return { changed: false, inc, job: null };
          }
          await tx.query(`UPDATE incidents SET state = 'acknowledged', acknowledged_at = now(), acknowledged_by = $2::jsonb, snoozed_until = NULL, updated_at = now(), ${stop} WHERE id = $1`, [id, by]);
          await addEvent(tx, id, { kind: 'acknowledged', actor, message: `acknowledged by ${who}${inc.snoozed_until ? ' (the snooze ends with it)' : ''}: no further pages` });
          break;
        case 'unacknowledge':
          if (inc.state !== 'acknowledged') {
            throw conflict(`incident '${id}' is ${inc.state}, not acknowledged: nothing to unacknowledge`);
          }
          await tx.query(`UPDATE incidents SET state = 'triggered', acknowledged_at = NULL, acknowledged_by = NULL, snoozed_until = NULL, updated_at = now(), ${stop} WHERE id = $1`, [id]);
          await addEvent(tx, id, { kind: 'unacknowledged', actor, message: `unacknowledged by ${who}: triggered again, the escalation starts over` });
          break;
        case 'resolve':
          if (inc.state === 'resolved') {
            return { changed: false, inc, job: null };
          }
          await tx.query(`UPDATE incidents SET state = 'resolved', resolved_at = now(), resolved_by = $2::jsonb, snoozed_until = NULL, updated_at = now(), ${stop} WHERE id = $1`, [id, by]);
          await addEvent(tx, id, { kind: 'resolved', actor, message: `resolved by ${who}` });
          break;
        case 'snooze': {
          const minutes = opts.minutes as number;
          await tx.query(
            `UPDATE incidents SET state = 'acknowledged', acknowledged_at = COALESCE(acknowledged_at, now()), acknowledged_by = COALESCE(acknowledged_by, $2::jsonb),
               snoozed_until = now() + make_interval(mins => $3::integer), updated_at = now(), ${stop} WHERE id = $1`,
            [id, by, minutes]
          );
          await addEvent(tx, id, { kind: 'snoozed', actor, message: `snoozed by ${who} for ${minutes} minute(s): no pages until then, then triggered again`, detail: { minutes } });
          break;
        }
      }
      return { changed: true, inc: (await getIncident(tx, id)) as IncidentRow, job: inc.escalation_job_id };
    });
    if (after.changed) {
      if (after.job) {
        await this.cancelJob(after.job);
      }
      await this.afterAction(action, after.inc);
    }
    return this.get(id, tenant);
  }

  /** Tells the notifier (PagerDuty channels) that an incident was acknowledged or resolved; a failure is logged, never thrown. */
  private async tell(inc: IncidentRow, action: 'acknowledge' | 'resolve'): Promise<void> {
    if (!this.o.notifier.onStateChange) {
      return;
    }
    try {
      await this.o.notifier.onStateChange({
        incident: { id: inc.id, tenant_id: inc.tenant_id, title: inc.title, severity: inc.severity, state: inc.state, runbook_url: inc.runbook_url, service: inc.service },
        action,
        key: action === 'resolve' ? `incident:${inc.id}:state:resolve` : `incident:${inc.id}:state:${action}:${inc.escalation_generation}`,
      });
    } catch (e) {
      this.log.warn({ err: e, incident: inc.id, action }, 'telling the channels about an incident action failed');
    }
  }

  private async afterAction(action: Action, inc: IncidentRow): Promise<void> {
    if (action === 'acknowledge' || action === 'snooze' || action === 'resolve') {
      await this.tell(inc, action === 'resolve' ? 'resolve' : 'acknowledge');
    }
    try {
      if (action === 'unacknowledge') {
        await this.startEscalation(inc.id);
      } else if (action === 'snooze' && inc.snoozed_until) {
        await this.o.jobs.enqueue({
          kind: INCIDENT_SNOOZE_END_KIND,
          tenantId: inc.tenant_id,
          payload: { incident_id: inc.id, until: inc.snoozed_until },
          runAfter: Date.parse(inc.snoozed_until),
          dedupKey: `snooze:${inc.id}:${inc.snoozed_until}`,
        });
      } else if (action === 'acknowledge') {
        const policy = inc.escalation_policy_id ? await this.policies.get(this.o.db, inc.escalation_policy_id) : undefined;
        if (policy?.reminder_minutes) {
          await this.o.jobs.enqueue({
            kind: INCIDENT_REMIND_KIND,
            tenantId: inc.tenant_id,
            payload: { incident_id: inc.id, generation: inc.escalation_generation },
            runAfter: Date.now() + policy.reminder_minutes * 60_000,
            dedupKey: `remind:${inc.id}:${inc.escalation_generation}`,
          });
        }
      }
    } catch (e) {
      this.log.error({ err: e, incident: inc.id, action }, 'the follow-up job of an incident action was not enqueued');
    }
  }

  async postmortem(id: string, tenant: string | null, text: string, actor: Actor): Promise<IncidentDetail> {
    if (text.length > POSTMORTEM_MAX) {
      throw badRequest('postmortem_too_long', `the post-mortem note is ${text.length} characters: at most ${POSTMORTEM_MAX}; link a longer document instead`);
    }
    const clean = storable(text);
    await this.o.db.transaction(async (tx) => {
      const inc = await this.visible(tx, id, tenant, true);
      await tx.query(`UPDATE incidents SET postmortem = $2, postmortem_at = now(), postmortem_by = $3::jsonb, updated_at = now() WHERE id = $1`, [id, clean === '' ? null : clean, JSON.stringify(actor)]);
      await addEvent(tx, id, {
        kind: 'postmortem',
        actor,
        message: clean === '' ? `post-mortem note removed by ${actor.name ?? actor.id}` : `post-mortem note ${inc.postmortem ? 'changed' : 'written'} by ${actor.name ?? actor.id} (${clean.length} characters)`,
      });
    });
    return this.get(id, tenant);
  }

  // ---- escalation ----

  /** Starts the incident's policy from its first step (a new incident, unacknowledge, the end of a snooze). */
  async startEscalation(id: string): Promise<void> {
    const inc = await getIncident(this.o.db, id);
    if (!inc || inc.state !== 'triggered') {
      return;
    }
    const policy = inc.escalation_policy_id ? await this.policies.get(this.o.db, inc.escalation_policy_id) : undefined;
    if (!policy) {
      await addEvent(this.o.db, id, {
        kind: 'escalation',
        actor: SYSTEM,
        message: inc.escalation_policy_id ? `escalation policy '${inc.escalation_policy_id}' no longer exists: nobody is paged` : 'no escalation policy applies (no default for this tenant or the platform): nobody is paged',
        onceKey: `nopolicy:${inc.escalation_generation}`,
      });
      return;
    }
    await this.scheduleStep(inc, policy, 0, 0, (policy.steps[0]?.wait_minutes ?? 0) * 60_000);
  }

  private async scheduleStep(inc: IncidentRow, policy: EscalationPolicy, pass: number, step: number, waitMs: number): Promise<void> {
    const at = Date.now() + waitMs;
    const gen = inc.escalation_generation;
    const marked = await this.o.db.query(
      `UPDATE incidents SET escalation_next_pass = $3, escalation_next_step = $4, escalation_next_at = $5::timestamptz WHERE id = $1 AND escalation_generation = $2 AND state = 'triggered' RETURNING id`,
      [inc.id, gen, pass, step, new Date(at).toISOString()]
    );
    if (marked.length === 0) {
      return; // acknowledged, resolved or restarted meanwhile
    }
    const job = await this.o.jobs.enqueue({
      kind: INCIDENT_ESCALATE_KIND,
      tenantId: inc.tenant_id,
      payload: { incident_id: inc.id, generation: gen, pass, step } satisfies EscalatePayload,
      runAfter: at,
      dedupKey: `esc:${inc.id}:${gen}:${pass}:${step}`,
    });
    const still = await this.o.db.query(`UPDATE incidents SET escalation_job_id = $3 WHERE id = $1 AND escalation_generation = $2 RETURNING id`, [inc.id, gen, job.id]);
    if (still.length === 0) {
      await this.cancelJob(job.id); // acknowledged between the two statements
    }
    void policy;
  }

  /** One step of a policy: pages its targets unless the incident was acknowledged, snoozed or resolved meanwhile. */
  private async escalate(ctx: JobContext<EscalatePayload>): Promise<void> {
    const { incident_id: id, generation, pass, step } = ctx.payload;
    const decided = await this.o.db.transaction(async (tx) => {
      const inc = await getIncident(tx, id, true);
      if (!inc || inc.state !== 'triggered' || inc.escalation_generation !== generation) {
        return null;
      }
      const policy = inc.escalation_policy_id ? await this.policies.get(tx, inc.escalation_policy_id) : undefined;
      const s = policy?.steps[step];
      if (!policy || !s) {
        return null;
      }
      // The decision to page is recorded under the incident's row lock: an acknowledge either came first (and this
      // step does nothing) or waits for this transaction (and stops every later step).
      for (const [i, target] of s.targets.entries()) {
        await addEvent(tx, id, {
          kind: 'page',
          actor: SYSTEM,
          message: `step ${step + 1}${pass > 0 ? ` (repeat ${pass})` : ''} of ${policy.name}: paging ${describeTarget(target)}${s.important ? ' (important)' : ''}`,
          detail: { policy_id: policy.id, pass, step, target, important: s.important },
          onceKey: `page:${generation}:${pass}:${step}:${i}`,
        });
      }
      return { inc, policy, s };
    });
    if (!decided) {
      await ctx.log('the incident was acknowledged, resolved or restarted: this step pages nobody');
      return;
    }
    const { inc, policy, s } = decided;
    for (const [i, target] of s.targets.entries()) {
      await this.deliverPage(inc, target, s.important, 'escalation', `page:${generation}:${pass}:${step}:${i}`);
    }
    let next: { pass: number; step: number; waitMs: number } | null = null;
    if (step + 1 < policy.steps.length) {
      next = { pass, step: step + 1, waitMs: (policy.steps[step + 1]?.wait_minutes ?? 0) * 60_000 };
    } else if (pass < policy.repeat.times) {
      next = { pass: pass + 1, step: 0, waitMs: (policy.repeat.after_minutes + (policy.steps[0]?.wait_minutes ?? 0)) * 60_000 };
    }
    if (next) {
      await this.scheduleStep(inc, policy, next.pass, next.step, next.waitMs);
    } else {
      await this.o.db.query(
        `UPDATE incidents SET escalation_next_pass = NULL, escalation_next_step = NULL, escalation_next_at = NULL, escalation_job_id = NULL WHERE id = $1 AND escalation_generation = $2`,
        [id, generation]
      );
      await addEvent(this.o.db, id, { kind: 'escalation', actor: SYSTEM, message: `${policy.name}: the last step ran; nobody else is paged`, onceKey: `done:${generation}` });
    }
  }

  /** Hands a decided page to the notifier once (a retry finds its outcome recorded) and records what became of it. */
  private async deliverPage(inc: IncidentRow, target: PageTarget, important: boolean, reason: 'escalation' | 'reminder', onceKey: string): Promise<void> {
    const ev = (await this.o.db.query<{ id: string; detail: unknown }>(`SELECT id::text AS id, detail FROM incident_events WHERE incident_id = $1 AND once_key = $2`, [inc.id, onceKey]))[0];
    const detail = typeof ev?.detail === 'string' ? (JSON.parse(ev.detail) as Record<string, unknown>) : ((ev?.detail ?? {}) as Record<string, unknown>);
    if (!ev || detail.outcome !== undefined) {
      return;
    }
    const outcome = await this.o.notifier.page({
      incident: { id: inc.id, tenant_id: inc.tenant_id, title: inc.title, severity: inc.severity, state: inc.state, runbook_url: inc.runbook_url, service: inc.service },
      target,
      important,
      reason,
      key: `incident:${inc.id}:${onceKey}`,
    });
    await this.o.db.query(`UPDATE incident_events SET delivery_id = $2, detail = detail || $3::jsonb WHERE id = $1`, [ev.id, outcome.delivery_id, JSON.stringify({ outcome })]);
  }

  private async remind(ctx: JobContext<{ incident_id: string; generation: number }>): Promise<void> {
    const { incident_id: id, generation } = ctx.payload;
    const inc = await this.o.db.transaction(async (tx) => {
      const i = await getIncident(tx, id, true);
      if (!i || i.state !== 'acknowledged' || i.escalation_generation !== generation || i.snoozed_until !== null || !i.acknowledged_by) {
        return null;
      }
      await addEvent(tx, id, {
        kind: 'reminder',
        actor: SYSTEM,
        message: `reminding ${describeTarget({ type: 'acknowledger', actor: i.acknowledged_by })}: acknowledged at ${i.acknowledged_at ?? '?'} and still not resolved`,
        detail: { target: { type: 'acknowledger', actor: i.acknowledged_by } },
        onceKey: `remind:${generation}`,
      });
      return i;
    });
    if (inc?.acknowledged_by) {
      await this.deliverPage(inc, { type: 'acknowledger', actor: inc.acknowledged_by }, false, 'reminder', `remind:${generation}`);
    }
  }

  private async snoozeEnd(ctx: JobContext<{ incident_id: string; until: string }>): Promise<void> {
    const { incident_id: id, until } = ctx.payload;
    const wait = Date.parse(until) - Date.now();
    if (wait > 0) {
      throw new RetryLater('the snooze has not ended yet', wait);
    }
    const ended = await this.o.db.transaction(async (tx) => {
      const inc = await getIncident(tx, id, true);
      if (!inc || inc.state !== 'acknowledged' || inc.snoozed_until !== until) {
        return false; // acknowledged, resolved or snoozed again meanwhile
      }
      await tx.query(
        `UPDATE incidents SET state = 'triggered', acknowledged_at = NULL, acknowledged_by = NULL, snoozed_until = NULL, updated_at = now(),
           escalation_generation = escalation_generation + 1 WHERE id = $1`,
        [id]
      );
      await addEvent(tx, id, { kind: 'snooze_ended', actor: SYSTEM, message: 'the snooze ended: triggered again, the escalation starts over' });
      return true;
    });
    if (ended) {
      await this.startEscalation(id);
    }
  }

  private async cancelJobs(id: string): Promise<void> {
    const inc = await getIncident(this.o.db, id);
    if (inc?.escalation_job_id) {
      await this.cancelJob(inc.escalation_job_id);
    }
  }

  private async cancelJob(jobId: string): Promise<void> {
    await this.o.jobs.cancel(jobId, null).catch(() => undefined); // finished already, or never there: the step re-checks anyway
  }
}

const SYSTEM: Actor = { type: 'system', id: null, name: 'caas-observatory' };

/** An incident as the API shows it. */
export function view(r: IncidentRow): IncidentView {
  const {
    seq: _seq,
    escalation_policy_id,
    escalation_generation: _gen,
    escalation_next_pass,
    escalation_next_step,
    escalation_next_at,
    escalation_job_id: _job,
    postmortem,
    postmortem_at,
    postmortem_by,
    ...rest
  } = r;
  const next = escalation_next_at !== null && escalation_next_pass !== null && escalation_next_step !== null ? { pass: Number(escalation_next_pass), step: Number(escalation_next_step), at: escalation_next_at } : null;
  return {
    ...rest,
    postmortem: postmortem === null ? null : { text: postmortem, updated_at: postmortem_at ?? r.updated_at, by: postmortem_by },
    escalation: {
      policy_id: escalation_policy_id,
      state: escalation_policy_id === null ? 'none' : next && r.state === 'triggered' ? 'running' : r.state === 'triggered' ? 'finished' : 'stopped',
      next: r.state === 'triggered' ? next : null,
    },
  };
}
