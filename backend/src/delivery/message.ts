import { createHash } from 'node:crypto';
import { badRequest, CaasError } from '../errors.js';
import { checkTarget } from './outbound.js';

/**
 * What the features (alert channels, report mail, escalation pages) hand to `DeliveryService.send`
 * (issue "Platform", part 3). A message is checked once, when it is sent: a bad one is a 400-kind
 * error naming the field, never a job that fails later.
 */
export interface EmailAttachment {
  filename: string;
  /** e.g. application/pdf */
  contentType: string;
  /** the file, base64 */
  content: string;
}

export interface EmailMessage {
  kind: 'email';
  to: string | string[];
  cc?: string | string[];
  subject: string;
  text: string;
  html?: string;
  attachments?: EmailAttachment[];
}

export interface WebhookMessage {
  kind: 'webhook';
  url: string;
  /** any JSON value, sent as the request body (leave it out when `form` is given) */
  body: unknown;
  /**
   * instead of a JSON body: fields sent as `application/x-www-form-urlencoded` (what SMS and voice providers such as
   * Twilio take)
   */
  form?: Record<string, string>;
  /** signs the request (X-Caas-Signature); never logged, never in the delivery log */
  secret?: string;
  /** extra request headers (e.g. a receiver's own Authorization); never in the delivery log */
  headers?: Record<string, string>;
}

export type OutboundMessage = EmailMessage | WebhookMessage;

/** A message as stored until it is sent: addresses as lists, the webhook body as its exact JSON text. */
export interface StoredEmail {
  kind: 'email';
  to: string[];
  cc: string[];
  subject: string;
  text: string;
  html: string | null;
  attachments: EmailAttachment[];
}
export interface StoredWebhook {
  kind: 'webhook';
  url: string;
  /** the exact request body: JSON text, or the url-encoded form when `form` is true */
  body: string;
  /** the body is a url-encoded form (absent in messages stored before forms existed: JSON) */
  form?: true;
  secret: string | null;
  headers: Record<string, string>;
}
export type StoredMessage = StoredEmail | StoredWebhook;

export const MAX_RECIPIENTS = 50;
const MAX_SUBJECT = 998; // RFC 5322's line limit
const MAX_ATTACHMENTS = 20;

// A pragmatic address check: one local part and a host name (or an address literal), nothing a
// header could be smuggled through (no spaces, commas, angle brackets, quotes or line breaks).
const LOCAL = "[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}";
const HOST = '(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|\\[[0-9A-Fa-f:.]{2,45}\\])';
const ADDRESS = new RegExp(`^${LOCAL}@${HOST}$`);

const clip = (s: string, n = 80) => (s.length > n ? `${s.slice(0, n)}…` : s);
const show = (v: unknown) => clip(typeof v === 'string' ? JSON.stringify(v) : String(v));
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/;
const LINE_BREAK = /[\r\n\u0000]/;

function addresses(v: unknown, field: string, required: boolean): string[] {
  const list = v === undefined ? [] : Array.isArray(v) ? v : [v];
  if (required && list.length === 0) {
    throw badRequest('invalid_message', `'${field}' is required: an email address or a list of them (e.g. ops@example.com)`);
  }
  if (list.length > MAX_RECIPIENTS) {
    throw badRequest('invalid_message', `'${field}' lists ${list.length} addresses: at most ${MAX_RECIPIENTS}`);
  }
  return list.map((a, i) => {
    if (typeof a !== 'string' || a.length > 254 || !ADDRESS.test(a.trim())) {
      throw badRequest('invalid_message', `'${field}${Array.isArray(v) ? `[${i}]` : ''}' = ${show(a)} is not an email address: write it as name@example.com (no display name, one address per entry)`);
    }
    return a.trim();
  });
}

