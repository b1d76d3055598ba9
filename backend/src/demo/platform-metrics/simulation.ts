/**
 * The demo CAAS platform's metrics (issue "Alert management", live demo platform): a prom-client
 * Registry of its own (never the backend's) holding the seeds' metrics with their labels, and the
 * exporters' names the standard alert pack reads (alerts/metric-rules/pack.ts):
 *
 * | area | metrics |
 * |---|---|
 * | messages (seed 000, 2.1) | `caas_messages_total{tenant_id,type,status}` |
 * | API gateway | `http_requests_total{method,route,status}`, `caas_request_duration_seconds{method,route,status}` (histogram, the seed's buckets), `caas_gateway_active_connections`, `caas_auth_attempts_total{tenant_id,outcome}`, `caas_auth_token_refreshes_total{tenant_id}` |
 * | socket service | `caas_socket_connections{tenant_id}`, `caas_socket_rooms{tenant_id}`, `caas_socket_disconnects_total{reason}`, `caas_socket_messages_total{tenant_id,direction}`, `caas_socket_presence_updates_total{tenant_id}`, `caas_socket_message_latency_seconds{tenant_id}` (histogram) |
 * | Kafka (kafka_exporter) | `kafka_brokers`, `kafka_topic_partitions{topic}`, `kafka_topic_partition_current_offset`, `…_replicas`, `…_in_sync_replica`, `…_under_replicated_partition`, `…_leader` `{topic,partition}`, `kafka_consumergroup_current_offset` and `kafka_consumergroup_lag` `{consumergroup,topic,partition}`, `kafka_consumergroup_members{consumergroup}` |
 * | MongoDB (mongodb_exporter) | `mongodb_up`, `mongodb_connections{state}`, `mongodb_op_counters_total{type}`, `mongodb_mongod_op_latencies_latency_total{type}` (µs) and `…_ops_total{type}`, `mongodb_mongod_replset_member_replication_lag` and `…_health` `{name,set,state}` |
 * | nodes (node_exporter) | `node_cpu_seconds_total{instance,cpu,mode}`, `node_memory_{MemTotal,MemAvailable,MemFree}_bytes`, `node_filesystem_{size,avail,free}_bytes{instance,device,fstype,mountpoint}`, `node_load1`, `node_network_{receive,transmit}_bytes_total{instance,device}` |
 * | certificates (blackbox_exporter) | `probe_success`, `probe_duration_seconds`, `probe_ssl_earliest_cert_expiry` `{instance}` |
 * | the demo itself | `caas_demo_fault_active{kind}` |
 *
 * Node and probe series carry their own `instance` (one target plays three nodes and three probed
 * endpoints): scrape with `honor_labels: true` to keep it. `up` comes from Prometheus.
 *
 * Values follow each tenant's daily rhythm (rhythm.ts) at the wall-clock time, deterministic for a seed;
 * counters are integrated from the model's rates in steps of at most a second (on a 1 s timer and at
 * every scrape), so they only go up and rates over any window are what the model says.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { FAULT_KINDS, FaultSwitch, type FaultKind } from './faults.js';
import {
  BUSY_MODE_SHARES,
  CPU_MODES,
  DISCONNECT_REASONS,
  KAFKA_BROKERS,
  MEMORY_BYTES,
  MESSAGE_TYPES,
  MONGO_MAX_CONNECTIONS,
  MONGO_MEMBERS,
  MONGO_OPS,
  MONGO_SET,
  REQUEST_BUCKETS,
  SOCKET_LATENCY_BUCKETS,
  TOPICS,
  consumeCapacity,
  messageTypeShare,
  modelContext,
  partitionShares,
  snapshot,
  usualLag,
  type ModelContext,
  type Snapshot,
} from './model.js';
import { bucketShares } from './rhythm.js';

/** Kafka offsets start where an average day since 2024 would have left them (restarts barely step back). */
const KAFKA_EPOCH_MS = Date.UTC(2024, 0, 1);

