#!/usr/bin/env node
// `npm start [-- --demo] [-- --no-build]`: builds the Grafana plugin into dist/ when its sources
// changed, then runs the backend on its embedded engines (chdb + PGlite under DATA_DIR, default
// ./data). Every other argument goes to the backend (see backend/src/main.ts).
//
// The backend never outlives this script: SIGINT, SIGTERM and SIGHUP are passed on to it (it drains
// its WAL and exits) and this script exits with its exit code; and it runs with an IPC channel, which
// closes when this script dies however it dies (SIGKILL included), on which the backend shuts down.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { constants } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);
const noBuild = args.includes('--no-build');
const backendArgs = args.filter((a) => a !== '--no-build');

function newest(dir) {
  let t = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const s = statSync(p);
    t = Math.max(t, s.isDirectory() ? newest(p) : s.mtimeMs);
  }
  return t;
}

const built = join(root, 'dist', 'module.js');
const stale = !existsSync(built) || Math.max(newest(join(root, 'src')), statSync(join(root, 'plugin.json')).mtimeMs) > statSync(built).mtimeMs;
if (!noBuild && stale) {
  console.log('building the Grafana plugin into dist/ …');
  const r = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error('the plugin build failed; fix it or start with: npm start -- --no-build');
    process.exit(r.status ?? 1);
  }
}

const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'backend', 'src', 'main.ts'), ...backendArgs], {
  cwd: root,
  stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
});
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  // Handling the signal keeps this script alive until the backend has finished its shutdown.
  process.on(sig, () => child.kill(sig));
}
child.on('error', (e) => {
  console.error(`could not start the backend: ${e.message}`);
  process.exit(1);
});
// A child killed by a signal gets the shell's code for it, 128 + the signal's number.
child.on('exit', (code, signal) => process.exit(code ?? 128 + (constants.signals[signal] ?? 0)));
