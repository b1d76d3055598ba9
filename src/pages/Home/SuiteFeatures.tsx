import React from 'react';
import { Badge, Card, Grid, Icon, Text } from '@grafana/ui';
import { labels } from '../../labels';
import { testIds } from '../../components/testIds';
import { ROUTES } from '../../constants';
import { prefixRoute } from '../../utils/utils.routing';

/** Pages that exist: their cards link there. The others carry a "coming" badge and no link (a link would 404). */
const PAGES: Partial<Record<string, string>> = {
  analytics: prefixRoute(ROUTES.Analytics),
};

/** What the suite offers; each card gets its link when its page lands. */
export function SuiteFeatures() {
  return (
    <section data-testid={testIds.home.features} aria-label={labels.home.featuresTitle}>
      <Text element="h3">{labels.home.featuresTitle}</Text>
      <Grid gap={2} minColumnWidth={34}>
        {labels.home.features.map((feature) => {
          const href = PAGES[feature.id];
          return (
            <Card key={feature.id} data-testid={testIds.home.feature(feature.id)} noMargin href={href}>
              <Card.Heading>{feature.title}</Card.Heading>
              <Card.Figure>
                <Icon name={feature.icon} size="xl" />
              </Card.Figure>
              <Card.Description>{feature.description}</Card.Description>
              <Card.Tags>
                {href ? (
                  <Badge color="green" text={labels.home.available} />
                ) : (
                  <Badge color="blue" text={labels.home.coming} />
                )}
              </Card.Tags>
            </Card>
          );
        })}
      </Grid>
    </section>
  );
}
