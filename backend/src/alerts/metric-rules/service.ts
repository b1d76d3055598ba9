import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { TenantRepo } from '../../auth/tenants.js';
import { badRequest, conflict, notFound } from '../../errors.js';
import type { MetadataDb } from '../../store/metadata-db.js';
import type { Promtool } from '../promtool.js';
import { checkSpec, RULE_ID, type MetricRule, type MetricRuleSpec, type Severity } from './model.js';
import { STANDARD_PACK, STANDARD_PACK_NAME } from './pack.js';
import type { PrometheusRuleSync, SyncStatus } from './prometheus.js';
import { renderRuleFile } from './render.js';
import { MetricRuleRepo, type RuleFilter } from './store.js';

/** What a client sends to create a rule: the spec with its defaults left out. */
export interface MetricRuleInput {
  id?: string;
  name: string;
  tenant_id?: string | null;
  group?: string;
  expr: string;
  for?: string;
  severity: Severity;
  labels?: Record<string, string>;
  annotations: { summary: string; description?: string; runbook_url?: string | null };
  enabled?: boolean;
}

/** A change to some fields of a rule (annotations field by field). */
export type MetricRulePatch = Partial<Omit<MetricRuleInput, 'id' | 'annotations'>> & { annotations?: Partial<MetricRuleInput['annotations']> };

export const DEFAULT_GROUP = 'caas-custom';

export interface MetricRuleWrite {
  rule: MetricRule;
  /** what became of the rule file: written to PROMETHEUS_RULES_DIR, Prometheus reloaded, or why not */
  prometheus: SyncStatus;
}

export interface MetricRuleServiceOptions {
  db: MetadataDb;
  tenants: TenantRepo;
  promtool: Promtool;
  sync: PrometheusRuleSync;
  log: Logger;
}

/** A PostgreSQL foreign-key violation (the rule's tenant was deleted meanwhile). */
const isForeignKeyViolation = (e: unknown) => (e as { code?: unknown }).code === '23503';

/**
 * Metric rules (issue "Alert management", item 1): stored in the metadata store, checked by
 * Prometheus' own parser (promtool) before they are stored, rendered into one Prometheus rule file
 * of every enabled rule, and handed to Prometheus after every change and at start.
 */
export class MetricRuleService {
  readonly repo: MetricRuleRepo;
  private readonly log: Logger;
  private chain: Promise<unknown> = Promise.resolve();
  private last: SyncStatus | null = null;

  constructor(private readonly o: MetricRuleServiceOptions) {
    this.repo = new MetricRuleRepo(o.db);
    this.log = o.log.child({ component: 'metric-rules' });
  }

  /** At start: the standard pack on the first start of this database, then the file to Prometheus. */
  async start(): Promise<void> {
    const seeded = await this.repo.seedPack(STANDARD_PACK_NAME, STANDARD_PACK);
    if (seeded > 0) {
      this.log.info({ rules: seeded }, 'standard metric rule pack stored');
    }
    if (this.o.sync.enabled) {
      await this.sync();
    }
  }

  /** The last hand-over to Prometheus from this instance (null before the first). */
  get lastSync(): SyncStatus | null {
    return this.last;
  }

  list(f: RuleFilter = {}): Promise<MetricRule[]> {
    return this.repo.list(f);
  }

  async get(id: string): Promise<MetricRule> {
    const r = RULE_ID.test(id) ? await this.repo.get(id) : undefined;
    if (!r) {
      throw notFound(`metric rule '${id.slice(0, 80)}' not found: list them with GET /v1/alerts/metric-rules`);
    }
    return r;
  }

  /** The rule file of every enabled rule (what GET /v1/alerts/rules.yml serves and Prometheus gets). */
  async ruleFile(): Promise<string> {
    return renderRuleFile(await this.repo.list({ enabledOnly: true }));
  }

  async create(input: MetricRuleInput): Promise<MetricRuleWrite> {
    const id = input.id ?? `mr-${randomBytes(6).toString('hex')}`;
    if (!RULE_ID.test(id)) {
      throw badRequest('invalid_metric_rule', `id '${id.slice(0, 80)}' is not valid: 1-63 characters of a-z, 0-9, _ and -, starting with a letter or digit (or leave it out for a generated one)`);
    }
    const spec = await this.check(id, {
      name: input.name,
      tenant_id: input.tenant_id ?? null,
      group: input.group ?? DEFAULT_GROUP,
      expr: input.expr,
      for: input.for ?? '0s',
      severity: input.severity,
      labels: input.labels ?? {},
      annotations: { summary: input.annotations.summary, description: input.annotations.description ?? '', runbook_url: input.annotations.runbook_url ?? null },
      enabled: input.enabled ?? true,
    });
    const rule = await this.storing(() => this.repo.insert(id, spec, 'custom'), spec);
    if (!rule) {
      throw conflict(`metric rule '${id}' already exists: choose another id, or change it with PUT /v1/alerts/metric-rules/${id}`);
    }
    return { rule, prometheus: await this.sync() };
  }

