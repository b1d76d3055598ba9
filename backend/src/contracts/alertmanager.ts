import { Type } from '@sinclair/typebox';
import { ErrorBody, TenantId } from './common.js';

/**
 * Alertmanager as the app sees it (issue "Alert management", item 2), in Alertmanager's own shapes (API v2,
 * camelCase as it answers): status with the inhibition rules, alerts, groups, silences. Tenant keys see
 * their tenant's alerts and silences only. 503 `alertmanager_not_configured` without ALERTMANAGER_URL.
 * Also the seed's POST /monitoring/test/:ruleId and GET /monitoring/status.
 */
const LabelMap = Type.Record(Type.String(), Type.String());
const Iso = Type.String({ description: 'RFC 3339 time' });

export const AmMatcher = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 128, description: 'a label name, e.g. alertname' }),
    value: Type.String({ maxLength: 1000 }),
    isRegex: Type.Boolean({ description: 'value is a regular expression (RE2, anchored)' }),
    isEqual: Type.Optional(Type.Boolean({ description: 'false: the label must not match (!= or !~); default true' })),
  },
  { additionalProperties: false }
);

export const AmAlert = Type.Object({
  labels: LabelMap,
  annotations: LabelMap,
  startsAt: Iso,
  endsAt: Iso,
  updatedAt: Iso,
  generatorURL: Type.Optional(Type.String()),
  fingerprint: Type.String(),
  receivers: Type.Array(Type.Object({ name: Type.String() })),
  status: Type.Object({
    state: Type.String({ description: 'active, suppressed (silenced or inhibited) or unprocessed' }),
    silencedBy: Type.Array(Type.String()),
    inhibitedBy: Type.Array(Type.String()),
  }),
});

export const AmAlerts = Type.Object({ alerts: Type.Array(AmAlert) });
export const AmGroups = Type.Object({
  groups: Type.Array(Type.Object({ labels: LabelMap, receiver: Type.Object({ name: Type.String() }), alerts: Type.Array(AmAlert) }), {
    description: 'alerts as Alertmanager groups them (its route tree: group_by)',
  }),
});

export const AmAlertsQuery = Type.Object(
  {
    filter: Type.Optional(
      Type.Union([Type.String({ maxLength: 1000 }), Type.Array(Type.String({ maxLength: 1000 }), { maxItems: 20 })], {
        description: 'matchers in Alertmanager\'s syntax, e.g. severity="critical" (repeat the parameter for more)',
      })
    ),
    active: Type.Optional(Type.Boolean()),
    silenced: Type.Optional(Type.Boolean()),
    inhibited: Type.Optional(Type.Boolean()),
    receiver: Type.Optional(Type.String({ maxLength: 200, description: 'a regular expression on receiver names' })),
  },
  { additionalProperties: false }
);

export const AmSilence = Type.Object({
  id: Type.String(),
  status: Type.Object({ state: Type.String({ description: 'active, pending or expired' }) }),
  updatedAt: Iso,
  matchers: Type.Array(Type.Object({ name: Type.String(), value: Type.String(), isRegex: Type.Boolean(), isEqual: Type.Optional(Type.Boolean()) })),
  startsAt: Iso,
  endsAt: Iso,
  createdBy: Type.String(),
  comment: Type.String(),
});
export const AmSilences = Type.Object({ silences: Type.Array(AmSilence) });
export const AmSilencesQuery = Type.Object(
  { state: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('pending'), Type.Literal('expired')])) },
  { additionalProperties: false }
);
export const CreateSilenceBody = Type.Object(
  {
    matchers: Type.Array(AmMatcher, { minItems: 1, maxItems: 32, description: "tenant keys: tenant_id=\"<own>\" is added when left out; a matcher on another tenant is refused" }),
    startsAt: Type.Optional(Type.String({ minLength: 10, maxLength: 40, description: 'default now' })),
    endsAt: Type.Optional(Type.String({ minLength: 10, maxLength: 40 })),
    duration: Type.Optional(Type.String({ minLength: 1, maxLength: 40, description: 'instead of endsAt, e.g. 2h' })),
    comment: Type.String({ minLength: 1, maxLength: 1000, description: 'why' }),
    createdBy: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'who (default: the key)' })),
  },
  { additionalProperties: false }
);
export const SilenceIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });

