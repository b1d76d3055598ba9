import { randomBytes } from 'node:crypto';
import { badRequest, gone, notFound, unauthorized } from '../errors.js';
import { isoSql, type MetadataDb } from '../store/metadata-db.js';
import { SigningKeyring, type SignedBody } from './signing-keys.js';

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

interface TokenBody extends SignedBody {
  id: string;
  t: string;
  p: string;
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


/**
 * Signed links (issue "Platform", part 1): an HMAC-SHA256 over the link's id, tenant, address and
 * expiry, with a signing key kept in the metadata store. Keys rotate (a new key signs; older ones
 * still verify) and retire (their links stop working); a single link can be revoked. An expired,
 * revoked or retired link answers 410 with the reason; a missing or forged one 401.
 */
export class SignedLinks {
  /** the platform's signing keys and token format, shared with the incident action links (action-links.ts) */
  readonly keyring: SigningKeyring;

  constructor(private readonly db: MetadataDb) {
    this.keyring = new SigningKeyring(db);
  }

  /** A new signing key; links are signed with it from now on, older keys keep verifying theirs. */
  async rotate(): Promise<SigningKeyInfo> {
    const kid = `sk_${randomBytes(6).toString('hex')}`;
    const rows = await this.db.query<SigningKeyInfo>(
      `INSERT INTO signing_keys (kid, secret) VALUES ($1, $2) RETURNING kid, ${isoSql('created_at')}, ${isoSql('retired_at')}`,
      [kid, randomBytes(32).toString('base64url')]
    );
    this.keyring.invalidate();
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
    this.keyring.invalidate();
  }

  async sign(input: { tenantId: string; path: string; expiresInSeconds: number; createdBy: string }, now = Date.now()): Promise<SignedLink> {
    if (!Number.isInteger(input.expiresInSeconds) || input.expiresInSeconds < 1 || input.expiresInSeconds > MAX_TTL_SECONDS) {
      throw badRequest('invalid_expiry', `expires_in_seconds must be a whole number from 1 to ${MAX_TTL_SECONDS} (90 days)`);
    }
    const key = await this.keyring.current(now);
    const path = canonicalPath(input.path);
    const body: TokenBody = { v: 1, id: `lnk_${randomBytes(9).toString('base64url')}`, kid: key.kid, t: input.tenantId, p: path, exp: now + input.expiresInSeconds * 1000 };
    const token = this.keyring.sign(body, key.secret);
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
    const { body, key } = await this.keyring.open<TokenBody>(token, now, (b) => typeof b.id === 'string' && typeof b.t === 'string' && typeof b.p === 'string', forged);
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
