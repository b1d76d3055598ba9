import { createHash, randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { ActionLinks } from '../../auth/action-links.js';
import type { SecretBox } from '../../auth/secret-box.js';
import type { Delivery } from '../../contracts/delivery.js';
import type { OutboundMessage } from '../../delivery/message.js';
import type { DeliveryService } from '../../delivery/service.js';
import { badRequest, CaasError, notFound } from '../../errors.js';
import { isoSql, type MetadataDb } from '../../store/metadata-db.js';
import { alertsOf } from '../incidents/store.js';
import { messagesFor, type ChannelTarget, type Notice, type NoticeEvent, type NoticeIncident } from './messages.js';
import { CHANNEL_ID, checkChannel, secretHint, type Channel, type ChannelInput, type ChannelKind, type ChannelSecret, type ChannelSettings } from './model.js';

interface Row {
  id: string;
  tenant_id: string | null;
  kind: ChannelKind;
  name: string;
  enabled: boolean;
  settings: ChannelSettings | string;
  secret: string | null;
  secret_hint: string | null;
  created_at: string;
  updated_at: string;
}

const COLUMNS = `id, tenant_id, kind, name, enabled, settings, secret, secret_hint, ${isoSql('created_at')}, ${isoSql('updated_at')}`;
const json = <T>(v: T | string): T => (typeof v === 'string' ? (JSON.parse(v) as T) : v);

const toChannel = (r: Row): Channel => ({
  id: r.id,
  tenant_id: r.tenant_id,
  kind: r.kind,
  name: r.name,
  enabled: r.enabled,
  settings: json(r.settings),
  secret: { set: r.secret !== null, hint: r.secret_hint },
  created_at: r.created_at,
  updated_at: r.updated_at,
});

/** One delivery a channel made: the delivery log's entry and what it was for. */
export interface ChannelDelivery extends Delivery {
  channel_id: string;
  incident_id: string | null;
  event: string;
  test: boolean;
}

/** What one send to a channel became: the deliveries queued (one, or one per number), or why none was. */
export interface ChannelSend {
  channel: { id: string; kind: ChannelKind; name: string };
  deliveries: Delivery[];
  error: string | null;
}

export interface ChannelServiceOptions {
  db: MetadataDb;
  secrets: SecretBox;
  deliveries: Pick<DeliveryService, 'send' | 'get'>;
  actionLinks: ActionLinks;
  /** PUBLIC_URL */
  publicUrl: string;
  /** DELIVERY_ALLOW_PRIVATE: URLs on private addresses are accepted */
  allowPrivate: boolean;
  log: Logger;
}

const isForeignKeyViolation = (e: unknown) => (e as { code?: unknown }).code === '23503';

/** An idempotency key of at most 200 characters: long ones end in a hash of their tail. */
export function boundedKey(key: string): string {
  return key.length <= 200 ? key : `${key.slice(0, 150)}#${createHash('sha256').update(key).digest('hex').slice(0, 40)}`;
}

/**
 * Alert channels (issue "Alert management", item 6) in the metadata store (migration 14), secrets sealed; sending a
 * notice to a channel through the platform's delivery (jobs, retries, idempotency keys, delivery log), each delivery
 * recorded with its channel so a channel shows its own log. Scoped like escalation policies, but stricter: a tenant's
 * keys see only that tenant's channels (another tenant's, or the platform's, is a 404).
 */
export class ChannelService {
  private readonly log: Logger;

  constructor(private readonly o: ChannelServiceOptions) {
    this.log = o.log.child({ component: 'channels' });
  }

  // ---- CRUD ----

  async list(tenant: string | null): Promise<Channel[]> {
    const rows = await this.o.db.query<Row>(
      `SELECT ${COLUMNS} FROM alert_channels ${tenant === null ? '' : 'WHERE tenant_id = $1'} ORDER BY tenant_id NULLS FIRST, kind, name, id`,
      tenant === null ? [] : [tenant]
    );
    return rows.map(toChannel);
  }

  private async row(id: string, tenant: string | null): Promise<Row> {
    const r = CHANNEL_ID.test(id) ? (await this.o.db.query<Row>(`SELECT ${COLUMNS} FROM alert_channels WHERE id = $1`, [id]))[0] : undefined;
    if (!r || (tenant !== null && r.tenant_id !== tenant)) {
      throw notFound(`channel '${id.slice(0, 80)}' not found${tenant ? ` for tenant '${tenant}'` : ''}: list them with GET /v1/alerts/channels`);
    }
    return r;
  }

  async get(id: string, tenant: string | null): Promise<Channel> {
    return toChannel(await this.row(id, tenant));
  }

  private owner(input: ChannelInput, tenant: string | null): string | null {
    if (tenant !== null && input.tenant_id !== undefined && input.tenant_id !== tenant) {
      throw new CaasError('forbidden', 'forbidden', `this key belongs to tenant '${tenant}' and cannot write channels for ${input.tenant_id === null ? 'the platform' : `tenant '${input.tenant_id}'`}`);
    }
    return tenant ?? input.tenant_id ?? null;
  }

  async create(input: ChannelInput, tenant: string | null): Promise<Channel> {
    const owner = this.owner(input, tenant);
    const { settings, secret } = checkChannel(input, { allowPrivate: this.o.allowPrivate });
    const id = `ch_${randomBytes(8).toString('hex')}`;
    const hasSecret = Object.keys(secret).length > 0;
    try {
      const rows = await this.o.db.query<Row>(
        `INSERT INTO alert_channels (id, tenant_id, kind, name, enabled, settings, secret, secret_hint) VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8) RETURNING ${COLUMNS}`,
        [id, owner, input.kind, input.name, input.enabled ?? true, JSON.stringify(settings), hasSecret ? this.o.secrets.seal(JSON.stringify(secret)) : null, hasSecret ? secretHint(input.kind, secret) : null]
      );
      return toChannel(rows[0] as Row);
    } catch (e) {
      if (isForeignKeyViolation(e)) {
        throw badRequest('unknown_tenant', `tenant '${String(owner).slice(0, 80)}' does not exist: create it with POST /v1/tenants, or leave tenant_id null for a platform channel`);
      }
      throw e;
    }
  }

  /** Replaces a channel; a body without `secret` keeps the stored one. The kind and the owner do not change. */
  async replace(id: string, input: ChannelInput, tenant: string | null): Promise<Channel> {
    const r = await this.row(id, tenant);
    if (input.kind !== r.kind) {
      throw badRequest('invalid_channel', `kind cannot change (this is a ${r.kind} channel): create a new ${input.kind} channel instead`);
    }
    if (input.tenant_id !== undefined && input.tenant_id !== r.tenant_id) {
      throw badRequest('invalid_channel', `tenant_id cannot change (this channel belongs to ${r.tenant_id === null ? 'the platform' : `tenant '${r.tenant_id}'`})`);
    }
    const { settings, secret } = checkChannel(input, { allowPrivate: this.o.allowPrivate, storedSecret: this.secretOf(r) });
    const hasSecret = Object.keys(secret).length > 0;
    const rows = await this.o.db.query<Row>(
      `UPDATE alert_channels SET name = $2, enabled = $3, settings = $4::jsonb, secret = $5, secret_hint = $6, updated_at = now() WHERE id = $1 RETURNING ${COLUMNS}`,
      [id, input.name, input.enabled ?? true, JSON.stringify(settings), hasSecret ? this.o.secrets.seal(JSON.stringify(secret)) : null, hasSecret ? secretHint(r.kind, secret) : null]
    );
    return toChannel(rows[0] as Row);
  }

  async remove(id: string, tenant: string | null): Promise<{ id: string }> {
    await this.row(id, tenant);
    await this.o.db.query(`DELETE FROM alert_channels WHERE id = $1`, [id]);
    return { id };
  }

  private secretOf(r: Row): ChannelSecret {
    return r.secret === null ? {} : (JSON.parse(this.o.secrets.open(r.secret, `the secret of channel '${r.id}'`)) as ChannelSecret);
  }

  private target(r: Row): ChannelTarget {
    return { id: r.id, kind: r.kind, name: r.name, settings: json(r.settings), secret: this.secretOf(r) };
  }

  /** Every channel with its secret opened: for the generated alertmanager.yml's native receivers. */
  async allTargets(): Promise<Array<ChannelTarget & { tenant_id: string | null; enabled: boolean }>> {
    const rows = await this.o.db.query<Row>(`SELECT ${COLUMNS} FROM alert_channels ORDER BY tenant_id NULLS FIRST, kind, name, id`);
    return rows.map((r) => ({ ...this.target(r), tenant_id: r.tenant_id, enabled: r.enabled }));
  }

  // ---- sending ----

  /**
   * The enabled channels an incident of `tenant` pages for `kind`: the tenant's own, else the platform's. With `channelId`,
   * that channel only (when it is one the incident may use).
   */
  async forIncident(kind: ChannelKind, tenant: string | null, channelId?: string): Promise<ChannelTarget[]> {
    const rows = await this.o.db.query<Row>(
      `SELECT ${COLUMNS} FROM alert_channels WHERE enabled AND kind = $1 AND (tenant_id = $2 OR tenant_id IS NULL) ${channelId ? 'AND id = $3' : ''} ORDER BY tenant_id NULLS LAST, name, id`,
      channelId ? [kind, tenant, channelId] : [kind, tenant]
    );
    const own = rows.filter((r) => r.tenant_id !== null && r.tenant_id === tenant);
    return (channelId ? rows : own.length ? own : rows.filter((r) => r.tenant_id === null)).map((r) => this.target(r));
  }

  /** The PagerDuty channels that were sent a trigger for this incident. */
  async triggeredPagerDuty(incidentId: string): Promise<ChannelTarget[]> {
    const rows = await this.o.db.query<Row>(
      `SELECT ${COLUMNS} FROM alert_channels c WHERE c.kind = 'pagerduty'
         AND EXISTS (SELECT 1 FROM channel_deliveries d WHERE d.channel_id = c.id AND d.incident_id = $1 AND d.event = 'trigger' AND NOT d.test) ORDER BY c.id`,
      [incidentId]
    );
    return rows.map((r) => this.target(r));
  }

  /** A notice about an incident with its links and alerts. */
  async notice(incident: NoticeIncident, event: NoticeEvent, o: { important: boolean; reason: Notice['reason']; linkFor: string; test?: boolean }): Promise<Notice> {
    const test = o.test ?? false;
    const links =
      event === 'trigger' && !test
        ? {
            acknowledge: (await this.o.actionLinks.sign(incident.id, 'acknowledge', o.linkFor)).url,
            resolve: (await this.o.actionLinks.sign(incident.id, 'resolve', o.linkFor)).url,
          }
        : null;
    const alerts = test ? [] : ((await alertsOf(this.o.db, [incident.id])).get(incident.id) ?? []);
    return { incident, event, important: o.important, reason: o.reason, links, incidentUrl: this.incidentUrl(incident.id), alerts, test };
  }

  incidentUrl(id: string): string {
    return `${this.o.publicUrl.replace(/\/+$/, '')}/v1/incidents/${encodeURIComponent(id)}`;
  }

  /** Sends a notice to a channel (one delivery, or one per number), each recorded with the channel. Never throws for a refused message. */
  async send(c: ChannelTarget, tenant: string | null, n: Notice, key: string): Promise<ChannelSend> {
    const out: ChannelSend = { channel: { id: c.id, kind: c.kind, name: c.name }, deliveries: [], error: null };
    try {
      for (const { message, suffix } of messagesFor(c, n)) {
        const d = await this.deliver(message, tenant, boundedKey(`${key}:${c.id}${suffix}`));
        await this.o.db.query(
          `INSERT INTO channel_deliveries (delivery_id, channel_id, incident_id, event, test) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (delivery_id) DO NOTHING`,
          [d.id, c.id, n.test ? null : n.incident.id, n.event, n.test]
        );
        out.deliveries.push(d);
      }
    } catch (e) {
      if (!(e instanceof CaasError)) {
        this.log.warn({ err: e, channel: c.id }, 'a channel message was not queued');
      }
      out.error = e instanceof Error ? e.message : String(e);
    }
    return out;
  }

  /** An ad-hoc message (a responder's email or phone) through delivery, not recorded with a channel. */
  async deliver(message: OutboundMessage, tenant: string | null, key: string): Promise<Delivery> {
    return (await this.o.deliveries.send(message, { tenantId: tenant, idempotencyKey: boundedKey(key) })).delivery;
  }

  /** POST /v1/alerts/channels/:id/test: a real message, marked as a test, through the same path. */
  async test(id: string, tenant: string | null): Promise<{ channel_id: string; delivery_id: string; delivery_ids: string[] }> {
    const r = await this.row(id, tenant);
    const c = this.target(r);
    const incident: NoticeIncident = {
      id: 'inc_0000000000000000',
      tenant_id: r.tenant_id,
      title: `Test of channel ${r.name}`,
      severity: 'info',
      state: 'triggered',
      runbook_url: null,
      service: 'caas-observatory',
    };
    const n = await this.notice(incident, 'trigger', { important: false, reason: 'test', linkFor: r.name, test: true });
    const sent = await this.send(c, r.tenant_id, n, `channel-test:${randomBytes(8).toString('hex')}`);
    if (sent.error !== null || sent.deliveries.length === 0) {
      throw badRequest('channel_not_sendable', `the test message to channel '${r.name}' could not be queued: ${sent.error ?? 'no recipients'}`);
    }
    const ids = sent.deliveries.map((d) => d.id);
    return { channel_id: r.id, delivery_id: ids[0] as string, delivery_ids: ids };
  }

  /** GET /v1/alerts/channels/:id/deliveries: the channel's deliveries, newest first, as the delivery log has them. */
  async deliveries(id: string, tenant: string | null, limit = 50): Promise<ChannelDelivery[]> {
    await this.row(id, tenant);
    const rows = await this.o.db.query<{ delivery_id: string; incident_id: string | null; event: string; test: boolean }>(
      `SELECT delivery_id, incident_id, event, test FROM channel_deliveries WHERE channel_id = $1 ORDER BY created_at DESC, delivery_id DESC LIMIT $2`,
      [id, limit]
    );
    const out: ChannelDelivery[] = [];
    for (const r of rows) {
      const d = await this.o.deliveries.get(r.delivery_id, null);
      if (d) {
        out.push({ ...d, channel_id: id, incident_id: r.incident_id, event: r.event, test: r.test });
      }
    }
    return out;
  }
}
