import { parse } from 'yaml';
import { badRequest, CaasError, conflict, forbidden, notFound } from '../../errors.js';
import { durationMs, LABEL_NAME } from '../metric-rules/model.js';
import { AlertmanagerClient, filterMatcher, type AlertFilter, type AmAlert, type AmGroup, type AmSilence, type Matcher } from './client.js';

/**
 * What the app shows of Alertmanager (issue "Alert management", item 2), tenant-scoped: a tenant's keys
 * see the alerts and groups whose alerts carry its `tenant_id`, and the silences with a `tenant_id="<own>"`
 * matcher (every silence they create gets one); admin and viewer keys see everything. Inhibition rules are
 * read from the configuration Alertmanager runs (`config.original` of GET /api/v2/status).
 */
export const TENANT_LABEL = 'tenant_id';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]/u;
export const MAX_SILENCE_MS = 365 * 86_400_000;
export const MAX_MATCHERS = 32;

export interface InhibitRule {
  /** matchers the inhibiting (source) alert must match, e.g. severity="critical" */
  source_matchers: string[];
  /** matchers of the alerts it mutes, e.g. severity="warning" */
  target_matchers: string[];
  /** labels both must share, e.g. alertname, tenant_id */
  equal: string[];
}

export interface SilenceInput {
  matchers: Matcher[];
  startsAt?: string | undefined;
  endsAt?: string | undefined;
  /** instead of endsAt: how long from startsAt, e.g. 2h */
  duration?: string | undefined;
  comment: string;
  createdBy?: string | undefined;
}

export const notConfigured = () =>
  new CaasError(
    'unavailable',
    'alertmanager_not_configured',
    'no Alertmanager is configured: set ALERTMANAGER_URL (e.g. http://alertmanager:9093) to see alert groups and to silence alerts; without it, event-rule alerts open incidents directly',
    undefined,
    60
  );

/** Whether a silence is a tenant's: it has the matcher tenant_id="<tenant>" (equal, not a regex). */
export function silenceOf(s: Pick<AmSilence, 'matchers'>, tenant: string): boolean {
  return s.matchers.some((m) => m.name === TENANT_LABEL && m.value === tenant && !m.isRegex && m.isEqual !== false);
}

function checkText(field: string, v: string, max: number): void {
  if (!v.isWellFormed()) {
    throw badRequest('invalid_silence', `${field} holds a lone UTF-16 surrogate (broken Unicode): send well-formed text`);
  }
  if (CONTROL.test(v)) {
    throw badRequest('invalid_silence', `${field} holds a control character: remove it`);
  }
  if ([...v].length > max) {
    throw badRequest('invalid_silence', `${field} is longer than ${max} characters`);
  }
}

function instant(field: string, v: string): number {
  const ms = Date.parse(v);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(v) || Number.isNaN(ms)) {
    throw badRequest('invalid_silence', `${field} '${v.slice(0, 40)}' is not an RFC 3339 time: use e.g. 2025-01-31T12:00:00Z`);
  }
  return ms;
}

export class AlertmanagerService {
  constructor(readonly client: AlertmanagerClient | null) {}

  get configured(): boolean {
    return this.client !== null;
  }

  private am(): AlertmanagerClient {
    if (!this.client) {
      throw notConfigured();
    }
    return this.client;
  }

  /** Alertmanager's status and the inhibition rules of its configuration. */
  async status(): Promise<{ version: string; uptime: string; cluster: { status: string; name: string | null; peers: number }; inhibit_rules: InhibitRule[]; receivers: string[]; url: string }> {
    const am = this.am();
    const [s, receivers] = await Promise.all([am.status(), am.receivers()]);
    return {
      version: s.versionInfo.version,
      uptime: s.uptime,
      cluster: { status: s.cluster.status, name: s.cluster.name ?? null, peers: s.cluster.peers?.length ?? 0 },
      inhibit_rules: inhibitRules(s.config.original),
      receivers: receivers.map((r) => r.name).sort(),
      url: am.url,
    };
  }

  async alerts(tenant: string | null, f: AlertFilter = {}): Promise<AmAlert[]> {
    const alerts = await this.am().alerts(scoped(tenant, f));
    return tenant === null ? alerts : alerts.filter((a) => a.labels[TENANT_LABEL] === tenant);
  }

  async groups(tenant: string | null, f: AlertFilter = {}): Promise<AmGroup[]> {
    const groups = await this.am().groups(scoped(tenant, f));
    if (tenant === null) {
      return groups;
    }
    return groups.map((g) => ({ ...g, alerts: g.alerts.filter((a) => a.labels[TENANT_LABEL] === tenant) })).filter((g) => g.alerts.length > 0);
  }

  async silences(tenant: string | null, state?: AmSilence['status']['state']): Promise<AmSilence[]> {
    const all = await this.am().silences();
    return all
      .filter((s) => (tenant === null || silenceOf(s, tenant)) && (state === undefined || s.status.state === state))
      .sort((a, b) => (a.status.state === b.status.state ? (a.endsAt < b.endsAt ? 1 : -1) : a.status.state === 'active' ? -1 : b.status.state === 'active' ? 1 : 0));
  }

  async silence(tenant: string | null, id: string): Promise<AmSilence> {
    if (!UUID.test(id)) {
      throw notFound(`'${id.slice(0, 80)}' is not a silence id (Alertmanager's are UUIDs): list them with GET /v1/alertmanager/silences`);
    }
    const s = await this.am().silence(id);
    if (tenant !== null && !silenceOf(s, tenant)) {
      // another tenant's silence is, for this key, one that does not exist
      throw notFound(`silence '${id}' not found for tenant '${tenant}': list them with GET /v1/alertmanager/silences`);
    }
    return s;
  }

