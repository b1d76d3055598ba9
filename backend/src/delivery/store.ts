import { randomBytes } from 'node:crypto';
import type { Delivery, DeliveryKind, DeliveryStatus } from '../contracts/delivery.js';
import { storableText } from '../ingest/dead-letters.js';
import { isoSql, type Queryable } from '../store/metadata-db.js';
import { SecretBox } from '../auth/secret-box.js';
import type { StoredMessage } from './message.js';

/**
 * The delivery log in the metadata store (migration 6), the same SQL on PGlite and on a PostgreSQL
 * server. A row is claimed by (tenant, idempotency key) when a message is sent: a second send with
 * the same key finds the row and sends nothing. The message itself (body, attachments, any signing
 * secret) waits in `message` until the delivery is sent or has failed, then is dropped: the log
 * keeps where, what kind, how it went, never what was said.
 */
export const newDeliveryId = () => `dlv_${randomBytes(12).toString('hex')}`;

/** A delivery as the handler needs it: its view, what to send and when it may be tried. */
export interface LoadedDelivery {
  view: Delivery;
  /** the stored status (the view's may say failed when its job was cancelled) */
  stored: DeliveryStatus;
  message: StoredMessage | null;
  /** epoch ms before which the receiver asked not to be tried again (Retry-After) */
  notBefore: number | null;
}

interface Row extends Delivery {
  stored: DeliveryStatus;
  message?: unknown;
  not_before_ms?: string | null;
}

// A delivery whose job was cancelled, or failed without its handler saying so (its instance died
// on the last attempt), reads as failed with the job's reason.
const VIEW = `
  SELECT d.id, d.tenant_id, d.kind, d.destination, d.idempotency_key,
    CASE WHEN d.status IN ('queued', 'sending') AND j.state IN ('failed', 'cancelled') THEN 'failed' ELSE d.status END AS status,
    d.status AS stored, d.attempts,
    CASE WHEN d.status IN ('queued', 'sending') AND j.state = 'cancelled' THEN 'its job was cancelled' || COALESCE(' (last error: ' || d.last_error || ')', '')
         WHEN d.status IN ('queued', 'sending') AND j.state = 'failed' THEN COALESCE(j.last_error, d.last_error)
         ELSE d.last_error END AS last_error,
    d.response_status, d.job_id::text AS job_id, ${isoSql('d.created_at')}, ${isoSql('d.sent_at')},
    d.created_at AS created_raw
  FROM deliveries d LEFT JOIN jobs j ON j.id = d.job_id`;

const toView = (r: Row): Delivery => ({
  id: r.id,
  tenant_id: r.tenant_id,
  kind: r.kind,
  destination: r.destination,
  idempotency_key: r.idempotency_key,
  status: r.status,
  attempts: r.attempts,
  last_error: r.last_error,
  response_status: r.response_status,
  job_id: r.job_id,
  created_at: r.created_at,
  sent_at: r.sent_at,
});

const errorText = (s: string) => storableText(s.length > 2000 ? `${s.slice(0, 2000)}…` : s);

export class DeliveryRepo {
  constructor(
    private readonly db: Queryable,
    /** seals a message while it waits (a Slack webhook URL, a signing secret, a provider's Basic auth are in it) */
    private readonly box?: SecretBox
  ) {}

  /** Claims (tenant, key) for a new delivery; when it is taken, answers the delivery that holds it. */
  async insert(d: { id: string; tenantId: string | null; key: string; kind: DeliveryKind; destination: string; message: StoredMessage }): Promise<{ view: Delivery; created: boolean }> {
    const rows = await this.db.query<{ id: string }>(
      `INSERT INTO deliveries (id, tenant_id, idempotency_key, kind, destination, message)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb)
       ON CONFLICT ((COALESCE(tenant_id, '')), idempotency_key) DO NOTHING
       RETURNING id`,
      [d.id, d.tenantId, d.key, d.kind, d.destination, JSON.stringify(this.box ? this.box.seal(JSON.stringify(d.message)) : d.message)]
    );
    if (rows[0]) {
      return { view: (await this.get(d.id, null)) as Delivery, created: true };
    }
    const existing = await this.db.query<Row>(`SELECT * FROM (${VIEW}) v WHERE v.id = (SELECT id FROM deliveries WHERE COALESCE(tenant_id, '') = $1 AND idempotency_key = $2)`, [
      d.tenantId ?? '',
      d.key,
    ]);
    if (!existing[0]) {
      throw new Error(`delivery key ${d.key} is taken but its delivery is gone`);
    }
    return { view: toView(existing[0]), created: false };
  }

