/**
 * Per-tenant token buckets counting events (not requests): a tenant may send `rate` events per
 * second on average with bursts of two seconds' worth. `take` answers 0 when the events may
 * pass, else the seconds to wait (for Retry-After).
 */
export class TenantRateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(private readonly rate: number) {}

  get enabled(): boolean {
    return this.rate > 0;
  }

  /** Checks every tenant's share of a request first, then takes from all, so a request passes or fails whole. */
  take(counts: Map<string, number>, now = Date.now()): number {
    if (!this.enabled) {
      return 0;
    }
    const capacity = this.rate * 2;
    let wait = 0;
    for (const [tenant, n] of counts) {
      const b = this.refill(tenant, now, capacity);
      // A request larger than the whole burst still passes when the bucket is full (it then
      // drives the bucket negative, which keeps the average rate).
      if (b.tokens < n && b.tokens < capacity) {
        wait = Math.max(wait, Math.ceil((Math.min(n, capacity) - b.tokens) / this.rate));
      }
    }
    if (wait > 0) {
      return wait;
    }
    for (const [tenant, n] of counts) {
      (this.buckets.get(tenant) as { tokens: number }).tokens -= n;
    }
    return 0;
  }

  private refill(tenant: string, now: number, capacity: number): { tokens: number; at: number } {
    let b = this.buckets.get(tenant);
    if (!b) {
      b = { tokens: capacity, at: now };
      this.buckets.set(tenant, b);
    }
    b.tokens = Math.min(capacity, b.tokens + ((now - b.at) / 1000) * this.rate);
    b.at = now;
    return b;
  }
}
