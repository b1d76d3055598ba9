import type { Logger } from 'pino';
import type { Metrics } from '../observability/metrics.js';
import type { AnalyticsStore } from '../store/analytics-store.js';
import { segmentText, type Segment, type Wal } from './wal.js';

/**
 * The batcher's second half: inserts sealed WAL segments into ClickHouse one after another,
 * in order, each with its segment's deduplication token, and releases a segment only after its
 * insert committed. A failing insert is retried with backoff (the data stays in the WAL, so the
 * backlog grows and ingestion answers 429 once WAL_MAX_BACKLOG_BYTES is reached).
 */
export class Flusher {
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
        await this.store.insertNdjson(this.table, text, `wal-${seg.token}`);
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
}
