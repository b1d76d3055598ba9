import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Webhook signatures as Stripe and Slack make them (CONVENTIONS.md, "Stripe / Slack webhooks"):
 * `X-Caas-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`. The timestamp is
 * signed with the body, so a captured request cannot be replayed outside the tolerance window; a
 * receiver recomputes the HMAC over the raw body it got and compares in constant time.
 */
export const SIGNATURE_HEADER = 'X-Caas-Signature';
export const DELIVERY_HEADER = 'X-Caas-Delivery';

const hmac = (secret: string, t: number, body: string | Buffer) =>
  createHmac('sha256', secret)
    .update(`${t}.`, 'utf8')
    .update(typeof body === 'string' ? Buffer.from(body, 'utf8') : body)
    .digest('hex');

/** The header value for `body` signed at `nowSeconds`. */
export function signatureHeader(secret: string, body: string, nowSeconds = Math.floor(Date.now() / 1000)): string {
  return `t=${nowSeconds},v1=${hmac(secret, nowSeconds, body)}`;
}

/**
 * For receivers (and tests): true when `header` carries a v1 signature of `body` by `secret` whose
 * timestamp is within `toleranceSeconds` of now. Several v1 entries are allowed (a sender rolling
 * its secret signs with both); each is compared in constant time. Never throws on a malformed header.
 */
export function verifySignature(secret: string, header: string | null | undefined, body: string | Buffer, toleranceSeconds = 300, nowSeconds = Date.now() / 1000): boolean {
  if (typeof header !== 'string' || header.length > 4096) {
    return false;
  }
  let t: number | null = null;
  const candidates: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    const k = part.slice(0, eq).trim();
    const v = part.slice(eq + 1).trim();
    if (eq < 0) {
      continue;
    }
    if (k === 't' && /^\d{1,12}$/.test(v)) {
      t = Number(v);
    } else if (k === 'v1' && /^[0-9a-f]{64}$/.test(v)) {
      candidates.push(v);
    }
  }
  if (t === null || candidates.length === 0 || Math.abs(nowSeconds - t) > toleranceSeconds) {
    return false;
  }
  const expected = Buffer.from(hmac(secret, t, body), 'utf8');
  let ok = false;
  for (const c of candidates) {
    // every candidate is compared (no early exit), each in constant time; lengths are equal by the pattern
    ok = timingSafeEqual(expected, Buffer.from(c, 'utf8')) || ok;
  }
  return ok;
}
