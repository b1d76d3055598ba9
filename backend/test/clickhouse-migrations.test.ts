import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { chTime } from '../src/ingest/enrich.js';
import { AnalyticsStore } from '../src/store/analytics-store.js';
import { CLICKHOUSE_MIGRATIONS, migrateClickHouse } from '../src/store/clickhouse-migrations.js';
import { ROLLUPS } from '../src/store/rollups.js';
import { tempDir } from './helpers.js';

/**
 * The rollups on the real embedded ClickHouse: an install made before migration 3 gets its new tables
 * backfilled from what it holds, the (cascaded) views keep every table equal to the events after
 * that, and a replayed insert (same deduplication token, as a WAL replay sends) changes nothing.
 */
const DAY = 86_400_000;
const T0 = Math.floor(Date.now() / DAY) * DAY - 10 * DAY;
const TYPES = ['login', 'message_sent', 'file_shared'];
const MTYPES = ['text', 'image', 'voice'];

function ndjson(n: number, seed: number): string {
  let x = seed;
  const rnd = () => ((x = (x * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const type = TYPES[Math.floor(rnd() * 3)] as string;
    const props = type === 'message_sent' ? { message_type: MTYPES[Math.floor(rnd() * 3)] } : {};
    lines.push(
      JSON.stringify({
        event_id: `e${seed}-${i}`,
        tenant_id: rnd() < 0.7 ? 'acme' : 'globex',
        type,
        user_id: `u${Math.floor(rnd() * 40)}`,
        timestamp: chTime(T0 + Math.floor(rnd() * 8 * DAY)),
        received_at: chTime(T0),
        properties: props,
        device: 'mobile',
        platform: ['ios', 'web'][Math.floor(rnd() * 2)],
        app_version: '1.0.0',
        country: ['US', 'DE'][Math.floor(rnd() * 2)],
      })
    );
  }
  return lines.join('\n') + '\n';
}

let store: AnalyticsStore;
before(async () => {
  store = AnalyticsStore.embedded(tempDir('caas-chmig-'), 1);
});
after(async () => store.close());

const START_OF = { minute: 'toStartOfMinute', hour: 'toStartOfHour', day: 'toStartOfDay' } as const;
const q = <T>(sql: string) => store.query<T>(sql, {}, { output_format_json_quote_64bit_integers: 0 });

/** Every rollup's counts and unique users per (tenant, bucket, dims) against the same GROUP BY on events; the monthly bit tables against the users' days. */
async function assertRollupsMatchEvents(): Promise<void> {
  for (const r of ROLLUPS) {
    const dims = r.dims.map((d) => (d === 'message_type' ? "properties['message_type'] AS message_type" : d));
    const keys = ['tenant_id', 'b', ...r.dims].join(', ');
    const raw = await q<Record<string, unknown>>(
      `SELECT ${keys}, count() AS n, uniq(user_id) AS u FROM (SELECT *, ${START_OF[r.grain]}(timestamp) AS b, ${dims.join(', ') || '1 AS _'} FROM events) GROUP BY ${keys} ORDER BY ${keys}`
    );
    const rolled = await q<Record<string, unknown>>(
      `SELECT ${keys}, sum(events) AS n, uniqMerge(users) AS u FROM (SELECT *, bucket AS b FROM ${r.table}) GROUP BY ${keys} ORDER BY ${keys}`
    );
    assert.ok(raw.length > 0);
    assert.deepEqual(rolled, raw, r.table);
  }
  for (const [table, type] of [
    ['user_months', ''],
    ['user_type_months', ' type,'],
  ] as const) {
    const days = await q<Record<string, unknown>>(
      `SELECT tenant_id,${type} user_id, arraySort(groupUniqArray(toDate(timestamp))) AS d FROM events GROUP BY tenant_id,${type} user_id ORDER BY tenant_id,${type} user_id`
    );
    const months = await q<Record<string, unknown>>(
      `SELECT tenant_id,${type} user_id, arraySort(groupUniqArray(addDays(month, b))) AS d FROM ${table} ARRAY JOIN bitPositionsToArray(days) AS b
       GROUP BY tenant_id,${type} user_id ORDER BY tenant_id,${type} user_id`
    );
    assert.deepEqual(months, days, `${table} holds each user's active days`);
  }
}

describe('ClickHouse migrations and rollups', () => {
  it('an install from before migration 3 is backfilled, then kept in step by the views, and replays change nothing', async () => {
    const older = CLICKHOUSE_MIGRATIONS.filter((m) => m.version < 3);
    assert.deepEqual(await migrateClickHouse(store, 1825, older), [1, 2]);
    await store.insertNdjson('events', ndjson(1500, 7), 'batch-1');

    assert.deepEqual(await migrateClickHouse(store, 1825), [3], 'the upgrade applies migration 3 only');
    assert.deepEqual(await migrateClickHouse(store, 1825), [], 'a second start applies nothing');
    await assertRollupsMatchEvents();

    const batch2 = ndjson(1200, 11);
    await store.insertNdjson('events', batch2, 'batch-2');
    await store.insertNdjson('events', batch2, 'batch-2'); // a WAL replay of the same segment
    const [{ n } = { n: 0 }] = await q<{ n: number }>('SELECT count() AS n FROM events');
    assert.equal(Number(n), 2700);
    await assertRollupsMatchEvents();
  });
});
