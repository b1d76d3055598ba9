import { Type, type Static } from '@sinclair/typebox';
import { ErrorBody, TenantId } from './common.js';

/**
 * Event rules (issue "Alert management", item 1): conditions over the platform's analytics events,
 * evaluated by the backend's ruler. CRUD under /v1/alerts/event-rules (admin: every rule; tenant-admin:
 * its tenant's; every reader sees its tenant's and the rules for every tenant, with its own alerts only),
 * POST /v1/alerts/event-rules/preview (what a rule answers now).
 */
const Severity = Type.Union([Type.Literal('critical'), Type.Literal('warning'), Type.Literal('info')]);
const RuleId = Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,62}$', description: 'rule id, e.g. msg-send-failures (generated when left out)' });
const Name = Type.String({ minLength: 1, maxLength: 128, description: 'the alert name (alertname), e.g. MessageSendFailures' });
const Duration = (description: string) => Type.String({ minLength: 1, maxLength: 40, description });
const Labels = Type.Record(Type.String({ maxLength: 128 }), Type.String({ maxLength: 1000 }), {
  maxProperties: 32,
  description: 'more labels of its alerts (routing, grouping); alertname, severity, tenant_id, caas_rule_id and test are set by the ruler; service defaults to caas-events',
});
const TenantOrNull = Type.Union([TenantId, Type.Null()], {
  description: "the tenant it watches; null: every tenant, each evaluated on its own (its alerts carry each tenant's id). Tenant keys: their own (the default)",
});

const Query = Type.Object(
  { kind: Type.String({ minLength: 1, maxLength: 40, description: 'an analytics query kind: timeseries, top_n, funnel, …' }) },
  {
    additionalProperties: true,
    description: 'an analytics query as POST /v1/analytics/query takes it, without tenant_id, from and to (the rule sets them: the tenant, and the last `window`)',
  }
);
const Queries = Type.Record(Type.String({ maxLength: 20 }), Query, {
  minProperties: 1,
  maxProperties: 5,
  description: 'the queries, named A to E, e.g. {"A": {"kind": "timeseries", "metric": {"type": "events"}, "event_types": ["message_failed"]}, "B": {…}}',
});

const Reducer = Type.Union([Type.Literal('last'), Type.Literal('avg'), Type.Literal('min'), Type.Literal('max'), Type.Literal('sum'), Type.Literal('count')], {
  description: 'turns each series (or a table\'s value column) into one number: last, avg, min, max, sum or count (sum and count of nothing are 0)',
});
const Op = Type.Union([Type.Literal('>'), Type.Literal('>='), Type.Literal('<'), Type.Literal('<='), Type.Literal('=='), Type.Literal('!=')], {
  description: 'how the value compares with the threshold when the condition holds',
});

const ConditionIn = Type.Object(
  {
    expression: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: "arithmetic over the reduced queries, e.g. A / B; default: the only query's name" })),
    reducer: Reducer,
    field: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 200 }), Type.Null()], { description: "the number field to reduce (e.g. events, 'unique users', count); default: every series, or a table's first number column" })),
    op: Op,
    threshold: Type.Number(),
  },
  { additionalProperties: false }
);

const AnnotationsIn = Type.Object(
  {
    summary: Type.String({ minLength: 1, maxLength: 4000, description: 'one line; {{ $value }}, {{ $value | humanizePercentage }} and {{ $labels.tenant_id }} are expanded' }),
    description: Type.Optional(Type.String({ maxLength: 4000 })),
    runbook_url: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 2048, description: 'an http(s) link to the runbook' }), Type.Null()])),
  },
  { additionalProperties: false }
);

const ruleFields = {
  name: Name,
  tenant_id: Type.Optional(TenantOrNull),
  window: Duration('how far back each evaluation looks: 5m, 15m, 1h (10s to 31d)'),
  queries: Queries,
  condition: ConditionIn,
  for: Type.Optional(Duration('how long the condition must hold before the alert fires (default 0s: at once)')),
  keep_firing_for: Type.Optional(Duration('how long a firing alert keeps firing once the condition stops holding (default 0s)')),
  interval: Type.Optional(Duration('how often it is evaluated (default and minimum: RULER_INTERVAL_SECONDS)')),
  severity: Severity,
  labels: Type.Optional(Labels),
  annotations: AnnotationsIn,
  enabled: Type.Optional(Type.Boolean({ description: 'default true; a disabled rule is not evaluated and its alerts resolve' })),
};