  /** Replaces every field of a rule (those left out take their defaults). */
  async replace(id: string, input: Omit<MetricRuleInput, 'id'>): Promise<MetricRuleWrite> {
    await this.get(id);
    const spec = await this.check(id, {
      name: input.name,
      tenant_id: input.tenant_id ?? null,
      group: input.group ?? DEFAULT_GROUP,
      expr: input.expr,
      for: input.for ?? '0s',
      severity: input.severity,
      labels: input.labels ?? {},
      annotations: { summary: input.annotations.summary, description: input.annotations.description ?? '', runbook_url: input.annotations.runbook_url ?? null },
      enabled: input.enabled ?? true,
    });
    return this.updated(id, spec);
  }

  /** Changes the given fields of a rule, e.g. `{"enabled": false}`. */
  async patch(id: string, p: MetricRulePatch): Promise<MetricRuleWrite> {
    const cur = await this.get(id);
    const spec = await this.check(id, {
      name: p.name ?? cur.name,
      tenant_id: p.tenant_id === undefined ? cur.tenant_id : p.tenant_id,
      group: p.group ?? cur.group,
      expr: p.expr ?? cur.expr,
      for: p.for ?? cur.for,
      severity: p.severity ?? cur.severity,
      labels: p.labels ?? cur.labels,
      annotations: {
        summary: p.annotations?.summary ?? cur.annotations.summary,
        description: p.annotations?.description ?? cur.annotations.description,
        runbook_url: p.annotations?.runbook_url === undefined ? cur.annotations.runbook_url : p.annotations.runbook_url,
      },
      enabled: p.enabled ?? cur.enabled,
    });
    return this.updated(id, spec);
  }

  async remove(id: string): Promise<{ id: string; prometheus: SyncStatus }> {
    if (!RULE_ID.test(id) || !(await this.repo.remove(id))) {
      throw notFound(`metric rule '${id.slice(0, 80)}' not found: list them with GET /v1/alerts/metric-rules`);
    }
    return { id, prometheus: await this.sync() };
  }

  /**
   * Renders the file from the store and hands it to Prometheus. One hand-over at a time, each
   * reading the store afresh, so the last one always carries the latest rules.
   */
  sync(): Promise<SyncStatus> {
    const next = this.chain.then(async () => {
      const status = await this.o.sync.push(await this.ruleFile());
      if (status.state === 'failed') {
        this.log.warn({ prometheus: status }, 'metric rules not handed to Prometheus');
      }
      this.last = status;
      return status;
    });
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async updated(id: string, spec: MetricRuleSpec): Promise<MetricRuleWrite> {
    const rule = await this.storing(() => this.repo.update(id, spec), spec);
    if (!rule) {
      throw notFound(`metric rule '${id}' not found (deleted meanwhile): list them with GET /v1/alerts/metric-rules`);
    }
    return { rule, prometheus: await this.sync() };
  }

  private async storing<T>(fn: () => Promise<T>, spec: MetricRuleSpec): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (isForeignKeyViolation(e)) {
        throw unknownTenant(spec.tenant_id ?? '');
      }
      throw e;
    }
  }

  /** Every check a rule must pass before it is stored: its fields, its tenant, and Prometheus' parser. */
  private async check(id: string, spec: MetricRuleSpec): Promise<MetricRuleSpec> {
    checkSpec(spec);
    if (spec.tenant_id !== null && !(await this.o.tenants.get(spec.tenant_id))) {
      throw unknownTenant(spec.tenant_id);
    }
    const res = await this.o.promtool.checkRules(renderRuleFile([{ ...spec, id }]));
    if (!res.ok) {
      const code = res.problems.some((p) => p.startsWith('expr:')) ? 'invalid_promql' : 'invalid_metric_rule';
      throw badRequest(code, `Prometheus refuses this rule: ${res.problems.join('; ').slice(0, 2000)}`, { problems: res.problems });
    }
    return spec;
  }
}

const unknownTenant = (t: string) =>
  badRequest('unknown_tenant', `tenant '${t.slice(0, 80)}' does not exist: create it with POST /v1/tenants, or leave tenant_id out (null) for a platform rule`);
