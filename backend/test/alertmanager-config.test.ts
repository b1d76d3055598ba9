import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { alertmanagerConfig, matcher, type AmChannel } from '../src/alerts/alertmanager/config.js';
import { CHANNEL_KINDS } from '../src/alerts/incidents/escalation.js';
import { loadConfig } from '../src/config/config.js';
import { startAlertmanager } from './alertmanager-support.js';

/**
 * The generated alertmanager.yml (issue "Alert management", item 2) checked by the real `amtool check-config`
 * (Debian's prometheus-alertmanager 0.25; AMTOOL_BIN): no channels; every kind of channel for two tenants and the
 * platform; hostile channel names (quotes, newlines, template braces, unicode) — fast-check, amtool must accept every
 * file; and a real Alertmanager started on the generated file shows its receivers, routes and inhibition in
 * /api/v2/status.
 *
 *   cd backend && node --import tsx --test test/alertmanager-config.test.ts
 */
const AMTOOL = process.env.AMTOOL_BIN ?? 'amtool';
const dir = mkdtempSync(join(tmpdir(), 'caas-amconfig-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

function checkConfig(yaml: string): Promise<{ ok: boolean; out: string }> {
  const file = join(dir, `am-${n++}.yml`);
  writeFileSync(file, yaml);
  return new Promise((resolve) => {
    execFile(AMTOOL, ['check-config', file], { timeout: 20_000 }, (err, stdout, stderr) => resolve({ ok: !err, out: `${stdout}\n${stderr}` }));
  });
}

const OPTS = {
  publicUrl: 'https://caas.example.com/',
  webhookSecret: 'am-webhook-secret-0123456789abcdef',
  smtp: { smarthost: 'smtp.example.com:587', from: 'CAAS <caas@example.com>', requireTls: true },
};

let seq = 0;
const channel = (tenant: string | null, kind: AmChannel['kind'], over: Partial<AmChannel> = {}): AmChannel => ({
  id: `ch_${(seq++).toString(16).padStart(16, '0')}`,
  tenant_id: tenant,
  kind,
  name: `${kind} of ${tenant ?? 'platform'}`,
  enabled: true,
  settings: { alertmanager: true, ...(kind === 'email' ? { to: ['ops@example.com', 'cto@example.com'] } : {}) },
  ...over,
});

describe('GET /v1/alerts/alertmanager.yml, checked by amtool check-config', () => {
  it('no channels: the backend receiver at the root, the catch-all continue route, the inhibition rule', async () => {
    const yml = alertmanagerConfig([], OPTS);
    const r = await checkConfig(yml);
    assert.ok(r.ok, `${r.out}\n${yml}`);
    assert.match(r.out, /1 receivers/);
    assert.match(r.out, /1 inhibit rules/);
    assert.match(yml, /receiver: "caas-backend"/);
    assert.match(yml, /url: "https:\/\/caas\.example\.com\/v1\/alertmanager\/webhook"/);
    assert.match(yml, /credentials: "am-webhook-secret-0123456789abcdef"/);
    assert.match(yml, /send_resolved: true/);
    assert.match(yml, /group_by:\n\s+- "alertname"\n\s+- "tenant_id"\n\s+- "service"/);
    // without the secret in the environment: read from a file, never empty
    const noSecret = alertmanagerConfig([], { ...OPTS, webhookSecret: undefined });
    assert.match(noSecret, /credentials_file:/);
    assert.ok((await checkConfig(noSecret)).ok);
  });

  it('every kind of channel for two tenants and the platform: a route and a receiver each, native configs without secrets', async () => {
    const chans: AmChannel[] = [];
    for (const t of ['acme', 'globex', null]) {
      for (const k of CHANNEL_KINDS) {
        chans.push(channel(t, k));
      }
    }
    chans.push(channel('acme', 'slack', { enabled: false, name: 'disabled one' }));
    chans.push(channel('initech', 'slack', { settings: { alertmanager: false } }));
    const yml = alertmanagerConfig(chans, OPTS);
    const r = await checkConfig(yml);
    assert.ok(r.ok, `${r.out}\n${yml}`);
    assert.match(r.out, /5 receivers/, 'caas-backend, platform, tenant-acme, tenant-globex, tenant-initech');
    for (const t of ['acme', 'globex']) {
      assert.match(yml, new RegExp(`- receiver: "tenant-${t}"\\n\\s+matchers:\\n\\s+- "tenant_id=\\\\"${t}\\\\""`));
    }
    assert.match(yml, /- receiver: "platform"\n\s+matchers:\n\s+- "tenant_id=\\"\\""/);
    assert.equal((yml.match(/api_url_file:/g) ?? []).length, 3, 'one Slack config per enabled native Slack channel');
    assert.equal((yml.match(/routing_key_file:/g) ?? []).length, 3);
    assert.equal((yml.match(/smarthost:/g) ?? []).length, 3);
    assert.doesNotMatch(yml, /disabled one/);
    // without SMTP, email is left to the backend (Alertmanager would refuse email_configs without a smarthost)
    const noSmtp = alertmanagerConfig(chans, { ...OPTS, smtp: undefined });
    assert.doesNotMatch(noSmtp, /email_configs/);
    assert.ok((await checkConfig(noSmtp)).ok);
  });

  it('hostile channel names (quotes, newlines, template braces, unicode): amtool accepts every generated file; matchers escape label values as Alertmanager parses them', { timeout: 120_000 }, async () => {
    const hostile = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.string({ unit: 'grapheme', maxLength: 20 }),
      fc.constantFrom('"; rm -rf /', "it's", '{{ .Foo }}', '{{', '}}', 'a\nb: c', '- x', '#', '&anchor', '*alias', '!!str', '\\', '\u2028\u2029', 'é😀', '%', 'null', 'true', '\t', '\r\n')
    );
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.constantFrom(...CHANNEL_KINDS), fc.constantFrom('acme', 'globex', null), hostile), { maxLength: 8 }), async (list) => {
        const chans = list.map(([k, t, name]) => channel(t, k, { name: name.toWellFormed() }));
        const yml = alertmanagerConfig(chans, OPTS);
        const r = await checkConfig(yml);
        assert.ok(r.ok, `${r.out}\n${yml}`);
      }),
      { numRuns: 40 }
    );
    // the matcher keeps exactly what Alertmanager's parser unescapes
    assert.equal(matcher('x', 'a"b\\c\nd'), 'x="a\\"b\\\\c\\nd"');
  });

  it('a real Alertmanager 0.25 starts on the generated file and shows its receivers, routes and inhibition', { timeout: 90_000 }, async () => {
    const chans = [channel('acme', 'slack'), channel('acme', 'pagerduty'), channel('globex', 'email'), channel(null, 'webhook')];
    const yml = alertmanagerConfig(chans, OPTS);
    const am = await startAlertmanager(yml);
    try {
      const status = await am.api<{ config: { original: string } }>('status');
      const original = status.config.original;
      for (const r of ['caas-backend', 'tenant-acme', 'tenant-globex', 'platform']) {
        assert.match(original, new RegExp(`name: ${r}`), `receiver ${r}`);
      }
      assert.match(original, /routing_key_file:/);
      assert.match(original, /source_matchers:\n\s+- severity="critical"/);
      const receivers = await am.api<Array<{ name: string }>>('receivers');
      assert.deepEqual(receivers.map((r) => r.name).sort(), ['caas-backend', 'platform', 'tenant-acme', 'tenant-globex']);
    } finally {
      await am.stop();
    }
  });
});

