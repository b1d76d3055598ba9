import { LoadingState, type DataQueryRequest, type DataQueryResponse } from '@grafana/data';
import { getBackendSrv } from '@grafana/runtime';
import { lastValueFrom, NEVER, throwError } from 'rxjs';
import { QUERY_TIMEOUT_MS } from './constants';
import type { CaasDataSource } from './datasource';
import {
  dataRequest,
  FROM,
  funnelResponse,
  httpError,
  makeDataSource,
  ok,
  ROUTE_URL,
  searchAnalyticsResponse,
  timeRange,
  timeseriesResponse,
  TO,
} from './test/fixtures';
import type { CaasQuery, CaasVariableQuery } from './types';
import type { CaasVariableSupport } from './variableSupport';

jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getBackendSrv: jest.fn(),
  getTemplateSrv: jest.fn(),
}));

const fetchMock = jest.fn();

beforeEach(() => {
  fetchMock.mockReset();
  jest.mocked(getBackendSrv).mockReturnValue({ fetch: fetchMock } as unknown as ReturnType<typeof getBackendSrv>);
});

function calls(): Array<{
  url: string;
  method: string;
  data?: Record<string, unknown>;
  params?: Record<string, unknown>;
}> {
  return fetchMock.mock.calls.map(([options]) => options);
}

const timeseries: CaasQuery = {
  refId: 'A',
  version: 1,
  kind: 'timeseries',
  metric: { type: 'events' },
  tenant: '$tenant',
  event_types: ['$types'],
  filters: [{ field: 'platform', op: '=', value: '$platform' }],
};

async function run(ds: CaasDataSource, targets: CaasQuery[], extra = {}): Promise<DataQueryResponse> {
  return lastValueFrom(ds.query(dataRequest(targets, extra)));
}

