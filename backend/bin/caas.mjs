#!/usr/bin/env node
// `npx caas …` — the backend's CLI (backend/src/cli/caas.ts), run through tsx.
import { register } from 'tsx/esm/api';

register();
const { run } = await import('../src/cli/caas.ts');
try {
  await run(process.argv.slice(2));
} catch (e) {
  process.stderr.write(`caas: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(2);
}
