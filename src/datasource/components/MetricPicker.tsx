import React from 'react';
import { Combobox, InlineField } from '@grafana/ui';
import { METRIC_TYPES, PROPERTY_METRICS } from '../constants';
import { labels } from '../labels';
import type { Metric } from '../types';
import { CommitInput } from './CommitInput';

interface Props {
  value: Metric;
  onChange: (metric: Metric) => void;
  testIds: { metric: string; property: string };
}

const options = METRIC_TYPES.map((m) => ({ value: m, label: labels.metrics[m] }));

/** events · unique users · sum/avg/p95 of a numeric property (properties.<key>). */
export function MetricPicker({ value, onChange, testIds }: Props) {
  const property = 'property' in value ? value.property : '';
  return (
    <>
      <InlineField label={labels.editor.metric.label} labelWidth={14}>
        <Combobox
          data-testid={testIds.metric}
          width={22}
          options={options}
          value={value.type}
          onChange={(picked) => {
            const type = picked.value;
            if (type === 'events' || type === 'unique_users') {
              onChange({ type });
            } else {
              onChange({ type, property });
            }
          }}
        />
      </InlineField>
      {PROPERTY_METRICS.includes(value.type) && (
        <InlineField label={labels.editor.metric.property} invalid={!property}>
          <CommitInput
            testId={testIds.property}
            width={30}
            value={property}
            placeholder={labels.editor.metric.propertyPlaceholder}
            onCommit={(text) => {
              const key = text.trim();
              const full =
                key === '' || key.startsWith('properties.') || key.startsWith('$') ? key : `properties.${key}`;
              onChange({ ...(value as Extract<Metric, { property: string }>), property: full });
            }}
          />
        </InlineField>
      )}
    </>
  );
}
