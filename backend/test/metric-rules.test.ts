import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { STANDARD_PACK } from '../src/alerts/metric-rules/pack.js';
import { renderRuleFile } from '../src/alerts/metric-rules/render.js';
import { Promtool } from '../src/alerts/promtool.js';
import { quote, toYaml, type YamlValue } from '../src/alerts/yaml.js';

/**
 * The standard metric rule pack against Prometheus' own tools (issue "Alert management", item 1): the
 * rendered rule file passes `promtool check rules`, and `promtool test rules` cases show each standard
 * rule fires when, and only when, it should: for every rule, series just past its threshold fire once
 * `for` has passed and not a minute before, and series just short of the threshold never fire.
 *
 * Needs promtool (Debian package `prometheus`; .ci/run installs it). Each case runs the whole rendered
 * file, so the rules are also shown not to fire on each other's series.
 *
 *   cd backend && node --import tsx --test test/metric-rules.test.ts
 */
const promtool = new Promtool({ path: process.env.PROMTOOL_PATH ?? 'promtool', concurrency: 2 });
const RULES = renderRuleFile(STANDARD_PACK);

type Labels = Record<string, string>;
interface Series {
  series: string;
  values: string;
}
interface Case {
  /** the rule's alert name */
  alert: string;
  /** series just past the threshold */
  fire: Series[];
  /** series just short of it (or, for a counter, a blip shorter than `for`) */
  quiet: Series[];
  /** the last evaluation before `for` has passed (nothing fires yet) and the first after it */
  pending: string;
  firing: string;
  /** the alerts expected at `firing`: the series' labels and the expanded annotations */
  expect: Array<{ labels: Labels; summary: string; description: string }>;
  /** the alerts expected at 25m, when their annotations change with time */
  late?: Array<{ labels: Labels; summary: string; description: string }>;
}

const s = (series: string, values: string): Series => ({ series, values });
const ruleOf = (alert: string) => {
  const r = STANDARD_PACK.find((x) => x.name === alert);
  assert.ok(r, `the pack has ${alert}`);
  return r;
};

