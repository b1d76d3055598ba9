import React, { useCallback, useMemo, useState } from 'react';
import { NavigationType, useLocation, useNavigationType } from 'react-router-dom';
import { usePluginContext } from '@grafana/data';
import { PluginPage } from '@grafana/runtime';
import { Stack, Text } from '@grafana/ui';
import { PageHeader } from '../../components/PageHeader/PageHeader';
import { testIds } from '../../components/testIds';
import { useUrlState } from '../../hooks/useUrlState';
import { labels } from '../../labels';
import type { AppJsonData } from '../../types';
import { prefixRoute, ROUTES } from '../../routes';
import { linkWithShared } from '../../utils/url-state';
import { stateFromParams, stateToParams, type SearchScope, type SearchState } from '../../panels/search/query';
import { SearchView } from '../../panels/search/SearchView';

/** Hits a page on the full-width page (the panel has its own option). */
export const PAGE_LIMIT = 20;

/**
 * The Search page: the search panel's experience full width, for the tenant and time range of the shared header. The
 * URL holds the whole search (q, tab, type, conversation, sender, sort, page), so Back, a reload and a copied link show
 * the same results. Typing replaces the history entry; a tab, a filter or a page adds one.
 */
function Search() {
  const urlState = useUrlState();
  const { params, update, tenant, range } = urlState;
  const context = usePluginContext<AppJsonData>();
  const apiUrlSet = context ? Boolean(context.meta.jsonData?.apiUrl) : undefined;
  const state = useMemo(() => stateFromParams(params), [params]);
  // The search box follows the URL when it changed other than by typing (typing replaces the history entry): Back,
  // Forward, a link, a tab or filter.
  const location = useLocation();
  const navigation = useNavigationType();
  const [inputKey, setInputKey] = useState(location.key);
  if (navigation !== NavigationType.Replace && location.key !== inputKey) {
    setInputKey(location.key);
  }
  const from = range.from.valueOf();
  const to = range.to.valueOf();
  const scope = useMemo<SearchScope | undefined>(
    () => (tenant ? { tenant, from, to, limit: PAGE_LIMIT } : undefined),
    [tenant, from, to]
  );
  const onChange = useCallback(
    (next: SearchState, options?: { replace?: boolean }) => update(stateToParams(next), options),
    [update]
  );
  return (
    <PluginPage>
      <div data-testid={testIds.search.container}>
        <Stack direction="column" gap={2}>
          <Text element="p" color="secondary">
            {labels.search.subtitle}
          </Text>
          <PageHeader state={urlState} timeRange />
          <SearchView
            state={state}
            onChange={onChange}
            scope={scope}
            noTenantHint={labels.search.noTenant.page}
            crawlerHref={linkWithShared(prefixRoute(ROUTES.Crawler), params)}
            apiUrlSet={apiUrlSet}
            inputKey={inputKey}
          />
        </Stack>
      </div>
    </PluginPage>
  );
}

export default Search;
