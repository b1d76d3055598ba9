import React, { useCallback, useEffect, useMemo } from 'react';
import { Button, type Column, InteractiveTable, LoadingPlaceholder, Tab, TabsBar, Text } from '@grafana/ui';
import { listJobs, type Job } from '../../api/jobs';
import { ErrorAlert } from '../../components/ErrorAlert';
import { SectionHeader } from '../../components/SectionHeader';
import { testIds } from '../../components/testIds';
import { useRequest } from '../../hooks/useRequest';
import type { UrlState } from '../../hooks/useUrlState';
import { labels } from '../../labels';
import { formatAgo, formatTime } from '../../utils/format';
import { JobDetail } from './JobDetail';
import { jobKindName, jobProgress, JobStateBadge } from './job-view';
import { type Schedules, SchedulesPending, soonestFiring } from './schedules';

/** Home's URL params of this section: the tab shown and the job whose log is open. */
export const JOB_PARAMS = { tab: 'jobs', job: 'job' } as const;

export type JobsTab = 'recent' | 'running' | 'failed';
const TABS: JobsTab[] = ['recent', 'running', 'failed'];

/** The newest jobs of any state, shown under Recent. */
export const RECENT_LIMIT = 20;
/** Running, waiting and failed jobs listed at most (the tabs' counts say "100+" beyond). */
export const STATE_LIMIT = 100;
/** While a job runs or waits, the section asks again this often, so progress moves without a click. */
export const POLL_MS = 5_000;

export function parseTab(value: string | null): JobsTab {
  return TABS.includes(value as JobsTab) ? (value as JobsTab) : 'recent';
}

export interface JobLists {
  recent: Job[];
  /** running first, then queued */
  active: Job[];
  failed: Job[];
}

/** The section's four lists, in one go: newest of any state, running, queued, failed (all for the picked tenant). */
export async function loadJobs(tenant: string | undefined, signal: AbortSignal): Promise<JobLists> {
  const list = (query: Parameters<typeof listJobs>[0]) => listJobs({ tenant_id: tenant, ...query }, { signal });
  const [recent, running, queued, failed] = await Promise.all([
    list({ limit: RECENT_LIMIT }),
    list({ state: 'running', limit: STATE_LIMIT }),
    list({ state: 'queued', limit: STATE_LIMIT }),
    list({ state: 'failed', limit: STATE_LIMIT }),
  ]);
  return { recent, active: [...running, ...queued], failed };
}

interface Props {
  state: UrlState;
  /** The backend's schedules, read once for Home (Storage shows them too). */
  schedules: Schedules;
  apiUrlSet?: boolean;
}

/**
 * Home's Jobs section (issue "Platform", part 2): what runs and waits, what failed, the newest of all, for the picked
 * tenant (or every tenant and the platform's own jobs); when the next scheduled job fires; a job's error and run log
 * open below the list. The tab and the open job are in the URL.
 */
export function Jobs({ state, schedules, apiUrlSet }: Props) {
  const { tenant, params, update } = state;
  const tab = parseTab(params.get(JOB_PARAMS.tab));
  const openId = params.get(JOB_PARAMS.job) || undefined;
  const { data, loading, error, retry } = useRequest(`jobs:${tenant ?? ''}`, (signal) => loadJobs(tenant, signal));

  const busy = (data?.active.length ?? 0) > 0;
  useEffect(() => {
    if (!busy || loading) {
      return;
    }
    const timer = setTimeout(retry, POLL_MS);
    return () => clearTimeout(timer);
  }, [busy, loading, retry]);

  const open = useCallback((id: string) => update({ [JOB_PARAMS.job]: id }), [update]);
  const retrySchedules = schedules.retry;
  const refresh = useCallback(() => {
    retry();
    retrySchedules();
  }, [retry, retrySchedules]);
  const shown = data ? (tab === 'recent' ? data.recent : tab === 'running' ? data.active : data.failed) : [];
  const count = (jobs: Job[] | undefined, limit: number) => (jobs ? Math.min(jobs.length, limit) : null);

  return (
    <section data-testid={testIds.jobs.container} aria-label={labels.jobs.title}>
      <SectionHeader
        title={labels.jobs.title}
        refreshLabel={labels.jobs.refresh}
        onRefresh={refresh}
        loading={loading}
        refreshTestId={testIds.jobs.refresh}
      />
      <div data-testid={testIds.jobs.scope}>
        <Text element="p" color="secondary" variant="bodySmall">
          {tenant ? labels.jobs.oneTenant(tenant) : labels.jobs.allTenants}
        </Text>
      </div>
      <NextScheduled
        schedules={schedules}
        tenant={tenant}
        apiUrlSet={apiUrlSet}
        sectionFailed={error !== undefined && !loading}
      />
      <TabsBar>
        {TABS.map((id) => (
          <Tab
            key={id}
            data-testid={testIds.jobs.tab(id)}
            label={labels.jobs.tabs[id]}
            active={tab === id}
            counter={
              id === 'recent'
                ? count(data?.recent, RECENT_LIMIT)
                : id === 'running'
                  ? count(data?.active, 2 * STATE_LIMIT)
                  : count(data?.failed, STATE_LIMIT)
            }
            onChangeTab={() => update({ [JOB_PARAMS.tab]: id === 'recent' ? undefined : id })}
          />
        ))}
      </TabsBar>
      <div style={{ paddingTop: 8 }}>
        {loading && !data && error === undefined && (
          <LoadingPlaceholder text={labels.jobs.loading} data-testid={testIds.jobs.loading} />
        )}
        {error !== undefined && !loading && (
          <ErrorAlert error={error} apiUrlSet={apiUrlSet} onRetry={refresh} testId={testIds.jobs.error} />
        )}
        {data && error === undefined && shown.length === 0 && <EmptyJobs tab={tab} tenant={tenant} />}
        {data && error === undefined && shown.length > 0 && <JobTable jobs={shown} onOpen={open} />}
      </div>
      {openId && (
        <JobDetail id={openId} apiUrlSet={apiUrlSet} onClose={() => update({ [JOB_PARAMS.job]: undefined })} />
      )}
    </section>
  );
}