describe('CaasDataSource.query', () => {
  test('posts one body per target through the proxy route with the range, tenant and replaced variables', async () => {
    fetchMock.mockReturnValue(ok(timeseriesResponse));
    const ds = makeDataSource();
    const response = await run(ds, [timeseries, { ...timeseries, refId: 'B', hide: true }], {
      filters: [{ key: 'country', operator: '!=', value: 'DE' }],
    });

    expect(fetchMock).toHaveBeenCalledTimes(1); // the hidden target is not asked
    const [call] = calls();
    expect(call).toMatchObject({
      url: `${ROUTE_URL}/v1/analytics/query`,
      method: 'POST',
      showErrorAlert: false,
      requestId: 'Q1-A',
    });
    expect(call!.data).toEqual({
      kind: 'timeseries',
      from: FROM,
      to: TO,
      tenant_id: 'acme',
      metric: { type: 'events' },
      event_types: ['message_sent', 'message_read'],
      filters: [
        { field: 'platform', op: '=', value: 'ios' },
        { field: 'country', op: '!=', value: 'DE' },
      ],
      interval_ms: 3_600_000,
    });
    expect(response.state).toBe(LoadingState.Done);
    expect(response.errors).toBeUndefined();
    expect(response.data).toHaveLength(1);
    expect(response.data[0].refId).toBe('A');
    expect(response.data[0].fields[1].labels).toEqual({ type: 'text' });
  });

  test('the default tenant applies when the query names none; old (v0) targets are migrated first', async () => {
    fetchMock.mockReturnValue(ok(timeseriesResponse));
    const ds = makeDataSource({ url: 'http://backend:8080', defaultTenant: 'globex' });
    await run(ds, [{ refId: 'A' } as CaasQuery]);
    expect(calls()[0]!.data).toMatchObject({ kind: 'timeseries', tenant_id: 'globex', metric: { type: 'events' } });
  });

  test("an HTTP 400 becomes the panel's error with the backend's message, for that refId only", async () => {
    fetchMock.mockImplementation(({ data }) =>
      data.kind === 'funnel'
        ? httpError(400, { error: { code: 'invalid_query', message: 'window_seconds must be at most 7776000' } })
        : ok(timeseriesResponse)
    );
    const funnel: CaasQuery = {
      refId: 'F',
      version: 1,
      kind: 'funnel',
      window_seconds: 60,
      steps: [{ event_type: 'a' }, { event_type: 'b' }],
    };
    const response = await run(makeDataSource(), [timeseries, funnel]);

    expect(response.state).toBe(LoadingState.Error);
    expect(response.errors).toEqual([
      { message: 'CAAS backend (HTTP 400): window_seconds must be at most 7776000', status: 400, refId: 'F' },
    ]);
    // The other target still shows.
    expect(response.data.map((f) => f.refId)).toEqual(['A']);
  });

  test('a 401 names the API key setting; a 502 from the proxy names the backend URL', async () => {
    fetchMock.mockReturnValueOnce(httpError(401, { error: { code: 'unauthorized', message: 'unknown API key' } }));
    let response = await run(makeDataSource(), [timeseries]);
    expect(response.errors?.[0]?.message).toMatch(
      /API key is rejected.*unknown API key.*set a valid key under API key/
    );

    fetchMock.mockReturnValueOnce(httpError(502, ''));
    response = await run(makeDataSource(), [timeseries]);
    expect(response.errors?.[0]?.message).toMatch(/cannot reach the CAAS backend \(HTTP 502\).*backend URL/);
  });

  test('a network failure becomes a panel error too', async () => {
    fetchMock.mockReturnValue(throwError(() => new TypeError('Failed to fetch')));
    const response = await run(makeDataSource(), [timeseries]);
    expect(response.state).toBe(LoadingState.Error);
    expect(response.errors?.[0]?.message).toMatch(/No answer from Grafana/);
  });

  test('never hangs: a backend that does not answer ends in a timeout error', async () => {
    jest.useFakeTimers();
    try {
      fetchMock.mockReturnValue(NEVER);
      const result = lastValueFrom(makeDataSource().query(dataRequest([timeseries])));
      jest.advanceTimersByTime(QUERY_TIMEOUT_MS + 1);
      const response = await result;
      expect(response.errors?.[0]?.message).toMatch(/did not answer within 60 s/);
    } finally {
      jest.useRealTimers();
    }
  });

  test('an answer that breaks the contract is an error, not a crash', async () => {
    fetchMock.mockReturnValue(ok({ rows: [] }));
    const response = await run(makeDataSource(), [timeseries]);
    expect(response.errors?.[0]?.message).toMatch(/Unexpected answer from the CAAS backend/);
  });

  test('without a backend URL nothing is sent and the panel says which setting to fill in', async () => {
    const response = await run(makeDataSource({}), [timeseries]);
    expect(fetchMock).not.toHaveBeenCalled();
    expect(response.errors?.[0]?.message).toMatch(/Set the backend URL in the data source settings/);
  });

  test('an incomplete query and a bad tenant are explained without a request', async () => {
    const funnel: CaasQuery = {
      refId: 'F',
      version: 1,
      kind: 'funnel',
      window_seconds: 60,
      steps: [{ event_type: 'a' }, { event_type: '' }],
    };
    const badTenant: CaasQuery = { ...timeseries, refId: 'T', tenant: 'Not A Tenant' };
    const response = await run(makeDataSource(), [funnel, badTenant]);
    expect(fetchMock).not.toHaveBeenCalled();
    expect(response.errors?.map((e) => [e.refId, e.message])).toEqual([
      ['F', 'A funnel needs at least two steps, each with an event type'],
      ['T', expect.stringMatching(/"Not A Tenant" is not a tenant id/)],
    ]);
  });

  test('an unsupported ad-hoc operator is an error of the whole request, not an exception', async () => {
    const response = await run(makeDataSource(), [timeseries], {
      filters: [{ key: 'platform', operator: '=~', value: 'i.*' }],
    });
    expect(fetchMock).not.toHaveBeenCalled();
    expect(response.errors?.[0]?.message).toMatch(/operator "=~" is not supported/);
  });

  test('a cancelled request (replaced by a newer one) is not shown as an error', async () => {
    fetchMock.mockReturnValue(throwError(() => ({ status: -1, cancelled: true, data: null })));
    const response = await run(makeDataSource(), [timeseries]);
    expect(response.errors).toBeUndefined();
    expect(response.data).toEqual([]);
  });

  test('tables come back as frames with the refId (funnel)', async () => {
    fetchMock.mockReturnValue(ok(funnelResponse));
    const funnel: CaasQuery = {
      refId: 'F',
      version: 1,
      kind: 'funnel',
      window_seconds: 60,
      steps: [{ event_type: 'a' }, { event_type: 'b' }],
    };
    const response = await run(makeDataSource(), [funnel]);
    expect(response.data[0].refId).toBe('F');
    expect(response.data[0].fields.map((f: { name: string }) => f.name)).toEqual(['step', 'users', 'conversion']);
  });

  test('search analytics: each target posts the kind without its part and draws only that part', async () => {
    fetchMock.mockReturnValue(ok(searchAnalyticsResponse));
    const search = (refId: string, show: 'popular' | 'zero_results' | 'latency' | 'volume'): CaasQuery => ({
      refId,
      version: 1,
      kind: 'search_analytics',
      show,
      limit: 10,
      tenant: '$tenant',
      filters: [{ field: 'user_id', op: '=', value: '$platform' }],
    });
    const response = await run(makeDataSource(), [
      search('P', 'popular'),
      search('L', 'latency'),
      search('V', 'volume'),
    ]);

    expect(calls()).toHaveLength(3);
    for (const call of calls()) {
      expect(call).toMatchObject({ url: `${ROUTE_URL}/v1/analytics/query`, method: 'POST' });
      // No interval_ms (not in this kind's contract) and no `show` (editor-only).
      expect(call.data).toEqual({
        kind: 'search_analytics',
        from: FROM,
        to: TO,
        tenant_id: 'acme',
        limit: 10,
        filters: [{ field: 'user_id', op: '=', value: 'ios' }],
      });
    }
    expect(response.state).toBe(LoadingState.Done);
    expect(response.data.map((f) => [f.refId, f.name, f.fields.map((field: { name: string }) => field.name)])).toEqual([
      ['P', 'popular queries', ['query', 'searches', 'users', 'average results', 'zero results']],
      ['L', 'search latency', ['time', 'p50', 'p95']],
      ['V', 'search volume', ['time', 'searches']],
    ]);
  });

  test('search analytics with event types is explained without a request; the other targets still run', async () => {
    fetchMock.mockReturnValue(ok(searchAnalyticsResponse));
    const withTypes: CaasQuery = {
      refId: 'S',
      version: 1,
      kind: 'search_analytics',
      show: 'zero_results',
      event_types: ['message_sent'],
    };
    const response = await run(makeDataSource(), [withTypes, { ...withTypes, refId: 'Z', event_types: [] }]);
    expect(calls()).toHaveLength(1);
    expect(response.errors?.map((e) => [e.refId, e.message])).toEqual([
      ['S', expect.stringMatching(/^Search analytics reads the search_query events: remove event_types/)],
    ]);
    expect(response.data.map((f) => [f.refId, f.name])).toEqual([['Z', 'zero-result queries']]);
  });

  test('no visible target: an empty, finished answer without a request', async () => {
    const response = await run(makeDataSource(), [{ ...timeseries, hide: true }]);
    expect(response).toEqual({ data: [], state: LoadingState.Done });
    expect(fetchMock).not.toHaveBeenCalled();
  });
});

