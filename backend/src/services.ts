import { join } from 'node:path';
import type { Logger } from 'pino';
import { AlertmanagerClient } from './alerts/alertmanager/client.js';
import { AlertmanagerService } from './alerts/alertmanager/service.js';
import type { IncidentIntake } from './alerts/alertmanager/webhook.js';
import { Ruler } from './alerts/event-rules/ruler.js';
import { EventRuleService } from './alerts/event-rules/service.js';
import { Monitoring } from './alerts/monitoring.js';
import { MetricRuleService } from './alerts/metric-rules/service.js';
import { PrometheusRuleSync } from './alerts/metric-rules/prometheus.js';
import { ChannelNotifier } from './alerts/channels/notifier.js';
import { ChannelService } from './alerts/channels/service.js';
import { ActionLinks } from './auth/action-links.js';
import { IncidentService } from './alerts/incidents/service.js';
import { OnCallService } from './alerts/oncall/service.js';
import { Promtool } from './alerts/promtool.js';
import { AnalyticsService } from './analytics/service.js';
import { KeyRepo } from './auth/keys.js';
import { SignedLinks } from './auth/signed-links.js';
import { WebhookSecretRepo } from './auth/webhook-secrets.js';
import { TenantRepo } from './auth/tenants.js';
import type { Config } from './config/config.js';
import { SecretBox } from './auth/secret-box.js';
import { CrawlService } from './crawler/service.js';
import { DELIVERY_SEND_KIND, DeliveryService } from './delivery/service.js';
import { DeadLetterRepo } from './ingest/dead-letters.js';
import { Flusher } from './ingest/flusher.js';
import { IngestService } from './ingest/intake.js';
import { SharedTenantRateLimiter, TenantRateLimiter } from './ingest/rate-limit.js';
import { Wal } from './ingest/wal.js';
import { DEAD_LETTER_REPLAY_KIND, deadLetterReplayHandler } from './jobs/dead-letter-replay.js';
import { JobRunner } from './jobs/runner.js';
import { createSearchEngine, type SearchEngine } from './search/index.js';
import { STORAGE_REPORT_KIND, STORAGE_REPORT_SCHEDULE, StorageReportRepo, storageReportHandler } from './jobs/storage-report.js';
import { createMetrics, type Metrics } from './observability/metrics.js';
import { AnalyticsStore } from './store/analytics-store.js';
import { CLICKHOUSE_WRITE_LOCK, migrateClickHouseExclusive } from './store/clickhouse-migrations.js';
import { openMetadataDb, type MetadataDb } from './store/metadata-db.js';
import { migratePostgres } from './store/pg-migrations.js';

/** Everything the HTTP layer and the CLI stand on, wired once from the configuration. */
export interface Services {
  cfg: Config;
  log: Logger;
  metrics: Metrics;
  store: AnalyticsStore;
  db: MetadataDb;
  tenants: TenantRepo;
  keys: KeyRepo;
  webhookSecrets: WebhookSecretRepo;
  links: SignedLinks;
  deadLetters: DeadLetterRepo;
  wal: Wal;
  flusher: Flusher;
  ingest: IngestService;
  analytics: AnalyticsService;
  /** durable jobs and cron schedules (jobs/): every scheduled or long task runs here */
  jobs: JobRunner;
  storageReports: StorageReportRepo;
  /** outbound email and webhooks (delivery/), sent by `delivery.send` jobs */
  deliveries: DeliveryService;
  /** full-text search over the crawled documents (search/): Meilisearch with MEILI_URL, else PostgreSQL */
  search: SearchEngine;
  /** crawl sources, cursors and crawl jobs (crawler/) that fill `search` */
  crawler: CrawlService;
  /** metric rules (alerts/metric-rules/): PromQL rules rendered into Prometheus' rule file */
  metricRules: MetricRuleService;
  /** event rules over ClickHouse events (alerts/event-rules/), checked by running their queries */
  eventRules: EventRuleService;
  /** evaluates the event rules on jobs/ and sends their alerts to Alertmanager, or to the incidents */
  ruler: Ruler;
  /** Alertmanager (ALERTMANAGER_URL) as the app sees it, tenant-scoped; its client is null when not configured */
  alertmanager: AlertmanagerService;
  /** the seed's POST /monitoring/test/:ruleId and GET /monitoring/status */
  monitoring: Monitoring;
  /** incidents from Alertmanager's webhook or the ruler (alerts/incidents/; IncidentIntake), escalated by policy */
  incidents: IncidentService;
  /** on-call responders and schedules (alerts/oncall/): the OnCallDirectory pages to users and schedules ask */
  oncall: OnCallService;
  /** alert channels (alerts/channels/): email, Slack, PagerDuty, SMS, phone, webhook, sent on `deliveries` */
  channels: ChannelService;
  /** the signed Acknowledge / Resolve links in channel messages */
  actionLinks: ActionLinks;
  startedAt: number;
  close(): Promise<void>;
}

