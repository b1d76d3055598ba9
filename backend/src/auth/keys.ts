import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { GLOBAL_ROLES, type Role } from '../contracts/common.js';
import { CaasError, badRequest, forbidden, notFound, unauthorized } from '../errors.js';
import { isoSql, type MetadataDb } from '../store/metadata-db.js';
import type { TenantRepo } from './tenants.js';

/** Who is calling: resolved from `Authorization: Bearer <key>`. Admin and viewer keys have no tenant. */
export interface Principal {
  keyId: string;
  role: Role;
  tenantId: string | null;
}

export interface ApiKeyInfo {
  id: string;
  tenant_id: string | null;
  role: Role;
  name: string;
  created_at: string;
  revoked_at: string | null;
}


export const hashKey = (key: string): string => createHash('sha256').update(key).digest('hex');

/** API keys are stored hashed (sha256 of a 192-bit random secret); the key itself is shown once. */
export class KeyRepo {
  private readonly cache = new Map<string, { p: Principal | null; at: number }>();

  constructor(
    private readonly db: MetadataDb,
    private readonly tenants: TenantRepo,
    /** how long a verified key is trusted without asking the store: AUTH_CACHE_SECONDS */
    private readonly cacheMs = 10_000
  ) {}

  /** CAAS_ADMIN_KEY (role admin), CAAS_VIEWER_KEY (role viewer) and CAAS_RESPONDER_KEY (role responder) bootstrap, or rotate, one key each. */
  async bootstrap(role: 'admin' | 'viewer' | 'responder', key: string): Promise<void> {
    const env = `CAAS_${role.toUpperCase()}_KEY`;
    if (key.length < 16) {
      throw new Error(`${env} must be at least 16 characters; generate one with: openssl rand -hex 24`);
    }
    await this.db.query(
      `INSERT INTO api_keys (id, key_hash, tenant_id, role, name) VALUES ($1, $2, NULL, $3, $4)
       ON CONFLICT (id) DO UPDATE SET key_hash = EXCLUDED.key_hash, revoked_at = NULL`,
      [`key_bootstrap_${role}`, hashKey(key), role, env]
    );
    this.cache.clear();
  }

  async create(input: { tenant_id?: string | null; role: Role; name?: string }, by: Principal): Promise<ApiKeyInfo & { key: string }> {
    const global = GLOBAL_ROLES.includes(input.role);
    const tenantId = global ? null : (input.tenant_id ?? null);
    if (global && input.tenant_id) {
      throw badRequest('invalid_key_request', `a${input.role === 'admin' ? 'n' : ''} ${input.role} key belongs to no tenant (it sees all of them): omit tenant_id or choose a tenant-* role`);
    }
    if (!global && !tenantId) {
      throw badRequest('invalid_key_request', `a ${input.role} key needs tenant_id (the tenant it may act for)`);
    }
    if (by.role !== 'admin') {
      if (by.role !== 'tenant-admin' || tenantId !== by.tenantId || global) {
        throw forbidden('only admins, or tenant-admins for their own tenant, may create keys; tenant-admins cannot create admin or viewer keys');
      }
    }
    if (tenantId && !(await this.tenants.get(tenantId))) {
      throw notFound(`tenant '${tenantId}' does not exist: create it first with POST /v1/tenants`);
    }
    const key = `caas_${randomBytes(24).toString('base64url')}`;
    const id = `key_${randomBytes(6).toString('hex')}`;
    const rows = await this.db.query<ApiKeyInfo>(
      `INSERT INTO api_keys (id, key_hash, tenant_id, role, name) VALUES ($1, $2, $3, $4, $5)
       RETURNING id, tenant_id, role, name, ${isoSql('created_at')}, ${isoSql('revoked_at')}`,
      [id, hashKey(key), tenantId, input.role, input.name ?? '']
    );
    const row = rows[0];
    if (!row) {
      throw new CaasError('internal', 'internal', 'key was not stored');
    }
    return { ...row, key };
  }

  async list(tenantId: string | null): Promise<ApiKeyInfo[]> {
    const sql = `SELECT id, tenant_id, role, name, ${isoSql('created_at')}, ${isoSql('revoked_at')} FROM api_keys
      ${tenantId ? 'WHERE tenant_id = $1' : ''} ORDER BY api_keys.created_at, api_keys.id`;
    return this.db.query<ApiKeyInfo>(sql, tenantId ? [tenantId] : []);
  }

  async revoke(id: string, by: Principal): Promise<void> {
    const rows = await this.db.query<{ tenant_id: string | null }>('SELECT tenant_id FROM api_keys WHERE id = $1', [id]);
    const row = rows[0];
    if (!row || (by.role !== 'admin' && row.tenant_id !== by.tenantId)) {
      throw notFound(`key '${id}' not found`);
    }
    if (by.role !== 'admin' && by.role !== 'tenant-admin') {
      throw forbidden('only admins and tenant-admins may revoke keys');
    }
    await this.db.query('UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL', [id]);
    // Revocation is immediate on this instance; other instances see it within cacheMs (AUTH_CACHE_SECONDS).
    this.cache.clear();
  }

  async verify(key: string): Promise<Principal | null> {
    const h = hashKey(key);
    const hit = this.cache.get(h);
    if (hit && Date.now() - hit.at < this.cacheMs) {
      return hit.p;
    }
    const rows = await this.db.query<{ id: string; role: Role; tenant_id: string | null; key_hash: string }>(
      'SELECT id, role, tenant_id, key_hash FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL',
      [h]
    );
    const row = rows[0];
    const p =
      row && timingSafeEqual(Buffer.from(row.key_hash), Buffer.from(h))
        ? { keyId: row.id, role: row.role, tenantId: row.tenant_id }
        : null;
    if (this.cache.size > 10_000) {
      this.cache.clear();
    }
    this.cache.set(h, { p, at: Date.now() });
    return p;
  }

  /** Resolves a request's Authorization header; 401 with what to do when absent or wrong. */
  async authenticate(header: string | undefined): Promise<Principal> {
    if (!header) {
      throw unauthorized('missing API key: send the header "Authorization: Bearer <key>" (create keys with POST /v1/keys or `npx caas keys create`)');
    }
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!m?.[1]) {
      throw unauthorized('malformed Authorization header: expected "Bearer <key>"');
    }
    const p = await this.verify(m[1]);
    if (!p) {
      throw unauthorized('invalid or revoked API key');
    }
    return p;
  }
}

export function requireRole(p: Principal, roles: Role[], what: string): void {
  if (!roles.includes(p.role)) {
    throw forbidden(`${what} needs a key with role ${roles.join(' or ')}; this key has role ${p.role}`);
  }
}

/**
 * The tenant a request acts for. Tenant keys always act for their own tenant (asking for
 * another is 403); admin and viewer keys choose one with `requested`, or null for "all tenants".
 */
export function scopeTenant(p: Principal, requested: string | undefined): string | null {
  if (p.tenantId === null) {
    return requested ?? null;
  }
  if (requested !== undefined && requested !== p.tenantId) {
    throw forbidden(`this key belongs to tenant '${p.tenantId}' and cannot act for tenant '${requested}'`);
  }
  return p.tenantId;
}
