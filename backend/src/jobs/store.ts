import { randomUUID } from 'node:crypto';
import { storableText } from '../ingest/dead-letters.js';
import type { Queryable } from '../store/metadata-db.js';

/**
 * Jobs as rows in the metadata store (migration 3), the same SQL on PGlite and on a PostgreSQL
 * server. A claim is one UPDATE over a `FOR UPDATE SKIP LOCKED` pick, so two instances never take
 * the same row; a claim holds a lease (`lease_owner`, `lease_until`) that the runner renews while
 * the handler runs, and every later write of the run is conditional on still holding it. A lease
 * that ran out (its instance died) makes the job claimable again, and that claim counts an attempt.
 */
export const JOB_STATES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export type JobState = (typeof JOB_STATES)[number];
export const FINISHED_STATES: readonly JobState[] = ['succeeded', 'failed', 'cancelled'];

export interface NewJob {
  kind: string;
  payload?: unknown;
  tenantId?: string | null;
  /** while a job of this kind with this key is queued or running, enqueueing it again is a no-op */
  dedupKey?: string;
  maxAttempts?: number;
  /** not before this instant (epoch ms) */
  runAfter?: number;
  scheduleName?: string;
  fireAt?: number;
}

export interface JobView {
  id: string;
  kind: string;
  tenant_id: string | null;
  state: JobState;
  progress: { done: number; total: number | null; message: string | null };
  attempts: number;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  last_error: string | null;
}

export interface JobLogLine {
  at: string;
  attempt: number;
  level: 'info' | 'warn' | 'error';
  message: string;
}

export interface ClaimedJob {
  id: string;
  kind: string;
  tenantId: string | null;
  payload: unknown;
  attempt: number;
  maxAttempts: number;
  scheduleName: string | null;
  fireAt: Date | null;
  /** set when the job was running under another owner whose lease ran out */
  takenOverFrom: string | null;
}

export interface JobRow {
  id: string;
  kind: string;
  tenant_id: string | null;
  state: JobState;
  progress_done: number;
  progress_total: number | null;
  progress_message: string | null;
  attempts: number;
  created_at: unknown;
  started_at: unknown;
  finished_at: unknown;
  last_error: string | null;
}

/** the columns of a JobView; `t` qualifies them with a table alias */
export const jobColumns = (t = 'jobs') =>
  `${t}.id::text AS id, ${t}.kind, ${t}.tenant_id, ${t}.state, ${t}.progress_done::float8 AS progress_done,
   ${t}.progress_total::float8 AS progress_total, ${t}.progress_message, ${t}.attempts, ${t}.created_at, ${t}.started_at,
   ${t}.finished_at, ${t}.last_error`;

/** ISO 8601 in UTC from what either driver returns for timestamptz (a Date, or text). */
export function iso(v: unknown): string | null {
  if (v === null || v === undefined) {
    return null;
  }
  const d = v instanceof Date ? v : new Date(String(v));
  return Number.isNaN(d.getTime()) ? String(v) : d.toISOString();
}

export const toView = (r: JobRow): JobView => ({
  id: r.id,
  kind: r.kind,
  tenant_id: r.tenant_id,
  state: r.state,
  progress: { done: Number(r.progress_done), total: r.progress_total === null ? null : Number(r.progress_total), message: r.progress_message },
  attempts: r.attempts,
  created_at: iso(r.created_at) as string,
  started_at: iso(r.started_at),
  finished_at: iso(r.finished_at),
  last_error: r.last_error,
});

/** Text a job wrote (errors, log lines): storable in PostgreSQL text and of bounded size. */
export const jobText = (s: string, max = 4000): string => storableText(s.length > max ? `${s.slice(0, max)}… (${s.length - max} more characters)` : s);

const ms = (n: number) => Math.max(0, Math.round(n));

export class JobStore {
  constructor(private readonly db: Queryable) {}

