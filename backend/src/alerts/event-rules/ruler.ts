import type { Logger } from 'pino';
import type { AnalyticsService } from '../../analytics/service.js';
import type { TenantRepo } from '../../auth/tenants.js';
import { CaasError } from '../../errors.js';
import type { JobHandler, JobRunner } from '../../jobs/runner.js';
import type { MetadataDb } from '../../store/metadata-db.js';
import type { AlertmanagerClient, PostableAlert } from '../alertmanager/client.js';
import { fingerprint } from '../alertmanager/fingerprint.js';
import { GO_ZERO_TIME, type IncidentIntake, type WebhookAlert, type WebhookPayload } from '../alertmanager/webhook.js';
import { evaluateRule, type SeriesResult } from './evaluate.js';
import { intervalCron } from './interval.js';
import { alertLabels, checkSpec, type CompiledRule, type EventRule } from './model.js';
import { AlertStateRepo, EventRuleRepo, type AlertRow } from './store.js';
import { expandTemplate } from './template.js';

/**
 * The ruler (issue "Alert management", item 1; DESIGN.md data flow 6): evaluates the enabled event rules
 * on the platform's jobs, with Prometheus' alerting semantics (rules/alerting.go):
 *
 * - a series whose condition holds is **pending** from its first evaluation (`active_at`), and **firing**
 *   once it has held for `for` (0s: at once); a pending alert whose condition stops holding is dropped;
 * - a firing alert whose condition stops holding keeps firing for `keep_firing_for`, then is **resolved**;
 * - firing alerts go to Alertmanager (`POST /api/v2/alerts`) at every evaluation of their rule with
 *   `endsAt` = now + 4 × the rule's interval (Prometheus' resend: Alertmanager resolves them by itself if
 *   the ruler stops), a resolved one once, with `endsAt` = when it resolved (again next run until
 *   Alertmanager took it);
 * - without Alertmanager (no ALERTMANAGER_URL) each rule's alerts for one tenant are one group, handed to
 *   the incidents as an Alertmanager webhook payload (version 4) whenever an alert of it fires or resolves.
 *
 * The state of every alert is stored (store.ts), so a restart or another instance carries on. One run at a
 * time: the schedule enqueues one job per tick across instances, and a run holds the ruler's lock.
 */
export const RULER_KIND = 'alerts.ruler';
export const RULER_SCHEDULE = 'alerts.ruler';
/** pg_advisory_lock key of a ruler run (any constant unique among the backend's locks) */
export const RULER_LOCK = 0x72756c72;
/** how long a resolved alert stays listed after it was delivered (Prometheus keeps them 15 minutes) */
export const RESOLVED_RETENTION_MS = 15 * 60_000;
/** alerts per POST to Alertmanager */
const BATCH = 500;

export interface RulerOptions {
  db: MetadataDb;
  tenants: TenantRepo;
  analytics: AnalyticsService;
  alertmanager: AlertmanagerClient | null;
  /** the incidents (alerts/incidents/), when no Alertmanager is configured; read at each run */
  intake: () => IncidentIntake | undefined;
  /** RULER_INTERVAL_SECONDS in ms */
  intervalMs: number;
  /** the backend's address as people reach it (PUBLIC_URL): alerts link back to their rule */
  publicUrl: string;
  log: Logger;
  instanceId: string;
}

export interface RunResult {
  at: number;
  rules_evaluated: number;
  alerts_sent: number;
  error: string | null;
  duration_ms: number;
}

const iso = (ms: number) => new Date(ms).toISOString();
const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** The annotations of an alert: the rule's, with {{ $value }} and {{ $labels.x }} expanded. */
export function alertAnnotations(rule: Pick<EventRule, 'annotations'>, labels: Record<string, string>, value: number | null): Record<string, string> {
  const a = rule.annotations;
  return {
    summary: expandTemplate(a.summary, labels, value),
    ...(a.description ? { description: expandTemplate(a.description, labels, value) } : {}),
    ...(a.runbook_url ? { runbook_url: a.runbook_url } : {}),
  };
}

