import React from 'react';
import { Alert, Button, LinkButton, Stack, Text } from '@grafana/ui';
import { type DescribeContext, describeError, type ErrorDescription } from '../api/describe-error';
import { CONFIG_PAGE_URL } from '../constants';
import { labels } from '../labels';

interface Props {
  error: unknown;
  /** Whether the app's settings hold a backend URL; sharpens an unreachable backend's message. */
  apiUrlSet?: boolean;
  onRetry?: () => void;
  testId?: string;
  /** How to read the error, when a page knows more than describeError (e.g. an Admin action's refused admin key). */
  describe?: (error: unknown, context: DescribeContext) => ErrorDescription;
}

/** A failed backend call as a person can act on it: what went wrong, what to change, where, and Retry. */
export function ErrorAlert({ error, apiUrlSet, onRetry, testId, describe = describeError }: Props) {
  const description = describe(error, { apiUrlSet });
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