  /** Inserts a job; with a dedup key that a queued or running job holds, answers that job instead. */
  async enqueue(job: NewJob, q: Queryable = this.db): Promise<{ id: string; created: boolean }> {
    for (let i = 0; i < 5; i++) {
      const id = randomUUID();
      const rows = await q.query<{ id: string }>(
        `INSERT INTO jobs (id, kind, tenant_id, payload, dedup_key, max_attempts, run_after, schedule_name, fire_at)
         VALUES ($1, $2, $3, $4::jsonb, $5, $6, COALESCE(to_timestamp($7::float8 / 1000), now()), $8, to_timestamp($9::float8 / 1000))
         ON CONFLICT (kind, dedup_key) WHERE dedup_key IS NOT NULL AND state IN ('queued', 'running') DO NOTHING
         RETURNING id::text AS id`,
        [
          id,
          job.kind,
          job.tenantId ?? null,
          JSON.stringify(job.payload ?? {}),
          job.dedupKey ?? null,
          job.maxAttempts ?? 5,
          job.runAfter ?? null,
          job.scheduleName ?? null,
          job.fireAt ?? null,
        ]
      );
      if (rows[0]) {
        return { id: rows[0].id, created: true };
      }
      const existing = await q.query<{ id: string }>(
        `SELECT id::text AS id FROM jobs WHERE kind = $1 AND dedup_key = $2 AND state IN ('queued', 'running')`,
        [job.kind, job.dedupKey]
      );
      if (existing[0]) {
        return { id: existing[0].id, created: false };
      }
      // the holder finished between the two statements: insert again
    }
    throw new Error(`enqueue of ${job.kind} with key ${job.dedupKey}: the key kept changing hands`);
  }

  /**
   * Takes the next due job of these kinds: a queued one whose time has come, or a running one
   * whose lease ran out (its instance stopped) and that has attempts left.
   */
  async claim(owner: string, kinds: readonly string[], leaseMs: number): Promise<ClaimedJob | null> {
    const rows = await this.db.query<{
      id: string;
      kind: string;
      tenant_id: string | null;
      payload: unknown;
      attempts: number;
      max_attempts: number;
      schedule_name: string | null;
      fire_at: unknown;
      prev_state: JobState;
      prev_owner: string | null;
    }>(
      `WITH c AS (
         SELECT id, state AS prev_state, lease_owner AS prev_owner FROM jobs
         WHERE kind = ANY($1::text[])
           AND ((state = 'queued' AND run_after <= now())
             OR (state = 'running' AND lease_until < now() AND attempts < max_attempts))
         ORDER BY run_after, created_at
         LIMIT 1
         FOR UPDATE SKIP LOCKED
       )
       UPDATE jobs j SET state = 'running', attempts = j.attempts + 1, lease_owner = $2,
         lease_until = now() + $3::float8 * interval '1 millisecond', started_at = now(), finished_at = NULL
       FROM c WHERE j.id = c.id
       RETURNING j.id::text AS id, j.kind, j.tenant_id, j.payload, j.attempts, j.max_attempts, j.schedule_name, j.fire_at,
         c.prev_state, c.prev_owner`,
      [kinds, owner, ms(leaseMs)]
    );
    const r = rows[0];
    if (!r) {
      return null;
    }
    return {
      id: r.id,
      kind: r.kind,
      tenantId: r.tenant_id,
      payload: typeof r.payload === 'string' ? (JSON.parse(r.payload) as unknown) : r.payload,
      attempt: r.attempts,
      maxAttempts: r.max_attempts,
      scheduleName: r.schedule_name,
      fireAt: r.fire_at === null ? null : new Date(iso(r.fire_at) as string),
      takenOverFrom: r.prev_state === 'running' ? (r.prev_owner ?? 'an unknown instance') : null,
    };
  }

