import React from 'react';
import { usePluginContext } from '@grafana/data';
import { PluginPage } from '@grafana/runtime';
import { Stack, Text } from '@grafana/ui';
import { PageHeader } from '../../components/PageHeader/PageHeader';
import { testIds } from '../../components/testIds';
import { useUrlState } from '../../hooks/useUrlState';
import { labels } from '../../labels';
import type { AppJsonData } from '../../types';
import { BackendHealth } from './BackendHealth';
import { DashboardLinks } from './DashboardLinks';
import { Jobs } from './Jobs';
import { useSchedules } from './schedules';
import { Storage } from './Storage';
import { SuiteFeatures } from './SuiteFeatures';

/**
 * The app's landing page: whether its backend answers, its jobs and the storage per tenant (for the picked tenant, or
 * all of them), what the suite offers and its dashboards. The tenant, the jobs tab and the open job are in the URL.
 */
function Home() {
  // Inside Grafana the app root is wrapped in a PluginContextProvider; outside it (tests, workbench) this is null.
  const context = usePluginContext<AppJsonData>();
  const apiUrlSet = context ? Boolean(context.meta.jsonData?.apiUrl) : undefined;
  const state = useUrlState();
  // Read once for both sections: Jobs shows the soonest firing, Storage the nightly report's.
  const schedules = useSchedules();

  return (
    <PluginPage>
      <div data-testid={testIds.home.container}>
        <Stack direction="column" gap={4}>
          <Stack direction="column" gap={1}>
            <Text element="p" color="secondary">
              {labels.home.subtitle}
            </Text>
            <PageHeader state={state} allTenants />
          </Stack>
          <BackendHealth apiUrlSet={apiUrlSet} />
          <Jobs state={state} schedules={schedules} apiUrlSet={apiUrlSet} />
          <Storage tenant={state.tenant} schedules={schedules} apiUrlSet={apiUrlSet} />
          <SuiteFeatures params={state.params} />
          <DashboardLinks params={state.params} />
        </Stack>
      </div>
    </PluginPage>
  );
}

export default Home;
