import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { MetadataDb } from '../store/metadata-db.js';

/** A signing key as the keyring holds it: its secret, and whether it was retired (its tokens stop working). */
export interface SigningKey {
  secret: Buffer;
  retired: boolean;
}

/** What every token signed here carries: its version, its key id and its expiry (epoch ms). */
export interface SignedBody {
  v: 1;
  kid: string;
  exp: number;
}

const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64url');

/**
 * The platform's signing keys (`signing_keys`) and the one token format signed with them, for share links
 * (signed-links.ts) and incident action links (action-links.ts): `<base64url JSON body>.<base64url HMAC-SHA256 of the
 * body text>`. Keys rotate (the newest unretired one signs; older ones keep verifying) and retire. The keys are read
 * at most every 10 s (a key rotated or retired on another instance is seen within that time); an unknown kid forces a
 * read.
 */
export class SigningKeyring {
  private keys = new Map<string, SigningKey>();
  private loadedAt = 0;

  constructor(readonly db: MetadataDb) {}

  async all(now: number, force = false): Promise<Map<string, SigningKey>> {
    if (force || now - this.loadedAt > 10_000) {
      const rows = await this.db.query<{ kid: string; secret: string; retired: boolean }>('SELECT kid, secret, retired_at IS NOT NULL AS retired FROM signing_keys');
      this.keys = new Map(rows.map((r) => [r.kid, { secret: Buffer.from(r.secret, 'base64url'), retired: r.retired }]));
      this.loadedAt = now;
    }
    return this.keys;
  }

  /** Forget what was read (after a rotation or a retirement here). */
  invalidate(): void {
    this.loadedAt = 0;
  }

  /** A new key, stored; it signs from now on. */
  async create(): Promise<string> {
    const kid = `sk_${randomBytes(6).toString('hex')}`;
    await this.db.query('INSERT INTO signing_keys (kid, secret) VALUES ($1, $2)', [kid, randomBytes(32).toString('base64url')]);
    this.invalidate();
    return kid;
  }

  /** The key that signs now: the newest unretired one (a first one is made when there is none). */
  async current(now: number): Promise<{ kid: string; secret: Buffer }> {
    const row = (await this.db.query<{ kid: string }>('SELECT kid FROM signing_keys WHERE retired_at IS NULL ORDER BY created_at DESC LIMIT 1'))[0];
    const kid = row?.kid ?? (await this.create());
    const key = (await this.all(now, !this.keys.has(kid))).get(kid);
    if (!key) {
      throw new Error(`signing key ${kid} vanished`);
    }
    return { kid, secret: key.secret };
  }

  /** The token of `body`, signed with the key it names. */
  sign<B extends SignedBody>(body: B, secret: Buffer): string {
    const payload = b64(JSON.stringify(body));
    return `${payload}.${b64(createHmac('sha256', secret).update(payload).digest())}`;
  }

  /**
   * The body of a token whose signature verifies with a known key, and that key; `forged()` is thrown for anything
   * else (malformed, unknown key, wrong signature, a body `valid` refuses). Expiry and retirement are the caller's to
   * judge (they answer 410, not 401).
   */
  async open<B extends SignedBody>(token: string, now: number, valid: (b: Partial<B>) => boolean, forged: () => Error): Promise<{ body: B; key: SigningKey }> {
    const [payload, sig, extra] = token.split('.');
    if (!payload || !sig || extra !== undefined || payload.length > 4096) {
      throw forged();
    }
    let body: Partial<B> | null;
    try {
      body = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Partial<B> | null;
    } catch {
      throw forged();
    }
    if (!body || typeof body !== 'object' || body.v !== 1 || typeof body.kid !== 'string' || typeof body.exp !== 'number' || !valid(body)) {
      throw forged();
    }
    const key = (await this.all(now)).get(body.kid) ?? (await this.all(now, true)).get(body.kid);
    if (!key) {
      throw forged();
    }
    const expected = createHmac('sha256', key.secret).update(payload).digest();
    const given = Buffer.from(sig, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw forged();
    }
    return { body: body as B, key };
  }
}
