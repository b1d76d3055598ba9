import { resolve } from 'node:path';
import { intervalCron, RULER_INTERVALS } from '../alerts/event-rules/interval.js';
import { ZonedCron } from '../jobs/zoned-cron.js';

/**
 * All configuration comes from environment variables (12-factor, DESIGN.md "Two modes").
 * Every variable is documented in the README with its default; keep the two in step.
 */
export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** ClickHouse server URL (scaled mode); absent = embedded chdb under dataDir/clickhouse */
  clickhouseUrl: string | undefined;
  /** PostgreSQL URL (scaled mode); absent = embedded PGlite under dataDir/pglite */
  databaseUrl: string | undefined;
  adminKey: string | undefined;
  /** bootstraps a key with role viewer (reads every tenant, writes nothing): what Grafana's Viewer routes use */
  viewerKey: string | undefined;
  /** bootstraps a key with role responder (a viewer that acts on incidents and silences): what Grafana's Editor routes use */
  responderKey: string | undefined;
  /** seals stored secrets (crawl source tokens…); absent = a generated DATA_DIR/secret.key */
  secretKey: string | undefined;
  logLevel: string;
  /** property keys (and log fields) redacted before storage and in logs */
  piiKeys: string[];
  /** request header trusted to carry the client's ISO country code (set by a trusted proxy/CDN) */
  countryHeader: string | undefined;
  maxBodyBytes: number;
  /** events per second per tenant (token bucket, burst = 2 s); 0 disables */
  tenantRateLimit: number;
  walMaxBacklogBytes: number;
  batchMaxEvents: number;
  batchMaxAgeMs: number;
  eventMaxFutureSeconds: number;
  eventMaxPastSeconds: number;
  /** nesting depth of an event's properties (an object or array inside a property is one level) */
  eventMaxDepth: number;
  /** an event's size as its JSON text, in bytes */
  eventMaxBytes: number;
  /** raw analytics events are deleted this many days after their timestamp (seed: analytics cold storage 5 years) */
  eventsTtlDays: number;
  /** number of chdb sessions used for queries (ingestion has its own) */
  chdbQuerySessions: number;
  /** analytics query guards (issue "CAAS analytics", item 4) */
  analytics: {
    maxRangeDays: number;
    maxPoints: number;
    maxExecutionSeconds: number;
    maxConcurrentPerTenant: number;
  };
  /** how long an instance trusts what it read of keys and tenants: revocations elsewhere take effect within it */
  authCacheSeconds: number;
  /** requests a minute one client address may make to a public route (no login) */
  publicRateLimit: number;
  /** searches a minute per tenant (GET/POST /v1/search), shared by every instance on the PostgreSQL server; 0 disables */
  searchQueriesPerMinute: number;
  /**
   * whose X-Forwarded-For to believe for the client address (fastify's trustProxy): unset = nobody,
   * so a client cannot pick its own address to dodge a per-address limit
   */
  trustProxy: boolean | string;
  meiliUrl: string | undefined;
  /** Alertmanager (API v2): event-rule alerts go there; alerts, groups and silences are read from it */
  alertmanagerUrl: string | undefined;
  /** how often the ruler evaluates event rules (its schedule's tick; a rule's own interval is a multiple) */
  rulerIntervalSeconds: number;
  /** the backend's address as people reach it: alerts link back to their rule from here (generatorURL) */
  publicUrl: string;
  /** bootstraps (or rotates) the `alertmanager` webhook secret that POST /v1/alertmanager/webhook accepts as Bearer */
  alertmanagerWebhookSecret: string | undefined;
  /** where Alertmanager reaches the backend (the generated alertmanager.yml's webhook URL): ALERTMANAGER_WEBHOOK_BASE_URL, default publicUrl */
  alertmanagerWebhookBaseUrl: string;
  prometheusUrl: string | undefined;
  /** where the metric rule file is written for Prometheus' rule_files (then POST PROMETHEUS_URL/-/reload) */
  prometheusRulesDir: string | undefined;
  /** Prometheus' promtool, which checks every metric rule before it is stored */
  promtoolPath: string;
  smtpUrl: string | undefined;
  /** --demo: where the demo CAAS platform serves its Prometheus metrics (0 = any free port) */
  demoMetricsPort: number;
  /** the job runner (issue "Platform", part 2; README "Jobs") */
  jobs: {
    /** jobs this instance runs at once; 0 = it runs none (an API-only instance) */
    concurrency: number;
    pollMs: number;
    leaseSeconds: number;
    maxAttempts: number;
    backoffBaseMs: number;
    backoffMaxSeconds: number;
    retentionDays: number;
    scheduleTickMs: number;
  };
  /** the nightly storage report: rows and bytes per tenant in ClickHouse */
  storageReport: { cron: string; timezone: string };
  /** outbound email and webhooks (issue "Platform", part 3; README "Delivery"); SMTP_URL is smtpUrl */
  delivery: {
    /** one HTTP request or SMTP exchange, whole */
    timeoutMs: number;
    /** bytes of a receiver's answer read at most */
    maxResponseBytes: number;
    /** a message (body, attachments) as stored until sent */
    maxMessageBytes: number;
    maxAttempts: number;
    /** longest wait a receiver's Retry-After gets before the next try */
    maxRetryAfterSeconds: number;
    /** false: refuse webhook targets on private, loopback and reserved addresses */
    allowPrivate: boolean;
    /** the From of every email, e.g. `CAAS Observatory <caas@example.com>` */
    mailFrom: string;
  };
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

