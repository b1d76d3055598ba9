import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** prom-client metrics served at /metrics. One registry per app instance (tests run several). */
export interface WalStats {
  events: number;
  bytes: number;
  segments: number;
}

export function createMetrics() {
  const registry = new Registry();
  let walStats: () => WalStats = () => ({ events: 0, bytes: 0, segments: 0 });
  collectDefaultMetrics({ register: registry, prefix: 'caas_backend_' });
  return {
    registry,
    /** the WAL gauges read their values at scrape time from this source */
    setWalSource(source: () => WalStats) {
      walStats = source;
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
  };
}
export type Metrics = ReturnType<typeof createMetrics>;
