import { badRequest } from '../../errors.js';
import { ruleText } from '../rule-text.js';
import { ALERT_NAME, durationMs, LABEL_NAME, MAX_LABEL_VALUE, MAX_LABELS, MAX_TEXT, SEVERITIES, type Severity } from '../metric-rules/model.js';
import { parseExpression, type ParsedExpression } from './expression.js';
import { checkTemplate } from './template.js';

/**
 * Event rules (issue "Alert management", item 1): a condition over the CAAS platform's own analytics
 * events in ClickHouse, evaluated by the backend's ruler (ruler.ts) with Prometheus' alerting semantics.
 *
 * A rule holds up to five analytics queries (any kind POST /v1/analytics/query takes, named A…E) over a
 * relative window (the last `window` before each evaluation), a reducer that turns each series of each
 * answer into one number, an arithmetic expression over the queries (`A`, `A / B`, `(A - B) / B * 100`)
 * and a comparison with a threshold. Series that pass are alerts (labels: the series' own, e.g. a
 * timeseries' group_by values). A rule belongs to one tenant, or (`tenant_id` null) to every tenant: then
 * it is evaluated for each tenant on its own and each alert carries that tenant's id.
 */
export { SEVERITIES, type Severity };

export const REDUCERS = ['last', 'avg', 'min', 'max', 'sum', 'count'] as const;
export type Reducer = (typeof REDUCERS)[number];
export const COMPARISONS = ['>', '>=', '<', '<=', '==', '!='] as const;
export type Comparison = (typeof COMPARISONS)[number];

export const QUERY_REFS = ['A', 'B', 'C', 'D', 'E'] as const;
export type QueryRef = (typeof QUERY_REFS)[number];

/** An analytics query as POST /v1/analytics/query takes it, without tenant_id, from and to (the rule sets them). */
export type RuleQuery = Record<string, unknown> & { kind: string };

export interface Condition {
  /** arithmetic over the queries' reduced values: A…E, numbers, + - * / and parentheses; default 'A' */
  expression: string;
  reducer: Reducer;
  /** the value column or series name to reduce (e.g. 'events', 'unique users', 'count'); null: every number field of a time series, or a table's first number column */
  field: string | null;
  op: Comparison;
  threshold: number;
}

/** What a client sets. */
export interface EventRuleSpec {
  /** the alert's name (`alertname`), e.g. MessageSendFailures */
  name: string;
  /** null: every tenant, each evaluated on its own */
  tenant_id: string | null;
  /** how far back each evaluation looks (a Prometheus duration: 5m, 15m, 1h) */
  window: string;
  queries: Partial<Record<QueryRef, RuleQuery>>;
  condition: Condition;
  /** how long the condition must hold before the alert fires (0s: at once) */
  for: string;
  /** how long a firing alert keeps firing after the condition stopped holding (0s: resolves at once) */
  keep_firing_for: string;
  /** how often the rule is evaluated (at least RULER_INTERVAL_SECONDS, the ruler's own tick) */
  interval: string;
  severity: Severity;
  labels: Record<string, string>;
  annotations: { summary: string; description: string; runbook_url: string | null };
  enabled: boolean;
}

export interface EventRule extends EventRuleSpec {
  id: string;
  created_at: string;
  updated_at: string;
}

export const RULE_ID = /^[a-z0-9][a-z0-9_-]{0,62}$/;
/** labels every alert of an event rule carries from the rule itself */
export const RESERVED_LABELS = ['alertname', 'severity', 'tenant_id', 'caas_rule_id', 'test'] as const;
/** the `service` label of an event rule's alerts unless its labels name one */
export const DEFAULT_SERVICE = 'caas-events';
export const MAX_WINDOW_MS = 31 * 86_400_000;
export const MIN_WINDOW_MS = 10_000;
export const MAX_FOR_MS = 30 * 86_400_000;
export const MAX_INTERVAL_MS = 86_400_000;
export const MAX_EXPRESSION = 200;


export const invalidRule = (message: string) => badRequest('invalid_event_rule', message);

const text = ruleText(invalidRule);

/** Milliseconds of a duration field, checked against its bounds. */
export function durationField(field: string, v: string, min: number, max: number, example: string): number {
  const ms = durationMs(v);
  if (ms === null) {
    throw invalidRule(`${field} '${v.slice(0, 40)}' is not a duration: use Prometheus units largest first, e.g. ${example}`);
  }
  if (ms < min) {
    throw invalidRule(`${field} '${v}' is shorter than ${min / 1000}s`);
  }
  if (ms > max) {
    throw invalidRule(`${field} '${v}' is longer than ${Math.round(max / 86_400_000)}d`);
  }
  return ms;
}

/** A compiled rule: its spec with the durations in milliseconds and the expression parsed. */
export interface CompiledRule {
  windowMs: number;
  forMs: number;
  keepFiringForMs: number;
  intervalMs: number;
  expression: ParsedExpression;
  refs: QueryRef[];
}

/**
 * The checks of a rule that need no engine: names, durations, labels, the expression and the annotation
 * templates. The queries themselves are checked by running them (service.ts), so a rule is stored only
 * when the analytics engine answers it.
 */
