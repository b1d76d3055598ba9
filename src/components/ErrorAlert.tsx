import React from 'react';
import { Alert, Button, LinkButton, Stack, Text } from '@grafana/ui';
import { describeError } from '../api/describe-error';
import { CONFIG_PAGE_URL } from '../constants';
import { labels } from '../labels';

interface Props {
  error: unknown;
  /** Whether the app's settings hold a backend URL; sharpens an unreachable backend's message. */
  apiUrlSet?: boolean;
  onRetry?: () => void;
  testId?: string;
}

/** A failed backend call as a person can act on it: what went wrong, what to change, where, and Retry. */
export function ErrorAlert({ error, apiUrlSet, onRetry, testId }: Props) {
  const description = describeError(error, { apiUrlSet });
  return (
    <div data-testid={testId}>
      <Alert severity="error" title={description.title}>
        <Stack direction="column" gap={1} alignItems="flex-start">
          <Text element="p">{description.hint}</Text>
          <Stack direction="row" gap={1}>
            {onRetry && (
              <Button variant="secondary" size="sm" icon="sync" onClick={onRetry}>
                {labels.common.retry}
              </Button>
            )}
            {description.fixOnConfigPage && (
              <LinkButton href={CONFIG_PAGE_URL} icon="cog" variant="secondary" size="sm">
                {labels.health.openConfig}
              </LinkButton>
            )}
          </Stack>
        </Stack>
      </Alert>
    </div>
  );
}
