import { randomBytes } from 'node:crypto';
import type { AnalyticsService } from '../../analytics/service.js';
import type { TenantRepo } from '../../auth/tenants.js';
import { badRequest, conflict, forbidden, notFound } from '../../errors.js';
import { evaluateRule, type Evaluation } from './evaluate.js';
import { alertLabels, checkSpec, type Comparison, type EventRule, type EventRuleSpec, type QueryRef, type Reducer, type RuleQuery, type Severity, RULE_ID } from './model.js';
import { alertAnnotations, type Ruler } from './ruler.js';
import type { AlertRow, AlertState, RuleEvaluation } from './store.js';

/** What a client sends: the spec with its defaults left out. */
export interface EventRuleInput {
  id?: string | undefined;
  name: string;
  tenant_id?: string | null | undefined;
  window: string;
  queries: Record<string, unknown>;
  condition: { expression?: string | undefined; reducer: Reducer; field?: string | null | undefined; op: Comparison; threshold: number };
  for?: string | undefined;
  keep_firing_for?: string | undefined;
  interval?: string | undefined;
  severity: Severity;
  labels?: Record<string, string> | undefined;
  annotations: { summary: string; description?: string | undefined; runbook_url?: string | null | undefined };
  enabled?: boolean | undefined;
}

export type EventRulePatch = Partial<Omit<EventRuleInput, 'id' | 'annotations' | 'condition'>> & {
  annotations?: Partial<EventRuleInput['annotations']> | undefined;
  condition?: Partial<EventRuleInput['condition']> | undefined;
};

/** The alerts of a rule as a reader sees them. */
export interface AlertView {
  tenant_id: string;
  fingerprint: string;
  state: AlertState;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  value: number | null;
  active_at: string;
  fired_at: string | null;
  resolved_at: string | null;
  keep_firing_since: string | null;
  last_sent_at: string | null;
}

export interface RuleStatus {
  /** the worst state of its alerts the reader sees: firing > pending > inactive */
  state: 'inactive' | 'pending' | 'firing';
  evaluated_at: string | null;
  duration_ms: number | null;
  /** why its evaluation failed, per tenant ('*': for every tenant) */
  errors: Record<string, string>;
  pending: number;
  firing: number;
}

export type EventRuleView = EventRule & { status: RuleStatus };

export interface PreviewSeries {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  value: number;
  inputs: Record<string, number>;
  active: boolean;
}

export interface Preview {
  tenant_id: string;
  from: string;
  to: string;
  samples: Record<string, Array<{ labels: Record<string, string>; value: number | null }>>;
  series: PreviewSeries[];
}

export interface EventRuleServiceOptions {
  tenants: TenantRepo;
  analytics: AnalyticsService;
  ruler: Ruler;
  /** whether a metric rule has this id (a rule id names one rule of either kind) */
  metricRuleExists: (id: string) => Promise<boolean>;
}

const isForeignKeyViolation = (e: unknown) => (e as { code?: unknown }).code === '23503';
/** the tenant a rule for every tenant is checked with when there is no tenant yet */
const NO_TENANT = 'caas-rule-check';

const unknownTenant = (t: string) =>
  badRequest('unknown_tenant', `tenant '${t.slice(0, 80)}' does not exist: create it with POST /v1/tenants, or set tenant_id null for a rule every tenant gets`);

/**
 * Event rules (issue "Alert management", item 1): CRUD with every rule checked by running its queries
 * once (a query the analytics engine refuses is a 400 with its reason), the ruler's state of each, and a
 * preview of what a rule would answer now. Admin keys manage every rule; a tenant-admin key its own
 * tenant's; readers see their tenant's rules and the rules for every tenant, with their own alerts only.
 */
export class EventRuleService {
  constructor(private readonly o: EventRuleServiceOptions) {}

  private get ruler(): Ruler {
    return this.o.ruler;
  }

