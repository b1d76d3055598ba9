import type { AdHocVariableFilter, ScopedVars } from '@grafana/data';
import {
  DIMENSIONS,
  FIELD_REF_PATTERN,
  LIMITS,
  LIST_OPS,
  METRIC_PROPERTY_PATTERN,
  NUMERIC_OPS,
  PROPERTY_PREFIX,
  SEARCH_ANALYTICS_SHOWS,
} from './constants';
import { labels } from './labels';
import type {
  AnalyticsQuery,
  AnnotationsQuery,
  CaasBuilder,
  CaasKind,
  CaasQuery,
  Filter,
  FilterOp,
  FunnelStep,
} from './types';

/** The part of Grafana's TemplateSrv this module needs (getTemplateSrv().replace). */
export type Replace = (target?: string, scopedVars?: ScopedVars, format?: string | Function) => string;

/** A separator no event type, tenant or property value contains; multi-value variables are joined with it. */
const SEP = '\u001f';
const joinMulti = (value: unknown) => (Array.isArray(value) ? value.map(String).join(SEP) : String(value ?? ''));

/** Replaces variables in one string; a multi-value variable yields several values. */
export function replaceList(value: string, replace: Replace, scopedVars?: ScopedVars): string[] {
  return replace(value, scopedVars, joinMulti)
    .split(SEP)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** Replaces variables in one string that must stay one value (tenant, property names). */
export function replaceOne(value: string | undefined, replace: Replace, scopedVars?: ScopedVars): string | undefined {
  if (value === undefined) {
    return undefined;
  }
  return replace(value, scopedVars).trim();
}

function replaceField(field: string, replace: Replace, scopedVars?: ScopedVars): string {
  return replaceOne(field, replace, scopedVars) ?? field;
}

/**
 * Replaces template variables everywhere a user may type one: tenant, event types, filter fields and values, group-by,
 * metric property, funnel steps, retention and adoption events, top-N field. Multi-value variables expand: in event
 * types to several types, in a filter `=`/`!=` to `in`/`not_in`.
 */
export function interpolateQuery(query: CaasQuery, replace: Replace, scopedVars?: ScopedVars): CaasQuery {
  const one = (v: string) => replaceOne(v, replace, scopedVars) ?? v;
  const out = { ...query } as CaasQuery;
  if (out.tenant !== undefined) {
    out.tenant = one(out.tenant);
  }
  if ('event_types' in out && out.event_types) {
    out.event_types = dedupe(out.event_types.flatMap((t) => replaceList(t, replace, scopedVars)));
  }
  if ('filters' in out && out.filters) {
    out.filters = out.filters.map((f) => interpolateFilter(f, replace, scopedVars));
  }
  switch (out.kind) {
    case 'timeseries':
      if (out.group_by) {
        out.group_by = out.group_by.flatMap((g) => replaceList(g, replace, scopedVars));
      }
      if ('property' in out.metric) {
        out.metric = { ...out.metric, property: one(out.metric.property) };
      }
      break;
    case 'retention':
      out.cohort_event = one(out.cohort_event);
      out.return_event = one(out.return_event);
      break;
    case 'funnel':
      out.steps = out.steps.map((s) => interpolateStep(s, replace, scopedVars));
      if (out.breakdown) {
        out.breakdown = one(out.breakdown);
      }
      break;
    case 'top_n':
      out.field = one(out.field);
      break;
    case 'heatmap':
      if (out.timezone) {
        out.timezone = one(out.timezone);
      }
      break;
    case 'adoption':
      out.feature_event = one(out.feature_event);
      break;
    case 'annotations':
      if (out.text_property) {
        out.text_property = one(out.text_property);
      }
      break;
    default:
      break;
  }
  return out;
}

function interpolateStep(step: FunnelStep, replace: Replace, scopedVars?: ScopedVars): FunnelStep {
  const out: FunnelStep = { ...step, event_type: replaceOne(step.event_type, replace, scopedVars) ?? '' };
  if (step.filters) {
    out.filters = step.filters.map((f) => interpolateFilter(f, replace, scopedVars));
  }
  return out;
}

export function interpolateFilter(filter: Filter, replace: Replace, scopedVars?: ScopedVars): Filter {
  const field = replaceField(filter.field, replace, scopedVars);
  const raw = Array.isArray(filter.value) ? filter.value : [filter.value];
  const values = raw.flatMap((v): Array<string | number> =>
    typeof v === 'string' ? replaceList(v, replace, scopedVars) : [v]
  );
  let op = filter.op;
  if (values.length > 1 && (op === '=' || op === '!=')) {
    op = op === '=' ? 'in' : 'not_in';
  }
  return { field, op, value: normalizeValue(op, values) };
}

/** The value shape the contract wants for an operator: a list for in/not_in, a number for comparisons. */
export function normalizeValue(op: FilterOp, values: Array<string | number>): Filter['value'] {
  if (LIST_OPS.includes(op)) {
    return values;
  }
  const first = values.length > 1 ? values.join(',') : (values[0] ?? '');
  if (NUMERIC_OPS.includes(op) && typeof first === 'string' && first.trim() !== '' && Number.isFinite(Number(first))) {
    return Number(first);
  }
  return first;
}

/** An ad-hoc filter key as a contract field: a column, or else an event property. */
export function toFieldRef(key: string): string {
  if ((DIMENSIONS as readonly string[]).includes(key) || key.startsWith(PROPERTY_PREFIX)) {
    return key;
  }
  return `${PROPERTY_PREFIX}${key}`;
}

const AD_HOC_OPS: Record<string, FilterOp> = {
  '=': '=',
  '!=': '!=',
  '=|': 'in',
  '!=|': 'not_in',
  '<': '<',
  '>': '>',
  '<=': '<=',
  '>=': '>=',
};

/** Dashboard ad-hoc filters (request.filters) → contract filters; an operator we cannot honour is an error. */
export function adHocToFilters(filters: AdHocVariableFilter[] | undefined): Filter[] {
  return (filters ?? []).map((f) => {
    const op = AD_HOC_OPS[f.operator];
    if (!op) {
      throw new QueryValidationError(labels.invalid.adHocOperator(f.operator));
    }
    const values = LIST_OPS.includes(op) ? (f.values ?? [f.value]) : [f.value];
    return { field: toFieldRef(f.key), op, value: normalizeValue(op, values) };
  });
}

/** A problem with the query itself, found before anything is sent; its message is shown in the panel as is. */
export class QueryValidationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QueryValidationError';
  }
}

