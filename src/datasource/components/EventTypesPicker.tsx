import React from 'react';
import { Combobox, MultiCombobox } from '@grafana/ui';
import type { CaasDataSource } from '../datasource';
import { useVariableOptions } from '../hooks/useVariableOptions';
import { labels } from '../labels';
import { asOption, withValues } from './options';

interface MultiProps {
  datasource: CaasDataSource;
  value: string[] | undefined;
  onChange: (value: string[]) => void;
  testId: string;
  tenant?: string;
  placeholder?: string;
  width?: number;
}

/**
 * Event types of the tenant (GET /v1/analytics/variables/event_types) and the dashboard's variables; a type the
 * backend has not seen yet can be typed in (custom values).
 */
export function EventTypesPicker({ datasource, value, onChange, testId, tenant, placeholder, width = 50 }: MultiProps) {
  const { options, loading } = useVariableOptions(datasource, 'event_types', { tenant });
  const selected = value ?? [];
  return (
    <MultiCombobox<string>
      data-testid={testId}
      width="auto"
      minWidth={width}
      maxWidth={100}
      loading={loading}
      createCustomValue
      isClearable
      placeholder={placeholder ?? labels.editor.eventTypes.placeholder}
      options={withValues(options, selected)}
      value={selected}
      onChange={(picked) => onChange(picked.map((o) => o.value))}
    />
  );
}

interface SingleProps {
  datasource: CaasDataSource;
  value: string | undefined;
  onChange: (value: string) => void;
  testId: string;
  tenant?: string;
  placeholder?: string;
  width?: number;
}

/** One event type (retention, funnel steps, adoption): same options as EventTypesPicker. */
export function EventPicker({ datasource, value, onChange, testId, tenant, placeholder, width = 30 }: SingleProps) {
  const { options, loading } = useVariableOptions(datasource, 'event_types', { tenant });
  return (
    <Combobox<string>
      data-testid={testId}
      width={width}
      loading={loading}
      createCustomValue
      placeholder={placeholder ?? labels.editor.eventPlaceholder}
      options={withValues(options, [value])}
      value={asOption(value)}
      onChange={(picked) => onChange(picked.value)}
    />
  );
}
