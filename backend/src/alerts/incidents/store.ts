import { randomBytes } from 'node:crypto';
import { isoSql, type Queryable } from '../../store/metadata-db.js';
import { factsOf, type Actor, type CheckedAlert, type CheckedNotification, type IncidentState, type Via } from './model.js';

/**
 * The incidents' SQL (migration 12): notifications, incidents, their alerts and timeline. Every function takes
 * the connection or transaction to run on; the service decides the transactions and the locks.
 */

/** Advisory lock class of a group key (two-key form: its own key space beside the single-key locks). */
export const GROUP_LOCK_CLASS = 7_201_812;

export const lockGroup = (tx: Queryable, groupKey: string) => tx.query('SELECT pg_advisory_xact_lock($1::integer, hashtext($2))', [GROUP_LOCK_CLASS, groupKey]);

const json = <T>(v: unknown): T => (typeof v === 'string' ? (JSON.parse(v) as T) : (v as T));

export interface IncidentRow {
  id: string;
  seq: string;
  group_key: string;
  tenant_id: string | null;
  state: IncidentState;
  title: string;
  severity: string;
  service: string | null;
  summary: string | null;
  description: string | null;
  runbook_url: string | null;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  via: Via;
  receiver: string;
  external_url: string;
  created_at: string;
  updated_at: string;
  acknowledged_at: string | null;
  acknowledged_by: Actor | null;
  resolved_at: string | null;
  resolved_by: Actor | null;
  snoozed_until: string | null;
  postmortem: string | null;
  postmortem_at: string | null;
  postmortem_by: Actor | null;
  escalation_policy_id: string | null;
  escalation_generation: number;
  escalation_next_pass: number | null;
  escalation_next_step: number | null;
  escalation_next_at: string | null;
  escalation_job_id: string | null;
  alerts_firing: number;
  alerts_total: number;
}

export const INCIDENT_COLUMNS = `i.id, i.seq::text AS seq, i.group_key, i.tenant_id, i.state, i.title, i.severity, i.service, i.summary, i.description,
  i.runbook_url, i.labels, i.annotations, i.via, i.receiver, i.external_url, ${isoSql('i.created_at')}, ${isoSql('i.updated_at')},
  ${isoSql('i.acknowledged_at')}, i.acknowledged_by, ${isoSql('i.resolved_at')}, i.resolved_by, ${isoSql('i.snoozed_until')},
  i.postmortem, ${isoSql('i.postmortem_at')}, i.postmortem_by, i.escalation_policy_id, i.escalation_generation, i.escalation_next_pass,
  i.escalation_next_step, ${isoSql('i.escalation_next_at')}, i.escalation_job_id,
  (SELECT count(*)::int FROM incident_alerts a WHERE a.incident_id = i.id AND a.status = 'firing') AS alerts_firing,
  (SELECT count(*)::int FROM incident_alerts a WHERE a.incident_id = i.id) AS alerts_total`;

export function toIncidentRow(r: IncidentRow): IncidentRow {
  return {
    ...r,
    labels: json(r.labels),
    annotations: json(r.annotations),
    acknowledged_by: json(r.acknowledged_by),
    resolved_by: json(r.resolved_by),
    postmortem_by: json(r.postmortem_by),
    escalation_generation: Number(r.escalation_generation),
    alerts_firing: Number(r.alerts_firing),
    alerts_total: Number(r.alerts_total),
  };
}

export interface AlertRow {
  fingerprint: string;
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  starts_at: string;
  ends_at: string | null;
  generator_url: string;
  first_seen_at: string;
  updated_at: string;
}

export interface EventRow {
  id: string;
  at: string;
  kind: string;
  actor: Actor;
  message: string;
  detail: Record<string, unknown>;
  notification_id: string | null;
  delivery_id: string | null;
  repeats: number | null;
  last_received_at: string | null;
}

export async function getIncident(q: Queryable, id: string, lock = false): Promise<IncidentRow | undefined> {
  const rows = await q.query<IncidentRow>(`SELECT ${INCIDENT_COLUMNS} FROM incidents i WHERE i.id = $1${lock ? ' FOR UPDATE OF i' : ''}`, [id]);
  return rows[0] ? toIncidentRow(rows[0]) : undefined;
}

