import React from 'react';
import { Card, Grid, Icon, LinkButton, Stack, Text } from '@grafana/ui';
import { testIds } from '../../components/testIds';
import { CONFIG_PAGE_URL, DASHBOARDS, dashboardUrl } from '../../constants';
import { labels } from '../../labels';

/**
 * The bundled dashboards (plugin.json `includes`), linked by their stable uid. A dashboard is only there once imported
 * (the app's Dashboards tab) or provisioned, so the section says where to import them.
 */
export function DashboardLinks() {
  return (
    <section data-testid={testIds.home.dashboards} aria-label={labels.home.dashboardsTitle}>
      <Stack direction="row" alignItems="center" justifyContent="space-between">
        <Text element="h3">{labels.home.dashboardsTitle}</Text>
        <LinkButton
          href={`${CONFIG_PAGE_URL}?page=dashboards`}
          icon="import"
          variant="secondary"
          size="sm"
          data-testid={testIds.home.importDashboards}
        >
          {labels.home.openDashboardsTab}
        </LinkButton>
      </Stack>
      <Text element="p" color="secondary" variant="bodySmall">
        {labels.home.dashboardsHint}
      </Text>
      <Grid gap={2} minColumnWidth={34}>
        {DASHBOARDS.map((d) => (
          <Card key={d.id} href={dashboardUrl(d.uid)} data-testid={testIds.home.dashboard(d.id)} noMargin>
            <Card.Heading>{labels.home.dashboards[d.id].title}</Card.Heading>
            <Card.Figure>
              <Icon name="apps" size="xl" />
            </Card.Figure>
            <Card.Description>{labels.home.dashboards[d.id].description}</Card.Description>
          </Card>
        ))}
      </Grid>
    </section>
  );
}
