import type { EntityTab, SortOrder } from './query';

/** The search panel's options (the panel editor's "Search" section). */
export interface SearchPanelOptions {
  /** The tenant searched: a dashboard variable (default `$tenant`) or a tenant id. */
  tenant: string;
  /** The tab shown first. */
  entity: EntityTab;
  sort: SortOrder;
  /** Hits a page. */
  limit: number;
  /** How long typing must pause before a search is asked (ms). */
  debounceMs: number;
}

export const DEFAULT_OPTIONS: SearchPanelOptions = {
  tenant: '$tenant',
  entity: 'all',
  sort: 'relevance',
  limit: 10,
  debounceMs: 300,
};

const TENANT_ID = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/**
 * The tenant the panel searches: the option with the dashboard's variables replaced. Undefined when that is not one
 * tenant id (an unset or unknown variable, several values, All): the panel then says how to pick one.
 */
export function resolveTenant(option: string, replace: (value: string) => string): string | undefined {
  const value = replace(option.trim()).trim();
  return TENANT_ID.test(value) ? value : undefined;
}
