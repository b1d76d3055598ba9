import { randomUUID } from 'node:crypto';
import UAParser from 'ua-parser-js';
import type { AnalyticsEventInput } from '../contracts/events.js';

/** One row of the events table, as written to the WAL and inserted with JSONEachRow. */
export interface EventRow {
  event_id: string;
  tenant_id: string;
  type: string;
  user_id: string;
  timestamp: string;
  received_at: string;
  properties: Record<string, string>;
  device: string;
  platform: string;
  app_version: string;
  country: string;
}

/** What a request tells about every event in it. */
export interface RequestContext {
  receivedAt: number;
  userAgent: string | undefined;
  /** from the trusted COUNTRY_HEADER, when configured and present */
  country: string | undefined;
}

export const REDACTED = '[REDACTED]';

/** 'YYYY-MM-DD HH:MM:SS.mmm' in UTC: what DateTime64(3, 'UTC') reads without ambiguity. */
export function chTime(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}`;
}

const PLATFORMS: Record<string, string> = {
  ios: 'ios',
  android: 'android',
  'mac os': 'macos',
  macos: 'macos',
  windows: 'windows',
  linux: 'linux',
  ubuntu: 'linux',
  'chrome os': 'chromeos',
  chromium_os: 'chromeos',
};

interface UaInfo {
  device: string;
  platform: string;
}
const uaCache = new Map<string, UaInfo>();

/** Device class and platform from a User-Agent (cached: clients send the same few strings). */
export function parseUserAgent(ua: string | undefined): UaInfo {
  if (!ua) {
    return { device: 'unknown', platform: 'unknown' };
  }
  const hit = uaCache.get(ua);
  if (hit) {
    return hit;
  }
  const r = new UAParser(ua).getResult();
  const os = (r.os.name ?? '').toLowerCase();
  const platform = PLATFORMS[os] ?? (os ? os.replace(/\s+/g, '_') : 'unknown');
  const device = r.device.type ?? (os && !['ios', 'android'].includes(platform) ? 'desktop' : os ? 'mobile' : 'unknown');
  const info = { device, platform };
  if (uaCache.size > 5000) {
    uaCache.clear();
  }
  uaCache.set(ua, info);
  return info;
}

function propValue(v: unknown): string {
  switch (typeof v) {
    case 'string':
      return v;
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(v);
    case 'undefined':
      return '';
    default:
      return v === null ? '' : JSON.stringify(v);
  }
}

/**
 * Enrichment (DESIGN.md data flow 1): event_id when absent, received_at, device/platform from the
 * User-Agent when the context lacks them, country from the trusted header, and PII redaction of
 * the configured property keys. Property values become strings (numbers keep their decimal text).
 */
export function toRow(e: AnalyticsEventInput, tsMs: number, req: RequestContext, piiKeys: ReadonlySet<string>): EventRow {
  const properties: Record<string, string> = {};
  if (e.properties) {
    for (const [k, v] of Object.entries(e.properties)) {
      properties[k] = piiKeys.has(k.toLowerCase()) ? REDACTED : propValue(v);
    }
  }
  const ctx = e.context ?? {};
  const needUa = !ctx.device || !ctx.platform;
  const ua = needUa ? parseUserAgent(req.userAgent) : undefined;
  return {
    event_id: e.event_id ?? randomUUID(),
    tenant_id: e.tenant_id,
    type: e.type,
    user_id: e.user_id,
    timestamp: chTime(tsMs),
    received_at: chTime(req.receivedAt),
    properties,
    device: (ctx.device ?? ua?.device ?? 'unknown').toLowerCase(),
    platform: (ctx.platform ?? ua?.platform ?? 'unknown').toLowerCase(),
    app_version: ctx.app_version ?? '',
    country: (ctx.country ?? req.country ?? '').toUpperCase(),
  };
}
