import { randomBytes } from 'node:crypto';
import { badRequest, gone, unauthorized } from '../errors.js';
import type { SignedBody, SigningKeyring } from './signing-keys.js';

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

interface TokenBody extends SignedBody {
  /** the link's id (the actor id in the incident's timeline) */
  id: string;
  /** incident id */
  i: string;
  /** action */
  a: IncidentAction;
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


/** The path an action link is bound to. */
export const actionPath = (incidentId: string, action: IncidentAction) => `/v1/incidents/${encodeURIComponent(incidentId)}/actions/${action}`;

export class ActionLinks {
  constructor(
    /** the platform's signing keys (share links' keyring: one rotation or retirement acts on both) */
    private readonly keyring: SigningKeyring,
    /** PUBLIC_URL: where the links point */
    private readonly publicUrl: string
  ) {}

  /** An absolute URL (PUBLIC_URL) that performs `action` on the incident, for `name`, until `ttlSeconds` from now. */
  async sign(incidentId: string, action: IncidentAction, name: string, ttlSeconds = ACTION_LINK_TTL_SECONDS, now = Date.now()): Promise<{ id: string; url: string; expires_at: string }> {
    if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1) {
      throw badRequest('invalid_expiry', 'an action link lives at least a second');
    }
    const key = await this.keyring.current(now);
    const body: TokenBody = { v: 1, id: `act_${randomBytes(9).toString('base64url')}`, kid: key.kid, i: incidentId, a: action, exp: now + ttlSeconds * 1000, n: name.slice(0, 200) };
    const token = this.keyring.sign(body, key.secret);
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
    const { body, key } = await this.keyring.open<TokenBody>(
      token,
      now,
      (b) => typeof b.id === 'string' && typeof b.i === 'string' && typeof b.n === 'string' && b.a !== undefined && INCIDENT_ACTIONS.includes(b.a),
      forged
    );
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
