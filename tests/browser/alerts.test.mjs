// Real-browser tests of the Alerts page (issue "Alert management", Grafana side) against the real backend and a real
// Alertmanager 0.25 (Debian's /usr/bin/prometheus-alertmanager, started here on a free loopback port, clustering off):
// alerts pushed to Alertmanager (POST /api/v2/alerts) are shown as Alertmanager groups them; a silence made from an
// alert on the page silences it in Alertmanager itself, and Expire expires it there; the rules list's Test sends a real
// test alert through Alertmanager's route to the backend's webhook, which opens an incident; the metric rule editor
// shows promtool's refusal at the expression; the event rule preview answers from the demo's events. As a Grafana
// Viewer (read key only: every action disabled, and Grafana refuses the Admin routes) and as an Admin (admin key).
// Loading, empty and error states included. Screenshots: test-output/browser/alerts/*.png.
//
// Run: node --test tests/browser/alerts.test.mjs   (from the repository root; ~2 min)
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ADMIN_KEY,
  RESPONDER_KEY,
  APP,
  APP_PROXY,
  buildWorkbench,
  freePort,
  launchChromium,
  openPage as openTab,
  outDir,
  screenshotIfFailed,
  settingsUrl,
  skipReason as browserSkip,
  sleep,
  startBackend,
  startStatic,
  stopAll,
} from './support.mjs';

const OUT = outDir('alerts');
const SECRET = 'alertmanager-webhook-secret-0123456789';
const ALERTMANAGER_BIN = process.env.ALERTMANAGER_BIN ?? '/usr/bin/prometheus-alertmanager';
const skipReason =
  browserSkip ??
  (existsSync(ALERTMANAGER_BIN)
    ? undefined
    : `${ALERTMANAGER_BIN} not found: install Debian's prometheus-alertmanager to run the Alerts page's browser test`);

// src/components/testIds.ts (alerts), as the DOM has them.
const ids = {
  container: 'data-testid alerts-container',
  tab: (id) => `data-testid alerts-tab-${id}`,
  viewerNotice: 'data-testid alerts-viewer-notice',
  notice: 'data-testid alerts-notice',
  loading: 'data-testid alerts-loading',
  error: 'data-testid alerts-error',
  empty: 'data-testid alerts-empty',
  groups: 'data-testid alerts-groups',
  alert: (f) => `data-testid alerts-alert-${f}`,
  silenceAlert: (f) => `data-testid alerts-silence-${f}`,
  silenceForm: 'data-testid alerts-silence-form',
  matcherName: (i) => `data-testid alerts-matcher-name-${i}`,
  matcherValue: (i) => `data-testid alerts-matcher-value-${i}`,
  silenceComment: 'data-testid alerts-silence-comment',
  silenceDuration: 'data-testid alerts-silence-duration',
  silenceSubmit: 'data-testid alerts-silence-submit',
  silences: 'data-testid alerts-silences',
  expire: (id) => `data-testid alerts-expire-${id}`,
  rules: 'data-testid alerts-rules',
  test: (kind, id) => `data-testid alerts-test-${kind}-${id}`,
  edit: (kind, id) => `data-testid alerts-edit-${kind}-${id}`,
  newRule: (kind) => `data-testid alerts-new-${kind}`,
  editor: 'data-testid alerts-editor',
  field: (f) => `data-testid alerts-editor-${f}`,
  fieldError: (f) => `data-testid alerts-editor-error-${f}`,
  save: 'data-testid alerts-editor-save',
  preview: 'data-testid alerts-editor-preview',
  previewResult: 'data-testid alerts-preview-result',
};

