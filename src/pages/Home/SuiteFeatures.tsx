import React from 'react';
import { Badge, Card, Grid, Icon, Text } from '@grafana/ui';
import { labels } from '../../labels';
import { testIds } from '../../components/testIds';
import { pageForFeature, prefixRoute } from '../../routes';
import { linkWithShared } from '../../utils/url-state';

interface Props {
  /** The current URL's params: a feature's link carries the shared ones (tenant, time range) to its page. */
  params: URLSearchParams;
}

/**
 * What the suite offers. A feature whose page is in the route table (src/routes.ts) links there; the others say
 * plainly what is missing, and get their link when their page lands in the table.
 */
export function SuiteFeatures({ params }: Props) {
  return (
    <section data-testid={testIds.home.features} aria-label={labels.home.featuresTitle}>
      <Text element="h3">{labels.home.featuresTitle}</Text>
      <Grid gap={2} minColumnWidth={34}>
        {labels.home.features.map((feature) => {
          const page = pageForFeature(feature.id);
          const href = page ? linkWithShared(prefixRoute(page.route), params) : undefined;
          return (
            <Card key={feature.id} data-testid={testIds.home.feature(feature.id)} noMargin href={href}>
              <Card.Heading>{feature.title}</Card.Heading>
              <Card.Figure>
                <Icon name={feature.icon} size="xl" />
              </Card.Figure>
              <Card.Description>
                {feature.description}
                {!page && (
                  <span
                    data-testid={testIds.home.featureMissing(feature.id)}
                    style={{ display: 'block', marginTop: 8 }}
                  >
                    <Text color="warning">{feature.missing}</Text>
                  </span>
                )}
              </Card.Description>
              <Card.Tags>
                {page ? (
                  <Badge color="green" text={labels.home.available} />
                ) : (
                  <Badge color="orange" icon="exclamation-triangle" text={labels.home.notBuilt} />
                )}
              </Card.Tags>
            </Card>
          );
        })}
      </Grid>
    </section>
  );
}