/**
 * One evaluation's effect on a rule's alerts for one tenant (pure: the ruler stores what it answers).
 * `rows` are the alerts as they now are (new, changed or kept), `removed` the pending ones that vanished.
 */
export function transition(rule: EventRule, c: CompiledRule, tenant: string, existing: readonly AlertRow[], series: readonly SeriesResult[], now: number): { rows: AlertRow[]; removed: AlertRow[] } {
  const byFp = new Map(existing.map((a) => [a.fingerprint, a]));
  const rows: AlertRow[] = [];
  const removed: AlertRow[] = [];
  const seen = new Set<string>();
  for (const s of series) {
    if (!s.active) {
      continue;
    }
    const labels = alertLabels(rule, tenant, s.labels);
    const fp = fingerprint(labels);
    if (seen.has(fp)) {
      continue;
    }
    seen.add(fp);
    const annotations = alertAnnotations(rule, labels, s.value);
    const cur = byFp.get(fp);
    if (!cur || cur.state === 'resolved') {
      const firing = c.forMs === 0;
      rows.push({
        rule_id: rule.id,
        tenant_id: tenant,
        fingerprint: fp,
        labels,
        annotations,
        state: firing ? 'firing' : 'pending',
        value: s.value,
        active_at: iso(now),
        fired_at: firing ? iso(now) : null,
        keep_firing_since: null,
        resolved_at: null,
        last_sent_at: cur?.last_sent_at ?? null,
        delivered: cur?.delivered ?? null,
      });
      continue;
    }
    const next: AlertRow = { ...cur, labels, annotations, value: s.value, keep_firing_since: null };
    if (cur.state === 'pending' && now - Date.parse(cur.active_at) >= c.forMs) {
      next.state = 'firing';
      next.fired_at = iso(now);
    }
    rows.push(next);
  }
  for (const cur of existing) {
    if (seen.has(cur.fingerprint) || cur.state === 'resolved') {
      continue;
    }
    if (cur.state === 'pending') {
      removed.push(cur);
      continue;
    }
    if (c.keepFiringForMs > 0) {
      const since = cur.keep_firing_since ? Date.parse(cur.keep_firing_since) : now;
      if (now - since < c.keepFiringForMs) {
        rows.push({ ...cur, keep_firing_since: iso(since) });
        continue;
      }
    }
    rows.push({ ...cur, state: 'resolved', resolved_at: iso(now), keep_firing_since: null });
  }
  return { rows, removed };
}

/** Resolves alerts whose rule (or its evaluation for that tenant) is gone: firing → resolved, pending → dropped. */
function retire(alerts: readonly AlertRow[], now: number): { rows: AlertRow[]; removed: AlertRow[] } {
  const rows: AlertRow[] = [];
  const removed: AlertRow[] = [];
  for (const a of alerts) {
    if (a.state === 'pending') {
      removed.push(a);
    } else if (a.state === 'firing') {
      rows.push({ ...a, state: 'resolved', resolved_at: iso(now), keep_firing_since: null });
    }
  }
  return { rows, removed };
}

/** The alert as Alertmanager's API v2 takes it. */
export function postable(a: AlertRow, endsAt: number, generatorURL: string): PostableAlert {
  return {
    labels: a.labels,
    annotations: a.annotations,
    startsAt: a.fired_at ?? a.active_at,
    endsAt: a.state === 'resolved' && a.resolved_at ? a.resolved_at : iso(endsAt),
    generatorURL,
  };
}

const sortedEntries = (o: Record<string, string>) => Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

/** Alertmanager's group key syntax: `<route>:{name="value", …}`. */
export function groupKeyOf(route: string, groupLabels: Record<string, string>): string {
  return `${route}:{${sortedEntries(groupLabels)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(', ')}}`;
}

function common(maps: Array<Record<string, string>>): Record<string, string> {
  const [first, ...rest] = maps;
  if (!first) {
    return {};
  }
  return Object.fromEntries(sortedEntries(first).filter(([k, v]) => rest.every((m) => m[k] === v)));
}

