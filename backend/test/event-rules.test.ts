import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { fingerprint } from '../src/alerts/alertmanager/fingerprint.js';
import { filterMatcher } from '../src/alerts/alertmanager/client.js';
import { inhibitRules, silenceOf } from '../src/alerts/alertmanager/service.js';
import { calc, evaluateVectors, parseExpression } from '../src/alerts/event-rules/expression.js';
import { intervalCron, RULER_INTERVALS } from '../src/alerts/event-rules/interval.js';
import { alertLabels, checkSpec, type EventRule } from '../src/alerts/event-rules/model.js';
import { reduceValues, samplesOf } from '../src/alerts/event-rules/reduce.js';
import { groupKeyOf, transition, webhookAlert, webhookPayload } from '../src/alerts/event-rules/ruler.js';
import type { SeriesResult } from '../src/alerts/event-rules/evaluate.js';
import type { AlertRow } from '../src/alerts/event-rules/store.js';
import { checkTemplate, expandTemplate, formatG, humanize } from '../src/alerts/event-rules/template.js';
import { CaasError } from '../src/errors.js';
import { ZonedCron } from '../src/jobs/zoned-cron.js';
import { ConfigError, loadConfig } from '../src/config/config.js';

/**
 * The parts of event rules that need no engine (issue "Alert management", item 1): the expression
 * language, the reducers, annotation templates, Alertmanager's fingerprint, the ruler's tick as a cron
 * pattern, and the alert state machine (Prometheus' pending → firing → keep firing → resolved) step by step.
 * The same machine on real ClickHouse events is in test/ruler.test.ts.
 *
 *   cd backend && node --import tsx --test test/event-rules.test.ts
 */
const MIN = 60_000;
const T = Date.UTC(2025, 0, 6, 12, 0, 0);

const rule = (over: Partial<EventRule> = {}): EventRule => ({
  id: 'msg-failures',
  name: 'MessageSendFailures',
  tenant_id: null,
  window: '5m',
  queries: { A: { kind: 'timeseries', metric: { type: 'events' } }, B: { kind: 'timeseries', metric: { type: 'events' } } },
  condition: { expression: 'A / B', reducer: 'sum', field: null, op: '>', threshold: 0.02 },
  for: '2m',
  keep_firing_for: '2m',
  interval: '1m',
  severity: 'critical',
  labels: { team: 'messaging' },
  annotations: { summary: '{{ $value | humanizePercentage }} of sends failed for {{ $labels.tenant_id }}', description: '', runbook_url: null },
  enabled: true,
  created_at: '',
  updated_at: '',
  ...over,
});

const refused = (fn: () => unknown, re: RegExp) =>
  assert.throws(fn, (e: unknown) => e instanceof CaasError && e.kind === 'invalid' && re.test(e.message), `refused with ${re}`);