  /** Rules a reader sees (tenant null: every rule), each with its status. */
  async list(tenant: string | null): Promise<EventRuleView[]> {
    const rules = await this.ruler.repo.list(tenant === null ? {} : { tenant, allTenants: true });
    const ids = rules.map((r) => r.id);
    const [evals, alerts] = await Promise.all([this.ruler.state.evaluations(ids), this.ruler.state.list({ ruleIds: ids, ...(tenant === null ? {} : { tenant }) })]);
    const byId = new Map(evals.map((e) => [e.rule_id, e]));
    return rules.map((r) => ({ ...r, status: statusOf(byId.get(r.id), alerts.filter((a) => a.rule_id === r.id), tenant) }));
  }

  /** One rule a reader may see, with its status and alerts. */
  async get(id: string, tenant: string | null): Promise<EventRuleView & { alerts: AlertView[] }> {
    const r = await this.visible(id, tenant);
    const [evals, alerts] = await Promise.all([this.ruler.state.evaluations([id]), this.ruler.state.list({ ruleIds: [id], ...(tenant === null ? {} : { tenant }) })]);
    return { ...r, status: statusOf(evals[0], alerts, tenant), alerts: alerts.map(alertView) };
  }

  /** A rule that exists and that `tenant` may see, else not found. */
  async visible(id: string, tenant: string | null): Promise<EventRule> {
    const r = RULE_ID.test(id) ? await this.ruler.repo.get(id) : undefined;
    if (!r || (tenant !== null && r.tenant_id !== null && r.tenant_id !== tenant)) {
      throw notFound(`event rule '${id.slice(0, 80)}' not found${tenant ? ` for tenant '${tenant}'` : ''}: list them with GET /v1/alerts/event-rules`);
    }
    return r;
  }

  /** A rule `tenant` may change: its own tenant's (admin: any). */
  private async changeable(id: string, tenant: string | null): Promise<EventRule> {
    const r = await this.visible(id, tenant);
    if (tenant !== null && r.tenant_id !== tenant) {
      throw forbidden(`event rule '${id}' is evaluated for every tenant: only an admin key changes it`);
    }
    return r;
  }

  async create(input: EventRuleInput, tenant: string | null, now = Date.now()): Promise<EventRuleView> {
    const id = input.id ?? `er-${randomBytes(6).toString('hex')}`;
    if (!RULE_ID.test(id)) {
      throw badRequest('invalid_event_rule', `id '${id.slice(0, 80)}' is not valid: 1-63 characters of a-z, 0-9, _ and -, starting with a letter or digit (or leave it out for a generated one)`);
    }
    if (await this.o.metricRuleExists(id)) {
      throw conflict(`'${id}' is the id of a metric rule: rule ids name one rule of either kind, choose another`);
    }
    const spec = await this.check(specOf(input, this.defaultInterval(), tenant), tenant, now);
    const rule = await this.storing(() => this.ruler.repo.insert(id, spec), spec);
    if (!rule) {
      throw conflict(`event rule '${id}' already exists: choose another id, or change it with PUT /v1/alerts/event-rules/${id}`);
    }
    await this.ruler.syncSchedule();
    return this.viewOf(rule, tenant);
  }

  async replace(id: string, input: Omit<EventRuleInput, 'id'>, tenant: string | null, now = Date.now()): Promise<EventRuleView> {
    await this.changeable(id, tenant);
    const spec = await this.check(specOf(input, this.defaultInterval(), tenant), tenant, now);
    return this.updated(id, spec, tenant);
  }

