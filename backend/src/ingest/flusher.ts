import type { Logger } from 'pino';
import type { Metrics } from '../observability/metrics.js';
import type { AnalyticsStore } from '../store/analytics-store.js';
import type { DeadLetterRepo } from './dead-letters.js';
import { rowLineToEvent } from './enrich.js';
import { insertIsolating, type RejectedRow } from './isolate.js';
import { segmentText, type Segment, type Wal } from './wal.js';

/**
 * The batcher's second half: inserts sealed WAL segments into ClickHouse one after another,
 * in order, each with its segment's deduplication token, and releases a segment only after its
 * insert committed.
 * - A retryable failure (engine down, timeout, too many parts) is retried with backoff; the data
 *   stays in the WAL, so the backlog grows and ingestion answers 429 past WAL_MAX_BACKLOG_BYTES.
 * - When ClickHouse refuses the data itself, the segment is split until the refused rows are
 *   isolated: the rest is inserted and the refused rows go to the dead letters with ClickHouse's
 *   reason, so one bad row never holds the segments behind it (issue "Hardening", defect 2).
 */
export class Flusher {
  /** rows ClickHouse refused since start (moved to the dead letters); /health shows it */
  rejectedRows = 0;

  private queue: Segment[] = [];
  private running = false;
  private stopped = false;
  private idleWaiters: Array<() => void> = [];
  private wake: (() => void) | null = null;

  constructor(
    private readonly store: AnalyticsStore,
    private readonly wal: Wal,
    private readonly log: Logger,
    private readonly metrics: Metrics,
    private readonly deadLetters: DeadLetterRepo,
    /** held around each insert: a schema migration of another instance waits for it, and it for one */
    private readonly guard: <T>(fn: () => Promise<T>) => Promise<T> = (fn) => fn(),
    private readonly table = 'events'
  ) {}

  enqueue(seg: Segment): void {
    this.queue.push(seg);
    if (!this.running && !this.stopped) {
      void this.run();
    }
  }

  get pending(): number {
    return this.queue.length;
  }

  /** Resolves when every segment sealed so far is committed. */
  idle(): Promise<void> {
    if (this.queue.length === 0 && !this.running) {
      return Promise.resolve();
    }
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  stop(): void {
    this.stopped = true;
    this.wake?.();
  }

  private async run(): Promise<void> {
    this.running = true;
    let attempt = 0;
    while (this.queue.length > 0 && !this.stopped) {
      const seg = this.queue[0] as Segment;
      const t0 = performance.now();
      try {
        const text = await segmentText(seg);
        const lines = text.split('\n').filter((l) => l.length > 0);
        const token = `wal-${seg.token}`;
        const rejected = await this.guard(() => insertIsolating((part, tok) => this.store.insertNdjson(this.table, part, tok), lines, token));
        if (rejected.length > 0) {
          await this.deadLetter(rejected, token, seg);
        }
        this.metrics.flushDuration.observe((performance.now() - t0) / 1000);
        this.metrics.flushBatchSize.observe(seg.events);
        await this.wal.release(seg);
        this.queue.shift();
        attempt = 0;
        this.log.debug({ segment: seg.seq, events: seg.events, ms: Math.round(performance.now() - t0) }, 'segment committed');
      } catch (e) {
        attempt++;
        this.metrics.flushFailures.inc();
        const delay = Math.min(30_000, 100 * 2 ** Math.min(attempt, 9));
        this.log.error({ err: e, segment: seg.seq, attempt, retry_in_ms: delay }, 'inserting a WAL segment into ClickHouse failed; will retry');
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, delay);
          this.wake = () => {
            clearTimeout(t);
            resolve();
          };
        });
        this.wake = null;
      }
    }
    this.running = false;
    if (this.queue.length === 0) {
      this.idleWaiters.splice(0).forEach((w) => w());
    }
  }

  /** Written before the segment is released; `origin` makes a second write after a crash a no-op. */
  private async deadLetter(rows: RejectedRow[], token: string, seg: Segment): Promise<void> {
    await this.deadLetters.add(
      rows.map((r) => {
        const { tenantId, payload } = rowLineToEvent(r.line);
        return {
          tenant_id: tenantId ?? '_unassigned',
          reason: `ClickHouse refused this event when it was stored (it had been acknowledged): ${r.reason.slice(0, 1000)}`,
          payload,
          request_id: token,
          origin: `${token}:${r.index}`,
        };
      })
    );
    this.rejectedRows += rows.length;
    for (const r of rows) {
      this.metrics.storeRejected.inc({ tenant: rowLineToEvent(r.line).tenantId ?? '_unassigned' });
    }
    this.log.warn({ segment: seg.seq, rejected: rows.length, first_reason: rows[0]?.reason }, 'ClickHouse refused rows of a segment; they are in the dead letters, the rest is stored');
  }
}
