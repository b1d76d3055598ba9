import { VARIABLE_NAMES } from './constants';
import type { CaasVariableQuery, VariableName } from './types';

/**
 * Template variable queries. The editor saves an object; dashboards written by hand (or provisioned) may use the short
 * string form, which reads the same way:
 *   `tenants` · `event_types` · `property_keys` · `property_values(message_type)` ·
 *   `property_values(message_type, message_sent)` (values of a key within one event type) · `dimension_values(platform)`
 *   and any of them with a tenant: `event_types @ $tenant`
 */
export function parseVariableQuery(
  query: CaasVariableQuery | Partial<CaasVariableQuery> | string | undefined | null
): CaasVariableQuery {
  if (query && typeof query === 'object') {
    const refId = query.refId ?? 'variable';
    return isVariableName(query.name)
      ? { ...query, refId, name: query.name }
      : { ...query, refId, name: 'event_types' };
  }
  const refId = 'variable';
  // An optional "@ tenant" suffix names the tenant (a tenant id or a variable).
  const [, body = '', tenant] = /^(.*?)(?:\s*@\s*(\S+))?$/.exec((query ?? '').trim()) ?? [];
  const match = /^([a-z_]+)\s*(?:\(\s*([^,()]*?)\s*(?:,\s*([^,()]*?)\s*)?\))?$/.exec(body);
  const name = match?.[1];
  if (!match || !isVariableName(name)) {
    return { refId, name: 'event_types' };
  }
  const out: CaasVariableQuery = { refId, name };
  if (match[2]) {
    out.key = match[2];
  }
  if (match[3]) {
    out.event_type = match[3];
  }
  if (tenant) {
    out.tenant = tenant;
  }
  return out;
}

/** The short string form, shown by Grafana as the variable's definition. */
export function variableDefinition(query: CaasVariableQuery): string {
  const args = [query.key, query.event_type].filter((a): a is string => Boolean(a));
  const base = args.length ? `${query.name}(${args.join(', ')})` : query.name;
  return query.tenant ? `${base} @ ${query.tenant}` : base;
}

/** property_values and dimension_values need a key; the others take none. */
export function needsKey(name: VariableName): boolean {
  return name === 'property_values' || name === 'dimension_values';
}

function isVariableName(value: unknown): value is VariableName {
  return typeof value === 'string' && (VARIABLE_NAMES as readonly string[]).includes(value);
}
