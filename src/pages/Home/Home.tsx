import React from 'react';
import { usePluginContext } from '@grafana/data';
import { PluginPage } from '@grafana/runtime';
import { Stack, Text } from '@grafana/ui';
import { testIds } from '../../components/testIds';
import { labels } from '../../labels';
import type { AppJsonData } from '../../types';
import { BackendHealth } from './BackendHealth';
import { DashboardLinks } from './DashboardLinks';
import { SuiteFeatures } from './SuiteFeatures';

/** The app's landing page: whether its backend answers, what the suite offers and its dashboards. */
function Home() {
  // Inside Grafana the app root is wrapped in a PluginContextProvider; outside it (tests, workbench) this is null.
  const context = usePluginContext<AppJsonData>();
  const apiUrlSet = context ? Boolean(context.meta.jsonData?.apiUrl) : undefined;

  return (
    <PluginPage>
      <div data-testid={testIds.home.container}>
        <Stack direction="column" gap={4}>
          <Text element="p" color="secondary">
            {labels.home.subtitle}
          </Text>
          <BackendHealth apiUrlSet={apiUrlSet} />
          <SuiteFeatures />
          <DashboardLinks />
        </Stack>
      </div>
    </PluginPage>
  );
}

export default Home;
