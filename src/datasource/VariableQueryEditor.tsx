import React from 'react';
import type { QueryEditorProps } from '@grafana/data';
import { Combobox, InlineField, InlineFieldRow, Stack, Text } from '@grafana/ui';
import { CommitInput } from './components/CommitInput';
import { EventPicker } from './components/EventTypesPicker';
import { columnOptions } from './components/options';
import { VARIABLE_NAMES } from './constants';
import type { CaasDataSource } from './datasource';
import { labels } from './labels';
import { dsTestIds } from './testIds';
import type { CaasDataSourceOptions, CaasQuery, CaasVariableQuery, VariableName } from './types';
import { needsKey, parseVariableQuery, variableDefinition } from './variables';

/** CustomVariableSupport's editor props (the saved query may also be the short string form of a hand-written dashboard). */
export type VariableQueryEditorProps = QueryEditorProps<
  CaasDataSource,
  CaasQuery,
  CaasDataSourceOptions,
  CaasVariableQuery
>;

const ids = dsTestIds.variables;
const v = labels.variables;
const nameOptions = VARIABLE_NAMES.map((n) => ({ value: n, label: v.names[n] }));

/** Template variables: tenants, event types, property keys, a property's values, a column's values. */
export function VariableQueryEditor({ query: saved, onChange, datasource }: VariableQueryEditorProps) {
  const query = parseVariableQuery(saved as CaasVariableQuery | string | undefined);
  const change = (next: CaasVariableQuery) => {
    const clean: CaasVariableQuery = { refId: next.refId, name: next.name };
    if (needsKey(next.name) && next.key) {
      clean.key = next.key;
    }
    if ((next.name === 'property_values' || next.name === 'property_keys') && next.event_type) {
      clean.event_type = next.event_type;
    }
    if (next.tenant) {
      clean.tenant = next.tenant;
    }
    onChange(clean);
  };

  return (
    <Stack direction="column" gap={0.5} data-testid={ids.container}>
      <InlineFieldRow>
        <InlineField label={v.name} labelWidth={20}>
          <Combobox<string>
            data-testid={ids.name}
            width={30}
            options={nameOptions}
            value={query.name}
            onChange={(picked) => change({ ...query, name: picked.value as VariableName })}
          />
        </InlineField>
      </InlineFieldRow>
      {query.name === 'property_values' && (
        <InlineFieldRow>
          <InlineField label={v.key} labelWidth={20} invalid={!query.key}>
            <CommitInput
              testId={ids.key}
              width={30}
              value={query.key ?? ''}
              placeholder={v.keyPlaceholder}
              onCommit={(key) => change({ ...query, key: key.trim().replace(/^properties\./, '') })}
            />
          </InlineField>
        </InlineFieldRow>
      )}
      {query.name === 'dimension_values' && (
        <InlineFieldRow>
          <InlineField label={v.column} labelWidth={20} invalid={!query.key}>
            <Combobox<string>
              data-testid={ids.key}
              width={30}
              options={columnOptions}
              value={query.key ?? null}
              onChange={(picked) => change({ ...query, key: picked.value })}
            />
          </InlineField>
        </InlineFieldRow>
      )}
      {(query.name === 'property_values' || query.name === 'property_keys') && (
        <InlineFieldRow>
          <InlineField label={v.eventType} labelWidth={20}>
            <EventPicker
              datasource={datasource}
              tenant={query.tenant}
              testId={ids.eventType}
              value={query.event_type}
              placeholder={v.eventTypePlaceholder}
              onChange={(event_type) => change({ ...query, event_type })}
            />
          </InlineField>
        </InlineFieldRow>
      )}
      {query.name !== 'tenants' && (
        <InlineFieldRow>
          <InlineField label={v.tenant} labelWidth={20} tooltip={labels.editor.tenant.tooltip}>
            <CommitInput
              testId={ids.tenant}
              width={30}
              value={query.tenant ?? ''}
              placeholder={datasource.defaultTenant ?? labels.editor.tenant.placeholder}
              onCommit={(tenant) => change({ ...query, tenant: tenant.trim() || undefined })}
            />
          </InlineField>
        </InlineFieldRow>
      )}
      <div data-testid={ids.definition}>
        <Text color="secondary" italic>
          {v.definition}: {variableDefinition(query)}
        </Text>
      </div>
    </Stack>
  );
}
