import React, { useMemo } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2, SelectableValue } from '@grafana/data';
import {
  Alert,
  Button,
  Combobox,
  type ComboboxOption,
  Icon,
  Input,
  LinkButton,
  LoadingPlaceholder,
  Pagination,
  RadioButtonGroup,
  Stack,
  Tab,
  TabsBar,
  Text,
  useStyles2,
} from '@grafana/ui';
import type { SearchHit } from '../../api/search';
import { ErrorAlert } from '../../components/ErrorAlert';
import { testIds } from '../../components/testIds';
import { labels } from '../../labels';
import { HitItem } from './HitItem';
import { pageCount, TABS, type EntityTab, type SearchScope, type SearchState, type SortOrder } from './query';
import { DEFAULT_DEBOUNCE_MS, useSearch } from './useSearch';

export interface SearchViewProps {
  state: SearchState;
  /** `replace` while typing (the page keeps one history entry per search, not one per keystroke) */
  onChange: (next: SearchState, options?: { replace?: boolean }) => void;
  /** undefined: no tenant yet, nothing is asked */
  scope: SearchScope | undefined;
  /** What to do without a tenant, where the view is (the page's picker, the panel's variable). */
  noTenantHint: string;
  debounceMs?: number;
  /** Where the Crawler page is, for the empty index's hint (the page only; a panel has no app route to it). */
  crawlerHref?: string;
  apiUrlSet?: boolean;
  /** Tighter layout for a dashboard panel. */
  compact?: boolean;
  /** A new value re-reads the search box from `state.q` (the search changed other than by typing). */
  inputKey?: string;
}

const SORTS: Array<SelectableValue<SortOrder>> = [
  { value: 'relevance', label: labels.search.sort.relevance },
  { value: 'time', label: labels.search.sort.time },
];

/**
 * The search experience the Search page shows full width and the search panel in a dashboard: a search box (debounced),
 * entity tabs with counts, type/conversation/sender filters, sort, highlighted hits with their context, pages, and
 * loading, empty and error states that say what to do.
 */