describe('where Alertmanager reaches the backend', () => {
  it('ALERTMANAGER_WEBHOOK_BASE_URL when Alertmanager reaches the backend elsewhere than people do (compose: http://backend:8080), else PUBLIC_URL', () => {
    const both = loadConfig({ PUBLIC_URL: 'https://caas.example.com', ALERTMANAGER_WEBHOOK_BASE_URL: 'http://backend:8080' });
    assert.equal(both.publicUrl, 'https://caas.example.com');
    assert.equal(both.alertmanagerWebhookBaseUrl, 'http://backend:8080');
    assert.equal(loadConfig({ PUBLIC_URL: 'https://caas.example.com' }).alertmanagerWebhookBaseUrl, 'https://caas.example.com');
    assert.equal(loadConfig({ PORT: '9000' }).alertmanagerWebhookBaseUrl, 'http://localhost:9000');
  });
});

describe('deploy/alertmanager/alertmanager.yml (docker compose)', () => {
  it('is what the generator writes before any channel exists, for the compose stack (backend:8080, the secret from a file, mailpit), and amtool accepts it', async () => {
    const deployed = readFileSync(new URL('../../deploy/alertmanager/alertmanager.yml', import.meta.url), 'utf8');
    const body = deployed.split('\n').filter((l) => !l.startsWith('#')).join('\n');
    const generated = alertmanagerConfig([], { publicUrl: 'http://backend:8080', webhookSecret: undefined, smtp: { smarthost: 'mailpit:1025', from: 'alertmanager@example.com', requireTls: false } });
    assert.equal(body, generated.split('\n').filter((l) => !l.startsWith('#')).join('\n'), 'regenerate deploy/alertmanager/alertmanager.yml (see its header)');
    assert.match(body, /credentials_file: "\/etc\/alertmanager\/caas-webhook-secret"/);
    const check = await checkConfig(deployed);
    assert.ok(check.ok, check.out);
  });
});
