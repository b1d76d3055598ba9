import { createHash } from 'node:crypto';
import { badRequest } from '../../errors.js';
import { GO_ZERO_TIME, type WebhookAlert, type WebhookPayload } from '../alertmanager/webhook.js';

/**
 * Incidents (issue "Alert management", backend item 3): what a notification of Alertmanager's webhook
 * (payload v4), or of the ruler without Alertmanager, becomes. The domain's own types and checks, free of HTTP.
 */
export type IncidentState = 'triggered' | 'acknowledged' | 'resolved';
export const INCIDENT_STATES: readonly IncidentState[] = ['triggered', 'acknowledged', 'resolved'];
export type Via = 'alertmanager' | 'ruler';

/** Who did something to an incident: an API key (its id and name), a signed link, a sender, or the backend itself. */
export interface Actor {
  type: 'key' | 'link' | 'alertmanager' | 'ruler' | 'system';
  id: string | null;
  name: string | null;
}

export const INCIDENT_ID = /^inc_[0-9a-f]{16}$/;

/** The most alerts, and the longest text, one incident keeps of its labels and title (the payload itself is stored whole). */
export const TITLE_MAX = 500;

/** One alert of a checked notification: times as epoch ms, `endsAt` null while it fires. */
export interface CheckedAlert {
  fingerprint: string;
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: number;
  endsAt: number | null;
  generatorURL: string;
  /** the alert's tenant: its tenant_id label; null for the platform */
  tenant: string | null;
}

export interface CheckedNotification {
  groupKey: string;
  status: 'firing' | 'resolved';
  receiver: string;
  externalURL: string;
  truncatedAlerts: number;
  groupLabels: Record<string, string>;
  alerts: CheckedAlert[];
  /** what makes a notification the same as another (Alertmanager re-sends a group unchanged every repeat_interval) */
  digest: string;
}

/**
 * Text as PostgreSQL can store it: NUL (which no text or jsonb column takes) and lone UTF-16 surrogates become
 * U+FFFD. The notification itself is stored as its JSON text, unchanged.
 */
export const storable = (s: string): string => s.toWellFormed().replace(/\u0000/g, '\ufffd');

