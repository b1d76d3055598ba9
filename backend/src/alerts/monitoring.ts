import { CaasError, forbidden, notFound, badRequest } from '../errors.js';
import type { PostableAlert } from './alertmanager/client.js';
import type { AlertmanagerService } from './alertmanager/service.js';
import type { IncidentIntake, WebhookPayload } from './alertmanager/webhook.js';
import type { JobRunner } from '../jobs/runner.js';
import type { NewJob } from '../jobs/store.js';
import { alertLabels, type EventRule } from './event-rules/model.js';
import { alertAnnotations, webhookPayload, type Ruler } from './event-rules/ruler.js';
import { expandTemplate } from './event-rules/template.js';
import { fingerprint } from './alertmanager/fingerprint.js';
import { ruleLabels, type MetricRule } from './metric-rules/model.js';
import type { MetricRuleService } from './metric-rules/service.js';

/**
 * The seed's `POST /monitoring/test/:ruleId` and `GET /monitoring/status` (issue "Alert management",
 * items 1 and 7), tenant-scoped.
 *
 * A test fire sends one real alert of a rule, of either kind, down the real path: to Alertmanager (its
 * routes, grouping, receivers) with the rule's labels plus `test="true"`, the summary prefixed "[TEST]"
 * and a short `endsAt`, so Alertmanager resolves it by itself; without Alertmanager, to the incidents as
 * the ruler hands them its alerts. No condition is evaluated.
 */
export const TEST_ALERT_MS = 5 * 60_000;
export const TEST_PREFIX = '[TEST] ';

export interface TestFire {
  rule_id: string;
  kind: 'metric' | 'event';
  via: 'alertmanager' | 'incidents';
  fingerprint: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
}

type SeverityCounts = { critical: number; warning: number; info: number; other: number };

export interface MonitoringStatus {
  ruler: {
    mode: 'alertmanager' | 'incidents';
    interval_seconds: number;
    last_run: { at: string; duration_ms: number; rules_evaluated: number; alerts_sent: number; error: string | null } | null;
    rules: { enabled: number; failing: number };
    errors: Array<{ rule_id: string; tenant_id: string | null; message: string; at: string }>;
  };
  alertmanager: { configured: boolean; reachable: boolean | null; version: string | null; cluster: string | null; peers: number | null; error: string | null };
  prometheus: { configured: boolean; reachable: boolean | null; version: string | null; error: string | null };
  alerts: { source: 'alertmanager' | 'ruler'; firing: SeverityCounts; suppressed: number; pending: number };
}

/** Without Alertmanager, a test alert's resolved notification is handed to the incidents at its endsAt, by this job. */
export const TEST_RESOLVE_KIND = 'alerts.test-resolve';

export interface MonitoringOptions {
  /** enqueues the resolved notification of a test alert sent without Alertmanager (register() handles it) */
  jobs?: { enqueue(job: NewJob): Promise<{ id: string; created: boolean }> };
  metricRules: MetricRuleService;
  ruler: Ruler;
  alertmanager: AlertmanagerService;
  intake: () => IncidentIntake | undefined;
  prometheusUrl: string | undefined;
  publicUrl: string;
}

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

function counts(severities: string[]): SeverityCounts {
  const c: SeverityCounts = { critical: 0, warning: 0, info: 0, other: 0 };
  for (const s of severities) {
    if (s === 'critical' || s === 'warning' || s === 'info') {
      c[s]++;
    } else {
      c.other++;
    }
  }
  return c;
}

export class Monitoring {
  constructor(private readonly o: MonitoringOptions) {}

  /**
   * The job that resolves a test alert sent without Alertmanager: as Alertmanager resolves one whose endsAt passed,
   * so a test incident does not stay open for ever.
   */
  register(jobs: JobRunner): void {
    jobs.register<{ payload: WebhookPayload }>(TEST_RESOLVE_KIND, async (ctx) => {
      const intake = this.o.intake();
      if (intake && ctx.payload && typeof ctx.payload.payload === 'object') {
        await intake.receive(ctx.payload.payload, 'ruler');
      }
    });
  }

