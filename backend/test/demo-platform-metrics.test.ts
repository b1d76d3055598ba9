/**
 * The demo platform's metrics (issue "Alert management", live demo platform): the model stays under
 * every threshold of the standard pack through a whole week of its daily rhythm, each fault pushes its
 * own rule's quantity past the threshold and leaves the others alone, and the prom-client registry the
 * simulation fills is deterministic, monotonic and consistent (requests = histogram counts). The real
 * Prometheus over the same metrics: test/ops-dashboards.test.ts.
 *
 *   cd backend && node --import tsx --test test/demo-platform-metrics.test.ts
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FAULT_KINDS, FaultSwitch, type FaultKind } from '../src/demo/platform-metrics/faults.js';
import {
  LAG_GROUP,
  LAG_TOPIC,
  TOPICS,
  consumeCapacity,
  cpuBusy,
  modelContext,
  partitionShares,
  serverErrorRatio,
  shareSlowerThan,
  snapshot,
  usualLag,
  type Snapshot,
} from '../src/demo/platform-metrics/model.js';
import { rhythm } from '../src/demo/platform-metrics/rhythm.js';
import { PlatformMetrics } from '../src/demo/platform-metrics/simulation.js';

const TENANTS = ['acme', 'globex', 'initech'];
const ctx = modelContext(42, TENANTS);
const MONDAY = Date.UTC(2026, 2, 2); // a Monday, 00:00 UTC
const DAY = 86_400_000;
const none = new Set<FaultKind>();

/** The quantities the standard pack's rules compare (alerts/metric-rules/pack.ts), from one snapshot. */
function ruleValues(s: Snapshot) {
  const lagByGroup = new Map<string, number>();
  for (const t of TOPICS) {
    const shares = partitionShares(42, t);
    for (const g of t.groups) {
      let sum = 0;
      shares.forEach((sh, p) => (sum += usualLag(42, g, p, (s.topicRates[t.topic] ?? 0) * sh, s.t)));
      lagByGroup.set(`${g.group}/${t.topic}`, sum);
    }
  }
  return {
    errorRatio: serverErrorRatio(s),
    slowShare: shareSlowerThan(s, 0.5),
    disconnectsPerMinute: s.disconnectsPerSecond * 60,
    usualLagMax: Math.max(...lagByGroup.values()),
    cpuMax: Math.max(...s.nodes.map(cpuBusy)),
    memoryMax: Math.max(...s.nodes.map((n) => n.memoryUsed)),
    diskMax: Math.max(...s.nodes.flatMap((n) => n.filesystems.filter((f) => f.fstype !== 'tmpfs').map((f) => f.used))),
    certDaysMin: Math.min(...s.certs.map((c) => (c.expiry * 1000 - s.t) / DAY)),
  };
}

