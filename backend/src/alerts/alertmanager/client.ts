import { badRequest, CaasError, notFound } from '../../errors.js';

/**
 * A thin client of Alertmanager's API v2 (0.25; api/v2/openapi.yaml): status, receivers, alerts, alert
 * groups, silences. Over fetch, with a deadline on every call. Its failures are domain errors that say
 * what to do: Alertmanager down or answering 5xx → `unavailable` (503, retry), a request it refuses
 * (a bad matcher, a silence in the past) → `invalid` with Alertmanager's own reason, a silence it does not
 * know → `not_found`.
 */
export interface Matcher {
  name: string;
  value: string;
  isRegex: boolean;
  /** false: a negative matcher (!= or !~); Alertmanager's default is true */
  isEqual?: boolean;
}

export interface AmStatus {
  cluster: { name?: string; status: string; peers?: Array<{ name: string; address: string }> | null };
  versionInfo: { version: string; revision?: string; branch?: string; buildUser?: string; buildDate?: string; goVersion?: string };
  config: { original: string };
  uptime: string;
}

export interface AmAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  updatedAt: string;
  generatorURL?: string;
  fingerprint: string;
  receivers: Array<{ name: string }>;
  status: { state: 'active' | 'suppressed' | 'unprocessed'; silencedBy: string[]; inhibitedBy: string[] };
}

export interface AmGroup {
  labels: Record<string, string>;
  receiver: { name: string };
  alerts: AmAlert[];
}

export interface AmSilence {
  id: string;
  status: { state: 'active' | 'pending' | 'expired' };
  updatedAt: string;
  matchers: Matcher[];
  startsAt: string;
  endsAt: string;
  createdBy: string;
  comment: string;
}

/** What POST /api/v2/alerts takes (PostableAlert). */
export interface PostableAlert {
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  startsAt?: string;
  endsAt?: string;
  generatorURL?: string;
}

export interface PostableSilence {
  id?: string;
  matchers: Matcher[];
  startsAt: string;
  endsAt: string;
  createdBy: string;
  comment: string;
}

export interface AlertFilter {
  /** matchers in Alertmanager's filter syntax, e.g. tenant_id="acme" */
  filter?: string[];
  active?: boolean;
  silenced?: boolean;
  inhibited?: boolean;
  receiver?: string;
}

export class AlertmanagerClient {
  readonly url: string;
  private readonly timeoutMs: number;

  constructor(url: string, opts: { timeoutMs?: number } = {}) {
    this.url = url.replace(/\/+$/, '');
    this.timeoutMs = opts.timeoutMs ?? 10_000;
  }

  status(): Promise<AmStatus> {
    return this.call<AmStatus>('GET', '/api/v2/status');
  }

  receivers(): Promise<Array<{ name: string }>> {
    return this.call('GET', '/api/v2/receivers');
  }

  alerts(f: AlertFilter = {}): Promise<AmAlert[]> {
    return this.call('GET', `/api/v2/alerts${query(f)}`);
  }

  groups(f: AlertFilter = {}): Promise<AmGroup[]> {
    return this.call('GET', `/api/v2/alerts/groups${query(f)}`);
  }

  async postAlerts(alerts: PostableAlert[]): Promise<void> {
    await this.call('POST', '/api/v2/alerts', alerts);
  }

  silences(filter: string[] = []): Promise<AmSilence[]> {
    return this.call('GET', `/api/v2/silences${query({ filter })}`);
  }

  silence(id: string): Promise<AmSilence> {
    return this.call('GET', `/api/v2/silence/${encodeURIComponent(id)}`, undefined, `silence '${id}'`);
  }

  async createSilence(s: PostableSilence): Promise<string> {
    const r = await this.call<{ silenceID: string }>('POST', '/api/v2/silences', s);
    return r.silenceID;
  }

  async expireSilence(id: string): Promise<void> {
    await this.call('DELETE', `/api/v2/silence/${encodeURIComponent(id)}`, undefined, `silence '${id}'`);
  }

  private async call<T>(method: string, path: string, body?: unknown, what?: string): Promise<T> {
    const where = `Alertmanager (ALERTMANAGER_URL=${this.url})`;
    let res: Response;
    try {
      res = await fetch(`${this.url}${path}`, {
        method,
        headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (e) {
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      const why = (e as Error).name === 'TimeoutError' ? `no answer within ${this.timeoutMs / 1000}s` : (cause?.code ?? cause?.message ?? (e as Error).message);
      throw new CaasError('unavailable', 'alertmanager_unreachable', `${where} did not answer ${method} ${path.split('?')[0]} (${why}): is it running and is the URL right?`, undefined, 10);
    }
    const text = await res.text();
    if (res.ok) {
      if (text.trim() === '') {
        return undefined as T;
      }
      try {
        return JSON.parse(text) as T;
      } catch {
        throw new CaasError('unavailable', 'alertmanager_bad_answer', `${where} answered ${method} ${path.split('?')[0]} with something that is not JSON: is ALERTMANAGER_URL an Alertmanager (0.25 or later, API v2)?`, undefined, 10);
      }
    }
    const reason = reasonOf(text);
    if (res.status === 404) {
      if (what) {
        throw notFound(`${what} is not in Alertmanager${reason ? ` (${reason})` : ''}: list them with GET /v1/alertmanager/silences`);
      }
      throw new CaasError('unavailable', 'alertmanager_bad_answer', `${where} has no ${path.split('?')[0]} (404): is ALERTMANAGER_URL an Alertmanager with API v2 (0.16 or later), without a route prefix it lacks?`, undefined, 10);
    }
    if (res.status >= 400 && res.status < 500) {
      throw badRequest('alertmanager_refused', `Alertmanager refused ${method} ${path.split('?')[0]}: ${reason || `status ${res.status}`}`);
    }
    throw new CaasError('unavailable', 'alertmanager_failed', `${where} answered ${method} ${path.split('?')[0]} with ${res.status}${reason ? `: ${reason}` : ''}; try again shortly`, undefined, 10);
  }
}

/** Alertmanager's error bodies are a JSON string, or {code, message}, or text. */
function reasonOf(text: string): string {
  const t = text.trim();
  try {
    const v = JSON.parse(t) as unknown;
    if (typeof v === 'string') {
      return v.trim().slice(0, 500);
    }
    if (v && typeof v === 'object' && typeof (v as { message?: unknown }).message === 'string') {
      return ((v as { message: string }).message).trim().slice(0, 500);
    }
  } catch {
    // text
  }
  return t.slice(0, 500);
}

function query(f: AlertFilter): string {
  const p = new URLSearchParams();
  for (const m of f.filter ?? []) {
    p.append('filter', m);
  }
  for (const k of ['active', 'silenced', 'inhibited'] as const) {
    if (f[k] !== undefined) {
      p.set(k, String(f[k]));
    }
  }
  if (f.receiver !== undefined) {
    p.set('receiver', f.receiver);
  }
  const s = p.toString();
  return s ? `?${s}` : '';
}

/** A matcher in Alertmanager's filter syntax (`name="value"`, `name=~"re"`, …), the value quoted as Go reads it. */
export function filterMatcher(m: Matcher): string {
  const op = `${m.isEqual === false ? '!' : '='}${m.isRegex ? '~' : m.isEqual === false ? '=' : ''}`;
  return `${m.name}${op}${JSON.stringify(m.value)}`;
}
