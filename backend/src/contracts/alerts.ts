import { Type, type Static } from '@sinclair/typebox';
import { ErrorBody, TenantId } from './common.js';

/**
 * Alert management (issue "Alert management"): metric rules (PromQL, evaluated by Prometheus from the
 * rule file the backend renders). CRUD under /v1/alerts/metric-rules (admin writes; admin and viewer
 * read), the rule file at GET /v1/alerts/rules.yml, the seed's GET /monitoring/rules (tenant-scoped).
 */
const Severity = Type.Union([Type.Literal('critical'), Type.Literal('warning'), Type.Literal('info')]);
const RuleId = Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,62}$', description: 'rule id, e.g. std-error-rate' });
const Name = Type.String({ minLength: 1, maxLength: 128, description: 'the alert name (alertname), e.g. HighErrorRate' });
const Group = Type.String({ minLength: 1, maxLength: 100, description: 'the Prometheus rule group, e.g. caas-api (default caas-custom)' });
const Expr = Type.String({ minLength: 1, maxLength: 10_000, description: 'PromQL; every series it returns is an alert. Checked by Prometheus\' own parser (promtool)' });
const For = Type.String({ minLength: 1, maxLength: 40, description: 'how long the expression must hold before the alert fires, e.g. 5m (default 0s)' });
const Labels = Type.Record(Type.String({ maxLength: 128 }), Type.String({ maxLength: 1000 }), {
  maxProperties: 32,
  description: 'more labels of its alerts; severity, tenant_id and caas_rule_id come from the rule',
});
const TenantOrNull = Type.Union([TenantId, Type.Null()], { description: 'the tenant whose alerts these are (its id becomes the tenant_id label); null: a platform rule' });

const AnnotationsIn = Type.Object(
  {
    summary: Type.String({ minLength: 1, maxLength: 4000, description: 'one line; Prometheus templates such as {{ $labels.job }} and {{ $value }} are expanded' }),
    description: Type.Optional(Type.String({ maxLength: 4000 })),
    runbook_url: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 2048, description: 'an http(s) link to the runbook' }), Type.Null()])),
  },
  { additionalProperties: false }
);

const ruleFields = {
  name: Name,
  tenant_id: Type.Optional(TenantOrNull),
  group: Type.Optional(Group),
  expr: Expr,
  for: Type.Optional(For),
  severity: Severity,
  labels: Type.Optional(Labels),
  annotations: AnnotationsIn,
  enabled: Type.Optional(Type.Boolean({ description: 'default true; a disabled rule stays stored but leaves the rule file' })),
};

export const CreateMetricRuleBody = Type.Object({ id: Type.Optional(RuleId), ...ruleFields }, { additionalProperties: false });
export type CreateMetricRuleBody = Static<typeof CreateMetricRuleBody>;
export const ReplaceMetricRuleBody = Type.Object(ruleFields, { additionalProperties: false });
export type ReplaceMetricRuleBody = Static<typeof ReplaceMetricRuleBody>;
export const PatchMetricRuleBody = Type.Object(
  {
    name: Type.Optional(Name),
    tenant_id: Type.Optional(TenantOrNull),
    group: Type.Optional(Group),
    expr: Type.Optional(Expr),
    for: Type.Optional(For),
    severity: Type.Optional(Severity),
    labels: Type.Optional(Labels),
    annotations: Type.Optional(Type.Partial(AnnotationsIn, { additionalProperties: false })),
    enabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 }
);
export type PatchMetricRuleBody = Static<typeof PatchMetricRuleBody>;

export const MetricRule = Type.Object({
  id: Type.String(),
  name: Type.String(),
  tenant_id: Type.Union([Type.String(), Type.Null()]),
  group: Type.String(),
  expr: Type.String(),
  for: Type.String(),
  severity: Severity,
  labels: Type.Record(Type.String(), Type.String()),
  annotations: Type.Object({ summary: Type.String(), description: Type.String(), runbook_url: Type.Union([Type.String(), Type.Null()]) }),
  enabled: Type.Boolean(),
  origin: Type.Union([Type.Literal('standard'), Type.Literal('custom')], { description: 'standard: shipped with the standard pack' }),
  created_at: Type.String(),
  updated_at: Type.String(),
});
export type MetricRule = Static<typeof MetricRule>;

export const PrometheusSync = Type.Object(
  {
    state: Type.Union([Type.Literal('disabled'), Type.Literal('written'), Type.Literal('reloaded'), Type.Literal('failed')], {
      description: 'disabled: PROMETHEUS_RULES_DIR is not set; written: the file only (no PROMETHEUS_URL to reload); reloaded: Prometheus loaded it; failed: see message',
    }),
    file: Type.Union([Type.String(), Type.Null()]),
    message: Type.Union([Type.String(), Type.Null()]),
    at: Type.String(),
  },
  { description: 'the last hand-over of the rule file to Prometheus' }
);

export const MetricRuleList = Type.Object({
  rules: Type.Array(MetricRule),
  prometheus: Type.Union([PrometheusSync, Type.Null()], { description: "this instance's last hand-over to Prometheus (null before the first)" }),
});
export const MetricRuleWrite = Type.Object({ rule: MetricRule, prometheus: PrometheusSync });
export const MetricRuleDeleted = Type.Object({ id: Type.String(), prometheus: PrometheusSync });
export const MetricRuleIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });
export const MetricRuleErrors = { 409: ErrorBody, 503: ErrorBody, 504: ErrorBody };

/** GET /monitoring/rules: the rules that concern a tenant (its own and the platform's), of both kinds. */
export const MonitoringRule = Type.Object({
  id: Type.String(),
  kind: Type.Union([Type.Literal('metric'), Type.Literal('event')], {
    description: "metric: PromQL evaluated by Prometheus; event: a condition over the analytics events evaluated by the backend's ruler",
  }),
  name: Type.String(),
  tenant_id: Type.Union([Type.String(), Type.Null()], { description: 'null: a platform metric rule, or an event rule evaluated for every tenant' }),
  severity: Severity,
  enabled: Type.Boolean(),
  group: Type.String({ description: "metric rules: the Prometheus rule group; event rules: 'event-rules'" }),
  condition: Type.String({ description: 'metric rules: the PromQL expression; event rules: the expression, comparison, reducer and window' }),
  for: Type.String(),
  summary: Type.String(),
  runbook_url: Type.Union([Type.String(), Type.Null()]),
  state: Type.Union([Type.Literal('inactive'), Type.Literal('pending'), Type.Literal('firing'), Type.Null()], {
    description: "the worst state of its alerts this key sees; metric rules: as Prometheus (PROMETHEUS_URL) has it, null when it is not known",
  }),
  last_evaluation: Type.Union([Type.String(), Type.Null()]),
  error: Type.Union([Type.String(), Type.Null()], { description: 'why its last evaluation failed (for this key\'s tenant)' }),
});
export const MonitoringRules = Type.Object({ rules: Type.Array(MonitoringRule) });
export const MonitoringRulesQuery = Type.Object({ tenant_id: Type.Optional(TenantId) }, { additionalProperties: false });
