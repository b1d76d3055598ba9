import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { conflict, notFound } from '../errors.js';
import type { MetadataDb } from '../store/metadata-db.js';
import { ScheduleRepo, type Firing } from './schedules.js';
import { FINISHED_STATES, JobStore, type ClaimedJob, type JobLogLine, type JobState, type JobView, type NewJob } from './store.js';

/**
 * The one job runner every scheduled or long task uses (issue "Platform", part 2; DESIGN.md
 * "jobs/"): crawls, rule evaluation, escalation steps, probes, SLO evaluation, report runs.
 *
 * Each instance polls for due jobs of the kinds it has handlers for (every `pollMs`, and at once
 * when this process enqueues one), runs up to `concurrency` at a time, and renews each claim's
 * lease every third of `leaseMs` while its handler runs. When the lease cannot be renewed (the job
 * was cancelled, or another instance took it over after the lease ran out) the handler's `signal`
 * aborts. A handler that throws is retried after `backoffBaseMs * 2^attempt` (capped at
 * `backoffMaxMs`) until `maxAttempts`, then the job fails with the last error; a
 * `PermanentJobError` fails it at once. At shutdown running jobs are aborted and given back.
 */
export interface JobContext<P = unknown> {
  id: string;
  kind: string;
  payload: P;
  tenantId: string | null;
  /** 1 for the first run; a retry or a takeover counts one more */
  attempt: number;
  maxAttempts: number;
  /** the firing this job runs for, when a schedule enqueued it */
  firedAt: Date | null;
  /** aborts when the job is cancelled, its lease is lost, or the instance shuts down: stop soon after */
  signal: AbortSignal;
  /** records how far the job is (written at most every 250 ms, and always when done reaches total) */
  progress(done: number, total?: number | null, message?: string | null): Promise<void>;
  /** appends a line to the job's run log (GET /v1/jobs/:id) */
  log(message: string, level?: JobLogLine['level']): Promise<void>;
}

export type JobHandler<P = unknown> = (ctx: JobContext<P>) => Promise<void>;

/** Thrown by a handler for a failure a retry cannot fix (a bad payload): fails the job at once. */
export class PermanentJobError extends Error {
  override name = 'PermanentJobError';
}

/**
 * Thrown by a handler that knows when to try again (a receiver's Retry-After): retried like any
 * error, but not before `afterMs` (the backoff still applies when it is longer). The wait is spent
 * queued, not holding one of the instance's job slots.
 */
export class RetryLater extends Error {
  override name = 'RetryLater';
  constructor(
    message: string,
    readonly afterMs: number
  ) {
    super(message);
  }
}

/** Why a running handler's signal aborted. */
export class JobAborted extends Error {
  override name = 'JobAborted';
  constructor(readonly why: 'cancelled' | 'lease_lost' | 'shutdown') {
    super(
      why === 'cancelled'
        ? 'the job was cancelled'
        : why === 'lease_lost'
          ? 'the lease was lost (renewal failed for longer than the lease, or another instance took the job over)'
          : 'the instance is shutting down'
    );
  }
}

/** The metrics the runner feeds (observability/metrics.ts has them). */
export interface JobMetrics {
  jobAttempts: { inc(labels: { kind: string; outcome: string }, value?: number): void };
  jobDuration: { observe(labels: { kind: string; outcome: string }, value: number): void };
  jobTakeovers: { inc(labels: { kind: string }, value?: number): void };
  scheduleFirings: { inc(labels: { schedule: string; outcome: string }, value?: number): void };
  setJobsSource(source: () => Promise<Array<{ kind: string; state: string; n: number }>>): void;
}

export interface RunnerOptions {
  db: MetadataDb;
  log: Logger;
  metrics?: JobMetrics;
  /** names this instance in leases and logs; default host:pid:random */
  instanceId?: string;
  leaseMs?: number;
  pollMs?: number;
  /** jobs run at once by this instance; 0 = run none (API-only instance) */
  concurrency?: number;
  maxAttempts?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  scheduleTickMs?: number;
  retentionDays?: number;
  shutdownGraceMs?: number;
  /** the clock schedules read (tests move it across DST days); leases use the database's clock */
  now?: () => number;
}

interface Active {
  job: ClaimedJob;
  ac: AbortController;
  done: Promise<void>;
}

