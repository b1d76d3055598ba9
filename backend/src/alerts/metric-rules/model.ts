import { badRequest } from '../../errors.js';
import { ruleText } from '../rule-text.js';

/**
 * Metric rules (issue "Alert management", item 1): alerting rules in PromQL that Prometheus evaluates
 * from the rule file the backend renders (render.ts). A rule belongs to the platform (`tenant_id`
 * null) or to one tenant, whose id it then carries as the `tenant_id` label of its alerts.
 */
export const SEVERITIES = ['critical', 'warning', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** What a client sets. */
export interface MetricRuleSpec {
  /** the alert's name (`alertname` of its alerts), e.g. HighErrorRate */
  name: string;
  /** null: a platform rule */
  tenant_id: string | null;
  /** the Prometheus rule group it is evaluated in */
  group: string;
  /** PromQL: every series it returns is an alert */
  expr: string;
  /** how long the expression must hold before the alert fires (a Prometheus duration, e.g. 5m; 0s fires at once) */
  for: string;
  severity: Severity;
  /** more labels of its alerts (routing, grouping); severity, tenant_id and caas_rule_id are set by the rule */
  labels: Record<string, string>;
  annotations: { summary: string; description: string; runbook_url: string | null };
  enabled: boolean;
}

export interface MetricRule extends MetricRuleSpec {
  id: string;
  /** standard: shipped with the standard pack (pack.ts); custom: made through the API */
  origin: 'standard' | 'custom';
  created_at: string;
  updated_at: string;
}

export const RULE_ID = /^[a-z0-9][a-z0-9_-]{0,62}$/;
export const ALERT_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
export const GROUP_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.:-]{0,99}$/;
export const LABEL_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
/** labels every alert of a rule carries from the rule itself */
export const RESERVED_LABELS = ['alertname', 'severity', 'tenant_id', 'caas_rule_id'] as const;
export const MAX_EXPR = 10_000;
export const MAX_TEXT = 4_000;
export const MAX_LABEL_VALUE = 1_000;
export const MAX_LABELS = 32;

/** Prometheus' duration syntax (model.ParseDuration): units largest first, each at most once. */
const DURATION = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;
const UNIT_MS = [365 * 86_400_000, 7 * 86_400_000, 86_400_000, 3_600_000, 60_000, 1000, 1];
/** longest `for` accepted: longer ones never fire in practice (Prometheus keeps pending state only in memory) */
export const MAX_FOR_MS = 30 * 86_400_000;

/** Milliseconds of a Prometheus duration, or null when it is not one. */
export function durationMs(s: string): number | null {
  if (s === '0') {
    return 0;
  }
  const m = DURATION.exec(s);
  if (!m || s === '') {
    return null;
  }
  let ms = 0;
  for (let i = 0; i < UNIT_MS.length; i++) {
    const part = m[i + 1];
    if (part !== undefined) {
      if (part.length > 12) {
        return null;
      }
      ms += Number(part) * (UNIT_MS[i] ?? 0);
    }
  }
  return ms;
}


const invalid = (message: string) => badRequest('invalid_metric_rule', message);

const text = ruleText(invalid);

/**
 * The checks of a rule that need no engine: names, labels, the duration, the runbook link, the text.
 * The expression and the annotations' templates are checked by Prometheus' own parser (promtool.ts).
 */
export function checkSpec(s: MetricRuleSpec): MetricRuleSpec {
  if (!ALERT_NAME.test(s.name)) {
    throw invalid(`name '${s.name.slice(0, 80)}' is not an alert name: use letters, digits and _ (not starting with a digit, at most 128), e.g. HighErrorRate`);
  }
  if (!GROUP_NAME.test(s.group)) {
    throw invalid(`group '${s.group.slice(0, 80)}' is not a group name: use letters, digits, _ . : and - (at most 100), e.g. caas-api`);
  }
  text('expr', s.expr, MAX_EXPR, { lines: true });
  const ms = durationMs(s.for);
  if (ms === null) {
    throw invalid(`for '${s.for.slice(0, 40)}' is not a duration: use Prometheus units largest first, e.g. 30s, 5m, 1h30m or 0s`);
  }
  if (ms > MAX_FOR_MS) {
    throw invalid(`for '${s.for}' is longer than 30d: Prometheus keeps pending alerts in memory, so such a rule would hardly ever fire`);
  }
  const labels = Object.entries(s.labels);
  if (labels.length > MAX_LABELS) {
    throw invalid(`labels: at most ${MAX_LABELS}`);
  }
  for (const [k, v] of labels) {
    if (!LABEL_NAME.test(k) || k.startsWith('__')) {
      throw invalid(`label name '${k.slice(0, 80)}' is not valid: use letters, digits and _ (not starting with a digit or __)`);
    }
    if ((RESERVED_LABELS as readonly string[]).includes(k)) {
      throw invalid(`label '${k}' is set by the rule itself: use the rule's ${k === 'alertname' ? 'name' : k === 'caas_rule_id' ? 'id' : k} field instead`);
    }
    text(`label '${k}'`, v, MAX_LABEL_VALUE, { empty: true });
  }
  text('annotations.summary', s.annotations.summary, MAX_TEXT, { lines: true });
  text('annotations.description', s.annotations.description, MAX_TEXT, { lines: true, empty: true });
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
      throw invalid(`annotations.runbook_url '${rb.slice(0, 80)}' is not an http(s) URL: link the runbook page, e.g. https://wiki.example.com/runbooks/high-error-rate`);
    }
  }
  return s;
}

/** The labels an alert of this rule carries from the rule (Prometheus adds the series' own). */
export function ruleLabels(r: Pick<MetricRule, 'id' | 'severity' | 'tenant_id' | 'labels'>): Record<string, string> {
  const sorted = Object.fromEntries(Object.entries(r.labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return { ...sorted, severity: r.severity, ...(r.tenant_id ? { tenant_id: r.tenant_id } : {}), caas_rule_id: r.id };
}