/** What is wrong with an (interpolated) query, in words that name the field to change; undefined when it can be sent. */
export function validateQuery(query: CaasQuery): string | undefined {
  const filters = [...('filters' in query ? (query.filters ?? []) : [])];
  if (query.kind === 'funnel') {
    filters.push(...query.steps.flatMap((s) => s.filters ?? []));
  }
  for (const f of filters) {
    if (!FIELD_REF_PATTERN.test(f.field)) {
      return labels.invalid.field(f.field);
    }
    const empty = Array.isArray(f.value) ? f.value.length === 0 : String(f.value).trim() === '';
    if (empty) {
      return labels.invalid.filterValue(f.field);
    }
  }
  switch (query.kind) {
    case 'timeseries':
      if ('property' in query.metric && !METRIC_PROPERTY_PATTERN.test(query.metric.property)) {
        return labels.invalid.metricProperty;
      }
      if ((query.group_by?.length ?? 0) > LIMITS.groupBy) {
        return labels.invalid.groupBy;
      }
      for (const g of query.group_by ?? []) {
        if (!FIELD_REF_PATTERN.test(g)) {
          return labels.invalid.field(g);
        }
      }
      return undefined;
    case 'retention':
      return query.cohort_event && query.return_event ? undefined : labels.invalid.retentionEvents;
    case 'funnel':
      if (query.steps.length < LIMITS.funnelSteps.min || query.steps.some((s) => !s.event_type)) {
        return labels.invalid.funnelSteps;
      }
      return query.breakdown && !FIELD_REF_PATTERN.test(query.breakdown)
        ? labels.invalid.field(query.breakdown)
        : undefined;
    case 'top_n':
      return FIELD_REF_PATTERN.test(query.field) ? undefined : labels.invalid.field(query.field);
    case 'adoption':
      return query.feature_event ? undefined : labels.invalid.adoptionFeature;
    case 'search_analytics':
      if (query.event_types?.length) {
        return labels.invalid.searchEventTypes;
      }
      return (SEARCH_ANALYTICS_SHOWS as readonly string[]).includes(query.show)
        ? undefined
        : labels.invalid.searchShow(String(query.show));
    case 'annotations':
      return query.event_types.length ? undefined : labels.invalid.annotationEvents;
    default:
      return undefined;
  }
}