interface KindOptions {
  maxAttempts?: number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Waits for `p`, at most `ms` (without keeping the process alive afterwards). */
async function within(ms: number, p: Promise<unknown>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([p, new Promise<void>((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
}
const errorText = (e: unknown): string => (e instanceof Error ? e.message || e.name : String(e));

export class JobRunner {
  readonly store: JobStore;
  readonly schedules: ScheduleRepo;
  readonly instanceId: string;
  private readonly handlers = new Map<string, { fn: JobHandler<never>; opts: KindOptions }>();
  private readonly active = new Map<string, Active>();
  private readonly o: Required<Omit<RunnerOptions, 'metrics' | 'instanceId'>> & { metrics?: JobMetrics };
  private readonly log: Logger;
  private started = false;
  private stopping = false;
  private loops: Promise<void>[] = [];
  private woken = false;
  private wakeUp: (() => void) | null = null;
  private lastReap = 0;
  private lastCleanup = 0;

  constructor(opts: RunnerOptions) {
    this.instanceId = opts.instanceId ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
    this.o = {
      db: opts.db,
      log: opts.log,
      metrics: opts.metrics,
      leaseMs: opts.leaseMs ?? 30_000,
      pollMs: opts.pollMs ?? 1000,
      concurrency: opts.concurrency ?? 4,
      maxAttempts: opts.maxAttempts ?? 5,
      backoffBaseMs: opts.backoffBaseMs ?? 1000,
      backoffMaxMs: opts.backoffMaxMs ?? 300_000,
      scheduleTickMs: opts.scheduleTickMs ?? 1000,
      retentionDays: opts.retentionDays ?? 30,
      shutdownGraceMs: opts.shutdownGraceMs ?? 5000,
      now: opts.now ?? Date.now,
    };
    this.log = opts.log.child({ component: 'jobs', instance: this.instanceId });
    this.store = new JobStore(opts.db);
    this.schedules = new ScheduleRepo(opts.db, this.store, this.instanceId, this.log, (f) => this.onFiring(f));
    opts.metrics?.setJobsSource(() => this.store.counts());
  }

  /** Registers the handler of a kind (before start). */
  register<P>(kind: string, fn: JobHandler<P>, opts: KindOptions = {}): this {
    if (this.handlers.has(kind)) {
      throw new Error(`job kind '${kind}' is registered twice`);
    }
    this.handlers.set(kind, { fn: fn as JobHandler<never>, opts });
    return this;
  }

  /** The kinds this instance knows, sorted. */
  kinds(): string[] {
    return [...this.handlers.keys()].sort();
  }

  async enqueue(job: NewJob): Promise<{ id: string; created: boolean }> {
    const h = this.handlers.get(job.kind);
    if (!h) {
      throw new Error(`no handler for job kind '${job.kind}': register it first (known: ${this.kinds().join(', ') || 'none'})`);
    }
    const r = await this.store.enqueue({ maxAttempts: h.opts.maxAttempts ?? this.o.maxAttempts, ...job });
    if (r.created) {
      this.wake();
    }
    return r;
  }

  /**
   * Cancels a queued or running job visible to `tenant` (null: any). A job running here is aborted
   * at once; one running on another instance when its next heartbeat finds the lease gone.
   */
  async cancel(id: string, tenant: string | null): Promise<JobView> {
    const r = await this.store.cancel(id, tenant);
    if (!r) {
      throw notFound(`job '${id}' not found${tenant ? ` for tenant '${tenant}'` : ''}: list jobs with GET /v1/jobs`);
    }
    if (FINISHED_STATES.includes(r.was)) {
      throw conflict(`job '${id}' already ${r.was === 'cancelled' ? 'was cancelled' : r.was}: only queued or running jobs can be cancelled`);
    }
    this.o.metrics?.jobAttempts.inc({ kind: r.job.kind, outcome: 'cancelled' });
    await this.store.log(id, r.job.attempts, 'warn', `cancelled while ${r.was}`);
    this.active.get(id)?.ac.abort(new JobAborted('cancelled'));
    return r.job;
  }

  async get(id: string, tenant: string | null): Promise<(JobView & { log: JobLogLine[] }) | null> {
    const job = await this.store.get(id, tenant);
    return job ? { ...job, log: await this.store.logOf(id) } : null;
  }

  list(opts: { kind?: string; state?: JobState; tenant: string | null; limit: number }): Promise<JobView[]> {
    return this.store.list(opts);
  }

  start(): void {
    if (this.started) {
      return;
    }
    this.started = true;
    if (this.o.concurrency > 0 && this.handlers.size > 0) {
      this.loops.push(this.pollLoop());
    }
    this.loops.push(this.scheduleLoop());
  }

  /** Stops claiming, aborts running handlers, waits up to the grace period, gives back what still runs. */
  async stop(): Promise<void> {
    if (this.stopping) {
      return;
    }
    this.stopping = true;
    this.wake();
    const running = [...this.active.values()];
    for (const a of running) {
      a.ac.abort(new JobAborted('shutdown'));
    }
    await within(this.o.shutdownGraceMs, Promise.allSettled(running.map((a) => a.done)));
    for (const a of this.active.values()) {
      // a handler that ignores its signal: give its job back anyway, its later writes are refused
      if (await this.store.release(a.job.id, this.instanceId).catch(() => false)) {
        await this.store
          .log(a.job.id, a.job.attempt, 'warn', `interrupted by the shutdown of ${this.instanceId} (its handler did not stop within ${this.o.shutdownGraceMs} ms): queued again (this attempt is not counted)`)
          .catch(() => undefined);
      }
    }
    await within(this.o.shutdownGraceMs, Promise.allSettled(this.loops));
  }

  /** Runs one poll round now (tests, and enqueue in this process). */
  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  private async idle(ms: number): Promise<void> {
    if (this.woken || this.stopping) {
      this.woken = false;
      return;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = done;
    });
    this.wakeUp = null;
    this.woken = false;
  }

  private async pollLoop(): Promise<void> {
    const kinds = this.kinds();
    while (!this.stopping) {
      try {
        if (Date.now() - this.lastReap >= Math.min(this.o.leaseMs / 2, 10_000)) {
          this.lastReap = Date.now();
          for (const f of await this.store.failExhaustedLeases()) {
            this.o.metrics?.jobAttempts.inc({ kind: f.kind, outcome: 'lease_expired' });
            await this.store.log(f.id, f.attempts, 'error', `failed: the lease of ${f.owner ?? 'its instance'} ran out on the last attempt (${f.attempts})`);
          }
        }
        while (!this.stopping && this.active.size < this.o.concurrency) {
          const job = await this.store.claim(this.instanceId, kinds, this.o.leaseMs);
          if (!job) {
            break;
          }
          this.launch(job);
        }
      } catch (e) {
        if (!this.stopping) {
          this.log.warn({ err: e }, 'job poll failed; trying again');
        }
      }
      await this.idle(this.o.pollMs);
    }
  }

  private async scheduleLoop(): Promise<void> {
    while (!this.stopping) {
      try {
        const fired = await this.schedules.tick(this.o.now());
        if (fired.length > 0) {
          this.wake();
        }
        if (Date.now() - this.lastCleanup > 3_600_000) {
          this.lastCleanup = Date.now();
          await this.store.cleanup(this.o.retentionDays);
        }
      } catch (e) {
        if (!this.stopping) {
          this.log.warn({ err: e }, 'schedule tick failed; trying again');
        }
      }
      for (let waited = 0; waited < this.o.scheduleTickMs && !this.stopping; waited += 100) {
        await sleep(Math.min(100, this.o.scheduleTickMs - waited));
      }
    }
  }

  private onFiring(f: Firing & { kind: string }): void {
    this.o.metrics?.scheduleFirings.inc({ schedule: f.schedule, outcome: 'fired' });
    if (f.skipped > 0) {
      this.o.metrics?.scheduleFirings.inc({ schedule: f.schedule, outcome: 'skipped' }, f.skipped);
      this.log.warn({ schedule: f.schedule, fire_at: new Date(f.fireAt).toISOString(), skipped: f.skipped }, 'missed firings skipped (catch-up runs the most recent one)');
    }
  }

  private launch(job: ClaimedJob): void {
    const ac = new AbortController();
    const entry: Active = { job, ac, done: Promise.resolve() };
    entry.done = this.run(job, ac)
      .catch((e: unknown) => this.log.error({ err: e, job: job.id }, 'job bookkeeping failed; the lease will run out and the job be retried'))
      .finally(() => {
        this.active.delete(job.id);
        this.wake();
      });
    this.active.set(job.id, entry);
  }

  private backoff(attempt: number): number {
    return Math.min(this.o.backoffBaseMs * 2 ** attempt, this.o.backoffMaxMs);
  }

  private async run(job: ClaimedJob, ac: AbortController): Promise<void> {
    const { id, kind } = job;
    const owner = this.instanceId;
    const handler = this.handlers.get(kind);
    const t0 = performance.now();
    const log = this.log.child({ job: id, kind, attempt: job.attempt });
    const metrics = this.o.metrics;
    if (job.takenOverFrom) {
      metrics?.jobTakeovers.inc({ kind });
      await this.store.log(id, job.attempt, 'warn', `taken over from ${job.takenOverFrom}, whose lease ran out: attempt ${job.attempt} of ${job.maxAttempts} on ${owner}`);
      log.warn({ from: job.takenOverFrom }, 'job taken over after its lease ran out');
    } else {
      await this.store.log(id, job.attempt, 'info', `attempt ${job.attempt} of ${job.maxAttempts} started on ${owner}`);
    }

    let lastRenewal = Date.now();
    const lost = async () => {
      const now = await this.store.get(id, null).catch(() => null);
      ac.abort(new JobAborted(now?.state === 'cancelled' ? 'cancelled' : 'lease_lost'));
    };
    const heartbeat = setInterval(() => {
      this.store.heartbeat(id, owner, this.o.leaseMs).then(
        (ok) => {
          if (ok) {
            lastRenewal = Date.now();
          } else if (!ac.signal.aborted) {
            void lost();
          }
        },
        (e: unknown) => {
          log.warn({ err: e }, 'lease renewal failed');
          if (Date.now() - lastRenewal > this.o.leaseMs && !ac.signal.aborted) {
            ac.abort(new JobAborted('lease_lost'));
          }
        }
      );
    }, Math.max(10, Math.floor(this.o.leaseMs / 3)));

    let pending: { done: number; total: number | null; message: string | null } | null = null;
    let lastWrite = 0;
    const flush = async () => {
      if (pending) {
        const p = pending;
        pending = null;
        lastWrite = Date.now();
        if (!(await this.store.progress(id, owner, p.done, p.total, p.message)) && !ac.signal.aborted) {
          await lost();
        }
      }
    };
    const ctx: JobContext<unknown> = {
      id,
      kind,
      payload: job.payload,
      tenantId: job.tenantId,
      attempt: job.attempt,
      maxAttempts: job.maxAttempts,
      firedAt: job.fireAt,
      signal: ac.signal,
      progress: async (done, total = null, message = null) => {
        if (ac.signal.aborted) {
          throw ac.signal.reason;
        }
        if (!Number.isSafeInteger(done) || done < 0 || (total !== null && (!Number.isSafeInteger(total) || total < 0))) {
          throw new TypeError(`progress(${done}, ${total}): done and total are whole numbers >= 0`);
        }
        pending = { done, total, message };
        if (Date.now() - lastWrite >= 250 || done === total) {
          await flush();
        }
        if (ac.signal.aborted) {
          throw ac.signal.reason;
        }
      },
      log: async (message, level = 'info') => {
        await this.store.log(id, job.attempt, level, message);
      },
    };

    try {
      if (!handler) {
        throw new PermanentJobError(`no handler for kind '${kind}' on ${owner}`);
      }
      if (ac.signal.aborted) {
        // cancelled, or the instance began to stop, between the claim and now
        throw ac.signal.reason;
      }
      await handler.fn(ctx as never);
      await flush();
      if (await this.store.succeed(id, owner)) {
        const s = (performance.now() - t0) / 1000;
        metrics?.jobAttempts.inc({ kind, outcome: 'succeeded' });
        metrics?.jobDuration.observe({ kind, outcome: 'succeeded' }, s);
        await this.store.log(id, job.attempt, 'info', `succeeded in ${s.toFixed(3)} s`);
      } else {
        log.info('job finished after its lease was lost or it was cancelled; its result is not recorded');
      }
    } catch (e) {
      const why = ac.signal.aborted && ac.signal.reason instanceof JobAborted ? ac.signal.reason.why : null;
      const s = (performance.now() - t0) / 1000;
      if (why === 'shutdown') {
        if (await this.store.release(id, owner)) {
          metrics?.jobAttempts.inc({ kind, outcome: 'released' });
          await this.store.log(id, job.attempt, 'warn', `interrupted by the shutdown of ${owner}: queued again (this attempt is not counted)`);
        }
      } else if (why !== null) {
        metrics?.jobAttempts.inc({ kind, outcome: why });
        metrics?.jobDuration.observe({ kind, outcome: why }, s);
        if (why === 'lease_lost') {
          await this.store.log(id, job.attempt, 'warn', `attempt ${job.attempt} on ${owner} stopped: ${errorText(ac.signal.reason)}`);
        }
        log.info({ why }, 'job handler stopped');
      } else {
        const message = errorText(e);
        const retryable = !(e instanceof PermanentJobError);
        const delay = Math.max(this.backoff(job.attempt), e instanceof RetryLater ? e.afterMs : 0);
        const r = await this.store.fail(id, owner, message, retryable, delay);
        if (r?.state === 'queued') {
          metrics?.jobAttempts.inc({ kind, outcome: 'retry' });
          metrics?.jobDuration.observe({ kind, outcome: 'retry' }, s);
          await this.store.log(id, job.attempt, 'warn', `attempt ${job.attempt} of ${r.max_attempts} failed: ${message}; retry in ${(delay / 1000).toFixed(3)} s`);
        } else if (r?.state === 'failed') {
          metrics?.jobAttempts.inc({ kind, outcome: 'failed' });
          metrics?.jobDuration.observe({ kind, outcome: 'failed' }, s);
          await this.store.log(
            id,
            job.attempt,
            'error',
            retryable ? `failed after ${r.attempts} attempt(s): ${message}` : `failed (not retried: ${e instanceof Error ? e.name : 'error'}): ${message}`
          );
          log.warn({ err: e }, 'job failed');
        }
      }
    } finally {
      clearInterval(heartbeat);
    }
  }
}
