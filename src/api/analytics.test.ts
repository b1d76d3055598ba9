import { getBackendSrv } from '@grafana/runtime';
import { getVariableValues, queryAnalytics, type AnalyticsQuery, type QueryResponse } from './analytics';
import { ApiError, UnexpectedResponseError } from './errors';
import { httpError, ok } from '../test/fixtures';

jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getBackendSrv: jest.fn(),
}));

const fetchMock = jest.fn();

beforeEach(() => {
  fetchMock.mockReset();
  jest.mocked(getBackendSrv).mockReturnValue({ fetch: fetchMock } as unknown as ReturnType<typeof getBackendSrv>);
});

const body: AnalyticsQuery = { kind: 'geo', from: 1, to: 2, tenant_id: 'acme', metric: 'events' };
const response: QueryResponse = {
  meta: { kind: 'geo', tenant_id: 'acme', source: 'raw', from: 1, to: 2, elapsed_ms: 3 },
  frames: [{ name: 'geo', fields: [{ name: 'country', type: 'string', values: ['DE'] }] }],
};

describe('api/analytics queryAnalytics()', () => {
  test('POSTs the query to /v1/analytics/query through the app proxy and returns the frames', async () => {
    fetchMock.mockReturnValue(ok(response));
    await expect(queryAnalytics(body)).resolves.toEqual(response);
    expect(fetchMock.mock.calls[0][0]).toMatchObject({
      url: '/api/plugin-proxy/caas-observatory-app/api/v1/analytics/query',
      method: 'POST',
      data: body,
      showErrorAlert: false,
    });
  });

  test.each([
    ['no frames', { meta: response.meta }],
    ['no meta', { frames: [] }],
    ['a frame without fields', { meta: response.meta, frames: [{ name: 'x' }] }],
    ['HTML from a wrong URL', '<html>'],
  ])('a 2xx answer with %s is version skew, not an empty result', async (_what, data) => {
    fetchMock.mockReturnValue(ok(data));
    await expect(queryAnalytics(body)).rejects.toBeInstanceOf(UnexpectedResponseError);
  });

  test("a 400 keeps the backend's reason", async () => {
    fetchMock.mockReturnValue(httpError(400, { error: { code: 'invalid_query', message: 'unknown field' } }));
    const error = await queryAnalytics(body).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 400, code: 'invalid_query', message: 'unknown field' });
  });
});

describe('api/analytics getVariableValues()', () => {
  test('GETs /v1/analytics/variables/:name with only the params that are set', async () => {
    fetchMock.mockReturnValue(ok({ values: [{ text: 'Text', value: 'text' }, { value: 'voice' }, { text: 'bad' }] }));
    const values = await getVariableValues('property_values', {
      tenant_id: 'acme',
      key: 'message_type',
      event_type: '',
    });

    expect(values).toEqual([
      { text: 'Text', value: 'text' },
      { text: 'voice', value: 'voice' },
    ]);
    expect(fetchMock.mock.calls[0][0]).toMatchObject({
      url: '/api/plugin-proxy/caas-observatory-app/api/v1/analytics/variables/property_values',
      method: 'GET',
      params: { tenant_id: 'acme', key: 'message_type' },
    });
  });

  test('an answer without values is an UnexpectedResponseError', async () => {
    fetchMock.mockReturnValue(ok({ tenants: [] }));
    await expect(getVariableValues('tenants')).rejects.toBeInstanceOf(UnexpectedResponseError);
  });
});