export interface PlatformMetricsOptions {
  /** default 42, like the demo events */
  seed?: number;
  /** default the demo tenants */
  tenants?: readonly string[];
  /** the wall clock (default Date.now); tests inject theirs */
  now?: () => number;
  /** default a new switch on the same clock */
  faults?: FaultSwitch;
  /** longest integration step in ms (default 1000) */
  stepMs?: number;
}

interface Inc {
  inc(v: number): void;
}
interface Obs {
  observe(v: number): void;
}

/** A counter fed with fractional amounts, shown in whole units (requests, messages). */
class WholeCounter {
  private acc = 0;
  private shown = 0;
  constructor(private readonly child: Inc) {}
  add(x: number): number {
    this.acc += x;
    const k = Math.floor(this.acc) - this.shown;
    if (k > 0) {
      this.child.inc(k);
      this.shown += k;
    }
    return k;
  }
}

/**
 * A histogram fed with fractional counts per bucket (rate × dt × the bucket's share of a log-normal):
 * whole observations are made at a representative value inside each bucket, so `_count` and `_bucket`
 * are whole and `_sum` close to the model's mean. Returns how many observations were made.
 */
class SpreadHistogram {
  private readonly acc: number[];
  private readonly shown: number[];
  constructor(
    private readonly child: Obs,
    private readonly reps: readonly number[]
  ) {
    this.acc = reps.map(() => 0);
    this.shown = reps.map(() => 0);
  }
  add(n: number, shares: readonly number[]): number {
    let made = 0;
    for (let i = 0; i < this.reps.length; i++) {
      this.acc[i] = (this.acc[i] ?? 0) + n * (shares[i] ?? 0);
      const k = Math.floor(this.acc[i] ?? 0) - (this.shown[i] ?? 0);
      for (let j = 0; j < k; j++) this.child.observe(this.reps[i] ?? 0);
      if (k > 0) {
        this.shown[i] = (this.shown[i] ?? 0) + k;
        made += k;
      }
    }
    return made;
  }
}

/** A value inside each bucket (the geometric middle; below the first bound, 60% of it; past the last, twice it). */
function representatives(bounds: readonly number[]): number[] {
  const out: number[] = [];
  bounds.forEach((b, i) => out.push(i === 0 ? b * 0.6 : Math.sqrt((bounds[i - 1] ?? b) * b)));
  out.push((bounds[bounds.length - 1] ?? 1) * 2);
  return out;
}