/** A webhook payload (version 4) of one group, as Alertmanager would post it to a webhook receiver. */
export function webhookPayload(o: { route: string; receiver: string; groupLabels: Record<string, string>; alerts: WebhookAlert[]; externalURL: string }): WebhookPayload {
  return {
    version: '4',
    groupKey: groupKeyOf(o.route, o.groupLabels),
    truncatedAlerts: 0,
    status: o.alerts.some((a) => a.status === 'firing') ? 'firing' : 'resolved',
    receiver: o.receiver,
    groupLabels: o.groupLabels,
    commonLabels: common(o.alerts.map((a) => a.labels)),
    commonAnnotations: common(o.alerts.map((a) => a.annotations)),
    externalURL: o.externalURL,
    alerts: o.alerts,
  };
}

export function webhookAlert(a: AlertRow, generatorURL: string): WebhookAlert {
  const resolved = a.state === 'resolved';
  return {
    status: resolved ? 'resolved' : 'firing',
    labels: a.labels,
    annotations: a.annotations,
    startsAt: a.fired_at ?? a.active_at,
    endsAt: resolved && a.resolved_at ? a.resolved_at : GO_ZERO_TIME,
    generatorURL,
    fingerprint: a.fingerprint,
  };
}

export class Ruler {
  readonly repo: EventRuleRepo;
  readonly state: AlertStateRepo;
  private readonly log: Logger;
  private chain: Promise<unknown> = Promise.resolve();
  private jobs: JobRunner | null = null;

  constructor(private readonly o: RulerOptions) {
    this.repo = new EventRuleRepo(o.db);
    this.state = new AlertStateRepo(o.db);
    this.log = o.log.child({ component: 'ruler' });
  }

  get intervalMs(): number {
    return this.o.intervalMs;
  }

  get mode(): 'alertmanager' | 'incidents' {
    return this.o.alertmanager ? 'alertmanager' : 'incidents';
  }

  generatorURL(ruleId: string): string {
    return `${this.o.publicUrl.replace(/\/+$/, '')}/v1/alerts/event-rules/${encodeURIComponent(ruleId)}`;
  }

  /** The job the ruler's schedule enqueues. */
  readonly handler: JobHandler = async (ctx) => {
    const r = await this.run(Date.now());
    if (r.rules_evaluated > 0 || r.alerts_sent > 0 || r.error) {
      await ctx.log(`${r.rules_evaluated} rule(s) evaluated, ${r.alerts_sent} alert(s) sent in ${r.duration_ms} ms${r.error ? `; ${r.error}` : ''}`, r.error ? 'warn' : 'info');
    }
    await this.syncSchedule();
  };

  register(jobs: JobRunner): void {
    jobs.register(RULER_KIND, this.handler, { maxAttempts: 1 });
    this.jobs = jobs;
  }

  /**
   * The schedule runs while there is something to evaluate or to resolve (an enabled rule, or alerts
   * left); otherwise it is disabled, so an installation without event rules gets no job a minute.
   */
  async syncSchedule(): Promise<void> {
    if (!this.jobs) {
      return;
    }
    const cron = intervalCron(this.o.intervalMs / 1000);
    if (!cron) {
      throw new Error(`RULER_INTERVAL_SECONDS=${this.o.intervalMs / 1000} has no cron pattern`);
    }
    await this.state.pruneResolved(Date.now() - RESOLVED_RETENTION_MS);
    // resolved alerts already delivered are only shown: they need no run
    const active = (await this.repo.countEnabled()) > 0 || (await this.state.list()).some((a) => a.state !== 'resolved' || a.delivered !== 'resolved');
    await this.jobs.schedules.upsert({ name: RULER_SCHEDULE, cron, timezone: 'UTC', kind: RULER_KIND, enabled: active }, Date.now());
  }

