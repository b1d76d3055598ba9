// Real-browser tests of the Incidents page (issue "Alert management", Grafana side) against the real backend: incidents
// are opened the way Alertmanager opens them, by its webhook (payload version 4, POST /v1/alertmanager/webhook with the
// bearer ALERTMANAGER_WEBHOOK_SECRET), then read and acted on through the app's plugin-proxy routes: as a Grafana
// Viewer holding only the read key (read-only, told who can act) and as an Admin (acknowledge, snooze, resolve with the
// admin key), the timeline naming who did it. Loading, empty and error states included.
// Screenshots: test-output/browser/incidents/*.png.
//
// Run: node --test tests/browser/incidents.test.mjs   (from the repository root; ~1 min)
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  RESPONDER_KEY,
  APP,
  buildWorkbench,
  launchChromium,
  openPage as openTab,
  outDir,
  screenshotIfFailed,
  settingsUrl,
  skipReason,
  startBackend,
  startStatic,
  stopAll,
} from './support.mjs';

const OUT = outDir('incidents');
const SECRET = 'alertmanager-webhook-secret-0123456789';

// src/components/testIds.ts (incidents), as the DOM has them.
const ids = {
  container: 'data-testid incidents-container',
  tab: (id) => `data-testid incidents-tab-${id}`,
  loading: 'data-testid incidents-loading',
  error: 'data-testid incidents-error',
  empty: 'data-testid incidents-empty',
  table: 'data-testid incidents-table',
  open: (id) => `data-testid incidents-open-${id}`,
  detail: 'data-testid incidents-detail',
  close: 'data-testid incidents-close',
  action: (id) => `data-testid incidents-action-${id}`,
  adminOnly: 'data-testid incidents-admin-only',
  alerts: 'data-testid incidents-alerts',
  timeline: 'data-testid incidents-timeline',
};

/** An Alertmanager webhook notification (version 4) of one alert group. */
function notification({ alertname, severity, tenant, status = 'firing', startsAt }) {
  const labels = { alertname, severity, service: 'api-gateway', ...(tenant ? { tenant_id: tenant } : {}) };
  return {
    version: '4',
    groupKey: `{}:{alertname="${alertname}"}`,
    truncatedAlerts: 0,
    status,
    receiver: 'caas-observatory',
    groupLabels: { alertname },
    commonLabels: labels,
    commonAnnotations: {
      summary: `${alertname} for ${tenant ?? 'the platform'}`,
      runbook_url: `https://runbooks.example/${alertname}`,
    },
    externalURL: 'http://alertmanager.example:9093',
    alerts: [
      {
        status,
        labels,
        annotations: {
          summary: `${alertname} for ${tenant ?? 'the platform'}`,
          runbook_url: `https://runbooks.example/${alertname}`,
        },
        startsAt,
        endsAt: status === 'firing' ? '0001-01-01T00:00:00Z' : new Date().toISOString(),
        generatorURL: 'http://prometheus.example:9090/graph',
        fingerprint: `${alertname}-${tenant ?? 'platform'}`.padEnd(16, '0').slice(0, 16),
      },
    ],
  };
}

if (skipReason) {
  console.log(`SKIP browser tests: ${skipReason}`);
}

