import React, { useMemo } from 'react';
import { Button, type Column, InteractiveTable, Stack, Text } from '@grafana/ui';
import type { CrawlCursor, CrawlRunSummary } from '../../api/crawler';
import { testIds } from '../../components/testIds';
import { labels } from '../../labels';
import { formatAgo, formatCount, formatTime } from '../../utils/format';
import { JobStateBadge } from '../Home/job-view';
import { entityName } from './crawl-view';
import { ErrorText } from './ErrorText';

interface Props {
  sourceId: string;
  /** the source's cursors, already narrowed to the picked tenant */
  cursors: CrawlCursor[];
  /** Admins reset a cursor; everyone else sees why they cannot */
  admin: boolean;
  onOpenJob: (id: string) => void;
  onReset: (cursor: CrawlCursor) => void;
}

/** Epoch ms as Grafana shows times; '' when unset. */
const epochTime = (ms: number | null) => (ms === null ? '' : formatTime(new Date(ms).toISOString()));

/**
 * A source's cursors, one per entity and tenant crawled: how many documents the index holds, up to which change it
 * has read, its newest incremental crawl and deletion sync (state, when, how many; a click opens the run log), its
 * last full reindex and last error, and (Admins) Reset, after which the next incremental crawl reads everything.
 */
export function Cursors({ sourceId, cursors, admin, onOpenJob, onReset }: Props) {
  const c = labels.crawler.cursors;
  const columns = useMemo(
    (): Array<Column<CrawlCursor>> => [
      {
        id: 'entity',
        header: c.columns.entity,
        cell: ({ row }) => (
          <span data-testid={testIds.crawler.cursor(sourceId, row.original.entity, row.original.tenant_id)}>
            {entityName(row.original.entity)}
          </span>
        ),
      },
      { id: 'tenant', header: c.columns.tenant, cell: ({ row }) => row.original.tenant_id },
      { id: 'indexed', header: c.columns.indexed, cell: ({ row }) => formatCount(row.original.indexed) },
      {
        id: 'readUpTo',
        header: c.columns.readUpTo,
        cell: ({ row }) =>
          row.original.updated_at === null ? (
            <Text color="secondary">{c.nothingRead}</Text>
          ) : (
            <span title={c.readUpToHint}>{epochTime(row.original.updated_at)}</span>
          ),
      },
      {
        id: 'incremental',
        header: c.columns.incremental,
        cell: ({ row }) => <RunCell run={row.original.last_incremental} verb={c.indexedVerb} onOpen={onOpenJob} />,
      },
      {
        id: 'full',
        header: c.columns.full,
        cell: ({ row }) =>
          row.original.last_full_at ? (
            <span title={formatTime(row.original.last_full_at)}>{formatAgo(row.original.last_full_at)}</span>
          ) : (
            <Text color="secondary">{c.never}</Text>
          ),
      },
      {
        id: 'deletion',
        header: c.columns.deletion,
        cell: ({ row }) => (
          <Stack direction="column" gap={0}>
            <RunCell run={row.original.last_deletion_sync} verb={c.removedVerb} onOpen={onOpenJob} />
            {row.original.deleted_since !== null && (
              <Text color="secondary" variant="bodySmall">
                {c.deletionsSince(epochTime(row.original.deleted_since))}
              </Text>
            )}
          </Stack>
        ),
      },
      {
        id: 'error',
        header: c.columns.error,
        cell: ({ row }) =>
          row.original.last_error ? (
            <ErrorText text={row.original.last_error} />
          ) : (
            <Text color="secondary">{c.noError}</Text>
          ),
      },
      {
        id: 'reset',
        header: '',
        cell: ({ row }) => (
          <Button
            size="sm"
            variant="secondary"
            icon="history"
            disabled={!admin}
            tooltip={admin ? c.resetHint : labels.crawler.adminOnly}
            onClick={() => onReset(row.original)}
            data-testid={testIds.crawler.resetCursor(sourceId, row.original.entity, row.original.tenant_id)}
          >
            {c.reset}
          </Button>
        ),
      },
    ],
    [c, sourceId, admin, onOpenJob, onReset]
  );
  return (
    <div data-testid={testIds.crawler.cursors(sourceId)}>
      <InteractiveTable<CrawlCursor>
        columns={columns}
        data={cursors}
        getRowId={(cursor) => `${cursor.entity}/${cursor.tenant_id}`}
      />
    </div>
  );
}

/** A cursor's newest run of one type: its state, when, how many documents; a click opens its run log. */
function RunCell({ run, verb, onOpen }: { run: CrawlRunSummary | null; verb: string; onOpen: (id: string) => void }) {
  const c = labels.crawler.cursors;
  if (!run) {
    return <Text color="secondary">{c.noRun}</Text>;
  }
  const at = run.finished_at ?? run.created_at;
  return (
    <Stack direction="row" gap={1} alignItems="center" wrap="wrap">
      <JobStateBadge state={run.state} />
      <Button
        size="sm"
        variant="secondary"
        fill="text"
        onClick={() => onOpen(run.job_id)}
        tooltip={run.last_error ?? `${formatTime(at)} · ${c.openLog}`}
        data-testid={testIds.crawler.openRun(run.job_id)}
      >
        {c.run(formatAgo(at), formatCount(run.done), verb)}
      </Button>
    </Stack>
  );
}