describe('event rules: expression', () => {
  it('parses arithmetic with precedence and parentheses, and names the queries it uses', () => {
    const p = parseExpression('(A - B) / B * 100');
    assert.deepEqual(p.refs, ['A', 'B']);
    assert.equal(calc(p.ast, { A: 30, B: 20 }), 50);
    assert.equal(calc(parseExpression('A - B - C').ast, { A: 10, B: 3, C: 2 }), 5, 'left-associative');
    assert.equal(calc(parseExpression('-A * 2 + 1e2').ast, { A: 3 }), 94);
    assert.equal(calc(parseExpression(' A/B ').ast, { A: 1, B: 4 }), 0.25);
  });

  it('refuses anything else with a reason', () => {
    refused(() => parseExpression(''), /is empty/);
    refused(() => parseExpression('A +'), /ends too early/);
    refused(() => parseExpression('(A'), /closing parenthesis/);
    refused(() => parseExpression('A B'), /after a complete expression/);
    refused(() => parseExpression('F'), /names 'F', which is not a query/);
    refused(() => parseExpression('sum(A)'), /names 'sum'/);
    refused(() => parseExpression('A ^ 2'), /cannot read/);
    refused(() => parseExpression('process.exit()'), /names 'process'/);
    refused(() => parseExpression('('.repeat(40) + 'A' + ')'.repeat(40)), /nests deeper/);
  });

  it('property: any text either parses or is refused as a 400, never anything else', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 60 }), fc.stringMatching(/^[A-E0-9+\-*/(). eE]{0,40}$/)), (s) => {
        try {
          const p = parseExpression(s);
          assert.ok(p.refs.every((r) => /^[A-E]$/.test(r)));
        } catch (e) {
          assert.ok(e instanceof CaasError && e.kind === 'invalid', String(e));
        }
      }),
      { seed: 0x5eed, numRuns: 500 }
    );
  });

  it('matches series by labels; a total applies to every series; no data and division by zero are left out', () => {
    const ast = parseExpression('A / B').ast;
    const out = evaluateVectors(ast, {
      A: [
        { labels: { platform: 'ios' }, value: 2 },
        { labels: { platform: 'android' }, value: 6 },
        { labels: { platform: 'web' }, value: null },
      ],
      B: [{ labels: {}, value: 100 }],
    });
    assert.deepEqual(
      out.map((s) => [s.labels.platform, s.value]),
      [
        ['ios', 0.02],
        ['android', 0.06],
      ]
    );
    const matched = evaluateVectors(ast, {
      A: [{ labels: { platform: 'ios' }, value: 1 }, { labels: { platform: 'web' }, value: 1 }],
      B: [{ labels: { platform: 'ios' }, value: 4 }, { labels: { platform: 'android' }, value: 5 }],
    });
    assert.deepEqual(matched.map((s) => [s.labels.platform, s.value]), [['ios', 0.25]], 'only label sets both answer');
    assert.deepEqual(evaluateVectors(ast, { A: [{ labels: {}, value: 0 }], B: [{ labels: {}, value: 0 }] }), [], '0 / 0 is no data');
    assert.deepEqual(evaluateVectors(parseExpression('A').ast, { A: [] }), [], 'no series, no alert');
  });
});

describe('event rules: reducers over frames', () => {
  it('reduce: sum and count of nothing are 0, the others have no value; nulls are skipped', () => {
    assert.equal(reduceValues([], 'sum'), 0);
    assert.equal(reduceValues([], 'count'), 0);
    assert.equal(reduceValues([], 'avg'), null);
    assert.equal(reduceValues([null, 3, null, 5], 'last'), 5);
    assert.equal(reduceValues([1, null, 5], 'avg'), 3);
    assert.equal(reduceValues([4, 2, 9], 'min'), 2);
    assert.equal(reduceValues([4, 2, 9], 'max'), 9);
    assert.equal(reduceValues([4, 2, 9], 'count'), 3);
  });

  it('time series: one sample per number field with its labels; tables: the value column over the rows', () => {
    const series = [
      {
        fields: [
          { name: 'time', type: 'time' as const, values: [0, 60_000] },
          { name: 'events', type: 'number' as const, labels: { platform: 'ios' }, values: [1, 2] },
          { name: 'events', type: 'number' as const, labels: { platform: 'web' }, values: [5, 0] },
        ],
      },
    ];
    assert.deepEqual(samplesOf('A', series, 'sum', null), [
      { labels: { platform: 'ios' }, value: 3 },
      { labels: { platform: 'web' }, value: 5 },
    ]);
    const table = [{ fields: [{ name: 'country', type: 'string' as const, values: ['US', 'DE'] }, { name: 'events', type: 'number' as const, values: [7, 3] }] }];
    assert.deepEqual(samplesOf('A', table, 'max', null), [{ labels: {}, value: 7 }]);
    assert.deepEqual(samplesOf('A', table, 'sum', 'events'), [{ labels: {}, value: 10 }]);
    refused(() => samplesOf('B', table, 'sum', 'users'), /condition.field 'users' is not in the answer of query B: its number fields are 'events'/);
    assert.deepEqual(samplesOf('A', [], 'count', null), [{ labels: {}, value: 0 }], 'no frame: nothing happened');
  });
});