/** Fields each kind sends; the contract rejects unknown properties, so editor-only fields never leave the browser. */
const KIND_FIELDS: { [K in Exclude<CaasKind, 'annotations'>]: readonly string[] } = {
  timeseries: ['metric', 'group_by', 'granularity'],
  active_users: [],
  retention: ['cohort_event', 'return_event', 'period', 'periods'],
  funnel: ['steps', 'window_seconds', 'breakdown'],
  cohorts: ['period'],
  top_n: ['field', 'metric', 'limit'],
  heatmap: ['timezone', 'metric'],
  geo: ['metric'],
  adoption: ['feature_event', 'granularity'],
  // `show` is editor-only: it picks which of the answer's frames the panel draws (toDataFrames).
  search_analytics: ['limit', 'granularity'],
};

export interface RequestContext {
  from: number;
  to: number;
  /** Grafana's $__interval in ms; time series without a granularity let the backend choose from it. */
  intervalMs?: number;
  /** The resolved tenant id, if any (query tenant, else the data source default). */
  tenant?: string;
  /** Ad-hoc filters, already converted. */
  extraFilters?: Filter[];
}

/** The POST /v1/analytics/query body of an interpolated, valid query. */
export function toAnalyticsBody(
  query: Exclude<CaasQuery, { kind: 'annotations' }>,
  ctx: RequestContext
): AnalyticsQuery {
  const src = query as unknown as Record<string, unknown>;
  const body: Record<string, unknown> = { kind: query.kind, from: ctx.from, to: ctx.to };
  if (ctx.tenant) {
    body.tenant_id = ctx.tenant;
  }
  if (query.event_types?.length) {
    body.event_types = query.event_types;
  }
  const filters = [...(query.filters ?? []), ...(ctx.extraFilters ?? [])];
  if (filters.length) {
    body.filters = filters;
  }
  for (const key of KIND_FIELDS[query.kind]) {
    const value = src[key];
    if (value === undefined || value === '' || (Array.isArray(value) && value.length === 0)) {
      continue;
    }
    body[key] = key === 'steps' ? (value as FunnelStep[]).map(cleanStep) : value;
  }
  if (query.kind === 'timeseries' && !query.granularity && ctx.intervalMs && ctx.intervalMs > 0) {
    body.interval_ms = Math.max(1, Math.round(ctx.intervalMs));
  }
  return body as unknown as AnalyticsQuery;
}

function cleanStep(step: FunnelStep): FunnelStep {
  const out: FunnelStep = { event_type: step.event_type };
  if (step.filters?.length) {
    out.filters = step.filters;
  }
  if (step.label?.trim()) {
    out.label = step.label.trim();
  }
  return out;
}

/** The POST /v1/analytics/annotations body. */
export function toAnnotationsBody(
  query: Extract<CaasBuilder, { kind: 'annotations' }>,
  ctx: RequestContext
): AnnotationsQuery {
  const body: AnnotationsQuery = { from: ctx.from, to: ctx.to, event_types: query.event_types };
  if (ctx.tenant) {
    body.tenant_id = ctx.tenant;
  }
  if (query.text_property) {
    body.text_property = query.text_property.replace(/^properties\./, '');
  }
  if (query.limit) {
    body.limit = query.limit;
  }
  return body;
}

/** Tenant ids as the backend accepts them (contract TenantId). */
export const TENANT_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/;

function dedupe(values: string[]): string[] {
  return Array.from(new Set(values));
}
