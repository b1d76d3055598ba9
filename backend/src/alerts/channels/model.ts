import { badRequest } from '../../errors.js';
import { normalizeMessage } from '../../delivery/message.js';
import { checkTarget } from '../../delivery/outbound.js';
import { CHANNEL_KINDS, type ChannelKind } from '../incidents/escalation.js';

/**
 * Alert channels (issue "Alert management", item 6): where pages go, on the platform's delivery. A channel has
 * non-secret settings (shown by the API) and a secret (sealed at rest with auth/secret-box.ts, never shown: only
 * whether it is set and its last four characters):
 * - email: settings.to (addresses); no secret.
 * - slack: secret.webhook_url (a Slack incoming webhook).
 * - pagerduty: secret.routing_key (an Events API v2 integration key); settings.api_url (default PagerDuty's enqueue).
 * - sms / phone: secret.account_sid and secret.auth_token (Twilio-style Basic auth); settings.from, settings.to
 *   (E.164 numbers), settings.api_url (default Twilio's Messages.json / Calls.json of the account).
 * - webhook: settings.url; secret.signing_secret (optional: signs the body, X-Caas-Signature).
 * `settings.alertmanager`: Alertmanager may page this channel itself (slack, pagerduty, email) in the generated
 * alertmanager.yml, beside the backend's own receiver.
 */
export { CHANNEL_KINDS, type ChannelKind };

export const PAGERDUTY_URL = 'https://events.pagerduty.com/v2/enqueue';
export const twilioUrl = (sid: string, kind: 'sms' | 'phone') => `https://api.twilio.com/2010-04-01/Accounts/${encodeURIComponent(sid)}/${kind === 'sms' ? 'Messages' : 'Calls'}.json`;

export interface ChannelSettings {
  to?: string[];
  from?: string;
  api_url?: string;
  url?: string;
  alertmanager?: boolean;
}

export interface ChannelSecret {
  webhook_url?: string;
  routing_key?: string;
  account_sid?: string;
  auth_token?: string;
  signing_secret?: string;
}

export interface Channel {
  id: string;
  tenant_id: string | null;
  kind: ChannelKind;
  name: string;
  enabled: boolean;
  settings: ChannelSettings;
  secret: { set: boolean; hint: string | null };
  created_at: string;
  updated_at: string;
}

export interface ChannelInput {
  tenant_id?: string | null;
  kind: ChannelKind;
  name: string;
  enabled?: boolean;
  settings?: ChannelSettings;
  /** on PUT: left out keeps the stored secret */
  secret?: ChannelSecret;
}

export const CHANNEL_ID = /^ch_[0-9a-f]{16}$/;
const E164 = /^\+[1-9][0-9]{6,14}$/;
const SETTINGS_OF: Record<ChannelKind, readonly (keyof ChannelSettings)[]> = {
  email: ['to', 'alertmanager'],
  slack: ['alertmanager'],
  pagerduty: ['api_url', 'alertmanager'],
  sms: ['api_url', 'from', 'to'],
  phone: ['api_url', 'from', 'to'],
  webhook: ['url'],
};
const SECRETS_OF: Record<ChannelKind, readonly (keyof ChannelSecret)[]> = {
  email: [],
  slack: ['webhook_url'],
  pagerduty: ['routing_key'],
  sms: ['account_sid', 'auth_token'],
  phone: ['account_sid', 'auth_token'],
  webhook: ['signing_secret'],
};
/** the secrets a kind cannot work without */
const REQUIRED_SECRETS: Record<ChannelKind, readonly (keyof ChannelSecret)[]> = {
  email: [],
  slack: ['webhook_url'],
  pagerduty: ['routing_key'],
  sms: ['account_sid', 'auth_token'],
  phone: ['account_sid', 'auth_token'],
  webhook: [],
};

const clip = (s: string, n = 60) => (s.length > n ? `${s.slice(0, n)}…` : s);
const bad = (msg: string) => badRequest('invalid_channel', msg);

function oneLine(v: unknown, field: string, max: number): string {
  if (typeof v !== 'string' || v.trim() === '') {
    throw bad(`${field} must be non-empty text`);
  }
  if (v.length > max || !v.isWellFormed() || /[\u0000-\u001f\u007f]/.test(v)) {
    throw bad(`${field} must be one line of at most ${max} characters, without control characters`);
  }
  return v;
}

function httpUrl(v: unknown, field: string, allowPrivate: boolean): string {
  const u = oneLine(v, field, 2048);
  try {
    checkTarget(u, { allowPrivate });
  } catch (e) {
    throw bad(`${field}: ${(e as Error).message}`);
  }
  return u;
}