function defineMetrics(registry: Registry) {
  const r = [registry];
  return {
    messages: new Counter({ name: 'caas_messages_total', help: 'Messages sent, by tenant, message type and outcome (delivered, failed)', labelNames: ['tenant_id', 'type', 'status'] as const, registers: r }),
    requests: new Counter({ name: 'http_requests_total', help: 'API gateway requests by method, route template and status code', labelNames: ['method', 'route', 'status'] as const, registers: r }),
    duration: new Histogram({
      name: 'caas_request_duration_seconds',
      help: 'API gateway request duration',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [...REQUEST_BUCKETS],
      registers: r,
    }),
    gatewayConnections: new Gauge({ name: 'caas_gateway_active_connections', help: 'Open client connections on the API gateway', registers: r }),
    auth: new Counter({ name: 'caas_auth_attempts_total', help: 'Sign-in attempts by tenant and outcome (success, failure)', labelNames: ['tenant_id', 'outcome'] as const, registers: r }),
    refreshes: new Counter({ name: 'caas_auth_token_refreshes_total', help: 'Access tokens refreshed, by tenant', labelNames: ['tenant_id'] as const, registers: r }),
    sockets: new Gauge({ name: 'caas_socket_connections', help: 'Open socket connections by tenant', labelNames: ['tenant_id'] as const, registers: r }),
    rooms: new Gauge({ name: 'caas_socket_rooms', help: 'Socket rooms with at least one member, by tenant', labelNames: ['tenant_id'] as const, registers: r }),
    disconnects: new Counter({ name: 'caas_socket_disconnects_total', help: 'Socket disconnections by reason', labelNames: ['reason'] as const, registers: r }),
    socketMessages: new Counter({
      name: 'caas_socket_messages_total',
      help: 'Socket messages by tenant and direction (in: from clients, out: fanned out to room members)',
      labelNames: ['tenant_id', 'direction'] as const,
      registers: r,
    }),
    presence: new Counter({ name: 'caas_socket_presence_updates_total', help: 'Presence updates broadcast, by tenant', labelNames: ['tenant_id'] as const, registers: r }),
    socketLatency: new Histogram({
      name: 'caas_socket_message_latency_seconds',
      help: 'Time from a message reaching the socket service to its delivery to the room, by tenant',
      labelNames: ['tenant_id'] as const,
      buckets: [...SOCKET_LATENCY_BUCKETS],
      registers: r,
    }),
    brokers: new Gauge({ name: 'kafka_brokers', help: 'Number of brokers in the Kafka cluster', registers: r }),
    partitions: new Gauge({ name: 'kafka_topic_partitions', help: 'Number of partitions for this topic', labelNames: ['topic'] as const, registers: r }),
    offset: new Gauge({ name: 'kafka_topic_partition_current_offset', help: 'Current offset of a broker at topic/partition', labelNames: ['topic', 'partition'] as const, registers: r }),
    replicas: new Gauge({ name: 'kafka_topic_partition_replicas', help: 'Number of replicas for this topic/partition', labelNames: ['topic', 'partition'] as const, registers: r }),
    inSync: new Gauge({ name: 'kafka_topic_partition_in_sync_replica', help: 'Number of in-sync replicas for this topic/partition', labelNames: ['topic', 'partition'] as const, registers: r }),
    underReplicated: new Gauge({ name: 'kafka_topic_partition_under_replicated_partition', help: '1 if topic/partition is under replicated', labelNames: ['topic', 'partition'] as const, registers: r }),
    leader: new Gauge({ name: 'kafka_topic_partition_leader', help: 'Leader broker id of this topic/partition', labelNames: ['topic', 'partition'] as const, registers: r }),
    groupOffset: new Gauge({ name: 'kafka_consumergroup_current_offset', help: 'Current offset of a consumer group at topic/partition', labelNames: ['consumergroup', 'topic', 'partition'] as const, registers: r }),
    lag: new Gauge({ name: 'kafka_consumergroup_lag', help: 'Current approximate lag of a consumer group at topic/partition', labelNames: ['consumergroup', 'topic', 'partition'] as const, registers: r }),
    members: new Gauge({ name: 'kafka_consumergroup_members', help: 'Amount of members in a consumer group', labelNames: ['consumergroup'] as const, registers: r }),
    mongoUp: new Gauge({ name: 'mongodb_up', help: 'Whether MongoDB answers the exporter (1) or not (0)', registers: r }),
    mongoConnections: new Gauge({ name: 'mongodb_connections', help: 'MongoDB connections by state (current, available)', labelNames: ['state'] as const, registers: r }),
    mongoOps: new Counter({ name: 'mongodb_op_counters_total', help: 'MongoDB operations by type since start', labelNames: ['type'] as const, registers: r }),
    mongoLatency: new Counter({
      name: 'mongodb_mongod_op_latencies_latency_total',
      help: 'Total combined latency of MongoDB operations in microseconds, by type (read, write, command)',
      labelNames: ['type'] as const,
      registers: r,
    }),
    mongoLatencyOps: new Counter({ name: 'mongodb_mongod_op_latencies_ops_total', help: 'MongoDB operations timed in op_latencies, by type (read, write, command)', labelNames: ['type'] as const, registers: r }),
    replLag: new Gauge({ name: 'mongodb_mongod_replset_member_replication_lag', help: 'Replication lag of a replica set member in seconds', labelNames: ['name', 'set', 'state'] as const, registers: r }),
    replHealth: new Gauge({ name: 'mongodb_mongod_replset_member_health', help: 'Health of a replica set member (1 up, 0 down)', labelNames: ['name', 'set', 'state'] as const, registers: r }),
    cpu: new Counter({ name: 'node_cpu_seconds_total', help: 'Seconds the CPUs spent in each mode', labelNames: ['instance', 'cpu', 'mode'] as const, registers: r }),
    memTotal: new Gauge({ name: 'node_memory_MemTotal_bytes', help: 'Memory information field MemTotal_bytes', labelNames: ['instance'] as const, registers: r }),
    memAvailable: new Gauge({ name: 'node_memory_MemAvailable_bytes', help: 'Memory information field MemAvailable_bytes', labelNames: ['instance'] as const, registers: r }),
    memFree: new Gauge({ name: 'node_memory_MemFree_bytes', help: 'Memory information field MemFree_bytes', labelNames: ['instance'] as const, registers: r }),
    fsSize: new Gauge({ name: 'node_filesystem_size_bytes', help: 'Filesystem size in bytes', labelNames: ['instance', 'device', 'fstype', 'mountpoint'] as const, registers: r }),
    fsAvail: new Gauge({ name: 'node_filesystem_avail_bytes', help: 'Filesystem space available to non-root users in bytes', labelNames: ['instance', 'device', 'fstype', 'mountpoint'] as const, registers: r }),
    fsFree: new Gauge({ name: 'node_filesystem_free_bytes', help: 'Filesystem free space in bytes', labelNames: ['instance', 'device', 'fstype', 'mountpoint'] as const, registers: r }),
    load1: new Gauge({ name: 'node_load1', help: '1m load average', labelNames: ['instance'] as const, registers: r }),
    rx: new Counter({ name: 'node_network_receive_bytes_total', help: 'Network device statistic receive_bytes', labelNames: ['instance', 'device'] as const, registers: r }),
    tx: new Counter({ name: 'node_network_transmit_bytes_total', help: 'Network device statistic transmit_bytes', labelNames: ['instance', 'device'] as const, registers: r }),
    probeSuccess: new Gauge({ name: 'probe_success', help: 'Whether the probe was a success', labelNames: ['instance'] as const, registers: r }),
    probeDuration: new Gauge({ name: 'probe_duration_seconds', help: 'How long the probe took to complete in seconds', labelNames: ['instance'] as const, registers: r }),
    certExpiry: new Gauge({ name: 'probe_ssl_earliest_cert_expiry', help: 'Returns last SSL chain expiry in unixtime', labelNames: ['instance'] as const, registers: r }),
    faultActive: new Gauge({ name: 'caas_demo_fault_active', help: 'Whether a demo fault is switched on (npx caas demo fault …), by kind', labelNames: ['kind'] as const, registers: r }),
  };
}

