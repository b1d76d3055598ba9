import type { Locator, Page } from '@playwright/test';
import { AppConfigPage, AppPage, test as base } from '@grafana/plugin-e2e';
import pluginJson from '../src/plugin.json';

type AppTestFixture = {
  appConfigPage: AppConfigPage;
  gotoPage: (path?: string) => Promise<AppPage>;
};

export const test = base.extend<AppTestFixture>({
  appConfigPage: async ({ gotoAppConfigPage }, use) => {
    const configPage = await gotoAppConfigPage({
      pluginId: pluginJson.id,
    });
    await use(configPage);
  },
  gotoPage: async ({ gotoAppPage }, use) => {
    await use((path) =>
      gotoAppPage({
        path,
        pluginId: pluginJson.id,
      })
    );
  },
});

export { expect } from '@grafana/plugin-e2e';

/** Picks an option of a Grafana Combobox (found by test id within `root`) by its visible label. */
export async function pick(root: Page | Locator, page: Page, testId: string, label: string): Promise<void> {
  const input = root.getByTestId(testId);
  await input.click();
  await input.fill(label);
  await page.getByRole('option', { name: label, exact: false }).first().click();
}
