import { defineConfig } from 'eslint/config';
import baseConfig from './.config/eslint.config.mjs';

export default defineConfig([
  {
    ignores: [
      '**/logs',
      '**/*.log',
      '**/npm-debug.log*',
      '**/yarn-debug.log*',
      '**/yarn-error.log*',
      '**/.pnpm-debug.log*',
      '**/node_modules/',
      '.yarn/cache',
      '.yarn/unplugged',
      '.yarn/build-state.yml',
      '.yarn/install-state.gz',
      '**/.pnp.*',
      '**/pids',
      '**/*.pid',
      '**/*.seed',
      '**/*.pid.lock',
      '**/lib-cov',
      '**/coverage',
      '**/dist/',
      '**/artifacts/',
      '**/work/',
      '**/ci/',
      'test-results/',
      'playwright-report/',
      'blob-report/',
      'playwright/.cache/',
      'playwright/.auth/',
      '**/.idea',
      '**/.eslintcache',
      // The backend workspace, its benchmarks and the repo scripts have their own checks (backend/package.json).
      'backend/',
      'bench/',
      'scripts/',
      // Runtime data of the embedded engines (chdb, PGlite, WAL, outbox) and test output.
      'data/',
      '.data/',
      'test-output/',
    ],
  },
  ...baseConfig,
  {
    // The scaffold's config names only src/ for TypeScript; the workbench and the e2e specs are ours too.
    files: ['tests/**/*.{ts,tsx}'],
  },
  {
    // The workbench is in tsconfig.json, so it gets the typed rules src/ has.
    files: ['tests/workbench/**/*.{ts,tsx}'],
    languageOptions: { parserOptions: { project: './tsconfig.json' } },
    rules: { '@typescript-eslint/no-deprecated': 'warn' },
  },
]);