/** Alertmanager's configuration: grouped by alertname and tenant; given the backend, its webhook receiver too. */
function amConfig(backendUrl) {
  const receiver = backendUrl
    ? `    webhook_configs:
      - url: ${JSON.stringify(`${backendUrl}/v1/alertmanager/webhook`)}
        send_resolved: true
        http_config:
          authorization:
            type: Bearer
            credentials: ${JSON.stringify(SECRET)}
`
    : '';
  return `global:
  resolve_timeout: 5m
route:
  receiver: caas
  group_by: ['alertname', 'tenant_id']
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 4h
receivers:
  - name: caas
${receiver}inhibit_rules:
  - source_matchers: ['severity="critical"']
    target_matchers: ['severity="warning"']
    equal: ['alertname', 'tenant_id']
`;
}

async function startAlertmanager() {
  const dir = mkdtempSync(path.join(tmpdir(), 'caas-alerts-am-'));
  const configFile = path.join(dir, 'alertmanager.yml');
  writeFileSync(configFile, amConfig());
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let log = '';
  const child = spawn(
    ALERTMANAGER_BIN,
    [
      `--config.file=${configFile}`,
      `--storage.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
      '--log.level=warn',
    ],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] }
  );
  child.stdout.on('data', (c) => (log += c));
  child.stderr.on('data', (c) => (log += c));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`alertmanager exited with ${child.exitCode}: ${log}`);
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`alertmanager did not get ready: ${log}`);
    }
    try {
      if ((await fetch(`${url}/-/ready`)).ok) {
        break;
      }
    } catch {
      // not yet
    }
    await sleep(200);
  }
  const api = async (method, p, body) => {
    const res = await fetch(`${url}/api/v2/${p}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    assert.ok(res.ok, `Alertmanager ${method} /api/v2/${p}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : null;
  };
  return {
    url,
    api,
    /** Points the webhook receiver at the backend, then reloads (the backend's port is known only once it runs). */
    async useBackend(backendUrl) {
      writeFileSync(configFile, amConfig(backendUrl));
      const res = await fetch(`${url}/-/reload`, { method: 'POST' });
      assert.equal(res.status, 200, await res.text());
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, sleep(10_000)]);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function waitFor(what, fn, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    last = await fn();
    if (last) {
      return last;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}`);
    }
    await sleep(300);
  }
}

if (skipReason) {
  console.log(`SKIP browser tests: ${skipReason}`);
}

