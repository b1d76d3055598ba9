import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, spawnCaptured, waitForHttp, type Spawned } from './child-process.js';
import { tempDir } from './helpers.js';

/**
 * A real Prometheus (Debian package `prometheus`, 2.42; PROMETHEUS_BIN) for a test: its own config,
 * storage and rules directory under a temp dir, a free loopback port, `--web.enable-lifecycle` unless
 * asked otherwise. Never the system's service or its :9090.
 */
export interface TestPrometheus {
  url: string;
  rulesDir: string;
  proc: Spawned;
  /** GET /api/v1/<path> → its `data` */
  api<T>(path: string): Promise<T>;
  stop(): Promise<void>;
}

export interface PromRule {
  name: string;
  query: string;
  duration: number;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  health: string;
  lastError?: string;
  type: string;
  state?: string;
}
export interface PromGroup {
  name: string;
  file: string;
  rules: PromRule[];
}

export async function startPrometheus(
  opts: {
    lifecycle?: boolean;
    evaluationInterval?: string;
    /** the `scrape_configs:` entries (YAML, each starting with `  - job_name:`), given Prometheus' own host:port */
    scrapeConfigs?: (self: string) => string;
    /** Alertmanagers (host:port) Prometheus sends its alerts to */
    alertmanagers?: string[];
  } = {}
): Promise<TestPrometheus> {
  const dir = tempDir('caas-prometheus-');
  const rulesDir = join(dir, 'rules');
  mkdirSync(rulesDir);
  const interval = opts.evaluationInterval ?? '1s';
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const scrape = opts.scrapeConfigs ? `scrape_configs:\n${opts.scrapeConfigs(`127.0.0.1:${port}`)}\n` : '';
  const alerting = opts.alertmanagers?.length ? `alerting:\n  alertmanagers:\n    - static_configs: [{ targets: ${JSON.stringify(opts.alertmanagers)} }]\n` : '';
  writeFileSync(
    join(dir, 'prometheus.yml'),
    `global:\n  scrape_interval: ${interval}\n  evaluation_interval: ${interval}\nrule_files:\n  - ${JSON.stringify(join(rulesDir, '*.yml'))}\n${scrape}${alerting}`
  );
  const proc = spawnCaptured(
    process.env.PROMETHEUS_BIN ?? 'prometheus',
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      ...(opts.lifecycle === false ? [] : ['--web.enable-lifecycle']),
      '--log.level=warn',
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
    rulesDir,
    proc,
    async api<T>(path: string): Promise<T> {
      const res = await fetch(`${url}/api/v1/${path}`, { signal: AbortSignal.timeout(10_000) });
      const body = (await res.json()) as { status: string; data: T; error?: string };
      if (body.status !== 'success') {
        throw new Error(`Prometheus /api/v1/${path}: ${res.status} ${body.error ?? ''}`);
      }
      return body.data;
    },
    async stop() {
      if (proc.child.exitCode === null && proc.child.signalCode === null) {
        proc.child.kill('SIGTERM');
        await proc.exited(20_000).catch(() => proc.child.kill('SIGKILL'));
      }
    },
  };
}
