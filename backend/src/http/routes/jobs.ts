import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { scopeTenant } from '../../auth/keys.js';
import { Job, JOB_ERRORS, JOB_ID_PATTERN, JobAccepted, JobDetail, JobIdParams, JobList, JobsQuery, ScheduleList, StorageAnswer } from '../../contracts/jobs.js';
import { STORAGE_REPORT_KIND } from '../../jobs/storage-report.js';
import type { Services } from '../../services.js';
import { reads, writes } from '../authenticate.js';
import { badRequest, notFound } from '../errors.js';

const JOB_ID = new RegExp(JOB_ID_PATTERN);

function jobId(id: string): string {
  if (!JOB_ID.test(id)) {
    throw badRequest('invalid_id', `'${id.slice(0, 60)}' is not a job id: job ids are lower-case UUIDs (e.g. 0f8e2f7a-3c1d-4b9e-8f00-1a2b3c4d5e6f) as GET /v1/jobs lists them`);
  }
  return id;
}

/**
 * Jobs (issue "Platform", part 2): list, read with the run log, cancel. A tenant's keys see that
 * tenant's jobs; admin and viewer keys see every job (platform-wide ones too). Also the storage
 * report the nightly job writes (GET /v1/storage, for Home) and a way to take one now.
 */
export function jobRoutes(svc: Services): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/v1/schedules',
      {
        schema: { tags: ['jobs'], summary: 'Cron schedules and their next firing', response: { 200: ScheduleList, ...JOB_ERRORS } },
        config: reads('listing schedules'),
      },
      async (req) => {
        // Platform-wide schedules (no tenant) are shown to every reader: they say when shared work runs.
        const own = req.principal.tenantId;
        const all = await svc.jobs.schedules.list();
        return {
          schedules: all
            .filter((s) => own === null || s.tenantId === null || s.tenantId === undefined || s.tenantId === own)
            .map((s) => ({
              name: s.name,
              kind: s.kind,
              cron: s.cron,
              timezone: s.timezone,
              tenant_id: s.tenantId ?? null,
              enabled: s.enabled ?? true,
              last_fire_at: s.lastFireAt,
              next_fire_at: s.nextFireAt,
            })),
        };
      }
    );

    app.get(
      '/v1/jobs',
      {
        schema: { tags: ['jobs'], summary: 'Jobs, newest first, by kind and state', querystring: JobsQuery, response: { 200: JobList, ...JOB_ERRORS } },
        config: reads('listing jobs'),
      },
      async (req) => {
        const tenant = scopeTenant(req.principal, req.query.tenant_id);
        const kind = req.query.kind;
        if (kind !== undefined && !svc.jobs.kinds().includes(kind)) {
          throw badRequest('invalid_kind', `kind '${kind.slice(0, 100)}' is unknown: kind must be one of ${svc.jobs.kinds().join(', ')}`);
        }
        return { jobs: await svc.jobs.list({ kind, state: req.query.state, tenant, limit: req.query.limit ?? 100 }) };
      }
    );

    app.get(
      '/v1/jobs/:id',
      {
        schema: { tags: ['jobs'], summary: 'One job with its progress and run log', params: JobIdParams, response: { 200: JobDetail, ...JOB_ERRORS } },
        config: reads('reading a job'),
      },
      async (req) => {
        const id = jobId(req.params.id);
        const job = await svc.jobs.get(id, req.principal.tenantId);
        if (!job) {
          throw notFound(`job '${id}' not found${req.principal.tenantId ? ` for tenant '${req.principal.tenantId}'` : ''}: list jobs with GET /v1/jobs`);
        }
        return job;
      }
    );

    app.post(
      '/v1/jobs/:id/cancel',
      {
        schema: {
          tags: ['jobs'],
          summary: 'Cancel a queued or running job (409 when it already finished); a running handler is aborted',
          params: JobIdParams,
          response: { 200: Job, ...JOB_ERRORS },
        },
        config: writes('cancelling jobs', ['admin', 'tenant-admin']),
      },
      async (req) => svc.jobs.cancel(jobId(req.params.id), req.principal.tenantId)
    );

    app.get(
      '/v1/storage',
      {
        schema: { tags: ['jobs'], summary: "The latest nightly storage report: rows and bytes per tenant (a tenant's key sees its own)", response: { 200: StorageAnswer, ...JOB_ERRORS } },
        config: reads('reading the storage report'),
      },
      async (req) => ({ report: await svc.storageReports.latest(req.principal.tenantId) })
    );

    app.post(
      '/v1/storage/refresh',
      {
        schema: { tags: ['jobs'], summary: 'Take a storage report now, as a job (202 {job_id})', response: { 202: JobAccepted, ...JOB_ERRORS } },
        config: writes('taking a storage report', ['admin']),
      },
      async (_req, reply) => {
        // one at a time: a second request while one runs answers the running one
        const { id } = await svc.jobs.enqueue({ kind: STORAGE_REPORT_KIND, dedupKey: 'refresh' });
        return reply.status(202).send({ job_id: id });
      }
    );
  };
}