function text(v: unknown, field: string, opts: { required: boolean; max: number; oneLine?: boolean }): string | null {
  if (v === undefined || v === null) {
    if (opts.required) {
      throw badRequest('invalid_message', `'${field}' is required`);
    }
    return null;
  }
  if (typeof v !== 'string') {
    throw badRequest('invalid_message', `'${field}' must be a string, not ${typeof v}`);
  }
  if (!v.isWellFormed()) {
    throw badRequest('invalid_message', `'${field}' holds invalid Unicode (a lone surrogate): send well-formed text`);
  }
  if (v.length > opts.max) {
    throw badRequest('invalid_message', `'${field}' is ${v.length} characters long: at most ${opts.max}`);
  }
  if (opts.oneLine && (LINE_BREAK.test(v) || CONTROL.test(v))) {
    throw badRequest('invalid_message', `'${field}' must be one line without control characters`);
  }
  if (!opts.oneLine && v.includes('\u0000')) {
    throw badRequest('invalid_message', `'${field}' holds a NUL character: remove it`);
  }
  return v;
}

function attachments(v: unknown): EmailAttachment[] {
  if (v === undefined) {
    return [];
  }
  if (!Array.isArray(v)) {
    throw badRequest('invalid_message', "'attachments' must be a list of {filename, contentType, content (base64)}");
  }
  if (v.length > MAX_ATTACHMENTS) {
    throw badRequest('invalid_message', `'attachments' has ${v.length} files: at most ${MAX_ATTACHMENTS}`);
  }
  return v.map((a: unknown, i) => {
    const f = `attachments[${i}]`;
    if (typeof a !== 'object' || a === null) {
      throw badRequest('invalid_message', `'${f}' must be {filename, contentType, content (base64)}`);
    }
    const o = a as Record<string, unknown>;
    const filename = text(o.filename, `${f}.filename`, { required: true, max: 255, oneLine: true }) as string;
    if (filename.trim() === '' || /[/\\]/.test(filename)) {
      throw badRequest('invalid_message', `'${f}.filename' = ${show(filename)} must be a file name without '/' or '\\' (e.g. report.pdf)`);
    }
    const contentType = text(o.contentType, `${f}.contentType`, { required: true, max: 127, oneLine: true }) as string;
    if (!/^[A-Za-z0-9][\w.+-]*\/[A-Za-z0-9][\w.+-]*$/.test(contentType)) {
      throw badRequest('invalid_message', `'${f}.contentType' = ${show(contentType)} is not a media type (e.g. application/pdf, text/csv)`);
    }
    if (typeof o.content !== 'string') {
      throw badRequest('invalid_message', `'${f}.content' must be the file as a base64 string`);
    }
    const content = o.content.replace(/\s+/g, '');
    if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(content)) {
      throw badRequest('invalid_message', `'${f}.content' is not base64 (standard alphabet A-Z a-z 0-9 + /, padded with =)`);
    }
    return { filename, contentType, content };
  });
}

/** A form's fields as an url-encoded body: string names and values, at most 100 fields; not beside a JSON body. */
function formBody(form: unknown, body: unknown): string {
  if (body !== undefined) {
    throw badRequest('invalid_message', "give either 'body' (JSON) or 'form' (url-encoded fields), not both");
  }
  if (typeof form !== 'object' || form === null || Array.isArray(form)) {
    throw badRequest('invalid_message', "'form' must be an object of field names to string values");
  }
  const entries = Object.entries(form as Record<string, unknown>);
  if (entries.length > 100) {
    throw badRequest('invalid_message', `'form' has ${entries.length} fields: at most 100`);
  }
  const params = new URLSearchParams();
  for (const [k, v] of entries) {
    if (typeof v !== 'string' || !v.isWellFormed() || !k.isWellFormed()) {
      throw badRequest('invalid_message', `form field ${show(k)} must be well-formed text`);
    }
    params.append(k, v);
  }
  return params.toString();
}

const RESERVED_HEADERS = /^(content-type|content-length|host|connection|transfer-encoding|user-agent|x-caas-.*)$/i;

function headers(v: unknown): Record<string, string> {
  if (v === undefined) {
    return {};
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw badRequest('invalid_message', "'headers' must be an object of header names to values");
  }
  const out: Record<string, string> = {};
  const entries = Object.entries(v as Record<string, unknown>);
  if (entries.length > 20) {
    throw badRequest('invalid_message', `'headers' has ${entries.length} entries: at most 20`);
  }
  for (const [name, value] of entries) {
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/.test(name)) {
      throw badRequest('invalid_message', `header name ${show(name)} is not a valid HTTP header name`);
    }
    if (RESERVED_HEADERS.test(name)) {
      throw badRequest('invalid_message', `header '${name}' is set by the delivery itself: remove it`);
    }
    if (typeof value !== 'string' || value.length > 4096 || !/^[\t\x20-\x7e\x80-\xff]*$/.test(value)) {
      throw badRequest('invalid_message', `header '${name}' must be a string of at most 4096 visible ASCII characters`);
    }
    out[name] = value;
  }
  return out;
}