export class PlatformMetrics {
  readonly registry = new Registry();
  readonly faults: FaultSwitch;
  readonly tenants: readonly string[];
  private readonly ctx: ModelContext;
  private readonly now: () => number;
  private readonly stepMs: number;
  private last: number;
  private timer: NodeJS.Timeout | null = null;
  private readonly children = new Map<string, WholeCounter | SpreadHistogram>();
  private readonly shares: Map<string, number[]>;
  /** Kafka state: produced offsets per topic/partition, consumed per group/topic/partition */
  private readonly produced = new Map<string, number>();
  private readonly consumed = new Map<string, number>();

  private readonly m: ReturnType<typeof defineMetrics>;

  constructor(opts: PlatformMetricsOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.faults = opts.faults ?? new FaultSwitch(this.now);
    this.tenants = opts.tenants ?? ['acme', 'globex', 'initech'];
    this.ctx = modelContext(opts.seed ?? 42, this.tenants);
    this.stepMs = opts.stepMs ?? 1000;
    this.m = defineMetrics(this.registry);
    this.shares = new Map(TOPICS.map((t) => [t.topic, partitionShares(this.ctx.seed, t)]));

    this.last = this.now();
    const s = snapshot(this.ctx, this.last, this.faults.kindsAt(this.last));
    const sinceEpoch = Math.max(0, (this.last - KAFKA_EPOCH_MS) / 1000);
    for (const t of TOPICS) {
      const rate = s.topicRates[t.topic] ?? 0;
      const shares = this.shares.get(t.topic) ?? [];
      for (let p = 0; p < t.partitions; p++) {
        const share = shares[p] ?? 0;
        const offset = Math.floor(rate * share * sinceEpoch);
        this.produced.set(`${t.topic}/${p}`, offset);
        for (const g of t.groups) this.consumed.set(`${g.group}/${t.topic}/${p}`, offset - usualLag(this.ctx.seed, g, p, rate * share, this.last));
      }
    }
    // Every labelled series exists from the first scrape, at zero where nothing happened yet.
    for (const tenant of this.tenants) {
      for (const outcome of ['success', 'failure']) this.m.auth.inc({ tenant_id: tenant, outcome }, 0);
      this.m.refreshes.inc({ tenant_id: tenant }, 0);
      this.m.presence.inc({ tenant_id: tenant }, 0);
      for (const direction of ['in', 'out']) this.m.socketMessages.inc({ tenant_id: tenant, direction }, 0);
      for (const type of MESSAGE_TYPES) for (const status of ['delivered', 'failed']) this.m.messages.inc({ tenant_id: tenant, type, status }, 0);
    }
    for (const reason of DISCONNECT_REASONS) this.m.disconnects.inc({ reason }, 0);
    this.gauges(s);
  }