describe('annotations', () => {
  test('an annotation query posts to /v1/analytics/annotations and yields time/title/text/tags', async () => {
    fetchMock.mockReturnValue(
      ok({ annotations: [{ time: FROM, title: 'app_release', text: '2.4.0', tags: ['release'] }] })
    );
    const ds = makeDataSource();
    const target = ds.annotations.prepareQuery!({
      name: 'Releases',
      enable: true,
      iconColor: 'red',
      target: {
        refId: 'Anno',
        version: 1,
        kind: 'annotations',
        event_types: ['app_release'],
        text_property: 'version',
        tenant: '$tenant',
      },
    });
    const response = await run(ds, [target!]);
    expect(calls()[0]).toMatchObject({
      url: `${ROUTE_URL}/v1/analytics/annotations`,
      data: { from: FROM, to: TO, tenant_id: 'acme', event_types: ['app_release'], text_property: 'version' },
    });
    expect(response.data[0].fields.map((f: { name: string }) => f.name)).toEqual(['time', 'title', 'text', 'tags']);
  });

  test('prepareAnnotation migrates old JSON; prepareQuery skips an annotation without event types', () => {
    const ds = makeDataSource();
    const prepared = ds.annotations.prepareAnnotation!({ name: 'x', enable: true, iconColor: 'red' });
    expect(prepared.target).toMatchObject({ kind: 'annotations', event_types: [], version: 1 });
    expect(ds.annotations.prepareQuery!(prepared)).toBeUndefined();
  });
});