/**
 * Checks a message and puts it in the form it is stored and sent in. `maxBytes` bounds the whole
 * message (body, attachments) as stored.
 */
export function normalizeMessage(m: unknown, opts: { maxBytes: number; allowPrivate: boolean }): StoredMessage {
  if (typeof m !== 'object' || m === null) {
    throw badRequest('invalid_message', 'a message is an object with kind email or webhook');
  }
  const o = m as Record<string, unknown>;
  let out: StoredMessage;
  if (o.kind === 'email') {
    out = {
      kind: 'email',
      to: addresses(o.to, 'to', true),
      cc: addresses(o.cc, 'cc', false),
      subject: text(o.subject, 'subject', { required: true, max: MAX_SUBJECT, oneLine: true }) as string,
      text: text(o.text, 'text', { required: true, max: opts.maxBytes }) as string,
      html: text(o.html, 'html', { required: false, max: opts.maxBytes }),
      attachments: attachments(o.attachments),
    };
  } else if (o.kind === 'webhook') {
    if (typeof o.url !== 'string') {
      throw badRequest('invalid_message', "'url' is required: the http(s) address to POST to");
    }
    checkTarget(o.url, { allowPrivate: opts.allowPrivate });
    let body: string | undefined;
    const isForm = o.form !== undefined;
    if (isForm) {
      body = formBody(o.form, o.body);
    } else {
      try {
        body = JSON.stringify(o.body);
      } catch (e) {
        throw badRequest('invalid_message', `'body' cannot be written as JSON: ${(e as Error).message}`);
      }
    }
    if (body === undefined) {
      throw badRequest('invalid_message', "'body' is required: any JSON value");
    }
    const secret = text(o.secret, 'secret', { required: false, max: 256, oneLine: true });
    if (secret !== null && secret.length < 16) {
      throw badRequest('invalid_message', "'secret' is too short to sign with: use at least 16 characters (e.g. 32 random bytes as hex)");
    }
    out = { kind: 'webhook', url: o.url, body, secret, headers: headers(o.headers), ...(isForm ? { form: true as const } : {}) };
  } else {
    throw badRequest('invalid_message', `kind ${show(o.kind)} is unknown: kind must be one of email, webhook`);
  }
  const size = Buffer.byteLength(JSON.stringify(out));
  if (size > opts.maxBytes) {
    throw new CaasError('too_large', 'message_too_large', `the message is ${size} bytes: at most ${opts.maxBytes} (DELIVERY_MAX_MESSAGE_BYTES); send a link instead of large attachments`);
  }
  return out;
}

/**
 * Where a message goes, with its secrets removed, for the delivery log: email addresses as they
 * are; a URL without credentials, query or fragment, its path cut after the first segment (the rest
 * of `https://hooks.slack.com/services/T…/B…/<token>` is the secret).
 */
export function redactDestination(m: StoredMessage): string {
  if (m.kind === 'email') {
    const s = m.to.join(', ') + (m.cc.length ? ` (cc ${m.cc.join(', ')})` : '');
    return clip(s, 500);
  }
  return redactUrl(m.url);
}

export function redactUrl(raw: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return '(not a URL)';
  }
  const segments = u.pathname.split('/').filter(Boolean);
  const first = segments[0] === undefined ? '' : `/${clip(segments[0], 60)}`;
  const more = segments.length > 1 || (segments.length === 1 && u.pathname.endsWith('/')) ? '/…' : '';
  return `${u.protocol}//${u.host}${first}${more}`;
}

/**
 * The Message-ID of an email: derived from the tenant and the idempotency key, so a repeat of the
 * same message (a retry after the server took it but the answer was lost) carries the same id and
 * receivers that drop duplicates drop it.
 */
export function messageIdFor(tenantId: string | null, idempotencyKey: string, domain: string): string {
  const h = createHash('sha256').update(`${tenantId ?? ''}\n${idempotencyKey}`).digest('hex').slice(0, 40);
  return `<caas.${h}@${domain}>`;
}