  /** Integrates the rates from the last advance up to `to` (default now) in steps of at most stepMs. */
  advance(to: number = this.now()): void {
    if (!(to > this.last)) return;
    // a long gap (a suspended laptop) is caught up in at most 3,600 steps
    const step = Math.max(this.stepMs, (to - this.last) / 3_600);
    let t = this.last;
    let s: Snapshot | null = null;
    while (t < to) {
      const t1 = Math.min(to, t + step);
      s = this.step(t, t1);
      t = t1;
    }
    this.last = to;
    this.faults.forgetBefore(to);
    if (s) this.gauges(s);
  }

  /** The exposition text (advances to now first). */
  async metrics(): Promise<string> {
    this.advance();
    return this.registry.metrics();
  }

  /** Keeps integrating every `everyMs` (so scrapes are cheap and no gap builds up); stop() ends it. */
  start(everyMs = 1000): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.advance(), everyMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private counter(key: string, make: () => Inc): WholeCounter {
    let c = this.children.get(key);
    if (!c) this.children.set(key, (c = new WholeCounter(make())));
    return c as WholeCounter;
  }

  private histogram(key: string, make: () => Obs, bounds: readonly number[]): SpreadHistogram {
    let h = this.children.get(key);
    if (!h) this.children.set(key, (h = new SpreadHistogram(make(), representatives(bounds))));
    return h as SpreadHistogram;
  }

