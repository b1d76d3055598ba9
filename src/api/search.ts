import type { SearchBody, SearchResponse } from '../../backend/src/contracts/search';
import type { HitContext } from '../../backend/src/search/context';
import { ENTITIES, type Entity } from '../../backend/src/contracts/entities';
import { request, type RequestOptions } from './client';
import { isRecord, UnexpectedResponseError } from './errors';

export { ENTITIES, type Entity, type HitContext };

/** One hit as the search API answers it (README, Search API). */
export interface SearchHit {
  entity: Entity;
  id: string;
  score: number;
  /** field → text with the matched words in <mark>…</mark>, the rest HTML-escaped */
  highlights: Record<string, string>;
  doc: Record<string, unknown>;
  /** messages and files: their conversation and sender by name, when those are indexed */
  context?: HitContext;
}

export interface SearchAnswer {
  total: number;
  hits: SearchHit[];
  facets: SearchResponse['facets'];
}

/** What a search asks: the tenant, q, the entities, the filters, sort and page (POST /v1/search's body). */
export type SearchRequest = Omit<SearchBody, 'entities' | 'from' | 'to'> & {
  tenant_id: string;
  entities?: Entity[];
  /** created_at range, epoch ms */
  from?: number;
  to?: number;
};

type CallOptions = Pick<RequestOptions, 'signal' | 'timeoutMs'>;

function isHit(value: unknown): value is SearchHit {
  return (
    isRecord(value) &&
    typeof value.entity === 'string' &&
    (ENTITIES as readonly string[]).includes(value.entity) &&
    typeof value.id === 'string' &&
    typeof value.score === 'number' &&
    isRecord(value.highlights) &&
    isRecord(value.doc)
  );
}

/**
 * POST /v1/search through the app's route open to Viewers (the read key, which names the tenant with tenant_id). POST
 * rather than GET so that filters of any length fit; the answer is the same.
 */
export async function search(body: SearchRequest, options: CallOptions = {}): Promise<SearchAnswer> {
  const { data } = await request<unknown>('/v1/search', { method: 'POST', data: body, ...options });
  if (
    !isRecord(data) ||
    typeof data.total !== 'number' ||
    !Array.isArray(data.hits) ||
    !data.hits.every(isHit) ||
    !isRecord(data.facets) ||
    !isRecord(data.facets.entity) ||
    !isRecord(data.facets.type)
  ) {
    throw new UnexpectedResponseError('POST /v1/search without total, hits and facets', data);
  }
  return data as unknown as SearchAnswer;
}
