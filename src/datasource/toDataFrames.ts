import { createDataFrame, type DataFrame, type Field, FieldType } from '@grafana/data';
import { SEARCH_ANALYTICS_PARTS } from './constants';
import { UnexpectedAnswerError } from './errors';
import type { AnnotationsResponse, CaasQuery, Frame, FrameField, QueryResponse, SearchAnalyticsShow } from './types';

const FIELD_TYPES: Record<FrameField['type'], FieldType> = {
  time: FieldType.time,
  number: FieldType.number,
  string: FieldType.string,
};

/**
 * The backend's frames → Grafana data frames, one to one: a time series comes back as ONE wide frame (a time field and
 * one number field per series, told apart by `labels`), funnels, retention and cohorts as tables. Units go to
 * `config.unit` so panels format them without overrides; the query's refId ties every frame to its query.
 *
 * A search analytics query passes its `show`: of the three frames the backend answers, only that part comes back
 * (searchAnalyticsPart), so one panel draws one table or one chart.
 */
export function toDataFrames(response: QueryResponse, refId: string, show?: SearchAnalyticsShow): DataFrame[] {
  const frames = show === undefined ? response.frames : searchAnalyticsPart(response, show);
  return frames.map((frame, index) => toDataFrame(frame, refId, index, response));
}

/** The part of its answer a query shows: a search analytics query's `show`; undefined (every frame) for the rest. */
export function shownPart(query: CaasQuery): SearchAnalyticsShow | undefined {
  return query.kind === 'search_analytics' ? query.show : undefined;
}

/**
 * One part of a search analytics answer (constants.ts SEARCH_ANALYTICS_PARTS): its frame, renamed after the part,
 * with only the part's columns. An answer without frames (a range wholly outside the data) has no part either; an
 * answer with frames but not the part's is a backend that changed its names, said as such instead of an empty panel.
 */
export function searchAnalyticsPart(response: QueryResponse, show: SearchAnalyticsShow): Frame[] {
  if (response.frames.length === 0) {
    return [];
  }
  const part = SEARCH_ANALYTICS_PARTS[show];
  const frame = response.frames.find((f) => f.name === part.frame);
  if (!frame) {
    throw new UnexpectedAnswerError(`search_analytics without the "${part.frame}" frame`);
  }
  if (!('fields' in part)) {
    return [{ ...frame, name: part.name }];
  }
  const fields = part.fields.map((name) => {
    const field = frame.fields.find((f) => f.name === name);
    if (!field) {
      throw new UnexpectedAnswerError(`search_analytics "${part.frame}" frame without the "${name}" field`);
    }
    return field;
  });
  return [{ name: part.name, fields }];
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
