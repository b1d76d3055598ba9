import { PanelPlugin } from '@grafana/data';
import { labels } from '../../labels';
import { DEFAULT_OPTIONS, type SearchPanelOptions } from './options';
import { TABS } from './query';
import { SearchPanel } from './SearchPanel';

const o = labels.searchPanel;

// Wiring only (create-plugin convention): the panel and its options.
export const plugin = new PanelPlugin<SearchPanelOptions>(SearchPanel).setPanelOptions((builder) =>
  builder
    .addTextInput({
      path: 'tenant',
      name: o.tenant.name,
      description: o.tenant.description,
      defaultValue: DEFAULT_OPTIONS.tenant,
    })
    .addSelect({
      path: 'entity',
      name: o.entity.name,
      description: o.entity.description,
      defaultValue: DEFAULT_OPTIONS.entity,
      settings: { options: TABS.map((tab) => ({ value: tab, label: labels.search.entities[tab] ?? tab })) },
    })
    .addRadio({
      path: 'sort',
      name: o.sort.name,
      defaultValue: DEFAULT_OPTIONS.sort,
      settings: {
        options: [
          { value: 'relevance', label: labels.search.sort.relevance },
          { value: 'time', label: labels.search.sort.time },
        ],
      },
    })
    .addNumberInput({
      path: 'limit',
      name: o.limit.name,
      description: o.limit.description,
      defaultValue: DEFAULT_OPTIONS.limit,
      settings: { min: 1, max: 100, integer: true },
    })
    .addNumberInput({
      path: 'debounceMs',
      name: o.debounce.name,
      description: o.debounce.description,
      defaultValue: DEFAULT_OPTIONS.debounceMs,
      settings: { min: 0, max: 5000, integer: true },
    })
);
