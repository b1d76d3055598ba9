import type { Filter } from '../contracts/analytics.js';
import { badRequest } from '../errors.js';

/**
 * SQL is built only from whitelisted identifiers and bound `query_params` (issue "CAAS analytics",
 * item 2): values, property keys and time bounds never reach the SQL text.
 */
export class SqlParams {
  readonly values: Record<string, unknown> = {};
  private n = 0;

  /** Binds a value and answers its placeholder, e.g. `{p3:String}`. */
  bind(value: unknown, type: string): string {
    const name = `p${this.n++}`;
    // The client refuses integral numbers beyond 2^53 (1e308 is one); as text ClickHouse reads
    // them as the type says. Instants are checked before they get here; this is for Float64 values.
    this.values[name] = typeof value === 'number' && Number.isInteger(value) && !Number.isSafeInteger(value) ? String(value) : value;
    return `{${name}:${type}}`;
  }
}

const COLUMNS: Record<string, string> = {
  type: 'type',
  platform: 'platform',
  device: 'device',
  country: 'country',
  app_version: 'app_version',
  user_id: 'user_id',
};

export function isProperty(field: string): boolean {
  return field.startsWith('properties.');
}

/** A field reference as a String-typed SQL expression. */
export function fieldExpr(field: string, p: SqlParams): string {
  const col = COLUMNS[field];
  if (col) {
    return col;
  }
  if (isProperty(field)) {
    const key = field.slice('properties.'.length);
    if (!/^[A-Za-z0-9_.:-]{1,128}$/.test(key)) {
      throw badRequest('invalid_field', `property key '${key}' may hold only letters, digits and _ . : -`);
    }
    return `properties[${p.bind(key, 'String')}]`;
  }
  throw badRequest('invalid_field', `unknown field '${field}': use one of ${Object.keys(COLUMNS).join(', ')} or properties.<key>`);
}

function scalar(v: unknown, field: string): string | number {
  if (typeof v === 'string' || typeof v === 'number') {
    return v;
  }
  throw badRequest('invalid_filter', `filter on '${field}': value must be a string or a number`);
}

/** One filter as a SQL condition over String columns (numeric ops compare as Float64). */
export function filterExpr(f: Filter, p: SqlParams): string {
  const e = fieldExpr(f.field, p);
  const list = Array.isArray(f.value) ? f.value : null;
  switch (f.op) {
    case 'in':
    case 'not_in': {
      const values = (list ?? [f.value]).map((v) => String(scalar(v, f.field)));
      if (values.length === 0) {
        throw badRequest('invalid_filter', `filter on '${f.field}': '${f.op}' needs at least one value`);
      }
      return `${e} ${f.op === 'in' ? 'IN' : 'NOT IN'} ${p.bind(values, 'Array(String)')}`;
    }
    case '=':
    case '!=':
    case 'contains': {
      if (list) {
        throw badRequest('invalid_filter', `filter on '${f.field}': '${f.op}' takes one value (use 'in' for a list)`);
      }
      const v = String(scalar(f.value, f.field));
      return f.op === 'contains' ? `position(${e}, ${p.bind(v, 'String')}) > 0` : `${e} ${f.op} ${p.bind(v, 'String')}`;
    }
    case '>':
    case '>=':
    case '<':
    case '<=': {
      const n = Number(list ? undefined : f.value);
      if (!Number.isFinite(n)) {
        throw badRequest('invalid_filter', `filter on '${f.field}': '${f.op}' compares numbers; '${String(f.value)}' is not one`);
      }
      // Not a number (or absent) compares false, and as a plain UInt8, not Nullable: windowFunnel
      // takes at most 8 Nullable conditions, so a 10-step funnel with numeric filters broke (hostile suite).
      return `ifNull(toFloat64OrNull(${e}) ${f.op} ${p.bind(n, 'Float64')}, 0)`;
    }
    default:
      throw badRequest('invalid_filter', `unknown filter op '${String(f.op)}'`);
  }
}

/** `type IN (…)` and the filters, ANDed; '1' when there are none. */
export function conditions(p: SqlParams, eventTypes: string[] | undefined, filters: Filter[] | undefined): string {
  const parts: string[] = [];
  if (eventTypes && eventTypes.length) {
    parts.push(`type IN ${p.bind(eventTypes, 'Array(String)')}`);
  }
  for (const f of filters ?? []) {
    parts.push(filterExpr(f, p));
  }
  return parts.length ? parts.join(' AND ') : '1';
}

/** Filters that the per-user-day rollup can answer: on `type` only. */
export function userDayCompatible(filters: Filter[] | undefined): boolean {
  return (filters ?? []).every((f) => f.field === 'type');
}