describe('variables and ad-hoc filters', () => {
  test('metricFindQuery reads the variables endpoint with tenant, key and range', async () => {
    fetchMock.mockReturnValue(
      ok({
        values: [
          { text: 'Text', value: 'text' },
          { text: '', value: 'image' },
        ],
      })
    );
    const ds = makeDataSource({ url: 'http://backend:8080', defaultTenant: 'acme' });
    const values = await ds.metricFindQuery('property_values(message_type, $platform)', { range: timeRange() });
    expect(values).toEqual([
      { text: 'Text', value: 'text' },
      { text: 'image', value: 'image' },
    ]);
    expect(calls()[0]).toMatchObject({
      url: `${ROUTE_URL}/v1/analytics/variables/property_values`,
      method: 'GET',
      params: { tenant_id: 'acme', key: 'message_type', event_type: 'ios', from: FROM, to: TO },
    });
  });

  test('metricFindQuery failures throw the actionable message', async () => {
    fetchMock.mockReturnValue(
      httpError(403, { error: { code: 'forbidden', message: "cannot act for tenant 'globex'" } })
    );
    await expect(makeDataSource().metricFindQuery({ refId: 'V', name: 'tenants' })).rejects.toThrow(
      /may not do this \(forbidden: cannot act for tenant 'globex'\)/
    );
  });

  test('the variable support returns metricFindQuery values for Grafana', async () => {
    fetchMock.mockReturnValue(ok({ values: [{ text: 'acme', value: 'acme' }] }));
    const ds = makeDataSource();
    // A hand-written dashboard stores the short string form.
    const request = dataRequest(['tenants' as unknown as CaasQuery]) as unknown as DataQueryRequest<CaasVariableQuery>;
    const response = await lastValueFrom((ds.variables as CaasVariableSupport).query(request));
    const [frame] = response.data;
    expect(frame.fields.map((f: { name: string; values: string[] }) => [f.name, f.values])).toEqual([
      ['text', ['acme']],
      ['value', ['acme']],
    ]);
    expect(calls()[0]!.url).toBe(`${ROUTE_URL}/v1/analytics/variables/tenants`);
  });

  test('tag keys are the columns then property keys; tag values come from the matching endpoint', async () => {
    fetchMock.mockImplementation(({ url }: { url: string }) =>
      url.endsWith('/property_keys')
        ? ok({ values: [{ text: 'message_type', value: 'message_type' }] })
        : ok({ values: [{ text: 'ios', value: 'ios' }] })
    );
    const ds = makeDataSource();
    const keys = await ds.getTagKeys({ filters: [] });
    expect(keys.map((k) => k.text)).toEqual([
      'type',
      'platform',
      'device',
      'country',
      'app_version',
      'user_id',
      'properties.message_type',
    ]);

    await ds.getTagValues({ key: 'platform', filters: [] });
    await ds.getTagValues({ key: 'properties.message_type', filters: [] });
    expect(
      calls()
        .slice(1)
        .map((c) => [c.url.split('/').pop(), c.params?.key])
    ).toEqual([
      ['dimension_values', 'platform'],
      ['property_values', 'message_type'],
    ]);
  });

  test('tag keys still offer the columns when property keys cannot be listed', async () => {
    fetchMock.mockReturnValue(httpError(500, { error: { code: 'internal', message: 'boom' } }));
    const keys = await makeDataSource().getTagKeys({ filters: [] });
    expect(keys).toHaveLength(6);
  });
});