const CASES: Case[] = [
  {
    // p99 from buckets: 989 of 1000 requests a minute ≤ 0.5 s, the rest ≤ 1 s → p99 = 0.5 + 0.5 × 1/11 ≈ 545 ms;
    // quiet: 991 of 1000 ≤ 0.5 s → p99 = 0.4 × 990/991 + 0.1 ≈ 0.4996 s, just under.
    alert: 'HighLatency',
    fire: [
      s('caas_request_duration_seconds_bucket{job="caas-api",le="0.1"}', '0+0x30'),
      s('caas_request_duration_seconds_bucket{job="caas-api",le="0.5"}', '0+989x30'),
      s('caas_request_duration_seconds_bucket{job="caas-api",le="1"}', '0+1000x30'),
      s('caas_request_duration_seconds_bucket{job="caas-api",le="+Inf"}', '0+1000x30'),
    ],
    quiet: [
      s('caas_request_duration_seconds_bucket{job="caas-api",le="0.1"}', '0+0x30'),
      s('caas_request_duration_seconds_bucket{job="caas-api",le="0.5"}', '0+991x30'),
      s('caas_request_duration_seconds_bucket{job="caas-api",le="1"}', '0+1000x30'),
      s('caas_request_duration_seconds_bucket{job="caas-api",le="+Inf"}', '0+1000x30'),
    ],
    // a rate needs two samples: the expression first holds at 1m, so `for: 5m` passes at 6m
    pending: '5m',
    firing: '6m',
    expect: [
      {
        labels: { job: 'caas-api' },
        summary: 'p99 latency of caas-api is above 500ms',
        description: 'The 99th percentile of caas_request_duration_seconds over 5 minutes is 545.5ms (threshold 500ms).',
      },
    ],
  },
  {
    // 11 of 1000 requests a minute answer 5xx (1.1%); quiet: 9 of 1000 (0.9%)
    alert: 'HighErrorRate',
    fire: [
      s('http_requests_total{job="caas-api",method="POST",route="/messages",status="500"}', '0+11x30'),
      s('http_requests_total{job="caas-api",method="POST",route="/messages",status="200"}', '0+989x30'),
    ],
    quiet: [
      s('http_requests_total{job="caas-api",method="POST",route="/messages",status="500"}', '0+9x30'),
      s('http_requests_total{job="caas-api",method="POST",route="/messages",status="200"}', '0+991x30'),
    ],
    pending: '5m',
    firing: '6m',
    expect: [{ labels: {}, summary: 'High error rate detected', description: 'Error rate is 1.1% of HTTP requests over 5 minutes (threshold 1%).' }],
  },
  {
    // 1010 disconnects a minute; quiet: 990
    alert: 'SocketDisconnectStorm',
    fire: [s('caas_socket_disconnects_total{job="caas-socket",instance="socket-1:9100",reason="transport close"}', '0+1010x30')],
    quiet: [s('caas_socket_disconnects_total{job="caas-socket",instance="socket-1:9100",reason="transport close"}', '0+990x30')],
    // rate() divides by the whole 2m window, which the samples span from 2m on (at 1m it reads 505/min): the
    // expression holds from 2m, so `for: 2m` passes at 4m
    pending: '3m',
    firing: '4m',
    expect: [
      {
        labels: { job: 'caas-socket' },
        summary: 'Socket disconnect storm on caas-socket',
        description: '1.01k socket disconnects a minute over 2 minutes (threshold 1000/min).',
      },
    ],
  },
  {
    // lag over two partitions: 6000 + 4010 = 10,010; quiet: 6000 + 3990 = 9,990
    alert: 'KafkaConsumerLag',
    fire: [
      s('kafka_consumergroup_lag{consumergroup="search-indexer",topic="messages",partition="0"}', '6000x30'),
      s('kafka_consumergroup_lag{consumergroup="search-indexer",topic="messages",partition="1"}', '4010x30'),
    ],
    quiet: [
      s('kafka_consumergroup_lag{consumergroup="search-indexer",topic="messages",partition="0"}', '6000x30'),
      s('kafka_consumergroup_lag{consumergroup="search-indexer",topic="messages",partition="1"}', '3990x30'),
    ],
    // a gauge holds from the first sample (0m): `for: 5m` passes at 5m
    pending: '4m',
    firing: '5m',
    expect: [
      {
        labels: { consumergroup: 'search-indexer', topic: 'messages' },
        summary: 'Consumer group search-indexer lags behind on messages',
        description: '10.01k messages behind (threshold 10,000).',
      },
    ],
  },
  {
    // / is 81% full (19 GB of 100 GB free), and a tmpfs 95% full never counts; quiet: 79%
    alert: 'HighDiskUsage',
    fire: [
      s('node_filesystem_avail_bytes{instance="node-1:9100",mountpoint="/",fstype="ext4",device="/dev/sda1"}', '19000000000x30'),
      s('node_filesystem_size_bytes{instance="node-1:9100",mountpoint="/",fstype="ext4",device="/dev/sda1"}', '100000000000x30'),
      s('node_filesystem_avail_bytes{instance="node-1:9100",mountpoint="/run",fstype="tmpfs",device="tmpfs"}', '5000000x30'),
      s('node_filesystem_size_bytes{instance="node-1:9100",mountpoint="/run",fstype="tmpfs",device="tmpfs"}', '100000000x30'),
    ],
    quiet: [
      s('node_filesystem_avail_bytes{instance="node-1:9100",mountpoint="/",fstype="ext4",device="/dev/sda1"}', '21000000000x30'),
      s('node_filesystem_size_bytes{instance="node-1:9100",mountpoint="/",fstype="ext4",device="/dev/sda1"}', '100000000000x30'),
      s('node_filesystem_avail_bytes{instance="node-1:9100",mountpoint="/run",fstype="tmpfs",device="tmpfs"}', '5000000x30'),
      s('node_filesystem_size_bytes{instance="node-1:9100",mountpoint="/run",fstype="tmpfs",device="tmpfs"}', '100000000x30'),
    ],
    pending: '9m',
    firing: '10m',
    expect: [
      {
        labels: { instance: 'node-1:9100', mountpoint: '/', fstype: 'ext4', device: '/dev/sda1' },
        summary: 'Disk / on node-1:9100 is over 80% full',
        description: '81% of the filesystem is used (threshold 80%).',
      },
    ],
  },
  {
    // promtool's clock starts at the epoch: the certificate expires at 30 days minus 1 hour; quiet: 30 days plus 1 hour
    // (at the 10m evaluation 30d + 1h − 10m is left, still more than 30 days)
    alert: 'CertificateExpiry',
    fire: [s('probe_ssl_earliest_cert_expiry{instance="https://chat.example.com",job="blackbox"}', `${30 * 86400 - 3600}x30`)],
    quiet: [s('probe_ssl_earliest_cert_expiry{instance="https://chat.example.com",job="blackbox"}', `${30 * 86400 + 3600}x30`)],
    pending: '9m',
    firing: '10m',
    expect: [
      {
        labels: { instance: 'https://chat.example.com', job: 'blackbox' },
        summary: 'The certificate of https://chat.example.com expires in less than 30 days',
        description: 'It expires in 29d 22h 50m 0s.',
      },
    ],
    late: [
      {
        labels: { instance: 'https://chat.example.com', job: 'blackbox' },
        summary: 'The certificate of https://chat.example.com expires in less than 30 days',
        description: 'It expires in 29d 22h 35m 0s.',
      },
    ],
  },
  {
    // two CPUs idle 11.4 s a minute each (19% idle → 81% busy; the user-mode series does not count); quiet: 12.6 s (79%)
    alert: 'HighCPUUsage',
    fire: [
      s('node_cpu_seconds_total{instance="node-1:9100",cpu="0",mode="idle"}', '0+11.4x30'),
      s('node_cpu_seconds_total{instance="node-1:9100",cpu="1",mode="idle"}', '0+11.4x30'),
      s('node_cpu_seconds_total{instance="node-1:9100",cpu="0",mode="user"}', '0+48.6x30'),
    ],
    quiet: [
      s('node_cpu_seconds_total{instance="node-1:9100",cpu="0",mode="idle"}', '0+12.6x30'),
      s('node_cpu_seconds_total{instance="node-1:9100",cpu="1",mode="idle"}', '0+12.6x30'),
      s('node_cpu_seconds_total{instance="node-1:9100",cpu="0",mode="user"}', '0+47.4x30'),
    ],
    pending: '5m',
    firing: '6m',
    expect: [{ labels: { instance: 'node-1:9100' }, summary: 'High CPU usage on node-1:9100', description: 'CPU usage is 81% (threshold 80%).' }],
  },
  {
    // 86% of 16 GB in use; quiet: 84%
    alert: 'HighMemoryUsage',
    fire: [
      s('node_memory_MemTotal_bytes{instance="node-1:9100"}', '16000000000x30'),
      s('node_memory_MemAvailable_bytes{instance="node-1:9100"}', '2240000000x30'),
    ],
    quiet: [
      s('node_memory_MemTotal_bytes{instance="node-1:9100"}', '16000000000x30'),
      s('node_memory_MemAvailable_bytes{instance="node-1:9100"}', '2560000000x30'),
    ],
    pending: '4m',
    firing: '5m',
    expect: [{ labels: { instance: 'node-1:9100' }, summary: 'High memory usage on node-1:9100', description: 'Memory usage is 86% (threshold 85%).' }],
  },
  {
    // api-1 stops answering at 5m and stays down; quiet: it misses one scrape at 5m and is back at 6m (down ≤ 1 minute)
    alert: 'ServiceDown',
    fire: [s('up{job="caas-api",instance="api-1:8080"}', '1x4 0x25'), s('up{job="caas-api",instance="api-2:8080"}', '1x30')],
    quiet: [s('up{job="caas-api",instance="api-1:8080"}', '1x4 0 1x24'), s('up{job="caas-api",instance="api-2:8080"}', '1x30')],
    pending: '5m',
    firing: '6m',
    expect: [
      {
        labels: { job: 'caas-api', instance: 'api-1:8080' },
        summary: 'caas-api is down',
        description: 'api-1:8080 of caas-api has not answered Prometheus for more than 1 minute.',
      },
    ],
  },
];