/**
 * The soonest firing of an enabled schedule: every schedule's for All tenants, else the platform's and the picked
 * tenant's (as the backend shows a tenant's own key), as the job's kind and the time, relative and absolute.
 */
function NextScheduled({
  schedules,
  tenant,
  apiUrlSet,
  sectionFailed,
}: {
  schedules: Schedules;
  tenant?: string;
  apiUrlSet?: boolean;
  sectionFailed: boolean;
}) {
  const next = useMemo(
    () =>
      schedules.data && soonestFiring(schedules.data, (s) => !tenant || s.tenant_id === null || s.tenant_id === tenant),
    [schedules.data, tenant]
  );
  const at = next?.next_fire_at ?? undefined;
  return (
    <div data-testid={testIds.jobs.nextScheduled}>
      <Text element="p" variant="bodySmall">
        <Text weight="medium">{labels.jobs.nextScheduled}:</Text>{' '}
        {!schedules.data ? (
          <SchedulesPending schedules={schedules} apiUrlSet={apiUrlSet} sectionFailed={sectionFailed} />
        ) : next && at ? (
          <span title={`${next.name}: ${next.cron} (${next.timezone})`}>
            {labels.jobs.nextFiring(jobKindName(next.kind), next.tenant_id, formatAgo(at), formatTime(at))}
          </span>
        ) : (
          <Text color="secondary">{tenant ? labels.jobs.nextNoneTenant(tenant) : labels.jobs.nextNone}</Text>
        )}
      </Text>
    </div>
  );
}

function EmptyJobs({ tab, tenant }: { tab: JobsTab; tenant: string | undefined }) {
  const [message, hint] =
    tab === 'running'
      ? [labels.jobs.empty.running, '']
      : tab === 'failed'
        ? [labels.jobs.empty.failed, labels.jobs.empty.failedHint]
        : tenant
          ? [labels.jobs.empty.tenant(tenant), labels.jobs.empty.tenantHint]
          : [labels.jobs.empty.all, labels.jobs.empty.allHint];
  return (
    <div data-testid={testIds.jobs.empty}>
      <Text element="p">{message}</Text>
      {hint && (
        <Text element="p" color="secondary" variant="bodySmall">
          {hint}
        </Text>
      )}
    </div>
  );
}

function JobTable({ jobs, onOpen }: { jobs: Job[]; onOpen: (id: string) => void }) {
  const columns = useMemo(
    (): Array<Column<Job>> => [
      {
        id: 'kind',
        header: labels.jobs.columns.kind,
        cell: ({ row }) => <span title={row.original.id}>{jobKindName(row.original.kind)}</span>,
      },
      {
        id: 'tenant',
        header: labels.jobs.columns.tenant,
        cell: ({ row }) => row.original.tenant_id ?? <Text color="secondary">{labels.jobs.platform}</Text>,
      },
      {
        id: 'state',
        header: labels.jobs.columns.state,
        cell: ({ row }) => <JobStateBadge state={row.original.state} />,
      },
      {
        id: 'progress',
        header: labels.jobs.columns.progress,
        cell: ({ row }) =>
          row.original.state === 'failed' && row.original.last_error ? (
            <Text color="error" truncate>
              {row.original.last_error}
            </Text>
          ) : (
            <Text truncate>{jobProgress(row.original)}</Text>
          ),
      },
      { id: 'attempts', header: labels.jobs.columns.attempts, cell: ({ row }) => String(row.original.attempts) },
      {
        id: 'created',
        header: labels.jobs.columns.created,
        cell: ({ row }) => (
          <span title={formatTime(row.original.created_at)}>{formatAgo(row.original.created_at)}</span>
        ),
      },
      {
        id: 'finished',
        header: labels.jobs.columns.finished,
        cell: ({ row }) => (
          <span title={formatTime(row.original.finished_at)}>{formatAgo(row.original.finished_at)}</span>
        ),
      },
      {
        id: 'open',
        header: labels.jobs.columns.open,
        cell: ({ row }) => (
          <Button
            size="sm"
            variant="secondary"
            icon="file-alt"
            onClick={() => onOpen(row.original.id)}
            data-testid={testIds.jobs.open(row.original.id)}
          >
            {labels.jobs.open}
          </Button>
        ),
      },
    ],
    [onOpen]
  );
  return (
    <div data-testid={testIds.jobs.table}>
      <InteractiveTable<Job> columns={columns} data={jobs} getRowId={(job) => job.id} />
    </div>
  );
}
