import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Hands the rendered rule file to Prometheus: written into PROMETHEUS_RULES_DIR (which Prometheus'
 * `rule_files` globs), then `POST {PROMETHEUS_URL}/-/reload` (Prometheus started with
 * `--web.enable-lifecycle`). The file is replaced atomically (a temp file renamed over it), so
 * Prometheus never reads half of it.
 */
export const RULE_FILE_NAME = 'caas-metric-rules.yml';

export interface SyncStatus {
  /** disabled: PROMETHEUS_RULES_DIR is not set; written: the file only (no PROMETHEUS_URL); reloaded: Prometheus loaded it; failed: see message */
  state: 'disabled' | 'written' | 'reloaded' | 'failed';
  file: string | null;
  message: string | null;
  at: string;
}

export interface PrometheusSyncOptions {
  url?: string | undefined;
  rulesDir?: string | undefined;
  timeoutMs?: number;
}

export class PrometheusRuleSync {
  private readonly file: string | null;
  private readonly timeoutMs: number;

  constructor(private readonly o: PrometheusSyncOptions) {
    this.file = o.rulesDir ? join(o.rulesDir, RULE_FILE_NAME) : null;
    this.timeoutMs = o.timeoutMs ?? 10_000;
  }

  /** whether there is a directory to write the file into (PROMETHEUS_URL alone only serves SLIs) */
  get enabled(): boolean {
    return this.file !== null;
  }

  async push(yaml: string): Promise<SyncStatus> {
    const at = () => new Date().toISOString();
    if (!this.file) {
      return {
        state: 'disabled',
        file: null,
        message: this.o.url
          ? "PROMETHEUS_RULES_DIR is not set, so Prometheus gets no metric rules from here: set it to a directory its rule_files reads (e.g. rule_files: ['/etc/prometheus/rules/*.yml']), or fetch GET /v1/alerts/rules.yml"
          : null,
        at: at(),
      };
    }
    try {
      await mkdir(this.o.rulesDir ?? '.', { recursive: true });
      const tmp = `${this.file}.${randomBytes(6).toString('hex')}.tmp`;
      try {
        await writeFile(tmp, yaml, 'utf8');
        await rename(tmp, this.file);
      } finally {
        await rm(tmp, { force: true });
      }
    } catch (e) {
      return { state: 'failed', file: this.file, message: `writing ${this.file} failed: ${(e as Error).message}; check PROMETHEUS_RULES_DIR and its permissions`, at: at() };
    }
    if (!this.o.url) {
      return { state: 'written', file: this.file, message: null, at: at() };
    }
    const reload = new URL('-/reload', this.o.url.endsWith('/') ? this.o.url : `${this.o.url}/`);
    try {
      const res = await fetch(reload, { method: 'POST', signal: AbortSignal.timeout(this.timeoutMs) });
      if (res.ok) {
        return { state: 'reloaded', file: this.file, message: null, at: at() };
      }
      const body = (await res.text()).trim().slice(0, 500);
      const hint =
        res.status === 403 || /lifecycle/i.test(body)
          ? 'start Prometheus with --web.enable-lifecycle'
          : 'Prometheus kept its previous rules; its log says why (is PROMETHEUS_RULES_DIR the directory its rule_files reads?)';
      return { state: 'failed', file: this.file, message: `POST ${reload.origin}${reload.pathname} answered ${res.status}${body ? `: ${body}` : ''}: ${hint}`, at: at() };
    } catch (e) {
      return {
        state: 'failed',
        file: this.file,
        message: `POST ${reload.origin}${reload.pathname} failed (${(e as Error).message}): the file is written; Prometheus loads it at its next start or reload`,
        at: at(),
      };
    }
  }
}
