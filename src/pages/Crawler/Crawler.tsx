import React from 'react';
import { PluginPage } from '@grafana/runtime';
import { Stack } from '@grafana/ui';
import { testIds } from '../../components/testIds';
import { PageHeader } from '../../components/PageHeader/PageHeader';
import { useUrlState } from '../../hooks/useUrlState';

function Crawler() {
  const state = useUrlState();
  return (
    <PluginPage>
      <div data-testid={testIds.crawler.container}>
        <Stack direction="column" gap={2}>
          <PageHeader state={state} />
        </Stack>
      </div>
    </PluginPage>
  );
}

export default Crawler;
