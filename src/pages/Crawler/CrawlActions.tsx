import React, { useState } from 'react';
import { Alert, Button, InlineField, Input, RadioButtonGroup, Stack, Text } from '@grafana/ui';
import { CRAWL_TYPES, type CrawlType, ENTITIES, type Entity, startCrawl } from '../../api/crawler';
import { ErrorAlert } from '../../components/ErrorAlert';
import { testIds } from '../../components/testIds';
import { labels } from '../../labels';
import { crawlTypeName, describeAdminError, entityName } from './crawl-view';

/** What POST /v1/crawls takes per crawl; the backend's own schedules use 200. */
export const DEFAULT_BATCH_SIZE = 200;
export const MAX_BATCH_SIZE = 1000;

type EntityChoice = Entity | 'all';

interface Outcome {
  type: CrawlType;
  tenant: string;
  queued: Array<{ entity: Entity; jobId: string }>;
  failed: Array<{ entity: Entity; error: unknown }>;
}

interface Props {
  sourceId: string;
  /** the header's tenant: a crawl reads one tenant */
  tenant: string | undefined;
  admin: boolean;
  apiUrlSet?: boolean;
  /** after the crawls were queued (the Crawls list reads them at once) */
  onStarted: (jobIds: string[]) => void;
  onOpenJob: (id: string) => void;
}

/** A batch size as typed, or undefined when it is not a whole number from 1 to MAX_BATCH_SIZE. */
export function parseBatchSize(text: string): number | undefined {
  const n = Number(text.trim());
  return /^\d+$/.test(text.trim()) && n >= 1 && n <= MAX_BATCH_SIZE ? n : undefined;
}

/**
 * A source's crawl buttons for the picked tenant: Full reindex, Incremental and Deletion sync of one entity or all
 * four (one crawl each, POST /v1/crawls). Admins only; for anyone else, and without a tenant, they stay disabled and
 * say why. What was queued (and what the backend refused, e.g. another crawl of that entity still running) shows
 * below them.
 */
export function CrawlActions({ sourceId, tenant, admin, apiUrlSet, onStarted, onOpenJob }: Props) {
  const a = labels.crawler.actions;
  const [entity, setEntity] = useState<EntityChoice>('all');
  const [batchText, setBatchText] = useState(String(DEFAULT_BATCH_SIZE));
  const [busy, setBusy] = useState<CrawlType>();
  const [outcome, setOutcome] = useState<Outcome>();
  const batchSize = parseBatchSize(batchText);
  const reason = !admin
    ? labels.crawler.adminOnly
    : !tenant
      ? a.pickTenant
      : batchSize === undefined
        ? a.batchInvalid(MAX_BATCH_SIZE)
        : undefined;

  const start = async (type: CrawlType) => {
    if (!tenant || batchSize === undefined) {
      return;
    }
    const entities = entity === 'all' ? [...ENTITIES] : [entity];
    setBusy(type);
    setOutcome(undefined);
    const results = await Promise.allSettled(
      entities.map((e) =>
        startCrawl({ source_id: sourceId, type, entity: e, tenant_id: tenant, batch_size: batchSize })
      )
    );
    const next: Outcome = { type, tenant, queued: [], failed: [] };
    results.forEach((r, i) => {
      const e = entities[i]!;
      if (r.status === 'fulfilled') {
        next.queued.push({ entity: e, jobId: r.value });
      } else {
        next.failed.push({ entity: e, error: r.reason });
      }
    });
    setBusy(undefined);
    setOutcome(next);
    if (next.queued.length > 0) {
      onStarted(next.queued.map((q) => q.jobId));
    }
  };

  return (
    <div data-testid={testIds.crawler.actions(sourceId)}>
      <Stack direction="column" gap={1}>
        <Text element="h5">{tenant ? a.title(tenant) : a.titleNoTenant}</Text>
        <Stack direction="row" gap={1} alignItems="center" wrap="wrap">
          <div data-testid={testIds.crawler.entity(sourceId)}>
            <RadioButtonGroup<EntityChoice>
              size="sm"
              value={entity}
              onChange={setEntity}
              aria-label={a.entity}
              options={[
                { value: 'all', label: a.allEntities },
                ...ENTITIES.map((e) => ({ value: e, label: entityName(e) })),
              ]}
            />
          </div>
          <InlineField label={a.batchSize} tooltip={a.batchSizeHint} invalid={batchSize === undefined}>
            <Input
              width={10}
              value={batchText}
              inputMode="numeric"
              onChange={(e) => setBatchText(e.currentTarget.value)}
              data-testid={testIds.crawler.batchSize(sourceId)}
            />
          </InlineField>
        </Stack>
        <Stack direction="row" gap={1} wrap="wrap">
          {CRAWL_TYPES.map((type) => (
            <Button
              key={type}
              size="sm"
              variant={type === 'full_reindex' ? 'primary' : 'secondary'}
              icon={busy === type ? 'spinner' : type === 'deleted' ? 'trash-alt' : 'sync'}
              disabled={reason !== undefined || busy !== undefined}
              tooltip={reason ?? a.hints[type]}
              onClick={() => void start(type)}
              data-testid={testIds.crawler.start(sourceId, type)}
            >
              {crawlTypeName(type)}
            </Button>
          ))}
        </Stack>
        {reason && (
          <Text color="secondary" variant="bodySmall">
            {reason}
          </Text>
        )}
        {outcome && (
          <div data-testid={testIds.crawler.actionResult(sourceId)}>
            <Stack direction="column" gap={1}>
              {outcome.queued.length > 0 && (
                <Alert
                  severity="success"
                  title={a.queued(
                    crawlTypeName(outcome.type),
                    outcome.queued.map((q) => entityName(q.entity)).join(', '),
                    outcome.tenant
                  )}
                  onRemove={() => setOutcome(undefined)}
                >
                  <Stack direction="row" gap={1} wrap="wrap">
                    {outcome.queued.map((q) => (
                      <Button
                        key={q.jobId}
                        size="sm"
                        variant="secondary"
                        fill="text"
                        icon="file-alt"
                        onClick={() => onOpenJob(q.jobId)}
                      >
                        {a.openLog(entityName(q.entity))}
                      </Button>
                    ))}
                  </Stack>
                </Alert>
              )}
              {outcome.failed.map((f) => (
                <ErrorAlert
                  key={f.entity}
                  error={f.error}
                  apiUrlSet={apiUrlSet}
                  describe={(error, context) => {
                    const d = describeAdminError(error, context);
                    return { ...d, title: a.failed(entityName(f.entity), d.title) };
                  }}
                />
              ))}
            </Stack>
          </div>
        )}
      </Stack>
    </div>
  );
}