  private step(t0: number, t1: number): Snapshot {
    const dt = (t1 - t0) / 1000;
    const tm = (t0 + t1) / 2;
    const faults = this.faults.kindsAt(tm);
    const s = snapshot(this.ctx, tm, faults);
    const { m } = this;

    for (const r of s.routes) {
      for (const st of r.statuses) {
        const labels = { method: r.method, route: r.route, status: st.status };
        const key = `${r.method} ${r.route} ${st.status}`;
        const made = this.histogram(`req ${key}`, () => m.duration.labels(labels), REQUEST_BUCKETS).add(r.rate * st.share * dt, bucketShares(REQUEST_BUCKETS, st.median, st.sigma));
        if (made > 0) m.requests.inc(labels, made);
      }
    }

    for (const x of s.tenants) {
      for (const type of MESSAGE_TYPES) {
        const n = x.messagesPerSecond * messageTypeShare(type) * dt;
        this.counter(`msg ${x.id} ${type} delivered`, () => m.messages.labels({ tenant_id: x.id, type, status: 'delivered' })).add(n * (1 - x.messageFailureShare));
        this.counter(`msg ${x.id} ${type} failed`, () => m.messages.labels({ tenant_id: x.id, type, status: 'failed' })).add(n * x.messageFailureShare);
      }
      this.counter(`sock-in ${x.id}`, () => m.socketMessages.labels({ tenant_id: x.id, direction: 'in' })).add(x.messagesPerSecond * dt);
      this.counter(`sock-out ${x.id}`, () => m.socketMessages.labels({ tenant_id: x.id, direction: 'out' })).add(x.socketOutPerSecond * dt);
      this.counter(`presence ${x.id}`, () => m.presence.labels({ tenant_id: x.id })).add(x.presencePerSecond * dt);
      this.counter(`auth-ok ${x.id}`, () => m.auth.labels({ tenant_id: x.id, outcome: 'success' })).add(x.authPerSecond * (1 - x.authFailureShare) * dt);
      this.counter(`auth-fail ${x.id}`, () => m.auth.labels({ tenant_id: x.id, outcome: 'failure' })).add(x.authPerSecond * x.authFailureShare * dt);
      this.counter(`refresh ${x.id}`, () => m.refreshes.labels({ tenant_id: x.id })).add(x.refreshesPerSecond * dt);
      this.histogram(`sock-lat ${x.id}`, () => m.socketLatency.labels({ tenant_id: x.id }), SOCKET_LATENCY_BUCKETS).add(
        x.messagesPerSecond * dt,
        bucketShares(SOCKET_LATENCY_BUCKETS, x.socketLatency.median, x.socketLatency.sigma)
      );
    }
    for (const [reason, share] of s.disconnectReasons) {
      this.counter(`disc ${reason}`, () => m.disconnects.labels({ reason })).add(s.disconnectsPerSecond * share * dt);
    }

    // Kafka: producers append; each group consumes towards its usual lag, as fast as its capacity allows.
    for (const t of TOPICS) {
      const rate = s.topicRates[t.topic] ?? 0;
      const shares = this.shares.get(t.topic) ?? [];
      for (let p = 0; p < t.partitions; p++) {
        const pr = rate * (shares[p] ?? 0);
        const key = `${t.topic}/${p}`;
        const produced = (this.produced.get(key) ?? 0) + pr * dt;
        this.produced.set(key, produced);
        for (const g of t.groups) {
          const gk = `${g.group}/${key}`;
          const consumed = this.consumed.get(gk) ?? 0;
          const target = produced - usualLag(this.ctx.seed, g, p, pr, tm);
          const can = consumeCapacity(s.stalledGroups.has(g.group), pr) * dt;
          this.consumed.set(gk, consumed + Math.max(0, Math.min(target - consumed, can)));
        }
      }
    }

    const ops = s.mongoOps;
    for (const op of MONGO_OPS) this.counter(`mongo ${op}`, () => m.mongoOps.labels({ type: op })).add(ops[op] * dt);
    const classes = { read: ops.query + ops.getmore, write: ops.insert + ops.update + ops.delete, command: ops.command };
    const micros = { read: s.mongoLatencyMicros.reads, write: s.mongoLatencyMicros.writes, command: s.mongoLatencyMicros.commands };
    for (const c of ['read', 'write', 'command'] as const) {
      const n = this.counter(`mongo-lat-ops ${c}`, () => m.mongoLatencyOps.labels({ type: c })).add(classes[c] * dt);
      if (n > 0) m.mongoLatency.inc({ type: c }, Math.round(n * micros[c]));
    }

    for (const node of s.nodes) {
      node.cpus.forEach((busy, c) => {
        for (const mode of CPU_MODES) {
          const share = mode === 'idle' ? 1 - busy : busy * BUSY_MODE_SHARES[mode];
          if (share > 0) m.cpu.inc({ instance: node.instance, cpu: String(c), mode }, share * dt);
        }
      });
      m.rx.inc({ instance: node.instance, device: 'eth0' }, Math.round(node.rxBytesPerSecond * dt));
      m.tx.inc({ instance: node.instance, device: 'eth0' }, Math.round(node.txBytesPerSecond * dt));
    }
    return s;
  }

