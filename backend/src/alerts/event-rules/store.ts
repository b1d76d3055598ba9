import { isoSql, type MetadataDb, type Queryable } from '../../store/metadata-db.js';
import type { Condition, EventRule, EventRuleSpec, QueryRef, RuleQuery, Severity } from './model.js';

/**
 * Event rules, their alerts' state and the ruler's runs in the metadata store (migration 11). The state
 * of every alert (pending, firing, recently resolved) lives here, not in memory, so a restart, or another
 * instance taking over the ruler's job, carries on where the last evaluation left off.
 */
const json = <T>(v: unknown): T => (typeof v === 'string' ? (JSON.parse(v) as T) : (v as T));

interface RuleRow {
  id: string;
  name: string;
  tenant_id: string | null;
  query_window: string;
  queries: unknown;
  condition: unknown;
  for_duration: string;
  keep_firing_for: string;
  eval_interval: string;
  severity: Severity;
  labels: unknown;
  summary: string;
  description: string;
  runbook_url: string | null;
  enabled: boolean;
  created_at: string;
  updated_at: string;
}

const RULE_COLUMNS = `id, name, tenant_id, query_window, queries, condition, for_duration, keep_firing_for, eval_interval, severity, labels,
  summary, description, runbook_url, enabled, ${isoSql('created_at')}, ${isoSql('updated_at')}`;

function toRule(r: RuleRow): EventRule {
  return {
    id: r.id,
    name: r.name,
    tenant_id: r.tenant_id,
    window: r.query_window,
    queries: json<Partial<Record<QueryRef, RuleQuery>>>(r.queries),
    condition: json<Condition>(r.condition),
    for: r.for_duration,
    keep_firing_for: r.keep_firing_for,
    interval: r.eval_interval,
    severity: r.severity,
    labels: json<Record<string, string>>(r.labels),
    annotations: { summary: r.summary, description: r.description, runbook_url: r.runbook_url },
    enabled: r.enabled,
    created_at: r.created_at,
    updated_at: r.updated_at,
  };
}

const ruleValues = (s: EventRuleSpec) => [
  s.name,
  s.tenant_id,
  s.window,
  JSON.stringify(s.queries),
  JSON.stringify(s.condition),
  s.for,
  s.keep_firing_for,
  s.interval,
  s.severity,
  JSON.stringify(s.labels),
  s.annotations.summary,
  s.annotations.description,
  s.annotations.runbook_url,
  s.enabled,
];

export interface RuleFilter {
  /** rules of this tenant; with `allTenants`, also the rules for every tenant (tenant_id null) */
  tenant?: string;
  allTenants?: boolean;
  enabledOnly?: boolean;
}

export type AlertState = 'pending' | 'firing' | 'resolved';

/** One alert of a rule for a tenant and a label set. */
export interface AlertRow {
  rule_id: string;
  tenant_id: string;
  fingerprint: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: AlertState;
  value: number | null;
  active_at: string;
  fired_at: string | null;
  keep_firing_since: string | null;
  resolved_at: string | null;
  last_sent_at: string | null;
  /** the state Alertmanager or the incident intake last took from us (null: nothing yet) */
  delivered: 'firing' | 'resolved' | null;
}

const ALERT_COLUMNS = `rule_id, tenant_id, fingerprint, labels, annotations, state, value, ${isoSql('active_at')}, ${isoSql('fired_at')},
  ${isoSql('keep_firing_since')}, ${isoSql('resolved_at')}, ${isoSql('last_sent_at')}, delivered`;

function toAlert(r: AlertRow): AlertRow {
  return { ...r, labels: json(r.labels), annotations: json(r.annotations), value: r.value === null ? null : Number(r.value) };
}

export interface RuleEvaluation {
  rule_id: string;
  evaluated_at: string;
  duration_ms: number;
  /** tenant → why its evaluation failed (a tenant key sees its own) */
  errors: Record<string, string>;
}

export interface RulerRun {
  run_at: string;
  duration_ms: number;
  rules_evaluated: number;
  alerts_sent: number;
  /** why the run, or sending its alerts, failed; null: it did not */
  error: string | null;
  instance: string;
}

