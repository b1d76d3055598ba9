import type { AnalyticsStore } from '../store/analytics-store.js';
import type { Queryable } from '../store/metadata-db.js';
import type { JobContext } from './runner.js';
import { iso } from './store.js';

/**
 * The nightly storage report (issue "Platform", part 2, first users): rows and bytes per tenant in
 * ClickHouse, kept in the metadata store for Home (GET /v1/storage).
 *
 * `rows` is the tenant's rows in `events` (what it sent and ClickHouse keeps). `bytes` is its share
 * of the bytes on disk (compressed) of every table keyed by tenant (events, rollups, user tables):
 * ClickHouse keeps sizes per part, not per tenant, so each table's bytes on disk are split in
 * proportion to the tenants' uncompressed sizes (`sum(byteSize(*))`). Both are read with full scans:
 * a nightly job, not a request.
 */
export const STORAGE_REPORT_KIND = 'storage.report';
export const STORAGE_REPORT_SCHEDULE = 'storage-report';

export interface TenantStorage {
  tenant_id: string;
  rows: number;
  bytes: number;
  tables: Array<{ table: string; rows: number; bytes: number }>;
}

export interface StorageReport {
  taken_at: string;
  job_id: string | null;
  tenants: TenantStorage[];
  totals: { rows: number; bytes: number };
}

export async function measureStorage(store: AnalyticsStore, onTable?: (done: number, total: number, table: string) => Promise<void>): Promise<Omit<StorageReport, 'job_id'>> {
  const tables = (
    await store.query<{ table: string }>(
      `SELECT t.name AS table FROM system.tables t
       WHERE t.database = currentDatabase() AND t.engine LIKE '%MergeTree'
         AND t.name IN (SELECT table FROM system.columns WHERE database = currentDatabase() AND name = 'tenant_id')
       ORDER BY t.name`
    )
  ).map((r) => r.table);
  const onDisk = new Map(
    (
      await store.query<{ table: string; bytes: number | string }>(
        `SELECT table, sum(bytes_on_disk) AS bytes FROM system.parts WHERE database = currentDatabase() AND active GROUP BY table`
      )
    ).map((r) => [r.table, Number(r.bytes)])
  );
  const tenants = new Map<string, TenantStorage>();
  let done = 0;
  for (const table of tables) {
    const rows = await store.query<{ tenant_id: string; rows: number | string; raw: number | string }>(
      'SELECT tenant_id, count() AS rows, sum(byteSize(*)) AS raw FROM {table:Identifier} GROUP BY tenant_id',
      { table }
    );
    const rawTotal = rows.reduce((n, r) => n + Number(r.raw), 0);
    const bytes = onDisk.get(table) ?? 0;
    for (const r of rows) {
      const t = tenants.get(r.tenant_id) ?? { tenant_id: r.tenant_id, rows: 0, bytes: 0, tables: [] };
      const share = rawTotal > 0 ? Math.round((bytes * Number(r.raw)) / rawTotal) : 0;
      t.tables.push({ table, rows: Number(r.rows), bytes: share });
      t.bytes += share;
      if (table === 'events') {
        t.rows = Number(r.rows);
      }
      tenants.set(r.tenant_id, t);
    }
    done++;
    await onTable?.(done, tables.length, table);
  }
  const list = [...tenants.values()].sort((a, b) => b.bytes - a.bytes || a.tenant_id.localeCompare(b.tenant_id));
  return {
    taken_at: new Date().toISOString(),
    tenants: list,
    totals: { rows: list.reduce((n, t) => n + t.rows, 0), bytes: list.reduce((n, t) => n + t.bytes, 0) },
  };
}

export class StorageReportRepo {
  constructor(private readonly db: Queryable) {}

  async save(report: StorageReport): Promise<void> {
    await this.db.query('INSERT INTO storage_reports (job_id, taken_at, report) VALUES ($1, $2, $3::jsonb)', [report.job_id, report.taken_at, JSON.stringify(report)]);
    // Home shows the latest; a year of nightly reports is enough history.
    await this.db.query(`DELETE FROM storage_reports WHERE taken_at < now() - interval '400 days'`);
  }

  /** The latest report; for a tenant key, only that tenant's part (and totals of it). */
  async latest(tenant: string | null): Promise<StorageReport | null> {
    const [row] = await this.db.query<{ report: unknown; taken_at: unknown }>('SELECT report, taken_at FROM storage_reports ORDER BY taken_at DESC, id DESC LIMIT 1');
    if (!row) {
      return null;
    }
    const report = (typeof row.report === 'string' ? JSON.parse(row.report) : row.report) as StorageReport;
    report.taken_at = iso(row.taken_at) ?? report.taken_at;
    if (tenant === null) {
      return report;
    }
    const own = report.tenants.filter((t) => t.tenant_id === tenant);
    return { ...report, tenants: own, totals: { rows: own.reduce((n, t) => n + t.rows, 0), bytes: own.reduce((n, t) => n + t.bytes, 0) } };
  }
}

export function storageReportHandler(store: AnalyticsStore, repo: StorageReportRepo) {
  return async (ctx: JobContext): Promise<void> => {
    const measured = await measureStorage(store, async (done, total, table) => {
      await ctx.progress(done, total, `measured ${table}`);
    });
    await repo.save({ ...measured, job_id: ctx.id });
    await ctx.log(`${measured.tenants.length} tenant(s): ${measured.totals.rows} event rows, ${measured.totals.bytes} bytes on disk`);
  };
}