  /** Sets every gauge from the latest snapshot and the integrated Kafka state. */
  private gauges(s: Snapshot): void {
    const { m } = this;
    m.gatewayConnections.set(Math.round(s.gatewayConnections));
    for (const x of s.tenants) {
      m.sockets.set({ tenant_id: x.id }, Math.round(x.connections));
      m.rooms.set({ tenant_id: x.id }, Math.round(x.rooms));
    }
    m.brokers.set(KAFKA_BROKERS);
    for (const t of TOPICS) {
      m.partitions.set({ topic: t.topic }, t.partitions);
      for (let p = 0; p < t.partitions; p++) {
        const labels = { topic: t.topic, partition: String(p) };
        const produced = Math.floor(this.produced.get(`${t.topic}/${p}`) ?? 0);
        const leader = (p % KAFKA_BROKERS) + 1;
        const inSync = s.laggingBroker !== null && leader === s.laggingBroker ? 2 : 3;
        m.offset.set(labels, produced);
        m.replicas.set(labels, 3);
        m.inSync.set(labels, inSync);
        m.underReplicated.set(labels, inSync < 3 ? 1 : 0);
        m.leader.set(labels, leader);
        for (const g of t.groups) {
          const consumed = Math.floor(this.consumed.get(`${g.group}/${t.topic}/${p}`) ?? 0);
          m.groupOffset.set({ consumergroup: g.group, ...labels }, consumed);
          m.lag.set({ consumergroup: g.group, ...labels }, Math.max(0, produced - consumed));
        }
      }
      for (const g of t.groups) m.members.set({ consumergroup: g.group }, g.members);
    }
    m.mongoUp.set(1);
    const current = Math.round(s.mongoConnections);
    m.mongoConnections.set({ state: 'current' }, current);
    m.mongoConnections.set({ state: 'available' }, MONGO_MAX_CONNECTIONS - current);
    MONGO_MEMBERS.forEach((member, i) => {
      const labels = { name: member.name, set: MONGO_SET, state: member.state };
      m.replLag.set(labels, Math.round((s.mongoReplicationLag[i] ?? 0) * 1000) / 1000);
      m.replHealth.set(labels, 1);
    });
    for (const node of s.nodes) {
      const instance = node.instance;
      m.memTotal.set({ instance }, MEMORY_BYTES);
      const available = Math.round(MEMORY_BYTES * (1 - node.memoryUsed));
      m.memAvailable.set({ instance }, available);
      m.memFree.set({ instance }, Math.round(available * 0.35));
      m.load1.set({ instance }, Math.round(node.load1 * 100) / 100);
      for (const fs of node.filesystems) {
        const labels = { instance, device: fs.device, fstype: fs.fstype, mountpoint: fs.mountpoint };
        const avail = Math.round(fs.size * (1 - fs.used));
        m.fsSize.set(labels, Math.round(fs.size));
        m.fsAvail.set(labels, avail);
        // ext4 keeps 5% for root: free counts it, avail does not
        m.fsFree.set(labels, fs.fstype === 'ext4' ? avail + Math.round(fs.size * 0.05) : avail);
      }
    }
    for (const c of s.certs) {
      m.probeSuccess.set({ instance: c.instance }, 1);
      m.probeDuration.set({ instance: c.instance }, Math.round(c.probeSeconds * 1e4) / 1e4);
      m.certExpiry.set({ instance: c.instance }, c.expiry);
    }
    const on = this.faults.kindsAt(this.last);
    for (const kind of FAULT_KINDS) m.faultActive.set({ kind }, on.has(kind as FaultKind) ? 1 : 0);
  }
}
