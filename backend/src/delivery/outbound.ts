import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { badRequest } from '../errors.js';

/**
 * Which addresses the backend may send to (issue "Platform", part 3). Webhook URLs come from
 * tenants, so an outbound request is a way into the network the backend sits in (SSRF). Private
 * addresses are refused unless DELIVERY_ALLOW_PRIVATE=true (for receivers inside the network):
 * loopback, private, link-local, shared,
 * multicast and reserved ranges are refused: address literals when the message is sent, host
 * names when each attempt resolves them (before connecting; a name that re-resolves between our
 * lookup and fetch's own is a gap a pinned-address agent would close).
 */
const PRIVATE = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  PRIVATE.addSubnet(net, bits, 'ipv4');
}
for (const [net, bits] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['fec0::', 10],
  ['ff00::', 8],
] as const) {
  PRIVATE.addSubnet(net, bits, 'ipv6');
}

/** Whether an address literal is one an outside receiver cannot have (IPv4-mapped IPv6 included). */
export function isPrivateAddress(address: string): boolean {
  const a = address.replace(/^\[|\]$/g, '');
  const family = isIP(a);
  if (family === 0) {
    return false;
  }
  if (family === 6) {
    // ::ffff:127.0.0.1, which URL parsing writes as ::ffff:7f00:1
    const dotted = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(a)?.[1];
    const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(a);
    const v4 = dotted ?? (hex?.[1] && hex[2] ? [parseInt(hex[1], 16) >> 8, parseInt(hex[1], 16) & 255, parseInt(hex[2], 16) >> 8, parseInt(hex[2], 16) & 255].join('.') : undefined);
    if (v4) {
      return PRIVATE.check(v4, 'ipv4');
    }
  }
  return PRIVATE.check(a, family === 4 ? 'ipv4' : 'ipv6');
}

const isLocalName = (host: string) => host === 'localhost' || host.endsWith('.localhost');

/**
 * Checks a webhook URL when a message is sent: http or https, a host, and, with private addresses
 * refused, no private address literal or `localhost`. Throws a 400-kind error saying what to change.
 */
export function checkTarget(raw: string, opts: { allowPrivate: boolean }): URL {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw badRequest('invalid_url', `'url' = ${JSON.stringify(raw.slice(0, 100))} is not a URL: write it whole, e.g. https://hooks.example.com/caas`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw badRequest('invalid_url', `'url' uses ${u.protocol.slice(0, 20)}, but webhooks are HTTP POSTs: use an http:// or https:// URL`);
  }
  if (!u.hostname) {
    throw badRequest('invalid_url', "'url' has no host: write it whole, e.g. https://hooks.example.com/caas");
  }
  if (!opts.allowPrivate) {
    const host = u.hostname.replace(/^\[|\]$/g, '').toLowerCase();
    if (isPrivateAddress(host) || isLocalName(host)) {
      throw badRequest('private_target', `'url' points at ${host}, a private, loopback or reserved address: this backend refuses those (DELIVERY_ALLOW_PRIVATE=false); use the receiver's public address`);
    }
  }
  return u;
}

/** Why a target was refused at send time (a host name that resolves to a private address). */
export class TargetRefused extends Error {
  override name = 'TargetRefused';
}

export type Resolver = (host: string) => Promise<string[]>;
const systemResolver: Resolver = async (host) => (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);

/**
 * Before each attempt, with private addresses refused: resolves a host name and refuses it when
 * any of its addresses is private. With private addresses allowed (the default), nothing is resolved here.
 */
export async function checkResolvedTarget(u: URL, opts: { allowPrivate: boolean; resolve?: Resolver }): Promise<void> {
  if (opts.allowPrivate) {
    return;
  }
  const host = u.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (isIP(host) !== 0) {
    if (isPrivateAddress(host)) {
      throw new TargetRefused(`${host} is a private, loopback or reserved address (DELIVERY_ALLOW_PRIVATE=false)`);
    }
    return;
  }
  if (isLocalName(host)) {
    throw new TargetRefused(`${host} is a local name (DELIVERY_ALLOW_PRIVATE=false)`);
  }
  const addresses = await (opts.resolve ?? systemResolver)(host);
  const bad = addresses.find(isPrivateAddress);
  if (bad) {
    throw new TargetRefused(`${host} resolves to ${bad}, a private, loopback or reserved address (DELIVERY_ALLOW_PRIVATE=false)`);
  }
}
