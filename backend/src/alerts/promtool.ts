import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CaasError } from '../errors.js';

/**
 * Prometheus' own checks through its `promtool` (Debian package `prometheus`; PROMTOOL_PATH): a rule
 * file is parsed exactly as Prometheus will parse it, PromQL, durations, labels and annotation
 * templates included. At most `concurrency` promtool processes run at once.
 */
export interface PromtoolOptions {
  /** the binary: a path, or a name looked up on PATH */
  path: string;
  timeoutMs?: number;
  concurrency?: number;
}

export interface CheckResult {
  ok: boolean;
  /** what promtool found wrong, one line each, without the temp file's name */
  problems: string[];
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export class Promtool {
  private running = 0;
  private readonly waiting: Array<() => void> = [];
  private readonly timeoutMs: number;
  private readonly concurrency: number;

  constructor(private readonly o: PromtoolOptions) {
    this.timeoutMs = o.timeoutMs ?? 15_000;
    this.concurrency = o.concurrency ?? 2;
  }

  /** `promtool check rules` of a rule file's text. */
  async checkRules(yaml: string): Promise<CheckResult> {
    return this.withFiles({ 'rules.yml': yaml }, async (dir) => {
      const file = join(dir, 'rules.yml');
      const r = await this.run(['check', 'rules', file]);
      return { ok: r.code === 0, problems: r.code === 0 ? [] : problemsOf(`${r.stdout}\n${r.stderr}`, file) };
    });
  }

  /**
   * `promtool test rules` of a unit-test file (`rule_files`, `tests` with `input_series`, `alert_rule_test`)
   * beside the given rule files, all written to one temp directory (the test names them relatively).
   */
  async testRules(files: Record<string, string>, testFile: string): Promise<Run> {
    return this.withFiles(files, (dir) => this.run(['test', 'rules', join(dir, testFile)], dir));
  }

  private async withFiles<T>(files: Record<string, string>, fn: (dir: string) => Promise<T>): Promise<T> {
    const dir = await mkdtemp(join(tmpdir(), 'caas-promtool-'));
    try {
      for (const [name, content] of Object.entries(files)) {
        await writeFile(join(dir, name), content, 'utf8');
      }
      return await fn(dir);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  private async run(args: string[], cwd?: string): Promise<Run> {
    await this.slot();
    try {
      return await new Promise<Run>((resolve, reject) => {
        execFile(this.o.path, args, { timeout: this.timeoutMs, maxBuffer: 4 * 1024 * 1024, cwd, env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } }, (err, stdout, stderr) => {
          if (err && (err as NodeJS.ErrnoException).code === 'ENOENT') {
            reject(
              new CaasError(
                'unavailable',
                'promtool_missing',
                `metric rules are checked with promtool (Prometheus' own parser), which is not at PROMTOOL_PATH=${this.o.path}: install the Debian package prometheus, or set PROMTOOL_PATH to its promtool`,
                undefined,
                60
              )
            );
            return;
          }
          if (err && (err as { killed?: boolean }).killed) {
            reject(new CaasError('timeout', 'promtool_timeout', `promtool did not answer within ${this.timeoutMs} ms: try again; a much shorter expression checks faster`));
            return;
          }
          const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0;
          resolve({ code, stdout: String(stdout), stderr: String(stderr) });
        });
      });
    } finally {
      this.release();
    }
  }

  private async slot(): Promise<void> {
    if (this.running < this.concurrency) {
      this.running++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) {
      next();
    } else {
      this.running--;
    }
  }
}

/**
 * promtool's complaints as sentences about the rule's fields: `<file>: 5:15: group "g", rule 1, "A":
 * could not parse expression: 1:19: parse error: …` becomes `expr: 1:19: parse error: …`.
 */
export function problemsOf(output: string, file: string): string[] {
  const lines = output
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^Checking /.test(l) && l !== 'FAILED:' && !/^SUCCESS/.test(l));
  const out = lines.map((l) => {
    let s = l.startsWith(`${file}: `) ? l.slice(file.length + 2) : l.split(file).join('rules.yml');
    s = s.replace(/^\d+:\d+: /, '').replace(/^group "[^"]*", rule \d+, "[^"]*": /, '');
    s = s.replace(/^could not parse expression: /, 'expr: ');
    s = s.replace(/^(annotation|label) "([^"]*)": /, (_m, kind: string, name: string) => `${kind === 'annotation' ? 'annotations' : 'labels'}.${name}: `);
    return s;
  });
  return out.length ? out : ['promtool refused the rule file without saying why'];
}
