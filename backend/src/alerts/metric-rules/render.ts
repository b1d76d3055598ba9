import { toYaml, type YamlValue } from '../yaml.js';
import { ruleLabels, type MetricRule } from './model.js';

export type RenderableRule = Pick<MetricRule, 'id' | 'name' | 'tenant_id' | 'group' | 'expr' | 'for' | 'severity' | 'labels' | 'annotations'>;

const HEADER = [
  '# CAAS Observatory metric rules (GET /v1/alerts/rules.yml): every enabled metric rule, by group.',
  '# Generated from the rules in the backend: change them through /v1/alerts/metric-rules, not here.',
];

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** One rule as Prometheus' rule-file format has it (`alert`, `expr`, `for`, `labels`, `annotations`). */
export function ruleYaml(r: RenderableRule): { [key: string]: YamlValue } {
  return {
    alert: r.name,
    expr: r.expr,
    for: r.for,
    labels: ruleLabels(r),
    annotations: {
      summary: r.annotations.summary,
      ...(r.annotations.description ? { description: r.annotations.description } : {}),
      ...(r.annotations.runbook_url ? { runbook_url: r.annotations.runbook_url } : {}),
    },
  };
}

/**
 * A Prometheus rule file (`groups:`) of the given rules: groups by name, rules in each by name and
 * id, so the same rules always give the same file. `promtool check rules` accepts it
 * (test/metric-rules.test.ts).
 */
export function renderRuleFile(rules: readonly RenderableRule[]): string {
  const groups = new Map<string, RenderableRule[]>();
  for (const r of rules) {
    groups.set(r.group, [...(groups.get(r.group) ?? []), r]);
  }
  const doc = {
    groups: [...groups.keys()].sort(byText).map((name) => ({
      name,
      rules: (groups.get(name) ?? []).sort((a, b) => byText(a.name, b.name) || byText(a.id, b.id)).map(ruleYaml),
    })),
  };
  return `${HEADER.join('\n')}\n${toYaml(doc)}`;
}
