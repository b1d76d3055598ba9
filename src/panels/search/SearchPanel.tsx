import React, { useMemo, useState } from 'react';
import type { PanelProps } from '@grafana/data';
import { testIds } from '../../components/testIds';
import { labels } from '../../labels';
import { DEFAULT_OPTIONS, resolveTenant, type SearchPanelOptions } from './options';
import { INITIAL_STATE, type SearchScope, type SearchState } from './query';
import { SearchView } from './SearchView';

/**
 * The search panel: the Search page's experience in a dashboard. It searches the tenant of the dashboard's tenant
 * variable (or the tenant its options name) within the dashboard's time range, and reaches the backend through the
 * app's plugin-proxy route (a panel cannot use the data proxy). What the reader types stays in the panel.
 */
export function SearchPanel({ options, timeRange, replaceVariables, width, height }: PanelProps<SearchPanelOptions>) {
  const o = { ...DEFAULT_OPTIONS, ...options };
  const [state, setState] = useState<SearchState>({ ...INITIAL_STATE, tab: o.entity, sort: o.sort });
  // A new default in the panel editor shows at once (adjusted while rendering, as React advises, not in an effect).
  const defaults = `${o.entity}|${o.sort}`;
  const [shownDefaults, setShownDefaults] = useState(defaults);
  if (shownDefaults !== defaults) {
    setShownDefaults(defaults);
    setState((s) => ({ ...s, tab: o.entity, sort: o.sort, page: 1 }));
  }
  const tenant = resolveTenant(o.tenant, replaceVariables);
  const from = timeRange.from.valueOf();
  const to = timeRange.to.valueOf();
  const limit = o.limit;
  const scope = useMemo<SearchScope | undefined>(
    () => (tenant ? { tenant, from, to, limit } : undefined),
    [tenant, from, to, limit]
  );
  return (
    <div data-testid={testIds.search.panel} style={{ width, height, overflow: 'auto' }}>
      <SearchView
        state={state}
        onChange={setState}
        scope={scope}
        noTenantHint={labels.search.noTenant.panel}
        debounceMs={o.debounceMs}
        compact
      />
    </div>
  );
}
