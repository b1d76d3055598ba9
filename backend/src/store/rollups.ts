/**
 * The rollup catalogue: every AggregatingMergeTree table that materialized views fill from `events`,
 * with its time grain and the columns it keeps. The migrations create them from here and the query
 * planner (analytics/planner.ts) chooses among them, so the two never disagree about what exists.
 *
 * Each table holds, per (tenant, bucket, dims…), `events` (count) and `users` (uniqState(user_id)).
 * The wide tables keep type × platform × country (any filter or group-by on those); the narrow ones
 * keep only type (an event-type filter or group-by) or nothing (one row per tenant and bucket), so a
 * panel reads the fewest rows that still answer it: unique users above all, whose states are only
 * smaller than the events when the same users recur within a row.
 */
export type RollupGrain = 'minute' | 'hour' | 'day';
export type RollupDim = 'type' | 'platform' | 'country' | 'message_type';

/**
 * The query field each rollup column answers. `message_type` is the seed's message type
 * (`properties.message_type`, what GET /analytics/messages groups by); a table that keeps it also
 * gets an ALIAS column `properties` holding just that key, so the events table's expression
 * `properties['message_type']` means the same on the rollup.
 */
export const DIM_FIELDS: Record<RollupDim, string> = {
  type: 'type',
  platform: 'platform',
  country: 'country',
  message_type: 'properties.message_type',
};

/** The events-table expression of a rollup column. */
const DIM_SOURCE: Record<RollupDim, string> = {
  type: 'type',
  platform: 'platform',
  country: 'country',
  message_type: "properties['message_type']",
};

export interface Rollup {
  table: string;
  grain: RollupGrain;
  dims: readonly RollupDim[];
  /** the table its view reads: `events`, or a finer rollup (cascaded views merge its states) */
  from: string;
  /** the ClickHouse migration that creates it */
  migration: number;
}

const WIDE: readonly RollupDim[] = ['type', 'platform', 'country'];

export const ROLLUPS: readonly Rollup[] = [
  { table: 'events_rollup_minute', grain: 'minute', dims: WIDE, from: 'events', migration: 2 },
  { table: 'events_rollup_hour', grain: 'hour', dims: WIDE, from: 'events', migration: 2 },
  { table: 'events_rollup_day', grain: 'day', dims: WIDE, from: 'events_rollup_hour', migration: 3 },
  { table: 'events_type_hour', grain: 'hour', dims: ['type'], from: 'events_rollup_hour', migration: 3 },
  { table: 'events_type_day', grain: 'day', dims: ['type'], from: 'events_type_hour', migration: 3 },
  { table: 'events_total_hour', grain: 'hour', dims: [], from: 'events_type_hour', migration: 3 },
  { table: 'events_total_day', grain: 'day', dims: [], from: 'events_type_day', migration: 3 },
  { table: 'events_message_hour', grain: 'hour', dims: ['type', 'message_type'], from: 'events', migration: 3 },
  { table: 'events_message_day', grain: 'day', dims: ['type', 'message_type'], from: 'events_message_hour', migration: 3 },
];

const START_OF: Record<RollupGrain, string> = { minute: 'toStartOfMinute', hour: 'toStartOfHour', day: 'toStartOfDay' };

/** SELECT that turns rows of `r.from` into rows of `r` (a view's body, and the backfill's). */
function rollupSelect(r: Rollup): string {
  const dims = r.dims.map((d) => `, ${d}`).join('');
  const fromEvents = r.dims.map((d) => (DIM_SOURCE[d] === d ? `, ${d}` : `, ${DIM_SOURCE[d]} AS ${d}`)).join('');
  return r.from === 'events'
    ? `SELECT tenant_id, ${START_OF[r.grain]}(timestamp) AS bucket${fromEvents}, count() AS events, uniqState(user_id) AS users
       FROM events GROUP BY tenant_id, bucket${dims}`
    : `SELECT tenant_id, b AS bucket${dims}, e AS events, u AS users FROM (
         SELECT tenant_id, ${START_OF[r.grain]}(bucket) AS b${dims}, sum(events) AS e, uniqMergeState(users) AS u
         FROM ${r.from} GROUP BY tenant_id, b${dims})`;
}

/**
 * Table, view and one backfill for a rollup. A cascaded view reads the inserts into the finer rollup
 * (never `events` again), which keeps ingestion's cost to one pass over each block.
 */
export function rollupStatements(r: Rollup): string[] {
  const dimCols = r.dims.map((d) => `\n        ${d} LowCardinality(String),`).join('');
  return [
    `CREATE TABLE IF NOT EXISTS ${r.table} (
        tenant_id LowCardinality(String),
        bucket DateTime('UTC'),${dimCols}
        events SimpleAggregateFunction(sum, UInt64),
        users AggregateFunction(uniq, String)${r.dims.includes('message_type') ? `,\n        properties Map(String, String) ALIAS map('message_type', message_type)` : ''}
      ) ENGINE = AggregatingMergeTree
      PARTITION BY toYYYYMM(bucket)
      ORDER BY (tenant_id, bucket${r.dims.map((d) => `, ${d}`).join('')})
      SETTINGS non_replicated_deduplication_window = 10000`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${r.table}_mv TO ${r.table} AS ${rollupSelect(r)}`,
    `INSERT INTO ${r.table} ${rollupSelect(r)}`,
  ];
}
