import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { badRequest, gone, notFound, unauthorized } from '../errors.js';
import { isoSql, type MetadataDb } from '../store/metadata-db.js';

/** A link as minted: the URL to share (path plus `link=<token>`) and what it grants. */
export interface SignedLink {
  id: string;
  tenant_id: string;
  path: string;
  url: string;
  expires_at: string;
  created_at: string;
  revoked_at: string | null;
}

export interface SigningKeyInfo {
  kid: string;
  created_at: string;
  retired_at: string | null;
}

interface TokenBody {
  v: 1;
  id: string;
  kid: string;
  t: string;
  p: string;
  exp: number;
}

/** What a verified link grants: one tenant, one address. */
export interface LinkGrant {
  id: string;
  tenantId: string;
}

const LINK_PARAM = 'link';
const MAX_TTL_SECONDS = 90 * 86400;

/**
 * The address a link is bound to: the path and its query, without the link itself, with the
 * parameters sorted, so that `?b=1&a=2` and `?a=2&b=1` are the same link and no parameter can be
 * added or changed without breaking the signature.
 */
export function canonicalPath(url: string): string {
  const u = new URL(url, 'http://x');
  u.searchParams.delete(LINK_PARAM);
  u.searchParams.sort();
  const q = u.searchParams.toString();
  return `${u.pathname}${q ? `?${q}` : ''}`;
}

const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64url');

/**
 * Signed links (issue "Platform", part 1): an HMAC-SHA256 over the link's id, tenant, address and
 * expiry, with a signing key kept in the metadata store. Keys rotate (a new key signs; older ones
 * still verify) and retire (their links stop working); a single link can be revoked. An expired,
 * revoked or retired link answers 410 with the reason; a missing or forged one 401.
 */
export class SignedLinks {
  private keys = new Map<string, { secret: Buffer; retired: boolean }>();
  private loadedAt = 0;

  constructor(private readonly db: MetadataDb) {}

  private async keyring(now: number, force = false): Promise<Map<string, { secret: Buffer; retired: boolean }>> {
    if (force || now - this.loadedAt > 10_000) {
      const rows = await this.db.query<{ kid: string; secret: string; retired: boolean }>('SELECT kid, secret, retired_at IS NOT NULL AS retired FROM signing_keys');
      this.keys = new Map(rows.map((r) => [r.kid, { secret: Buffer.from(r.secret, 'base64url'), retired: r.retired }]));
      this.loadedAt = now;
    }
    return this.keys;
  }

  /** A new signing key; links are signed with it from now on, older keys keep verifying theirs. */
  async rotate(): Promise<SigningKeyInfo> {
    const kid = `sk_${randomBytes(6).toString('hex')}`;
    const rows = await this.db.query<SigningKeyInfo>(
      `INSERT INTO signing_keys (kid, secret) VALUES ($1, $2) RETURNING kid, ${isoSql('created_at')}, ${isoSql('retired_at')}`,
      [kid, randomBytes(32).toString('base64url')]
    );
    this.loadedAt = 0;
    return rows[0] as SigningKeyInfo;
  }

  async listKeys(): Promise<SigningKeyInfo[]> {
    return this.db.query<SigningKeyInfo>(`SELECT kid, ${isoSql('created_at')}, ${isoSql('retired_at')} FROM signing_keys ORDER BY signing_keys.created_at DESC`);
  }

  /** Every link signed with this key stops working (410). */
  async retireKey(kid: string): Promise<void> {
    const rows = await this.db.query('UPDATE signing_keys SET retired_at = now() WHERE kid = $1 AND retired_at IS NULL RETURNING kid', [kid]);
    if (!rows[0]) {
      throw notFound(`signing key '${kid}' not found (or already retired)`);
    }
    this.loadedAt = 0;
  }

