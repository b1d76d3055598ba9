import React from 'react';
import { MultiCombobox } from '@grafana/ui';
import { LIMITS } from '../constants';
import type { CaasDataSource } from '../datasource';
import { labels } from '../labels';
import { useFieldOptions } from './FieldPicker';
import { withValues } from './options';

interface Props {
  datasource: CaasDataSource;
  value: string[] | undefined;
  onChange: (value: string[]) => void;
  testId: string;
  tenant?: string;
}

/** Up to two fields to split a time series by (contract: group_by maxItems 2); a third pick replaces the oldest. */
export function GroupByPicker({ datasource, value, onChange, testId, tenant }: Props) {
  const selected = value ?? [];
  const options = withValues(useFieldOptions(datasource, tenant), selected);
  return (
    <MultiCombobox<string>
      data-testid={testId}
      width="auto"
      minWidth={30}
      maxWidth={80}
      createCustomValue
      isClearable
      placeholder={labels.editor.groupBy.placeholder}
      options={options}
      value={selected}
      onChange={(picked) => onChange(picked.map((o) => o.value).slice(-LIMITS.groupBy))}
    />
  );
}
