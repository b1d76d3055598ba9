import { createServer, type Server } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WebhookPayload } from '../src/alerts/alertmanager/webhook.js';
import { freePort, spawnCaptured, waitForHttp, waitUntil, type Spawned } from './child-process.js';
import { tempDir } from './helpers.js';

/**
 * A real Alertmanager (Debian package `prometheus-alertmanager`, 0.25; ALERTMANAGER_BIN) for a test: its own
 * configuration and storage under a temp dir, a free loopback port, clustering off
 * (`--cluster.listen-address=`). Never the system's service or its :9093. Its webhook receiver is a small
 * HTTP server in the test that records every notification (`WebhookReceiver`).
 */
export interface TestAlertmanager {
  url: string;
  dir: string;
  configFile: string;
  proc: Spawned;
  /** GET /api/v2/<path> */
  api<T>(path: string): Promise<T>;
  stop(): Promise<void>;
}

export async function startAlertmanager(config: string): Promise<TestAlertmanager> {
  const dir = tempDir('caas-alertmanager-');
  const configFile = join(dir, 'alertmanager.yml');
  writeFileSync(configFile, config);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc = spawnCaptured(
    process.env.ALERTMANAGER_BIN ?? 'prometheus-alertmanager',
    [
      `--config.file=${configFile}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
      `--log.level=${process.env.ALERTMANAGER_LOG_LEVEL ?? 'warn'}`,
    ],
    { cwd: dir }
  );
  try {
    await waitForHttp(proc, `${url}/-/ready`, 60_000);
  } catch (e) {
    proc.child.kill('SIGKILL');
    throw e;
  }
  return {
    url,
    dir,
    configFile,
    proc,
    async api<T>(path: string): Promise<T> {
      const res = await fetch(`${url}/api/v2/${path}`, { signal: AbortSignal.timeout(10_000) });
      if (!res.ok) {
        throw new Error(`Alertmanager /api/v2/${path}: ${res.status} ${await res.text()}`);
      }
      return (await res.json()) as T;
    },
    async stop() {
      if (proc.child.exitCode === null && proc.child.signalCode === null) {
        proc.child.kill('SIGTERM');
        await proc.exited(20_000).catch(() => proc.child.kill('SIGKILL'));
      }
    },
  };
}

/** An HTTP server that records what Alertmanager's webhook receiver posts to it. */
export interface WebhookReceiver {
  url: string;
  received: Array<{ path: string; authorization: string | undefined; body: WebhookPayload }>;
  /** waits until a notification passes `match` and answers it */
  next(what: string, match: (p: WebhookPayload) => boolean, timeoutMs?: number): Promise<WebhookPayload>;
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: WebhookReceiver['received'] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        received.push({ path: req.url ?? '', authorization: req.headers.authorization, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as WebhookPayload });
      } catch {
        // not JSON: not a notification
      }
      res.writeHead(200).end('ok');
    });
  });
  const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    async next(what, match, timeoutMs = 30_000) {
      let found: WebhookPayload | undefined;
      try {
        await waitUntil(`webhook receiver: ${what}`, timeoutMs, () => {
          found = received.map((r) => r.body).find(match);
          return found !== undefined;
        });
      } catch (e) {
        const seen = received.map((r) => `${r.body.status} ${r.body.groupKey} [${r.body.alerts.map((a) => `${a.status} ${JSON.stringify(a.labels)}`).join('; ')}]`);
        throw new Error(`${(e as Error).message}; received:\n${seen.join('\n')}`);
      }
      return found as WebhookPayload;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * An Alertmanager configuration for tests: one receiver posting to the test's webhook server (and, given
 * `backend`, to the backend's POST /v1/alertmanager/webhook with its secret), alerts grouped by alertname and tenant,
 * sent within a second, and the inhibition rule the app shows (critical mutes warning of the same
 * alertname and tenant).
 */
export function testConfig(webhookUrl: string, backend?: { url: string; secret: string }): string {
  const toBackend = backend
    ? `      - url: ${JSON.stringify(`${backend.url}/v1/alertmanager/webhook`)}
        send_resolved: true
        http_config:
          authorization:
            type: Bearer
            credentials: ${JSON.stringify(backend.secret)}
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
    webhook_configs:
      - url: ${JSON.stringify(`${webhookUrl}/hook`)}
        send_resolved: true
${toBackend}inhibit_rules:
  - source_matchers: ['severity="critical"']
    target_matchers: ['severity="warning"']
    equal: ['alertname', 'tenant_id']
`;
}
