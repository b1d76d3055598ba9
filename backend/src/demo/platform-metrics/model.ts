/**
 * The simulated CAAS platform at one instant: request, message and socket rates, latency
 * distributions, Kafka produce rates, MongoDB work, node load, disks and certificates, as a pure
 * function of (seed, tenants, instant, faults on). simulation.ts integrates these rates into the
 * counters Prometheus scrapes; the unit tests check the same numbers against the standard pack's
 * thresholds (quiet without a fault, past the threshold with its fault).
 */
import { MESSAGE_TYPE_WEIGHTS } from '../generator.js';
import type { FaultKind } from './faults.js';
import { hashString } from '../rng.js';
import { DAY_MS, logNormalCdf, mix, noise, noise01, noiseKey, tenantActivity, tenantProfile, type TenantProfile } from './rhythm.js';

/** The seed's buckets for caas_request_duration_seconds (000_…, 2.1). */
export const REQUEST_BUCKETS = [0.01, 0.05, 0.1, 0.5, 1, 5] as const;
/** Socket message delivery latency buckets. */
export const SOCKET_LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] as const;

export const MESSAGE_TYPES = Object.keys(MESSAGE_TYPE_WEIGHTS) as Array<keyof typeof MESSAGE_TYPE_WEIGHTS>;
const MESSAGE_TYPE_TOTAL = Object.values(MESSAGE_TYPE_WEIGHTS).reduce((a, b) => a + b, 0);
export const messageTypeShare = (type: keyof typeof MESSAGE_TYPE_WEIGHTS) => MESSAGE_TYPE_WEIGHTS[type] / MESSAGE_TYPE_TOTAL;

interface RouteDef {
  method: string;
  route: string;
  /** share of the gateway's requests */
  share: number;
  /** median latency of a 2xx at average load, seconds */
  median: number;
  sigma: number;
  success: string;
  /** 4xx answers and their shares (the rest of the non-5xx requests succeed) */
  clientErrors: Record<string, number>;
  /** health checks answer 200 through an error spike */
  noServerErrors?: boolean;
}

/** The API gateway's routes (fastify-style templates, as a real gateway labels them). Shares sum to 1. */
export const ROUTES: readonly RouteDef[] = [
  { method: 'GET', route: '/api/v1/conversations', share: 0.18, median: 0.035, sigma: 0.55, success: '200', clientErrors: { '401': 0.004, '429': 0.002 } },
  { method: 'GET', route: '/api/v1/conversations/:id/messages', share: 0.26, median: 0.045, sigma: 0.6, success: '200', clientErrors: { '404': 0.003, '429': 0.002 } },
  { method: 'POST', route: '/api/v1/conversations/:id/messages', share: 0.14, median: 0.06, sigma: 0.55, success: '201', clientErrors: { '400': 0.008, '413': 0.001, '429': 0.002 } },
  { method: 'GET', route: '/api/v1/users/:id', share: 0.1, median: 0.02, sigma: 0.5, success: '200', clientErrors: { '404': 0.01 } },
  { method: 'PUT', route: '/api/v1/users/:id/presence', share: 0.08, median: 0.015, sigma: 0.5, success: '204', clientErrors: { '400': 0.002 } },
  { method: 'POST', route: '/api/v1/auth/token', share: 0.03, median: 0.12, sigma: 0.5, success: '200', clientErrors: { '401': 0.06, '429': 0.004 } },
  { method: 'POST', route: '/api/v1/auth/refresh', share: 0.06, median: 0.04, sigma: 0.5, success: '200', clientErrors: { '401': 0.012 } },
  { method: 'POST', route: '/api/v1/files', share: 0.015, median: 0.28, sigma: 0.5, success: '201', clientErrors: { '413': 0.01, '400': 0.004 } },
  { method: 'GET', route: '/api/v1/files/:id', share: 0.04, median: 0.05, sigma: 0.6, success: '200', clientErrors: { '404': 0.005 } },
  { method: 'GET', route: '/api/v1/search', share: 0.05, median: 0.08, sigma: 0.6, success: '200', clientErrors: { '400': 0.003 } },
  { method: 'GET', route: '/health', share: 0.045, median: 0.002, sigma: 0.4, success: '200', clientErrors: {}, noServerErrors: true },
];

