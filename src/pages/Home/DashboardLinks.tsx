import React from 'react';
import { Card, Grid, Icon, LinkButton, Stack, Text } from '@grafana/ui';
import { testIds } from '../../components/testIds';
import { CONFIG_PAGE_URL, DASHBOARDS, OPS_DASHBOARDS, dashboardUrl } from '../../constants';
import { labels } from '../../labels';
import { PARAMS } from '../../utils/url-state';

interface Props {
  /** The current URL's params: the links open each dashboard on the picked tenant and time range. */
  params: URLSearchParams;
}

/** A dashboard's URL for the page's tenant (the dashboards' `tenant` variable) and time range. */
export function dashboardLink(uid: string, params: URLSearchParams): string {
  const query = new URLSearchParams();
  const tenant = params.get(PARAMS.tenant);
  if (tenant) {
    query.set('var-tenant', tenant);
  }
  for (const name of [PARAMS.from, PARAMS.to]) {
    const value = params.get(name);
    if (value) {
      query.set(name, value);
    }
  }
  const search = query.toString();
  return search ? `${dashboardUrl(uid)}?${search}` : dashboardUrl(uid);
}

/**
 * The bundled dashboards (plugin.json `includes`), linked by their stable uid, on the page's tenant and time range. A
 * dashboard is only there once imported (the app's Dashboards tab) or provisioned, so the section says where to import
 * them. Below them the operational dashboards on Prometheus (provisioned, or imported by hand: not bundled).
 */
export function DashboardLinks({ params }: Props) {
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
          <Card key={d.id} href={dashboardLink(d.uid, params)} data-testid={testIds.home.dashboard(d.id)} noMargin>
            <Card.Heading>{labels.home.dashboards[d.id].title}</Card.Heading>
            <Card.Figure>
              <Icon name="apps" size="xl" />
            </Card.Figure>
            <Card.Description>{labels.home.dashboards[d.id].description}</Card.Description>
          </Card>
        ))}
      </Grid>
      <section data-testid={testIds.home.opsDashboards} aria-label={labels.home.opsDashboardsTitle}>
        <Text element="h4">{labels.home.opsDashboardsTitle}</Text>
        <Text element="p" color="secondary" variant="bodySmall">
          {labels.home.opsDashboardsHint}
        </Text>
        <Grid gap={2} minColumnWidth={34}>
          {OPS_DASHBOARDS.map((d) => (
            <Card key={d.id} href={dashboardLink(d.uid, params)} data-testid={testIds.home.opsDashboard(d.id)} noMargin>
              <Card.Heading>{labels.home.opsDashboards[d.id].title}</Card.Heading>
              <Card.Figure>
                <Icon name="heart-rate" size="xl" />
              </Card.Figure>
              <Card.Description>{labels.home.opsDashboards[d.id].description}</Card.Description>
            </Card>
          ))}
        </Grid>
      </section>
    </section>
  );
}
