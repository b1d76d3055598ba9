import { tooMany } from '../errors.js';
import type { MetadataDb } from '../store/metadata-db.js';

/**
 * The per-tenant search quota (issue "Crawler and search", item 4): `perMinute` queries a minute, as
 * a token bucket holding at most one minute's worth (a tenant may spend its minute in a burst) and
 * refilled continuously. `take` answers 0 when the query may run, else the whole seconds to wait
 * (for Retry-After). 0 disables the quota.
 */
export interface SearchQuota {
  readonly perMinute: number;
  take(tenant: string): Promise<number>;
}

/** The wait for a bucket holding `tokens` (0 = one query may pass). */
function waitFor(tokens: number, perMinute: number): number {
  return tokens >= 1 ? 0 : Math.max(1, Math.ceil(((1 - tokens) * 60) / perMinute));
}

/** Buckets in this process: exact in the embedded mode (PGlite belongs to one process). */
export class LocalSearchQuota implements SearchQuota {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(readonly perMinute: number) {}

  async take(tenant: string, now = Date.now()): Promise<number> {
    if (this.perMinute <= 0) {
      return 0;
    }
    let b = this.buckets.get(tenant);
    if (!b) {
      b = { tokens: this.perMinute, at: now };
      this.buckets.set(tenant, b);
    }
    b.tokens = Math.min(this.perMinute, b.tokens + ((now - b.at) / 60_000) * this.perMinute);
    b.at = now;
    const wait = waitFor(b.tokens, this.perMinute);
    if (wait === 0) {
      b.tokens -= 1;
    }
    return wait;
  }
}

/**
 * Buckets in the PostgreSQL server (table search_quota_buckets, migration 9), shared by every
 * instance: the quota is what a tenant pays for, so it must not grow with the number of instances.
 * One statement refills the tenant's row by the time elapsed on the server's clock and takes a token
 * if there is one, under the row lock, so concurrent queries on any instance never overspend.
 */
export class SharedSearchQuota implements SearchQuota {
  constructor(
    private readonly db: MetadataDb,
    readonly perMinute: number
  ) {}

  async take(tenant: string): Promise<number> {
    if (this.perMinute <= 0) {
      return 0;
    }
    return this.db.transaction(async (tx) => {
      await tx.query(`INSERT INTO search_quota_buckets (tenant_id, tokens, at) VALUES ($1, $2, clock_timestamp()) ON CONFLICT (tenant_id) DO NOTHING`, [tenant, this.perMinute]);
      const [row] = await tx.query<{ tokens: number }>(
        `SELECT least($2::double precision, tokens + $2::double precision / 60 * extract(epoch FROM clock_timestamp() - at))::double precision AS tokens
         FROM search_quota_buckets WHERE tenant_id = $1 FOR UPDATE`,
        [tenant, this.perMinute]
      );
      const tokens = Number(row?.tokens ?? this.perMinute);
      const wait = waitFor(tokens, this.perMinute);
      await tx.query(`UPDATE search_quota_buckets SET tokens = $2, at = clock_timestamp() WHERE tenant_id = $1`, [tenant, wait === 0 ? tokens - 1 : tokens]);
      return wait;
    });
  }
}

/** Shared on the PostgreSQL server, per process on PGlite. */
export function createSearchQuota(db: MetadataDb, perMinute: number): SearchQuota {
  return db.mode === 'server' ? new SharedSearchQuota(db, perMinute) : new LocalSearchQuota(perMinute);
}

/** Takes one query from the tenant's quota or throws 429 with Retry-After naming the setting. */
export async function chargeSearch(quota: SearchQuota, tenant: string): Promise<void> {
  const wait = await quota.take(tenant);
  if (wait > 0) {
    throw tooMany('search_quota', `tenant '${tenant}' made more than ${quota.perMinute} searches a minute (SEARCH_QUERIES_PER_MINUTE): retry after ${wait}s`, wait);
  }
}