  /** Fails running jobs whose lease ran out on their last attempt (nobody may take them over). */
  async failExhaustedLeases(): Promise<Array<{ id: string; kind: string; attempts: number; owner: string | null }>> {
    return this.db.query(
      `WITH x AS (
         SELECT id, lease_owner FROM jobs
         WHERE state = 'running' AND lease_until < now() AND attempts >= max_attempts
         FOR UPDATE SKIP LOCKED
       )
       UPDATE jobs j SET state = 'failed', finished_at = now(), lease_owner = NULL, lease_until = NULL,
         last_error = 'attempt ' || j.attempts || ' of ' || j.max_attempts || ': the lease of ' || COALESCE(x.lease_owner, 'its instance')
           || ' ran out (the instance stopped, or lost the metadata store) and no attempts are left'
       FROM x WHERE j.id = x.id
       RETURNING j.id::text AS id, j.kind, j.attempts, x.lease_owner AS owner`
    );
  }

  /** Renews the lease; false when it is no longer ours (cancelled, or taken over after it ran out). */
  async heartbeat(id: string, owner: string, leaseMs: number): Promise<boolean> {
    const rows = await this.db.query(
      `UPDATE jobs SET lease_until = now() + $3::float8 * interval '1 millisecond'
       WHERE id = $1 AND lease_owner = $2 AND state = 'running' RETURNING 1 AS ok`,
      [id, owner, ms(leaseMs)]
    );
    return rows.length > 0;
  }

  async progress(id: string, owner: string, done: number, total: number | null, message: string | null): Promise<boolean> {
    const rows = await this.db.query(
      `UPDATE jobs SET progress_done = $3, progress_total = $4, progress_message = $5
       WHERE id = $1 AND lease_owner = $2 AND state = 'running' RETURNING 1 AS ok`,
      [id, owner, done, total, message === null ? null : jobText(message, 1000)]
    );
    return rows.length > 0;
  }

  async log(id: string, attempt: number, level: JobLogLine['level'], message: string): Promise<void> {
    await this.db.query('INSERT INTO job_log (job_id, attempt, level, message) VALUES ($1, $2, $3, $4)', [id, attempt, level, jobText(message)]);
  }

  async succeed(id: string, owner: string): Promise<boolean> {
    const rows = await this.db.query(
      `UPDATE jobs SET state = 'succeeded', finished_at = now(), lease_owner = NULL, lease_until = NULL
       WHERE id = $1 AND lease_owner = $2 AND state = 'running' RETURNING 1 AS ok`,
      [id, owner]
    );
    return rows.length > 0;
  }

  /**
   * Records a failed attempt: queued again after `retryInMs` while attempts are left and the error
   * is retryable, else failed with this error. Null when the lease was no longer ours.
   */
  async fail(id: string, owner: string, error: string, retryable: boolean, retryInMs: number): Promise<{ state: JobState; attempts: number; max_attempts: number } | null> {
    const rows = await this.db.query<{ state: JobState; attempts: number; max_attempts: number }>(
      `UPDATE jobs SET last_error = $3, lease_owner = NULL, lease_until = NULL,
         state = CASE WHEN $4::boolean AND attempts < max_attempts THEN 'queued' ELSE 'failed' END,
         run_after = CASE WHEN $4::boolean AND attempts < max_attempts THEN now() + $5::float8 * interval '1 millisecond' ELSE run_after END,
         finished_at = CASE WHEN $4::boolean AND attempts < max_attempts THEN NULL ELSE now() END
       WHERE id = $1 AND lease_owner = $2 AND state = 'running'
       RETURNING state, attempts, max_attempts`,
      [id, owner, jobText(error), retryable, ms(retryInMs)]
    );
    return rows[0] ?? null;
  }

  /** Gives a job back at shutdown: queued at once, the interrupted attempt not counted. */
  async release(id: string, owner: string): Promise<boolean> {
    const rows = await this.db.query(
      `UPDATE jobs SET state = 'queued', attempts = GREATEST(attempts - 1, 0), run_after = now(), lease_owner = NULL, lease_until = NULL
       WHERE id = $1 AND lease_owner = $2 AND state = 'running' RETURNING 1 AS ok`,
      [id, owner]
    );
    return rows.length > 0;
  }