describe('Incidents page in Chromium (real backend, Alertmanager webhook notifications)', { skip: skipReason }, () => {
  let backend;
  let web;
  let browser;
  let context;
  let page;
  const proxy = { down: false, delayMs: 0, auth: [] };
  const httpErrors = [];
  const incidentIds = {};

  async function notify(body) {
    const res = await fetch(`${backend.url}/v1/alertmanager/webhook`, {
      method: 'POST',
      headers: { authorization: `Bearer ${SECRET}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const answer = await res.json();
    assert.equal(res.status, 200, JSON.stringify(answer));
    return answer;
  }

  before(async () => {
    rmSync(OUT, { recursive: true, force: true });
    mkdirSync(OUT, { recursive: true });
    [backend] = await Promise.all([
      startBackend({
        args: ['--demo', '--demo-no-search', '--demo-days', '1'],
        ready: (log) => log.includes('demo events loaded'),
        env: { ALERTMANAGER_WEBHOOK_SECRET: SECRET },
      }),
      Promise.resolve().then(buildWorkbench),
    ]);
    web = await startStatic(backend.url, proxy);
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, timezoneId: 'UTC' });
    page = await openTab(context, httpErrors);
    // As a Grafana Viewer with the read key only.
    await page.goto(settingsUrl(web.url, { days: 1 }));
    await page.getByTestId('data-testid home-container').waitFor();
  });

  afterEach((t) => screenshotIfFailed(t, page, OUT));
  after(() => stopAll({ browser, web, backend }));

  test('no incidents yet: the page says what opens one; a slow backend shows loading', async () => {
    proxy.delayMs = 2_500;
    try {
      await page.getByTestId('workbench-nav-incidents').click();
      await page.getByTestId(ids.loading).waitFor();
      await page.screenshot({ path: path.join(OUT, 'incidents-loading.png'), fullPage: true });
    } finally {
      proxy.delayMs = 0;
    }
    const empty = page.getByTestId(ids.empty);
    await empty.waitFor();
    assert.match(await empty.innerText(), /No open incidents: nothing is firing\./);
    assert.match(await empty.innerText(), /POST \/v1\/alertmanager\/webhook/);
    await page.screenshot({ path: path.join(OUT, 'incidents-empty.png'), fullPage: true });
  });

  test("Alertmanager's notifications open incidents: listed newest first with severity, tenant and alerts", async () => {
    const errorRate = notification({
      alertname: 'HighErrorRate',
      severity: 'critical',
      tenant: 'acme',
      startsAt: new Date(Date.now() - 120_000).toISOString(),
    });
    const a = await notify(errorRate);
    const b = await notify(
      notification({
        alertname: 'HighDiskUsage',
        severity: 'warning',
        startsAt: new Date(Date.now() - 60_000).toISOString(),
      })
    );
    incidentIds.acme = a.incidents[0];
    incidentIds.platform = b.incidents[0];
    assert.ok(incidentIds.acme && incidentIds.platform, JSON.stringify([a, b]));
    // A repeat (Alertmanager's repeat_interval) is counted, not a new incident.
    const again = await notify(errorRate);
    assert.equal(again.duplicate, true);

    await page.getByTestId(ids.tab('triggered')).click();
    const table = page.getByTestId(ids.table);
    await table.waitFor();
    const rows = (await table.locator('tbody tr').allInnerTexts()).map((r) => r.replace(/\s+/g, ' ').trim());
    assert.equal(rows.length, 2, JSON.stringify(rows));
    assert.match(rows[0], /^warning HighDiskUsage for the platform platform Triggered 1 \/ 1/);
    assert.match(rows[1], /^critical HighErrorRate for acme acme Triggered 1 \/ 1/);
    await page.screenshot({ path: path.join(OUT, 'incidents-list.png'), fullPage: true });
  });

  test('a Viewer opens one: alerts, timeline with the repeat, runbook; no actions, and told who can act', async () => {
    await page.getByTestId(ids.open(incidentIds.acme)).click();
    await page.waitForFunction(
      (id) => new URL(window.location.href).searchParams.get('incident') === id,
      incidentIds.acme
    );
    const detail = page.getByTestId(ids.detail);
    await detail.getByTestId(ids.timeline).waitFor();
    assert.match(await detail.getByTestId(ids.alerts).innerText(), /firing · HighErrorRate · .*tenant_id=acme/);
    assert.match(await detail.getByTestId(ids.timeline).innerText(), /sent again 1×/);
    assert.equal(
      await detail.getByRole('link', { name: /Runbook/ }).getAttribute('href'),
      'https://runbooks.example/HighErrorRate'
    );
    assert.match(
      await detail.getByTestId(ids.adminOnly).innerText(),
      /Only Grafana Editors and Admins can act on incidents here/
    );
    assert.equal(await detail.getByTestId(ids.action('acknowledge')).count(), 0);
    await page.screenshot({ path: path.join(OUT, 'incident-viewer.png'), fullPage: true });
    // The Viewer's route to act is refused by Grafana itself (Admin route), before the backend.
    const answer = await page.evaluate(
      (id) =>
        window.caasWorkbench
          .request({
            url: `/api/plugin-proxy/caas-observatory-app/api/v1/incidents/${id}/acknowledge`,
            method: 'POST',
            data: {},
          })
          .then(
            (r) => r.status,
            (e) => e.status
          ),
      incidentIds.acme
    );
    assert.equal(answer, 403);
  });

  test('an Editor (the responder key only, no admin key) acknowledges, snoozes and resolves; the timeline and the backend say who did it', async () => {
    const admin = await browser.newContext({ viewport: { width: 1400, height: 1000 }, timezoneId: 'UTC' });
    try {
      const tab = await openTab(admin, httpErrors);
      await tab.goto(settingsUrl(web.url, { days: 1, role: 'Editor', responderKey: RESPONDER_KEY }));
      await tab.getByTestId('data-testid home-container').waitFor();
      await tab.goto(`${web.url}${APP}/incidents?incident=${incidentIds.acme}`);
      const detail = tab.getByTestId(ids.detail);
      await detail.getByTestId(ids.action('acknowledge')).click();
      await detail.getByTestId(ids.action('unacknowledge')).waitFor();
      let body = (await backend.asAdmin('GET', `/v1/incidents/${incidentIds.acme}`)).body;
      assert.equal(body.state, 'acknowledged');
      assert.equal(body.acknowledged_by.type, 'key');
      assert.equal(body.acknowledged_by.name, 'CAAS_RESPONDER_KEY', 'acknowledged with the responder key Grafana sent');
      assert.equal(body.escalation.state, 'stopped', 'acknowledge stops every further page');
      await detail.getByText(/Acknowledged by .+ (a few seconds ago|seconds ago|now)/).waitFor();
      await tab.screenshot({ path: path.join(OUT, 'incident-acknowledged.png'), fullPage: true });

      await detail.getByTestId(ids.action('snooze')).click();
      await tab.getByTestId(ids.action('snooze-60')).click();
      await detail.getByText(/Snoozed until/).waitFor();
      body = (await backend.asAdmin('GET', `/v1/incidents/${incidentIds.acme}`)).body;
      assert.ok(Date.parse(body.snoozed_until) - Date.now() > 55 * 60_000, body.snoozed_until);

      await detail.getByTestId(ids.action('resolve')).click();
      await detail.getByText(/Resolved by/).waitFor();
      body = (await backend.asAdmin('GET', `/v1/incidents/${incidentIds.acme}`)).body;
      assert.equal(body.state, 'resolved');
      const kinds = body.timeline.map((e) => e.kind);
      for (const k of ['acknowledged', 'snoozed', 'resolved']) {
        assert.ok(kinds.includes(k), `${k} in ${kinds.join(', ')}`);
      }
      await tab.getByTestId(ids.tab('resolved')).click();
      await tab.getByTestId(ids.open(incidentIds.acme)).waitFor();
      await tab.screenshot({ path: path.join(OUT, 'incident-resolved.png'), fullPage: true });
    } finally {
      await admin.close();
    }
  });

  test('the backend unreachable: the list says what to do, and Retry recovers', async () => {
    await page.goto(`${web.url}${APP}/incidents`);
    await page.getByTestId(ids.table).waitFor();
    proxy.down = true;
    try {
      await page.reload();
      const error = page.getByTestId(ids.error);
      await error.waitFor();
      assert.match(await error.innerText(), /could not reach/i);
      await page.screenshot({ path: path.join(OUT, 'incidents-error.png'), fullPage: true });
    } finally {
      proxy.down = false;
    }
    await page.getByTestId(ids.error).getByRole('button', { name: 'Retry' }).click();
    await page.getByTestId(ids.table).waitFor();
  });
});
