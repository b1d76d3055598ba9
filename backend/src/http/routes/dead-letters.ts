import type { FastifyPluginAsync } from 'fastify';
import { scopeTenant } from '../../auth/keys.js';
import { DeadLetterQuery, ReplayBody, type ReplayResponse } from '../../contracts/admin.js';
import type { Services } from '../../services.js';
import { reads, writes } from '../authenticate.js';
import { notFound } from '../errors.js';

/** Dead letters: rejected events with their reason; list and replay (issue "Foundation", item 5). */
export function deadLetterRoutes(svc: Services): FastifyPluginAsync {
  return async (app) => {
    app.get<{ Querystring: DeadLetterQuery }>('/v1/dead-letters', { schema: { querystring: DeadLetterQuery }, config: reads('listing dead letters') }, async (req) => {
      const tenant = scopeTenant(req.principal, req.query.tenant_id);
      const items = await svc.deadLetters.list({
        tenant,
        limit: req.query.limit ?? 100,
        beforeId: req.query.before_id,
        includeReplayed: req.query.include_replayed ?? false,
      });
      return { dead_letters: items, next_before_id: items.length ? items[items.length - 1]?.id : null };
    });

    app.post<{ Body: ReplayBody }>('/v1/dead-letters/replay', { schema: { body: ReplayBody }, config: writes('replaying dead letters', ['admin', 'tenant-admin']) }, async (req): Promise<ReplayResponse> => {
      const tenant = scopeTenant(req.principal, undefined);
      const letters = await svc.deadLetters.get(req.body.ids, tenant);
      if (letters.length === 0) {
        throw notFound('none of these dead letters exist for this key (or they were replayed already)');
      }
      const res = await svc.ingest.replay(letters, req.principal, req.id);
      await svc.deadLetters.markReplayed(res.replayed);
      await svc.deadLetters.markFailedAgain(res.failed);
      return res;
    });
  };
}