  /**
   * Cancels a queued or running job (`tenant` set: only that tenant's). Answers the job and the
   * state it had, or null when no such job is visible.
   */
  async cancel(id: string, tenant: string | null): Promise<{ job: JobView; was: JobState } | null> {
    const rows = await this.db.query<JobRow & { was: JobState }>(
      `WITH prev AS (SELECT id, state FROM jobs WHERE id = $1 ${tenant === null ? '' : 'AND tenant_id = $2'} FOR UPDATE)
       UPDATE jobs j SET state = CASE WHEN prev.state IN ('queued', 'running') THEN 'cancelled' ELSE j.state END,
         finished_at = CASE WHEN prev.state IN ('queued', 'running') THEN now() ELSE j.finished_at END,
         lease_owner = CASE WHEN prev.state IN ('queued', 'running') THEN NULL ELSE j.lease_owner END,
         lease_until = CASE WHEN prev.state IN ('queued', 'running') THEN NULL ELSE j.lease_until END
       FROM prev WHERE j.id = prev.id
       RETURNING ${jobColumns('j')}, prev.state AS was`,
      tenant === null ? [id] : [id, tenant]
    );
    const r = rows[0];
    return r ? { job: toView(r), was: r.was } : null;
  }

  async list(opts: { kind?: string; state?: JobState; tenant: string | null; limit: number }): Promise<JobView[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (opts.kind !== undefined) {
      params.push(opts.kind);
      where.push(`kind = $${params.length}`);
    }
    if (opts.state !== undefined) {
      params.push(opts.state);
      where.push(`state = $${params.length}`);
    }
    if (opts.tenant !== null) {
      params.push(opts.tenant);
      where.push(`tenant_id = $${params.length}`);
    }
    params.push(opts.limit);
    const rows = await this.db.query<JobRow>(
      `SELECT ${jobColumns()} FROM jobs ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY jobs.created_at DESC, jobs.id LIMIT $${params.length}`,
      params
    );
    return rows.map(toView);
  }

  async get(id: string, tenant: string | null): Promise<JobView | null> {
    const rows = await this.db.query<JobRow>(
      `SELECT ${jobColumns()} FROM jobs WHERE id = $1 ${tenant === null ? '' : 'AND tenant_id = $2'}`,
      tenant === null ? [id] : [id, tenant]
    );
    return rows[0] ? toView(rows[0]) : null;
  }

  async logOf(id: string, limit = 1000): Promise<JobLogLine[]> {
    const rows = await this.db.query<{ at: unknown; attempt: number; level: JobLogLine['level']; message: string }>(
      // the newest `limit` lines, oldest first
      `SELECT at, attempt, level, message FROM (
         SELECT id, at, attempt, level, message FROM job_log WHERE job_id = $1 ORDER BY id DESC LIMIT $2
       ) l ORDER BY l.id`,
      [id, limit]
    );
    return rows.map((r) => ({ at: iso(r.at) as string, attempt: r.attempt, level: r.level, message: r.message }));
  }

  /** Jobs by kind and state, for the metrics gauge. */
  async counts(): Promise<Array<{ kind: string; state: JobState; n: number }>> {
    return this.db.query('SELECT kind, state, count(*)::int AS n FROM jobs GROUP BY kind, state');
  }

  /** Deletes finished jobs (with their log) and schedule firings older than `days`. */
  async cleanup(days: number): Promise<void> {
    await this.db.query(
      `DELETE FROM jobs WHERE state IN ('succeeded', 'failed', 'cancelled') AND finished_at < now() - $1::float8 * interval '1 day'`,
      [days]
    );
    await this.db.query(`DELETE FROM job_schedule_firings WHERE fire_at < now() - $1::float8 * interval '1 day'`, [days]);
  }
}
