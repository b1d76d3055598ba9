/**
 * A CAAS platform's own PostgreSQL tables as a crawl source (issue "Crawler and search", source b). Each
 * source has its own connection string and its own small `pg` pool, read-only (default_transaction_read_only)
 * with a statement timeout; it never touches the Observatory's metadata store (a connection string that
 * points at it is refused when `refuseSameAs` names it).
 *
 * Paging is keyset paging on (updated_at, id) in the columns' own types, so it is exact for timestamptz
 * (microseconds) and bigint epoch-ms columns alike and may use an index on (tenant_id, updated_at, id); the
 * cursor is opaque (base64url of the last row's key as text). Deletions come from a soft-delete column
 * (`deleted_at`, when the table has it: such rows leave the items and show in the deletions feed), from a
 * deletions table, or both.
 */
import pg from 'pg';
import { CaasHttpSource } from './caas-http.js';
import {
  type CrawlSource,
  type DeletedItem,
  type DeletedOptions,
  ENTITIES,
  ENTITY_FIELDS,
  type Entity,
  type EntityItem,
  type FetchedFile,
  isEntity,
  type Page,
  type PageOptions,
  type RejectedItem,
  SourceError,
  validateDeleted,
  validateItem,
} from './source.js';

export interface PgEntityTable {
  /** default: the entity's name (messages, files, users, conversations) */
  table?: string;
  /** contract field → column, for the columns named differently (default: the field's name) */
  columns?: Record<string, string>;
  /** a soft-delete column; default 'deleted_at' when the table has it; null: none */
  softDeleteColumn?: string | null;
}

export interface PgDeletionsTable {
  table: string;
  /** the column naming the entity (values: messages, files, users, conversations); default 'entity' */
  entityColumn?: string;
  idColumn?: string;
  tenantColumn?: string;
  deletedAtColumn?: string;
}

export interface PostgresSourceOptions {
  connectionString: string;
  name?: string;
  /** default 'public' */
  schema?: string;
  tables?: Partial<Record<Entity, PgEntityTable>>;
  deletionsTable?: PgDeletionsTable | null;
  /** per statement; default 15000 */
  statementTimeoutMs?: number;
  /** default 2 */
  maxConnections?: number;
  /** the Observatory's own database URL (DATABASE_URL): a source pointing there is refused */
  refuseSameAs?: string | null;
  /** how files' download_url are fetched (plain HTTP GET, no token); defaults as CaasHttpSource */
  files?: {
    /** a download_url column that holds paths or storage keys is resolved against this (e.g. https://cdn.example.com/) */
    baseUrl?: string;
    timeoutMs?: number;
    requestsPerSecond?: number;
    retries?: number;
  };
}

interface ColumnInfo {
  type: string; // pg's data_type
  udt: string;
}
interface Plan {
  table: string; // quoted, schema-qualified
  select: string;
  timeCol: string; // quoted
  timeType: string; // cast for the cursor
  idCol: string;
  idType: string;
  idOrder: string;
  tenantCol: string;
  soft: { col: string; ms: string } | null;
}

const q = (name: string): string => {
  if (typeof name !== 'string' || name.length === 0 || name.length > 63 || name.includes('\u0000')) {
    throw new SourceError('invalid', `not a usable PostgreSQL name: ${JSON.stringify(String(name).slice(0, 80))}`, false);
  }
  return `"${name.replace(/"/g, '""')}"`;
};

const TIME_TYPES = new Set(['timestamp with time zone', 'timestamp without time zone', 'bigint', 'integer', 'numeric', 'double precision']);
const msOf = (col: string, info: ColumnInfo): string =>
  info.type.startsWith('timestamp') ? `floor(extract(epoch from ${col}) * 1000)::float8` : `${col}::float8`;
const castOf = (info: ColumnInfo): string => (info.type === 'USER-DEFINED' || info.type === 'ARRAY' ? info.udt : info.type);
const isText = (info: ColumnInfo) => info.type === 'text' || info.type === 'character varying' || info.type === 'character';