  /**
   * Test-fires a rule. Tenant keys: their own tenant's rules and the event rules of every tenant (the
   * alert then carries their tenant); a platform metric rule pages the operators, so only admins test it.
   */
  async testFire(ruleId: string, tenant: string | null, opts: { kind?: 'metric' | 'event' | undefined; tenant_id?: string | undefined } = {}, now = Date.now()): Promise<TestFire> {
    if (tenant !== null && opts.tenant_id !== undefined && opts.tenant_id !== tenant) {
      throw forbidden(`this key belongs to tenant '${tenant}' and cannot act for tenant '${opts.tenant_id}'`);
    }
    const [metric, event] = await Promise.all([
      opts.kind === 'event' ? undefined : this.o.metricRules.repo.get(ruleId).catch(() => undefined),
      opts.kind === 'metric' ? undefined : this.o.ruler.repo.get(ruleId).catch(() => undefined),
    ]);
    const visibleMetric = metric && (tenant === null || metric.tenant_id === tenant || metric.tenant_id === null) ? metric : undefined;
    const visibleEvent = event && (tenant === null || event.tenant_id === tenant || event.tenant_id === null) ? event : undefined;
    if (visibleMetric && visibleEvent) {
      throw badRequest('ambiguous_rule', `'${ruleId}' names a metric rule and an event rule: add ?kind=metric or ?kind=event`);
    }
    if (!visibleMetric && !visibleEvent) {
      throw notFound(`rule '${ruleId.slice(0, 80)}' not found${tenant ? ` for tenant '${tenant}'` : ''}: list them with GET /monitoring/rules`);
    }
    const alertTenant = tenant ?? opts.tenant_id ?? null;
    let labels: Record<string, string>;
    let annotations: Record<string, string>;
    let kind: 'metric' | 'event';
    if (visibleMetric) {
      if (tenant !== null && visibleMetric.tenant_id === null) {
        throw forbidden(`'${ruleId}' is a platform metric rule: its alerts page the platform's operators, so only an admin key test-fires it`);
      }
      kind = 'metric';
      ({ labels, annotations } = metricTest(visibleMetric));
    } else {
      kind = 'event';
      const rule = visibleEvent as EventRule;
      const t = rule.tenant_id ?? alertTenant;
      if (rule.tenant_id !== null && opts.tenant_id !== undefined && opts.tenant_id !== rule.tenant_id) {
        throw badRequest('invalid_tenant', `event rule '${ruleId}' is tenant '${rule.tenant_id}'s: leave tenant_id out`);
      }
      labels = { ...alertLabels(rule, t, {}), test: 'true' };
      annotations = alertAnnotations(rule, labels, rule.condition.threshold);
    }
    labels = Object.fromEntries(Object.entries({ ...labels, test: 'true' }).sort(([a], [b]) => (a < b ? -1 : 1)));
    annotations = { ...annotations, summary: `${TEST_PREFIX}${annotations.summary ?? ''}` };
    const startsAt = new Date(now).toISOString();
    const endsAt = new Date(now + TEST_ALERT_MS).toISOString();
    const generatorURL = kind === 'event' ? this.o.ruler.generatorURL(ruleId) : `${this.o.publicUrl.replace(/\/+$/, '')}/v1/alerts/metric-rules/${encodeURIComponent(ruleId)}`;
    const fp = fingerprint(labels);
    const result = { rule_id: ruleId, kind, fingerprint: fp, labels, annotations, startsAt, endsAt };
    if (this.o.alertmanager.client) {
      const alert: PostableAlert = { labels, annotations, startsAt, endsAt, generatorURL };
      await this.o.alertmanager.client.postAlerts([alert]);
      return { ...result, via: 'alertmanager' };
    }
    const intake = this.o.intake();
    if (!intake) {
      throw new CaasError('unavailable', 'alertmanager_not_configured', 'there is nowhere to send a test alert: set ALERTMANAGER_URL (alerts then take its routes and receivers)', undefined, 60);
    }
    const payload = webhookPayload({
      route: 'ruler-test',
      receiver: 'caas-ruler',
      groupLabels: { alertname: labels.alertname ?? '', caas_rule_id: ruleId, ...(labels.tenant_id ? { tenant_id: labels.tenant_id } : {}), test: 'true' },
      alerts: [{ status: 'firing', labels, annotations, startsAt, endsAt, generatorURL, fingerprint: fp }],
      externalURL: this.o.publicUrl,
    });
    await intake.receive(payload, 'ruler');
    if (this.o.jobs) {
      const resolved: WebhookPayload = { ...payload, status: 'resolved', alerts: payload.alerts.map((a) => ({ ...a, status: 'resolved' as const, endsAt })) };
      await this.o.jobs.enqueue({ kind: TEST_RESOLVE_KIND, payload: { payload: resolved }, tenantId: labels.tenant_id ?? null, runAfter: now + TEST_ALERT_MS, dedupKey: `test-resolve:${fp}:${startsAt}` });
    }
    return { ...result, via: 'incidents' };
  }