describe('the model: a believable week, quiet without faults', () => {
  it('follows each tenant’s working day: busy afternoons at home, quiet nights, quieter weekends', () => {
    // acme is in UTC-5: 15:00 local on a Tuesday vs 04:00 local vs a Saturday afternoon
    const at = (day: number, utcHour: number) => snapshot(ctx, MONDAY + day * DAY + utcHour * 3_600_000, none).tenants.find((t) => t.id === 'acme')!;
    const afternoon = at(1, 20);
    const night = at(1, 9);
    const saturday = at(5, 20);
    assert.ok(afternoon.connections > 5 * night.connections, `${afternoon.connections} vs ${night.connections}`);
    assert.ok(afternoon.messagesPerSecond > 1.5 * saturday.messagesPerSecond);
    assert.ok(rhythm(MONDAY + DAY + 20 * 3_600_000, -5) > 1.3 && rhythm(MONDAY + DAY + 9 * 3_600_000, -5) < 0.2);
    // initech (UTC+5:30) peaks when acme sleeps
    const initech = (h: number) => snapshot(ctx, MONDAY + DAY + h * 3_600_000, none).tenants.find((t) => t.id === 'initech')!.connections;
    assert.ok(initech(7) > 3 * initech(20));
  });

  it('never crosses a standard rule’s threshold in a week of 10-minute samples', () => {
    const worst = { errorRatio: 0, slowShare: 0, disconnectsPerMinute: 0, usualLagMax: 0, cpuMax: 0, memoryMax: 0, diskMax: 0, certDaysMin: Infinity };
    for (let t = MONDAY; t < MONDAY + 7 * DAY; t += 600_000) {
      const v = ruleValues(snapshot(ctx, t, none));
      for (const k of Object.keys(worst) as Array<keyof typeof worst>) {
        worst[k] = k === 'certDaysMin' ? Math.min(worst[k], v[k]) : Math.max(worst[k], v[k]);
      }
    }
    // with margins, so noise between samples cannot cross
    assert.ok(worst.errorRatio < 0.005, `5xx ratio ${worst.errorRatio} (HighErrorRate: > 1%)`);
    assert.ok(worst.slowShare < 0.008, `share slower than 500 ms ${worst.slowShare} (HighLatency: p99 > 500 ms, i.e. > 1%)`);
    assert.ok(worst.disconnectsPerMinute < 900, `${worst.disconnectsPerMinute} disconnects/min (storm: > 1000)`);
    assert.ok(worst.usualLagMax < 5_000, `consumer lag ${worst.usualLagMax} (KafkaConsumerLag: > 10,000)`);
    assert.ok(worst.cpuMax < 0.75, `CPU ${worst.cpuMax} (HighCPUUsage: > 80%)`);
    assert.ok(worst.memoryMax < 0.8, `memory ${worst.memoryMax} (HighMemoryUsage: > 85%)`);
    assert.ok(worst.diskMax < 0.78, `disk ${worst.diskMax} (HighDiskUsage: > 80%)`);
    assert.ok(worst.certDaysMin > 44, `certificate ${worst.certDaysMin} days (CertificateExpiry: < 30 days)`);
    // and it is not flat: the week has real highs and lows
    const loads = Array.from({ length: 7 * 24 }, (_, h) => snapshot(ctx, MONDAY + h * 3_600_000, none).rps);
    assert.ok(Math.max(...loads) > 3 * Math.min(...loads), `rps from ${Math.min(...loads)} to ${Math.max(...loads)}`);
  });

  it('certificates are renewed: the time left saws between 45 and 90 days over a year', () => {
    const left = Array.from({ length: 365 }, (_, d) => ruleValues(snapshot(ctx, MONDAY + d * DAY, none)).certDaysMin);
    assert.ok(Math.min(...left) >= 44.9 && Math.max(...left) <= 90);
    assert.ok(left.some((x, i) => i > 0 && x > (left[i - 1] ?? 0) + 10), 'a renewal shows as a jump');
  });
});

describe('each fault crosses its own rule’s threshold, and only that one', () => {
  const HOURS = [2, 9, 15, 20]; // quiet and busy hours for every tenant
  for (const kind of FAULT_KINDS) {
    it(kind, () => {
      for (const day of [0, 2, 5]) {
        for (const h of HOURS) {
          const t = MONDAY + day * DAY + h * 3_600_000;
          const v = ruleValues(snapshot(ctx, t, new Set([kind])));
          const s = snapshot(ctx, t, new Set([kind]));
          const where = `${kind}, day ${day} ${h}:00`;
          assert.equal(v.errorRatio > 0.01, kind === 'error-spike', `${where}: 5xx ratio ${v.errorRatio}`);
          assert.equal(v.slowShare > 0.01, kind === 'latency', `${where}: slow share ${v.slowShare}`);
          assert.equal(v.disconnectsPerMinute > 1000, kind === 'disconnect-storm', `${where}: ${v.disconnectsPerMinute}/min`);
          if (kind === 'error-spike') assert.ok(v.errorRatio > 0.05, `${where}: ${v.errorRatio}`);
          if (kind === 'latency') assert.ok(v.slowShare > 0.2, `${where}: ${v.slowShare}`);
          if (kind === 'disconnect-storm') assert.ok(v.disconnectsPerMinute >= 2_400, `${where}: ${v.disconnectsPerMinute}`);
          if (kind === 'lag') {
            assert.ok(s.stalledGroups.has(LAG_GROUP) && (s.topicRates[LAG_TOPIC] ?? 0) > 1_500, where);
          } else {
            assert.equal(s.stalledGroups.size, 0, where);
          }
          assert.ok(v.cpuMax < 0.8 && v.memoryMax < 0.85 && v.diskMax < 0.8 && v.certDaysMin > 30, `${where}: no infrastructure rule`);
        }
      }
    });
  }

  it('a stalled group loses ground; a recovered one catches up faster than it falls behind', () => {
    assert.ok(consumeCapacity(true, 100) < 100);
    assert.ok(consumeCapacity(false, 100) > 4 * 100);
  });
});