describe('event rules: annotation templates', () => {
  it('expands $value (with humanize, humanizePercentage, printf) and $labels like Prometheus', () => {
    const labels = { tenant_id: 'acme', alertname: 'X' };
    assert.equal(expandTemplate('{{ $value | humanizePercentage }} failed for {{ $labels.tenant_id }}', labels, 0.0523), '5.23% failed for acme');
    assert.equal(expandTemplate('{{$value}} / {{ .Value | printf "%.1f" }} / {{ .Labels.alertname }}', labels, 2.25), '2.25 / 2.3 / X');
    assert.equal(humanize(1234), '1.234k');
    assert.equal(humanize(0.0123), '12.3m');
    assert.equal(formatG(123456), '1.235e+05');
    assert.equal(expandTemplate('{{ $labels.missing }}!', labels, 1), '!');
  });

  it('refuses templates it cannot expand', () => {
    refused(() => checkTemplate('annotations.summary', '{{ $value | title }}'), /annotations.summary: the template \{\{ \$value \| title \}\} is not one the ruler expands/);
    refused(() => checkTemplate('annotations.summary', '{{ range $x }}'), /not one the ruler expands/);
    refused(() => checkTemplate('annotations.summary', 'open {{ $value'), /not closed/);
    checkTemplate('annotations.summary', 'plain text with { braces }');
  });
});

