import React from 'react';
import { Button, Stack, Text } from '@grafana/ui';

interface Props {
  title: string;
  refreshLabel: string;
  onRefresh: () => void;
  /** while a request is in flight the button waits */
  loading: boolean;
  refreshTestId: string;
}

/** A page section's title with its Refresh button (Home's health, jobs and storage sections). */
export function SectionHeader({ title, refreshLabel, onRefresh, loading, refreshTestId }: Props) {
  return (
    <Stack direction="row" alignItems="center" justifyContent="space-between">
      <Text element="h3">{title}</Text>
      <Button
        variant="secondary"
        size="sm"
        icon="sync"
        onClick={onRefresh}
        disabled={loading}
        data-testid={refreshTestId}
      >
        {refreshLabel}
      </Button>
    </Stack>
  );
}