export async function alertsOf(q: Queryable, ids: string[]): Promise<Map<string, AlertRow[]>> {
  const out = new Map<string, AlertRow[]>(ids.map((id) => [id, []]));
  if (ids.length === 0) {
    return out;
  }
  const rows = await q.query<AlertRow & { incident_id: string }>(
    `SELECT incident_id, fingerprint, status, labels, annotations, ${isoSql('starts_at')}, ${isoSql('ends_at')}, generator_url,
       ${isoSql('first_seen_at')}, ${isoSql('updated_at')}
     FROM incident_alerts WHERE incident_id = ANY($1::text[]) ORDER BY incident_id, incident_alerts.status, incident_alerts.starts_at DESC, fingerprint`,
    [ids]
  );
  for (const { incident_id, ...r } of rows) {
    out.get(incident_id)?.push({ ...r, labels: json(r.labels), annotations: json(r.annotations) });
  }
  return out;
}

export async function timelineOf(q: Queryable, id: string): Promise<EventRow[]> {
  const rows = await q.query<EventRow>(
    `SELECT e.id::text AS id, ${isoSql('e.at')}, e.kind, e.actor, e.message, e.detail, e.notification_id::text AS notification_id, e.delivery_id,
       n.repeats, ${isoSql('n.last_received_at')}
     FROM incident_events e LEFT JOIN alert_notifications n ON n.id = e.notification_id
     WHERE e.incident_id = $1 ORDER BY e.id`,
    [id]
  );
  return rows.map((r) => ({ ...r, actor: json(r.actor), detail: json(r.detail), repeats: r.repeats === null ? null : Number(r.repeats) }));
}

export interface NewEvent {
  kind: string;
  actor: Actor;
  message: string;
  detail?: Record<string, unknown>;
  notificationId?: string | null;
  deliveryId?: string | null;
  /** the event is recorded once per incident with this key (escalation pages, reminders) */
  onceKey?: string;
}

/** Appends to an incident's timeline; false when an event with the same once-key is there already. */
export async function addEvent(q: Queryable, incidentId: string, e: NewEvent): Promise<boolean> {
  const rows = await q.query(
    `INSERT INTO incident_events (incident_id, kind, actor, message, detail, notification_id, delivery_id, once_key)
     VALUES ($1, $2, $3::jsonb, $4, $5::jsonb, $6, $7, $8) ON CONFLICT DO NOTHING RETURNING id`,
    [incidentId, e.kind, JSON.stringify(e.actor), e.message, JSON.stringify(e.detail ?? {}), e.notificationId ?? null, e.deliveryId ?? null, e.onceKey ?? null]
  );
  return rows.length > 0;
}

export interface ListFilter {
  /** null: every tenant and the platform */
  tenant: string | null;
  states?: IncidentState[];
  severity?: string;
  /** opened at or after (epoch ms) */
  since?: number;
  /** incidents older than this one (its seq): the next page */
  before?: string;
  limit: number;
}

export async function listIncidents(q: Queryable, f: ListFilter): Promise<IncidentRow[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  const p = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  if (f.tenant !== null) {
    where.push(`i.tenant_id = ${p(f.tenant)}`);
  }
  if (f.states?.length) {
    where.push(`i.state = ANY(${p(f.states)}::text[])`);
  }
  if (f.severity !== undefined) {
    where.push(`i.severity = ${p(f.severity)}`);
  }
  if (f.since !== undefined) {
    where.push(`i.created_at >= ${p(new Date(f.since).toISOString())}::timestamptz`);
  }
  if (f.before !== undefined) {
    where.push(`i.seq < ${p(f.before)}::bigint`);
  }
  const rows = await q.query<IncidentRow>(
    `SELECT ${INCIDENT_COLUMNS} FROM incidents i ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY i.seq DESC LIMIT ${p(f.limit)}`,
    params
  );
  return rows.map(toIncidentRow);
}

/** What applying one notification did, for the work that follows the transaction (escalations to start or stop). */
export interface Applied {
  opened: string[];
  resolved: string[];
  touched: string[];
}

interface Known {
  fingerprint: string;
  incident_id: string;
  status: 'firing' | 'resolved';
  starts_ms: string;
  state: IncidentState;
}

const viaActor = (via: Via): Actor => ({ type: via, id: null, name: null });
const newIncidentId = () => `inc_${randomBytes(8).toString('hex')}`;
const count = (alerts: CheckedAlert[], s: 'firing' | 'resolved') => alerts.filter((a) => a.status === s).length;

