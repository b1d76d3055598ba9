import { randomBytes, timingSafeEqual } from 'node:crypto';
import { badRequest, notFound, unauthorized } from '../errors.js';
import { isoSql, type MetadataDb } from '../store/metadata-db.js';
import { hashKey } from './keys.js';

export interface WebhookSecretInfo {
  id: string;
  /** what the secret is for, e.g. `alertmanager`: a route declares the name it accepts */
  name: string;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
}

const CACHE_MS = 10_000;

/**
 * Secrets that senders which cannot hold an API key present (Alertmanager's webhook receiver, from
 * its `http_config`: `authorization: { credentials }` as a Bearer token, or `basic_auth` with the
 * secret as the password). Stored hashed, several per name so that one can be rotated in before the
 * old one is revoked or expires (issue "Platform", part 1).
 */
export class WebhookSecretRepo {
  private readonly cache = new Map<string, { hashes: Array<{ hash: string; expiresAt: number | null }>; at: number }>();

  constructor(private readonly db: MetadataDb) {}

  async create(name: string, expiresInDays: number | undefined): Promise<WebhookSecretInfo & { secret: string }> {
    const secret = `whs_${randomBytes(24).toString('base64url')}`;
    const id = `whs_${randomBytes(6).toString('hex')}`;
    const rows = await this.db.query<WebhookSecretInfo>(
      `INSERT INTO webhook_secrets (id, name, secret_hash, expires_at)
       VALUES ($1, $2, $3, CASE WHEN $4::integer IS NULL THEN NULL ELSE now() + make_interval(days => $4::integer) END)
       RETURNING id, name, ${isoSql('created_at')}, ${isoSql('expires_at')}, ${isoSql('revoked_at')}`,
      [id, name, hashKey(secret), expiresInDays ?? null]
    );
    this.cache.delete(name);
    return { ...(rows[0] as WebhookSecretInfo), secret };
  }

  /**
   * A secret set in the environment (ALERTMANAGER_WEBHOOK_SECRET for `alertmanager`): stored under a fixed id, so a
   * changed value replaces the previous one at the next start. Secrets created through the API live beside it.
   */
  async bootstrap(name: string, secret: string): Promise<void> {
    checkSecretName(name);
    await this.db.query(
      `INSERT INTO webhook_secrets (id, name, secret_hash) VALUES ($1, $2, $3)
       ON CONFLICT (id) DO UPDATE SET secret_hash = EXCLUDED.secret_hash, revoked_at = NULL, expires_at = NULL`,
      [`whs_env_${name}`, name, hashKey(secret)]
    );
    this.cache.delete(name);
  }

  async list(): Promise<WebhookSecretInfo[]> {
    return this.db.query<WebhookSecretInfo>(
      `SELECT id, name, ${isoSql('created_at')}, ${isoSql('expires_at')}, ${isoSql('revoked_at')} FROM webhook_secrets ORDER BY name, webhook_secrets.created_at`
    );
  }

  async revoke(id: string): Promise<void> {
    const rows = await this.db.query<{ name: string }>('UPDATE webhook_secrets SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL RETURNING name', [id]);
    if (!rows[0]) {
      throw notFound(`webhook secret '${id}' not found (or already revoked)`);
    }
    this.cache.delete(rows[0].name);
  }

  /** 401 with what is wrong unless the header carries a live secret of `name`. */
  async verify(name: string, header: string | undefined, now = Date.now()): Promise<void> {
    const presented = secretFromHeader(header, name);
    let entry = this.cache.get(name);
    if (!entry || now - entry.at > CACHE_MS) {
      const rows = await this.db.query<{ secret_hash: string; expires_ms: string | null }>(
        `SELECT secret_hash, (extract(epoch FROM expires_at) * 1000)::bigint::text AS expires_ms FROM webhook_secrets WHERE name = $1 AND revoked_at IS NULL`,
        [name]
      );
      entry = { hashes: rows.map((r) => ({ hash: r.secret_hash, expiresAt: r.expires_ms === null ? null : Number(r.expires_ms) })), at: now };
      this.cache.set(name, entry);
    }
    const h = Buffer.from(hashKey(presented));
    const match = entry.hashes.find((x) => timingSafeEqual(Buffer.from(x.hash), h));
    if (!match) {
      throw unauthorized(`wrong or revoked ${name} webhook secret: set the current one in the sender's http_config (create one with POST /v1/webhook-secrets)`);
    }
    if (match.expiresAt !== null && match.expiresAt <= now) {
      throw unauthorized(`this ${name} webhook secret expired at ${new Date(match.expiresAt).toISOString()}: put the newer secret in the sender's http_config`);
    }
  }
}

/** The secret from `Authorization: Bearer <secret>` or `Basic base64(<any user>:<secret>)`. */
function secretFromHeader(header: string | undefined, name: string): string {
  if (!header) {
    throw unauthorized(`missing ${name} webhook secret: set http_config.authorization.credentials (Bearer) or basic_auth.password in the sender`);
  }
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (bearer?.[1]) {
    return bearer[1];
  }
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (basic?.[1]) {
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon >= 0) {
      return decoded.slice(colon + 1);
    }
  }
  throw unauthorized('malformed Authorization header: expected "Bearer <secret>" or "Basic <base64 user:secret>"');
}

export function checkSecretName(name: string): string {
  if (!/^[a-z][a-z0-9_-]{0,62}$/.test(name)) {
    throw badRequest('invalid_name', `webhook secret name '${name.slice(0, 64)}' must be lower-case letters, digits, '-' or '_' (e.g. alertmanager)`);
  }
  return name;
}
