import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { badRequest, gone, unauthorized } from '../errors.js';
import type { MetadataDb } from '../store/metadata-db.js';

/**
 * Signed action links (issue "Alert management", items 2 and 6): the Acknowledge and Resolve buttons of a Slack
 * message, an email or a webhook body. A link is an HMAC-SHA256 token over (link id, incident id, action, expiry, who
 * it was sent to), signed with the platform's signing keys (the `signing_keys` of auth/signed-links.ts: a rotated key
 * keeps verifying, a retired one stops its links). Unlike share links they are not stored one by one: an incident
 * pages many people, and each page mints its links.
 *
 * Opening the link (GET) changes nothing (link unfurlers and mail scanners fetch it); the page it shows POSTs to the
 * same address, which acts. A forged or altered link answers 401, an expired one (or one of a retired key) 410.
 */
export type IncidentAction = 'acknowledge' | 'resolve';
export const INCIDENT_ACTIONS: readonly IncidentAction[] = ['acknowledge', 'resolve'];

export const ACTION_LINK_PARAM = 'link';
/** A week: an incident acknowledged from a message older than that is better done in the app. */
export const ACTION_LINK_TTL_SECONDS = 7 * 86400;

interface TokenBody {
  v: 1;
  /** the link's id (the actor id in the incident's timeline) */
  id: string;
  kid: string;
  /** incident id */
  i: string;
  /** action */
  a: IncidentAction;
  /** expiry, epoch ms */
  exp: number;
  /** who it was sent to (a channel's name, a responder), for the timeline */
  n: string;
}

/** What a verified action link grants: one action on one incident. */
export interface ActionGrant {
  id: string;
  incidentId: string;
  action: IncidentAction;
  /** who the link was sent to */
  name: string;
}

const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64url');

/** The path an action link is bound to. */
export const actionPath = (incidentId: string, action: IncidentAction) => `/v1/incidents/${encodeURIComponent(incidentId)}/actions/${action}`;

export class ActionLinks {
  private keys = new Map<string, { secret: Buffer; retired: boolean }>();
  private loadedAt = 0;

  constructor(
    private readonly db: MetadataDb,
    /** PUBLIC_URL: where the links point */
    private readonly publicUrl: string
  ) {}

  private async keyring(now: number, force = false): Promise<Map<string, { secret: Buffer; retired: boolean }>> {
    if (force || now - this.loadedAt > 10_000) {
      const rows = await this.db.query<{ kid: string; secret: string; retired: boolean }>('SELECT kid, secret, retired_at IS NOT NULL AS retired FROM signing_keys');
      this.keys = new Map(rows.map((r) => [r.kid, { secret: Buffer.from(r.secret, 'base64url'), retired: r.retired }]));
      this.loadedAt = now;
    }
    return this.keys;
  }

  /** The current signing key (a first one is made when there is none, as share links do). */
  private async current(now: number): Promise<{ kid: string; secret: Buffer }> {
    let row = (await this.db.query<{ kid: string }>('SELECT kid FROM signing_keys WHERE retired_at IS NULL ORDER BY created_at DESC LIMIT 1'))[0];
    if (!row) {
      const kid = `sk_${randomBytes(6).toString('hex')}`;
      await this.db.query('INSERT INTO signing_keys (kid, secret) VALUES ($1, $2)', [kid, randomBytes(32).toString('base64url')]);
      row = { kid };
    }
    const key = (await this.keyring(now, !this.keys.has(row.kid))).get(row.kid);
    if (!key) {
      throw new Error(`signing key ${row.kid} vanished`);
    }
    return { kid: row.kid, secret: key.secret };
  }

  /** An absolute URL (PUBLIC_URL) that performs `action` on the incident, for `name`, until `ttlSeconds` from now. */
  async sign(incidentId: string, action: IncidentAction, name: string, ttlSeconds = ACTION_LINK_TTL_SECONDS, now = Date.now()): Promise<{ id: string; url: string; expires_at: string }> {
    if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1) {
      throw badRequest('invalid_expiry', 'an action link lives at least a second');
    }
    const key = await this.current(now);
    const body: TokenBody = { v: 1, id: `act_${randomBytes(9).toString('base64url')}`, kid: key.kid, i: incidentId, a: action, exp: now + ttlSeconds * 1000, n: name.slice(0, 200) };
    const payload = b64(JSON.stringify(body));
    const token = `${payload}.${b64(createHmac('sha256', key.secret).update(payload).digest())}`;
    const base = this.publicUrl.replace(/\/+$/, '');
    return { id: body.id, url: `${base}${actionPath(incidentId, action)}?${ACTION_LINK_PARAM}=${token}`, expires_at: new Date(body.exp).toISOString() };
  }

  /** The grant of a request to `/v1/incidents/:id/actions/:action?link=…`, or 401 (forged, another address) / 410 (expired, retired key). */
  async verify(url: string, now = Date.now()): Promise<ActionGrant> {
    const u = new URL(url, 'http://x');
    const token = u.searchParams.get(ACTION_LINK_PARAM);
    if (!token) {
      throw unauthorized(`this address needs a signed action link: the '${ACTION_LINK_PARAM}' parameter is missing (use the whole link from the message)`);
    }
    const forged = () => unauthorized('the action link does not verify (it was changed or cut short): use the link exactly as the message has it, or act in the app');
    const [payload, sig, extra] = token.split('.');
    if (!payload || !sig || extra !== undefined || payload.length > 4096) {
      throw forged();
    }
    let body: TokenBody;
    try {
      body = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as TokenBody;
    } catch {
      throw forged();
    }
    if (
      body?.v !== 1 ||
      typeof body.kid !== 'string' ||
      typeof body.exp !== 'number' ||
      typeof body.id !== 'string' ||
      typeof body.i !== 'string' ||
      typeof body.n !== 'string' ||
      !INCIDENT_ACTIONS.includes(body.a)
    ) {
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
    if (u.pathname !== actionPath(body.i, body.a)) {
      throw unauthorized('this action link was signed for another incident or action: use it exactly as the message has it');
    }
    if (key.retired) {
      throw gone('link_revoked', 'this action link was revoked (its signing key was retired): act in the app instead');
    }
    if (body.exp <= now) {
      throw gone('link_expired', `this action link expired at ${new Date(body.exp).toISOString()}: act in the app instead`);
    }
    return { id: body.id, incidentId: body.i, action: body.a, name: body.n };
  }
}
