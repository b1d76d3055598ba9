import { isoSql, type MetadataDb, type Queryable } from '../../store/metadata-db.js';
import type { MetricRule, MetricRuleSpec, Severity } from './model.js';
import type { PackRule } from './pack.js';

interface Row {
  id: string;
  name: string;
  tenant_id: string | null;
  rule_group: string;
  expr: string;
  for_duration: string;
  severity: Severity;
  labels: Record<string, string> | string;
  summary: string;
  description: string;
  runbook_url: string | null;
  enabled: boolean;
  origin: 'standard' | 'custom';
  created_at: string;
  updated_at: string;
}

const COLUMNS = `id, name, tenant_id, rule_group, expr, for_duration, severity, labels, summary, description, runbook_url, enabled, origin, ${isoSql('created_at')}, ${isoSql('updated_at')}`;

function toRule(r: Row): MetricRule {
  return {
    id: r.id,
    name: r.name,
    tenant_id: r.tenant_id,
    group: r.rule_group,
    expr: r.expr,
    for: r.for_duration,
    severity: r.severity,
    labels: typeof r.labels === 'string' ? (JSON.parse(r.labels) as Record<string, string>) : r.labels,
    annotations: { summary: r.summary, description: r.description, runbook_url: r.runbook_url },
    enabled: r.enabled,
    origin: r.origin,
    created_at: r.created_at,
    updated_at: r.updated_at,
  };
}

const values = (s: MetricRuleSpec) => [
  s.name,
  s.tenant_id,
  s.group,
  s.expr,
  s.for,
  s.severity,
  JSON.stringify(s.labels),
  s.annotations.summary,
  s.annotations.description,
  s.annotations.runbook_url,
  s.enabled,
];

export interface RuleFilter {
  /** rules of this tenant only; with `platform`, also the platform's (tenant_id null) */
  tenant?: string | null;
  platform?: boolean;
  enabledOnly?: boolean;
}

/** Metric rules in the metadata store (migration 10). */
export class MetricRuleRepo {
  constructor(private readonly db: MetadataDb) {}

  async list(f: RuleFilter = {}): Promise<MetricRule[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (f.tenant !== undefined && f.tenant !== null) {
      params.push(f.tenant);
      where.push(f.platform ? `(tenant_id = $${params.length} OR tenant_id IS NULL)` : `tenant_id = $${params.length}`);
    }
    if (f.enabledOnly) {
      where.push('enabled');
    }
    const rows = await this.db.query<Row>(
      `SELECT ${COLUMNS} FROM metric_rules ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY rule_group, name, id`,
      params
    );
    return rows.map(toRule);
  }

  async get(id: string): Promise<MetricRule | undefined> {
    const [r] = await this.db.query<Row>(`SELECT ${COLUMNS} FROM metric_rules WHERE id = $1`, [id]);
    return r ? toRule(r) : undefined;
  }

  /** Stores a new rule; undefined when its id is taken. */
  async insert(id: string, s: MetricRuleSpec, origin: 'standard' | 'custom', q: Queryable = this.db): Promise<MetricRule | undefined> {
    const [r] = await q.query<Row>(
      `INSERT INTO metric_rules (id, name, tenant_id, rule_group, expr, for_duration, severity, labels, summary, description, runbook_url, enabled, origin)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9, $10, $11, $12, $13)
       ON CONFLICT (id) DO NOTHING RETURNING ${COLUMNS}`,
      [id, ...values(s), origin]
    );
    return r ? toRule(r) : undefined;
  }

  /** Replaces a rule's fields; undefined when there is no such rule. */
  async update(id: string, s: MetricRuleSpec): Promise<MetricRule | undefined> {
    const [r] = await this.db.query<Row>(
      `UPDATE metric_rules SET name = $2, tenant_id = $3, rule_group = $4, expr = $5, for_duration = $6, severity = $7, labels = $8::jsonb,
         summary = $9, description = $10, runbook_url = $11, enabled = $12, updated_at = now()
       WHERE id = $1 RETURNING ${COLUMNS}`,
      [id, ...values(s)]
    );
    return r ? toRule(r) : undefined;
  }

  async remove(id: string): Promise<boolean> {
    const rows = await this.db.query<{ id: string }>('DELETE FROM metric_rules WHERE id = $1 RETURNING id', [id]);
    return rows.length > 0;
  }

  /**
   * Stores a pack's rules once per database: the first start (of any instance) seeds them; later
   * starts leave the rules as their users changed or deleted them. Answers how many it stored.
   */
  async seedPack(name: string, rules: readonly PackRule[]): Promise<number> {
    return this.db.transaction(async (tx) => {
      const first = await tx.query('INSERT INTO metric_rule_packs (name) VALUES ($1) ON CONFLICT (name) DO NOTHING RETURNING name', [name]);
      if (first.length === 0) {
        return 0;
      }
      let n = 0;
      for (const { id, ...spec } of rules) {
        if (await this.insert(id, spec, 'standard', tx)) {
          n++;
        }
      }
      return n;
    });
  }
}