export function SearchView(props: SearchViewProps) {
  const {
    state,
    onChange,
    scope,
    noTenantHint,
    debounceMs = DEFAULT_DEBOUNCE_MS,
    crawlerHref,
    apiUrlSet,
    compact,
    inputKey,
  } = props;
  const styles = useStyles2(getStyles);
  const { hits, counts, askedQ, pending } = useSearch(state, scope, debounceMs);
  const answer = hits.data?.answer;
  const countsAnswer = counts.data?.answer;

  // What a hit's conversation or sender is called, for the filter chips (the URL keeps only ids).
  const names = useMemo(() => {
    const byId = new Map<string, string>();
    for (const h of [...(countsAnswer?.hits ?? []), ...(answer?.hits ?? [])]) {
      const c = h.context?.conversation;
      const s = h.context?.sender;
      if (c) {
        byId.set(`c:${c.id}`, c.title);
      }
      if (s) {
        byId.set(`s:${s.id}`, s.name);
      }
    }
    return byId;
  }, [answer, countsAnswer]);

  // A new search starts on page 1; the tab, sort and filters too.
  const set = (changes: Partial<SearchState>, options?: { replace?: boolean }) =>
    onChange({ ...state, page: 1, ...changes }, options);

  const typeOptions: Array<ComboboxOption<string>> = useMemo(() => {
    const facet = countsAnswer?.facets.type ?? {};
    const options = Object.entries(facet)
      .filter(([, n]) => n > 0)
      .sort((a, b) => b[1] - a[1])
      .map(([value, n]) => ({ value, label: `${value} (${n.toLocaleString('en-US')})` }));
    if (state.type && !facet[state.type]) {
      options.unshift({ value: state.type, label: `${state.type} (0)` });
    }
    return [{ value: '', label: labels.search.type.any }, ...options];
  }, [countsAnswer, state.type]);

  interface Chip {
    id: string;
    text: string;
    clear: Partial<SearchState>;
  }
  const chips: Chip[] = [];
  if (state.conversation) {
    const name = names.get(`c:${state.conversation}`) ?? state.conversation;
    chips.push({
      id: 'conversation',
      text: labels.search.filters.conversation(name),
      clear: { conversation: undefined },
    });
  }
  if (state.sender) {
    const name = names.get(`s:${state.sender}`) ?? state.sender;
    chips.push({ id: 'sender', text: labels.search.filters.sender(name), clear: { sender: undefined } });
  }

  const loading = hits.loading || pending;

  let results: React.ReactNode;
  if (!scope) {
    results = (
      <div data-testid={testIds.search.noTenant}>
        <Alert severity="info" title={labels.search.noTenant.title}>
          {noTenantHint}
        </Alert>
      </div>
    );
  } else if (hits.error !== undefined && !hits.loading) {
    results = (
      <ErrorAlert error={hits.error} apiUrlSet={apiUrlSet} onRetry={hits.retry} testId={testIds.search.error} />
    );
  } else if (!answer) {
    results = (
      <div data-testid={testIds.search.loading}>
        <LoadingPlaceholder text={labels.search.searching} />
      </div>
    );
  } else if (answer.hits.length === 0) {
    const filtered = Boolean(askedQ.trim() || state.type || state.conversation || state.sender);
    results = (
      <div data-testid={testIds.search.empty}>
        {filtered ? (
          <Alert severity="info" title={labels.search.noResults.title(askedQ.trim())}>
            {labels.search.noResults.hint}
          </Alert>
        ) : (
          <Alert severity="info" title={labels.search.emptyIndex.title}>
            <Stack direction="column" gap={1} alignItems="flex-start">
              <Text element="p">{labels.search.emptyIndex.hint}</Text>
              {crawlerHref && (
                <LinkButton href={crawlerHref} size="sm" variant="secondary" icon="sync">
                  {labels.search.emptyIndex.openCrawler}
                </LinkButton>
              )}
            </Stack>
          </Alert>
        )}
      </div>
    );
  } else {
    const pages = pageCount(answer.total, scope.limit);
    results = (
      <Stack direction="column" gap={1}>
        <ul className={styles.hits} data-testid={testIds.search.hits} aria-busy={loading}>
          {answer.hits.map((hit: SearchHit) => (
            <HitItem
              key={`${hit.entity}:${hit.id}`}
              hit={hit}
              onFilter={(filter) => set({ conversation: state.conversation, sender: state.sender, ...filter })}
            />
          ))}
        </ul>
        {pages > 1 && (
          <div data-testid={testIds.search.pagination}>
            <Pagination
              currentPage={state.page}
              numberOfPages={pages}
              onNavigate={(page) => onChange({ ...state, page })}
              showSmallVersion={compact}
            />
          </div>
        )}
      </Stack>
    );
  }

  return (
    <div className={styles.view} data-testid={testIds.search.view}>
      <Stack direction="column" gap={compact ? 1 : 2}>
        <Input
          prefix={<Icon name={loading && scope ? 'spinner' : 'search'} />}
          placeholder={labels.search.placeholder}
          aria-label={labels.search.inputLabel}
          // Uncontrolled: what is typed shows at once, whenever the owner's state catches up (the page's URL updates
          // in a transition); `inputKey` changes when the search changed from elsewhere (Back, a link).
          key={inputKey}
          defaultValue={state.q}
          onChange={(e) => set({ q: e.currentTarget.value }, { replace: true })}
          data-testid={testIds.search.input}
          autoFocus={!compact}
        />
        <TabsBar>
          {TABS.map((tab: EntityTab) => (
            <Tab
              key={tab}
              label={labels.search.entities[tab] ?? tab}
              active={state.tab === tab}
              counter={
                countsAnswer ? (tab === 'all' ? countsAnswer.total : (countsAnswer.facets.entity[tab] ?? 0)) : undefined
              }
              onChangeTab={() => set({ tab })}
              data-testid={testIds.search.tab(tab)}
            />
          ))}
        </TabsBar>
        <Stack direction="row" gap={1} alignItems="center" wrap="wrap">
          <div data-testid={testIds.search.type} className={styles.type}>
            <Combobox<string>
              aria-label={labels.search.type.label}
              options={typeOptions}
              value={state.type ?? ''}
              onChange={(o) => set({ type: o?.value || undefined })}
              width={compact ? 24 : 32}
            />
          </div>
          <div data-testid={testIds.search.sort}>
            <RadioButtonGroup<SortOrder>
              size={compact ? 'sm' : 'md'}
              options={SORTS}
              value={state.sort}
              onChange={(sort) => set({ sort })}
            />
          </div>
          {chips.map((chip) => (
            <Button
              key={chip.id}
              size="sm"
              variant="secondary"
              icon="times"
              aria-label={labels.search.filters.remove(chip.text)}
              onClick={() => set(chip.clear)}
              data-testid={testIds.search.chip(chip.id)}
            >
              {chip.text}
            </Button>
          ))}
          {answer && scope && (
            <span data-testid={testIds.search.total}>
              <Text color="secondary" variant="bodySmall">
                {labels.search.total(answer.total, hits.data?.ms)}
                {pageCount(answer.total, scope.limit) > 1
                  ? ` · ${labels.search.page(state.page, pageCount(answer.total, scope.limit))}`
                  : ''}
              </Text>
            </span>
          )}
        </Stack>
        {results}
      </Stack>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  view: css({ width: '100%' }),
  hits: css({ margin: 0, padding: 0 }),
  type: css({ minWidth: theme.spacing(20) }),
});
