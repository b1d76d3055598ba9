import React from 'react';
import { Button, Combobox, Stack } from '@grafana/ui';
import { FILTER_OPS, LIMITS, LIST_OPS } from '../constants';
import type { CaasDataSource } from '../datasource';
import { labels } from '../labels';
import { normalizeValue } from '../request';
import type { Filter, FilterOp } from '../types';
import { CommitInput } from './CommitInput';
import { FieldPicker } from './FieldPicker';

interface Props {
  datasource: CaasDataSource;
  filters: Filter[] | undefined;
  /** `run: false` for edits that leave the query incomplete (a new, empty row). */
  onChange: (filters: Filter[], run?: boolean) => void;
  /** test ids of this editor's rows (the funnel's step filters use their own prefix). */
  testIds: {
    container: string;
    add: string;
    field: (i: number) => string;
    op: (i: number) => string;
    value: (i: number) => string;
    remove: (i: number) => string;
  };
  tenant?: string;
  max?: number;
}

const opOptions = FILTER_OPS.map((op) => ({ value: op, label: labels.ops[op], description: op }));

/** The value as the user edits it: lists as "a, b, c". */
export function valueText(value: Filter['value']): string {
  return Array.isArray(value) ? value.join(', ') : String(value);
}

/** Typed text → the contract's value for the operator (a list for in/not_in, a number for comparisons). */
export function parseValue(op: FilterOp, text: string): Filter['value'] {
  const parts = LIST_OPS.includes(op)
    ? text
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : [text.trim()];
  return normalizeValue(op, parts);
}

/** Rows of field · operator · value; the value may hold a `$variable` (multi-value variables become a list). */
export function FiltersEditor({ datasource, filters, onChange, testIds, tenant, max = LIMITS.filters }: Props) {
  const rows = filters ?? [];
  const update = (i: number, next: Filter) => onChange(rows.map((f, j) => (j === i ? next : f)));

  return (
    <Stack direction="column" gap={0.5} data-testid={testIds.container}>
      {rows.map((filter, i) => (
        <Stack key={i} direction="row" gap={0.5} alignItems="center">
          <FieldPicker
            datasource={datasource}
            tenant={tenant}
            testId={testIds.field(i)}
            value={filter.field}
            width={28}
            onChange={(field) => update(i, { ...filter, field })}
          />
          <Combobox<FilterOp>
            data-testid={testIds.op(i)}
            width={16}
            options={opOptions}
            value={filter.op}
            onChange={(picked) =>
              update(i, { ...filter, op: picked.value, value: parseValue(picked.value, valueText(filter.value)) })
            }
          />
          <CommitInput
            testId={testIds.value(i)}
            width={30}
            value={valueText(filter.value)}
            invalid={valueText(filter.value).trim() === ''}
            placeholder={LIST_OPS.includes(filter.op) ? labels.editor.filters.listValue : labels.editor.filters.value}
            onCommit={(text) => update(i, { ...filter, value: parseValue(filter.op, text) })}
          />
          <Button
            data-testid={testIds.remove(i)}
            variant="secondary"
            fill="text"
            icon="times"
            aria-label={labels.editor.filters.remove}
            tooltip={labels.editor.filters.remove}
            onClick={() => onChange(rows.filter((_, j) => j !== i))}
          />
        </Stack>
      ))}
      <div>
        <Button
          data-testid={testIds.add}
          variant="secondary"
          size="sm"
          icon="plus"
          disabled={rows.length >= max}
          onClick={() => onChange([...rows, { field: 'platform', op: '=', value: '' }], false)}
        >
          {labels.editor.filters.add}
        </Button>
      </div>
    </Stack>
  );
}
