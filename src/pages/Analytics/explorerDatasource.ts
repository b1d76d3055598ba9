import type { TimeRange } from '@grafana/data';
import { getVariableValues } from '../../api/analytics';
import type { CaasDataSource, VariableLookup } from '../../datasource/datasource';
import type { VariableName, VariableOption } from '../../datasource/types';

/** What the data source's QueryEditor and its pickers use of a data source instance. */
export type EditorDatasource = Pick<CaasDataSource, 'getVariableValues' | 'getTemplateVariableNames' | 'defaultTenant'>;

/**
 * The explorer renders the data source's own QueryEditor (one editor, not two). The editor only asks its data source
 * for picker options (event types, property keys, tenants…), the dashboard's variable names and the default tenant, so
 * this adapter answers those through the *app's* proxy route (the same backend, the app's API key) instead of a data
 * source instance, which the app page does not need to exist.
 *
 * `setRange` keeps the explorer's current time range, so value lists match the range being explored.
 */
export function createExplorerDatasource(): { datasource: CaasDataSource; setRange: (range: TimeRange) => void } {
  let current: TimeRange | undefined;
  const adapter: EditorDatasource = {
    // No data source settings here: the explorer's tenant is whatever the user picks in the editor.
    defaultTenant: undefined,
    // An app page has no dashboard, hence no template variables to offer.
    getTemplateVariableNames: () => [],
    getVariableValues: (name: VariableName, lookup: VariableLookup = {}): Promise<VariableOption[]> => {
      return getVariableValues(name, {
        tenant_id: lookup.tenant?.trim() || undefined,
        key: lookup.key,
        event_type: lookup.event_type,
        from: current?.from.valueOf(),
        to: current?.to.valueOf(),
      });
    },
  };
  return {
    // The editor is typed against the full class; it touches only the members above (see EditorDatasource).
    datasource: adapter as unknown as CaasDataSource,
    setRange: (range) => {
      current = range;
    },
  };
}
