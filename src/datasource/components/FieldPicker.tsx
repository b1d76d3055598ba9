import React, { useMemo } from 'react';
import { Combobox, type ComboboxOption } from '@grafana/ui';
import { PROPERTY_PREFIX } from '../constants';
import type { CaasDataSource } from '../datasource';
import { useVariableOptions } from '../hooks/useVariableOptions';
import { labels } from '../labels';
import { asOption, columnOptions, withValues } from './options';

/** Field options: the columns, then `properties.<key>` for each property key the backend knows, then variables. */
export function useFieldOptions(datasource: CaasDataSource, tenant?: string): Array<ComboboxOption<string>> {
  const { options } = useVariableOptions(datasource, 'property_keys', { tenant });
  return useMemo(
    () => [
      ...columnOptions,
      ...options.map((o) =>
        o.value.startsWith('$') || o.value.startsWith(PROPERTY_PREFIX)
          ? o
          : {
              value: `${PROPERTY_PREFIX}${o.value}`,
              label: `${PROPERTY_PREFIX}${o.label ?? o.value}`,
              group: 'Properties',
            }
      ),
    ],
    [options]
  );
}

interface Props {
  datasource: CaasDataSource;
  value: string | undefined;
  testId: string;
  tenant?: string;
  width?: number;
  placeholder?: string;
}

type FieldPickerProps = Props &
  (
    | { isClearable: true; onChange: (value: string | undefined) => void }
    | { isClearable?: false; onChange: (value: string) => void }
  );

/** A filterable field: a column or `properties.<key>`; any `properties.<key>` may be typed in. */
export function FieldPicker(props: FieldPickerProps) {
  const { datasource, value, testId, tenant, width = 30, placeholder } = props;
  const options = withValues(useFieldOptions(datasource, tenant), [value]);
  const common = {
    'data-testid': testId,
    width,
    createCustomValue: true,
    placeholder: placeholder ?? labels.editor.fieldPlaceholder,
    options,
    value: asOption(value),
  };
  if (props.isClearable) {
    const onChange = props.onChange;
    return <Combobox<string> {...common} isClearable onChange={(picked) => onChange(picked?.value || undefined)} />;
  }
  const onChange = props.onChange;
  return <Combobox<string> {...common} onChange={(picked) => onChange(picked.value)} />;
}