const ts = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export class EventRuleRepo {
  constructor(private readonly db: MetadataDb) {}

  async list(f: RuleFilter = {}): Promise<EventRule[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (f.tenant !== undefined) {
      params.push(f.tenant);
      where.push(f.allTenants ? `(tenant_id = $${params.length} OR tenant_id IS NULL)` : `tenant_id = $${params.length}`);
    }
    if (f.enabledOnly) {
      where.push('enabled');
    }
    const rows = await this.db.query<RuleRow>(`SELECT ${RULE_COLUMNS} FROM event_rules ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY name, id`, params);
    return rows.map(toRule);
  }

  async get(id: string): Promise<EventRule | undefined> {
    const [r] = await this.db.query<RuleRow>(`SELECT ${RULE_COLUMNS} FROM event_rules WHERE id = $1`, [id]);
    return r ? toRule(r) : undefined;
  }

  /** Stores a new rule; undefined when the id is taken. */
  async insert(id: string, s: EventRuleSpec): Promise<EventRule | undefined> {
    const [r] = await this.db.query<RuleRow>(
      `INSERT INTO event_rules (id, name, tenant_id, query_window, queries, condition, for_duration, keep_firing_for, eval_interval, severity, labels,
         summary, description, runbook_url, enabled)
       VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7, $8, $9, $10, $11::jsonb, $12, $13, $14, $15)
       ON CONFLICT (id) DO NOTHING RETURNING ${RULE_COLUMNS}`,
      [id, ...ruleValues(s)]
    );
    return r ? toRule(r) : undefined;
  }

  async update(id: string, s: EventRuleSpec): Promise<EventRule | undefined> {
    const [r] = await this.db.query<RuleRow>(
      `UPDATE event_rules SET name = $2, tenant_id = $3, query_window = $4, queries = $5::jsonb, condition = $6::jsonb, for_duration = $7,
         keep_firing_for = $8, eval_interval = $9, severity = $10, labels = $11::jsonb, summary = $12, description = $13, runbook_url = $14,
         enabled = $15, updated_at = now()
       WHERE id = $1 RETURNING ${RULE_COLUMNS}`,
      [id, ...ruleValues(s)]
    );
    return r ? toRule(r) : undefined;
  }

  async remove(id: string): Promise<boolean> {
    return (await this.db.query('DELETE FROM event_rules WHERE id = $1 RETURNING id', [id])).length > 0;
  }

  async countEnabled(): Promise<number> {
    const [r] = await this.db.query<{ n: string | number }>('SELECT count(*) AS n FROM event_rules WHERE enabled');
    return Number(r?.n ?? 0);
  }
}

export class AlertStateRepo {
  constructor(private readonly db: MetadataDb) {}

  /** Alerts of some rules (every rule: undefined), optionally of one tenant. */
  async list(f: { ruleIds?: string[]; tenant?: string } = {}): Promise<AlertRow[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (f.ruleIds !== undefined) {
      params.push(f.ruleIds);
      where.push(`rule_id = ANY($${params.length}::text[])`);
    }
    if (f.tenant !== undefined) {
      params.push(f.tenant);
      where.push(`tenant_id = $${params.length}`);
    }
    const rows = await this.db.query<AlertRow>(
      `SELECT ${ALERT_COLUMNS} FROM event_rule_alerts ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY rule_id, tenant_id, fingerprint`,
      params
    );
    return rows.map(toAlert);
  }

  async upsert(a: AlertRow, q: Queryable = this.db): Promise<void> {
    await q.query(
      `INSERT INTO event_rule_alerts (rule_id, tenant_id, fingerprint, labels, annotations, state, value, active_at, fired_at, keep_firing_since,
         resolved_at, last_sent_at, delivered)
       VALUES ($1, $2, $3, $4::jsonb, $5::jsonb, $6, $7, $8::timestamptz, $9::timestamptz, $10::timestamptz, $11::timestamptz, $12::timestamptz, $13)
       ON CONFLICT (rule_id, tenant_id, fingerprint) DO UPDATE SET labels = EXCLUDED.labels, annotations = EXCLUDED.annotations,
         state = EXCLUDED.state, value = EXCLUDED.value, active_at = EXCLUDED.active_at, fired_at = EXCLUDED.fired_at,
         keep_firing_since = EXCLUDED.keep_firing_since, resolved_at = EXCLUDED.resolved_at, last_sent_at = EXCLUDED.last_sent_at,
         delivered = EXCLUDED.delivered`,
      [
        a.rule_id,
        a.tenant_id,
        a.fingerprint,
        JSON.stringify(a.labels),
        JSON.stringify(a.annotations),
        a.state,
        a.value,
        a.active_at,
        a.fired_at,
        a.keep_firing_since,
        a.resolved_at,
        a.last_sent_at,
        a.delivered,
      ]
    );
  }