export const CreateEventRuleBody = Type.Object({ id: Type.Optional(RuleId), ...ruleFields }, { additionalProperties: false });
export type CreateEventRuleBody = Static<typeof CreateEventRuleBody>;
export const ReplaceEventRuleBody = Type.Object(ruleFields, { additionalProperties: false });
export const PatchEventRuleBody = Type.Object(
  {
    name: Type.Optional(Name),
    tenant_id: Type.Optional(TenantOrNull),
    window: Type.Optional(ruleFields.window),
    queries: Type.Optional(Queries),
    condition: Type.Optional(Type.Partial(ConditionIn, { additionalProperties: false })),
    for: Type.Optional(Duration('e.g. 5m')),
    keep_firing_for: Type.Optional(Duration('e.g. 10m')),
    interval: Type.Optional(Duration('e.g. 1m')),
    severity: Type.Optional(Severity),
    labels: Type.Optional(Labels),
    annotations: Type.Optional(Type.Partial(AnnotationsIn, { additionalProperties: false })),
    enabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 }
);
export const PreviewEventRuleBody = Type.Object(
  { ...ruleFields, id: Type.Optional(RuleId), preview_tenant_id: Type.Optional(TenantId) },
  { additionalProperties: false, description: 'a rule as POST /v1/alerts/event-rules takes it; preview_tenant_id: whose events a rule of every tenant is previewed with (default: the first tenant)' }
);

const LabelMap = Type.Record(Type.String(), Type.String());
const Iso = Type.String({ description: 'RFC 3339 / ISO 8601 time' });
const IsoOrNull = Type.Union([Iso, Type.Null()]);

export const RuleStatus = Type.Object(
  {
    state: Type.Union([Type.Literal('inactive'), Type.Literal('pending'), Type.Literal('firing')], { description: 'the worst state of its alerts (that this key sees)' }),
    evaluated_at: IsoOrNull,
    duration_ms: Type.Union([Type.Number(), Type.Null()]),
    errors: Type.Record(Type.String(), Type.String(), { description: "why its last evaluation failed, per tenant ('*': for every tenant)" }),
    pending: Type.Integer(),
    firing: Type.Integer(),
  },
  { description: "the ruler's last evaluation of the rule and its alerts now" }
);

export const EventRule = Type.Object({
  id: Type.String(),
  name: Type.String(),
  tenant_id: Type.Union([Type.String(), Type.Null()]),
  window: Type.String(),
  queries: Type.Record(Type.String(), Type.Record(Type.String(), Type.Unknown())),
  condition: Type.Object({ expression: Type.String(), reducer: Type.String(), field: Type.Union([Type.String(), Type.Null()]), op: Type.String(), threshold: Type.Number() }),
  for: Type.String(),
  keep_firing_for: Type.String(),
  interval: Type.String(),
  severity: Severity,
  labels: LabelMap,
  annotations: Type.Object({ summary: Type.String(), description: Type.String(), runbook_url: Type.Union([Type.String(), Type.Null()]) }),
  enabled: Type.Boolean(),
  created_at: Iso,
  updated_at: Iso,
  status: RuleStatus,
});

export const RuleAlert = Type.Object({
  tenant_id: Type.String(),
  fingerprint: Type.String({ description: "Alertmanager's fingerprint of its labels" }),
  state: Type.Union([Type.Literal('pending'), Type.Literal('firing'), Type.Literal('resolved')]),
  labels: LabelMap,
  annotations: LabelMap,
  value: Type.Union([Type.Number(), Type.Null()]),
  active_at: Iso,
  fired_at: IsoOrNull,
  resolved_at: IsoOrNull,
  keep_firing_since: IsoOrNull,
  last_sent_at: IsoOrNull,
});

export const EventRuleDetail = Type.Intersect([EventRule, Type.Object({ alerts: Type.Array(RuleAlert) })]);
export const EventRuleList = Type.Object({ rules: Type.Array(EventRule) });
export const EventRuleDeleted = Type.Object({ id: Type.String() });
export const EventRuleIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });
export const EventRuleListQuery = Type.Object({ tenant_id: Type.Optional(TenantId) }, { additionalProperties: false });

export const EventRulePreview = Type.Object({
  tenant_id: Type.String(),
  from: Iso,
  to: Iso,
  samples: Type.Record(Type.String(), Type.Array(Type.Object({ labels: LabelMap, value: Type.Union([Type.Number(), Type.Null()]) })), {
    description: "each query's series, reduced",
  }),
  series: Type.Array(
    Type.Object({
      labels: LabelMap,
      annotations: LabelMap,
      value: Type.Number({ description: "the expression's value" }),
      inputs: Type.Record(Type.String(), Type.Number()),
      active: Type.Boolean({ description: 'whether the condition holds (the alert would be pending, or firing when `for` is 0s)' }),
    })
  ),
});

export const EventRuleErrors = { 409: ErrorBody, 503: ErrorBody, 504: ErrorBody };