function str(env: Env, name: string): string | undefined {
  const v = env[name]?.trim();
  return v ? v : undefined;
}

function int(env: Env, name: string, def: number, min = 0): number {
  const raw = str(env, name);
  if (raw === undefined) {
    return def;
  }
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) {
    throw new ConfigError(`${name}=${raw} is not valid: expected a whole number >= ${min} (default ${def})`);
  }
  return n;
}

function port(env: Env, name: string, def: number): number {
  const n = int(env, name, def);
  if (n > 65_535) {
    throw new ConfigError(`${name}=${n} is not a TCP port: expected 0 (any free port) to 65535 (default ${def})`);
  }
  return n;
}

function url(env: Env, name: string): string | undefined {
  const raw = str(env, name);
  if (raw === undefined) {
    return undefined;
  }
  try {
    new URL(raw);
  } catch {
    throw new ConfigError(`${name}=${raw} is not a valid URL (example: http://localhost:8123)`);
  }
  return raw;
}

/** TRUST_PROXY: true/false, or addresses and ranges as fastify takes them (e.g. 127.0.0.1,10.0.0.0/8). */
function trustProxy(raw: string | undefined): boolean | string {
  if (raw === undefined || raw === 'false') {
    return false;
  }
  return raw === 'true' ? true : raw;
}