function expected(c: Case, late = false): YamlValue {
  const r = ruleOf(c.alert);
  return (late ? (c.late ?? c.expect) : c.expect).map((e) => ({
    exp_labels: { ...e.labels, severity: r.severity, caas_rule_id: r.id },
    exp_annotations: { summary: e.summary, description: e.description },
  }));
}

/** A promtool unit-test file: the fire series (nothing before `for`, the alert after it) and the quiet ones (never). */
function unitTest(c: Case, overrides: { quietExpect?: YamlValue } = {}): string {
  const series = (xs: Series[]) => xs.map((x) => ({ series: x.series, values: x.values }));
  return toYaml({
    rule_files: ['rules.yml'],
    evaluation_interval: '1m',
    tests: [
      {
        name: `${c.alert}: past the threshold`,
        interval: '1m',
        input_series: series(c.fire),
        alert_rule_test: [
          { eval_time: c.pending, alertname: c.alert, exp_alerts: [] },
          { eval_time: c.firing, alertname: c.alert, exp_alerts: expected(c) },
          { eval_time: '25m', alertname: c.alert, exp_alerts: expected(c, true) },
        ],
      },
      {
        name: `${c.alert}: short of the threshold`,
        interval: '1m',
        input_series: series(c.quiet),
        alert_rule_test: [
          { eval_time: c.firing, alertname: c.alert, exp_alerts: overrides.quietExpect ?? [] },
          { eval_time: '25m', alertname: c.alert, exp_alerts: overrides.quietExpect ?? [] },
        ],
      },
    ],
  });
}

