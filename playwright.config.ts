import type { PluginOptions } from '@grafana/plugin-e2e';
import { defineConfig, devices } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { dirname } from 'node:path';

const pluginE2eAuth = `${dirname(require.resolve('@grafana/plugin-e2e'))}/auth`;

/**
 * The specs need a running Grafana (docker-compose). Asked once, synchronously (the config is loaded before any
 * test), and remembered in the environment so the workers, which load this file again, do not ask again. Without a
 * Grafana the specs skip (test.skip with this reason) and the login project is left out.
 */
function grafanaSkipReason(): string {
  if (process.env.CAAS_E2E_SKIP_REASON !== undefined) {
    return process.env.CAAS_E2E_SKIP_REASON;
  }
  const url = process.env.GRAFANA_URL;
  let reason = '';
  if (!url) {
    reason = 'GRAFANA_URL is not set: start Grafana (docker compose up) and set GRAFANA_URL=http://localhost:3000';
  } else {
    try {
      execFileSync(
        process.execPath,
        [
          '-e',
          `fetch(${JSON.stringify(new URL('/api/health', url).href)}, { signal: AbortSignal.timeout(5000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))`,
        ],
        { stdio: 'ignore', timeout: 10_000 }
      );
    } catch {
      reason = `Grafana does not answer at GRAFANA_URL=${url} (GET /api/health)`;
    }
  }
  process.env.CAAS_E2E_SKIP_REASON = reason;
  if (reason) {
    console.log(`SKIP e2e specs: ${reason}`);
  }
  return reason;
}
const skipReason = grafanaSkipReason();

/**
 * Read environment variables from file.
 * https://github.com/motdotla/dotenv
 */
// require('dotenv').config();

/**
 * See https://playwright.dev/docs/test-configuration.
 */
export default defineConfig<PluginOptions>({
  // tests/browser holds the node:test browser tests (their own runner); the specs are in tests/e2e.
  testDir: './tests/e2e',
  /* Run tests in files in parallel */
  fullyParallel: true,
  /* Fail the build on CI if you accidentally left test.only in the source code. */
  forbidOnly: !!process.env.CI,
  /* Retry on CI only */
  retries: process.env.CI ? 2 : 0,
  /* Reporter to use. See https://playwright.dev/docs/test-reporters */
  reporter: 'html',
  /* Shared settings for all the projects below. See https://playwright.dev/docs/api/class-testoptions. */
  use: {
    /* Base URL to use in actions like `await page.goto('/')`. */
    baseURL: process.env.GRAFANA_URL || 'http://localhost:3000',

    /* Collect trace when retrying the failed test. See https://playwright.dev/docs/trace-viewer */
    trace: 'on-first-retry',
  },

  /* Configure projects for major browsers */
  projects: [
    // 1. Login to Grafana and store the cookie on disk for use in other tests (only when a Grafana answers).
    ...(skipReason
      ? []
      : [
          {
            name: 'auth',
            testDir: pluginE2eAuth,
            testMatch: [/.*\.js/],
          },
        ]),
    // 2. Run tests in Google Chrome. Every test will start authenticated as admin user.
    {
      name: 'chromium',
      use: {
        ...devices['Desktop Chrome'],
        ...(skipReason ? {} : { storageState: 'playwright/.auth/admin.json' }),
      },
      dependencies: skipReason ? [] : ['auth'],
    },
  ],
});