/**
 * Applies one stored notification to the incidents, inside the caller's transaction holding its group's lock.
 * Alerts are split by tenant (their tenant_id label; none: the platform), so an incident only ever holds one
 * tenant's alerts. Per part: alerts older than what is known of their fingerprint are stale (a retry that arrives
 * late) and ignored; the open incident of (group key, tenant) takes the rest, or a new one opens when one fires;
 * the part resolves its incident when its alerts are all resolved and none is left firing, or when the whole group is
 * resolved (Alertmanager's word that every alert of it is, those it left out too).
 */
export async function applyNotification(tx: Queryable, notificationId: string, n: CheckedNotification, via: Via, defaultPolicy: (tenant: string | null) => Promise<string | null>): Promise<Applied> {
  const applied: Applied = { opened: [], resolved: [], touched: [] };
  const parts = new Map<string | null, CheckedAlert[]>();
  for (const a of n.alerts) {
    const list = parts.get(a.tenant) ?? [];
    list.push(a);
    parts.set(a.tenant, list);
  }
  const actor = viaActor(via);
  for (const [tenant, alerts] of parts) {
    const tenantKey = tenant ?? '';
    const known = new Map(
      (
        await tx.query<Known>(
          `SELECT DISTINCT ON (a.fingerprint) a.fingerprint, a.incident_id, a.status, (extract(epoch FROM a.starts_at) * 1000)::bigint::text AS starts_ms, i.state
           FROM incident_alerts a JOIN incidents i ON i.id = a.incident_id
           WHERE i.group_key = $1 AND i.tenant_key = $2 AND a.fingerprint = ANY($3::text[])
           ORDER BY a.fingerprint, a.starts_at DESC, i.seq DESC`,
          [n.groupKey, tenantKey, alerts.map((a) => a.fingerprint)]
        )
      ).map((k) => [k.fingerprint, k])
    );
    const current = alerts.filter((a) => {
      const k = known.get(a.fingerprint);
      if (!k) {
        return true;
      }
      const ks = Number(k.starts_ms);
      return a.startsAt > ks || (a.startsAt === ks && !(k.status === 'resolved' && a.status === 'firing'));
    });
    const stale = alerts.length - current.length;
    const open = (
      await tx.query<{ id: string }>(`SELECT id FROM incidents WHERE group_key = $1 AND tenant_key = $2 AND state <> 'resolved' FOR UPDATE`, [n.groupKey, tenantKey])
    )[0];
    let incidentId: string;
    if (open) {
      incidentId = open.id;
    } else if (current.some((a) => a.status === 'firing')) {
      incidentId = newIncidentId();
      const facts = factsOf(current, n.groupLabels);
      await tx.query(
        `INSERT INTO incidents (id, group_key, tenant_id, tenant_key, state, title, severity, service, summary, description, runbook_url, labels, annotations,
           via, receiver, external_url, escalation_policy_id)
         VALUES ($1, $2, $3, $4, 'triggered', $5, $6, $7, $8, $9, $10, $11::jsonb, $12::jsonb, $13, $14, $15, $16)`,
        [
          incidentId,
          n.groupKey,
          tenant,
          tenantKey,
          facts.title,
          facts.severity,
          facts.service,
          facts.summary,
          facts.description,
          facts.runbook_url,
          JSON.stringify(facts.labels),
          JSON.stringify(facts.annotations),
          via,
          n.receiver,
          n.externalURL,
          await defaultPolicy(tenant),
        ]
      );
      await addEvent(tx, incidentId, {
        kind: 'triggered',
        actor,
        message: `opened by a ${via === 'alertmanager' ? "notification of Alertmanager's" : 'notification of the ruler for'} group ${n.groupKey.slice(0, 200)}`,
        detail: { group_key: n.groupKey, firing: count(current, 'firing') },
        notificationId,
      });
      applied.opened.push(incidentId);
    } else {
      // Resolved alerts and no open incident: they close what the last incident of the group still shows as firing.
      const byIncident = new Map<string, CheckedAlert[]>();
      for (const a of current) {
        const k = known.get(a.fingerprint);
        if (k && Number(k.starts_ms) === a.startsAt) {
          byIncident.set(k.incident_id, [...(byIncident.get(k.incident_id) ?? []), a]);
        }
      }
      for (const [id, list] of byIncident) {
        await upsertAlerts(tx, id, list);
        await addEvent(tx, id, {
          kind: 'notification',
          actor,
          message: `${n.status} notification after the incident was resolved: ${list.length} alert(s) resolved`,
          detail: { status: n.status, firing: 0, resolved: list.length, stale, receiver: n.receiver },
          notificationId,
        });
        applied.touched.push(id);
      }
      continue;
    }
    await upsertAlerts(tx, incidentId, current);
    if (open) {
      await addEvent(tx, incidentId, {
        kind: 'notification',
        actor,
        message: `${n.status} notification: ${count(current, 'firing')} firing, ${count(current, 'resolved')} resolved${stale ? `, ${stale} stale ignored` : ''}`,
        detail: { status: n.status, firing: count(current, 'firing'), resolved: count(current, 'resolved'), stale, receiver: n.receiver },
        notificationId,
      });
    }
    await refreshFacts(tx, incidentId, n);
    const partResolved = alerts.every((a) => a.status === 'resolved');
    if (partResolved) {
      const stillFiring = (await tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM incident_alerts WHERE incident_id = $1 AND status = 'firing'`, [incidentId]))[0]?.n ?? 0;
      if (Number(stillFiring) === 0 || n.status === 'resolved') {
        if (Number(stillFiring) > 0) {
          await tx.query(`UPDATE incident_alerts SET status = 'resolved', ends_at = now(), updated_at = now() WHERE incident_id = $1 AND status = 'firing'`, [incidentId]);
        }
        await tx.query(
          `UPDATE incidents SET state = 'resolved', resolved_at = now(), resolved_by = $2::jsonb, snoozed_until = NULL, updated_at = now(),
             escalation_generation = escalation_generation + 1, escalation_next_pass = NULL, escalation_next_step = NULL, escalation_next_at = NULL
           WHERE id = $1`,
          [incidentId, JSON.stringify(actor)]
        );
        await addEvent(tx, incidentId, {
          kind: 'resolved',
          actor,
          message: `resolved: ${n.status === 'resolved' ? 'the group is resolved' : "the group's alerts of this incident are resolved"}${Number(stillFiring) > 0 ? ` (${stillFiring} alert(s) missing from the notification marked resolved with it)` : ''}`,
          notificationId,
        });
        applied.resolved.push(incidentId);
        continue;
      }
    }
    if (open) {
      applied.touched.push(incidentId);
    }
  }
  return applied;
}

async function upsertAlerts(tx: Queryable, incidentId: string, alerts: CheckedAlert[]): Promise<void> {
  for (const a of alerts) {
    await tx.query(
      `INSERT INTO incident_alerts (incident_id, fingerprint, status, labels, annotations, starts_at, ends_at, generator_url)
       VALUES ($1, $2, $3, $4::jsonb, $5::jsonb, $6::timestamptz, $7::timestamptz, $8)
       ON CONFLICT (incident_id, fingerprint) DO UPDATE SET status = EXCLUDED.status, labels = EXCLUDED.labels, annotations = EXCLUDED.annotations,
         starts_at = EXCLUDED.starts_at, ends_at = EXCLUDED.ends_at, generator_url = EXCLUDED.generator_url, updated_at = now()
       WHERE incident_alerts.starts_at < EXCLUDED.starts_at
          OR (incident_alerts.starts_at = EXCLUDED.starts_at AND NOT (incident_alerts.status = 'resolved' AND EXCLUDED.status = 'firing'))`,
      [
        incidentId,
        a.fingerprint,
        a.status,
        JSON.stringify(a.labels),
        JSON.stringify(a.annotations),
        new Date(a.startsAt).toISOString(),
        a.endsAt === null ? null : new Date(a.endsAt).toISOString(),
        a.generatorURL,
      ]
    );
  }
}

/** Title, severity, service and runbook from every alert the incident holds now; where it came from last. */
async function refreshFacts(tx: Queryable, incidentId: string, n: CheckedNotification): Promise<void> {
  const alerts = (await tx.query<{ status: 'firing' | 'resolved'; labels: unknown; annotations: unknown }>(`SELECT status, labels, annotations FROM incident_alerts WHERE incident_id = $1`, [incidentId])).map(
    (r) => ({ status: r.status, labels: json<Record<string, string>>(r.labels), annotations: json<Record<string, string>>(r.annotations) })
  );
  const f = factsOf(alerts, n.groupLabels);
  await tx.query(
    `UPDATE incidents SET title = $2, severity = $3, service = $4, summary = $5, description = $6, runbook_url = $7, labels = $8::jsonb, annotations = $9::jsonb,
       receiver = $10, external_url = $11, updated_at = now() WHERE id = $1`,
    [incidentId, f.title, f.severity, f.service, f.summary, f.description, f.runbook_url, JSON.stringify(f.labels), JSON.stringify(f.annotations), n.receiver, n.externalURL]
  );
}