/** 5xx shares: a quiet platform's background, and an error spike's. */
const SERVER_ERRORS_QUIET: Record<string, number> = { '500': 0.0012, '502': 0.0003, '503': 0.0005 };
const SERVER_ERRORS_SPIKE: Record<string, number> = { '500': 0.05, '502': 0.01, '503': 0.02 };

export const DISCONNECT_REASONS = ['client_close', 'transport_close', 'ping_timeout', 'transport_error', 'server_shutdown'] as const;
const REASONS_QUIET = [0.78, 0.12, 0.07, 0.025, 0.005];
const REASONS_STORM = [0.02, 0.55, 0.35, 0.08, 0];

export interface TopicDef {
  topic: string;
  partitions: number;
  /** consumer groups reading it, with their usual processing delay (s) and member count */
  groups: Array<{ group: string; delay: number; members: number }>;
}
export const TOPICS: readonly TopicDef[] = [
  { topic: 'caas.messages', partitions: 12, groups: [{ group: 'caas-delivery', delay: 0.3, members: 6 }, { group: 'caas-persistence', delay: 0.8, members: 3 }] },
  { topic: 'caas.events', partitions: 6, groups: [{ group: 'caas-analytics', delay: 2.5, members: 3 }] },
  { topic: 'caas.notifications', partitions: 6, groups: [{ group: 'caas-notifier', delay: 1.2, members: 3 }] },
  { topic: 'caas.presence', partitions: 3, groups: [{ group: 'caas-presence', delay: 0.2, members: 2 }] },
];
export const KAFKA_BROKERS = 3;
/** The consumer group the `lag` fault stalls, and the topic its backfill floods. */
export const LAG_GROUP = 'caas-analytics';
export const LAG_TOPIC = 'caas.events';
const LAG_BACKFILL_PER_S = 1_500;
const LAG_STALLED_SHARE = 0.2;

export const MONGO_OPS = ['insert', 'query', 'update', 'delete', 'getmore', 'command'] as const;
export type MongoOp = (typeof MONGO_OPS)[number];
export const MONGO_MEMBERS = [
  { name: 'mongo-0:27017', state: 'PRIMARY' },
  { name: 'mongo-1:27017', state: 'SECONDARY' },
  { name: 'mongo-2:27017', state: 'SECONDARY' },
] as const;
export const MONGO_SET = 'rs0';
export const MONGO_MAX_CONNECTIONS = 51_200;

export const NODES = ['caas-node-1:9100', 'caas-node-2:9100', 'caas-node-3:9100'] as const;
export const CPUS_PER_NODE = 8;
export const CPU_MODES = ['user', 'system', 'iowait', 'softirq', 'irq', 'steal', 'nice', 'idle'] as const;
/** How a busy CPU's time splits between the modes node_exporter reports (idle is the rest). */
export const BUSY_MODE_SHARES: Record<Exclude<(typeof CPU_MODES)[number], 'idle'>, number> = { user: 0.68, system: 0.22, iowait: 0.05, softirq: 0.03, irq: 0.01, steal: 0.01, nice: 0 };
export const MEMORY_BYTES = 32 * 2 ** 30;
const GIB = 2 ** 30;

export const CERT_ENDPOINTS = ['https://api.caas.example.com', 'https://socket.caas.example.com', 'https://cdn.caas.example.com'] as const;
/** Certificates live 90 days and are renewed every 45, so one always has 45 to 90 days left. */
const CERT_LIFETIME_MS = 90 * DAY_MS;
const CERT_RENEWAL_MS = 45 * DAY_MS;

