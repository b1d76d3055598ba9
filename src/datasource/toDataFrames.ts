import { createDataFrame, type DataFrame, type Field, FieldType } from '@grafana/data';
import type { AnnotationsResponse, Frame, FrameField, QueryResponse } from './types';

const FIELD_TYPES: Record<FrameField['type'], FieldType> = {
  time: FieldType.time,
  number: FieldType.number,
  string: FieldType.string,
};

/**
 * The backend's frames → Grafana data frames, one to one: a time series comes back as ONE wide frame (a time field and
 * one number field per series, told apart by `labels`), funnels, retention and cohorts as tables. Units go to
 * `config.unit` so panels format them without overrides; the query's refId ties every frame to its query.
 */
export function toDataFrames(response: QueryResponse, refId: string): DataFrame[] {
  return response.frames.map((frame, index) => toDataFrame(frame, refId, index, response));
}

export function toDataFrame(frame: Frame, refId: string, index = 0, response?: QueryResponse): DataFrame {
  const fields: Array<Partial<Field>> = frame.fields.map((f) => {
    const field: Partial<Field> = {
      name: f.name,
      type: FIELD_TYPES[f.type] ?? FieldType.other,
      values: f.values.map((v) => coerce(v, f.type)),
      config: f.unit ? { unit: f.unit } : {},
    };
    if (f.labels && Object.keys(f.labels).length > 0) {
      field.labels = { ...f.labels };
    }
    return field;
  });
  return createDataFrame({
    refId,
    name: frame.name ?? (index === 0 ? undefined : `${refId}-${index}`),
    fields,
    meta: response
      ? {
          // Shown in the query inspector: where the answer came from (raw events or a rollup) and how long it took.
          custom: { kind: response.meta.kind, tenant: response.meta.tenant_id, source: response.meta.source },
          executedQueryString: `${response.meta.kind} for tenant ${response.meta.tenant_id} from ${response.meta.source}${
            response.meta.granularity ? ` per ${response.meta.granularity}` : ''
          } in ${response.meta.elapsed_ms} ms`,
        }
      : undefined,
  });
}

/** Annotations as a frame Grafana's standard annotation processing understands (time, title, text, tags). */
export function annotationsToDataFrame(response: AnnotationsResponse, refId: string): DataFrame {
  const rows = response.annotations;
  return createDataFrame({
    refId,
    name: 'annotations',
    fields: [
      { name: 'time', type: FieldType.time, values: rows.map((a) => a.time) },
      { name: 'title', type: FieldType.string, values: rows.map((a) => a.title) },
      { name: 'text', type: FieldType.string, values: rows.map((a) => a.text) },
      { name: 'tags', type: FieldType.other, values: rows.map((a) => a.tags) },
    ],
  });
}

/** ClickHouse sends 64-bit integers as strings in JSON; a number field must hold numbers (or null for gaps). */
function coerce(value: number | string | null, type: FrameField['type']): number | string | null {
  if (value === null) {
    return null;
  }
  if (type === 'number' || type === 'time') {
    if (typeof value === 'number') {
      return value;
    }
    const n = type === 'time' && !/^-?\d+(\.\d+)?$/.test(value) ? Date.parse(value) : Number(value);
    return Number.isFinite(n) ? n : null;
  }
  return typeof value === 'string' ? value : String(value);
}