type Sample = { name: string; labels: Record<string, string | number>; value: number; metricName?: string };
async function samples(pm: PlatformMetrics): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const m of await pm.registry.getMetricsAsJSON()) {
    for (const v of m.values as Sample[]) {
      const labels = Object.entries(v.labels)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([k, x]) => `${k}=${String(x)}`)
        .join(',');
      out.set(`${v.metricName ?? m.name}{${labels}}`, v.value);
    }
  }
  return out;
}
const sum = (m: Map<string, number>, re: RegExp) => [...m].filter(([k]) => re.test(k)).reduce((a, [, v]) => a + v, 0);

describe('the registry the simulation fills', () => {
  it('is the same for the same seed and clock, and another for another seed', async () => {
    const run = async (seed: number) => {
      let now = MONDAY + 14 * 3_600_000;
      const pm = new PlatformMetrics({ seed, now: () => now });
      for (let i = 0; i < 20; i++) {
        now += 1_000;
        pm.advance();
      }
      return pm.registry.metrics();
    };
    const [a, b, c] = [await run(7), await run(7), await run(8)];
    assert.equal(a, b);
    assert.notEqual(a, c);
  });

  it('has every seed metric with its labels from the first scrape', async () => {
    const pm = new PlatformMetrics({ now: () => MONDAY });
    const text = await pm.registry.metrics();
    for (const series of [
      'caas_messages_total{tenant_id="acme",type="text",status="delivered"}',
      'caas_socket_connections{tenant_id="globex"}',
      'caas_socket_disconnects_total{reason="ping_timeout"}',
      'kafka_consumergroup_lag{consumergroup="caas-analytics",topic="caas.events",partition="0"}',
      'mongodb_mongod_replset_member_replication_lag{name="mongo-1:27017",set="rs0",state="SECONDARY"}',
      'node_filesystem_avail_bytes{instance="caas-node-1:9100",device="/dev/nvme1n1",fstype="xfs",mountpoint="/var/lib/mongodb"}',
      'probe_ssl_earliest_cert_expiry{instance="https://api.caas.example.com"}',
      'caas_demo_fault_active{kind="lag"} 0',
    ]) {
      assert.ok(text.includes(series), series);
    }
    assert.match(text, /# TYPE caas_request_duration_seconds histogram/);
    assert.match(text, /# TYPE http_requests_total counter/);
  });

  it('counters only go up, requests equal histogram counts, and a fault shows in the rates', async () => {
    let now = MONDAY + 15 * 3_600_000;
    const faults = new FaultSwitch(() => now);
    const pm = new PlatformMetrics({ now: () => now, faults });
    let prev = await samples(pm);
    const counters = (m: Map<string, number>) => [...m].filter(([k]) => /_total\{|_bucket\{|_count\{|_sum\{/.test(k));
    const window = async (seconds: number) => {
      const before = await samples(pm);
      for (let i = 0; i < seconds; i++) {
        now += 500 + ((i * 7919) % 1000); // uneven scrape gaps
        pm.advance();
        const cur = await samples(pm);
        for (const [k, v] of counters(cur)) {
          assert.ok(v >= (prev.get(k) ?? 0), `${k} went from ${prev.get(k)} to ${v}`);
        }
        prev = cur;
      }
      const after = prev;
      const delta = (re: RegExp) => sum(after, re) - sum(before, re);
      return {
        errors: delta(/^http_requests_total\{.*status=5/) / delta(/^http_requests_total\{/),
        slow: 1 - delta(/^caas_request_duration_seconds_bucket\{le=0\.5,/) / delta(/^caas_request_duration_seconds_count\{/),
      };
    };
    // requests and histogram counts agree per series, and +Inf is the count
    const s0 = await samples(pm);
    for (const [k, v] of s0) {
      if (!k.startsWith('http_requests_total{')) continue;
      const labels = k.slice('http_requests_total'.length);
      assert.equal(s0.get(`caas_request_duration_seconds_count${labels}`), v, k);
    }

    const quiet = await window(60);
    assert.ok(quiet.errors < 0.01 && quiet.slow < 0.01, JSON.stringify(quiet));
    faults.start('error-spike', 0.75);
    faults.start('latency', 0.75);
    const spiked = await window(45);
    assert.ok(spiked.errors > 0.05, `5xx share ${spiked.errors}`);
    assert.ok(spiked.slow > 0.1, `share slower than 500 ms ${spiked.slow}`);
    const { ends_at } = faults.active()[0] ?? { ends_at: 0 };
    now = Math.max(now, ends_at);
    assert.deepEqual(faults.active(), [], 'both faults ended by themselves after their 45 s');
    const after = await window(40);
    assert.ok(after.errors < 0.01 && after.slow < 0.01, `back to quiet: ${JSON.stringify(after)}`);

    const s1 = await samples(pm);
    for (const [k, v] of s1) {
      if (!k.startsWith('http_requests_total{')) continue;
      const labels = k.slice('http_requests_total'.length);
      assert.equal(s1.get(`caas_request_duration_seconds_count${labels}`), v, `${k} = its histogram count`);
      assert.equal(s1.get(`caas_request_duration_seconds_bucket${labels.replace('{', '{le=+Inf,')}`), v, `${k} = its +Inf bucket`);
    }
  });

  it('a disconnect storm is over 1000 a minute while on, then back under', async () => {
    let now = MONDAY + 3 * 3_600_000; // a quiet hour: the storm must still cross
    const faults = new FaultSwitch(() => now);
    const pm = new PlatformMetrics({ now: () => now, faults });
    const perMinute = async (seconds: number) => {
      const a = sum(await samples(pm), /^caas_socket_disconnects_total/);
      for (let i = 0; i < seconds; i++) {
        now += 1_000;
        pm.advance();
      }
      return ((sum(await samples(pm), /^caas_socket_disconnects_total/) - a) / seconds) * 60;
    };
    assert.ok((await perMinute(30)) < 1000);
    faults.start('disconnect-storm', 0.5);
    const connectionsBefore = sum(await samples(pm), /^caas_socket_connections\{/);
    assert.ok((await perMinute(30)) >= 2_400);
    assert.ok(faults.active().length === 0);
    assert.ok((await perMinute(30)) < 1000);
    now += 1;
    faults.start('disconnect-storm', 0.2);
    now += 2_000;
    pm.advance();
    assert.ok(sum(await samples(pm), /^caas_socket_connections\{/) < 0.7 * connectionsBefore, 'connections drop during a storm');
  });

  it('lag: the stalled group passes 10,000 within seconds, and catches up after the fault', async () => {
    let now = MONDAY + 3 * 3_600_000;
    const faults = new FaultSwitch(() => now);
    const pm = new PlatformMetrics({ now: () => now, faults });
    const lag = async (group: string) => sum(await samples(pm), new RegExp(`^kafka_consumergroup_lag\\{consumergroup=${group},`));
    const tick = (seconds: number) => {
      for (let i = 0; i < seconds; i++) {
        now += 1_000;
        pm.advance();
      }
    };
    tick(10);
    const quiet = await lag(LAG_GROUP);
    assert.ok(quiet < 10_000, `${quiet}`);
    faults.start('lag', 1);
    tick(15);
    const lagging = await lag(LAG_GROUP);
    assert.ok(lagging > 10_000, `after 15 s: ${lagging}`);
    assert.ok((await lag('caas-delivery')) < 10_000, 'the other groups keep up');
    tick(50); // the fault ends after 60 s
    const peak = await lag(LAG_GROUP);
    assert.ok(peak > lagging);
    tick(60);
    const recovered = await lag(LAG_GROUP);
    assert.ok(recovered < 10_000 && recovered < quiet * 3 + 100, `60 s after the fault: ${recovered}`);
    // consumer offsets never pass the topic's
    const s = await samples(pm);
    for (const [k, v] of s) {
      const m = /^kafka_consumergroup_current_offset\{consumergroup=[^,]+,partition=(\d+),topic=([^}]+)\}$/.exec(k);
      if (m) assert.ok(v <= (s.get(`kafka_topic_partition_current_offset{partition=${m[1]},topic=${m[2]}}`) ?? -1), k);
    }
  });

  it('a long gap is caught up in bounded work, counters continuous', async () => {
    let now = MONDAY;
    const pm = new PlatformMetrics({ now: () => now });
    now += 6 * 3_600_000;
    const t0 = performance.now();
    pm.advance();
    const ms = performance.now() - t0;
    const s = await samples(pm);
    const requests = sum(s, /^http_requests_total\{/);
    // six night-to-morning hours at tens to hundreds of requests a second
    assert.ok(requests > 6 * 3600 * 20 && requests < 6 * 3600 * 600, `${requests}`);
    assert.ok(ms < 60_000, `${ms} ms`);
  });
});

describe('the fault switch', () => {
  it('a fault ends by itself; again extends it; clear ends it now; minutes are bounded', () => {
    let now = 1_000_000;
    const f = new FaultSwitch(() => now);
    const w = f.start('lag', 2);
    assert.deepEqual(w, { kind: 'lag', started_at: 1_000_000, ends_at: 1_120_000 });
    now += 60_000;
    assert.deepEqual(f.start('lag', 5), { kind: 'lag', started_at: 1_000_000, ends_at: 1_360_000 }, 'same start, new end');
    f.start('latency', 0.5);
    assert.deepEqual(f.active().map((x) => x.kind), ['latency', 'lag'], 'soonest end first');
    now += 30_000;
    assert.deepEqual([...f.kindsAt(now)], ['lag'], 'latency ended at its end');
    assert.deepEqual(f.clear('lag').map((x) => x.ends_at), [now]);
    assert.deepEqual(f.active(), []);
    assert.ok(f.kindsAt(now - 1).has('lag'), 'the past is kept until forgotten');
    f.forgetBefore(now + 1);
    assert.equal(f.kindsAt(now - 1).size, 0);
    assert.throws(() => f.start('lag', 0), RangeError);
    assert.throws(() => f.start('lag', 24 * 60 + 1), RangeError);
    assert.throws(() => f.start('lag', Number.NaN), RangeError);
  });

  it('caas_demo_fault_active shows what is on', async () => {
    let now = MONDAY;
    const pm = new PlatformMetrics({ now: () => now });
    pm.faults.start('disconnect-storm', 1);
    now += 1_000;
    const text = await pm.metrics();
    assert.match(text, /caas_demo_fault_active\{kind="disconnect-storm"\} 1/);
    assert.match(text, /caas_demo_fault_active\{kind="lag"\} 0/);
    now += 60_000;
    assert.match(await pm.metrics(), /caas_demo_fault_active\{kind="disconnect-storm"\} 0/);
  });
});
