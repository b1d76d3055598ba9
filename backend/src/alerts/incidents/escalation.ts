import { randomBytes } from 'node:crypto';
import { badRequest, CaasError, conflict, notFound } from '../../errors.js';
import { isoSql, type MetadataDb, type Queryable } from '../../store/metadata-db.js';
import type { Actor } from './model.js';

/**
 * Escalation policies (issue "Alert management", backend item 4): ordered steps, each after a wait, paging users, a
 * schedule or a channel, some "important"; the whole ladder repeated up to N times; a reminder to whoever
 * acknowledged when the incident is still open after a while. Acknowledging stops every further page (the steps run
 * as jobs that check the incident under its row lock; oncall #4760).
 */
export type ChannelKind = 'slack' | 'email' | 'pagerduty' | 'sms' | 'phone' | 'webhook';
export const CHANNEL_KINDS: readonly ChannelKind[] = ['slack', 'email', 'pagerduty', 'sms', 'phone', 'webhook'];

export type Target =
  | { type: 'user'; user: string }
  | { type: 'schedule'; schedule: string }
  | { type: 'channel'; channel: ChannelKind; address?: string; /** one channel (alerts/channels) instead of every channel of the kind */ channel_id?: string };

export interface EscalationStep {
  /** minutes after the previous step (after the trigger, for the first) */
  wait_minutes: number;
  targets: Target[];
  /** pages with the "important" notification rules (louder channels, no quiet hours) */
  important: boolean;
}

export interface EscalationPolicySpec {
  name: string;
  tenant_id: string | null;
  is_default: boolean;
  steps: EscalationStep[];
  /** after the last step, the ladder runs again from the first step, up to this many more times */
  repeat: { times: number; after_minutes: number };
  /** minutes after an acknowledge before whoever acknowledged is reminded, when the incident is still not resolved; null: never */
  reminder_minutes: number | null;
}

export interface EscalationPolicy extends EscalationPolicySpec {
  id: string;
  origin: 'standard' | 'custom';
  created_at: string;
  updated_at: string;
}

export const DEFAULT_POLICY_ID = 'esc-default';

/** The seed's ladder (`001_…`, Escalation Rules): at once Slack + email; 15 min PagerDuty + SMS; 30 min phone; 1 h manager. */
export const DEFAULT_LADDER: EscalationPolicySpec = {
  name: 'CAAS default ladder',
  tenant_id: null,
  is_default: true,
  steps: [
    { wait_minutes: 0, targets: [{ type: 'channel', channel: 'slack' }, { type: 'channel', channel: 'email' }], important: false },
    { wait_minutes: 15, targets: [{ type: 'channel', channel: 'pagerduty' }, { type: 'channel', channel: 'sms' }], important: true },
    { wait_minutes: 15, targets: [{ type: 'channel', channel: 'phone' }], important: true },
    { wait_minutes: 30, targets: [{ type: 'user', user: 'manager' }], important: true },
  ],
  repeat: { times: 0, after_minutes: 15 },
  reminder_minutes: 30,
};
const DEFAULT_PACK = 'seed-001-escalation-ladder';

export const POLICY_ID = /^[a-z0-9][a-z0-9_-]{0,62}$/;
export const MAX_STEPS = 20;
export const MAX_WAIT_MINUTES = 7 * 24 * 60;

/** What can be checked of a policy beyond its shape: a non-empty ladder, at least one target per step. */
export function checkPolicy(p: EscalationPolicySpec): EscalationPolicySpec {
  if (p.steps.length === 0) {
    throw badRequest('invalid_policy', 'steps is empty: a policy pages someone in at least one step');
  }
  p.steps.forEach((s, i) => {
    if (s.targets.length === 0) {
      throw badRequest('invalid_policy', `steps[${i}].targets is empty: name who is paged (a user, a schedule or a channel)`);
    }
  });
  if (p.repeat.times > 0 && p.repeat.after_minutes + (p.steps[0]?.wait_minutes ?? 0) === 0) {
    throw badRequest('invalid_policy', 'repeat.after_minutes is 0 and the first step does not wait: a repeated ladder would page again at once; wait at least a minute');
  }
  return p;
}