export interface StatusShare {
  status: string;
  share: number;
  median: number;
  sigma: number;
}
export interface RouteState {
  method: string;
  route: string;
  /** requests a second */
  rate: number;
  statuses: StatusShare[];
}
export interface TenantState {
  id: string;
  activity: number;
  connections: number;
  rooms: number;
  messagesPerSecond: number;
  messageFailureShare: number;
  socketOutPerSecond: number;
  presencePerSecond: number;
  authPerSecond: number;
  authFailureShare: number;
  refreshesPerSecond: number;
  socketLatency: { median: number; sigma: number };
}
export interface FilesystemState {
  mountpoint: string;
  device: string;
  fstype: string;
  size: number;
  /** used share of the size, 0..1 */
  used: number;
}
export interface NodeState {
  instance: string;
  /** busy share of each CPU, 0..1 */
  cpus: number[];
  memoryUsed: number;
  load1: number;
  rxBytesPerSecond: number;
  txBytesPerSecond: number;
  filesystems: FilesystemState[];
}

export interface Snapshot {
  t: number;
  faults: ReadonlySet<FaultKind>;
  tenants: TenantState[];
  /** gateway requests a second, and that relative to an average hour */
  rps: number;
  loadNorm: number;
  routes: RouteState[];
  gatewayConnections: number;
  disconnectsPerSecond: number;
  disconnectReasons: Array<[string, number]>;
  /** produce rate per topic (messages a second) */
  topicRates: Record<string, number>;
  stalledGroups: ReadonlySet<string>;
  /** the broker whose partitions lose a replica (slow disks under the latency fault), or null */
  laggingBroker: number | null;
  mongoOps: Record<MongoOp, number>;
  /** mean latency in microseconds by op class (mongodb_exporter's op_latencies) */
  mongoLatencyMicros: { reads: number; writes: number; commands: number };
  mongoConnections: number;
  /** replication lag (s) of each member, MONGO_MEMBERS order */
  mongoReplicationLag: number[];
  nodes: NodeState[];
  certs: Array<{ instance: string; expiry: number; probeSeconds: number }>;
}

export interface ModelContext {
  seed: number;
  profiles: TenantProfile[];
  /** gateway requests a second on an average hour */
  averageRps: number;
}

export function modelContext(seed: number, tenants: readonly string[]): ModelContext {
  const profiles = tenants.map(tenantProfile);
  return { seed, profiles, averageRps: gatewayRps(profiles.reduce((a, p) => a + p.messagesPerSecond, 0)) };
}

/** The gateway's load follows the messages: reads of history, presence, auth, files, search around each. */
const gatewayRps = (messagesPerSecond: number) => 3 * messagesPerSecond + 15;

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

function routeStatuses(r: RouteDef, loadFactor: number, faults: ReadonlySet<FaultKind>): StatusShare[] {
  const slow = faults.has('latency') ? 12 : 1;
  const server = r.noServerErrors ? {} : faults.has('error-spike') ? SERVER_ERRORS_SPIKE : SERVER_ERRORS_QUIET;
  const median = r.median * loadFactor * slow;
  const out: StatusShare[] = [];
  let rest = 1;
  for (const [status, share] of Object.entries(r.clientErrors)) {
    out.push({ status, share, median: median * 0.5, sigma: r.sigma });
    rest -= share;
  }
  for (const [status, share] of Object.entries(server)) {
    // failing fast (500), or after an upstream timeout (502, 503)
    out.push({ status, share, median: status === '500' ? median * 0.6 : median * 1.5, sigma: r.sigma });
    rest -= share;
  }
  out.unshift({ status: r.success, share: rest, median, sigma: r.sigma });
  return out;
}

