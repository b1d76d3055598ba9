import { createHash } from 'node:crypto';
import type { Principal } from '../auth/keys.js';
import type { DeadLetterRepo } from '../ingest/dead-letters.js';
import type { IngestService } from '../ingest/intake.js';
import { PermanentJobError, type JobContext } from './runner.js';

/**
 * Replaying many dead letters as a job (issue "Platform", part 2, first users): POST
 * /v1/dead-letters/replay with more than REPLAY_INLINE_MAX ids answers 202 {job_id}; the job
 * replays them in chunks with progress (done = ids handled, total = ids asked). Letters already
 * replayed, or not visible to the key's tenant, are skipped and counted. A retry (after a store
 * outage) skips what the previous attempt replayed, since replayed letters are marked.
 */
export const DEAD_LETTER_REPLAY_KIND = 'dead_letters.replay';
export const REPLAY_INLINE_MAX = 100;
const CHUNK = 100;

export interface ReplayPayload {
  ids: string[];
  /** the key that asked: the replay checks tenants as that key would (no secret is stored) */
  principal: Principal;
  request_id: string;
}

/** Two identical requests while the first still runs share its job. */
export const replayDedupKey = (ids: string[], principal: Principal): string =>
  createHash('sha256')
    .update(`${principal.tenantId ?? '*'}\n${[...ids].sort().join(',')}`)
    .digest('hex');

export function deadLetterReplayHandler(deadLetters: DeadLetterRepo, ingest: IngestService) {
  return async (ctx: JobContext<ReplayPayload>): Promise<void> => {
    const { ids, principal, request_id } = ctx.payload;
    if (!Array.isArray(ids) || !principal || typeof principal.role !== 'string') {
      throw new PermanentJobError('the job payload is not {ids, principal, request_id}');
    }
    const tenant = principal.tenantId ?? null;
    let replayed = 0;
    let failed = 0;
    let skipped = 0;
    const summary = () => `replayed ${replayed}, failed again ${failed}, skipped ${skipped} (not found or already replayed)`;
    await ctx.progress(0, ids.length, 'starting');
    for (let i = 0; i < ids.length; i += CHUNK) {
      if (ctx.signal.aborted) {
        throw ctx.signal.reason;
      }
      const chunk = ids.slice(i, i + CHUNK);
      const letters = await deadLetters.get(chunk, tenant);
      skipped += chunk.length - letters.length;
      if (letters.length > 0) {
        const res = await ingest.replay(letters, principal, request_id);
        await deadLetters.markReplayed(res.replayed);
        await deadLetters.markFailedAgain(res.failed);
        replayed += res.replayed.length;
        failed += res.failed.length;
      }
      await ctx.progress(Math.min(i + CHUNK, ids.length), ids.length, summary());
    }
    await ctx.log(summary());
  };
}
