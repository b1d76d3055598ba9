import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createClient, type ClickHouseClient, type ClickHouseSettings } from '@clickhouse/client';
import { createChdbConnection } from 'chdb/connection';

export type EngineMode = 'embedded' | 'server';
type Params = Record<string, unknown>;

/**
 * The analytics store: `@clickhouse/client` everywhere (DESIGN.md "Two modes, same code").
 * Embedded, the client runs over chdb's in-process connection; scaled, over HTTP.
 *
 * chdb runs the queries of one Session one after another, so the embedded store keeps a
 * dedicated session for ingestion inserts and a small pool for queries: a long analytics
 * query never stalls the WAL flush (issue "Foundation", item 3).
 */
export class AnalyticsStore {
  private next = 0;
  private readonly inflight: number[];

  private constructor(
    readonly mode: EngineMode,
    private readonly writer: ClickHouseClient,
    private readonly readers: ClickHouseClient[],
    private readonly owned: ClickHouseClient[]
  ) {
    this.inflight = readers.map(() => 0);
  }

  static embedded(dataDir: string, querySessions: number): AnalyticsStore {
    const path = join(dataDir, 'clickhouse');
    mkdirSync(path, { recursive: true });
    // chdb types its connection against @clickhouse/client-common, which @clickhouse/client
    // vendors as its own copy: same shape, two declarations, hence the cast.
    const make = () => createClient({ connection: createChdbConnection({ path }) as never });
    const writer = make();
    const readers = Array.from({ length: querySessions }, make);
    return new AnalyticsStore('embedded', writer, readers, [writer, ...readers]);
  }

  static server(url: string): AnalyticsStore {
    const u = new URL(url);
    const database = u.pathname.replace(/^\//, '') || undefined;
    const client = createClient({
      url: `${u.protocol}//${u.host}`,
      username: decodeURIComponent(u.username) || undefined,
      password: decodeURIComponent(u.password) || undefined,
      database,
      max_open_connections: 16,
      request_timeout: 60_000,
      compression: { request: false, response: true },
    });
    return new AnalyticsStore('server', client, [client], [client]);
  }

  /** Least-busy reader session. */
  private reader(): ClickHouseClient {
    let best = this.next++ % this.readers.length;
    for (let i = 0; i < this.readers.length; i++) {
      if ((this.inflight[i] ?? 0) < (this.inflight[best] ?? 0)) {
        best = i;
      }
    }
    return this.readers[best] as ClickHouseClient;
  }

  private async tracked<T>(fn: (c: ClickHouseClient) => Promise<T>): Promise<T> {
    const c = this.reader();
    const i = this.readers.indexOf(c);
    this.inflight[i] = (this.inflight[i] ?? 0) + 1;
    try {
      return await fn(c);
    } finally {
      this.inflight[i] = (this.inflight[i] ?? 1) - 1;
    }
  }

  async query<T>(sql: string, params: Params = {}, settings: ClickHouseSettings = {}): Promise<T[]> {
    return this.tracked(async (c) => {
      const rs = await c.query({ query: sql, query_params: params, format: 'JSONEachRow', clickhouse_settings: settings });
      return rs.json<T>();
    });
  }

  async command(sql: string, params: Params = {}, settings: ClickHouseSettings = {}): Promise<void> {
    await this.writer.command({ query: sql, query_params: params, clickhouse_settings: settings });
  }

  /**
   * Inserts NDJSON text (one JSON object a line, the table's columns) on the ingestion session.
   * `dedupToken` makes the insert idempotent: a replay with the same token is dropped by
   * ClickHouse (MergeTree `non_replicated_deduplication_window`, or replicated dedup).
   */
  async insertNdjson(table: string, ndjson: string, dedupToken: string): Promise<void> {
    if (ndjson.length === 0) {
      return;
    }
    const res = await this.writer.exec({
      query: `INSERT INTO ${table} FORMAT JSONEachRow`,
      values: Readable.from([ndjson], { objectMode: false }),
      clickhouse_settings: {
        insert_deduplicate: 1,
        insert_deduplication_token: dedupToken,
        deduplicate_blocks_in_dependent_materialized_views: 1,
        date_time_input_format: 'best_effort',
        input_format_skip_unknown_fields: 1,
      },
    });
    res.stream.destroy();
  }

  async ping(): Promise<void> {
    const r = await this.reader().ping();
    if (!r.success) {
      throw r.error;
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.owned.map((c) => c.close()));
  }
}