describe('testDatasource', () => {
  const ready = {
    status: 'ready',
    checks: {
      postgres: { ok: true, mode: 'embedded', latency_ms: 1.2 },
      clickhouse: { ok: true, mode: 'embedded', latency_ms: 3.4 },
    },
  };

  test('success: checks readiness, then the key with an authenticated call, and names the engines', async () => {
    fetchMock.mockImplementation(({ url }: { url: string }) =>
      url.endsWith('/health/ready') ? ok(ready) : ok({ values: [{ text: 'acme', value: 'acme' }] })
    );
    const result = await makeDataSource().testDatasource();
    expect(result.status).toBe('success');
    expect(result.message).toBe(
      'Connected to the CAAS backend; the API key is accepted. ClickHouse embedded (3 ms), PostgreSQL embedded (1 ms)'
    );
    expect(calls().map((c) => c.url)).toEqual([
      `${ROUTE_URL}/health/ready`,
      `${ROUTE_URL}/v1/analytics/variables/tenants`,
    ]);
  });

  test('no URL: says to set it, without a request', async () => {
    const result = await makeDataSource({}).testDatasource();
    expect(result).toEqual({ status: 'error', message: expect.stringMatching(/^Set the backend URL/) });
    expect(fetchMock).not.toHaveBeenCalled();
  });

  test('503: names the engine that is down and its error', async () => {
    fetchMock.mockReturnValue(
      httpError(503, {
        status: 'not_ready',
        checks: {
          ...ready.checks,
          clickhouse: { ok: false, mode: 'server', latency_ms: 5000, error: 'connect ECONNREFUSED 10.0.0.5:8123' },
        },
      })
    );
    const result = await makeDataSource().testDatasource();
    expect(result.status).toBe('error');
    expect(result.message).toBe(
      'The CAAS backend answers but is not ready. ClickHouse is not answering: connect ECONNREFUSED 10.0.0.5:8123'
    );
  });

  test('401 on the authenticated call: the API key is rejected', async () => {
    fetchMock.mockImplementation(({ url }: { url: string }) =>
      url.endsWith('/health/ready')
        ? ok(ready)
        : httpError(401, { error: { code: 'unauthorized', message: 'unknown API key' } })
    );
    const result = await makeDataSource().testDatasource();
    expect(result.status).toBe('error');
    expect(result.message).toMatch(/^The API key is rejected by the backend \(unauthorized: unknown API key\)/);
  });

  test('unreachable backend: names the URL setting; old backend without the analytics API: says to update it', async () => {
    fetchMock.mockReturnValueOnce(httpError(502, ''));
    expect((await makeDataSource().testDatasource()).message).toMatch(/check the backend URL/);

    fetchMock.mockImplementation(({ url }: { url: string }) =>
      url.endsWith('/health/ready')
        ? ok(ready)
        : httpError(404, {
            error: { code: 'not_found', message: 'no route GET /v1/analytics/variables/tenants; see the README' },
          })
    );
    expect((await makeDataSource().testDatasource()).message).toMatch(/no analytics API.*update the CAAS backend/);
  });

  test('a default tenant the key may not read is named', async () => {
    fetchMock.mockImplementation(({ url }: { url: string }) =>
      url.endsWith('/health/ready')
        ? ok(ready)
        : httpError(403, {
            error: {
              code: 'forbidden',
              message: "this key belongs to tenant 'acme' and cannot act for tenant 'globex'",
            },
          })
    );
    const result = await makeDataSource({ url: 'http://b', defaultTenant: 'globex' }).testDatasource();
    expect(result.message).toMatch(/may not do this.*cannot act for tenant 'globex'.*change the default tenant/);
  });
});
