import {
  type AnnotationQuery,
  type AnnotationSupport,
  CoreApp,
  type DataFrame,
  type DataQueryError,
  type DataQueryRequest,
  type DataQueryResponse,
  DataSourceApi,
  type DataSourceGetTagKeysOptions,
  type DataSourceGetTagValuesOptions,
  type DataSourceInstanceSettings,
  LoadingState,
  type LegacyMetricFindQueryOptions,
  type MetricFindValue,
  type ScopedVars,
  type TestDataSourceResponse,
  type TimeRange,
} from '@grafana/data';
import { type BackendSrvRequest, getBackendSrv, getTemplateSrv, type TemplateSrv } from '@grafana/runtime';
import { catchError, defer, forkJoin, lastValueFrom, map, type Observable, of, throwError, timeout } from 'rxjs';
import type { EngineCheck, ReadyResponse } from '../../backend/src/contracts/health';
import { AnnotationQueryEditor } from './AnnotationQueryEditor';
import { DIMENSIONS, PROPERTY_PREFIX, PROXY_ROUTE, QUERY_TIMEOUT_MS } from './constants';
import { defaultBuilder, defaultQuery } from './defaults';
import { describeQuery } from './describeQuery';
import { describeError, isRecord, QueryTimeoutError, UnexpectedAnswerError } from './errors';
import { labels } from './labels';
import { migrateQuery } from './migrateQuery';
import {
  adHocToFilters,
  interpolateQuery,
  QueryValidationError,
  TENANT_PATTERN,
  toAnalyticsBody,
  toAnnotationsBody,
  validateQuery,
  type RequestContext,
} from './request';
import { annotationsToDataFrame, shownPart, toDataFrames } from './toDataFrames';
import type {
  AnnotationsResponse,
  CaasDataSourceOptions,
  CaasQuery,
  CaasVariableQuery,
  QueryResponse,
  VariableName,
  VariableOption,
  VariableResponse,
} from './types';
import { CaasVariableSupport } from './variableSupport';
import { parseVariableQuery } from './variables';

export interface VariableLookup {
  key?: string;
  event_type?: string;
  /** tenant id or a variable; empty: the default tenant */
  tenant?: string;
  range?: TimeRange;
  scopedVars?: ScopedVars;
}

/**
 * The CAAS analytics data source. Everything goes through Grafana's data proxy (`access: proxy`): requests go to
 * `<instance url>/caas/…`, which plugin.json's route forwards to the backend URL with the API key from
 * secureJsonData, so the key never reaches the browser (DESIGN.md, Data flows 3).
 */
export class CaasDataSource extends DataSourceApi<CaasQuery, CaasDataSourceOptions> {
  /** `/api/datasources/proxy/uid/<uid>/caas`: the proxy route's prefix. */
  readonly baseUrl: string;
  readonly backendUrl: string | undefined;
  readonly defaultTenant: string | undefined;

  annotations: AnnotationSupport<CaasQuery> = {
    QueryEditor: AnnotationQueryEditor,
    getDefaultQuery: () => defaultBuilder('annotations'),
    // Old or hand-written annotation JSON may lack a target or carry an older query version.
    prepareAnnotation: (json: AnnotationQuery<CaasQuery>) => ({
      ...json,
      target: migrateQuery({
        ...defaultBuilder('annotations'),
        ...(json.target ?? {}),
        refId: json.target?.refId ?? 'Anno',
      }),
    }),
    // An annotation without event types would ask for nothing: skip it quietly, the editor says what is missing.
    prepareQuery: (anno: AnnotationQuery<CaasQuery>) => {
      const target = anno.target ? migrateQuery(anno.target) : undefined;
      if (!target || target.kind !== 'annotations' || target.event_types.length === 0) {
        return undefined;
      }
      return target;
    },
  };

  constructor(
    instanceSettings: DataSourceInstanceSettings<CaasDataSourceOptions>,
    private readonly templateSrv: TemplateSrv = getTemplateSrv()
  ) {
    super(instanceSettings);
    this.baseUrl = `${instanceSettings.url ?? ''}/${PROXY_ROUTE}`;
    this.backendUrl = instanceSettings.jsonData?.url?.trim() || undefined;
    this.defaultTenant = instanceSettings.jsonData?.defaultTenant?.trim() || undefined;
    this.variables = new CaasVariableSupport(this);
  }