/** The platform at `t` with `faults` on. */
export function snapshot(ctx: ModelContext, t: number, faults: ReadonlySet<FaultKind>): Snapshot {
  const { seed } = ctx;
  const storm = faults.has('disconnect-storm');
  const slow = faults.has('latency');
  const spike = faults.has('error-spike');

  const tenants: TenantState[] = ctx.profiles.map((p) => {
    const activity = tenantActivity(seed, p, t);
    const connections = p.connections * activity * (storm ? 0.55 : 1);
    const messagesPerSecond = p.messagesPerSecond * activity;
    return {
      id: p.id,
      activity,
      connections,
      rooms: connections * (0.3 + 0.04 * noise(noiseKey(seed, 'rooms', p.id), t)),
      messagesPerSecond,
      messageFailureShare: spike ? 0.05 : 0.0015,
      socketOutPerSecond: messagesPerSecond * (2.4 + 0.6 * noise01(noiseKey(seed, 'fanout', p.id), t)),
      presencePerSecond: connections * 0.015 * (storm ? 3 : 1),
      authPerSecond: (connections / 2_400) * (storm ? 6 : 1),
      authFailureShare: 0.03,
      refreshesPerSecond: connections / 900,
      socketLatency: { median: 0.018 * (slow ? 8 : 1), sigma: 0.55 },
    };
  });
  const messages = tenants.reduce((a, x) => a + x.messagesPerSecond, 0);
  const connections = tenants.reduce((a, x) => a + x.connections, 0);
  const presence = tenants.reduce((a, x) => a + x.presencePerSecond, 0);

  const rps = gatewayRps(messages) * (1 + 0.03 * noise(noiseKey(seed, 'rps'), t, 60_000));
  const loadNorm = clamp(rps / ctx.averageRps, 0, 2);
  const loadFactor = clamp(1 + 0.35 * (loadNorm - 1), 0.85, 1.35);
  const routes = ROUTES.map((r) => ({ method: r.method, route: r.route, rate: rps * r.share, statuses: routeStatuses(r, loadFactor, faults) }));

  // Sessions last about 50 minutes; a storm drops sockets in a reconnect loop, at any hour.
  const disconnectsPerSecond = storm ? Math.max(40, connections * 0.02) : connections / 3_000;
  const reasons = storm ? REASONS_STORM : REASONS_QUIET;

  const topicRates: Record<string, number> = {
    'caas.messages': messages,
    'caas.events': rps * 0.6 + (faults.has('lag') ? LAG_BACKFILL_PER_S : 0),
    'caas.notifications': messages * 1.4,
    'caas.presence': presence,
  };

  const mongoOps: Record<MongoOp, number> = {
    insert: messages * 1.1,
    query: rps * 0.9,
    update: messages * 0.45 + presence * 0.2,
    delete: messages * 0.02,
    getmore: rps * 0.05,
    command: 40 + rps * 0.25,
  };
  const wobble = (name: string, amount: number) => 1 + amount * noise(noiseKey(seed, name), t);

  const nodes: NodeState[] = NODES.map((instance, i) => {
    const busy = 0.08 + 0.28 * loadNorm * wobble(`cpu-${instance}`, 0.1) + (slow ? 0.06 : 0);
    const cpus = Array.from({ length: CPUS_PER_NODE }, (_, c) => clamp(busy * wobble(`cpu-${instance}-${c}`, 0.1), 0.01, 0.97));
    // logs fill / during the week and are rotated on Sundays; MongoDB's disk grows until the monthly compaction
    const week = ((t / (7 * DAY_MS) + i / 7) % 1 + 1) % 1;
    const month = ((t / (30 * DAY_MS) + i / 10) % 1 + 1) % 1;
    return {
      instance,
      cpus,
      memoryUsed: 0.42 + 0.1 * loadNorm + 0.03 * noise(noiseKey(seed, 'mem', instance), t),
      load1: busy * CPUS_PER_NODE * wobble(`load-${instance}`, 0.15),
      rxBytesPerSecond: ((rps * 9_000 + connections * 30) / NODES.length) * wobble(`rx-${instance}`, 0.1),
      txBytesPerSecond: ((rps * 24_000 + tenants.reduce((a, x) => a + x.socketOutPerSecond, 0) * 600) / NODES.length) * wobble(`tx-${instance}`, 0.1),
      filesystems: [
        { mountpoint: '/', device: '/dev/nvme0n1p1', fstype: 'ext4', size: 100 * GIB, used: 0.36 + 0.08 * week },
        { mountpoint: '/var/lib/mongodb', device: '/dev/nvme1n1', fstype: 'xfs', size: 500 * GIB, used: 0.52 + 0.2 * month },
        { mountpoint: '/run', device: 'tmpfs', fstype: 'tmpfs', size: 3.2 * GIB, used: 0.002 },
      ],
    };
  });

  const certs = CERT_ENDPOINTS.map((instance) => {
    const offset = (mix(seed, hashString(instance)) % 45) * DAY_MS;
    const issued = Math.floor((t - offset) / CERT_RENEWAL_MS) * CERT_RENEWAL_MS + offset;
    return { instance, expiry: Math.floor((issued + CERT_LIFETIME_MS) / 1000), probeSeconds: 0.06 + 0.08 * noise01(noiseKey(seed, 'probe', instance), t) };
  });

  return {
    t,
    faults,
    tenants,
    rps,
    loadNorm,
    routes,
    gatewayConnections: rps * 0.45 + 25 + 5 * noise(noiseKey(seed, 'gwconn'), t),
    disconnectsPerSecond,
    disconnectReasons: DISCONNECT_REASONS.map((r, i) => [r, reasons[i] ?? 0]),
    topicRates,
    stalledGroups: new Set(faults.has('lag') ? [LAG_GROUP] : []),
    laggingBroker: slow ? 2 : null,
    mongoOps,
    mongoLatencyMicros: {
      reads: 850 * loadFactor * (slow ? 15 : 1) * wobble('mongo-read', 0.1),
      writes: 1_400 * loadFactor * (slow ? 4 : 1) * wobble('mongo-write', 0.1),
      commands: 250 * wobble('mongo-cmd', 0.1),
    },
    mongoConnections: 140 + rps * 0.35 + 10 * noise(noiseKey(seed, 'mongo-conn'), t),
    mongoReplicationLag: MONGO_MEMBERS.map((m) => (m.state === 'PRIMARY' ? 0 : 0.15 + 0.6 * noise01(noiseKey(seed, 'repl', m.name), t) + (slow ? 2 : 0))),
    nodes,
    certs,
  };
}