describe('event rules: checks without an engine', () => {
  it('accepts the seed examples and refuses what would misbehave, naming the field', () => {
    const ok = checkSpec(rule(), 60_000);
    assert.deepEqual([ok.windowMs, ok.forMs, ok.keepFiringForMs, ok.intervalMs, ok.refs], [5 * MIN, 2 * MIN, 2 * MIN, MIN, ['A', 'B']]);
    refused(() => checkSpec(rule({ interval: '30s' }), 60_000), /interval '30s' is shorter than the ruler's tick \(RULER_INTERVAL_SECONDS=60\)/);
    refused(() => checkSpec(rule({ window: '5 minutes' }), 60_000), /window '5 minutes' is not a duration/);
    refused(() => checkSpec(rule({ window: '1s' }), 60_000), /window '1s' is shorter than 10s/);
    refused(() => checkSpec(rule({ condition: { ...rule().condition, expression: 'A' } }), 60_000), /query B is not used/);
    refused(() => checkSpec(rule({ condition: { ...rule().condition, expression: 'A / C' } }), 60_000), /uses C, which is not one of the queries/);
    refused(() => checkSpec(rule({ queries: {} }), 60_000), /at least one, named A/);
    refused(() => checkSpec(rule({ labels: { tenant_id: 'x' } }), 60_000), /label 'tenant_id' is set by the ruler/);
    refused(() => checkSpec(rule({ name: '1bad' }), 60_000), /not an alert name/);
    refused(() => checkSpec(rule({ condition: { ...rule().condition, threshold: Number.NaN } }), 60_000), /finite number/);
    refused(() => checkSpec(rule({ annotations: { summary: 'x', description: '', runbook_url: 'javascript:alert(1)' } }), 60_000), /not an http\(s\) URL/);
  });

  it("alert labels: the series' own (renamed to label names), the rule's, then the ruler's, which nothing overrides", () => {
    const labels = alertLabels(rule(), 'acme', { 'message.type': 'text', tenant_id: 'evil', severity: 'info', '9x': 'y' });
    assert.deepEqual(labels, {
      _9x: 'y',
      alertname: 'MessageSendFailures',
      caas_rule_id: 'msg-failures',
      message_type: 'text',
      service: 'caas-events',
      severity: 'critical',
      team: 'messaging',
      tenant_id: 'acme',
    });
    assert.equal(alertLabels(rule({ labels: { service: 'chat' } }), 'acme', {}).service, 'chat');
  });

  it('the ruler tick is a cron pattern that fires exactly every interval', () => {
    for (const s of RULER_INTERVALS) {
      const cron = intervalCron(s);
      assert.ok(cron, `${s}s has a pattern`);
      const z = new ZonedCron(cron, 'UTC');
      const a = z.next(T);
      assert.equal((z.next(a as number) as number) - (a as number), s * 1000, `${s}s: ${cron}`);
    }
    assert.throws(() => loadConfig({ RULER_INTERVAL_SECONDS: '45' }), (e: unknown) => e instanceof ConfigError && /RULER_INTERVAL_SECONDS=45 is not valid: use one that divides a minute, an hour or a day evenly/.test(e.message));
    assert.throws(() => loadConfig({ PUBLIC_URL: 'not a url' }), ConfigError);
    const cfg = loadConfig({ PORT: '9000' });
    assert.deepEqual([cfg.rulerIntervalSeconds, cfg.publicUrl], [60, 'http://localhost:9000'], 'the defaults');
    assert.equal(loadConfig({ RULER_INTERVAL_SECONDS: '300' }).rulerIntervalSeconds, 300);
    assert.equal(intervalCron(7), null);
    assert.equal(intervalCron(90), null);
    assert.equal(intervalCron(0), null);
  });
});

describe('event rules: the alert state machine (Prometheus semantics)', () => {
  const compiled = checkSpec(rule(), 60_000);
  const active = (value: number): SeriesResult[] => [{ labels: {}, value, inputs: { A: value, B: 1 }, active: value > 0.02 }];
  const step = (rows: AlertRow[], series: SeriesResult[], at: number) => {
    const r = transition(rule(), compiled, 'acme', rows, series, at);
    const gone = new Set(r.removed.map((x) => x.fingerprint));
    const next = new Map(rows.filter((x) => !gone.has(x.fingerprint)).map((x) => [x.fingerprint, x]));
    for (const x of r.rows) {
      next.set(x.fingerprint, x);
    }
    return [...next.values()];
  };

  it('pending for `for`, then firing; keeps firing for keep_firing_for; then resolved once; a vanished pending alert is dropped', () => {
    let rows: AlertRow[] = [];
    rows = step(rows, active(0.05), T);
    assert.equal(rows[0]?.state, 'pending');
    assert.equal(rows[0]?.annotations.summary, '5% of sends failed for acme');
    rows = step(rows, active(0.06), T + MIN);
    assert.equal(rows[0]?.state, 'pending', '1m < for 2m');
    rows = step(rows, active(0.07), T + 2 * MIN);
    assert.equal(rows[0]?.state, 'firing');
    assert.equal(rows[0]?.fired_at, new Date(T + 2 * MIN).toISOString());
    assert.equal(rows[0]?.active_at, new Date(T).toISOString(), 'active since the first evaluation');
    rows = step(rows, active(0), T + 3 * MIN);
    assert.equal(rows[0]?.state, 'firing', 'keeps firing');
    assert.equal(rows[0]?.keep_firing_since, new Date(T + 3 * MIN).toISOString());
    rows = step(rows, active(0), T + 4 * MIN);
    assert.equal(rows[0]?.state, 'firing', '1m < keep_firing_for 2m');
    rows = step(rows, active(0), T + 5 * MIN);
    assert.equal(rows[0]?.state, 'resolved');
    assert.equal(rows[0]?.resolved_at, new Date(T + 5 * MIN).toISOString());
    rows = step(rows, active(0), T + 6 * MIN);
    assert.equal(rows[0]?.resolved_at, new Date(T + 5 * MIN).toISOString(), 'resolved once, not again');
    rows = step(rows, active(0.5), T + 7 * MIN);
    assert.equal(rows[0]?.state, 'pending', 'a resolved alert that comes back starts over');
    rows = step(rows, active(0), T + 8 * MIN);
    assert.equal(rows.length, 0, 'pending and no longer active: dropped, never sent');
  });

  it('the condition holding again while it keeps firing clears keep_firing_since', () => {
    let rows = step([], active(0.5), T);
    rows = step(rows, active(0.5), T + 2 * MIN);
    rows = step(rows, active(0), T + 3 * MIN);
    rows = step(rows, active(0.5), T + 4 * MIN);
    assert.equal(rows[0]?.keep_firing_since, null);
    rows = step(rows, active(0), T + 5 * MIN);
    rows = step(rows, active(0), T + 6 * MIN);
    assert.equal(rows[0]?.state, 'firing', 'a new keep-firing period started at 5m');
  });

  it('for 0s fires at once; each label set is its own alert with its own fingerprint', () => {
    const c0 = checkSpec(rule({ for: '0s' }), 60_000);
    const r = transition(rule({ for: '0s' }), c0, 'acme', [], [
      { labels: { platform: 'ios' }, value: 1, inputs: {}, active: true },
      { labels: { platform: 'web' }, value: 1, inputs: {}, active: true },
      { labels: { platform: 'android' }, value: 0, inputs: {}, active: false },
    ], T);
    assert.deepEqual(r.rows.map((x) => [x.labels.platform, x.state]), [['ios', 'firing'], ['web', 'firing']]);
    assert.notEqual(r.rows[0]?.fingerprint, r.rows[1]?.fingerprint);
    assert.equal(r.rows[0]?.fingerprint, fingerprint(r.rows[0]?.labels ?? {}));
  });

  it('webhook payload v4 of a group: status, group key, common labels, a firing alert ends at Go\'s zero time', () => {
    let rows = step([], active(0.5), T);
    rows = step(rows, active(0.5), T + 2 * MIN);
    const firing = rows[0] as AlertRow;
    const p = webhookPayload({ route: 'ruler', receiver: 'caas-ruler', groupLabels: { tenant_id: 'acme', caas_rule_id: 'msg-failures' }, alerts: [webhookAlert(firing, 'http://x/r')], externalURL: 'http://x' });
    assert.equal(p.version, '4');
    assert.equal(p.status, 'firing');
    assert.equal(p.groupKey, 'ruler:{caas_rule_id="msg-failures", tenant_id="acme"}');
    assert.equal(p.alerts[0]?.endsAt, '0001-01-01T00:00:00Z');
    assert.equal(p.commonLabels.alertname, 'MessageSendFailures');
    assert.equal(groupKeyOf('r', { b: '"q"', a: 'x' }), 'r:{a="x", b="\\"q\\""}');
  });
});

describe("Alertmanager's fingerprint, matchers and configuration", () => {
  it('fingerprints label sets as prometheus/common does (FNV-1a 64 with 0xff separators)', () => {
    // values from prometheus/common model/signature_test.go (TestLabelsToSignature / fingerprint of a LabelSet)
    assert.equal(fingerprint({}), 'cbf29ce484222325');
    assert.equal(fingerprint({ name: 'garland, briggs', fear: 'love is not enough' }), (5799056148416392346n).toString(16));
    assert.notEqual(fingerprint({ a: 'bc' }), fingerprint({ ab: 'c' }), 'the separator keeps name and value apart');
  });

  it('filter matchers in Alertmanager syntax, tenant silences, inhibit rules of both syntaxes', () => {
    assert.equal(filterMatcher({ name: 'tenant_id', value: 'a"b', isRegex: false }), 'tenant_id="a\\"b"');
    assert.equal(filterMatcher({ name: 'x', value: 'y.*', isRegex: true, isEqual: false }), 'x!~"y.*"');
    assert.equal(filterMatcher({ name: 'x', value: 'y', isRegex: false, isEqual: false }), 'x!="y"');
    assert.ok(silenceOf({ matchers: [{ name: 'tenant_id', value: 'acme', isRegex: false, isEqual: true }] }, 'acme'));
    assert.ok(!silenceOf({ matchers: [{ name: 'tenant_id', value: 'acme', isRegex: true }] }, 'acme'), 'a regex is not ownership');
    assert.ok(!silenceOf({ matchers: [{ name: 'tenant_id', value: 'acme', isRegex: false, isEqual: false }] }, 'acme'));
    const rules = inhibitRules(
      'route:\n  receiver: x\ninhibit_rules:\n- source_matchers:\n  - severity="critical"\n  target_matchers:\n  - severity="warning"\n  equal:\n  - alertname\n- source_match:\n    severity: critical\n  target_match_re:\n    severity: warning|info\n'
    );
    assert.deepEqual(rules, [
      { source_matchers: ['severity="critical"'], target_matchers: ['severity="warning"'], equal: ['alertname'] },
      { source_matchers: ['severity="critical"'], target_matchers: ['severity=~"warning|info"'], equal: [] },
    ]);
    assert.deepEqual(inhibitRules('not: [yaml'), []);
  });
});