describe('Alerts page in Chromium (real backend, real Alertmanager 0.25)', { skip: skipReason }, () => {
  let am;
  let backend;
  let web;
  let browser;
  let context;
  let page;
  let admin;
  let adminPage;
  const proxy = { down: false, delayMs: 0, auth: [] };
  const httpErrors = [];
  const fp = {};

  const pushAlerts = (alerts) =>
    am.api(
      'POST',
      'alerts',
      alerts.map(({ labels, summary }) => ({
        labels,
        annotations: { summary, runbook_url: `https://runbooks.example/${labels.alertname}` },
        startsAt: new Date(Date.now() - 60_000).toISOString(),
        endsAt: new Date(Date.now() + 3_600_000).toISOString(),
        generatorURL: 'http://prometheus.example:9090/graph',
      }))
    );

  before(async () => {
    rmSync(OUT, { recursive: true, force: true });
    mkdirSync(OUT, { recursive: true });
    am = await startAlertmanager();
    [backend] = await Promise.all([
      startBackend({
        args: ['--demo', '--demo-no-search', '--demo-days', '1'],
        ready: (log) => log.includes('demo events loaded'),
        env: { ALERTMANAGER_URL: am.url, ALERTMANAGER_WEBHOOK_SECRET: SECRET },
      }),
      Promise.resolve().then(buildWorkbench),
    ]);
    await am.useBackend(backend.url);
    web = await startStatic(backend.url, proxy);
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, timezoneId: 'UTC' });
    page = await openTab(context, httpErrors);
    // As a Grafana Viewer with the read key only.
    await page.goto(settingsUrl(web.url, { days: 1 }));
    await page.getByTestId('data-testid home-container').waitFor();
    admin = await browser.newContext({ viewport: { width: 1400, height: 1000 }, timezoneId: 'UTC' });
    adminPage = await openTab(admin, httpErrors);
    await adminPage.goto(
      settingsUrl(web.url, { days: 1, role: 'Admin', adminKey: ADMIN_KEY, responderKey: RESPONDER_KEY })
    );
    await adminPage.getByTestId('data-testid home-container').waitFor();
  });

  afterEach(async (t) => {
    await screenshotIfFailed(t, page, OUT);
    await screenshotIfFailed({ ...t, name: `admin-${t.name}`, passed: t.passed }, adminPage, OUT);
  });
  after(async () => {
    await admin?.close();
    await stopAll({ browser, web, backend });
    await am?.stop();
  });

  test('a slow backend shows loading; no alerts yet: all quiet, and what would make alerts appear', async () => {
    proxy.delayMs = 2_500;
    try {
      await page.getByTestId('workbench-nav-alerts').click();
      await page.getByTestId(ids.loading).waitFor();
      await page.screenshot({ path: path.join(OUT, 'alerts-loading.png'), fullPage: true });
    } finally {
      proxy.delayMs = 0;
    }
    const empty = page.getByTestId(ids.empty);
    await empty.waitFor();
    assert.match(await empty.innerText(), /All quiet: no alerts in Alertmanager\./);
    assert.match(await empty.innerText(), /"Test" on the Rules tab/);
    await page.screenshot({ path: path.join(OUT, 'alerts-empty.png'), fullPage: true });
  });

  test('alerts pushed to Alertmanager are shown as Alertmanager groups them', async () => {
    await pushAlerts([
      {
        labels: { alertname: 'HighErrorRate', tenant_id: 'acme', severity: 'critical', instance: 'api-1' },
        summary: 'Error rate above 1% (api-1)',
      },
      {
        labels: { alertname: 'HighErrorRate', tenant_id: 'acme', severity: 'critical', instance: 'api-2' },
        summary: 'Error rate above 1% (api-2)',
      },
      {
        labels: { alertname: 'HighErrorRate', tenant_id: 'globex', severity: 'warning', instance: 'api-1' },
        summary: 'Error rate above 1% for globex',
      },
      {
        labels: { alertname: 'DiskFull', tenant_id: 'acme', severity: 'warning', mountpoint: '/data' },
        summary: 'Disk /data over 80%',
      },
    ]);
    const amGroups = await waitFor('Alertmanager to group the alerts', async () => {
      const g = await am.api('GET', 'alerts/groups');
      return g.reduce((n, x) => n + x.alerts.length, 0) === 4 ? g : null;
    });
    for (const g of amGroups) {
      for (const a of g.alerts) {
        fp[`${a.labels.alertname}/${a.labels.tenant_id}/${a.labels.instance ?? a.labels.mountpoint}`] = a.fingerprint;
      }
    }
    await page.getByTestId(ids.tab('silences')).click();
    await page.getByTestId(ids.tab('active')).click();
    const groups = page.getByTestId(ids.groups);
    await groups.waitFor();
    const cards = groups.locator('[data-testid^="data-testid alerts-group-"]');
    const shown = await cards.evaluateAll((els) =>
      els.map((e) => ({
        key: e.getAttribute('data-testid').replace('data-testid alerts-group-', ''),
        alerts: e.querySelectorAll('[data-testid^="data-testid alerts-alert-"]').length,
      }))
    );
    const expected = amGroups.map((g) => ({
      key: `${g.receiver.name}:${Object.entries(g.labels)
        .map(([k, v]) => `${k}="${v}"`)
        .join(', ')}`,
      alerts: g.alerts.length,
    }));
    const byKey = (a, b) => a.key.localeCompare(b.key);
    assert.deepEqual([...shown].sort(byKey), [...expected].sort(byKey));
    assert.equal(shown.length, 3, JSON.stringify(shown));
    const acme = await groups
      .getByTestId('data-testid alerts-group-caas:alertname="HighErrorRate", tenant_id="acme"')
      .innerText();
    assert.match(acme, /receiver caas/);
    assert.match(acme, /2 alerts/);
    assert.match(acme, /Error rate above 1% \(api-2\)/);
    // Alertmanager's inhibition: the critical HighErrorRate does not mute globex's warning (other tenant).
    const globex = await groups.getByTestId(ids.alert(fp['HighErrorRate/globex/api-1'])).innerText();
    assert.match(globex, /active/);
    await page.screenshot({ path: path.join(OUT, 'alerts-groups.png'), fullPage: true });
  });

  test('a Viewer reads only: Silence is disabled with the reason, and Grafana refuses the Admin route', async () => {
    const button = page.getByTestId(ids.silenceAlert(fp['DiskFull/acme//data']));
    assert.equal(await button.getAttribute('aria-disabled'), 'true');
    assert.match(await page.getByTestId(ids.viewerNotice).innerText(), /need a Grafana Admin/);
    await page.screenshot({ path: path.join(OUT, 'alerts-viewer.png'), fullPage: true });
    const answer = await page.evaluate(
      (url) =>
        window.caasWorkbench
          .request({
            url,
            method: 'POST',
            data: { matchers: [{ name: 'a', value: 'b', isRegex: false }], comment: 'x' },
          })
          .then(
            (r) => r.status,
            (e) => e.status
          ),
      `${APP_PROXY}/v1/alertmanager/silences`
    );
    assert.equal(answer, 403);
    await page.getByTestId(ids.tab('rules')).click();
    await page.getByTestId(ids.rules).waitFor();
    const testButtons = page.locator('[data-testid^="data-testid alerts-test-"]');
    assert.ok((await testButtons.count()) > 0);
    assert.deepEqual(
      [...new Set(await testButtons.evaluateAll((els) => els.map((e) => e.getAttribute('aria-disabled'))))],
      ['true']
    );
  });

  test('an Admin silences an alert from its labels: Alertmanager itself then has it silenced', async () => {
    const f = fp['DiskFull/acme//data'];
    await adminPage.goto(`${web.url}${APP}/alerts`);
    await adminPage.getByTestId(ids.silenceAlert(f)).click();
    const form = adminPage.getByTestId(ids.silenceForm);
    await form.waitFor();
    const names = [];
    for (let i = 0; i < 4; i++) {
      names.push(await form.getByTestId(ids.matcherName(i)).inputValue());
    }
    assert.deepEqual(names, ['alertname', 'mountpoint', 'severity', 'tenant_id']);
    assert.equal(await form.getByTestId(ids.matcherValue(0)).inputValue(), 'DiskFull');
    await form.getByTestId(ids.silenceDuration).fill('1h');
    await form.getByTestId(ids.silenceComment).fill('replacing the disk');
    await adminPage.screenshot({ path: path.join(OUT, 'alerts-silence-form.png'), fullPage: true });
    await form.getByTestId(ids.silenceSubmit).click();
    const notice = adminPage.getByTestId(ids.notice);
    await notice.waitFor();
    const silenceId = (await notice.innerText()).match(/Silence (\S+) created/)?.[1];
    assert.ok(silenceId, await notice.innerText());
    fp.silence = silenceId;

    const inAm = await waitFor('Alertmanager to mark the alert silenced', async () => {
      const alerts = await am.api('GET', 'alerts?filter=alertname%3D%22DiskFull%22');
      return alerts.find((a) => a.status.silencedBy.includes(silenceId));
    });
    assert.equal(inAm.status.state, 'suppressed');
    const silence = await am.api('GET', `silence/${silenceId}`);
    assert.equal(silence.comment, 'replacing the disk');
    assert.equal(silence.status.state, 'active');
    const hours = (Date.parse(silence.endsAt) - Date.parse(silence.startsAt)) / 3_600_000;
    assert.ok(Math.abs(hours - 1) < 0.01, `${hours} h`);
    // The other alerts are not silenced.
    const others = await am.api('GET', 'alerts?filter=alertname%3D%22HighErrorRate%22');
    assert.ok(others.every((a) => a.status.silencedBy.length === 0));
    // The page shows it silenced (it reads again after creating).
    await adminPage.getByTestId(ids.alert(f)).getByText(`silenced by ${silenceId}`).waitFor();
    await adminPage.screenshot({ path: path.join(OUT, 'alerts-silenced.png'), fullPage: true });
  });

  test('Silences: the new one is active with who, why and until; Expire expires it in Alertmanager', async () => {
    await adminPage.getByTestId(ids.tab('silences')).click();
    const table = adminPage.getByTestId(ids.silences);
    await table.waitFor();
    const row = table.locator('tr', { has: adminPage.getByTestId(`data-testid alerts-silence-row-${fp.silence}`) });
    const text = await row.innerText();
    assert.match(text, /active/);
    assert.match(text, /alertname="DiskFull"/);
    assert.match(text, /replacing the disk/);
    assert.match(text, /grafana user|admin/i);
    await adminPage.screenshot({ path: path.join(OUT, 'alerts-silences.png'), fullPage: true });
    await adminPage.getByTestId(ids.expire(fp.silence)).click();
    await adminPage.getByTestId(ids.notice).getByText(`Silence ${fp.silence} expired.`).waitFor();
    const silence = await am.api('GET', `silence/${fp.silence}`);
    assert.equal(silence.status.state, 'expired');
    await waitFor(
      'the page to show it expired',
      async () => (await adminPage.getByTestId(ids.expire(fp.silence)).count()) === 0
    );
    assert.match(await row.innerText(), /expired/);
    await adminPage.screenshot({ path: path.join(OUT, 'alerts-silence-expired.png'), fullPage: true });
  });

  test('Rules: both kinds listed; Test sends a real alert through Alertmanager and an incident opens', async () => {
    const created = await backend.asAdmin('POST', '/v1/alerts/event-rules', {
      id: 'acme-no-sends',
      name: 'NoMessagesSent',
      tenant_id: 'acme',
      window: '15m',
      queries: { A: { kind: 'timeseries', metric: { type: 'events' }, event_types: ['message_sent'] } },
      condition: { reducer: 'sum', op: '==', threshold: 0 },
      for: '15m',
      severity: 'warning',
      annotations: { summary: 'acme sent no messages for 15 minutes' },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const { body } = await backend.asAdmin('GET', '/monitoring/rules');
    const metric = body.rules.find((r) => r.kind === 'metric' && r.enabled);
    assert.ok(metric, JSON.stringify(body));
    await adminPage.getByTestId(ids.tab('rules')).click();
    const table = adminPage.getByTestId(ids.rules);
    await table.waitFor();
    const rows = await table.locator('tbody tr').count();
    assert.equal(rows, body.rules.length);
    const eventRow = await table
      .locator('tr', { has: adminPage.getByTestId(ids.edit('event', 'acme-no-sends')) })
      .innerText();
    assert.match(eventRow, /NoMessagesSent\s+event\s+warning\s+acme/);
    await adminPage.getByTestId(ids.test('metric', metric.id)).click();
    const notice = adminPage.getByTestId(ids.notice);
    await notice.waitFor();
    assert.match(await notice.innerText(), /sent to Alertmanager: it went through the real route/);
    assert.equal(
      await notice.getByRole('link', { name: /See it in Incidents/ }).getAttribute('href'),
      `${APP}/incidents`
    );
    // In Alertmanager, marked as a test…
    await waitFor('the test alert in Alertmanager', async () =>
      (await am.api('GET', 'alerts')).find((a) => a.labels.alertname === metric.name && a.labels.test === 'true')
    );
    // …and Alertmanager's webhook opened an incident in the backend.
    const incident = await waitFor('an incident from the test alert', async () => {
      const list = (await backend.asAdmin('GET', '/v1/incidents?limit=50')).body.incidents ?? [];
      return list.find((i) => i.title.includes(metric.name) || i.labels?.alertname === metric.name);
    });
    assert.ok(incident.id);
    await adminPage.screenshot({ path: path.join(OUT, 'alerts-rules-tested.png'), fullPage: true });
    await notice.getByRole('link', { name: /See it in Incidents/ }).click();
    await adminPage.getByTestId(`data-testid incidents-open-${incident.id}`).waitFor();
    await adminPage.screenshot({ path: path.join(OUT, 'alerts-test-incident.png'), fullPage: true });
    fp.metricRule = metric;
  });

  test("the metric rule editor shows promtool's refusal next to the expression", async () => {
    const rule = fp.metricRule;
    await adminPage.goto(`${web.url}${APP}/alerts?tab=rules&rule=metric:${rule.id}`);
    const editor = adminPage.getByTestId(ids.editor);
    const expr = editor.getByTestId(ids.field('expr'));
    await expr.waitFor();
    assert.equal(await expr.inputValue(), rule.condition);
    await expr.fill('sum(rate(http_requests_total[5m])))');
    await editor.getByTestId(ids.save).click();
    const error = editor.getByTestId(ids.fieldError('expr'));
    await error.waitFor();
    assert.match(await error.innerText(), /Prometheus refuses this rule: .*parse error/);
    // Not saved: the rule is unchanged.
    const stored = (await backend.asAdmin('GET', `/v1/alerts/metric-rules/${rule.id}`)).body;
    assert.equal(stored.expr, rule.condition);
    await adminPage.screenshot({ path: path.join(OUT, 'alerts-editor-promtool.png'), fullPage: true });
  });

  test("an event rule's preview answers from the demo's events and says whether it would fire", async () => {
    await adminPage.goto(`${web.url}${APP}/alerts?tab=rules`);
    await adminPage.getByTestId(ids.newRule('event')).click();
    const editor = adminPage.getByTestId(ids.editor);
    await editor.getByTestId(ids.field('name')).fill('MessagesSent');
    await editor.getByTestId(ids.field('tenant')).fill('acme');
    await editor.getByTestId(ids.field('window')).fill('1d');
    await editor.getByTestId(ids.field('threshold')).fill('0');
    await editor.getByTestId(ids.field('summary')).fill('messages were sent');
    await editor.getByTestId(ids.preview).click();
    const result = editor.getByTestId(ids.previewResult);
    await result.waitFor();
    const text = await result.innerText();
    assert.match(text, /Tenant acme/);
    const a = Number(text.match(/A: ([\d.]+)/)?.[1]);
    assert.ok(a > 0, `the demo's acme sent messages in the last day: ${text}`);
    assert.match(text, /condition holds now: it would fire/);
    await adminPage.screenshot({ path: path.join(OUT, 'alerts-event-preview.png'), fullPage: true });
    // A threshold above the value: would not fire.
    await editor.getByTestId(ids.field('threshold')).fill(String(a * 10));
    await editor.getByTestId(ids.preview).click();
    await editor.getByTestId(ids.previewResult).getByText('condition does not hold now').waitFor();
  });

  test('the backend unreachable: the page says what to do, and Retry recovers', async () => {
    await page.goto(`${web.url}${APP}/alerts`);
    await page.getByTestId(ids.groups).waitFor();
    proxy.down = true;
    try {
      await page.reload();
      const error = page.getByTestId(ids.error);
      await error.waitFor();
      assert.match(await error.innerText(), /could not reach/i);
      await page.screenshot({ path: path.join(OUT, 'alerts-error.png'), fullPage: true });
    } finally {
      proxy.down = false;
    }
    await page.getByTestId(ids.error).getByRole('button', { name: 'Retry' }).click();
    await page.getByTestId(ids.groups).waitFor();
    assert.deepEqual(
      httpErrors.filter((e) => !/ 50[23] /.test(e) && !/HTTP 4\d\d/.test(e)),
      [],
      'no unexpected HTTP errors'
    );
  });
});
