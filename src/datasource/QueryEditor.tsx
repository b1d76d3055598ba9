import React, { useMemo } from 'react';
import type { QueryEditorProps } from '@grafana/data';
import { Combobox, InlineField, InlineFieldRow, Stack, Text } from '@grafana/ui';
import { KindBuilder } from './components/KindBuilders';
import { TenantPicker } from './components/TenantPicker';
import { QUERY_KINDS } from './constants';
import type { CaasDataSource } from './datasource';
import { withKind } from './defaults';
import { describeQuery } from './describeQuery';
import { labels } from './labels';
import { migrateQuery } from './migrateQuery';
import { dsTestIds } from './testIds';
import type { CaasDataSourceOptions, CaasKind, CaasQuery } from './types';

export type CaasQueryEditorProps = QueryEditorProps<CaasDataSource, CaasQuery, CaasDataSourceOptions> & {
  /**
   * False where the page already picks the tenant for every query (the app's Analytics explorer, whose shared header
   * holds the tenant picker): the query's tenant is then the page's, and a second picker would only disagree with it.
   */
  showTenant?: boolean;
};

const kindOptions = QUERY_KINDS.map((k) => ({
  value: k,
  label: labels.kinds[k].label,
  description: labels.kinds[k].description,
}));

/**
 * Kind selector, tenant, one builder per kind and a line that says in words what will be asked. Picks run the query at
 * once; typed fields run it on blur or Enter; edits that leave the query incomplete (a new filter row, a new funnel
 * step) wait for the user.
 */
export function QueryEditor({
  query: saved,
  onChange,
  onRunQuery,
  datasource,
  showTenant = true,
}: CaasQueryEditorProps) {
  // Saved queries of any version are edited in the current shape (migrateQuery is idempotent and cheap).
  const query = useMemo(() => migrateQuery(saved), [saved]);

  const change = (next: CaasQuery, run = true) => {
    onChange(next);
    if (run) {
      onRunQuery();
    }
  };

  return (
    <Stack direction="column" gap={1} data-testid={dsTestIds.editor.container}>
      <InlineFieldRow>
        <InlineField label={labels.editor.kind.label} labelWidth={14} tooltip={labels.editor.kind.tooltip}>
          <Combobox<string>
            data-testid={dsTestIds.editor.kind}
            width={30}
            options={kindOptions}
            value={query.kind}
            onChange={(picked) => change(withKind(query, picked.value as CaasKind))}
          />
        </InlineField>
        {showTenant && (
          <InlineField label={labels.editor.tenant.label} tooltip={labels.editor.tenant.tooltip}>
            <TenantPicker
              datasource={datasource}
              testId={dsTestIds.editor.tenant}
              value={query.tenant}
              onChange={(tenant) => {
                const next = { ...query };
                if (tenant) {
                  next.tenant = tenant;
                } else {
                  delete next.tenant;
                }
                change(next);
              }}
            />
          </InlineField>
        )}
      </InlineFieldRow>

      <KindBuilder datasource={datasource} query={query} onChange={change} />

      <div data-testid={dsTestIds.editor.preview}>
        <Text color="secondary" italic>
          {labels.editor.preview}: {describeQuery(query, datasource.defaultTenant)}
        </Text>
      </div>
    </Stack>
  );
}
