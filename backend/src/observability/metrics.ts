import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** prom-client metrics served at /metrics. One registry per app instance (tests run several). */
export interface WalStats {
  events: number;
  bytes: number;
  segments: number;
}

/** jobs by kind and state, read from the metadata store at scrape time (jobs/runner.ts sets it) */
export type JobCountsSource = () => Promise<Array<{ kind: string; state: string; n: number }>>;
const JOB_STATES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
/** incidents by state and severity, read from the metadata store at scrape time (services.ts sets it) */
export type IncidentCountsSource = () => Promise<Array<{ state: string; severity: string; n: number }>>;
const INCIDENT_STATES = ['triggered', 'acknowledged', 'resolved'] as const;
const INCIDENT_SEVERITIES = ['critical', 'warning', 'info'] as const;

export function createMetrics() {
  const registry = new Registry();
  let walStats: () => WalStats = () => ({ events: 0, bytes: 0, segments: 0 });
  let jobCounts: JobCountsSource = async () => [];
  let incidentCounts: IncidentCountsSource = async () => [];
  collectDefaultMetrics({ register: registry, prefix: 'caas_backend_' });
  return {
    registry,
    /** the WAL gauges read their values at scrape time from this source */
    setWalSource(source: () => WalStats) {
      walStats = source;
    },
    setJobsSource(source: JobCountsSource) {
      jobCounts = source;
    },
    setIncidentsSource(source: IncidentCountsSource) {
      incidentCounts = source;
    },
    httpRequests: new Counter({
      name: 'caas_http_requests_total',
      help: 'HTTP requests by route and status code',
      labelNames: ['method', 'route', 'status'] as const,
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'caas_http_request_duration_seconds',
      help: 'HTTP request duration',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      registers: [registry],
    }),
    ingestEvents: new Counter({
      name: 'caas_ingest_events_total',
      help: 'Events received by POST /v1/events, by tenant and outcome (accepted, rejected)',
      labelNames: ['tenant', 'outcome'] as const,
      registers: [registry],
    }),
    ingestRequestsThrottled: new Counter({
      name: 'caas_ingest_throttled_total',
      help: 'Ingest requests answered 429, by reason (rate_limited, backpressure)',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    flushBatchSize: new Histogram({
      name: 'caas_ingest_batch_size_events',
      help: 'Events per batch flushed from the WAL to ClickHouse',
      buckets: [1, 10, 100, 1000, 5000, 10000, 25000, 50000, 100000],
      registers: [registry],
    }),
    flushDuration: new Histogram({
      name: 'caas_ingest_flush_duration_seconds',
      help: 'Time to insert one WAL segment into ClickHouse',
      buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    flushFailures: new Counter({
      name: 'caas_ingest_flush_failures_total',
      help: 'Failed inserts of WAL segments (retried with backoff)',
      registers: [registry],
    }),
    walFsyncDuration: new Histogram({
      name: 'caas_wal_fsync_duration_seconds',
      help: 'Time to append and fsync one group commit to the WAL',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5],
      registers: [registry],
    }),
    walBacklogEvents: new Gauge({
      name: 'caas_wal_backlog_events',
      help: 'Acknowledged events not yet committed to ClickHouse',
      registers: [registry],
      collect() {
        this.set(walStats().events);
      },
    }),
    walBacklogBytes: new Gauge({
      name: 'caas_wal_backlog_bytes',
      help: 'Bytes of WAL not yet committed to ClickHouse',
      registers: [registry],
      collect() {
        this.set(walStats().bytes);
      },
    }),
    walSegments: new Gauge({
      name: 'caas_wal_segments',
      help: 'WAL segment files on disk (open and sealed)',
      registers: [registry],
      collect() {
        this.set(walStats().segments);
      },
    }),
    storeRejected: new Counter({
      name: 'caas_ingest_store_rejected_total',
      help: 'Acknowledged events that ClickHouse refused on insert, moved to the dead letters',
      labelNames: ['tenant'] as const,
      registers: [registry],
    }),
    deadLetters: new Counter({
      name: 'caas_dead_letters_total',
      help: 'Rejected events written to the dead-letter table',
      labelNames: ['tenant'] as const,
      registers: [registry],
    }),
    // Jobs (issue "Platform", part 2): every instance reports the same store-wide gauge.
    jobs: new Gauge({
      name: 'caas_jobs',
      help: 'Jobs in the metadata store by kind and state (queued, running, succeeded, failed, cancelled); finished jobs are kept JOBS_RETENTION_DAYS',
      labelNames: ['kind', 'state'] as const,
      registers: [registry],
      async collect() {
        let rows: Array<{ kind: string; state: string; n: number }>;
        try {
          rows = await jobCounts();
        } catch {
          return; // the store is closed or down: keep the last values rather than fail the scrape
        }
        this.reset();
        for (const kind of new Set(rows.map((r) => r.kind))) {
          for (const state of JOB_STATES) {
            this.set({ kind, state }, rows.find((r) => r.kind === kind && r.state === state)?.n ?? 0);
          }
        }
      },
    }),
    jobAttempts: new Counter({
      name: 'caas_job_attempts_total',
      help: 'Job attempts run by this instance, by kind and outcome (succeeded, retry, failed, cancelled, lease_lost, lease_expired, released)',
      labelNames: ['kind', 'outcome'] as const,
      registers: [registry],
    }),
    jobDuration: new Histogram({
      name: 'caas_job_duration_seconds',
      help: 'Time one job attempt ran on this instance, by kind and outcome',
      labelNames: ['kind', 'outcome'] as const,
      buckets: [0.01, 0.1, 0.5, 1, 5, 15, 60, 300, 1800, 7200],
      registers: [registry],
    }),
    jobTakeovers: new Counter({
      name: 'caas_job_takeovers_total',
      help: 'Jobs this instance took over after the lease of the instance running them ran out',
      labelNames: ['kind'] as const,
      registers: [registry],
    }),
    scheduleFirings: new Counter({
      name: 'caas_job_schedule_firings_total',
      help: 'Schedule firings claimed by this instance (fired), and missed firings skipped by the catch-up policy (skipped)',
      labelNames: ['schedule', 'outcome'] as const,
      registers: [registry],
    }),
    // Incidents (issue "Alert management", item 3): what the Alerts & Incidents dashboard shows beside ALERTS.
    incidents: new Gauge({
      name: 'caas_incidents',
      help: 'Incidents in the metadata store by state (triggered, acknowledged, resolved) and severity; every instance reports the same store-wide numbers',
      labelNames: ['state', 'severity'] as const,
      registers: [registry],
      async collect() {
        let rows: Array<{ state: string; severity: string; n: number }>;
        try {
          rows = await incidentCounts();
        } catch {
          return; // the store is closed or down: keep the last values rather than fail the scrape
        }
        this.reset();
        // every state of the usual severities, at 0 when there is none: "no open incident" is a value
        for (const severity of new Set([...INCIDENT_SEVERITIES, ...rows.map((r) => r.severity)])) {
          for (const state of INCIDENT_STATES) {
            this.set({ state, severity }, rows.filter((r) => r.state === state && r.severity === severity).reduce((a, r) => a + r.n, 0));
          }
        }
      },
    }),
    // Delivery (issue "Platform", part 3): outbound email and webhooks.
    deliveries: new Counter({
      name: 'caas_deliveries_total',
      help: 'Outbound deliveries by kind (email, webhook) and outcome: queued (a new message), duplicate (a repeated idempotency key, nothing sent), sent, retry (a try failed, another follows), failed',
      labelNames: ['kind', 'outcome'] as const,
      registers: [registry],
    }),
    deliveryDuration: new Histogram({
      name: 'caas_delivery_attempt_duration_seconds',
      help: 'Time one try to hand a message over took, by kind and outcome (sent, retry, failed)',
      labelNames: ['kind', 'outcome'] as const,
      buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
  };
}
export type Metrics = ReturnType<typeof createMetrics>;