  /** Records the job that sends it (the first one: a repair enqueue never replaces it). */
  async setJob(id: string, jobId: string): Promise<void> {
    await this.db.query('UPDATE deliveries SET job_id = $2::uuid WHERE id = $1 AND job_id IS NULL', [id, jobId]);
  }

  async load(id: string): Promise<LoadedDelivery | null> {
    const rows = await this.db.query<Row>(
      `SELECT v.*, d.message, (extract(epoch FROM d.not_before) * 1000)::bigint::text AS not_before_ms
       FROM (${VIEW}) v JOIN deliveries d ON d.id = v.id WHERE v.id = $1`,
      [id]
    );
    const r = rows[0];
    if (!r) {
      return null;
    }
    // jsonb comes back parsed (pg) or as its text (PGlite); a sealed message is a JSON string of the sealed text
    let message: unknown = r.message ?? null;
    if (typeof message === 'string' && !SecretBox.isSealed(message)) {
      message = JSON.parse(message) as unknown;
    }
    if (typeof message === 'string' && SecretBox.isSealed(message)) {
      message = JSON.parse(this.box ? this.box.open(message, `the message of delivery ${r.id}`) : message) as unknown;
    }
    return { view: toView(r), stored: r.stored, message: message as StoredMessage | null, notBefore: r.not_before_ms ? Number(r.not_before_ms) : null };
  }

  /** An attempt starts: sending, one more attempt. */
  async startAttempt(id: string): Promise<void> {
    await this.db.query(`UPDATE deliveries SET status = 'sending', attempts = attempts + 1, updated_at = now() WHERE id = $1 AND status IN ('queued', 'sending')`, [id]);
  }

  async sent(id: string, responseStatus: number | null): Promise<void> {
    await this.db.query(
      `UPDATE deliveries SET status = 'sent', sent_at = now(), updated_at = now(), last_error = NULL, response_status = $2, message = NULL, not_before = NULL
       WHERE id = $1`,
      [id, responseStatus]
    );
  }

  /** A failed attempt: queued again (not before `notBefore`, epoch ms), or failed for good (the message dropped). */
  async attemptFailed(id: string, f: { final: boolean; error: string; responseStatus: number | null; notBefore: number | null }): Promise<void> {
    await this.db.query(
      `UPDATE deliveries SET status = CASE WHEN $2::boolean THEN 'failed' ELSE 'queued' END, last_error = $3, response_status = $4,
         not_before = to_timestamp($5::float8 / 1000), updated_at = now(),
         message = CASE WHEN $2::boolean THEN NULL ELSE message END
       WHERE id = $1`,
      [id, f.final, errorText(f.error), f.responseStatus, f.notBefore]
    );
  }

  /** An attempt stopped from outside (shutdown, cancel, lost lease): back to queued. */
  async interrupted(id: string, why: string): Promise<void> {
    await this.db.query(`UPDATE deliveries SET status = 'queued', last_error = $2, updated_at = now() WHERE id = $1 AND status = 'sending'`, [id, errorText(why)]);
  }

  async get(id: string, tenant: string | null): Promise<Delivery | null> {
    const rows = await this.db.query<Row>(`SELECT * FROM (${VIEW}) v WHERE v.id = $1 ${tenant === null ? '' : 'AND v.tenant_id = $2'}`, tenant === null ? [id] : [id, tenant]);
    return rows[0] ? toView(rows[0]) : null;
  }

  async list(opts: { tenant: string | null; status?: DeliveryStatus; kind?: DeliveryKind; limit: number }): Promise<Delivery[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, v: unknown) => {
      params.push(v);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (opts.tenant !== null) {
      add('v.tenant_id = ?', opts.tenant);
    }
    if (opts.status !== undefined) {
      add('v.status = ?', opts.status);
    }
    if (opts.kind !== undefined) {
      add('v.kind = ?', opts.kind);
    }
    params.push(opts.limit);
    const rows = await this.db.query<Row>(
      `SELECT * FROM (${VIEW}) v ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY v.created_raw DESC, v.id DESC LIMIT $${params.length}`,
      params
    );
    return rows.map(toView);
  }

  /** Deliveries whose job was never enqueued (the instance stopped in between), older than `ms`. */
  async orphans(ms: number): Promise<Array<{ id: string; tenant_id: string | null; idempotency_key: string }>> {
    return this.db.query(
      `SELECT id, tenant_id, idempotency_key FROM deliveries
       WHERE status = 'queued' AND job_id IS NULL AND created_at < now() - $1::float8 * interval '1 millisecond'
       ORDER BY created_at LIMIT 1000`,
      [ms]
    );
  }
}
