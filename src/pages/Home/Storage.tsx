import React, { useMemo } from 'react';
import { Button, type Column, InteractiveTable, LoadingPlaceholder, Stack, Text } from '@grafana/ui';
import { getStorageReport, type StorageReport, type TenantStorage } from '../../api/jobs';
import { ErrorAlert } from '../../components/ErrorAlert';
import { testIds } from '../../components/testIds';
import { useRequest } from '../../hooks/useRequest';
import { labels } from '../../labels';
import { formatAgo, formatBytes, formatCount, formatShare, formatTime } from '../../utils/format';

interface Props {
  /** The picked tenant: its row and its tables; undefined: every tenant the key sees. */
  tenant: string | undefined;
  apiUrlSet?: boolean;
}

/**
 * The nightly storage report (issue "Platform", part 2; GET /v1/storage): rows and bytes on disk per tenant in
 * ClickHouse, when it was measured and when the next run is due.
 */
export function Storage({ tenant, apiUrlSet }: Props) {
  // One report for every tenant the key sees; the picked tenant is a view of it, not another request.
  const { data: report, loading, error, retry } = useRequest('storage', (signal) => getStorageReport({ signal }));

  return (
    <section data-testid={testIds.storage.container} aria-label={labels.storage.title}>
      <Stack direction="row" alignItems="center" justifyContent="space-between">
        <Text element="h3">{labels.storage.title}</Text>
        <Button
          variant="secondary"
          size="sm"
          icon="sync"
          onClick={retry}
          disabled={loading}
          data-testid={testIds.storage.refresh}
        >
          {labels.storage.refresh}
        </Button>
      </Stack>
      <Text element="p" color="secondary" variant="bodySmall">
        {labels.storage.hint}
      </Text>
      {loading && report === undefined && error === undefined && (
        <LoadingPlaceholder text={labels.storage.loading} data-testid={testIds.storage.loading} />
      )}
      {error !== undefined && !loading && (
        <ErrorAlert error={error} apiUrlSet={apiUrlSet} onRetry={retry} testId={testIds.storage.error} />
      )}
      {report === null && error === undefined && (
        <div data-testid={testIds.storage.empty}>
          <Text element="p">{labels.storage.empty}</Text>
          <Text element="p" color="secondary" variant="bodySmall">
            {labels.storage.emptyHint}
          </Text>
        </div>
      )}
      {report && error === undefined && <Report report={report} tenant={tenant} />}
    </section>
  );
}

function Report({ report, tenant }: { report: StorageReport; tenant: string | undefined }) {
  const rows = useMemo(
    () => (tenant ? report.tenants.filter((t) => t.tenant_id === tenant) : report.tenants),
    [report, tenant]
  );
  const columns = useMemo(
    (): Array<Column<TenantStorage>> => [
      { id: 'tenant_id', header: labels.storage.columns.tenant },
      { id: 'rows', header: labels.storage.columns.rows, cell: ({ row }) => formatCount(row.original.rows) },
      { id: 'bytes', header: labels.storage.columns.bytes, cell: ({ row }) => formatBytes(row.original.bytes) },
      {
        id: 'share',
        header: labels.storage.columns.share,
        cell: ({ row }) => formatShare(row.original.bytes, report.totals.bytes),
      },
    ],
    [report]
  );
  const picked = tenant ? rows[0] : undefined;

  return (
    <Stack direction="column" gap={1}>
      <div data-testid={testIds.storage.measured}>
        <Text element="p">{labels.storage.measured(formatAgo(report.taken_at), formatTime(report.taken_at))}</Text>
      </div>
      <div data-testid={testIds.storage.nextRun}>
        <Text element="p" variant="bodySmall">
          <Text weight="medium">{labels.storage.nextRun}:</Text>{' '}
          <Text color="secondary">{labels.jobs.nextUnknown}</Text>
        </Text>
      </div>
      {tenant && rows.length === 0 ? (
        <div data-testid={testIds.storage.tenantMissing}>
          <Text element="p">{labels.storage.tenantMissing(tenant)}</Text>
        </div>
      ) : (
        <div data-testid={testIds.storage.table}>
          <InteractiveTable<TenantStorage> columns={columns} data={rows} getRowId={(t) => t.tenant_id} />
        </div>
      )}
      {!tenant && (
        <div data-testid={testIds.storage.totals}>
          <Text element="p" color="secondary">
            {labels.storage.totals(
              formatCount(report.tenants.length),
              formatCount(report.totals.rows),
              formatBytes(report.totals.bytes)
            )}
          </Text>
        </div>
      )}
      {picked && <TenantTables storage={picked} />}
    </Stack>
  );
}

type TableRow = TenantStorage['tables'][number];

function TenantTables({ storage }: { storage: TenantStorage }) {
  const columns = useMemo(
    (): Array<Column<TableRow>> => [
      { id: 'table', header: labels.storage.columns.table },
      { id: 'rows', header: labels.storage.columns.tableRows, cell: ({ row }) => formatCount(row.original.rows) },
      { id: 'bytes', header: labels.storage.columns.bytes, cell: ({ row }) => formatBytes(row.original.bytes) },
    ],
    []
  );
  return (
    <div data-testid={testIds.storage.tables}>
      <Text element="h5">{labels.storage.tables(storage.tenant_id)}</Text>
      <InteractiveTable<TableRow> columns={columns} data={storage.tables} getRowId={(t) => t.table} />
    </div>
  );
}