  async patch(id: string, p: EventRulePatch, tenant: string | null, now = Date.now()): Promise<EventRuleView> {
    const cur = await this.changeable(id, tenant);
    const spec: EventRuleSpec = {
      name: p.name ?? cur.name,
      tenant_id: p.tenant_id === undefined ? cur.tenant_id : p.tenant_id,
      window: p.window ?? cur.window,
      queries: (p.queries ?? cur.queries) as EventRuleSpec['queries'],
      condition: {
        expression: p.condition?.expression ?? cur.condition.expression,
        reducer: p.condition?.reducer ?? cur.condition.reducer,
        field: p.condition?.field === undefined ? cur.condition.field : p.condition.field,
        op: p.condition?.op ?? cur.condition.op,
        threshold: p.condition?.threshold ?? cur.condition.threshold,
      },
      for: p.for ?? cur.for,
      keep_firing_for: p.keep_firing_for ?? cur.keep_firing_for,
      interval: p.interval ?? cur.interval,
      severity: p.severity ?? cur.severity,
      labels: p.labels ?? cur.labels,
      annotations: {
        summary: p.annotations?.summary ?? cur.annotations.summary,
        description: p.annotations?.description ?? cur.annotations.description,
        runbook_url: p.annotations?.runbook_url === undefined ? cur.annotations.runbook_url : p.annotations.runbook_url,
      },
      enabled: p.enabled ?? cur.enabled,
    };
    if (tenant !== null && spec.tenant_id !== tenant) {
      throw forbidden(`this key belongs to tenant '${tenant}': its rules stay its own (tenant_id '${tenant}')`);
    }
    return this.updated(id, await this.check(spec, tenant, now), tenant);
  }

  async remove(id: string, tenant: string | null): Promise<{ id: string }> {
    await this.changeable(id, tenant);
    if (!(await this.ruler.repo.remove(id))) {
      throw notFound(`event rule '${id}' not found (deleted meanwhile)`);
    }
    // its firing alerts are resolved at the ruler's next run
    await this.ruler.syncSchedule();
    return { id };
  }

  /** What a rule would answer now for one tenant, without storing it (the editor's preview). */
  async preview(input: EventRuleInput, principalTenant: string | null, tenantToQuery: string | undefined, now = Date.now()): Promise<Preview> {
    const spec = specOf(input, this.defaultInterval(), principalTenant);
    if (principalTenant !== null && spec.tenant_id !== null && spec.tenant_id !== principalTenant) {
      throw forbidden(`this key belongs to tenant '${principalTenant}' and cannot preview rules of tenant '${spec.tenant_id}'`);
    }
    if (principalTenant !== null && tenantToQuery !== undefined && tenantToQuery !== principalTenant) {
      throw forbidden(`this key belongs to tenant '${principalTenant}' and cannot preview with tenant '${tenantToQuery}'s events`);
    }
    const compiled = checkSpec(spec, this.ruler.intervalMs);
    const tenant = principalTenant ?? spec.tenant_id ?? tenantToQuery ?? (await this.o.tenants.list())[0]?.id;
    if (tenant === undefined) {
      throw badRequest('tenant_required', 'there is no tenant to preview this rule with: create one (POST /v1/tenants)');
    }
    if (spec.tenant_id !== null && tenantToQuery !== undefined && tenantToQuery !== spec.tenant_id) {
      throw badRequest('invalid_event_rule', `the rule is tenant '${spec.tenant_id}'s: preview it with that tenant (or leave tenant out)`);
    }
    if (!(await this.o.tenants.get(tenant))) {
      throw unknownTenant(tenant);
    }
    const ev = await evaluateRule(this.o.analytics, spec, compiled, tenant, now);
    return previewOf(ev, { ...spec, id: 'preview' });
  }

  private defaultInterval(): string {
    return `${this.ruler.intervalMs / 1000}s`;
  }

  private async updated(id: string, spec: EventRuleSpec, tenant: string | null): Promise<EventRuleView> {
    const rule = await this.storing(() => this.ruler.repo.update(id, spec), spec);
    if (!rule) {
      throw notFound(`event rule '${id}' not found (deleted meanwhile): list them with GET /v1/alerts/event-rules`);
    }
    await this.ruler.syncSchedule();
    return this.viewOf(rule, tenant);
  }

  private async viewOf(rule: EventRule, tenant: string | null): Promise<EventRuleView> {
    const [evals, alerts] = await Promise.all([this.ruler.state.evaluations([rule.id]), this.ruler.state.list({ ruleIds: [rule.id], ...(tenant === null ? {} : { tenant }) })]);
    return { ...rule, status: statusOf(evals[0], alerts, tenant) };
  }