export function loadConfig(env: Env = process.env): Config {
  const piiKeys = (str(env, 'PII_KEYS') ?? 'email,phone,phone_number,ip,ip_address,password,ssn')
    .split(',')
    .map((k) => k.trim().toLowerCase())
    .filter(Boolean);
  return {
    port: int(env, 'PORT', 8080),
    host: str(env, 'HOST') ?? '0.0.0.0',
    dataDir: resolve(str(env, 'DATA_DIR') ?? './data'),
    clickhouseUrl: url(env, 'CLICKHOUSE_URL'),
    databaseUrl: url(env, 'DATABASE_URL'),
    adminKey: str(env, 'CAAS_ADMIN_KEY'),
    viewerKey: str(env, 'CAAS_VIEWER_KEY'),
    responderKey: str(env, 'CAAS_RESPONDER_KEY'),
    secretKey: str(env, 'CAAS_SECRET_KEY'),
    logLevel: str(env, 'LOG_LEVEL') ?? 'info',
    piiKeys,
    countryHeader: str(env, 'COUNTRY_HEADER')?.toLowerCase(),
    maxBodyBytes: int(env, 'MAX_BODY_BYTES', 10 * 1024 * 1024, 1024),
    tenantRateLimit: int(env, 'TENANT_RATE_LIMIT', 200_000),
    walMaxBacklogBytes: int(env, 'WAL_MAX_BACKLOG_BYTES', 512 * 1024 * 1024, 1024),
    batchMaxEvents: int(env, 'BATCH_MAX_EVENTS', 50_000, 1),
    batchMaxAgeMs: int(env, 'BATCH_MAX_AGE_MS', 1000, 10),
    eventMaxFutureSeconds: int(env, 'EVENT_MAX_FUTURE_SECONDS', 300),
    eventMaxPastSeconds: int(env, 'EVENT_MAX_PAST_SECONDS', 400 * 86400),
    eventMaxDepth: int(env, 'EVENT_MAX_DEPTH', 16, 1),
    eventMaxBytes: int(env, 'EVENT_MAX_BYTES', 64 * 1024, 256),
    eventsTtlDays: int(env, 'EVENTS_TTL_DAYS', 5 * 365, 1),
    chdbQuerySessions: int(env, 'CHDB_QUERY_SESSIONS', 2, 1),
    analytics: {
      maxRangeDays: int(env, 'ANALYTICS_MAX_RANGE_DAYS', 731, 1),
      maxPoints: int(env, 'ANALYTICS_MAX_POINTS', 5000, 10),
      maxExecutionSeconds: int(env, 'ANALYTICS_MAX_EXECUTION_SECONDS', 30, 1),
      maxConcurrentPerTenant: int(env, 'ANALYTICS_MAX_CONCURRENT', 4, 1),
    },
    authCacheSeconds: int(env, 'AUTH_CACHE_SECONDS', 10),
    publicRateLimit: int(env, 'PUBLIC_RATE_LIMIT', 120, 1),
    searchQueriesPerMinute: int(env, 'SEARCH_QUERIES_PER_MINUTE', 600),
    trustProxy: trustProxy(str(env, 'TRUST_PROXY')),
    meiliUrl: url(env, 'MEILI_URL'),
    alertmanagerUrl: url(env, 'ALERTMANAGER_URL'),
    rulerIntervalSeconds: rulerInterval(env),
    publicUrl: url(env, 'PUBLIC_URL') ?? `http://localhost:${int(env, 'PORT', 8080)}`,
    alertmanagerWebhookSecret: secret(env, 'ALERTMANAGER_WEBHOOK_SECRET'),
    alertmanagerWebhookBaseUrl: url(env, 'ALERTMANAGER_WEBHOOK_BASE_URL') ?? url(env, 'PUBLIC_URL') ?? `http://localhost:${int(env, 'PORT', 8080)}`,
    prometheusUrl: url(env, 'PROMETHEUS_URL'),
    prometheusRulesDir: pathOf(env, 'PROMETHEUS_RULES_DIR'),
    promtoolPath: str(env, 'PROMTOOL_PATH') ?? 'promtool',
    smtpUrl: url(env, 'SMTP_URL'),
    demoMetricsPort: port(env, 'DEMO_METRICS_PORT', 9464),
    jobs: {
      concurrency: int(env, 'JOBS_CONCURRENCY', 4),
      pollMs: int(env, 'JOBS_POLL_MS', 1000, 10),
      leaseSeconds: int(env, 'JOBS_LEASE_SECONDS', 30, 1),
      maxAttempts: int(env, 'JOBS_MAX_ATTEMPTS', 5, 1),
      backoffBaseMs: int(env, 'JOBS_BACKOFF_BASE_MS', 1000, 1),
      backoffMaxSeconds: int(env, 'JOBS_BACKOFF_MAX_SECONDS', 300, 1),
      retentionDays: int(env, 'JOBS_RETENTION_DAYS', 30, 1),
      scheduleTickMs: int(env, 'JOBS_SCHEDULE_TICK_MS', 1000, 10),
    },
    storageReport: schedule(env, 'STORAGE_REPORT_CRON', '0 3 * * *', 'STORAGE_REPORT_TIMEZONE', 'UTC'),
    delivery: {
      timeoutMs: int(env, 'DELIVERY_TIMEOUT_MS', 10_000, 1),
      maxResponseBytes: int(env, 'DELIVERY_MAX_RESPONSE_BYTES', 64 * 1024, 0),
      maxMessageBytes: int(env, 'DELIVERY_MAX_MESSAGE_BYTES', 10 * 1024 * 1024, 1024),
      maxAttempts: int(env, 'DELIVERY_MAX_ATTEMPTS', 8, 1),
      maxRetryAfterSeconds: int(env, 'DELIVERY_MAX_RETRY_AFTER_SECONDS', 120, 0),
      allowPrivate: bool(env, 'DELIVERY_ALLOW_PRIVATE', false),
      mailFrom: mailFrom(env, 'MAIL_FROM', 'CAAS Observatory <caas-observatory@localhost>'),
    },
  };
}