interface PolicyRow {
  id: string;
  name: string;
  tenant_id: string | null;
  is_default: boolean;
  steps: EscalationStep[] | string;
  repeat_times: number;
  repeat_after_minutes: number;
  reminder_minutes: number | null;
  origin: 'standard' | 'custom';
  created_at: string;
  updated_at: string;
}

const POLICY_COLUMNS = `id, name, tenant_id, is_default, steps, repeat_times, repeat_after_minutes, reminder_minutes, origin, ${isoSql('created_at')}, ${isoSql('updated_at')}`;

const toPolicy = (r: PolicyRow): EscalationPolicy => ({
  id: r.id,
  name: r.name,
  tenant_id: r.tenant_id,
  is_default: r.is_default,
  steps: typeof r.steps === 'string' ? (JSON.parse(r.steps) as EscalationStep[]) : r.steps,
  repeat: { times: Number(r.repeat_times), after_minutes: Number(r.repeat_after_minutes) },
  reminder_minutes: r.reminder_minutes === null ? null : Number(r.reminder_minutes),
  origin: r.origin,
  created_at: r.created_at,
  updated_at: r.updated_at,
});

const isUniqueViolation = (e: unknown) => (e as { code?: unknown }).code === '23505';
const isForeignKeyViolation = (e: unknown) => (e as { code?: unknown }).code === '23503';

/** Escalation policies in the metadata store; the seed's ladder stored once, as the platform's default. */
export class EscalationPolicyRepo {
  constructor(private readonly db: MetadataDb) {}

  /** At the first start of a database: the default ladder. Deleted or changed, it stays as the operators left it. */
  async seed(): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const fresh = await tx.query(`INSERT INTO escalation_packs (name) VALUES ($1) ON CONFLICT DO NOTHING RETURNING name`, [DEFAULT_PACK]);
      if (fresh.length === 0) {
        return false;
      }
      await tx.query(
        `INSERT INTO escalation_policies (id, name, tenant_id, is_default, steps, repeat_times, repeat_after_minutes, reminder_minutes, origin)
         VALUES ($1, $2, NULL, true, $3::jsonb, $4, $5, $6, 'standard') ON CONFLICT DO NOTHING`,
        [DEFAULT_POLICY_ID, DEFAULT_LADDER.name, JSON.stringify(DEFAULT_LADDER.steps), DEFAULT_LADDER.repeat.times, DEFAULT_LADDER.repeat.after_minutes, DEFAULT_LADDER.reminder_minutes]
      );
      return true;
    });
  }

  /** Policies a scope sees: every one (null), or a tenant's own and the platform's. */
  async list(tenant: string | null): Promise<EscalationPolicy[]> {
    const rows = await this.db.query<PolicyRow>(
      `SELECT ${POLICY_COLUMNS} FROM escalation_policies ${tenant === null ? '' : 'WHERE tenant_id = $1 OR tenant_id IS NULL'} ORDER BY tenant_id NULLS FIRST, name, id`,
      tenant === null ? [] : [tenant]
    );
    return rows.map(toPolicy);
  }

  async get(q: Queryable, id: string): Promise<EscalationPolicy | undefined> {
    const rows = await q.query<PolicyRow>(`SELECT ${POLICY_COLUMNS} FROM escalation_policies WHERE id = $1`, [id]);
    return rows[0] ? toPolicy(rows[0]) : undefined;
  }

  /** The policy a new incident of `tenant` follows: the tenant's default, else the platform's. */
  async defaultFor(q: Queryable, tenant: string | null): Promise<string | null> {
    const rows = await q.query<{ id: string }>(
      `SELECT id FROM escalation_policies WHERE is_default AND (tenant_id = $1 OR tenant_id IS NULL) ORDER BY tenant_id NULLS LAST LIMIT 1`,
      [tenant]
    );
    return rows[0]?.id ?? null;
  }

  async create(id: string | undefined, spec: EscalationPolicySpec): Promise<EscalationPolicy> {
    const pid = id ?? `esc-${randomBytes(6).toString('hex')}`;
    if (!POLICY_ID.test(pid)) {
      throw badRequest('invalid_policy', `id '${pid.slice(0, 80)}' is not valid: 1-63 characters of a-z, 0-9, _ and -, starting with a letter or digit (or leave it out)`);
    }
    checkPolicy(spec);
    const rows = await this.write(spec, () =>
      this.db.query<PolicyRow>(
        `INSERT INTO escalation_policies (id, name, tenant_id, is_default, steps, repeat_times, repeat_after_minutes, reminder_minutes)
         VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8) ON CONFLICT (id) DO NOTHING RETURNING ${POLICY_COLUMNS}`,
        [pid, spec.name, spec.tenant_id, spec.is_default, JSON.stringify(spec.steps), spec.repeat.times, spec.repeat.after_minutes, spec.reminder_minutes]
      )
    );
    if (!rows[0]) {
      throw conflict(`escalation policy '${pid}' already exists: choose another id, or change it with PUT /v1/escalation-policies/${pid}`);
    }
    return toPolicy(rows[0]);
  }

  async replace(id: string, spec: EscalationPolicySpec): Promise<EscalationPolicy> {
    checkPolicy(spec);
    const rows = await this.write(spec, () =>
      this.db.query<PolicyRow>(
        `UPDATE escalation_policies SET name = $2, tenant_id = $3, is_default = $4, steps = $5::jsonb, repeat_times = $6, repeat_after_minutes = $7,
           reminder_minutes = $8, updated_at = now() WHERE id = $1 RETURNING ${POLICY_COLUMNS}`,
        [id, spec.name, spec.tenant_id, spec.is_default, JSON.stringify(spec.steps), spec.repeat.times, spec.repeat.after_minutes, spec.reminder_minutes]
      )
    );
    if (!rows[0]) {
      throw notFound(`escalation policy '${id.slice(0, 80)}' not found: list them with GET /v1/escalation-policies`);
    }
    return toPolicy(rows[0]);
  }

  async remove(id: string): Promise<boolean> {
    return (await this.db.query(`DELETE FROM escalation_policies WHERE id = $1 RETURNING id`, [id])).length > 0;
  }

  private async write<T>(spec: EscalationPolicySpec, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (isUniqueViolation(e)) {
        throw conflict(
          `${spec.tenant_id === null ? 'the platform' : `tenant '${spec.tenant_id}'`} has a default policy already: set is_default false here, or unset it on the other one first`
        );
      }
      if (isForeignKeyViolation(e)) {
        throw badRequest('unknown_tenant', `tenant '${String(spec.tenant_id).slice(0, 80)}' does not exist: create it with POST /v1/tenants, or leave tenant_id null for a platform policy`);
      }
      throw e;
    }
  }
}

