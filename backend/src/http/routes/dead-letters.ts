import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { scopeTenant } from '../../auth/keys.js';
import { DeadLetterList, DeadLetterQuery, ReplayBody, ReplayResponse } from '../../contracts/admin.js';
import { ErrorResponses } from '../../contracts/common.js';
import { JobAccepted } from '../../contracts/jobs.js';
import { checkDeadLetterId } from '../../ingest/dead-letters.js';
import { DEAD_LETTER_REPLAY_KIND, REPLAY_INLINE_MAX, replayDedupKey, type ReplayPayload } from '../../jobs/dead-letter-replay.js';
import type { Services } from '../../services.js';
import { reads, writes } from '../authenticate.js';
import { notFound } from '../errors.js';

/** Dead letters: rejected events with their reason; list and replay (issue "Foundation", item 5). */
export function deadLetterRoutes(svc: Services): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/v1/dead-letters',
      {
        schema: { tags: ['dead letters'], summary: 'Rejected events, newest first', querystring: DeadLetterQuery, response: { 200: DeadLetterList, ...ErrorResponses } },
        config: reads('listing dead letters'),
      },
      async (req) => {
        const tenant = scopeTenant(req.principal, req.query.tenant_id);
        const items = await svc.deadLetters.list({
          tenant,
          limit: req.query.limit ?? 100,
          beforeId: req.query.before_id,
          includeReplayed: req.query.include_replayed ?? false,
        });
        return { dead_letters: items, next_before_id: items.length ? (items[items.length - 1]?.id ?? null) : null };
      }
    );

    app.post(
      '/v1/dead-letters/replay',
      {
        schema: {
          tags: ['dead letters'],
          summary: `Validate and ingest dead letters again; more than ${REPLAY_INLINE_MAX} ids run as a job (202 {job_id}, follow it with GET /v1/jobs/:id)`,
          body: ReplayBody,
          response: { 200: ReplayResponse, 202: JobAccepted, ...ErrorResponses },
        },
        config: writes('replaying dead letters', ['admin', 'tenant-admin']),
      },
      async (req, reply) => {
        const tenant = scopeTenant(req.principal, undefined);
        if (req.body.ids.length > REPLAY_INLINE_MAX) {
          // Many ids run as a job with progress (issue "Platform", part 2).
          const ids = req.body.ids.map((id, i) => checkDeadLetterId(id, `ids[${i}]`));
          const payload: ReplayPayload = { ids, principal: req.principal, request_id: req.id };
          const job = await svc.jobs.enqueue({ kind: DEAD_LETTER_REPLAY_KIND, tenantId: tenant, payload, dedupKey: replayDedupKey(ids, req.principal) });
          return reply.status(202).send({ job_id: job.id });
        }
        const letters = await svc.deadLetters.get(req.body.ids, tenant);
        if (letters.length === 0) {
          throw notFound('none of these dead letters exist for this key (or they were replayed already)');
        }
        const res = await svc.ingest.replay(letters, req.principal, req.id);
        await svc.deadLetters.markReplayed(res.replayed);
        await svc.deadLetters.markFailedAgain(res.failed);
        return res;
      }
    );
  };
}
