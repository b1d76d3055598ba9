import { Cron } from 'croner';
import { badRequest } from '../errors.js';

/**
 * A cron pattern read in an IANA time zone (issue "Platform", part 2: schedules).
 *
 * croner enumerates the *wall-clock* times that match the pattern (we run it in UTC, which has no
 * DST, so its answers are plain wall times), and each wall time is turned into an instant here,
 * with one rule for the two DST cases, the same in every zone:
 *
 * - a wall time that does not exist (skipped by spring-forward, e.g. 02:30 in Berlin on the last
 *   Sunday of March) fires once, at the instant the clocks jump (03:00 local), as Vixie cron does;
 * - a wall time that occurs twice (fall-back, e.g. 02:30 in Berlin on the last Sunday of October)
 *   fires once, at its first occurrence (the earlier offset, as Temporal's "compatible" rule).
 *
 * So a daily schedule fires exactly once every day, never twice and never zero times. croner's own
 * time-zone mode was not used because it picks the first occurrence in one zone and the second in
 * another, and drops the first 02:00 of Berlin's fall-back night for an hourly pattern
 * (test/jobs-dst.test.ts shows the instants we fire at instead).
 *
 * Both rules keep the wall-time → instant map monotonic, which `next` relies on.
 */
export class ZonedCron {
  private readonly cron: Cron;
  private readonly zone: ZoneOffsets;

  constructor(
    readonly pattern: string,
    readonly timezone: string
  ) {
    this.zone = ZoneOffsets.of(timezone);
    try {
      this.cron = new Cron(pattern, { timezone: 'UTC', paused: true });
    } catch (e) {
      throw badRequest(
        'invalid_cron',
        `cron '${pattern.slice(0, 100)}' is not valid (${(e as Error).message}): use 5 fields "minute hour day-of-month month day-of-week" or 6 with seconds first, e.g. "0 3 * * *"`
      );
    }
  }

  /** The first firing strictly after `afterMs`, or null when the pattern never fires again. */
  next(afterMs: number): number | null {
    // Any wall time w <= wallOf(after) resolves to an instant <= after (monotonic map), so the
    // answer is the first later wall time whose instant lies after `afterMs`. Inside a repeated
    // hour that may take up to an hour of wall times.
    let wall = this.zone.wallOf(afterMs);
    for (let i = 0; i < 200_000; i++) {
      const nextWall = this.cron.nextRun(new Date(wall));
      if (!nextWall) {
        return null;
      }
      wall = nextWall.getTime();
      const at = this.zone.resolve(wall);
      if (at > afterMs) {
        return at;
      }
    }
    throw new Error(`cron '${this.pattern}' in ${this.timezone}: no firing found after ${new Date(afterMs).toISOString()} within 200000 steps`);
  }

  /**
   * The most recent firing in (afterMs, nowMs], or null. Searches back from `nowMs` in growing
   * windows, so a per-second pattern after a month of downtime costs a minute of steps, not a month.
   */
  latest(afterMs: number, nowMs: number): number | null {
    for (const back of [60_000, 3_600_000, 86_400_000, 32 * 86_400_000, 400 * 86_400_000, Infinity]) {
      const from = Math.max(afterMs, nowMs - back);
      let t = this.next(from);
      if (t === null || t > nowMs) {
        if (from === afterMs) {
          return null;
        }
        continue;
      }
      for (let n = this.next(t); n !== null && n <= nowMs; n = this.next(t)) {
        t = n;
      }
      return t;
    }
    return null;
  }

  /** How many firings lie in (afterMs, beforeMs), counting at most `cap`. */
  countBetween(afterMs: number, beforeMs: number, cap = 1000): number {
    let n = 0;
    for (let t = this.next(afterMs); t !== null && t < beforeMs && n < cap; t = this.next(t)) {
      n++;
    }
    return n;
  }
}

/** UTC offsets of one IANA zone, from the platform's time-zone data (Intl). */
export class ZoneOffsets {
  private static readonly cache = new Map<string, ZoneOffsets>();

  static of(timezone: string): ZoneOffsets {
    let z = ZoneOffsets.cache.get(timezone);
    if (!z) {
      let fmt: Intl.DateTimeFormat;
      try {
        fmt = new Intl.DateTimeFormat('en-US', {
          timeZone: timezone,
          hourCycle: 'h23',
          year: 'numeric',
          month: 'numeric',
          day: 'numeric',
          hour: 'numeric',
          minute: 'numeric',
          second: 'numeric',
        });
      } catch {
        throw badRequest('invalid_timezone', `time zone '${timezone.slice(0, 100)}' is not an IANA time zone: use a name such as UTC, Europe/Berlin or America/New_York`);
      }
      z = new ZoneOffsets(fmt);
      if (ZoneOffsets.cache.size > 1000) {
        ZoneOffsets.cache.clear();
      }
      ZoneOffsets.cache.set(timezone, z);
    }
    return z;
  }

  private constructor(private readonly fmt: Intl.DateTimeFormat) {}

  /** offset (ms, local minus UTC) in force at `instantMs` */
  offsetAt(instantMs: number): number {
    const secondMs = Math.floor(instantMs / 1000) * 1000;
    const p: Record<string, number> = {};
    for (const part of this.fmt.formatToParts(new Date(secondMs))) {
      if (part.type !== 'literal') {
        p[part.type] = Number(part.value);
      }
    }
    const wall = Date.UTC(p.year ?? 1970, (p.month ?? 1) - 1, p.day ?? 1, p.hour ?? 0, p.minute ?? 0, p.second ?? 0);
    return wall - secondMs;
  }

  /** the wall-clock reading at `instantMs`, as epoch ms of the same reading in UTC */
  wallOf(instantMs: number): number {
    return instantMs + this.offsetAt(instantMs);
  }

  /** the instant a wall time names: the earlier one when it occurs twice, the jump when it does not occur */
  resolve(wallMs: number): number {
    const offsets = new Set([this.offsetAt(wallMs - 86_400_000), this.offsetAt(wallMs), this.offsetAt(wallMs + 86_400_000)]);
    const valid = [...offsets].map((o) => wallMs - o).filter((at) => this.offsetAt(at) === wallMs - at);
    if (valid.length > 0) {
      return Math.min(...valid);
    }
    // In a gap: the jump lies between the instant under the larger offset and the one under the
    // smaller; find the first second that already has the new offset.
    const sorted = [...offsets].sort((a, b) => a - b);
    let lo = Math.floor((wallMs - (sorted[sorted.length - 1] ?? 0)) / 1000);
    let hi = Math.ceil((wallMs - (sorted[0] ?? 0)) / 1000);
    const before = this.offsetAt(lo * 1000);
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (this.offsetAt(mid * 1000) === before) {
        lo = mid;
      } else {
        hi = mid;
      }
    }
    return hi * 1000;
  }
}