/** Opens the metadata store and applies its migrations (the CLI needs only this part). */
export async function openMetadata(cfg: Config): Promise<{ db: MetadataDb; tenants: TenantRepo; keys: KeyRepo }> {
  const db = await openMetadataDb({ databaseUrl: cfg.databaseUrl, dataDir: cfg.dataDir });
  await migratePostgres(db);
  const tenants = new TenantRepo(db, cfg.authCacheSeconds * 1000);
  return { db, tenants, keys: new KeyRepo(db, tenants, cfg.authCacheSeconds * 1000) };
}

export async function createServices(cfg: Config, log: Logger): Promise<Services> {
  const metrics = createMetrics();
  const { db, tenants, keys } = await openMetadata(cfg);
  if (cfg.adminKey) {
    await keys.bootstrap('admin', cfg.adminKey);
  }
  if (cfg.viewerKey) {
    await keys.bootstrap('viewer', cfg.viewerKey);
  }
  if (cfg.responderKey) {
    await keys.bootstrap('responder', cfg.responderKey);
  }
  const store = cfg.clickhouseUrl
    ? AnalyticsStore.server(cfg.clickhouseUrl)
    : AnalyticsStore.embedded(cfg.dataDir, cfg.chdbQuerySessions);
  const applied = await migrateClickHouseExclusive(store, db, cfg.eventsTtlDays);
  log.info({ clickhouse: store.mode, postgres: db.mode, migrations: applied }, 'stores ready');

  const deadLetters = new DeadLetterRepo(db);
  let flusher: Flusher | null = null;
  const wal = new Wal({
    dir: join(cfg.dataDir, 'wal'),
    maxSegmentEvents: cfg.batchMaxEvents,
    maxSegmentAgeMs: cfg.batchMaxAgeMs,
    onSeal: (seg) => flusher?.enqueue(seg),
    onFsync: (s) => metrics.walFsyncDuration.observe(s),
  });
  flusher = new Flusher(store, wal, log.child({ component: 'flusher' }), metrics, deadLetters, (fn) => db.withLock(CLICKHOUSE_WRITE_LOCK, 'shared', fn));
  const recovered = await wal.open();
  if (recovered.length) {
    log.info({ segments: recovered.length, events: recovered.reduce((n, s) => n + s.events, 0) }, 'replaying WAL segments left by the previous run');
  }
  // A tenant's event rate is shared by every instance on the PostgreSQL server; PGlite belongs to one
  // process, whose own buckets are then exact.
  const limiter = db.mode === 'server' ? new SharedTenantRateLimiter(db, cfg.tenantRateLimit) : new TenantRateLimiter(cfg.tenantRateLimit);
  const ingest = new IngestService(cfg, wal, tenants, deadLetters, limiter, metrics, log.child({ component: 'ingest' }));
  metrics.setWalSource(() => wal.stats);

  const search = await createSearchEngine(db);
  const storageReports = new StorageReportRepo(db);
  const jobs = new JobRunner({
    db,
    log,
    metrics,
    leaseMs: cfg.jobs.leaseSeconds * 1000,
    pollMs: cfg.jobs.pollMs,
    concurrency: cfg.jobs.concurrency,
    maxAttempts: cfg.jobs.maxAttempts,
    backoffBaseMs: cfg.jobs.backoffBaseMs,
    backoffMaxMs: cfg.jobs.backoffMaxSeconds * 1000,
    retentionDays: cfg.jobs.retentionDays,
    scheduleTickMs: cfg.jobs.scheduleTickMs,
  })
    .register(DEAD_LETTER_REPLAY_KIND, deadLetterReplayHandler(deadLetters, ingest))
    .register(STORAGE_REPORT_KIND, storageReportHandler(store, storageReports), { maxAttempts: 3 });
  await jobs.schedules.upsert(
    { name: STORAGE_REPORT_SCHEDULE, cron: cfg.storageReport.cron, timezone: cfg.storageReport.timezone, kind: STORAGE_REPORT_KIND },
    Date.now()
  );
  const secrets = SecretBox.load({ secretKey: cfg.secretKey, dataDir: cfg.dataDir });
  const deliveries = new DeliveryService({ db, jobs, log, metrics, config: cfg.delivery, smtpUrl: cfg.smtpUrl, dataDir: cfg.dataDir, secrets });
  jobs.register(DELIVERY_SEND_KIND, deliveries.handler, { maxAttempts: cfg.delivery.maxAttempts });
  const crawler = new CrawlService({ db, jobs, search, secrets, log, ownDatabaseUrl: cfg.databaseUrl });
  crawler.register(jobs);
  await crawler.resealLegacy();
  const metricRules = new MetricRuleService({
    db,
    tenants,
    promtool: new Promtool({ path: cfg.promtoolPath }),
    sync: new PrometheusRuleSync({ url: cfg.prometheusUrl, rulesDir: cfg.prometheusRulesDir }),
    log,
  });
  await metricRules.start();
  const analytics = new AnalyticsService(store, cfg.analytics, { ttlDays: cfg.eventsTtlDays, maxFutureSeconds: cfg.eventMaxFutureSeconds });
  const alertmanager = new AlertmanagerService(cfg.alertmanagerUrl ? new AlertmanagerClient(cfg.alertmanagerUrl) : null);
  // Without Alertmanager the ruler hands its alerts to the incidents (services.incidents), read at each run.
  let services: Services | undefined;
  const intake = (): IncidentIntake | undefined => services?.incidents;
  const ruler = new Ruler({
    db,
    tenants,
    analytics,
    alertmanager: alertmanager.client,
    intake,
    intervalMs: cfg.rulerIntervalSeconds * 1000,
    publicUrl: cfg.publicUrl,
    log,
    instanceId: jobs.instanceId,
  });
  ruler.register(jobs);
  await ruler.syncSchedule();
  const eventRules = new EventRuleService({ tenants, analytics, ruler, metricRuleExists: async (id) => (await metricRules.repo.get(id).catch(() => undefined)) !== undefined });
  const monitoring = new Monitoring({ jobs, metricRules, ruler, alertmanager, intake, prometheusUrl: cfg.prometheusUrl, publicUrl: cfg.publicUrl });
  monitoring.register(jobs);
  const webhookSecrets = new WebhookSecretRepo(db);
  if (cfg.alertmanagerWebhookSecret) {
    await webhookSecrets.bootstrap('alertmanager', cfg.alertmanagerWebhookSecret);
  }
  const links = new SignedLinks(db);
  const actionLinks = new ActionLinks(links.keyring, cfg.publicUrl);
  const channels = new ChannelService({ db, secrets, deliveries, actionLinks, publicUrl: cfg.publicUrl, allowPrivate: cfg.delivery.allowPrivate, log });
  const oncall = new OnCallService({ db, allowPrivate: cfg.delivery.allowPrivate });
  const incidents = new IncidentService({ db, jobs, log, notifier: new ChannelNotifier(channels, log.child({ component: 'incidents' }), oncall) });
  // an escalation step naming a schedule its policy's tenant does not have is refused when the policy is saved
  incidents.scopedPolicies.scheduleCheck = (id, owner) => oncall.scheduleUsableBy(id, owner);
  incidents.register(jobs);
  await incidents.start();
  metrics.setIncidentsSource(() => db.query<{ state: string; severity: string; n: number }>('SELECT state, severity, count(*)::int AS n FROM incidents GROUP BY state, severity'));
  jobs.start();
  await deliveries.requeueOrphans().catch((e: unknown) => log.warn({ err: e }, 'looking for deliveries without a job failed'));

  services = {
    cfg,
    log,
    metrics,
    store,
    db,
    tenants,
    keys,
    webhookSecrets,
    links,
    deadLetters,
    wal,
    flusher,
    ingest,
    jobs,
    storageReports,
    deliveries,
    search,
    crawler,
    metricRules,
    eventRules,
    ruler,
    alertmanager,
    monitoring,
    incidents,
    oncall,
    channels,
    actionLinks,
    analytics,
    startedAt: Date.now(),
    async close() {
      // Jobs first: running ones are aborted and given back (another instance, or the next
      // start, runs them), while the WAL and the engines they use are still open.
      await jobs.stop();
      deliveries.close();
      // Seal and commit what was acknowledged, then close the engines. Anything not committed
      // stays in the WAL and is replayed at the next start.
      await wal.close();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([flusher.idle(), new Promise((r) => (timer = setTimeout(r, 10_000)))]);
      clearTimeout(timer);
      flusher.stop();
      await crawler.close();
      await search.close();
      await store.close();
      await db.close();
    },
  };
  return services;
}
