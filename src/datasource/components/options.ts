import type { ComboboxOption } from '@grafana/ui';
import { DIMENSIONS } from '../constants';

/** A Combobox value that shows even when it is not among the options (a typed value, a `$variable`). */
export function asOption(value: string | undefined): ComboboxOption<string> | null {
  return value ? { value, label: value } : null;
}

/** Options plus the current values, so a saved value not (yet) offered by the backend still shows. */
export function withValues(
  options: Array<ComboboxOption<string>>,
  values: Array<string | undefined>
): Array<ComboboxOption<string>> {
  const known = new Set(options.map((o) => o.value));
  const extra = values.filter((v): v is string => Boolean(v) && !known.has(v as string));
  return [...options, ...extra.map((value) => ({ value, label: value }))];
}

/** The event columns; property keys come from the backend as `properties.<key>`. */
export const columnOptions: Array<ComboboxOption<string>> = DIMENSIONS.map((d) => ({
  value: d,
  label: d,
  group: 'Columns',
}));
