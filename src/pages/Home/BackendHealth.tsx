import React from 'react';
import { Alert, Badge, Card, LinkButton, LoadingPlaceholder, Stack, Text } from '@grafana/ui';
import { describeError } from '../../api/describe-error';
import { sortedChecks, type EngineCheck, type HealthResponse } from '../../api/health';
import { SectionHeader } from '../../components/SectionHeader';
import { testIds } from '../../components/testIds';
import { CONFIG_PAGE_URL } from '../../constants';
import { useHealth } from '../../hooks/useHealth';
import { labels } from '../../labels';
import { formatBytes, formatCount, formatDuration, formatLatency } from '../../utils/format';

interface Props {
  /** Whether the app's settings hold a backend URL; undefined when unknown. Sharpens the error message. */
  apiUrlSet?: boolean;
}

/** Live health of the backend (GET /health through the app's proxy route): engines, modes, latency, WAL backlog. */
export function BackendHealth({ apiUrlSet }: Props) {
  const { loading, health, error, refresh } = useHealth();

  return (
    <section data-testid={testIds.home.health} aria-label={labels.health.title}>
      <SectionHeader
        title={labels.health.title}
        refreshLabel={labels.health.refresh}
        onRefresh={refresh}
        loading={loading}
        refreshTestId={testIds.home.healthRefresh}
      />
      {loading && !health && (
        <LoadingPlaceholder text={labels.health.loading} data-testid={testIds.home.healthLoading} />
      )}
      {error !== undefined && !loading && <HealthError error={error} apiUrlSet={apiUrlSet} />}
      {health && !error && <HealthReport health={health} />}
    </section>
  );
}

function HealthError({ error, apiUrlSet }: { error: unknown; apiUrlSet?: boolean }) {
  const description = describeError(error, { apiUrlSet });
  return (
    <div data-testid={testIds.home.healthError}>
      <Alert severity="error" title={description.title}>
        <Stack direction="column" gap={1} alignItems="flex-start">
          <Text element="p">{description.hint}</Text>
          {description.fixOnConfigPage && (
            <LinkButton href={CONFIG_PAGE_URL} icon="cog" variant="secondary" size="sm">
              {labels.health.openConfig}
            </LinkButton>
          )}
        </Stack>
      </Alert>
    </div>
  );
}

function HealthReport({ health }: { health: HealthResponse }) {
  const ok = health.status === 'ok';
  return (
    <Stack direction="column" gap={2}>
      <Stack direction="row" alignItems="center" gap={2} wrap="wrap">
        <span data-testid={testIds.home.healthStatus}>
          <Badge
            color={ok ? 'green' : 'orange'}
            icon={ok ? 'check-circle' : 'exclamation-triangle'}
            text={ok ? labels.health.status.ok : labels.health.status.degraded}
          />
        </span>
        <Text color="secondary">{labels.health.version(health.version)}</Text>
        <Text color="secondary">{labels.health.uptime(formatDuration(health.uptime_s))}</Text>
      </Stack>
      {sortedChecks(health.checks).map(([name, check]) => (
        <EngineCard key={name} name={name} check={check} />
      ))}
      <Card noMargin data-testid={testIds.home.wal}>
        <Card.Heading>{labels.health.walTitle}</Card.Heading>
        <Card.Description>
          {health.wal.backlog_events === 0 && health.wal.segments === 0
            ? labels.health.walEmpty
            : labels.health.wal(
                formatCount(health.wal.backlog_events),
                formatBytes(health.wal.backlog_bytes),
                formatCount(health.wal.segments)
              )}
          {health.wal.store_rejected_events > 0
            ? ` ${labels.health.storeRejected(formatCount(health.wal.store_rejected_events))}`
            : ''}
        </Card.Description>
      </Card>
    </Stack>
  );
}

function EngineCard({ name, check }: { name: string; check: EngineCheck }) {
  return (
    <Card noMargin data-testid={testIds.home.engine(name)}>
      <Card.Heading>{labels.health.engineNames[name] ?? name}</Card.Heading>
      <Card.Meta>
        {[labels.health.modes[check.mode] ?? check.mode, labels.health.latency(formatLatency(check.latency_ms))]}
      </Card.Meta>
      {check.error && <Card.Description>{check.error}</Card.Description>}
      <Card.Tags>
        <Badge
          color={check.ok ? 'green' : 'red'}
          icon={check.ok ? 'check-circle' : 'times-circle'}
          text={check.ok ? labels.health.engineOk : labels.health.engineDown}
        />
      </Card.Tags>
    </Card>
  );
}