/** Who a page goes to: a step's target, or (a reminder) whoever acknowledged. */
export type PageTarget = Target | { type: 'acknowledger'; actor: Actor };

export interface Page {
  incident: { id: string; tenant_id: string | null; title: string; severity: string; state: string; runbook_url: string | null; service: string | null };
  target: PageTarget;
  important: boolean;
  reason: 'escalation' | 'reminder';
  /** the same key never pages twice (it becomes the delivery's idempotency key) */
  key: string;
}

/**
 * What became of a page: `queued` on the platform's delivery (a delivery id to follow in GET /v1/deliveries/:id),
 * `recorded` only (no channel that delivers to this target exists yet), or `failed` (the message could not be sent).
 */
export interface PageOutcome {
  status: 'queued' | 'recorded' | 'failed';
  delivery_id: string | null;
  note: string;
}

/** An incident acknowledged or resolved (by a key, a link, Alertmanager or the ruler): channels that track incidents (PagerDuty) are told. */
export interface StateChange {
  incident: Page['incident'];
  action: 'acknowledge' | 'resolve';
  /** the same key is told once (a part of the deliveries' idempotency keys) */
  key: string;
}

/** What escalation calls to page someone: channels plug in here (issue "Alert management", item 6). */
export interface Notifier {
  page(p: Page): Promise<PageOutcome>;
  /** optional: told after an incident was acknowledged or resolved */
  onStateChange?(c: StateChange): Promise<void>;
}

export function describeTarget(t: PageTarget): string {
  switch (t.type) {
    case 'user':
      return `user ${t.user}`;
    case 'schedule':
      return `whoever is on call in schedule ${t.schedule}`;
    case 'channel':
      return `${t.channel}${t.address ? ` (${t.address})` : t.channel_id ? ` (channel ${t.channel_id})` : ''}`;
    case 'acknowledger':
      return `${t.actor.name ?? t.actor.id ?? t.actor.type} (who acknowledged)`;
  }
}

