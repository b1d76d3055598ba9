import type { Tenant } from '../../backend/src/contracts/admin';
import { request, type RequestOptions } from './client';
import { isRecord, UnexpectedResponseError } from './errors';

export type { Tenant };

type CallOptions = Pick<RequestOptions, 'signal' | 'timeoutMs'>;

/**
 * GET /v1/tenants: the tenants the app's read key sees (a key of role viewer sees all of them, a tenant's key its own),
 * for the tenant picker every page shares. Sorted by id.
 */
export async function listTenants(options: CallOptions = {}): Promise<Tenant[]> {
  const { data } = await request<unknown>('/v1/tenants', options);
  if (!isRecord(data) || !Array.isArray(data.tenants)) {
    throw new UnexpectedResponseError('GET /v1/tenants without tenants', data);
  }
  return data.tenants
    .filter((t): t is Tenant => isRecord(t) && typeof t.id === 'string' && t.id !== '')
    .map((t) => ({
      id: t.id,
      name: typeof t.name === 'string' && t.name !== '' ? t.name : t.id,
      created_at: t.created_at,
    }))
    .sort((a, b) => a.id.localeCompare(b.id));
}
