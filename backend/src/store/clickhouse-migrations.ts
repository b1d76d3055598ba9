import type { AnalyticsStore } from './analytics-store.js';
import type { MetadataDb } from './metadata-db.js';
import { ROLLUPS, rollupStatements } from './rollups.js';

/**
 * Versioned, idempotent ClickHouse migrations, applied at start (issue "Foundation", item 3).
 * Each statement is safe to re-run (IF NOT EXISTS); the applied versions are recorded in
 * `schema_migrations` so a migration never runs twice on purpose, and a crash half-way
 * re-runs it harmlessly.
 */
export interface ChMigration {
  version: number;
  name: string;
  statements: string[];
}

export const CLICKHOUSE_MIGRATIONS: ChMigration[] = [
  {
    version: 1,
    name: 'events',
    statements: [
      // The seed's AnalyticsEvent (Phase 3.2). Partitioned by month; ordered for tenant + time
      // queries. properties keeps every key; values are strings (numbers as their decimal text).
      `CREATE TABLE IF NOT EXISTS events (
        event_id String,
        tenant_id LowCardinality(String),
        type LowCardinality(String),
        user_id String,
        timestamp DateTime64(3, 'UTC'),
        received_at DateTime64(3, 'UTC'),
        properties Map(LowCardinality(String), String) CODEC(ZSTD(1)),
        device LowCardinality(String),
        platform LowCardinality(String),
        app_version LowCardinality(String),
        country LowCardinality(String)
      )
      ENGINE = MergeTree
      PARTITION BY toYYYYMM(timestamp)
      ORDER BY (tenant_id, toDate(timestamp), type, user_id, timestamp)
      SETTINGS non_replicated_deduplication_window = 10000, index_granularity = 8192`,
    ],
  },
  {
    version: 2,
    name: 'rollups',
    // Issue "CAAS analytics", item 3: materialized views into AggregatingMergeTree tables, per minute
    // and per hour, count and uniqState(user_id) by tenant, type, platform, country; and one row per
    // (tenant, day, type, user) for the user-based kinds (active users, retention, cohorts, adoption).
    // Existing events are backfilled once, right after each view starts feeding its table.
    statements: [
      ...(['minute', 'hour'] as const).flatMap((g) => [
        `CREATE TABLE IF NOT EXISTS events_rollup_${g} (
          tenant_id LowCardinality(String),
          bucket DateTime('UTC'),
          type LowCardinality(String),
          platform LowCardinality(String),
          country LowCardinality(String),
          events SimpleAggregateFunction(sum, UInt64),
          users AggregateFunction(uniq, String)
        ) ENGINE = AggregatingMergeTree
        PARTITION BY toYYYYMM(bucket)
        ORDER BY (tenant_id, bucket, type, platform, country)
        SETTINGS non_replicated_deduplication_window = 10000`,
        `CREATE MATERIALIZED VIEW IF NOT EXISTS events_rollup_${g}_mv TO events_rollup_${g} AS
          SELECT tenant_id, toStartOf${g === 'minute' ? 'Minute' : 'Hour'}(timestamp) AS bucket, type, platform, country,
                 count() AS events, uniqState(user_id) AS users
          FROM events GROUP BY tenant_id, bucket, type, platform, country`,
        `INSERT INTO events_rollup_${g}
          SELECT tenant_id, toStartOf${g === 'minute' ? 'Minute' : 'Hour'}(timestamp) AS bucket, type, platform, country,
                 count() AS events, uniqState(user_id) AS users
          FROM events GROUP BY tenant_id, bucket, type, platform, country`,
      ]),
      `CREATE TABLE IF NOT EXISTS user_days (
        tenant_id LowCardinality(String),
        day Date,
        type LowCardinality(String),
        user_id String,
        events SimpleAggregateFunction(sum, UInt64)
      ) ENGINE = AggregatingMergeTree
      PARTITION BY toYYYYMM(day)
      ORDER BY (tenant_id, type, day, user_id)
      SETTINGS non_replicated_deduplication_window = 10000`,
      `CREATE MATERIALIZED VIEW IF NOT EXISTS user_days_mv TO user_days AS
        SELECT tenant_id, toDate(timestamp) AS day, type, user_id, count() AS events
        FROM events GROUP BY tenant_id, day, type, user_id`,
      `INSERT INTO user_days SELECT tenant_id, toDate(timestamp) AS day, type, user_id, count() AS events
        FROM events GROUP BY tenant_id, day, type, user_id`,
    ],
  },
  {
    version: 3,
    name: 'coarse rollups',
    // Issue "CAAS analytics", bench/query: the minute and hour rollups keep type × platform × country,
    // nearly as fine as the events, so they barely shrink a 30-day panel. Per-day rollups and
    // type-only rollups shrink it 30–1000×. Their views cascade from the hour rollup.
    statements: [
      ...ROLLUPS.filter((r) => r.migration === 3).flatMap(rollupStatements),
      // One row per (tenant, month, user), and per (tenant, type, month, user): the days of the month the
      // user was active, as bits 0–30 of a UInt32 (OR-merged), and their events. Active users, adoption,
      // retention and cohorts read a row per user and month instead of a row per user, day and type.
      ...(
        [
          ['user_months', ''],
          ['user_type_months', 'type LowCardinality(String),'],
        ] as const
      ).flatMap(([table, typeCol]) => {
        const type = typeCol ? ' type,' : '';
        const select = `SELECT tenant_id,${type} toStartOfMonth(day) AS month, user_id,
          groupBitOr(bitShiftLeft(toUInt32(1), toDayOfMonth(day) - 1)) AS days, sum(events) AS events
          FROM user_days GROUP BY tenant_id,${type} month, user_id`;
        return [
          `CREATE TABLE IF NOT EXISTS ${table} (
            tenant_id LowCardinality(String),
            ${typeCol}
            month Date,
            user_id String,
            days SimpleAggregateFunction(groupBitOr, UInt32),
            events SimpleAggregateFunction(sum, UInt64)
          ) ENGINE = AggregatingMergeTree
          PARTITION BY toYYYYMM(month)
          ORDER BY (tenant_id,${type} month, user_id)
          SETTINGS non_replicated_deduplication_window = 10000`,
          `CREATE MATERIALIZED VIEW IF NOT EXISTS ${table}_mv TO ${table} AS ${select}`,
          `INSERT INTO ${table} ${select}`,
        ];
      }),
    ],
  },
];