  getDefaultQuery(_app: CoreApp): Partial<CaasQuery> {
    return defaultQuery();
  }

  filterQuery(query: CaasQuery): boolean {
    return query.hide !== true;
  }

  getQueryDisplayText(query: CaasQuery): string {
    return describeQuery(migrateQuery(query), this.defaultTenant);
  }

  /** Variables replaced the way query() does, for Explore, expressions and "query inspector → query". */
  interpolateVariablesInQueries(queries: CaasQuery[], scopedVars: ScopedVars): CaasQuery[] {
    return queries.map((q) => interpolateQuery(migrateQuery(q), this.replace, scopedVars));
  }

  /**
   * One request per visible target, all in parallel. Every path ends in an answer: a target's failure becomes an
   * error with its refId while the other targets still show, anything unexpected is caught by the outer catchError,
   * and no request waits longer than QUERY_TIMEOUT_MS (clickhouse-datasource: a panel never spins forever).
   */
  query(request: DataQueryRequest<CaasQuery>): Observable<DataQueryResponse> {
    return defer(() => {
      const targets = request.targets.filter((t) => !t.hide).map((t) => migrateQuery(t));
      if (targets.length === 0) {
        return of<DataQueryResponse>({ data: [], state: LoadingState.Done });
      }
      if (!this.backendUrl) {
        throw new QueryValidationError(labels.errors.noUrl);
      }
      const extraFilters = adHocToFilters(request.filters);
      const from = request.range.from.valueOf();
      const to = request.range.to.valueOf();
      return forkJoin(
        targets.map((target) =>
          this.runTarget(target, request, { from, to, intervalMs: request.intervalMs, extraFilters })
        )
      ).pipe(map(mergeResponses));
    }).pipe(
      catchError((error: unknown) => {
        const { message, status } = describeError(error);
        return of(errorResponse([{ message, status }]));
      })
    );
  }

  private runTarget(
    target: CaasQuery,
    request: DataQueryRequest<CaasQuery>,
    ctx: Omit<RequestContext, 'tenant'>
  ): Observable<DataQueryResponse> {
    return defer(() => {
      const query = interpolateQuery(target, this.replace, request.scopedVars);
      const tenant = this.resolveTenant(query.tenant, request.scopedVars);
      const problem = validateQuery(query);
      if (problem) {
        throw new QueryValidationError(problem);
      }
      const requestId = `${request.requestId}-${target.refId}`;
      if (query.kind === 'annotations') {
        const body = toAnnotationsBody(query, { ...ctx, tenant });
        return this.fetch<AnnotationsResponse>('POST', '/v1/analytics/annotations', { data: body, requestId }).pipe(
          map((data) => {
            if (!isRecord(data) || !Array.isArray(data.annotations)) {
              throw new UnexpectedAnswerError('POST /v1/analytics/annotations without annotations');
            }
            return { data: [annotationsToDataFrame(data, target.refId)] };
          })
        );
      }
      const body = toAnalyticsBody(query, { ...ctx, tenant, extraFilters: ctx.extraFilters });
      return this.fetch<QueryResponse>('POST', '/v1/analytics/query', { data: body, requestId }).pipe(
        map((data) => {
          if (!isRecord(data) || !Array.isArray(data.frames) || !isRecord(data.meta)) {
            throw new UnexpectedAnswerError('POST /v1/analytics/query without meta and frames');
          }
          return { data: toDataFrames(data, target.refId, shownPart(query)) };
        })
      );
    }).pipe(
      catchError((error: unknown) => {
        const { message, status, cancelled } = describeError(error);
        if (cancelled) {
          return of<DataQueryResponse>({ data: [] });
        }
        return of(errorResponse([{ message, status, refId: target.refId }]));
      })
    );
  }

  /** The query's tenant (variables replaced), else the default; a malformed id is the user's to fix, not a 400. */
  resolveTenant(tenant: string | undefined, scopedVars?: ScopedVars): string | undefined {
    const replaced = tenant ? this.replace(tenant, scopedVars).trim() : '';
    const resolved = replaced || this.replace(this.defaultTenant ?? '', scopedVars).trim() || undefined;
    if (resolved && !TENANT_PATTERN.test(resolved)) {
      throw new QueryValidationError(labels.invalid.tenant(resolved));
    }
    return resolved;
  }