async function promtoolTest(unit: string): Promise<{ code: number; out: string }> {
  const r = await promtool.testRules({ 'rules.yml': RULES, 'test.yml': unit }, 'test.yml');
  return { code: r.code, out: `${r.stdout}\n${r.stderr}` };
}

describe('the standard metric rule pack under promtool', () => {
  it('promtool is installed (Debian package prometheus)', () => {
    const v = execFileSync(process.env.PROMTOOL_PATH ?? 'promtool', ['--version'], { encoding: 'utf8' });
    assert.match(v, /promtool, version 2\.\d+/);
  });

  it('the rendered file passes promtool check rules with every rule of the pack', async () => {
    const res = await promtool.checkRules(RULES);
    assert.deepEqual(res.problems, []);
    assert.equal(res.ok, true);
    const out = execFileSync('sh', ['-c', `f=$(mktemp) && cat > "$f" && promtool check rules "$f"; rm -f "$f"`], { input: RULES, encoding: 'utf8' });
    assert.match(out, new RegExp(`SUCCESS: ${STANDARD_PACK.length} rules found`));
  });

  it('the pack holds the seeds\' standard alerts with their severities', () => {
    const bySeverity = Object.fromEntries(STANDARD_PACK.map((r) => [r.name, r.severity]));
    assert.deepEqual(bySeverity, {
      HighLatency: 'warning',
      HighErrorRate: 'critical',
      SocketDisconnectStorm: 'critical',
      KafkaConsumerLag: 'warning',
      HighDiskUsage: 'warning',
      CertificateExpiry: 'warning',
      HighCPUUsage: 'warning',
      HighMemoryUsage: 'warning',
      ServiceDown: 'critical',
    });
    assert.deepEqual(CASES.map((c) => c.alert).sort(), STANDARD_PACK.map((r) => r.name).sort(), 'a promtool case for every rule of the pack');
  });

  for (const c of CASES) {
    it(`${c.alert} (${ruleOf(c.alert).expr}, for ${ruleOf(c.alert).for}) fires past its threshold once for has passed, never short of it`, async () => {
      const r = await promtoolTest(unitTest(c));
      assert.equal(r.code, 0, `promtool test rules failed:\n${r.out}`);
      assert.match(r.out, /SUCCESS/);
    });
  }

  it('the cases can fail: promtool reports an alert expected from the quiet series, and one expected before for has passed', async () => {
    const c = CASES.find((x) => x.alert === 'HighErrorRate');
    assert.ok(c);
    let r = await promtoolTest(unitTest(c, { quietExpect: expected(c) }));
    assert.notEqual(r.code, 0, 'expecting the 0.9% error rate to fire must fail');
    assert.match(r.out, /alertname: HighErrorRate/);
    r = await promtoolTest(unitTest({ ...c, pending: c.firing }));
    assert.notEqual(r.code, 0, 'expecting nothing once for has passed must fail');
  });
});

describe('YAML of rule files', () => {
  it('quotes every string: escapes for quotes, backslashes, line breaks and controls; printable text as it is', () => {
    assert.equal(quote('up == 0'), '"up == 0"');
    assert.equal(quote('a "b" \\ c'), '"a \\"b\\" \\\\ c"');
    assert.equal(quote('x\ny\tz\r'), '"x\\ny\\tz\\r"');
    assert.equal(quote('\u0000\u0007\u007f\u0085\u2028\u2029\ufeff\uffff'), '"\\u0000\\u0007\\u007F\\u0085\\u2028\\u2029\\uFEFF\\uFFFF"');
    assert.equal(quote('日本語 😀 é'), '"日本語 😀 é"');
    assert.equal(quote('\ud800'), '"\\uFFFD"');
    assert.equal(quote('true'), '"true"');
    assert.equal(quote('- [a]: &b *c #d'), '"- [a]: &b *c #d"');
  });

  it('writes nested mappings and sequences in block style, empty ones in flow style', () => {
    assert.equal(
      toYaml({ groups: [{ name: 'g', rules: [{ alert: 'A', labels: {} }] }], empty: [], 'odd key': 1, skip: undefined }),
      'groups:\n  - name: "g"\n    rules:\n      - alert: "A"\n        labels: {}\nempty: []\n"odd key": 1\n'
    );
  });

  it('a rule file of no rules is still one promtool accepts', async () => {
    const res = await promtool.checkRules(renderRuleFile([]));
    assert.equal(res.ok, true, res.problems.join('\n'));
  });
});
