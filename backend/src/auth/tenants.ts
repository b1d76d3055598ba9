import { conflict } from '../errors.js';
import { isoSql, type MetadataDb } from '../store/metadata-db.js';

export interface Tenant {
  id: string;
  name: string;
  created_at: string;
}

/** Tenants live in the metadata store; ingestion asks `exists` per event, so it is cached. */
export class TenantRepo {
  private known = new Set<string>();
  private loadedAt = 0;

  constructor(
    private readonly db: MetadataDb,
    /** how long the set of tenant ids is trusted: a tenant made on another instance is known within it (AUTH_CACHE_SECONDS) */
    private readonly cacheMs = 10_000
  ) {}

  async create(id: string, name: string): Promise<Tenant> {
    const rows = await this.db.query<Tenant>(
      `INSERT INTO tenants (id, name) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING RETURNING id, name, ${isoSql('created_at')}`,
      [id, name]
    );
    const row = rows[0];
    if (!row) {
      throw conflict(`tenant '${id}' already exists`);
    }
    this.known.add(id);
    return row;
  }

  async list(): Promise<Tenant[]> {
    return this.db.query<Tenant>(`SELECT id, name, ${isoSql('created_at')} FROM tenants ORDER BY id`);
  }

  async get(id: string): Promise<Tenant | undefined> {
    return (await this.db.query<Tenant>(`SELECT id, name, ${isoSql('created_at')} FROM tenants WHERE id = $1`, [id]))[0];
  }

  /** Set of tenant ids, refreshed at most every cacheMs (a new tenant on this instance is seen at once). */
  async ids(): Promise<Set<string>> {
    if (Date.now() - this.loadedAt > this.cacheMs) {
      const rows = await this.db.query<{ id: string }>('SELECT id FROM tenants');
      this.known = new Set(rows.map((r) => r.id));
      this.loadedAt = Date.now();
    }
    return this.known;
  }
}