  /** GET /v1/analytics/variables/:name: the options of editors, template variables and ad-hoc filters. */
  async getVariableValues(name: VariableName, lookup: VariableLookup = {}): Promise<VariableOption[]> {
    if (!this.backendUrl) {
      throw new QueryValidationError(labels.errors.noUrl);
    }
    const params: Record<string, string | number> = {};
    const tenant = this.resolveTenant(lookup.tenant, lookup.scopedVars);
    if (tenant) {
      params.tenant_id = tenant;
    }
    if (lookup.key) {
      params.key = this.replace(lookup.key, lookup.scopedVars);
    }
    if (lookup.event_type) {
      params.event_type = this.replace(lookup.event_type, lookup.scopedVars);
    }
    if (lookup.range) {
      params.from = lookup.range.from.valueOf();
      params.to = lookup.range.to.valueOf();
    }
    const data = await lastValueFrom(
      this.fetch<VariableResponse>('GET', `/v1/analytics/variables/${name}`, { params })
    );
    if (!isRecord(data) || !Array.isArray(data.values)) {
      throw new UnexpectedAnswerError(`GET /v1/analytics/variables/${name} without values`);
    }
    return data.values
      .filter((v) => isRecord(v) && typeof v.value === 'string')
      .map((v) => ({
        text: typeof v.text === 'string' && v.text !== '' ? v.text : v.value,
        value: v.value,
      }));
  }

  /** Template variables (VariableQueryEditor saves a CaasVariableQuery; the string form works too). */
  async metricFindQuery(
    query: CaasVariableQuery | string,
    options?: LegacyMetricFindQueryOptions
  ): Promise<MetricFindValue[]> {
    const q = parseVariableQuery(query);
    try {
      const values = await this.getVariableValues(q.name, {
        key: q.key,
        event_type: q.event_type,
        tenant: q.tenant,
        range: options?.range,
        scopedVars: options?.scopedVars,
      });
      return values.map((v) => ({ text: v.text, value: v.value }));
    } catch (error) {
      // Grafana shows a thrown Error's message under the variable: make it the actionable one.
      throw new Error(describeError(error).message);
    }
  }

  /** Ad-hoc filter keys: the event columns, then every property key seen in the range as `properties.<key>`. */
  async getTagKeys(options?: DataSourceGetTagKeysOptions<CaasQuery>): Promise<MetricFindValue[]> {
    const columns: MetricFindValue[] = DIMENSIONS.map((d) => ({ text: d, value: d }));
    // Columns are always filterable; if property keys cannot be listed the user can still filter on columns.
    const properties = await this.getVariableValues('property_keys', { range: options?.timeRange }).catch(() => []);
    const keys = properties.map((p) => {
      const key = p.value.startsWith(PROPERTY_PREFIX) ? p.value : `${PROPERTY_PREFIX}${p.value}`;
      return { text: key, value: key };
    });
    return [...columns, ...keys];
  }

  /** Values of one ad-hoc key: a column's distinct values, or a property's. */
  async getTagValues(options: DataSourceGetTagValuesOptions<CaasQuery>): Promise<MetricFindValue[]> {
    const { key } = options;
    const isColumn = (DIMENSIONS as readonly string[]).includes(key);
    const values = await this.getVariableValues(isColumn ? 'dimension_values' : 'property_values', {
      key: isColumn ? key : key.replace(/^properties\./, ''),
      range: options.timeRange,
    });
    return values.map((v) => ({ text: v.text, value: v.value }));
  }

