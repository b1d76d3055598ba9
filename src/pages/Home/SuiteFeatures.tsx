import React from 'react';
import { Badge, Card, Grid, Icon, Text } from '@grafana/ui';
import { labels } from '../../labels';
import { testIds } from '../../components/testIds';

/**
 * What the suite offers. The pages behind these cards do not exist yet, so the cards carry a "coming" badge and
 * no link (a link would 404); each card gets its link when its page lands.
 */
export function SuiteFeatures() {
  return (
    <section data-testid={testIds.home.features} aria-label={labels.home.featuresTitle}>
      <Text element="h3">{labels.home.featuresTitle}</Text>
      <Grid gap={2} minColumnWidth={34}>
        {labels.home.features.map((feature) => (
          <Card key={feature.id} data-testid={testIds.home.feature(feature.id)} noMargin>
            <Card.Heading>{feature.title}</Card.Heading>
            <Card.Figure>
              <Icon name={feature.icon} size="xl" />
            </Card.Figure>
            <Card.Description>{feature.description}</Card.Description>
            <Card.Tags>
              <Badge color="blue" text={labels.home.coming} />
            </Card.Tags>
          </Card>
        ))}
      </Grid>
    </section>
  );
}
