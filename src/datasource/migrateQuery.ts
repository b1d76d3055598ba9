import { FIELD_REF_PATTERN, GRANULARITIES, QUERY_KINDS, QUERY_VERSION } from './constants';
import { defaultBuilder } from './defaults';
import type { CaasKind, CaasQuery, Filter, Granularity } from './types';

/**
 * Every saved query passes through here before the editor or query() sees it (CONVENTIONS.md, Types: "saved queries
 * carry a version and pass through one migrateQuery()"), so old dashboards keep working.
 *
 * Versions:
 * - v0 (no `version`): hand-written or pre-release dashboard JSON. Without `kind` it meant "events over time":
 *   `{ refId, eventType? | event_types?, groupBy? | group_by?, granularity?, filters?, tenant? | tenant_id? }`.
 *   A v0 query that already has a kind is read as v1.
 * - v1 (current): `{ refId, version: 1, kind, tenant?, …the contract's fields for that kind }`.
 *
 * The function is idempotent: migrateQuery(migrateQuery(q)) deep-equals migrateQuery(q), and a current, complete
 * query comes back as the same object.
 */
export function migrateQuery(raw: Partial<CaasQuery> | Record<string, unknown> | undefined | null): CaasQuery {
  const input: Record<string, unknown> = isObject(raw) ? { ...raw } : {};
  const refId = typeof input.refId === 'string' && input.refId !== '' ? input.refId : 'A';
  const version = typeof input.version === 'number' ? input.version : 0;

  if (version > QUERY_VERSION) {
    // Saved by a newer plugin: leave it alone rather than destroy fields we do not know yet.
    return { ...(input as unknown as CaasQuery), refId };
  }

  let query: Record<string, unknown> = version === 0 ? fromV0(input) : input;
  query = withRequiredFields(query);
  query.refId = refId;
  query.version = QUERY_VERSION;

  if (raw && isComplete(raw as Record<string, unknown>, query)) {
    return raw as CaasQuery;
  }
  return query as unknown as CaasQuery;
}

/** v0 → v1. */
function fromV0(input: Record<string, unknown>): Record<string, unknown> {
  if (isKind(input.kind)) {
    return { ...input };
  }
  const { eventType, groupBy, tenant_id, ...rest } = input;
  const out: Record<string, unknown> = { ...rest, ...defaultBuilder('timeseries') };
  delete out.kind;
  out.kind = 'timeseries';

  const eventTypes = stringList(rest.event_types ?? eventType);
  delete out.event_types;
  if (eventTypes.length) {
    out.event_types = eventTypes;
  }

  const groups = stringList(rest.group_by ?? groupBy)
    .filter((g) => FIELD_REF_PATTERN.test(g))
    .slice(0, 2);
  delete out.group_by;
  if (groups.length) {
    out.group_by = groups;
  }

  delete out.granularity;
  if (isGranularity(rest.granularity)) {
    out.granularity = rest.granularity;
  }

  delete out.filters;
  const filters = Array.isArray(rest.filters) ? rest.filters.filter(isFilter) : [];
  if (filters.length) {
    out.filters = filters;
  }

  if (typeof rest.tenant !== 'string' && typeof tenant_id === 'string' && tenant_id !== '') {
    out.tenant = tenant_id;
  }
  return out;
}

/** Fills what a kind requires from its defaults; an unknown kind becomes the default (events over time). */
function withRequiredFields(query: Record<string, unknown>): Record<string, unknown> {
  const kind: CaasKind = isKind(query.kind) ? query.kind : 'timeseries';
  const defaults = defaultBuilder(kind) as unknown as Record<string, unknown>;
  const out: Record<string, unknown> = { ...query, kind };
  for (const [key, value] of Object.entries(defaults)) {
    if (out[key] === undefined || out[key] === null) {
      out[key] = value;
    }
  }
  return out;
}

function isComplete(raw: Record<string, unknown>, migrated: Record<string, unknown>): boolean {
  const keys = new Set([...Object.keys(raw), ...Object.keys(migrated)]);
  for (const key of keys) {
    if (raw[key] !== migrated[key]) {
      return false;
    }
  }
  return true;
}

const ALL_KINDS: readonly string[] = [...QUERY_KINDS, 'annotations'];

function isKind(value: unknown): value is CaasKind {
  return typeof value === 'string' && ALL_KINDS.includes(value);
}

function isGranularity(value: unknown): value is Granularity {
  return typeof value === 'string' && (GRANULARITIES as readonly string[]).includes(value);
}

function isFilter(value: unknown): value is Filter {
  return isObject(value) && typeof value.field === 'string' && typeof value.op === 'string' && 'value' in value;
}

function stringList(value: unknown): string[] {
  if (typeof value === 'string') {
    return value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  }
  if (Array.isArray(value)) {
    return value.filter((v): v is string => typeof v === 'string' && v.trim() !== '').map((v) => v.trim());
  }
  return [];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
