import type { MetricRuleSpec } from './model.js';

/**
 * The standard pack: the seeds' standard alerts (`000_…` Phase 4.3), `003_…`'s CPU and memory rules
 * and `002_…`'s service-down rule, written against the CAAS platform's metric names:
 *
 * | metric | kind | labels | from |
 * |---|---|---|---|
 * | `caas_request_duration_seconds` | histogram | method, route, status (+ job) | seed 000, 2.1 |
 * | `http_requests_total` | counter | method, route, status (+ job) | seed 000, 4.1 |
 * | `caas_messages_total` | counter | tenant_id, type, status | seed 000, 2.1 |
 * | `caas_socket_connections` | gauge | (job, instance) | socket service |
 * | `caas_socket_disconnects_total` | counter | reason (+ job) | socket service |
 * | `kafka_consumergroup_lag` | gauge | consumergroup, topic, partition | kafka_exporter |
 * | `node_cpu_seconds_total`, `node_memory_*_bytes`, `node_filesystem_*_bytes` | | instance, mode, mountpoint, fstype | node_exporter |
 * | `probe_ssl_earliest_cert_expiry` | gauge (unix seconds) | instance | blackbox_exporter |
 * | `up` | gauge | job, instance | Prometheus itself |
 *
 * Stored in the metadata store at the first start (ids `std-…`, origin `standard`); from then on they
 * are rules like any other: change, disable or delete them through the API. `promtool test rules`
 * cases in test/metric-rules.test.ts show each fires when, and only when, it should.
 */
export const STANDARD_PACK_NAME = 'standard';

export interface PackRule extends MetricRuleSpec {
  id: string;
}

const rule = (r: Omit<PackRule, 'tenant_id' | 'labels' | 'enabled'> & Partial<Pick<PackRule, 'labels'>>): PackRule => ({
  tenant_id: null,
  labels: {},
  enabled: true,
  ...r,
});

export const STANDARD_PACK: readonly PackRule[] = [
  rule({
    id: 'std-high-latency',
    name: 'HighLatency',
    group: 'caas-api',
    expr: 'histogram_quantile(0.99, sum by (job, le) (rate(caas_request_duration_seconds_bucket[5m]))) > 0.5',
    for: '5m',
    severity: 'warning',
    annotations: {
      summary: 'p99 latency of {{ $labels.job }} is above 500ms',
      description: 'The 99th percentile of caas_request_duration_seconds over 5 minutes is {{ $value | humanizeDuration }} (threshold 500ms).',
      runbook_url: null,
    },
  }),
  rule({
    id: 'std-error-rate',
    name: 'HighErrorRate',
    group: 'caas-api',
    expr: 'sum(rate(http_requests_total{status=~"5.."}[5m])) / sum(rate(http_requests_total[5m])) > 0.01',
    for: '5m',
    severity: 'critical',
    annotations: {
      summary: 'High error rate detected',
      description: 'Error rate is {{ $value | humanizePercentage }} of HTTP requests over 5 minutes (threshold 1%).',
      runbook_url: null,
    },
  }),
  rule({
    id: 'std-socket-disconnect-storm',
    name: 'SocketDisconnectStorm',
    group: 'caas-socket',
    expr: 'sum by (job) (rate(caas_socket_disconnects_total[2m])) * 60 > 1000',
    for: '2m',
    severity: 'critical',
    annotations: {
      summary: 'Socket disconnect storm on {{ $labels.job }}',
      description: '{{ $value | humanize }} socket disconnects a minute over 2 minutes (threshold 1000/min).',
      runbook_url: null,
    },
  }),
  rule({
    id: 'std-consumer-lag',
    name: 'KafkaConsumerLag',
    group: 'caas-kafka',
    expr: 'sum by (consumergroup, topic) (kafka_consumergroup_lag) > 10000',
    for: '5m',
    severity: 'warning',
    annotations: {
      summary: 'Consumer group {{ $labels.consumergroup }} lags behind on {{ $labels.topic }}',
      description: '{{ $value | humanize }} messages behind (threshold 10,000).',
      runbook_url: null,
    },
  }),
  rule({
    id: 'std-disk-space',
    name: 'HighDiskUsage',
    group: 'caas-infrastructure',
    expr: '(1 - node_filesystem_avail_bytes{fstype!~"tmpfs|overlay|squashfs"} / node_filesystem_size_bytes{fstype!~"tmpfs|overlay|squashfs"}) * 100 > 80',
    for: '10m',
    severity: 'warning',
    annotations: {
      summary: 'Disk {{ $labels.mountpoint }} on {{ $labels.instance }} is over 80% full',
      description: '{{ $value | humanize }}% of the filesystem is used (threshold 80%).',
      runbook_url: null,
    },
  }),
  rule({
    id: 'std-certificate-expiry',
    name: 'CertificateExpiry',
    group: 'caas-infrastructure',
    expr: 'probe_ssl_earliest_cert_expiry - time() < 30 * 86400',
    for: '10m',
    severity: 'warning',
    annotations: {
      summary: 'The certificate of {{ $labels.instance }} expires in less than 30 days',
      description: 'It expires in {{ $value | humanizeDuration }}.',
      runbook_url: null,
    },
  }),
  rule({
    id: 'std-cpu',
    name: 'HighCPUUsage',
    group: 'caas-infrastructure',
    expr: '100 - (avg by (instance) (irate(node_cpu_seconds_total{mode="idle"}[5m])) * 100) > 80',
    for: '5m',
    severity: 'warning',
    annotations: {
      summary: 'High CPU usage on {{ $labels.instance }}',
      description: 'CPU usage is {{ $value | humanize }}% (threshold 80%).',
      runbook_url: null,
    },
  }),
  rule({
    id: 'std-memory',
    name: 'HighMemoryUsage',
    group: 'caas-infrastructure',
    expr: '(node_memory_MemTotal_bytes - node_memory_MemAvailable_bytes) / node_memory_MemTotal_bytes * 100 > 85',
    for: '5m',
    severity: 'warning',
    annotations: {
      summary: 'High memory usage on {{ $labels.instance }}',
      description: 'Memory usage is {{ $value | humanize }}% (threshold 85%).',
      runbook_url: null,
    },
  }),
  rule({
    id: 'std-service-down',
    name: 'ServiceDown',
    group: 'caas-availability',
    expr: 'up == 0',
    for: '1m',
    severity: 'critical',
    annotations: {
      summary: '{{ $labels.job }} is down',
      description: '{{ $labels.instance }} of {{ $labels.job }} has not answered Prometheus for more than 1 minute.',
      runbook_url: null,
    },
  }),
];