export function encodePgCursor(time: string, id: string): string {
  return Buffer.from(JSON.stringify([time, id])).toString('base64url');
}
function decodePgCursor(c: string): [string, string] {
  try {
    const v: unknown = JSON.parse(Buffer.from(c, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && typeof v[1] === 'string') return [v[0], v[1]];
  } catch {
    /* below */
  }
  throw new SourceError('invalid', 'the cursor is not one this source gave out (start the crawl of this entity again)', false);
}

function sameDatabase(a: string, b: string): boolean {
  try {
    const x = new URL(a);
    const y = new URL(b);
    const port = (u: URL) => u.port || '5432';
    const host = (u: URL) => (u.hostname === 'localhost' ? '127.0.0.1' : u.hostname);
    return host(x) === host(y) && port(x) === port(y) && x.pathname.replace(/^\//, '') === y.pathname.replace(/^\//, '');
  } catch {
    return a === b;
  }
}

export class PostgresSource implements CrawlSource {
  readonly name: string;
  private readonly pool: pg.Pool;
  private readonly schema: string;
  private readonly plans = new Map<Entity, Promise<Plan>>();
  private files: CaasHttpSource | null = null;

  constructor(private readonly o: PostgresSourceOptions) {
    if (!o.connectionString) throw new SourceError('invalid', "the PostgreSQL source needs a connection string (the platform database's URL)", false);
    if (o.refuseSameAs && sameDatabase(o.connectionString, o.refuseSameAs)) {
      throw new SourceError('invalid', "the source's connection string points at the Observatory's own metadata database: give the CAAS platform's database instead", false);
    }
    let where = 'PostgreSQL';
    try {
      const u = new URL(o.connectionString);
      where = `PostgreSQL ${u.hostname}:${u.port || 5432}${u.pathname}`;
    } catch {
      /* a key=value connection string: keep the generic name */
    }
    this.name = o.name ?? where;
    this.schema = o.schema ?? 'public';
    const timeout = o.statementTimeoutMs ?? 15_000;
    this.pool = new pg.Pool({
      connectionString: o.connectionString,
      max: o.maxConnections ?? 2,
      connectionTimeoutMillis: Math.min(timeout, 10_000),
      idleTimeoutMillis: 30_000,
      statement_timeout: timeout,
      query_timeout: timeout + 1000,
      application_name: 'caas-observatory-crawler',
      // we only read the platform's tables: the server refuses any write on these connections
      options: '-c default_transaction_read_only=on',
    });
    this.pool.on('error', () => undefined); // an idle connection dropped by the server: the next query reconnects
  }

  async page<E extends Entity>(entity: E, tenant: string, opts: PageOptions): Promise<Page<EntityItem[E]>> {
    this.checkArgs(entity, tenant, opts.limit);
    const p = await this.plan(entity);
    const params: unknown[] = [tenant, Math.max(0, Math.floor(opts.updatedSince)), opts.limit + 1];
    let where = `${p.tenantCol} = $1 AND ${p.timeCol} >= ${this.fromMs('$2', p.timeType)}`;
    if (p.soft) where += ` AND ${p.soft.col} IS NULL`;
    if (opts.cursor) {
      const [t, id] = decodePgCursor(opts.cursor);
      params.push(t, id);
      // spelt out (not a row comparison) so the id compares in the same collation as ORDER BY
      where += ` AND (${p.timeCol} > $4::${p.timeType} OR (${p.timeCol} = $4::${p.timeType} AND ${p.idOrder} > $5::${p.idType}))`;
    }
    const sql = `SELECT ${p.select}, ${p.timeCol}::text AS "__key_t", ${p.idCol}::text AS "__key_id" FROM ${p.table} WHERE ${where} ORDER BY ${p.timeCol}, ${p.idOrder} LIMIT $3`;
    const rows = await this.run(sql, params, opts.signal, entity);
    const more = rows.length > opts.limit;
    const page = more ? rows.slice(0, opts.limit) : rows;
    const items: EntityItem[E][] = [];
    const rejected: RejectedItem[] = [];
    page.forEach((row, index) => {
      const { __key_t: _t, __key_id: _i, ...raw } = row;
      if (entity === 'files' && this.o.files?.baseUrl && typeof raw.download_url === 'string') {
        try {
          raw.download_url = new URL(raw.download_url, this.o.files.baseUrl).toString();
        } catch {
          /* left as it is: validation says why it is not a URL */
        }
      }
      const r = validateItem(entity, raw, tenant);
      if (r.ok) items.push(r.item);
      else rejected.push({ index, id: typeof raw.id === 'string' ? raw.id : null, reason: r.reason });
    });
    const last = page[page.length - 1];
    return { items, rejected, nextCursor: more && last ? encodePgCursor(String(last.__key_t), String(last.__key_id)) : null };
  }

  async deleted(entity: Entity, tenant: string, opts: DeletedOptions): Promise<Page<DeletedItem>> {
    this.checkArgs(entity, tenant, opts.limit);
    const p = await this.plan(entity);
    const parts: string[] = [];
    const params: unknown[] = [tenant, Math.max(0, Math.floor(opts.since)), opts.limit + 1, entity];
    if (p.soft) {
      parts.push(`SELECT ${p.idCol}::text AS id, ${p.soft.ms} AS deleted_at FROM ${p.table} WHERE ${p.tenantCol} = $1 AND ${p.soft.col} IS NOT NULL`);
    }
    const d = this.o.deletionsTable;
    if (d) {
      const info = await this.columns(d.table);
      const dc = d.deletedAtColumn ?? 'deleted_at';
      const ci = info.get(dc);
      if (!ci) throw new SourceError('invalid', `the deletions table ${this.schema}.${d.table} has no column ${dc} (set deletionsTable.deletedAtColumn)`, false);
      for (const c of [d.entityColumn ?? 'entity', d.idColumn ?? 'id', d.tenantColumn ?? 'tenant_id']) {
        if (!info.has(c)) throw new SourceError('invalid', `the deletions table ${this.schema}.${d.table} has no column ${c}`, false);
      }
      parts.push(
        `SELECT ${q(d.idColumn ?? 'id')}::text AS id, ${msOf(q(dc), ci)} AS deleted_at FROM ${q(this.schema)}.${q(d.table)} WHERE ${q(d.tenantColumn ?? 'tenant_id')} = $1 AND ${q(d.entityColumn ?? 'entity')} = $4`
      );
    }
    if (parts.length === 0) return { items: [], nextCursor: null, rejected: [] };
    let where = 'deleted_at >= $2';
    if (opts.cursor) {
      const [t, id] = decodePgCursor(opts.cursor);
      params.push(Number(t), id);
      where += ' AND (deleted_at > $5 OR (deleted_at = $5 AND id COLLATE "C" > $6))';
    }
    const sql = `SELECT id, deleted_at FROM (${parts.join(' UNION ALL ')}) d WHERE ${where} ORDER BY deleted_at, id COLLATE "C" LIMIT $3`;
    const rows = await this.run(sql, params, opts.signal, entity);
    const more = rows.length > opts.limit;
    const page = more ? rows.slice(0, opts.limit) : rows;
    const items: DeletedItem[] = [];
    const rejected: RejectedItem[] = [];
    page.forEach((row, index) => {
      const r = validateDeleted({ id: row.id, deleted_at: row.deleted_at });
      if (r.ok) items.push(r.item);
      else rejected.push({ index, id: typeof row.id === 'string' ? row.id : null, reason: r.reason });
    });
    const last = page[page.length - 1];
    return { items, rejected, nextCursor: more && last ? encodePgCursor(String(last.deleted_at), String(last.id)) : null };
  }

  async fetchFile(downloadUrl: string, opts: { maxBytes: number; signal?: AbortSignal }): Promise<FetchedFile> {
    this.files ??= new CaasHttpSource({
      baseUrl: 'http://files.invalid/',
      name: `${this.name} files`,
      timeoutMs: this.o.files?.timeoutMs ?? 15_000,
      requestsPerSecond: this.o.files?.requestsPerSecond ?? 10,
      retries: this.o.files?.retries ?? 2,
    });
    return this.files.fetchFile(downloadUrl, opts);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  private fromMs(param: string, type: string): string {
    return type.startsWith('timestamp') ? `to_timestamp(${param}::float8 / 1000)::${type}` : `${param}::${type}`;
  }

  private checkArgs(entity: string, tenant: string, limit: number): void {
    if (!isEntity(entity)) throw new SourceError('invalid', `unknown entity ${JSON.stringify(entity)} (one of ${ENTITIES.join(', ')})`, false);
    if (typeof tenant !== 'string' || tenant.length === 0) throw new SourceError('invalid', 'a tenant id is needed', false);
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new SourceError('invalid', `limit must be a whole number from 1 to 10000, got ${limit}`, false);
  }

  private async run(sql: string, params: unknown[], signal: AbortSignal | undefined, entity: Entity): Promise<Array<Record<string, unknown>>> {
    if (signal?.aborted) throw signal.reason;
    try {
      const r = await this.pool.query(sql, params);
      return r.rows as Array<Record<string, unknown>>;
    } catch (e) {
      throw this.explain(e, entity);
    }
  }

  private explain(e: unknown, entity: Entity): SourceError {
    if (e instanceof SourceError) return e;
    const code = (e as { code?: string }).code;
    const msg = (e as Error).message ?? String(e);
    if (code === '57014') return new SourceError('timeout', `${this.name}: reading ${entity} took longer than the statement timeout (${this.o.statementTimeoutMs ?? 15_000} ms)`, true, { cause: e });
    if (code === '28P01' || code === '28000') return new SourceError('unauthenticated', `${this.name} refused the login: ${msg} (check the user and password in the source's connection string)`, false, { cause: e });
    if (code === '3D000') return new SourceError('not_found', `${this.name}: ${msg} (check the database name in the source's connection string)`, false, { cause: e });
    if (code === '42P01' || code === '42703') return new SourceError('invalid', `${this.name}: ${msg} (check the source's table and column settings for ${entity})`, false, { cause: e });
    if (code === '42501') return new SourceError('forbidden', `${this.name}: ${msg} (grant SELECT on the platform's tables to the source's user)`, false, { cause: e });
    if (/ECONNREFUSED|ENOTFOUND|ETIMEDOUT|timeout expired|Connection terminated/i.test(`${code ?? ''} ${msg}`)) {
      return new SourceError('network', `${this.name} could not be reached: ${msg} (check the host and port in the source's connection string)`, true, { cause: e });
    }
    return new SourceError('unavailable', `${this.name}: ${msg}`, true, { cause: e });
  }

  private async columns(table: string): Promise<Map<string, ColumnInfo>> {
    let rows: Array<{ column_name: string; data_type: string; udt_name: string }>;
    try {
      rows = (
        await this.pool.query(
          'SELECT column_name, data_type, udt_name FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2',
          [this.schema, table]
        )
      ).rows;
    } catch (e) {
      throw this.explain(e, 'messages');
    }
    if (rows.length === 0) {
      throw new SourceError('invalid', `${this.name} has no table ${this.schema}.${table} (or the source's user may not see it): check the source's table settings`, false);
    }
    return new Map(rows.map((r) => [r.column_name, { type: r.data_type, udt: r.udt_name }]));
  }

  /** What to select for an entity, from its table's columns (looked up once per source). */
  private plan(entity: Entity): Promise<Plan> {
    let p = this.plans.get(entity);
    if (!p) {
      p = this.makePlan(entity);
      p.catch(() => this.plans.delete(entity)); // a failure is not cached: fix the table and try again
      this.plans.set(entity, p);
    }
    return p;
  }

  private async makePlan(entity: Entity): Promise<Plan> {
    const cfg = this.o.tables?.[entity] ?? {};
    const table = cfg.table ?? entity;
    const info = await this.columns(table);
    const col = (field: string) => cfg.columns?.[field] ?? field;
    const need = (field: string): ColumnInfo => {
      const c = info.get(col(field));
      if (!c) throw new SourceError('invalid', `${this.name}: table ${this.schema}.${table} has no column ${col(field)} for ${entity}.${field} (set tables.${entity}.columns.${field})`, false);
      return c;
    };
    const select: string[] = [];
    for (const field of ENTITY_FIELDS[entity]) {
      const c = need(field);
      const name = `src.${q(col(field))}`;
      let expr: string;
      if (field === 'created_at' || field === 'updated_at') {
        if (!TIME_TYPES.has(c.type)) throw new SourceError('invalid', `${this.name}: ${table}.${col(field)} is ${c.type}; a time column must be a timestamp or epoch milliseconds`, false);
        expr = msOf(name, c);
      } else if (field === 'size') expr = `${name}::float8`;
      else if (field === 'member_ids') expr = c.udt === 'jsonb' || c.udt === 'json' ? `${name}::jsonb` : `to_jsonb(${name}::text[])`;
      else expr = isText(c) ? name : `${name}::text`;
      select.push(`${expr} AS ${q(field)}`);
    }
    const t = need('updated_at');
    const i = need('id');
    const softName = cfg.softDeleteColumn === undefined ? 'deleted_at' : cfg.softDeleteColumn;
    const softInfo = softName ? info.get(softName) : undefined;
    if (cfg.softDeleteColumn && !softInfo) {
      throw new SourceError('invalid', `${this.name}: table ${this.schema}.${table} has no soft-delete column ${cfg.softDeleteColumn} (set tables.${entity}.softDeleteColumn, or null for none)`, false);
    }
    return {
      table: `${q(this.schema)}.${q(table)} AS src`,
      select: select.join(', '),
      // qualified: a bare ORDER BY name would mean the output column (the id as text), not the table's
      timeCol: `src.${q(col('updated_at'))}`,
      timeType: castOf(t),
      idCol: `src.${q(col('id'))}`,
      idType: castOf(i),
      idOrder: isText(i) ? `src.${q(col('id'))} COLLATE "C"` : `src.${q(col('id'))}`,
      tenantCol: `src.${q(col('tenant_id'))}`,
      soft: softName && softInfo ? { col: `src.${q(softName)}`, ms: msOf(`src.${q(softName)}`, softInfo) } : null,
    };
  }
}
