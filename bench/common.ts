/** What both benchmarks share: the repository root, their README, knobs from the environment, progress lines. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../', import.meta.url));
export const README = join(ROOT, 'bench', 'README.md');

/** A whole-number knob (`BENCH_EVENTS=1_000_000` allowed); a bad value stops the run with its name. */
export function envInt(name: string, def: number, min = 1): number {
  const raw = process.env[name]?.trim().replace(/_/g, '');
  if (!raw) return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name}=${raw}: expected a whole number ≥ ${min}`);
  return n;
}

export const log = (msg: string): void => {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
};

/**
 * Replaces the text between `<!-- bench:<id>:start -->` and `<!-- bench:<id>:end -->` in bench/README.md.
 * Without the markers: appended under `heading` when one is given, else an error naming them.
 */
export function replaceReadmeBlock(id: string, body: string, heading?: string): void {
  const start = `<!-- bench:${id}:start -->`;
  const end = `<!-- bench:${id}:end -->`;
  const block = `${start}\n${body}\n${end}`;
  const text = existsSync(README) ? readFileSync(README, 'utf8') : '# Benchmarks\n';
  const a = text.indexOf(start);
  const b = text.indexOf(end);
  if (a >= 0 && b > a) {
    writeFileSync(README, text.slice(0, a) + block + text.slice(b + end.length));
  } else if (heading) {
    writeFileSync(README, `${text.trimEnd()}\n\n${heading}\n\n${block}\n`);
  } else {
    throw new Error(`bench/README.md lacks the ${start} … ${end} markers`);
  }
}
