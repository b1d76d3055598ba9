import { AnalyticsService } from '../../analytics/service.js';
import type { AnalyticsQuery } from '../../contracts/analytics.js';
import { CaasError } from '../../errors.js';
import { evaluateVectors, type Sample } from './expression.js';
import { invalidRule, type CompiledRule, type Comparison, type EventRuleSpec, type QueryRef, type RuleQuery } from './model.js';
import { samplesOf } from './reduce.js';

/** Fields of an analytics query the rule sets itself at each evaluation. */
export const RULE_SET_FIELDS = ['tenant_id', 'from', 'to'] as const;

/** A rule's query as the analytics service takes it for one tenant and window (validated per kind). */
export function analyticsQueryOf(ref: string, q: RuleQuery, from: number, to: number): AnalyticsQuery {
  if (typeof q !== 'object' || q === null || Array.isArray(q)) {
    throw invalidRule(`query ${ref} must be an object with a kind, as POST /v1/analytics/query takes it`);
  }
  const own = RULE_SET_FIELDS.find((k) => Object.hasOwn(q, k));
  if (own !== undefined) {
    throw invalidRule(`query ${ref}: '${own}' is set by the rule (${own === 'tenant_id' ? "the rule's tenant_id, or each tenant" : 'the last `window` before each evaluation'}): leave it out`);
  }
  try {
    return AnalyticsService.validate({ ...q, from, to });
  } catch (e) {
    throw prefixed(ref, e);
  }
}

/** An analytics error, said of the rule's query it came from. */
function prefixed(ref: string, e: unknown): unknown {
  if (e instanceof CaasError && (e.kind === 'invalid' || e.kind === 'timeout' || e.kind === 'rate_limited')) {
    return new CaasError(e.kind, e.code, `query ${ref}: ${e.message}`, e.details, e.retryAfter);
  }
  return e;
}

export function compare(value: number, op: Comparison, threshold: number): boolean {
  switch (op) {
    case '>':
      return value > threshold;
    case '>=':
      return value >= threshold;
    case '<':
      return value < threshold;
    case '<=':
      return value <= threshold;
    case '==':
      return value === threshold;
    case '!=':
      return value !== threshold;
  }
}

export interface SeriesResult {
  labels: Record<string, string>;
  /** the expression's value */
  value: number;
  /** each query's reduced value for this series */
  inputs: Record<string, number>;
  /** whether the condition holds */
  active: boolean;
}

export interface Evaluation {
  tenant: string;
  from: number;
  to: number;
  series: SeriesResult[];
  /** each query's samples before the expression */
  samples: Partial<Record<QueryRef, Sample[]>>;
}

/** Runs a rule's queries for one tenant over [now - window, now) and applies its condition. */
export async function evaluateRule(analytics: AnalyticsService, spec: Pick<EventRuleSpec, 'queries' | 'condition'>, compiled: CompiledRule, tenant: string, now: number): Promise<Evaluation> {
  const from = now - compiled.windowMs;
  const to = now;
  const samples: Partial<Record<QueryRef, Sample[]>> = {};
  for (const ref of compiled.refs) {
    const q = analyticsQueryOf(ref, spec.queries[ref] as RuleQuery, from, to);
    let frames;
    try {
      frames = (await analytics.query(q, tenant)).frames;
    } catch (e) {
      throw prefixed(ref, e);
    }
    samples[ref] = samplesOf(ref, frames, spec.condition.reducer, spec.condition.field);
  }
  const c = spec.condition;
  const series = evaluateVectors(compiled.expression.ast, samples as Record<string, Sample[]>).map((s) => ({ ...s, active: compare(s.value, c.op, c.threshold) }));
  return { tenant, from, to, series, samples };
}