  async remove(a: Pick<AlertRow, 'rule_id' | 'tenant_id' | 'fingerprint'>, q: Queryable = this.db): Promise<void> {
    await q.query('DELETE FROM event_rule_alerts WHERE rule_id = $1 AND tenant_id = $2 AND fingerprint = $3', [a.rule_id, a.tenant_id, a.fingerprint]);
  }

  /** Marks what was delivered (and when it was sent). */
  async delivered(keys: Array<Pick<AlertRow, 'rule_id' | 'tenant_id' | 'fingerprint' | 'state'>>, at: number): Promise<void> {
    for (const k of keys) {
      await this.db.query(
        `UPDATE event_rule_alerts SET delivered = $4, last_sent_at = $5::timestamptz WHERE rule_id = $1 AND tenant_id = $2 AND fingerprint = $3`,
        [k.rule_id, k.tenant_id, k.fingerprint, k.state === 'resolved' ? 'resolved' : 'firing', ts(at)]
      );
    }
  }

  /** Drops resolved alerts delivered before `before` (they stay a while for GET /monitoring/rules and the rule's page). */
  async pruneResolved(before: number): Promise<number> {
    const rows = await this.db.query(
      `DELETE FROM event_rule_alerts WHERE state = 'resolved' AND delivered = 'resolved' AND resolved_at < $1::timestamptz RETURNING rule_id`,
      [ts(before)]
    );
    return rows.length;
  }

  async evaluations(ruleIds?: string[]): Promise<RuleEvaluation[]> {
    const rows = await this.db.query<RuleEvaluation>(
      `SELECT rule_id, ${isoSql('evaluated_at')}, duration_ms, errors FROM event_rule_evaluations ${ruleIds ? 'WHERE rule_id = ANY($1::text[])' : ''}`,
      ruleIds ? [ruleIds] : []
    );
    return rows.map((r) => ({ ...r, duration_ms: Number(r.duration_ms), errors: json(r.errors) }));
  }

  async recordEvaluation(e: { rule_id: string; at: number; duration_ms: number; errors: Record<string, string> }): Promise<void> {
    await this.db.query(
      `INSERT INTO event_rule_evaluations (rule_id, evaluated_at, duration_ms, errors) VALUES ($1, $2::timestamptz, $3, $4::jsonb)
       ON CONFLICT (rule_id) DO UPDATE SET evaluated_at = EXCLUDED.evaluated_at, duration_ms = EXCLUDED.duration_ms, errors = EXCLUDED.errors`,
      [e.rule_id, ts(e.at), Math.round(e.duration_ms), JSON.stringify(e.errors)]
    );
  }

  async removeEvaluationsExcept(ruleIds: string[]): Promise<void> {
    await this.db.query('DELETE FROM event_rule_evaluations WHERE NOT (rule_id = ANY($1::text[]))', [ruleIds]);
  }

  async lastRun(): Promise<RulerRun | null> {
    const [r] = await this.db.query<RulerRun>(
      `SELECT ${isoSql('run_at')}, duration_ms, rules_evaluated, alerts_sent, error, instance FROM ruler_runs WHERE id = 1`
    );
    return r ? { ...r, duration_ms: Number(r.duration_ms), rules_evaluated: Number(r.rules_evaluated), alerts_sent: Number(r.alerts_sent) } : null;
  }

  async recordRun(r: { at: number; duration_ms: number; rules_evaluated: number; alerts_sent: number; error: string | null; instance: string }): Promise<void> {
    await this.db.query(
      `INSERT INTO ruler_runs (id, run_at, duration_ms, rules_evaluated, alerts_sent, error, instance) VALUES (1, $1::timestamptz, $2, $3, $4, $5, $6)
       ON CONFLICT (id) DO UPDATE SET run_at = EXCLUDED.run_at, duration_ms = EXCLUDED.duration_ms, rules_evaluated = EXCLUDED.rules_evaluated,
         alerts_sent = EXCLUDED.alerts_sent, error = EXCLUDED.error, instance = EXCLUDED.instance`,
      [ts(r.at), Math.round(r.duration_ms), r.rules_evaluated, r.alerts_sent, r.error, r.instance]
    );
  }
}
