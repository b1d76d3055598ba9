/**
 * The demo platform's fault switch: a fault is a window of wall-clock time during which the simulated
 * platform misbehaves in one way, chosen so that one rule of the standard pack
 * (alerts/metric-rules/pack.ts) would fire on it. A fault ends by itself at `ends_at`; switching the
 * same kind on again moves its end; clearing ends it now. Past windows are kept until the simulation
 * has integrated past them, so a catch-up over a gap applies each fault only where it was on.
 */
export const FAULT_KINDS = ['error-spike', 'latency', 'disconnect-storm', 'lag'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export const isFaultKind = (s: string): s is FaultKind => (FAULT_KINDS as readonly string[]).includes(s);

/** A fault may last up to a day (the demo is for watching alerts, incidents and SLO burn happen). */
export const MAX_FAULT_MINUTES = 24 * 60;

/** What each fault does, and the standard rule it makes fire (pack.ts ids and alert names). */
export const FAULT_EFFECTS: Record<FaultKind, { rule: string; alert: string; effect: string }> = {
  'error-spike': {
    rule: 'std-error-rate',
    alert: 'HighErrorRate',
    effect: 'about 8% of API requests answer 5xx (500, 502, 503) and 5% of messages fail; the HighErrorRate rule (> 1%) fires',
  },
  latency: {
    rule: 'std-high-latency',
    alert: 'HighLatency',
    effect: 'API latency ×12 (slow MongoDB reads ×15, socket delivery ×8, nodes +10% CPU); p99 goes past 500 ms and HighLatency fires',
  },
  'disconnect-storm': {
    rule: 'std-socket-disconnect-storm',
    alert: 'SocketDisconnectStorm',
    effect: 'sockets drop in a reconnect loop: at least 2,400 disconnects a minute (transport close, ping timeout), connections fall to ~55%; SocketDisconnectStorm (> 1000/min) fires',
  },
  lag: {
    rule: 'std-consumer-lag',
    alert: 'KafkaConsumerLag',
    effect: 'a backfill floods caas.events (+1,500 msg/s) while the caas-analytics consumers stall at 20%; their lag passes 10,000 within seconds and KafkaConsumerLag fires; afterwards they catch up',
  },
};

export interface FaultWindow {
  kind: FaultKind;
  /** epoch ms */
  started_at: number;
  /** epoch ms: the fault is on in [started_at, ends_at) */
  ends_at: number;
}

export class FaultSwitch {
  private windows: FaultWindow[] = [];

  constructor(private readonly now: () => number = Date.now) {}

  /**
   * Switches `kind` on for `minutes` from now. A fault of that kind already on keeps its start and gets
   * the new end (so repeating the command extends or shortens it).
   */
  start(kind: FaultKind, minutes: number): FaultWindow {
    if (!(minutes > 0 && minutes <= MAX_FAULT_MINUTES)) {
      throw new RangeError(`minutes must be more than 0 and at most ${MAX_FAULT_MINUTES}, got ${minutes}`);
    }
    const now = this.now();
    const ends = now + Math.round(minutes * 60_000);
    const on = this.windows.find((w) => w.kind === kind && w.started_at <= now && now < w.ends_at);
    if (on) {
      on.ends_at = ends;
      return { ...on };
    }
    const w: FaultWindow = { kind, started_at: now, ends_at: ends };
    this.windows.push(w);
    return { ...w };
  }

  /** Ends the faults on now (of one kind, or all); returns what was ended. */
  clear(kind?: FaultKind): FaultWindow[] {
    const now = this.now();
    const ended: FaultWindow[] = [];
    for (const w of this.windows) {
      if ((kind === undefined || w.kind === kind) && w.started_at <= now && now < w.ends_at) {
        w.ends_at = now;
        ended.push({ ...w });
      }
    }
    return ended;
  }

  /** The faults on at `at` (default now), soonest end first. */
  active(at: number = this.now()): FaultWindow[] {
    return this.windows
      .filter((w) => w.started_at <= at && at < w.ends_at)
      .map((w) => ({ ...w }))
      .sort((a, b) => a.ends_at - b.ends_at);
  }

  /** The kinds on at `at`. */
  kindsAt(at: number): Set<FaultKind> {
    const out = new Set<FaultKind>();
    for (const w of this.windows) {
      if (w.started_at <= at && at < w.ends_at) out.add(w.kind);
    }
    return out;
  }

  /** Forgets windows that ended before `t` (the simulation has integrated past them). */
  forgetBefore(t: number): void {
    this.windows = this.windows.filter((w) => w.ends_at >= t);
  }
}