  async status(tenant: string | null): Promise<MonitoringStatus> {
    const [run, rules, evals, alerts, am, prom] = await Promise.all([
      this.o.ruler.state.lastRun(),
      this.o.ruler.repo.list({ enabledOnly: true, ...(tenant === null ? {} : { tenant, allTenants: true }) }),
      this.o.ruler.state.evaluations(),
      this.o.ruler.state.list(tenant === null ? {} : { tenant }),
      this.alertmanagerStatus(tenant),
      this.prometheusStatus(),
    ]);
    const ruleIds = new Set(rules.map((r) => r.id));
    const errors: MonitoringStatus['ruler']['errors'] = [];
    for (const e of evals) {
      if (!ruleIds.has(e.rule_id)) {
        continue;
      }
      for (const [t, message] of Object.entries(e.errors)) {
        if (tenant === null || t === tenant || t === '*') {
          errors.push({ rule_id: e.rule_id, tenant_id: t === '*' ? null : t, message, at: e.evaluated_at });
        }
      }
    }
    const firingRows = alerts.filter((a) => a.state === 'firing');
    return {
      ruler: {
        mode: this.o.ruler.mode,
        interval_seconds: this.o.ruler.intervalMs / 1000,
        last_run: run
          ? {
              at: run.run_at,
              duration_ms: run.duration_ms,
              rules_evaluated: run.rules_evaluated,
              alerts_sent: run.alerts_sent,
              // the reason may name other tenants' groups
              error: run.error === null ? null : tenant === null ? run.error : 'the last run could not deliver every alert (an admin key sees why)',
            }
          : null,
        rules: { enabled: rules.length, failing: new Set(errors.map((e) => e.rule_id)).size },
        errors,
      },
      alertmanager: am.status,
      prometheus: prom,
      alerts: am.alerts ?? {
        source: 'ruler',
        firing: counts(firingRows.map((a) => a.labels.severity ?? '')),
        suppressed: 0,
        pending: alerts.filter((a) => a.state === 'pending').length,
      },
    };
  }

  private async alertmanagerStatus(tenant: string | null): Promise<{ status: MonitoringStatus['alertmanager']; alerts: MonitoringStatus['alerts'] | null }> {
    const svc = this.o.alertmanager;
    if (!svc.client) {
      return { status: { configured: false, reachable: null, version: null, cluster: null, peers: null, error: null }, alerts: null };
    }
    try {
      const [s, alerts] = await Promise.all([svc.client.status(), svc.alerts(tenant)]);
      const active = alerts.filter((a) => a.status.state === 'active');
      return {
        status: { configured: true, reachable: true, version: s.versionInfo.version, cluster: s.cluster.status, peers: s.cluster.peers?.length ?? 0, error: null },
        alerts: { source: 'alertmanager', firing: counts(active.map((a) => a.labels.severity ?? '')), suppressed: alerts.filter((a) => a.status.state === 'suppressed').length, pending: 0 },
      };
    } catch (e) {
      return { status: { configured: true, reachable: false, version: null, cluster: null, peers: null, error: errorText(e) }, alerts: null };
    }
  }

