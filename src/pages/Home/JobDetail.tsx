import React, { useEffect, useMemo } from 'react';
import { Alert, Button, Card, type Column, InteractiveTable, LoadingPlaceholder, Stack, Text } from '@grafana/ui';
import { ApiError } from '../../api/errors';
import { getJob, type JobDetail as JobDetailData } from '../../api/jobs';
import { ErrorAlert } from '../../components/ErrorAlert';
import { testIds } from '../../components/testIds';
import { useRequest } from '../../hooks/useRequest';
import { labels } from '../../labels';
import { formatAgo, formatTime } from '../../utils/format';
import { jobKindName, jobProgress, JobStateBadge } from './job-view';

type LogLine = JobDetailData['log'][number];

interface Props {
  id: string;
  onClose: () => void;
  apiUrlSet?: boolean;
  /** Ask again this often while the job is queued or running, so its progress and log follow it (Crawler page). */
  pollMs?: number;
}

/** One job (GET /v1/jobs/:id): its state, attempts, times, last error and run log; opened from the Jobs list. */
export function JobDetail({ id, onClose, apiUrlSet, pollMs }: Props) {
  const { data: job, loading, error, retry } = useRequest(`job:${id}`, (signal) => getJob(id, { signal }));
  const live = pollMs !== undefined && (job?.state === 'running' || job?.state === 'queued');
  useEffect(() => {
    if (!live || loading) {
      return;
    }
    const timer = setTimeout(retry, pollMs);
    return () => clearTimeout(timer);
  }, [live, loading, pollMs, retry]);
  // A 400 (not a job id: a mangled link) keeps the backend's own words; a 404 is a job deleted after its retention.
  const gone = error instanceof ApiError && error.fromBackend && error.status === 404;

  return (
    <div data-testid={testIds.jobs.detail} style={{ marginTop: 16 }}>
      <Card noMargin>
        <Card.Heading>{labels.jobs.detail.title(job ? jobKindName(job.kind) : id)}</Card.Heading>
        <Card.Actions>
          <Button variant="secondary" size="sm" icon="times" onClick={onClose} data-testid={testIds.jobs.detailClose}>
            {labels.jobs.detail.close}
          </Button>
        </Card.Actions>
        <Card.Description>
          {loading && !job && error === undefined && <LoadingPlaceholder text={labels.jobs.detail.loading} />}
          {error !== undefined && !loading && gone && (
            <div data-testid={testIds.jobs.detailError}>
              <Alert severity="warning" title={labels.jobs.detail.notFound} />
            </div>
          )}
          {error !== undefined && !loading && !gone && (
            <ErrorAlert error={error} apiUrlSet={apiUrlSet} onRetry={retry} testId={testIds.jobs.detailError} />
          )}
          {job && error === undefined && <JobFacts job={job} />}
        </Card.Description>
      </Card>
    </div>
  );
}

function JobFacts({ job }: { job: JobDetailData }) {
  const when = (iso: string | null) => (iso ? `${formatTime(iso)} (${formatAgo(iso)})` : labels.jobs.detail.notYet);
  const facts: Array<[string, React.ReactNode]> = [
    [labels.jobs.detail.id, job.id],
    [labels.jobs.detail.tenant, job.tenant_id ?? labels.jobs.platform],
    [labels.jobs.detail.state, <JobStateBadge key="state" state={job.state} />],
    [labels.jobs.detail.progress, jobProgress(job)],
    [labels.jobs.detail.attempts, String(job.attempts)],
    [labels.jobs.detail.created, when(job.created_at)],
    [labels.jobs.detail.started, when(job.started_at)],
    [labels.jobs.detail.finished, when(job.finished_at)],
  ];
  return (
    <Stack direction="column" gap={2}>
      <dl style={{ display: 'grid', gridTemplateColumns: 'max-content 1fr', columnGap: 16, rowGap: 4, margin: 0 }}>
        {facts.map(([name, value]) => (
          <React.Fragment key={name}>
            <dt>
              <Text color="secondary">{name}</Text>
            </dt>
            <dd style={{ margin: 0 }}>{value}</dd>
          </React.Fragment>
        ))}
      </dl>
      {job.last_error && (
        <Alert
          severity={job.state === 'failed' ? 'error' : 'warning'}
          title={`${labels.jobs.detail.lastError}: ${job.last_error}`}
        >
          {job.state === 'failed' ? labels.jobs.detail.failedHint : null}
        </Alert>
      )}
      <JobLog log={job.log} />
    </Stack>
  );
}

function JobLog({ log }: { log: LogLine[] }) {
  const columns = useMemo(
    (): Array<Column<LogLine & { n: number }>> => [
      { id: 'at', header: labels.jobs.detail.logColumns.at, cell: ({ row }) => formatTime(row.original.at) },
      { id: 'attempt', header: labels.jobs.detail.logColumns.attempt, cell: ({ row }) => String(row.original.attempt) },
      {
        id: 'level',
        header: labels.jobs.detail.logColumns.level,
        cell: ({ row }) => (
          <Text
            color={row.original.level === 'error' ? 'error' : row.original.level === 'warn' ? 'warning' : undefined}
          >
            {row.original.level}
          </Text>
        ),
      },
      { id: 'message', header: labels.jobs.detail.logColumns.message, cell: ({ row }) => row.original.message },
    ],
    []
  );
  const data = useMemo(() => log.map((line, n) => ({ ...line, n })), [log]);
  return (
    <div data-testid={testIds.jobs.log}>
      <Text element="h5">{labels.jobs.detail.log}</Text>
      {log.length === 0 ? (
        <Text color="secondary">{labels.jobs.detail.logEmpty}</Text>
      ) : (
        <InteractiveTable columns={columns} data={data} getRowId={(line) => String(line.n)} />
      )}
    </div>
  );
}
