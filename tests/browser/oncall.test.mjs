// Real-browser tests of the On-call page (issue "Alert management", Grafana side) against the real backend: responders,
// a schedule and a policy are created through the API with the admin key, then read and changed through the app's
// plugin-proxy routes: as a Grafana Viewer holding only the read key (read-only, told why) and as an Admin (an override
// added and deleted in the page, a policy step edited and saved, Send test on a webhook channel pointing at a local
// HTTP receiver, which gets the signed test message, and the channel's delivery log). Loading, empty and error states.
// Screenshots: test-output/browser/oncall/*.png.
//
// Run: node --test tests/browser/oncall.test.mjs   (from the repository root; ~1 min)
import { mkdirSync, rmSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ADMIN_KEY,
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

const OUT = outDir('oncall');

// src/components/testIds.ts (oncall), as the DOM has them.
const ids = {
  container: 'data-testid oncall-container',
  tab: (id) => `data-testid oncall-tab-${id}`,
  viewerNotice: 'data-testid oncall-viewer-notice',
  loading: 'data-testid oncall-loading',
  error: 'data-testid oncall-error',
  empty: 'data-testid oncall-empty',
  nowSchedule: (id) => `data-testid oncall-now-${id}`,
  calendar: (id) => `data-testid oncall-calendar-${id}`,
  override: (id) => `data-testid oncall-override-${id}`,
  overrides: (id) => `data-testid oncall-overrides-${id}`,
  deleteOverride: (id) => `data-testid oncall-delete-override-${id}`,
  addOverride: (id) => `data-testid oncall-add-override-${id}`,
  overrideField: (f) => `data-testid oncall-override-${f}`,
  editPolicy: (id) => `data-testid oncall-edit-policy-${id}`,
  policy: (id) => `data-testid oncall-policy-${id}`,
  policyEditor: 'data-testid oncall-policy-editor',
  stepField: (i, f) => `data-testid oncall-step-${i}-${f}`,
  save: 'data-testid oncall-save',
  channel: (id) => `data-testid oncall-channel-${id}`,
  sendTest: (id) => `data-testid oncall-send-test-${id}`,
  testResult: (id) => `data-testid oncall-test-result-${id}`,
  deliveries: (id) => `data-testid oncall-deliveries-${id}`,
  alertmanagerYml: 'data-testid oncall-alertmanager-yml',
};

if (skipReason) {
  console.log(`SKIP browser tests: ${skipReason}`);
}

describe('On-call page in Chromium (real backend, a local webhook receiver)', { skip: skipReason }, () => {
  let backend;
  let web;
  let browser;
  let context;
  let page;
  let admin;
  let adminPage;
  let receiver;
  const received = [];
  const proxy = { down: false, delayMs: 0, auth: [] };
  const httpErrors = [];
  let channelId;

  async function api(method, pathname, body, status = method === 'POST' && !pathname.includes('/test') ? 201 : 200) {
    const answer = await backend.asAdmin(method, pathname, body);
    assert.equal(answer.status, status, `${method} ${pathname}: ${JSON.stringify(answer.body)}`);
    return answer.body;
  }

  before(async () => {
    rmSync(OUT, { recursive: true, force: true });
    mkdirSync(OUT, { recursive: true });
    receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push({ path: req.url, headers: req.headers, body });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      });
    });
    await new Promise((r) => receiver.listen(0, '127.0.0.1', r));
    [backend] = await Promise.all([
      startBackend({
        args: [],
        ready: (log) => log.includes('backend listening'),
        env: { DELIVERY_ALLOW_PRIVATE: 'true' },
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

  afterEach((t) => screenshotIfFailed(t, adminPage ?? page, OUT));
  after(async () => {
    await admin?.close();
    await stopAll({ browser, web, backend });
    await new Promise((r) => receiver?.close(r) ?? r());
  });

  test('nothing yet: loading while the backend is slow, then each tab says what to create first', async () => {
    proxy.delayMs = 2_500;
    try {
      await page.getByTestId('workbench-nav-oncall').click();
      await page.getByTestId(ids.loading).waitFor();
      await page.screenshot({ path: path.join(OUT, 'oncall-loading.png'), fullPage: true });
    } finally {
      proxy.delayMs = 0;
    }
    assert.match(await page.getByTestId(ids.empty).innerText(), /No schedules yet: create one/);
    await page.getByTestId(ids.tab('schedules')).click();
    // the tab's own empty state (the previous tab's may still be on screen for a moment)
    await page.getByTestId(ids.empty).filter({ hasText: /No responders yet/ }).waitFor();
    assert.match(await page.getByTestId(ids.empty).innerText(), /No responders yet[\s\S]*import an iCal feed/);
    await page.screenshot({ path: path.join(OUT, 'oncall-empty-schedules.png'), fullPage: true });
    await page.getByTestId(ids.tab('channels')).click();
    await page.getByTestId(ids.empty).filter({ hasText: /No alert channels/ }).waitFor();
    assert.match(await page.getByTestId(ids.empty).innerText(), /No alert channels/);
    assert.match(await page.getByTestId(ids.viewerNotice).innerText(), /Read-only/);
  });

  test('a schedule made through the API: Now says who is on call and who is next; the two-week calendar in its zone', async () => {
    await api('POST', '/v1/oncall/responders', { id: 'ada', name: 'Ada Lovelace', email: 'ada@example.com' });
    await api('POST', '/v1/oncall/responders', {
      id: 'bob',
      name: 'Bob Builder',
      email: 'bob@example.com',
      phone: '+4915112345678',
    });
    const start = new Date(Date.now() - 7 * 86_400_000).toISOString().slice(0, 10);
    await api('POST', '/v1/oncall/schedules', {
      id: 'primary',
      name: 'Primary',
      time_zone: 'Europe/Berlin',
      layers: [{ name: 'Daily', participants: ['ada', 'bob'], rotation: 'daily', handoff: '09:00', starts_at: start }],
    });
    const now = await api('GET', '/v1/oncall/now');
    const who = now.schedules[0].on_call[0].name;
    const next = now.schedules[0].next_handoff.to.name;

    await page.getByTestId(ids.tab('now')).click();
    const card = page.getByTestId(ids.nowSchedule('primary'));
    await card.waitFor();
    const text = await card.innerText();
    assert.match(text, new RegExp(`${who}[\\s\\S]*layer Daily[\\s\\S]*since`));
    assert.match(text, new RegExp(`until .* 09:00 · next: ${next}`));
    assert.match(text, /times in Europe\/Berlin/);
    await page.screenshot({ path: path.join(OUT, 'oncall-now.png'), fullPage: true });

    await page.getByTestId(ids.tab('schedules')).click();
    const calendar = page.getByTestId(ids.calendar('primary'));
    await calendar.waitFor();
    assert.match(await calendar.innerText(), /Next two weeks, in Europe\/Berlin \((CET|CEST)/);
    const rows = await calendar.locator('[data-testid^="data-testid oncall-day-primary-"]').allInnerTexts();
    assert.ok(rows.length >= 14 && rows.length <= 16, `${rows.length} days`);
    // Every day hands over at 09:00 local between the two.
    assert.ok(
      rows.slice(1, -1).every((r) => /09:00/.test(r) && /Ada Lovelace/.test(r) && /Bob Builder/.test(r)),
      rows.join('\n')
    );
    // A Viewer: the override and edit buttons are refused, with the reason.
    assert.equal(await page.getByTestId(ids.addOverride('primary')).getAttribute('aria-disabled'), 'true');
    await page.screenshot({ path: path.join(OUT, 'oncall-calendar-viewer.png'), fullPage: true });
  });

  test('an Admin adds an override in the page (it shows in the calendar) and deletes it', async () => {
    admin = await browser.newContext({ viewport: { width: 1400, height: 1000 }, timezoneId: 'UTC' });
    adminPage = await openTab(admin, httpErrors);
    await adminPage.goto(settingsUrl(web.url, { days: 1, role: 'Admin', adminKey: ADMIN_KEY }));
    await adminPage.getByTestId('data-testid home-container').waitFor();
    await adminPage.goto(`${web.url}${APP}/oncall?tab=schedules`);
    await adminPage.getByTestId(ids.addOverride('primary')).click();
    await adminPage.getByTestId(ids.overrideField('responder')).selectOption('bob');
    await adminPage.getByTestId(ids.overrideField('note')).fill('swap for the dentist');
    await adminPage.getByTestId(ids.overrideField('create')).click();
    await adminPage.getByText('Override added.').waitFor();
    const schedule = await api('GET', '/v1/oncall/schedules/primary');
    assert.equal(schedule.overrides.length, 1);
    const ov = schedule.overrides[0];
    assert.equal(ov.responder_id, 'bob');
    assert.equal(Date.parse(ov.to) - Date.parse(ov.from), 8 * 3_600_000);
    await adminPage.getByTestId(ids.override(ov.id)).waitFor();
    assert.match(
      await adminPage.getByTestId(ids.override(ov.id)).innerText(),
      /Bob Builder[\s\S]*swap for the dentist/
    );
    await adminPage
      .getByTestId(ids.calendar('primary'))
      .getByText(/Bob Builder \(override\)/)
      .first()
      .waitFor();
    await adminPage.screenshot({ path: path.join(OUT, 'oncall-override.png'), fullPage: true });

    await adminPage.getByTestId(ids.deleteOverride(ov.id)).click();
    await adminPage.getByText('Override deleted.').waitFor();
    await adminPage.getByTestId(ids.override(ov.id)).waitFor({ state: 'detached' });
    assert.equal((await api('GET', '/v1/oncall/schedules/primary')).overrides.length, 0);
  });

  test('an Admin edits a policy step in the page and it is saved; a bad value is refused at the field', async () => {
    await api('POST', '/v1/escalation-policies', {
      id: 'oncall-ladder',
      name: 'On-call ladder',
      steps: [
        { wait_minutes: 0, targets: [{ type: 'schedule', schedule: 'primary' }] },
        { wait_minutes: 10, targets: [{ type: 'user', user: 'bob' }], important: true },
      ],
    });
    await adminPage.getByTestId(ids.tab('policies')).click();
    await adminPage.getByTestId(ids.editPolicy('oncall-ladder')).click();
    const editor = adminPage.getByTestId(ids.policyEditor);
    await editor.getByTestId(ids.stepField(1, 'wait_minutes')).fill('99999');
    await editor.getByTestId(ids.save).click();
    const fieldError = editor.getByTestId('data-testid oncall-error-steps.1.wait_minutes');
    await fieldError.waitFor();
    assert.match(await fieldError.innerText(), /10080/);
    await adminPage.screenshot({ path: path.join(OUT, 'oncall-policy-400.png'), fullPage: true });
    await editor.getByTestId(ids.stepField(1, 'wait_minutes')).fill('25');
    await editor.getByTestId(ids.save).click();
    await adminPage.getByText('On-call ladder saved.').waitFor();
    const saved = await api('GET', '/v1/escalation-policies/oncall-ladder');
    assert.equal(saved.steps[1].wait_minutes, 25);
    assert.deepEqual(saved.steps[0].targets, [{ type: 'schedule', schedule: 'primary' }]);
    assert.match(await adminPage.getByTestId(ids.policy('oncall-ladder')).innerText(), /\+25 min: Bob Builder/);
    await adminPage.screenshot({ path: path.join(OUT, 'oncall-policy-saved.png'), fullPage: true });
  });

  test('Send test on a webhook channel: the local receiver gets it, the page shows the delivery sent and the log', async () => {
    const channel = await api('POST', '/v1/alerts/channels', {
      kind: 'webhook',
      name: 'Ops receiver',
      settings: { url: `http://127.0.0.1:${receiver.address().port}/hooks/ops?token=secret-in-query` },
      secret: { signing_secret: 'a-signing-secret-0123456789' },
    });
    channelId = channel.id;
    await adminPage.getByTestId(ids.tab('channels')).click();
    const row = adminPage.getByTestId(ids.channel(channelId));
    await row.waitFor();
    const rowText = await row.innerText();
    assert.match(rowText, /Ops receiver\s+webhook\s+platform/);
    assert.match(rowText, /set \(…?\w+\)/);
    assert.doesNotMatch(rowText, /a-signing-secret/);
    await adminPage.getByTestId(ids.sendTest(channelId)).click();
    const result = adminPage.getByTestId(ids.testResult(channelId));
    await result.getByText('sent', { exact: true }).waitFor({ timeout: 30_000 });
    assert.match(await result.innerText(), /Test delivery dlv_[0-9a-f]{24}/);
    assert.equal(received.length, 1);
    assert.equal(received[0].path, '/hooks/ops?token=secret-in-query');
    assert.ok(received[0].headers['x-caas-signature'], JSON.stringify(received[0].headers));
    const log = adminPage.getByTestId(ids.deliveries(channelId));
    await log.getByText('trigger (test)').waitFor();
    const logText = await log.innerText();
    assert.match(logText, /sent\s+1/);
    assert.doesNotMatch(logText, /secret-in-query/, 'the destination is redacted');
    assert.equal(
      await adminPage.getByTestId(ids.alertmanagerYml).locator('a').getAttribute('href'),
      '/api/plugin-proxy/caas-observatory-app/api/v1/alerts/alertmanager.yml'
    );
    await adminPage.screenshot({ path: path.join(OUT, 'oncall-channel-test.png'), fullPage: true });
  });

  test('a Viewer sees the channel, its log and the policy read-only; Grafana refuses its writes', async () => {
    await page.goto(`${web.url}${APP}/oncall?tab=channels`);
    await page.getByTestId(ids.channel(channelId)).waitFor();
    assert.equal(await page.getByTestId(ids.sendTest(channelId)).getAttribute('aria-disabled'), 'true');
    const answer = await page.evaluate(
      (id) =>
        window.caasWorkbench
          .request({
            url: `/api/plugin-proxy/caas-observatory-app/api/v1/alerts/channels/${id}/test`,
            method: 'POST',
            data: {},
          })
          .then(
            (r) => r.status,
            (e) => e.status
          ),
      channelId
    );
    assert.equal(answer, 403);
    await page.getByTestId(ids.tab('policies')).click();
    await page.getByTestId(ids.editPolicy('oncall-ladder')).click();
    assert.equal(await page.getByTestId(ids.save).getAttribute('aria-disabled'), 'true');
    assert.ok(await page.getByTestId(ids.stepField(0, 'wait_minutes')).isDisabled());
    await page.screenshot({ path: path.join(OUT, 'oncall-policy-viewer.png'), fullPage: true });
  });

  test('the backend unreachable: the tab says what to do, and Retry recovers', async () => {
    await page.goto(`${web.url}${APP}/oncall`);
    await page.getByTestId(ids.nowSchedule('primary')).waitFor();
    proxy.down = true;
    try {
      await page.reload();
      const error = page.getByTestId(ids.error);
      await error.waitFor();
      assert.match(await error.innerText(), /could not reach/i);
      await page.screenshot({ path: path.join(OUT, 'oncall-error.png'), fullPage: true });
    } finally {
      proxy.down = false;
    }
    await page.getByTestId(ids.error).getByRole('button', { name: 'Retry' }).click();
    await page.getByTestId(ids.nowSchedule('primary')).waitFor();
  });
});