  /**
   * Evaluates every due rule at `now` (all of them with `all`), moves their alerts' states, resolves the
   * alerts of rules that are gone, and sends. One run at a time (in this process and, on the PostgreSQL
   * server, across instances).
   */
  run(now: number, opts: { all?: boolean } = {}): Promise<RunResult> {
    const next = this.chain.then(() => this.o.db.withLock(RULER_LOCK, 'exclusive', () => this.runLocked(now, opts.all ?? false)));
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async runLocked(now: number, all: boolean): Promise<RunResult> {
    const t0 = performance.now();
    const rules = await this.repo.list({ enabledOnly: true });
    const evaluations = new Map((await this.state.evaluations()).map((e) => [e.rule_id, e]));
    const alerts = await this.state.list();
    const byRule = new Map<string, AlertRow[]>();
    for (const a of alerts) {
      byRule.set(a.rule_id, [...(byRule.get(a.rule_id) ?? []), a]);
    }
    const tenants = (await this.o.tenants.list()).map((t) => t.id);
    const current = new Map<string, AlertRow>(alerts.map((a) => [`${a.rule_id}\u0000${a.tenant_id}\u0000${a.fingerprint}`, a]));
    const key = (a: AlertRow) => `${a.rule_id}\u0000${a.tenant_id}\u0000${a.fingerprint}`;
    /** alerts to send to Alertmanager this run, with their endsAt */
    const resend = new Map<string, number>();
    const apply = async (change: { rows: AlertRow[]; removed: AlertRow[] }) => {
      for (const r of change.removed) {
        await this.state.remove(r);
        current.delete(key(r));
      }
      for (const r of change.rows) {
        await this.state.upsert(r);
        current.set(key(r), r);
      }
    };
    let evaluated = 0;
    const enabledIds = new Set(rules.map((r) => r.id));
    for (const rule of rules) {
      let compiled: CompiledRule;
      try {
        compiled = checkSpec(rule, 0);
      } catch (e) {
        await this.state.recordEvaluation({ rule_id: rule.id, at: now, duration_ms: 0, errors: { '*': `the stored rule is not valid any more: ${errorText(e)}` } });
        continue;
      }
      const last = evaluations.get(rule.id);
      const due = all || !last || now - Date.parse(last.evaluated_at) >= compiled.intervalMs - this.o.intervalMs / 2 || now < Date.parse(last.evaluated_at);
      if (!due) {
        continue;
      }
      evaluated++;
      const r0 = performance.now();
      const scope = rule.tenant_id === null ? tenants : tenants.includes(rule.tenant_id) ? [rule.tenant_id] : [];
      const existing = byRule.get(rule.id) ?? [];
      const errors: Record<string, string> = {};
      const validUntil = now + 4 * Math.max(compiled.intervalMs, this.o.intervalMs);
      for (const tenant of scope) {
        const mine = existing.filter((a) => a.tenant_id === tenant);
        try {
          const ev = await evaluateRule(this.o.analytics, rule, compiled, tenant, now);
          await apply(transition(rule, compiled, tenant, mine, ev.series, now));
        } catch (e) {
          // The alerts stay as they were (a query that fails now says nothing about the condition).
          errors[tenant] = errorText(e).slice(0, 1000);
          if (!(e instanceof CaasError)) {
            this.log.warn({ err: e, rule: rule.id, tenant }, 'event rule evaluation failed');
          }
        }
        for (const a of current.values()) {
          if (a.rule_id === rule.id && a.tenant_id === tenant && a.state === 'firing') {
            resend.set(key(a), validUntil);
          }
        }
      }
      // tenants the rule no longer covers (its tenant changed, or the tenant was deleted)
      await apply(retire(existing.filter((a) => !scope.includes(a.tenant_id)), now));
      await this.state.recordEvaluation({ rule_id: rule.id, at: now, duration_ms: performance.now() - r0, errors });
    }
    // alerts of rules that were deleted or disabled
    for (const [ruleId, list] of byRule) {
      if (!enabledIds.has(ruleId)) {
        await apply(retire(list, now));
      }
    }
    await this.state.removeEvaluationsExcept([...enabledIds]);
    let sent = 0;
    let error: string | null = null;
    try {
      sent = this.o.alertmanager ? await this.toAlertmanager(this.o.alertmanager, [...current.values()], resend, key, now) : await this.toIncidents([...current.values()], now);
    } catch (e) {
      error = errorText(e).slice(0, 1000);
      this.log.warn({ err: e }, 'event rule alerts not delivered; the next run tries again');
    }
    await this.state.pruneResolved(now - RESOLVED_RETENTION_MS);
    const result: RunResult = { at: now, rules_evaluated: evaluated, alerts_sent: sent, error, duration_ms: Math.round(performance.now() - t0) };
    await this.state.recordRun({ ...result, instance: this.o.instanceId });
    return result;
  }

  /** Firing alerts of the rules evaluated now, and resolved ones Alertmanager has not taken yet. */
  private async toAlertmanager(am: AlertmanagerClient, alerts: AlertRow[], resend: Map<string, number>, key: (a: AlertRow) => string, now: number): Promise<number> {
    const out: AlertRow[] = [];
    const undelivered: AlertRow[] = [];
    for (const a of alerts) {
      if (a.state === 'firing' && resend.has(key(a))) {
        out.push(a);
      } else if (a.state === 'resolved' && a.delivered !== 'resolved') {
        (a.delivered === null ? undelivered : out).push(a);
      }
    }
    for (let i = 0; i < out.length; i += BATCH) {
      const batch = out.slice(i, i + BATCH);
      await am.postAlerts(batch.map((a) => postable(a, resend.get(key(a)) ?? now, this.generatorURL(a.rule_id))));
      await this.state.delivered(batch, now);
    }
    // resolved before anyone heard of them: nothing to tell
    await this.state.delivered(undelivered, now);
    return out.length;
  }

  /** Each group (rule, tenant) with an alert that fired or resolved since the intake last heard of it. */
  private async toIncidents(alerts: AlertRow[], now: number): Promise<number> {
    const groups = new Map<string, AlertRow[]>();
    for (const a of alerts) {
      if (a.state === 'pending') {
        continue;
      }
      const g = `${a.rule_id}\u0000${a.tenant_id}`;
      groups.set(g, [...(groups.get(g) ?? []), a]);
    }
    let sent = 0;
    const silent: AlertRow[] = [];
    const problems: string[] = [];
    for (const list of groups.values()) {
      const changed = list.some((a) => (a.state === 'firing' ? a.delivered !== 'firing' : a.delivered === 'firing'));
      if (!changed) {
        silent.push(...list.filter((a) => a.state === 'resolved' && a.delivered === null));
        continue;
      }
      const intake = this.o.intake();
      if (!intake) {
        throw new Error('no ALERTMANAGER_URL and no incident intake: event-rule alerts are evaluated but go nowhere (set ALERTMANAGER_URL)');
      }
      const members = list.filter((a) => a.state === 'firing' || a.delivered === 'firing');
      const first = members[0] as AlertRow;
      const payload = webhookPayload({
        route: 'ruler',
        receiver: 'caas-ruler',
        groupLabels: { alertname: first.labels.alertname ?? '', caas_rule_id: first.rule_id, tenant_id: first.tenant_id },
        alerts: members.map((a) => webhookAlert(a, this.generatorURL(a.rule_id))),
        externalURL: this.o.publicUrl,
      });
      try {
        await intake.receive(payload, 'ruler');
        await this.state.delivered(members, now);
        sent += members.length;
      } catch (e) {
        problems.push(`group ${payload.groupKey}: ${errorText(e)}`);
      }
      silent.push(...list.filter((a) => a.state === 'resolved' && a.delivered === null));
    }
    await this.state.delivered(silent, now);
    if (problems.length) {
      throw new Error(`the incident intake refused ${problems.length} group(s): ${problems.join('; ')}`);
    }
    return sent;
  }
}
