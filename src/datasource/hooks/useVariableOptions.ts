import { useEffect, useMemo, useState } from 'react';
import type { ComboboxOption } from '@grafana/ui';
import type { CaasDataSource } from '../datasource';
import { describeError } from '../errors';
import type { VariableName, VariableOption } from '../types';

export interface OptionsLookup {
  key?: string;
  event_type?: string;
  tenant?: string;
}

export interface OptionsState {
  options: Array<ComboboxOption<string>>;
  loading: boolean;
  /** Why the backend's values are missing; the picker still takes typed values and variables. */
  error?: string;
}

/** Lookups are shared for a minute: a funnel's ten step pickers ask the backend once, not ten times. */
const TTL_MS = 60_000;
const cache = new WeakMap<CaasDataSource, Map<string, { at: number; values: Promise<VariableOption[]> }>>();

export function loadOptions(
  datasource: CaasDataSource,
  name: VariableName,
  lookup: OptionsLookup
): Promise<VariableOption[]> {
  let entries = cache.get(datasource);
  if (!entries) {
    entries = new Map();
    cache.set(datasource, entries);
  }
  const key = JSON.stringify([name, lookup.key ?? '', lookup.event_type ?? '', lookup.tenant ?? '']);
  const hit = entries.get(key);
  if (hit && Date.now() - hit.at < TTL_MS) {
    return hit.values;
  }
  const values = datasource.getVariableValues(name, lookup);
  entries.set(key, { at: Date.now(), values });
  // A failure is not cached: the next editor render may succeed once the settings are fixed.
  values.catch(() => entries?.delete(key));
  return values;
}

/**
 * Options of a picker: the backend's values for a variables endpoint (event types, property keys, …), then the
 * dashboard's template variables as `$name`, so a user can pick either.
 */
export function useVariableOptions(
  datasource: CaasDataSource,
  name: VariableName,
  lookup: OptionsLookup = {},
  enabled = true
): OptionsState {
  const { key, event_type, tenant } = lookup;
  const requestKey = JSON.stringify([name, key ?? '', event_type ?? '', tenant ?? '']);
  // The answer is stored with the lookup it answers; a different lookup is "loading" until its own answer arrives.
  const [answer, setAnswer] = useState<{ key: string; values: VariableOption[]; error?: string } | undefined>();
  const variables = useMemo(
    () => datasource.getTemplateVariableNames().map((v) => ({ value: v, label: v, group: 'Variables' })),
    [datasource]
  );

  useEffect(() => {
    if (!enabled) {
      return;
    }
    let active = true;
    loadOptions(datasource, name, { key, event_type, tenant })
      .then((values) => active && setAnswer({ key: requestKey, values }))
      .catch(
        (error: unknown) => active && setAnswer({ key: requestKey, values: [], error: describeError(error).message })
      );
    return () => {
      active = false;
    };
  }, [datasource, name, key, event_type, tenant, enabled, requestKey]);

  return useMemo(() => {
    if (!enabled) {
      return { options: variables, loading: false };
    }
    if (answer?.key !== requestKey) {
      return { options: variables, loading: true };
    }
    const fromBackend = answer.values.map((v) => ({ value: v.value, label: v.text }));
    return { options: [...fromBackend, ...variables], loading: false, error: answer.error };
  }, [answer, enabled, requestKey, variables]);
}