/** A shared secret: at least 16 characters of printable ASCII without spaces (it travels in an Authorization header). */
function secret(env: Env, name: string): string | undefined {
  const raw = str(env, name);
  if (raw !== undefined && !/^[\x21-\x7e]{16,256}$/.test(raw)) {
    throw new ConfigError(`${name} must be 16 to 256 printable characters without spaces; generate one with: openssl rand -hex 24`);
  }
  return raw;
}

/** RULER_INTERVAL_SECONDS: a tick a cron pattern repeats evenly (its schedule is one). */
function rulerInterval(env: Env): number {
  const n = int(env, 'RULER_INTERVAL_SECONDS', 60, 1);
  if (intervalCron(n) === null) {
    throw new ConfigError(`RULER_INTERVAL_SECONDS=${n} is not valid: use one that divides a minute, an hour or a day evenly, e.g. ${RULER_INTERVALS.join(', ')} (default 60)`);
  }
  return n;
}

function pathOf(env: Env, name: string): string | undefined {
  const raw = str(env, name);
  return raw === undefined ? undefined : resolve(raw);
}

function bool(env: Env, name: string, def: boolean): boolean {
  const raw = str(env, name)?.toLowerCase();
  if (raw === undefined) {
    return def;
  }
  if (raw === 'true' || raw === '1' || raw === 'yes') {
    return true;
  }
  if (raw === 'false' || raw === '0' || raw === 'no') {
    return false;
  }
  throw new ConfigError(`${name}=${raw} is not valid: expected true or false (default ${def})`);
}

/** An address, with or without a display name: `caas@example.com` or `CAAS <caas@example.com>`. */
function mailFrom(env: Env, name: string, def: string): string {
  const v = str(env, name) ?? def;
  if (!/^(?:[^<>\r\n]*<[^<>@\s]+@[^<>@\s]+>|[^<>@\s]+@[^<>@\s]+)$/.test(v)) {
    throw new ConfigError(`${name}=${v} is not valid: expected an address such as caas@example.com or "CAAS Observatory <caas@example.com>"`);
  }
  return v;
}

/** A cron pattern and its IANA time zone, checked at start. */
function schedule(env: Env, cronName: string, cronDef: string, tzName: string, tzDef: string): { cron: string; timezone: string } {
  const cron = str(env, cronName) ?? cronDef;
  const timezone = str(env, tzName) ?? tzDef;
  try {
    new ZonedCron(cron, timezone);
  } catch (e) {
    throw new ConfigError(`${cronName}=${cron} / ${tzName}=${timezone}: ${(e as Error).message}`);
  }
  return { cron, timezone };
}
