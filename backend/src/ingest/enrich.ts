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

let minuteKey = NaN;
let minutePrefix = '';

/**
 * 'YYYY-MM-DD HH:MM:SS.mmm' in UTC: what DateTime64(3, 'UTC') reads without ambiguity. The
 * 'YYYY-MM-DD HH:MM:' prefix is cached per minute (events of a batch share it; toISOString is the
 * costliest step of enrichment).
 */
export function chTime(ms: number): string {
  const inMinute = ((ms % 60_000) + 60_000) % 60_000;
  const minute = ms - inMinute;
  if (minute !== minuteKey) {
    const iso = new Date(minute).toISOString();
    minutePrefix = `${iso.slice(0, 10)} ${iso.slice(11, 17)}`;
    minuteKey = minute;
  }
  const sec = Math.floor(inMinute / 1000);
  const milli = inMinute % 1000;
  return `${minutePrefix}${sec < 10 ? '0' : ''}${sec}.${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}`;
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

/** The properties' JSON, with the configured PII keys replaced (only copied when one is present). */
function propertiesJson(props: Record<string, unknown> | undefined, piiKeys: ReadonlySet<string>): string {
  if (!props) {
    return '{}';
  }
  let redacted: Record<string, unknown> | null = null;
  for (const k in props) {
    if (piiKeys.has(k) || piiKeys.has(k.toLowerCase())) {
      redacted ??= { ...props };
      redacted[k] = REDACTED;
    }
  }
  return JSON.stringify(redacted ?? props);
}

const q = JSON.stringify;

/**
 * Enrichment (DESIGN.md data flow 1): event_id when absent, received_at, device/platform from the
 * User-Agent when the context lacks them, country from the trusted header, and PII redaction of
 * the configured property keys. Answers the event as one NDJSON line of the events table (an
 * `EventRow`), written directly rather than through an intermediate object: this is the hot path.
 * Property values stay JSON; ClickHouse's Map(String, String) input stores numbers and booleans as
 * their text and objects/arrays as their JSON (input_format_json_read_*_as_strings, tested).
 */
export function toRowLine(e: AnalyticsEventInput, tsMs: number, req: RequestContext, receivedAtText: string, piiKeys: ReadonlySet<string>): string {
  const ctx = e.context;
  const device = ctx?.device;
  const platform = ctx?.platform;
  const ua = !device || !platform ? parseUserAgent(req.userAgent) : undefined;
  const country = ctx?.country ?? req.country;
  return (
    `{"event_id":${q(e.event_id ?? randomUUID())},"tenant_id":${q(e.tenant_id)},"type":${q(e.type)},"user_id":${q(e.user_id)},` +
    `"timestamp":"${chTime(tsMs)}","received_at":"${receivedAtText}","properties":${propertiesJson(e.properties, piiKeys)},` +
    `"device":${q((device ?? ua?.device ?? 'unknown').toLowerCase())},"platform":${q((platform ?? ua?.platform ?? 'unknown').toLowerCase())},` +
    `"app_version":${q(ctx?.app_version ?? '')},"country":${q(country ? country.toUpperCase() : '')}}`
  );
}

/**
 * The inverse of `toRowLine`, for a row the store refused after it was acknowledged: the event as a
 * client would send it, so that it can sit in the dead letters and be replayed once fixed.
 * Answers the line itself when it is not a row (it then replays as a rejected line).
 */
export function rowLineToEvent(line: string): { tenantId: string | undefined; payload: string } {
  let row: Partial<EventRow>;
  try {
    row = JSON.parse(line) as Partial<EventRow>;
  } catch {
    return { tenantId: undefined, payload: line };
  }
  if (typeof row.timestamp !== 'string' || typeof row.tenant_id !== 'string') {
    return { tenantId: typeof row.tenant_id === 'string' ? row.tenant_id : undefined, payload: line };
  }
  const event = {
    event_id: row.event_id,
    type: row.type,
    tenant_id: row.tenant_id,
    user_id: row.user_id,
    timestamp: `${row.timestamp.replace(' ', 'T')}Z`,
    properties: row.properties,
    context: { device: row.device, platform: row.platform, app_version: row.app_version, ...(row.country ? { country: row.country } : {}) },
  };
  return { tenantId: row.tenant_id, payload: JSON.stringify(event) };
}
