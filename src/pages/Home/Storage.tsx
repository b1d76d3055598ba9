import React, { useCallback, useMemo } from 'react';
import { type Column, InteractiveTable, LoadingPlaceholder, Stack, Text } from '@grafana/ui';
import { getStorageReport, type StorageReport, type TenantStorage } from '../../api/jobs';
import { ErrorAlert } from '../../components/ErrorAlert';
import { SectionHeader } from '../../components/SectionHeader';
import { testIds } from '../../components/testIds';
import { useRequest } from '../../hooks/useRequest';
import { labels } from '../../labels';
import { formatAgo, formatBytes, formatCount, formatShare, formatTime } from '../../utils/format';
import { type Schedules, SchedulesPending, soonestFiring } from './schedules';

/** The job kind of the nightly storage report (backend/src/jobs/storage-report.ts, STORAGE_REPORT_KIND). */
export const STORAGE_REPORT_KIND = 'storage.report';

interface Props {
  /** The picked tenant: its row and its tables; undefined: every tenant the key sees. */
  tenant: string | undefined;
  /** The backend's schedules, read once for Home: the next run is the storage report schedule's next firing. */
  schedules: Schedules;
  apiUrlSet?: boolean;
}

/**
 * The nightly storage report (issue "Platform", part 2; GET /v1/storage): rows and bytes on disk per tenant in
 * ClickHouse, when it was measured and when the next run is due (its schedule in GET /v1/schedules).
 */
export function Storage({ tenant, schedules, apiUrlSet }: Props) {
  // One report for every tenant the key sees; the picked tenant is a view of it, not another request.
  const { data: report, loading, error, retry } = useRequest('storage', (signal) => getStorageReport({ signal }));
  const retrySchedules = schedules.retry;
  const refresh = useCallback(() => {
    retry();
    retrySchedules();
  }, [retry, retrySchedules]);

  return (
    <section data-testid={testIds.storage.container} aria-label={labels.storage.title}>
      <SectionHeader
        title={labels.storage.title}
        refreshLabel={labels.storage.refresh}
        onRefresh={refresh}
        loading={loading}
        refreshTestId={testIds.storage.refresh}
      />
      <Text element="p" color="secondary" variant="bodySmall">
        {labels.storage.hint}
      </Text>
      <NextRun schedules={schedules} apiUrlSet={apiUrlSet} sectionFailed={error !== undefined && !loading} />
      {loading && report === undefined && error === undefined && (
        <LoadingPlaceholder text={labels.storage.loading} data-testid={testIds.storage.loading} />
      )}
      {error !== undefined && !loading && (
        <ErrorAlert error={error} apiUrlSet={apiUrlSet} onRetry={refresh} testId={testIds.storage.error} />
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

/** When the storage report's schedule fires next, or why it does not. */
function NextRun({
  schedules,
  apiUrlSet,
  sectionFailed,
}: {
  schedules: Schedules;
  apiUrlSet?: boolean;
  sectionFailed: boolean;
}) {
  const { data } = schedules;
  const own = useMemo(() => (data ?? []).filter((s) => s.kind === STORAGE_REPORT_KIND), [data]);
  const next = useMemo(() => soonestFiring(own), [own]);
  let shown: React.ReactNode;
  if (!data) {
    shown = <SchedulesPending schedules={schedules} apiUrlSet={apiUrlSet} sectionFailed={sectionFailed} />;
  } else if (next?.next_fire_at) {
    shown = labels.storage.nextRunAt(
      formatAgo(next.next_fire_at),
      formatTime(next.next_fire_at),
      next.cron,
      next.timezone
    );
  } else {
    const enabled = own.find((s) => s.enabled);
    shown = (
      <Text color="secondary">
        {own.length === 0
          ? labels.storage.nextRunMissing
          : enabled
            ? labels.storage.nextRunUnknown(enabled.cron, enabled.timezone)
            : labels.storage.nextRunDisabled}
      </Text>
    );
  }
  return (
    <div data-testid={testIds.storage.nextRun}>
      <Text element="p" variant="bodySmall">
        <Text weight="medium">{labels.storage.nextRun}:</Text> {shown}
      </Text>
    </div>
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