  /**
   * Creates a silence. A tenant's silence always holds tenant_id="<tenant>" (added when the matchers name
   * no tenant); a matcher on another tenant, or any other kind of tenant_id matcher, is refused.
   */
  async createSilence(tenant: string | null, input: SilenceInput, who: string, now = Date.now()): Promise<AmSilence> {
    const matchers = input.matchers.map((m) => ({ name: m.name, value: m.value, isRegex: m.isRegex, isEqual: m.isEqual ?? true }));
    if (matchers.length === 0) {
      throw badRequest('invalid_silence', 'matchers: give at least one, e.g. [{"name": "alertname", "value": "MessageSendFailures", "isRegex": false}]');
    }
    if (matchers.length > MAX_MATCHERS) {
      throw badRequest('invalid_silence', `matchers: at most ${MAX_MATCHERS}`);
    }
    for (const m of matchers) {
      if (!LABEL_NAME.test(m.name)) {
        throw badRequest('invalid_silence', `matcher name '${m.name.slice(0, 80)}' is not a label name: use letters, digits and _ (not starting with a digit)`);
      }
      checkText(`matcher ${m.name}`, m.value, 1000);
    }
    if (tenant !== null) {
      const own = matchers.filter((m) => m.name === TENANT_LABEL);
      const foreign = own.find((m) => m.value !== tenant || m.isRegex || !m.isEqual);
      if (foreign) {
        throw forbidden(`this key belongs to tenant '${tenant}': its silences match ${TENANT_LABEL}="${tenant}" only (leave the ${TENANT_LABEL} matcher out and it is added)`);
      }
      if (own.length === 0) {
        matchers.push({ name: TENANT_LABEL, value: tenant, isRegex: false, isEqual: true });
      }
    }
    checkText('comment', input.comment, 1000);
    if (input.comment.trim() === '') {
      throw badRequest('invalid_silence', 'comment is empty: say why the alerts are silenced');
    }
    const createdBy = input.createdBy?.trim() ? input.createdBy.trim() : who;
    checkText('createdBy', createdBy, 200);
    const startsAt = input.startsAt === undefined ? now : instant('startsAt', input.startsAt);
    let endsAt: number;
    if (input.endsAt !== undefined && input.duration !== undefined) {
      throw badRequest('invalid_silence', 'give endsAt or duration, not both');
    } else if (input.endsAt !== undefined) {
      endsAt = instant('endsAt', input.endsAt);
    } else if (input.duration !== undefined) {
      const ms = durationMs(input.duration);
      if (ms === null || ms <= 0) {
        throw badRequest('invalid_silence', `duration '${input.duration.slice(0, 40)}' is not a duration: use e.g. 30m, 2h or 1d`);
      }
      endsAt = startsAt + ms;
    } else {
      throw badRequest('invalid_silence', 'give endsAt (RFC 3339) or duration (e.g. 2h): how long the silence lasts');
    }
    if (endsAt <= startsAt) {
      throw badRequest('invalid_silence', 'endsAt must be after startsAt');
    }
    if (endsAt <= now) {
      throw badRequest('invalid_silence', 'endsAt is in the past: a silence must end in the future');
    }
    if (endsAt - startsAt > MAX_SILENCE_MS) {
      throw badRequest('invalid_silence', 'a silence lasts at most 365 days: silence for less, or change the rule');
    }
    const id = await this.am().createSilence({
      matchers,
      startsAt: new Date(startsAt).toISOString(),
      endsAt: new Date(endsAt).toISOString(),
      createdBy,
      comment: input.comment,
    });
    return this.am().silence(id);
  }

  /** Expires a silence (DELETE /api/v2/silence/{id}); a tenant's keys only their own. */
  async expireSilence(tenant: string | null, id: string): Promise<AmSilence> {
    const s = await this.silence(tenant, id);
    if (s.status.state === 'expired') {
      throw conflict(`silence '${id}' already expired at ${s.endsAt}`);
    }
    await this.am().expireSilence(id);
    return this.am().silence(id);
  }
}

/** A tenant's filter always holds tenant_id="<tenant>". */
function scoped(tenant: string | null, f: AlertFilter): AlertFilter {
  if (tenant === null) {
    return f;
  }
  return { ...f, filter: [...(f.filter ?? []), filterMatcher({ name: TENANT_LABEL, value: tenant, isRegex: false })] };
}

/** The inhibit_rules of an Alertmanager configuration (YAML), as matcher strings whichever syntax they use. */
export function inhibitRules(configYaml: string): InhibitRule[] {
  let doc: unknown;
  try {
    doc = parse(configYaml);
  } catch {
    return [];
  }
  const rules = (doc as { inhibit_rules?: unknown } | null)?.inhibit_rules;
  if (!Array.isArray(rules)) {
    return [];
  }
  const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
  const fromMap = (v: unknown, regex: boolean): string[] =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.entries(v as Record<string, unknown>).map(([k, x]) => filterMatcher({ name: k, value: String(x), isRegex: regex }))
      : [];
  return rules
    .filter((r): r is Record<string, unknown> => typeof r === 'object' && r !== null)
    .map((r) => ({
      source_matchers: [...strings(r.source_matchers), ...fromMap(r.source_match, false), ...fromMap(r.source_match_re, true)],
      target_matchers: [...strings(r.target_matchers), ...fromMap(r.target_match, false), ...fromMap(r.target_match_re, true)],
      equal: strings(r.equal),
    }));
}
