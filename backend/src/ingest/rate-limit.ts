import type { MetadataDb } from '../store/metadata-db.js';

/**
 * Per-tenant token buckets counting events (not requests): a tenant may send `rate` events per
 * second on average with bursts of two seconds' worth. `take` answers 0 when the events may
 * pass, else the seconds to wait (for Retry-After); a request passes or waits whole.
 */
export interface EventRateLimiter {
  readonly enabled: boolean;
  take(counts: Map<string, number>): Promise<number>;
}

/** The wait for one bucket holding `tokens` asked for `n` (0 = it may pass). */
function waitFor(tokens: number, n: number, rate: number): number {
  const capacity = rate * 2;
  // A request larger than the whole burst still passes when the bucket is full (it then drives the
  // bucket negative, which keeps the average rate).
  return tokens < n && tokens < capacity ? Math.ceil((Math.min(n, capacity) - tokens) / rate) : 0;
}

/**
 * Buckets in this process: exact when one instance serves the tenants, which is the embedded mode
 * (PGlite belongs to one process).
 */
export class TenantRateLimiter implements EventRateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(private readonly rate: number) {}

  get enabled(): boolean {
    return this.rate > 0;
  }

  /** Checks every tenant's share of a request first, then takes from all, so a request passes or fails whole. */
  async take(counts: Map<string, number>, now = Date.now()): Promise<number> {
    return this.takeNow(counts, now);
  }

  takeNow(counts: Map<string, number>, now = Date.now()): number {
    if (!this.enabled) {
      return 0;
    }
    const capacity = this.rate * 2;
    let wait = 0;
    for (const [tenant, n] of counts) {
      const b = this.refill(tenant, now, capacity);
      wait = Math.max(wait, waitFor(b.tokens, n, this.rate));
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

/**
 * Buckets in the PostgreSQL server, shared by every instance (issue "Platform", part 4): the rate is
 * what a tenant pays for, so it must not grow with the number of instances. One transaction per
 * request locks the tenants' rows (in a fixed order), refills them by the time elapsed on the
 * server's clock, and takes from all or none.
 */
export class SharedTenantRateLimiter implements EventRateLimiter {
  constructor(
    private readonly db: MetadataDb,
    private readonly rate: number
  ) {}

  get enabled(): boolean {
    return this.rate > 0;
  }

  async take(counts: Map<string, number>): Promise<number> {
    if (!this.enabled || counts.size === 0) {
      return 0;
    }
    const capacity = this.rate * 2;
    const tenants = [...counts.keys()].sort();
    return this.db.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO tenant_rate_buckets (tenant_id, tokens, at) SELECT t, $2, clock_timestamp() FROM unnest($1::text[]) AS t ON CONFLICT (tenant_id) DO NOTHING`,
        [tenants, capacity]
      );
      const rows = await tx.query<{ tenant_id: string; tokens: number }>(
        `SELECT tenant_id, least($2::double precision, tokens + $3::double precision * extract(epoch FROM clock_timestamp() - at))::double precision AS tokens
         FROM tenant_rate_buckets WHERE tenant_id = ANY($1::text[]) ORDER BY tenant_id FOR UPDATE`,
        [tenants, capacity, this.rate]
      );
      const wait = Math.max(0, ...rows.map((r) => waitFor(Number(r.tokens), counts.get(r.tenant_id) ?? 0, this.rate)));
      if (wait > 0) {
        return wait;
      }
      await tx.query(
        `UPDATE tenant_rate_buckets b SET tokens = n.tokens, at = clock_timestamp()
         FROM unnest($1::text[], $2::double precision[]) AS n(tenant_id, tokens) WHERE b.tenant_id = n.tenant_id`,
        [rows.map((r) => r.tenant_id), rows.map((r) => Number(r.tokens) - (counts.get(r.tenant_id) ?? 0))]
      );
      return 0;
    });
  }
}