  /**
   * The state of the metric rules as Prometheus evaluates them (GET /api/v1/rules, matched by their
   * caas_rule_id label), counting only `tenant`'s alerts for a tenant; empty when Prometheus is not
   * configured or does not answer (the rules then show no state).
   */
  async metricRuleStates(tenant: string | null): Promise<Map<string, { state: 'inactive' | 'pending' | 'firing'; last_evaluation: string | null; error: string | null }>> {
    const out = new Map<string, { state: 'inactive' | 'pending' | 'firing'; last_evaluation: string | null; error: string | null }>();
    const url = this.o.prometheusUrl;
    if (!url) {
      return out;
    }
    type PromRule = { labels?: Record<string, string>; health?: string; lastError?: string; lastEvaluation?: string; alerts?: Array<{ labels: Record<string, string>; state: string }> };
    let groups: Array<{ rules: PromRule[] }>;
    try {
      const res = await fetch(new URL('api/v1/rules?type=alert', url.endsWith('/') ? url : `${url}/`), { signal: AbortSignal.timeout(5000) });
      if (!res.ok) {
        return out;
      }
      groups = ((await res.json()) as { data?: { groups?: Array<{ rules: PromRule[] }> } }).data?.groups ?? [];
    } catch {
      return out;
    }
    const rank = { inactive: 0, pending: 1, firing: 2 } as const;
    for (const g of groups) {
      for (const r of g.rules) {
        const id = r.labels?.caas_rule_id;
        if (!id) {
          continue;
        }
        const alerts = (r.alerts ?? []).filter((a) => tenant === null || r.labels?.tenant_id === tenant || a.labels.tenant_id === tenant);
        let state: 'inactive' | 'pending' | 'firing' = out.get(id)?.state ?? 'inactive';
        for (const a of alerts) {
          if ((a.state === 'firing' || a.state === 'pending') && rank[a.state] > rank[state]) {
            state = a.state;
          }
        }
        out.set(id, { state, last_evaluation: r.lastEvaluation ?? null, error: r.health === 'err' ? (r.lastError ?? 'evaluation failed') : null });
      }
    }
    return out;
  }

  private async prometheusStatus(): Promise<MonitoringStatus['prometheus']> {
    const url = this.o.prometheusUrl;
    if (!url) {
      return { configured: false, reachable: null, version: null, error: null };
    }
    const at = new URL('api/v1/status/buildinfo', url.endsWith('/') ? url : `${url}/`);
    try {
      const res = await fetch(at, { signal: AbortSignal.timeout(5000) });
      if (!res.ok) {
        return { configured: true, reachable: false, version: null, error: `GET ${at.pathname} answered ${res.status}: is PROMETHEUS_URL a Prometheus?` };
      }
      const body = (await res.json()) as { data?: { version?: string } };
      return { configured: true, reachable: true, version: body.data?.version ?? null, error: null };
    } catch (e) {
      const cause = (e as { cause?: { code?: string } }).cause;
      return { configured: true, reachable: false, version: null, error: `Prometheus (PROMETHEUS_URL=${url}) did not answer (${cause?.code ?? errorText(e)}): is it running?` };
    }
  }
}

/** A metric rule's test alert: its labels as Prometheus would give them, and its annotations with what templates can be filled. */
function metricTest(r: MetricRule): { labels: Record<string, string>; annotations: Record<string, string> } {
  const labels = { alertname: r.name, ...ruleLabels(r) };
  return {
    labels,
    annotations: {
      summary: expandTemplate(r.annotations.summary, labels, null),
      ...(r.annotations.description ? { description: expandTemplate(r.annotations.description, labels, null) } : {}),
      ...(r.annotations.runbook_url ? { runbook_url: r.annotations.runbook_url } : {}),
    },
  };
}
