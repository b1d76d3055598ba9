import type { AnnotationsQuery, VariableQuery } from '../contracts/analytics.js';
import { badRequest } from '../errors.js';
import type { AnalyticsStore } from '../store/analytics-store.js';
import { fieldExpr, SqlParams } from './sql.js';
import { boundRange, parseInstant, type DataBounds } from './time.js';

const LIMIT = 1000;

/** Values for Grafana template variables and ad-hoc filters (issue "CAAS analytics", item 5). Default range: 30 days. */
export async function variableValues(
  store: AnalyticsStore,
  tenant: string,
  name: string,
  q: VariableQuery,
  bounds: DataBounds
): Promise<Array<{ text: string; value: string }>> {
  const p = new SqlParams();
  const askedTo = q.to === undefined ? Date.now() : parseInstant(q.to, 'to');
  const range = boundRange(q.from === undefined ? askedTo - 30 * 86_400_000 : parseInstant(q.from, 'from'), askedTo, bounds);
  if (!range) {
    return [];
  }
  const { from, to } = range;
  const where = `tenant_id = ${p.bind(tenant, 'String')} AND timestamp >= fromUnixTimestamp64Milli(${p.bind(from, 'Int64')}, 'UTC') AND timestamp < fromUnixTimestamp64Milli(${p.bind(to, 'Int64')}, 'UTC')${q.event_type ? ` AND type = ${p.bind(q.event_type, 'String')}` : ''}`;
  let sql: string;
  switch (name) {
    case 'event_types':
      sql = `SELECT DISTINCT type AS v FROM events WHERE ${where} ORDER BY v LIMIT ${LIMIT}`;
      break;
    case 'property_keys':
      sql = `SELECT DISTINCT arrayJoin(mapKeys(properties)) AS v FROM events WHERE ${where} ORDER BY v LIMIT ${LIMIT}`;
      break;
    case 'property_values':
    case 'dimension_values': {
      if (!q.key) {
        throw badRequest('key_required', `${name} needs key (${name === 'property_values' ? 'the property key' : 'the column'})`);
      }
      const field = name === 'property_values' ? `properties.${q.key.replace(/^properties\./, '')}` : q.key;
      sql = `SELECT DISTINCT ${fieldExpr(field, p)} AS v FROM events WHERE ${where} ORDER BY v LIMIT ${LIMIT}`;
      break;
    }
    default:
      throw badRequest('unknown_variable', `unknown variable '${name}': use tenants, event_types, property_keys, property_values or dimension_values`);
  }
  const rows = await store.query<{ v: string }>(sql, p.values);
  return rows.filter((r) => r.v !== '').map((r) => ({ text: r.v, value: r.v }));
}

/** Events of the chosen types as annotations; the text is a property's value or the event type. */
export async function annotations(store: AnalyticsStore, tenant: string, q: AnnotationsQuery, bounds: DataBounds) {
  const range = boundRange(parseInstant(q.from, 'from'), parseInstant(q.to, 'to'), bounds);
  if (!range) {
    return [];
  }
  const p = new SqlParams();
  const text = q.text_property ? `properties[${p.bind(q.text_property.replace(/^properties\./, ''), 'String')}]` : 'type';
  const sql = `SELECT toUnixTimestamp64Milli(timestamp) AS t, type, ${text} AS text FROM events
    WHERE tenant_id = ${p.bind(tenant, 'String')} AND type IN ${p.bind(q.event_types, 'Array(String)')}
      AND timestamp >= fromUnixTimestamp64Milli(${p.bind(range.from, 'Int64')}, 'UTC')
      AND timestamp < fromUnixTimestamp64Milli(${p.bind(range.to, 'Int64')}, 'UTC')
    ORDER BY timestamp LIMIT ${p.bind(q.limit ?? 500, 'UInt32')}`;
  const rows = await store.query<{ t: string; type: string; text: string }>(sql, p.values);
  return rows.map((r) => ({ time: Number(r.t), title: r.type, text: r.text || r.type, tags: [r.type] }));
}