export function checkSpec(s: EventRuleSpec, rulerIntervalMs: number): CompiledRule {
  if (!ALERT_NAME.test(s.name)) {
    throw invalidRule(`name '${s.name.slice(0, 80)}' is not an alert name: use letters, digits and _ (not starting with a digit, at most 128), e.g. MessageSendFailures`);
  }
  const windowMs = durationField('window', s.window, MIN_WINDOW_MS, MAX_WINDOW_MS, '5m, 15m or 1h');
  const forMs = durationField('for', s.for, 0, MAX_FOR_MS, '0s, 5m or 1h');
  const keepFiringForMs = durationField('keep_firing_for', s.keep_firing_for, 0, MAX_FOR_MS, '0s, 10m');
  const intervalMs = durationField('interval', s.interval, 1000, MAX_INTERVAL_MS, '1m or 5m');
  if (intervalMs < rulerIntervalMs) {
    throw invalidRule(`interval '${s.interval}' is shorter than the ruler's tick (RULER_INTERVAL_SECONDS=${rulerIntervalMs / 1000}): use ${rulerIntervalMs / 1000}s or more`);
  }
  const refs = QUERY_REFS.filter((r) => s.queries[r] !== undefined);
  const extra = Object.keys(s.queries).find((k) => !(QUERY_REFS as readonly string[]).includes(k));
  if (extra !== undefined) {
    throw invalidRule(`queries: '${extra.slice(0, 20)}' is not a query name: name them A, B, C, D and E`);
  }
  if (refs.length === 0) {
    throw invalidRule('queries: give at least one, named A, e.g. {"A": {"kind": "timeseries", "metric": {"type": "events"}, "event_types": ["login"]}}');
  }
  const c = s.condition;
  if (!(REDUCERS as readonly string[]).includes(c.reducer)) {
    throw invalidRule(`condition.reducer '${String(c.reducer).slice(0, 20)}' is not one of ${REDUCERS.join(', ')}`);
  }
  if (!(COMPARISONS as readonly string[]).includes(c.op)) {
    throw invalidRule(`condition.op '${String(c.op).slice(0, 20)}' is not one of ${COMPARISONS.join(' ')}`);
  }
  if (!Number.isFinite(c.threshold)) {
    throw invalidRule('condition.threshold must be a finite number');
  }
  if (c.field !== null) {
    text('condition.field', c.field, 200);
  }
  text('condition.expression', c.expression, MAX_EXPRESSION);
  const expression = parseExpression(c.expression);
  const unknown = expression.refs.find((r) => !refs.includes(r as QueryRef));
  if (unknown !== undefined) {
    throw invalidRule(`condition.expression uses ${unknown}, which is not one of the queries (${refs.join(', ')})`);
  }
  const unused = refs.find((r) => !expression.refs.includes(r));
  if (unused !== undefined) {
    throw invalidRule(`query ${unused} is not used by condition.expression '${c.expression}': use it (e.g. A / ${unused}) or remove it`);
  }
  const labels = Object.entries(s.labels);
  if (labels.length > MAX_LABELS) {
    throw invalidRule(`labels: at most ${MAX_LABELS}`);
  }
  for (const [k, v] of labels) {
    if (!LABEL_NAME.test(k) || k.startsWith('__')) {
      throw invalidRule(`label name '${k.slice(0, 80)}' is not valid: use letters, digits and _ (not starting with a digit or __)`);
    }
    if ((RESERVED_LABELS as readonly string[]).includes(k)) {
      throw invalidRule(`label '${k}' is set by the ruler itself${k === 'alertname' ? ": use the rule's name" : k === 'severity' || k === 'tenant_id' ? `: use the rule's ${k} field` : ''}`);
    }
    text(`label '${k}'`, v, MAX_LABEL_VALUE, { empty: true });
  }
  text('annotations.summary', s.annotations.summary, MAX_TEXT, { lines: true });
  text('annotations.description', s.annotations.description, MAX_TEXT, { lines: true, empty: true });
  checkTemplate('annotations.summary', s.annotations.summary);
  checkTemplate('annotations.description', s.annotations.description);
  const rb = s.annotations.runbook_url;
  if (rb !== null) {
    text('annotations.runbook_url', rb, 2048);
    let u: URL | null = null;
    try {
      u = new URL(rb);
    } catch {
      u = null;
    }
    if (!u || (u.protocol !== 'https:' && u.protocol !== 'http:')) {
      throw invalidRule(`annotations.runbook_url '${rb.slice(0, 80)}' is not an http(s) URL: link the runbook page, e.g. https://wiki.example.com/runbooks/message-failures`);
    }
  }
  return { windowMs, forMs, keepFiringForMs, intervalMs, expression, refs };
}

/** A series label name as Alertmanager takes it ([A-Za-z_][A-Za-z0-9_]*): other characters become _. */
export function labelNameOf(name: string): string {
  const s = name.replace(/[^A-Za-z0-9_]/g, '_');
  return /^[0-9]/.test(s) || s === '' ? `_${s}` : s;
}

/**
 * The labels of an alert of `rule` for `tenant` and a series: the series' own (renamed to valid label
 * names, never one the rule sets), the rule's labels, then what the ruler sets.
 */
export function alertLabels(rule: Pick<EventRule, 'id' | 'name' | 'severity' | 'labels'>, tenant: string | null, series: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(series)) {
    const name = labelNameOf(k);
    if (!(RESERVED_LABELS as readonly string[]).includes(name) && !name.startsWith('__')) {
      out[name] = v;
    }
  }
  Object.assign(out, rule.labels);
  out.service ??= DEFAULT_SERVICE;
  out.alertname = rule.name;
  out.severity = rule.severity;
  if (tenant !== null) {
    out.tenant_id = tenant;
  }
  out.caas_rule_id = rule.id;
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
