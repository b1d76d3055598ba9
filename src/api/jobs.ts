import type {
  Job,
  JobDetail,
  JobState,
  JobsQuery,
  ScheduleInfo,
  StorageAnswer,
} from '../../backend/src/contracts/jobs';
import { request, type RequestOptions } from './client';
import { isRecord, UnexpectedResponseError } from './errors';

export type { Job, JobDetail, JobState, JobsQuery, ScheduleInfo, StorageAnswer };
export type StorageReport = NonNullable<StorageAnswer['report']>;
export type TenantStorage = StorageReport['tenants'][number];

type CallOptions = Pick<RequestOptions, 'signal' | 'timeoutMs'>;

function isJob(value: unknown): value is Job {
  return (
    isRecord(value) &&
    typeof value.id === 'string' &&
    typeof value.kind === 'string' &&
    typeof value.state === 'string' &&
    isRecord(value.progress) &&
    typeof value.created_at === 'string'
  );
}

/**
 * GET /v1/jobs?kind&state&tenant_id&limit (README, Jobs): newest first. The read key sees every job, platform-wide ones
 * (tenant_id null) too; with `tenant_id` only that tenant's.
 */
export async function listJobs(query: JobsQuery = {}, options: CallOptions = {}): Promise<Job[]> {
  const params = Object.fromEntries(Object.entries(query).filter(([, v]) => v !== undefined && v !== ''));
  const { data } = await request<unknown>('/v1/jobs', { params, ...options });
  if (!isRecord(data) || !Array.isArray(data.jobs) || !data.jobs.every(isJob)) {
    throw new UnexpectedResponseError('GET /v1/jobs without jobs', data);
  }
  return data.jobs;
}

/** GET /v1/jobs/:id: one job with its run log (oldest line first). */
export async function getJob(id: string, options: CallOptions = {}): Promise<JobDetail> {
  const { data } = await request<unknown>(`/v1/jobs/${encodeURIComponent(id)}`, options);
  if (!isJob(data) || !Array.isArray((data as { log?: unknown }).log)) {
    throw new UnexpectedResponseError(`GET /v1/jobs/${id} without a job and its log`, data);
  }
  return data as JobDetail;
}

/** GET /v1/storage: the latest nightly storage report (rows and bytes per tenant), null until the first one ran. */
export async function getStorageReport(options: CallOptions = {}): Promise<StorageReport | null> {
  const { data } = await request<unknown>('/v1/storage', options);
  if (!isRecord(data) || !('report' in data)) {
    throw new UnexpectedResponseError('GET /v1/storage without report', data);
  }
  const report = data.report;
  if (report === null) {
    return null;
  }
  if (
    !isRecord(report) ||
    !Array.isArray(report.tenants) ||
    typeof report.taken_at !== 'string' ||
    !isRecord(report.totals)
  ) {
    throw new UnexpectedResponseError('GET /v1/storage with a report without taken_at, tenants and totals', data);
  }
  return report as StorageReport;
}

const isInstantOrNull = (value: unknown) => value === null || typeof value === 'string';

function isSchedule(value: unknown): value is ScheduleInfo {
  return (
    isRecord(value) &&
    typeof value.name === 'string' &&
    typeof value.kind === 'string' &&
    typeof value.cron === 'string' &&
    typeof value.timezone === 'string' &&
    (value.tenant_id === null || typeof value.tenant_id === 'string') &&
    typeof value.enabled === 'boolean' &&
    isInstantOrNull(value.last_fire_at) &&
    isInstantOrNull(value.next_fire_at)
  );
}

/**
 * GET /v1/schedules: the cron schedules jobs are enqueued by, each with its last and next firing (ISO 8601 in UTC;
 * `next_fire_at` null when the backend cannot compute one). The read key sees every schedule, platform-wide ones
 * (tenant_id null) too.
 */
export async function listSchedules(options: CallOptions = {}): Promise<ScheduleInfo[]> {
  const { data } = await request<unknown>('/v1/schedules', options);
  if (!isRecord(data) || !Array.isArray(data.schedules) || !data.schedules.every(isSchedule)) {
    throw new UnexpectedResponseError('GET /v1/schedules without schedules', data);
  }
  return data.schedules;
}
