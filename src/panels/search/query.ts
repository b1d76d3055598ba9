import { ENTITIES, type Entity, type SearchRequest } from '../../api/search';

/** A tab: one entity, or every entity. */
export type EntityTab = Entity | 'all';
export const TABS: readonly EntityTab[] = ['all', ...ENTITIES];

export type SortOrder = 'relevance' | 'time';

/** What the reader asked, as the Search page keeps it in the URL and the panel in its own state. */
export interface SearchState {
  q: string;
  tab: EntityTab;
  /** a message type, file mime or conversation kind (facets.type) */
  type?: string;
  /** conversation id */
  conversation?: string;
  /** sender (messages), uploader (files) or user id */
  sender?: string;
  sort: SortOrder;
  /** 1-based */
  page: number;
}

export const INITIAL_STATE: SearchState = { q: '', tab: 'all', sort: 'relevance', page: 1 };

/** The Search page's URL params (beside the shared tenant, from and to). */
export const SEARCH_PARAMS = {
  q: 'q',
  tab: 'entity',
  type: 'type',
  conversation: 'conversation',
  sender: 'sender',
  sort: 'sort',
  page: 'page',
} as const;

/** The state a URL names; anything unknown falls back to the default. */
export function stateFromParams(params: URLSearchParams): SearchState {
  const tab = params.get(SEARCH_PARAMS.tab);
  const page = Number(params.get(SEARCH_PARAMS.page));
  return {
    q: params.get(SEARCH_PARAMS.q) ?? '',
    tab: TABS.includes(tab as EntityTab) ? (tab as EntityTab) : 'all',
    type: params.get(SEARCH_PARAMS.type) || undefined,
    conversation: params.get(SEARCH_PARAMS.conversation) || undefined,
    sender: params.get(SEARCH_PARAMS.sender) || undefined,
    sort: params.get(SEARCH_PARAMS.sort) === 'time' ? 'time' : 'relevance',
    page: Number.isInteger(page) && page >= 1 && page <= 1000 ? page : 1,
  };
}

/** The URL changes that hold `state` (defaults left out, so a plain link stays short). */
export function stateToParams(state: SearchState): Record<string, string | undefined> {
  return {
    [SEARCH_PARAMS.q]: state.q || undefined,
    [SEARCH_PARAMS.tab]: state.tab === 'all' ? undefined : state.tab,
    [SEARCH_PARAMS.type]: state.type,
    [SEARCH_PARAMS.conversation]: state.conversation,
    [SEARCH_PARAMS.sender]: state.sender,
    [SEARCH_PARAMS.sort]: state.sort === 'relevance' ? undefined : state.sort,
    [SEARCH_PARAMS.page]: state.page > 1 ? String(state.page) : undefined,
  };
}

export interface SearchScope {
  tenant: string;
  /** created_at range, epoch ms */
  from: number;
  to: number;
  /** hits a page */
  limit: number;
}

/**
 * The request for the hits shown, and the one for the tab counts (every entity, the same q and filters). When every
 * entity is shown the two are one request; otherwise the counts come from the every-entity request, which does not
 * change when only the tab does.
 */
export function requestsFor(state: SearchState, scope: SearchScope): { hits: SearchRequest; counts: SearchRequest } {
  const base: SearchRequest = {
    tenant_id: scope.tenant,
    q: state.q.trim(),
    from: scope.from,
    to: scope.to,
    sort: state.sort,
    limit: scope.limit,
    ...(state.type ? { type: [state.type] } : {}),
    ...(state.conversation ? { conversation_id: [state.conversation] } : {}),
    ...(state.sender ? { sender_id: [state.sender] } : {}),
  };
  const counts: SearchRequest = { ...base, page: state.tab === 'all' ? state.page : 1 };
  const hits: SearchRequest = state.tab === 'all' ? counts : { ...base, entities: [state.tab], page: state.page };
  return { hits, counts };
}

/** The number of pages of `total` hits (the API pages up to 1000). */
export function pageCount(total: number, limit: number): number {
  return Math.max(1, Math.min(1000, Math.ceil(total / limit)));
}
