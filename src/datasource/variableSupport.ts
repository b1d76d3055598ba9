import {
  createDataFrame,
  CustomVariableSupport,
  type DataQueryRequest,
  type DataQueryResponse,
  FieldType,
} from '@grafana/data';
import { catchError, from, map, type Observable, of } from 'rxjs';
import type { CaasDataSource } from './datasource';
import type { CaasVariableQuery } from './types';
import { VariableQueryEditor } from './VariableQueryEditor';
import { parseVariableQuery } from './variables';

/**
 * Query variables with our own editor (Grafana's current API; `setVariableQueryEditor` is deprecated). The values come
 * from metricFindQuery, so the variable editor, ad-hoc filters and any caller of metricFindQuery read the same way.
 */
export class CaasVariableSupport extends CustomVariableSupport<CaasDataSource, CaasVariableQuery> {
  editor = VariableQueryEditor;

  constructor(private readonly datasource: CaasDataSource) {
    super();
  }

  getDefaultQuery(): Partial<CaasVariableQuery> {
    return { refId: 'variable', name: 'event_types' };
  }

  query(request: DataQueryRequest<CaasVariableQuery>): Observable<DataQueryResponse> {
    // A hand-written dashboard may store the short string form; parseVariableQuery reads both.
    const target = parseVariableQuery(request.targets[0]);
    return from(this.datasource.metricFindQuery(target, { range: request.range, scopedVars: request.scopedVars })).pipe(
      // A frame with `text` and `value` fields: Grafana's runRequest turns every item of `data` into a frame and
      // toMetricFindValues reads these two names (plain {text, value} objects would be rejected as a format).
      map((values) => ({
        data: [
          createDataFrame({
            refId: target.refId,
            fields: [
              { name: 'text', type: FieldType.string, values: values.map((v) => v.text) },
              { name: 'value', type: FieldType.string, values: values.map((v) => String(v.value ?? v.text)) },
            ],
          }),
        ],
      })),
      catchError((error: unknown) =>
        of({
          data: [],
          errors: [{ message: error instanceof Error ? error.message : String(error), refId: target.refId }],
        })
      )
    );
  }
}