/** A policy as a client sends it: defaults left out. */
export interface PolicyInput {
  id?: string;
  name: string;
  tenant_id?: string | null;
  is_default?: boolean;
  steps: Array<{ wait_minutes: number; targets: Target[]; important?: boolean }>;
  repeat?: { times: number; after_minutes: number };
  reminder_minutes?: number | null;
}

/**
 * The policies as a key may see and change them: admin and viewer keys every policy; a tenant's keys their own
 * tenant's and (read only) the platform's. Another tenant's policy is not found, never forbidden.
 */
export class ScopedPolicies {
  constructor(private readonly repo: EscalationPolicyRepo, private readonly db: MetadataDb) {}

  /** set by on-call (services.ts): whether a policy of `owner` may name the schedule; without it schedules are not checked */
  scheduleCheck?: (id: string, owner: string | null) => Promise<boolean>;

  list(tenant: string | null): Promise<EscalationPolicy[]> {
    return this.repo.list(tenant);
  }

  async get(id: string, tenant: string | null): Promise<EscalationPolicy> {
    const p = POLICY_ID.test(id) ? await this.repo.get(this.db, id) : undefined;
    if (!p || (tenant !== null && p.tenant_id !== null && p.tenant_id !== tenant)) {
      throw notFound(`escalation policy '${id.slice(0, 80)}' not found${tenant ? ` for tenant '${tenant}'` : ''}: list them with GET /v1/escalation-policies`);
    }
    return p;
  }

  async create(input: PolicyInput, tenant: string | null): Promise<EscalationPolicy> {
    return this.repo.create(input.id, await this.checkSchedules(this.spec(input, tenant)));
  }

  async replace(id: string, input: PolicyInput, tenant: string | null): Promise<EscalationPolicy> {
    this.writable(await this.get(id, tenant), tenant);
    return this.repo.replace(id, await this.checkSchedules(this.spec(input, tenant)));
  }

  async remove(id: string, tenant: string | null): Promise<{ id: string }> {
    this.writable(await this.get(id, tenant), tenant);
    await this.repo.remove(id);
    return { id };
  }

  /** Every schedule a step names exists for the policy's tenant (its own or the platform's; a platform policy: the platform's). */
  private async checkSchedules(spec: EscalationPolicySpec): Promise<EscalationPolicySpec> {
    const check = this.scheduleCheck;
    if (check) {
      for (const [i, s] of spec.steps.entries()) {
        for (const t of s.targets) {
          if (t.type === 'schedule' && !(await check(t.schedule, spec.tenant_id))) {
            throw badRequest(
              'unknown_schedule',
              `steps[${i}] names schedule '${t.schedule.slice(0, 80)}', which ${spec.tenant_id === null ? 'the platform does not have (a platform policy pages platform schedules only)' : `tenant '${spec.tenant_id}' does not have`}: create it with POST /v1/oncall/schedules, or list them with GET /v1/oncall/schedules`
            );
          }
        }
      }
    }
    return spec;
  }

  private writable(p: EscalationPolicy, tenant: string | null): void {
    if (tenant !== null && p.tenant_id === null) {
      throw new CaasError('forbidden', 'forbidden', `'${p.id}' is a platform policy: admins change it; create one for tenant '${tenant}' instead`);
    }
  }

  private spec(input: PolicyInput, tenant: string | null): EscalationPolicySpec {
    const owner = tenant ?? input.tenant_id ?? null;
    if (tenant !== null && input.tenant_id !== undefined && input.tenant_id !== tenant) {
      throw new CaasError('forbidden', 'forbidden', `this key belongs to tenant '${tenant}' and cannot write policies for ${input.tenant_id === null ? 'the platform' : `tenant '${input.tenant_id}'`}`);
    }
    return {
      name: input.name,
      tenant_id: owner,
      is_default: input.is_default ?? false,
      steps: input.steps.map((s) => ({ wait_minutes: s.wait_minutes, targets: s.targets, important: s.important ?? false })),
      repeat: input.repeat ?? { times: 0, after_minutes: 15 },
      reminder_minutes: input.reminder_minutes ?? null,
    };
  }
}
