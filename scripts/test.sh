#!/usr/bin/env bash
# `npm test`: every check and every test, in the order a failure is cheapest to read.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n=== %s ===\n' "$*"; }

step "typecheck (app and backend)"
npm run --silent typecheck

step "lint"
npm run --silent lint

step "build the plugin into dist/"
npm run --silent build >/dev/null

step "Grafana JSON (plugin.json and dashboards) against Grafana's schemas"
if [ -f ../shared/tools/validate-grafana-json.mjs ]; then
  npm run --silent validate:grafana
else
  echo "SKIP: ../shared/tools/validate-grafana-json.mjs not found beside the repo"
fi

step "frontend unit tests (jest)"
npx jest --maxWorkers 2

step "backend tests on the real engines (node:test)"
npm run --silent test -w backend

step "browser tests (Chromium)"
# The workbench (tests/workbench) against the real backend with demo data, driven by playwright-core with
# /usr/bin/chromium; skips with the reason printed when Chromium is missing. Screenshots: test-output/browser/.
# The workbench bundle is built once for every file; the files run one after another (each starts its own backend).
node "node_modules/webpack-cli/bin/cli.js" -c tests/workbench/webpack.config.ts >/dev/null
WORKBENCH_BUILT=1 node --test --test-concurrency=1 tests/browser/
