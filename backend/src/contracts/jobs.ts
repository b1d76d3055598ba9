import { Type, type Static } from '@sinclair/typebox';
import { ErrorBody, TenantId } from './common.js';

/**
 * The jobs API (issue "Platform", part 2). Its shape is fixed: other tools read it.
 * GET /v1/jobs?kind=&state= → {jobs: [Job]}; GET /v1/jobs/:id → Job + log; POST /v1/jobs/:id/cancel.
 * Timestamps are ISO 8601 in UTC (`2026-12-01T15:31:36.094Z`).
 */
export const JobState = Type.Union(
  [Type.Literal('queued'), Type.Literal('running'), Type.Literal('succeeded'), Type.Literal('failed'), Type.Literal('cancelled')],
  { description: 'queued (waiting, or waiting for a retry), running, succeeded, failed (attempts used up, or not retryable), cancelled' }
);
export type JobState = Static<typeof JobState>;

const Instant = Type.String({ format: 'date-time', description: 'ISO 8601 in UTC, e.g. 2026-12-01T15:31:36.094Z' });
const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);

export const JobProgress = Type.Object({
  done: Type.Integer({ minimum: 0, description: 'units of work done' }),
  total: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()], { description: 'units of work in all; null while unknown' }),
  message: Type.Union([Type.String(), Type.Null()], { description: 'what the job is doing now' }),
});

export const Job = Type.Object({
  id: Type.String({ description: 'job id (a UUID)' }),
  kind: Type.String({ description: 'what the job does, e.g. dead_letters.replay, storage.report' }),
  tenant_id: Type.Union([Type.String(), Type.Null()], { description: 'the tenant the job works for; null for platform-wide jobs' }),
  state: JobState,
  progress: JobProgress,
  attempts: Type.Integer({ minimum: 0, description: 'runs started (a retry, or a takeover after a lease ran out, counts one more)' }),
  created_at: Instant,
  started_at: Nullable(Instant),
  finished_at: Nullable(Instant),
  last_error: Type.Union([Type.String(), Type.Null()]),
});
export type Job = Static<typeof Job>;

export const JobLogLine = Type.Object({
  at: Instant,
  attempt: Type.Integer({ minimum: 0, description: '0 for lines written before the first run (e.g. by the schedule)' }),
  level: Type.Union([Type.Literal('info'), Type.Literal('warn'), Type.Literal('error')]),
  message: Type.String(),
});

export const JobDetail = Type.Intersect([Job, Type.Object({ log: Type.Array(JobLogLine, { description: 'the run log, oldest first (the newest 1000 lines)' }) })]);
export type JobDetail = Static<typeof JobDetail>;

export const JobList = Type.Object({ jobs: Type.Array(Job) });
export type JobList = Static<typeof JobList>;

/** Kinds are dotted snake_case names; which ones exist is checked against the registered handlers. */
export const JobKind = Type.String({ minLength: 1, maxLength: 100, description: 'a job kind, e.g. dead_letters.replay' });

export const JobsQuery = Type.Object(
  {
    kind: Type.Optional(JobKind),
    state: Type.Optional(JobState),
    tenant_id: Type.Optional(TenantId),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100, description: 'newest first' })),
  },
  { additionalProperties: false }
);
export type JobsQuery = Static<typeof JobsQuery>;

export const JOB_ID_PATTERN = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';
export const JobIdParams = Type.Object(
  { id: Type.String({ maxLength: 100, description: 'a job id as GET /v1/jobs lists it (a lower-case UUID)' }) },
  { additionalProperties: false }
);
export type JobIdParams = Static<typeof JobIdParams>;

/** 202 of a request that runs as a job: follow it with GET /v1/jobs/:job_id. */
export const JobAccepted = Type.Object({ job_id: Type.String() });
export type JobAccepted = Static<typeof JobAccepted>;

export const TenantStorage = Type.Object({
  tenant_id: Type.String(),
  rows: Type.Integer({ description: "the tenant's rows in events" }),
  bytes: Type.Integer({ description: "the tenant's share of the bytes on disk of every table keyed by tenant" }),
  tables: Type.Array(Type.Object({ table: Type.String(), rows: Type.Integer(), bytes: Type.Integer() })),
});

export const StorageReport = Type.Object({
  taken_at: Instant,
  job_id: Type.Union([Type.String(), Type.Null()]),
  tenants: Type.Array(TenantStorage),
  totals: Type.Object({ rows: Type.Integer(), bytes: Type.Integer() }),
});

/** GET /v1/storage: the latest nightly report; null until the first one ran. */
export const StorageAnswer = Type.Object({ report: Type.Union([StorageReport, Type.Null()]) });
export type StorageAnswer = Static<typeof StorageAnswer>;

/** The error answers of the jobs routes, for the OpenAPI document. */
export const JOB_ERRORS = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };

/** GET /v1/schedules: the cron schedules jobs are enqueued by, with their next firing. */
export const ScheduleInfo = Type.Object({
  name: Type.String(),
  kind: Type.String({ description: 'the kind of job each firing enqueues' }),
  cron: Type.String(),
  timezone: Type.String({ description: 'IANA time zone the cron expression is read in' }),
  tenant_id: Type.Union([Type.String(), Type.Null()]),
  enabled: Type.Boolean(),
  last_fire_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  next_fire_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});
export type ScheduleInfo = Static<typeof ScheduleInfo>;
export const ScheduleList = Type.Object({ schedules: Type.Array(ScheduleInfo) });
export type ScheduleList = Static<typeof ScheduleList>;