  /**
   * Save & test: first GET /health/ready (are the engines up?), then an authenticated call (is the key accepted, may
   * it read the default tenant?). Each failure says what to change.
   */
  async testDatasource(): Promise<TestDataSourceResponse> {
    if (!this.backendUrl) {
      return { status: 'error', message: labels.errors.noUrl };
    }
    let ready: ReadyResponse;
    try {
      ready = await lastValueFrom(this.fetch<ReadyResponse>('GET', '/health/ready', {}));
    } catch (error) {
      // 503 is an answer: the backend is up and says which engine is not.
      if (isRecord(error) && error.status === 503 && isReadyResponse(error.data)) {
        ready = error.data;
      } else {
        return { status: 'error', message: describeError(error).message };
      }
    }
    if (!isReadyResponse(ready)) {
      return { status: 'error', message: labels.errors.unexpected('GET /health/ready without status and checks') };
    }
    const checks = sortedChecks(ready.checks);
    const down = checks.filter(([, c]) => !c.ok);
    if (down.length > 0) {
      const problems = down.map(([name, c]) => labels.test.engineDown(engineName(name), c.error ?? 'no answer'));
      return { status: 'error', message: labels.test.notReady(problems.join('; ')) };
    }

    try {
      await this.getVariableValues('tenants');
    } catch (error) {
      if (isRecord(error) && error.status === 404) {
        const body = isRecord(error.data) && isRecord(error.data.error) ? error.data.error : undefined;
        const message = typeof body?.message === 'string' ? body.message : '';
        if (!body || message.startsWith('no route')) {
          return { status: 'error', message: labels.test.noAnalytics };
        }
        if (this.defaultTenant) {
          return { status: 'error', message: labels.test.tenantUnknown(this.defaultTenant, message) };
        }
      }
      return { status: 'error', message: describeError(error).message };
    }

    const engines = checks.map(([name, c]) => labels.test.engine(engineName(name), c.mode, Math.round(c.latency_ms)));
    return { status: 'success', message: labels.test.ok(engines.join(', ')) };
  }

  /** The dashboard's template variables as `$name`, offered by every picker next to the backend's values. */
  getTemplateVariableNames(): string[] {
    try {
      return this.templateSrv.getVariables().map((v) => `$${v.name}`);
    } catch {
      return [];
    }
  }

  private readonly replace = (target?: string, scopedVars?: ScopedVars, format?: string | Function): string =>
    this.templateSrv.replace(target, scopedVars, format);

  /** getBackendSrv().fetch through the data proxy route, without Grafana's toasts, bounded in time. */
  private fetch<T>(
    method: 'GET' | 'POST',
    path: string,
    options: { data?: unknown; params?: BackendSrvRequest['params']; requestId?: string }
  ): Observable<T> {
    return getBackendSrv()
      .fetch<T>({
        url: `${this.baseUrl}${path}`,
        method,
        data: options.data,
        params: options.params,
        requestId: options.requestId,
        // Panels and the config page show our actionable message; Grafana's generic toast would only repeat it.
        showErrorAlert: false,
        showSuccessAlert: false,
      })
      .pipe(
        timeout({ first: QUERY_TIMEOUT_MS, with: () => throwError(() => new QueryTimeoutError(QUERY_TIMEOUT_MS)) }),
        map((response) => response.data)
      );
  }
}

/** Frames of all targets in one answer; each failed target keeps its own error (refId), the first is `error`. */
function mergeResponses(responses: DataQueryResponse[]): DataQueryResponse {
  const data: DataFrame[] = responses.flatMap((r) => r.data as DataFrame[]);
  const errors: DataQueryError[] = responses.flatMap((r) => r.errors ?? []);
  return errors.length === 0 ? { data, state: LoadingState.Done } : errorResponse(errors, data);
}

/**
 * A response that shows errors in the panel. `errors` is what Grafana 10+ shows (one per refId); `error` (deprecated)
 * is set too because panels and tools written for older Grafana read only that.
 */
export function errorResponse(errors: DataQueryError[], data: DataFrame[] = []): DataQueryResponse {
  // eslint-disable-next-line @typescript-eslint/no-deprecated
  return { data, errors, error: errors[0], state: LoadingState.Error };
}

function isReadyResponse(data: unknown): data is ReadyResponse {
  return isRecord(data) && typeof data.status === 'string' && isRecord(data.checks);
}

/** Known engines first (analytics, metadata, search), then any other by name. */
function sortedChecks(checks: Record<string, EngineCheck>): Array<[string, EngineCheck]> {
  const order = ['clickhouse', 'postgres', 'meilisearch'];
  const rank = (name: string) => (order.includes(name) ? order.indexOf(name) : order.length);
  return Object.entries(checks).sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b));
}

function engineName(name: string): string {
  return labels.engines[name] ?? name;
}