/** Kafka's usual processing lag of a group on one partition (messages), at a produce rate per partition. */
export function usualLag(seed: number, group: { group: string; delay: number }, partition: number, ratePerPartition: number, t: number): number {
  return ratePerPartition * group.delay * (1 + 0.3 * noise(noiseKey(seed, 'lag', group.group, String(partition)), t)) + 2;
}

/** How fast a group can consume one partition (messages a second): stalled, or catching up. */
export function consumeCapacity(stalled: boolean, ratePerPartition: number): number {
  return stalled ? ratePerPartition * LAG_STALLED_SHARE : ratePerPartition * 4 + 500;
}

/** Relative share of each partition of a topic (keys hash unevenly), summing to 1. */
export function partitionShares(seed: number, topic: TopicDef): number[] {
  const w = Array.from({ length: topic.partitions }, (_, p) => 1 + 0.2 * ((mix(noiseKey(seed, 'partition', topic.topic), p) / 0xffffffff) * 2 - 1));
  const sum = w.reduce((a, b) => a + b, 0);
  return w.map((x) => x / sum);
}

// ---- what the standard pack's expressions see, computed from the model (for the unit tests and docs) ----

/** sum(rate(http_requests_total{status=~"5.."})) / sum(rate(http_requests_total)) */
export function serverErrorRatio(s: Snapshot): number {
  let all = 0;
  let bad = 0;
  for (const r of s.routes) {
    for (const st of r.statuses) {
      all += r.rate * st.share;
      if (st.status.startsWith('5')) bad += r.rate * st.share;
    }
  }
  return bad / all;
}

/** The share of requests slower than `seconds` (p99 > 500 ms ⟺ this is above 1% at 0.5, a bucket bound). */
export function shareSlowerThan(s: Snapshot, seconds: number): number {
  let all = 0;
  let slow = 0;
  for (const r of s.routes) {
    for (const st of r.statuses) {
      const n = r.rate * st.share;
      all += n;
      slow += n * (1 - logNormalCdf(seconds, st.median, st.sigma));
    }
  }
  return slow / all;
}

/** The busy share of a node's CPUs (what 100 - avg(irate(idle)) × 100 sees, over 100). */
export const cpuBusy = (n: NodeState) => n.cpus.reduce((a, b) => a + b, 0) / n.cpus.length;