/**
 * A channel's settings and secret checked for its kind: fields of another kind are refused by name, required ones
 * named when missing. `storedSecret` is the secret kept so far (a PUT without `secret` keeps it).
 */
export function checkChannel(input: ChannelInput, opts: { allowPrivate: boolean; storedSecret?: ChannelSecret }): { settings: ChannelSettings; secret: ChannelSecret } {
  const kind = input.kind;
  if (!CHANNEL_KINDS.includes(kind)) {
    throw bad(`kind '${clip(String(kind))}' is unknown: one of ${CHANNEL_KINDS.join(', ')}`);
  }
  oneLine(input.name, 'name', 200);
  const s = input.settings ?? {};
  for (const k of Object.keys(s)) {
    if (!SETTINGS_OF[kind].includes(k as keyof ChannelSettings)) {
      throw bad(`settings.${clip(k)} is not a setting of a ${kind} channel: it takes ${SETTINGS_OF[kind].join(', ') || 'none'}`);
    }
  }
  const settings: ChannelSettings = {};
  if (s.alertmanager !== undefined) {
    settings.alertmanager = s.alertmanager === true;
  }
  if (kind === 'email') {
    if (!Array.isArray(s.to) || s.to.length === 0) {
      throw bad('settings.to is required: the addresses an email channel writes to, e.g. ["oncall@example.com"]');
    }
    try {
      settings.to = (normalizeMessage({ kind: 'email', to: s.to, subject: 'x', text: 'x' }, { maxBytes: 1 << 20, allowPrivate: true }) as { to: string[] }).to;
    } catch (e) {
      throw bad(`settings.${(e as Error).message.replace(/^'to/, "to").replace(/'/, '')}`);
    }
  }
  if (kind === 'sms' || kind === 'phone') {
    settings.from = oneLine(s.from, 'settings.from', 32);
    if (!E164.test(settings.from)) {
      throw bad(`settings.from '${clip(settings.from)}' is not an E.164 number (e.g. +15005550006)`);
    }
    if (!Array.isArray(s.to) || s.to.length === 0 || s.to.length > 20) {
      throw bad('settings.to is required: 1 to 20 E.164 numbers to text or call, e.g. ["+4915112345678"]');
    }
    settings.to = s.to.map((n, i) => {
      if (typeof n !== 'string' || !E164.test(n)) {
        throw bad(`settings.to[${i}] '${clip(String(n))}' is not an E.164 number (e.g. +4915112345678)`);
      }
      return n;
    });
  }
  if ((kind === 'sms' || kind === 'phone' || kind === 'pagerduty') && s.api_url !== undefined) {
    settings.api_url = httpUrl(s.api_url, 'settings.api_url', opts.allowPrivate);
  }
  if (kind === 'webhook') {
    settings.url = httpUrl(s.url, 'settings.url', opts.allowPrivate);
  }
  const given = input.secret;
  if (given !== undefined) {
    for (const k of Object.keys(given)) {
      if (!SECRETS_OF[kind].includes(k as keyof ChannelSecret)) {
        throw bad(`secret.${clip(k)} is not a secret of a ${kind} channel: it takes ${SECRETS_OF[kind].join(', ') || 'none'}`);
      }
    }
  }
  const secret: ChannelSecret = {};
  for (const k of SECRETS_OF[kind]) {
    const v = given === undefined ? opts.storedSecret?.[k] : given[k];
    if (v === undefined) {
      continue;
    }
    secret[k] = k === 'webhook_url' ? httpUrl(v, 'secret.webhook_url', opts.allowPrivate) : oneLine(v, `secret.${k}`, 512);
  }
  for (const k of REQUIRED_SECRETS[kind]) {
    if (secret[k] === undefined) {
      throw bad(`secret.${k} is required for a ${kind} channel`);
    }
  }
  if (secret.signing_secret !== undefined && secret.signing_secret.length < 16) {
    throw bad('secret.signing_secret is too short to sign with: at least 16 characters (e.g. 32 random bytes as hex)');
  }
  return { settings, secret };
}

/** What the API shows of a secret: whether one is set, and the last four characters of its main value. */
export function secretHint(kind: ChannelKind, s: ChannelSecret): string | null {
  const main = kind === 'slack' ? s.webhook_url : kind === 'pagerduty' ? s.routing_key : kind === 'sms' || kind === 'phone' ? s.auth_token : s.signing_secret;
  return main && main.length >= 12 ? `…${main.slice(-4)}` : main ? '…' : null;
}