  async sign(input: { tenantId: string; path: string; expiresInSeconds: number; createdBy: string }, now = Date.now()): Promise<SignedLink> {
    if (!Number.isInteger(input.expiresInSeconds) || input.expiresInSeconds < 1 || input.expiresInSeconds > MAX_TTL_SECONDS) {
      throw badRequest('invalid_expiry', `expires_in_seconds must be a whole number from 1 to ${MAX_TTL_SECONDS} (90 days)`);
    }
    let current = (await this.db.query<{ kid: string }>('SELECT kid FROM signing_keys WHERE retired_at IS NULL ORDER BY created_at DESC LIMIT 1'))[0];
    current ??= await this.rotate();
    const key = (await this.keyring(now, true)).get(current.kid);
    if (!key) {
      throw new Error(`signing key ${current.kid} vanished`);
    }
    const path = canonicalPath(input.path);
    const body: TokenBody = { v: 1, id: `lnk_${randomBytes(9).toString('base64url')}`, kid: current.kid, t: input.tenantId, p: path, exp: now + input.expiresInSeconds * 1000 };
    const payload = b64(JSON.stringify(body));
    const token = `${payload}.${b64(createHmac('sha256', key.secret).update(payload).digest())}`;
    const rows = await this.db.query<Omit<SignedLink, 'url'>>(
      `INSERT INTO signed_links (id, tenant_id, path, kid, expires_at, created_by) VALUES ($1, $2, $3, $4, to_timestamp($5::double precision / 1000), $6)
       RETURNING id, tenant_id, path, ${isoSql('expires_at')}, ${isoSql('created_at')}, ${isoSql('revoked_at')}`,
      [body.id, body.t, path, body.kid, body.exp, input.createdBy]
    );
    return { ...(rows[0] as Omit<SignedLink, 'url'>), url: `${path}${path.includes('?') ? '&' : '?'}${LINK_PARAM}=${token}` };
  }

  async list(tenantId: string | null): Promise<Array<Omit<SignedLink, 'url'>>> {
    return this.db.query(
      `SELECT id, tenant_id, path, ${isoSql('expires_at')}, ${isoSql('created_at')}, ${isoSql('revoked_at')} FROM signed_links
       ${tenantId ? 'WHERE tenant_id = $1' : ''} ORDER BY signed_links.created_at DESC LIMIT 1000`,
      tenantId ? [tenantId] : []
    );
  }

  async revoke(id: string, tenantId: string | null): Promise<void> {
    const rows = await this.db.query(
      `UPDATE signed_links SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL ${tenantId ? 'AND tenant_id = $2' : ''} RETURNING id`,
      tenantId ? [id, tenantId] : [id]
    );
    if (!rows[0]) {
      throw notFound(`link '${id}' not found (or already revoked)`);
    }
  }

  /** The grant of the request's `link` parameter, or 401 / 410 with the reason. */
  async verify(url: string, now = Date.now()): Promise<LinkGrant> {
    const token = new URL(url, 'http://x').searchParams.get(LINK_PARAM);
    if (!token) {
      throw unauthorized(`this address needs a signed link: the '${LINK_PARAM}' parameter is missing (ask the link's owner for the whole URL)`);
    }
    const forged = () => unauthorized('the link does not verify (it was changed or cut short): ask its owner for a new one');
    const [payload, sig, extra] = token.split('.');
    if (!payload || !sig || extra !== undefined) {
      throw forged();
    }
    let body: TokenBody;
    try {
      body = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as TokenBody;
    } catch {
      throw forged();
    }
    if (body?.v !== 1 || typeof body.kid !== 'string' || typeof body.exp !== 'number' || typeof body.id !== 'string' || typeof body.t !== 'string') {
      throw forged();
    }
    const key = (await this.keyring(now)).get(body.kid) ?? (await this.keyring(now, true)).get(body.kid);
    if (!key) {
      throw forged();
    }
    const expected = createHmac('sha256', key.secret).update(payload).digest();
    const given = Buffer.from(sig, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw forged();
    }
    if (body.p !== canonicalPath(url)) {
      throw unauthorized('this link was signed for another address: use it exactly as it was shared');
    }
    if (key.retired) {
      throw gone('link_revoked', 'this link was revoked (its signing key was retired): ask its owner for a new one');
    }
    if (body.exp <= now) {
      throw gone('link_expired', `this link expired at ${new Date(body.exp).toISOString()}: ask its owner for a new one`);
    }
    const row = (await this.db.query<{ revoked: boolean }>('SELECT revoked_at IS NOT NULL AS revoked FROM signed_links WHERE id = $1', [body.id]))[0];
    if (!row || row.revoked) {
      throw gone('link_revoked', 'this link was revoked by its owner: ask for a new one');
    }
    return { id: body.id, tenantId: body.t };
  }
}
