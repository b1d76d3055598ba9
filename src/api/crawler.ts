import type {
  CrawlCursor,
  CrawlRun,
  CrawlRunSummary,
  CrawlsQuery,
  CreateCrawlBody,
  CreateSourceBody,
  SourceInfo,
} from '../../backend/src/contracts/crawler';
import { request, type CallOptions } from './client';
import { isRecord, UnexpectedResponseError } from './errors';

/**
 * The crawler's API (README, Crawler): sources with their cursors, crawl jobs with their progress, and the Admin
 * actions (add and remove sources, reset a cursor, start a crawl). The reads go through Viewer routes with the read
 * key; the writes through plugin.json's Admin routes, the only ones that send the admin key.
 */
export type { CrawlCursor, CrawlRun, CrawlRunSummary, CrawlsQuery, CreateCrawlBody, CreateSourceBody, SourceInfo };
export type Entity = CrawlCursor['entity'];
export type CrawlType = CrawlRun['type'];

export const ENTITIES: readonly Entity[] = ['messages', 'files', 'users', 'conversations'];
export const CRAWL_TYPES: readonly CrawlType[] = ['full_reindex', 'incremental', 'deleted'];

function isSource(value: unknown): value is SourceInfo {
  return (
    isRecord(value) &&
    typeof value.id === 'string' &&
    typeof value.kind === 'string' &&
    isRecord(value.token) &&
    isRecord(value.schedules) &&
    Array.isArray(value.cursors)
  );
}

function isCrawlRun(value: unknown): value is CrawlRun {
  return (
    isRecord(value) &&
    typeof value.id === 'string' &&
    typeof value.state === 'string' &&
    typeof value.source_id === 'string' &&
    typeof value.type === 'string' &&
    typeof value.entity === 'string' &&
    isRecord(value.progress)
  );
}

/** GET /v1/sources: every source with its cursors (one per entity and tenant crawled); secrets only as set or not. */
export async function listSources(options: CallOptions = {}): Promise<SourceInfo[]> {
  const { data } = await request<unknown>('/v1/sources', options);
  if (!isRecord(data) || !Array.isArray(data.sources) || !data.sources.every(isSource)) {
    throw new UnexpectedResponseError('GET /v1/sources without sources', data);
  }
  return data.sources;
}

/** GET /v1/crawls: crawl jobs newest first, with their source, type, entity, rate and estimated time left. */
export async function listCrawls(query: CrawlsQuery = {}, options: CallOptions = {}): Promise<CrawlRun[]> {
  const params = Object.fromEntries(Object.entries(query).filter(([, v]) => v !== undefined && v !== ''));
  const { data } = await request<unknown>('/v1/crawls', { params, ...options });
  if (!isRecord(data) || !Array.isArray(data.crawls) || !data.crawls.every(isCrawlRun)) {
    throw new UnexpectedResponseError('GET /v1/crawls without crawls', data);
  }
  return data.crawls;
}

/** POST /v1/sources (Admin): registers a source; its token or connection string is never shown again. */
export async function addSource(body: CreateSourceBody, options: CallOptions = {}): Promise<SourceInfo> {
  const { data } = await request<unknown>('/v1/sources', { method: 'POST', data: body, ...options });
  if (!isSource(data)) {
    throw new UnexpectedResponseError('POST /v1/sources without the source', data);
  }
  return data;
}

/** DELETE /v1/sources/:id (Admin): removes the source, its cursors and schedules; what it indexed stays searchable. */
export async function removeSource(id: string, options: CallOptions = {}): Promise<void> {
  await request<unknown>(`/v1/sources/${encodeURIComponent(id)}`, { method: 'DELETE', ...options });
}

/** DELETE /v1/sources/:id/cursors/:entity/:tenant_id (Admin): the next incremental crawl reads everything again. */
export async function resetCursor(
  id: string,
  entity: Entity,
  tenant: string,
  options: CallOptions = {}
): Promise<void> {
  const path = [id, 'cursors', entity, tenant].map(encodeURIComponent).join('/');
  await request<unknown>(`/v1/sources/${path}`, { method: 'DELETE', ...options });
}

/** POST /v1/crawls (Admin): queues a crawl and answers its job id (the same job while an equal crawl is queued). */
export async function startCrawl(body: CreateCrawlBody, options: CallOptions = {}): Promise<string> {
  const { data } = await request<unknown>('/v1/crawls', { method: 'POST', data: body, ...options });
  if (!isRecord(data) || typeof data.job_id !== 'string') {
    throw new UnexpectedResponseError('POST /v1/crawls without job_id', data);
  }
  return data.job_id;
}