/** TTL clause from configuration: raw events are deleted `ttlDays` after their timestamp. */
export function eventsTtlSql(ttlDays: number): string {
  return `ALTER TABLE events MODIFY TTL toDateTime(timestamp) + INTERVAL ${Math.floor(ttlDays)} DAY DELETE`;
}

/** Applies the migrations not yet recorded (all of CLICKHOUSE_MIGRATIONS; tests pass a prefix to build an older schema). */
export async function migrateClickHouse(store: AnalyticsStore, ttlDays: number, migrations: ChMigration[] = CLICKHOUSE_MIGRATIONS): Promise<number[]> {
  await store.command(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version UInt32, name String, applied_at DateTime64(3, 'UTC') DEFAULT now64(3)
    ) ENGINE = ReplacingMergeTree ORDER BY version`);
  const done = new Set(
    (await store.query<{ version: number }>('SELECT version FROM schema_migrations FINAL')).map((r) => Number(r.version))
  );
  const applied: number[] = [];
  for (const m of migrations) {
    if (done.has(m.version)) {
      continue;
    }
    for (const s of m.statements) {
      await store.command(s);
    }
    await store.command('INSERT INTO schema_migrations (version, name) VALUES ({v:UInt32}, {n:String})', {
      v: m.version,
      n: m.name,
    });
    applied.push(m.version);
  }
  // Retention is configuration, not schema: re-applied at every start so EVENTS_TTL_DAYS takes effect.
  // materialize_ttl_after_modify=0 keeps the restart cheap; old parts are cleaned at their next merge.
  await store.command(eventsTtlSql(ttlDays), {}, { materialize_ttl_after_modify: 0 });
  return applied;
}

/**
 * The advisory lock that orders ClickHouse schema changes against inserts across instances: the
 * migration holds it exclusively, every instance's flusher holds it shared for each insert.
 */
export const CLICKHOUSE_WRITE_LOCK = 7_201_772;

/**
 * Migrations run by several instances at once, safely (issue "Platform", part 4): the first takes
 * the lock and migrates, the others wait and then find nothing to do. While it holds the lock no
 * instance inserts into ClickHouse, so the moment it took the lock is the backfills' cutoff: a
 * row is either already in the table (the backfill counts it) or inserted after the view exists
 * (the view counts it), never both.
 */
export function migrateClickHouseExclusive(store: AnalyticsStore, db: MetadataDb, ttlDays: number, migrations?: ChMigration[]): Promise<number[]> {
  return db.withLock(CLICKHOUSE_WRITE_LOCK, 'exclusive', () => migrateClickHouse(store, ttlDays, migrations));
}