  private async storing<T>(fn: () => Promise<T>, spec: EventRuleSpec): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (isForeignKeyViolation(e)) {
        throw unknownTenant(spec.tenant_id ?? '');
      }
      throw e;
    }
  }

  /**
   * Every check a rule passes before it is stored: its fields, who may own it, its tenant, and one run
   * of its queries and condition (for a rule of every tenant: with the first tenant).
   */
  private async check(spec: EventRuleSpec, tenant: string | null, now: number): Promise<EventRuleSpec> {
    if (tenant !== null && spec.tenant_id !== tenant) {
      throw forbidden(
        spec.tenant_id === null
          ? 'a rule for every tenant (tenant_id null) is the platform\'s: it needs an admin key'
          : `this key belongs to tenant '${tenant}' and cannot make rules for tenant '${spec.tenant_id}'`
      );
    }
    const compiled = checkSpec(spec, this.ruler.intervalMs);
    if (spec.tenant_id !== null && !(await this.o.tenants.get(spec.tenant_id))) {
      throw unknownTenant(spec.tenant_id);
    }
    const runAs = spec.tenant_id ?? (await this.o.tenants.list())[0]?.id ?? NO_TENANT;
    await evaluateRule(this.o.analytics, spec, compiled, runAs, now);
    return spec;
  }
}

function specOf(input: Omit<EventRuleInput, 'id'>, interval: string, tenant: string | null): EventRuleSpec {
  const c = input.condition;
  const refs = Object.keys(input.queries ?? {});
  return {
    name: input.name,
    tenant_id: input.tenant_id === undefined ? tenant : input.tenant_id,
    window: input.window,
    queries: (input.queries ?? {}) as Partial<Record<QueryRef, RuleQuery>>,
    condition: {
      expression: c.expression ?? (refs.length === 1 ? (refs[0] as string) : 'A'),
      reducer: c.reducer,
      field: c.field ?? null,
      op: c.op,
      threshold: c.threshold,
    },
    for: input.for ?? '0s',
    keep_firing_for: input.keep_firing_for ?? '0s',
    interval: input.interval ?? interval,
    severity: input.severity,
    labels: input.labels ?? {},
    annotations: { summary: input.annotations.summary, description: input.annotations.description ?? '', runbook_url: input.annotations.runbook_url ?? null },
    enabled: input.enabled ?? true,
  };
}

export function alertView(a: AlertRow): AlertView {
  return {
    tenant_id: a.tenant_id,
    fingerprint: a.fingerprint,
    state: a.state,
    labels: a.labels,
    annotations: a.annotations,
    value: a.value,
    active_at: a.active_at,
    fired_at: a.fired_at,
    resolved_at: a.resolved_at,
    keep_firing_since: a.keep_firing_since,
    last_sent_at: a.last_sent_at,
  };
}

export function statusOf(e: RuleEvaluation | undefined, alerts: readonly AlertRow[], tenant: string | null): RuleStatus {
  const firing = alerts.filter((a) => a.state === 'firing').length;
  const pending = alerts.filter((a) => a.state === 'pending').length;
  const errors = Object.fromEntries(Object.entries(e?.errors ?? {}).filter(([t]) => tenant === null || t === tenant || t === '*'));
  return {
    state: firing > 0 ? 'firing' : pending > 0 ? 'pending' : 'inactive',
    evaluated_at: e?.evaluated_at ?? null,
    duration_ms: e?.duration_ms ?? null,
    errors,
    pending,
    firing,
  };
}

function previewOf(ev: Evaluation, rule: EventRuleSpec & { id: string }): Preview {
  return {
    tenant_id: ev.tenant,
    from: new Date(ev.from).toISOString(),
    to: new Date(ev.to).toISOString(),
    samples: Object.fromEntries(Object.entries(ev.samples).map(([k, v]) => [k, v ?? []])),
    series: ev.series.map((s) => {
      const labels = alertLabels(rule, ev.tenant, s.labels);
      return { labels, annotations: alertAnnotations(rule, labels, s.value), value: s.value, inputs: s.inputs, active: s.active };
    }),
  };
}