export const AmStatus = Type.Object({
  url: Type.String(),
  version: Type.String(),
  uptime: Iso,
  cluster: Type.Object({ status: Type.String({ description: 'ready, settling or disabled' }), name: Type.Union([Type.String(), Type.Null()]), peers: Type.Integer() }),
  receivers: Type.Array(Type.String()),
  inhibit_rules: Type.Array(
    Type.Object({ source_matchers: Type.Array(Type.String()), target_matchers: Type.Array(Type.String()), equal: Type.Array(Type.String()) }),
    { description: 'from the configuration Alertmanager runs: an alert matching source_matchers mutes alerts matching target_matchers with the same `equal` labels' }
  ),
});

export const AlertmanagerErrors = { 503: ErrorBody, 409: ErrorBody };

/** POST /monitoring/test/:ruleId */
export const TestRuleParams = Type.Object({ ruleId: Type.String({ minLength: 1, maxLength: 100 }) });
export const TestRuleQuery = Type.Object(
  {
    kind: Type.Optional(Type.Union([Type.Literal('metric'), Type.Literal('event')], { description: 'when a metric and an event rule share the id' })),
    tenant_id: Type.Optional(TenantId),
  },
  { additionalProperties: false }
);
export const TestFire = Type.Object({
  rule_id: Type.String(),
  kind: Type.Union([Type.Literal('metric'), Type.Literal('event')]),
  via: Type.Union([Type.Literal('alertmanager'), Type.Literal('incidents')], { description: 'where the test alert went' }),
  fingerprint: Type.String(),
  labels: LabelMap,
  annotations: LabelMap,
  startsAt: Iso,
  endsAt: Iso,
});

const Counts = Type.Object({ critical: Type.Integer(), warning: Type.Integer(), info: Type.Integer(), other: Type.Integer() });
const NullableString = Type.Union([Type.String(), Type.Null()]);
export const MonitoringStatus = Type.Object({
  ruler: Type.Object({
    mode: Type.Union([Type.Literal('alertmanager'), Type.Literal('incidents')], { description: 'where event-rule alerts go' }),
    interval_seconds: Type.Integer(),
    last_run: Type.Union([
      Type.Object({ at: Iso, duration_ms: Type.Number(), rules_evaluated: Type.Integer(), alerts_sent: Type.Integer(), error: NullableString }),
      Type.Null(),
    ]),
    rules: Type.Object({ enabled: Type.Integer(), failing: Type.Integer() }),
    errors: Type.Array(Type.Object({ rule_id: Type.String(), tenant_id: NullableString, message: Type.String(), at: Iso })),
  }),
  alertmanager: Type.Object({
    configured: Type.Boolean(),
    reachable: Type.Union([Type.Boolean(), Type.Null()]),
    version: NullableString,
    cluster: NullableString,
    peers: Type.Union([Type.Integer(), Type.Null()]),
    error: NullableString,
  }),
  prometheus: Type.Object({ configured: Type.Boolean(), reachable: Type.Union([Type.Boolean(), Type.Null()]), version: NullableString, error: NullableString }),
  alerts: Type.Object({
    source: Type.Union([Type.Literal('alertmanager'), Type.Literal('ruler')], { description: "Alertmanager's active alerts when it answers, else the ruler's" }),
    firing: Counts,
    suppressed: Type.Integer(),
    pending: Type.Integer(),
  }),
});
export const MonitoringStatusQuery = Type.Object({ tenant_id: Type.Optional(TenantId) }, { additionalProperties: false });