function storableMap(m: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(m)) {
    Object.defineProperty(out, storable(k), { value: storable(v), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

/**
 * An RFC 3339 instant as Alertmanager writes it (Go's RFC3339Nano: up to 9 fraction digits, Z or an offset), as
 * epoch milliseconds; undefined when it is not one (wrong format, or a day that does not exist).
 */
export function parseRfc3339(s: string): number | undefined {
  const m = RFC3339.exec(s);
  if (!m) {
    return undefined;
  }
  const [y, mo, d, h, mi, sec] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [number, number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || sec > 59) {
    return undefined;
  }
  const day = new Date(0);
  day.setUTCFullYear(y, mo - 1, d);
  if (day.getUTCMonth() !== mo - 1 || day.getUTCDate() !== d) {
    return undefined; // e.g. 2023-02-30
  }
  const ms = Math.floor(Number(`0${m[7] ?? ''}`) * 1000);
  const zone = m[8] as string;
  const offset = zone === 'Z' || zone === 'z' ? 0 : (zone[0] === '-' ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
  if (offset !== 0 && (Number(zone.slice(1, 3)) > 23 || Number(zone.slice(4, 6)) > 59)) {
    return undefined;
  }
  day.setUTCHours(h, mi, sec, ms);
  return day.getTime() - offset * 60_000;
}

/** Go's zero time as an instant (year 1): Alertmanager's `endsAt` of a firing alert. */
const GO_ZERO_MS = parseRfc3339(GO_ZERO_TIME) as number;

const SEVERITY_RANK: Record<string, number> = { critical: 4, error: 3, high: 3, warning: 2, warn: 2, info: 1, low: 1 };
export const severityRank = (s: string): number => SEVERITY_RANK[s.toLowerCase()] ?? 0;

/**
 * The checks a v4 payload passes beyond its shape (which the route's schema, or the ruler's types, gave it):
 * times that are instants, one entry per fingerprint, a group status that agrees with its alerts. Each failure
 * names the field, so the sender (or whoever wrote a test payload by hand) knows what to change.
 */
export function checkNotification(p: WebhookPayload): CheckedNotification {
  if (p.alerts.length === 0) {
    throw badRequest('invalid_notification', 'alerts is empty: a notification carries at least one alert (Alertmanager never sends an empty one)');
  }
  const seen = new Set<string>();
  const alerts = p.alerts.map((a: WebhookAlert, i): CheckedAlert => {
    const where = `alerts[${i}]`;
    if (a.fingerprint.length === 0) {
      throw badRequest('invalid_notification', `${where}.fingerprint is empty: Alertmanager sends each alert's fingerprint (a hash of its labels)`);
    }
    if (seen.has(a.fingerprint)) {
      throw badRequest('invalid_notification', `${where}.fingerprint '${a.fingerprint.slice(0, 40)}' appears twice: one notification lists each alert once`);
    }
    seen.add(a.fingerprint);
    const startsAt = parseRfc3339(a.startsAt);
    if (startsAt === undefined) {
      throw badRequest('invalid_notification', `${where}.startsAt '${a.startsAt.slice(0, 40)}' is not an RFC 3339 instant (e.g. 2024-05-01T12:00:00.000Z)`);
    }
    const endsRaw = parseRfc3339(a.endsAt);
    if (endsRaw === undefined) {
      throw badRequest('invalid_notification', `${where}.endsAt '${a.endsAt.slice(0, 40)}' is not an RFC 3339 instant (a firing alert's is ${GO_ZERO_TIME})`);
    }
    const endsAt = endsRaw === GO_ZERO_MS ? null : endsRaw;
    if (a.status === 'resolved' && endsAt === null) {
      throw badRequest('invalid_notification', `${where} is resolved but its endsAt is ${GO_ZERO_TIME} (Go's zero time, which only a firing alert has): send when it ended`);
    }
    if (p.status === 'resolved' && a.status === 'firing') {
      throw badRequest('invalid_notification', `status is resolved but ${where} is firing: a group is resolved only when all its alerts are`);
    }
    const labels = storableMap(a.labels);
    const tenant = labels.tenant_id !== undefined && labels.tenant_id !== '' ? labels.tenant_id : null;
    return {
      fingerprint: storable(a.fingerprint),
      status: a.status,
      labels,
      annotations: storableMap(a.annotations),
      startsAt,
      endsAt,
      generatorURL: storable(a.generatorURL),
      tenant,
    };
  });
  if (p.status === 'firing' && alerts.every((a) => a.status === 'resolved')) {
    throw badRequest('invalid_notification', 'status is firing but every alert is resolved: the group status is resolved then');
  }
  const digest = createHash('sha256')
    .update(
      JSON.stringify([
        p.groupKey,
        p.status,
        p.truncatedAlerts,
        alerts.map((a) => [a.fingerprint, a.status, a.startsAt, a.endsAt]).sort((x, y) => (String(x[0]) < String(y[0]) ? -1 : 1)),
      ])
    )
    .digest('hex');
  return {
    groupKey: storable(p.groupKey),
    status: p.status,
    receiver: storable(p.receiver),
    externalURL: storable(p.externalURL),
    truncatedAlerts: p.truncatedAlerts,
    groupLabels: storableMap(p.groupLabels),
    alerts,
    digest,
  };
}

/** The labels every alert shares with the same value. */
export function commonOf(maps: Array<Record<string, string>>): Record<string, string> {
  const [first, ...rest] = maps;
  if (!first) {
    return {};
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(first)) {
    if (rest.every((m) => Object.hasOwn(m, k) && m[k] === v)) {
      Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
    }
  }
  return out;
}

const clip = (s: string, n: number) => (s.length <= n ? s : `${s.slice(0, n - 1)}…`);

/** What an incident shows of its alerts: title, severity, service and runbook, from their labels and annotations. */
export interface IncidentFacts {
  title: string;
  severity: string;
  service: string | null;
  summary: string | null;
  description: string | null;
  runbook_url: string | null;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export function factsOf(alerts: Array<Pick<CheckedAlert, 'labels' | 'annotations' | 'status'>>, groupLabels: Record<string, string>): IncidentFacts {
  const labels = commonOf(alerts.map((a) => a.labels));
  const annotations = commonOf(alerts.map((a) => a.annotations));
  const firing = alerts.filter((a) => a.status === 'firing');
  const pick = (key: string, from: 'labels' | 'annotations'): string | null => {
    const common = (from === 'labels' ? labels : annotations)[key];
    if (common) {
      return common;
    }
    for (const a of [...firing, ...alerts]) {
      const v = a[from][key];
      if (v) {
        return v;
      }
    }
    return null;
  };
  const alertname = pick('alertname', 'labels');
  const summary = pick('summary', 'annotations');
  const groupText = Object.entries(groupLabels)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  const severities = alerts.map((a) => a.labels.severity).filter((s): s is string => typeof s === 'string' && s !== '');
  const severity = labels.severity || severities.sort((a, b) => severityRank(b) - severityRank(a))[0] || 'none';
  const title = annotations.summary || (alertname ? (alerts.length > 1 && !labels.alertname ? `${alertname} and others` : alertname) : summary || groupText || 'alert');
  return {
    title: clip(title, TITLE_MAX),
    severity: clip(severity, 100),
    service: pick('service', 'labels') ?? pick('job', 'labels'),
    summary,
    description: pick('description', 'annotations'),
    runbook_url: pick('runbook_url', 'annotations'),
    labels,
    annotations,
  };
}
