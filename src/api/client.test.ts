import { NEVER } from 'rxjs';
import { getBackendSrv } from '@grafana/runtime';
import { request } from './client';
import { ApiError, NetworkError, RequestAbortedError, TimeoutError } from './errors';
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

describe('api/client request()', () => {
  test('calls the backend through the app proxy route without Grafana toasts', async () => {
    fetchMock.mockReturnValue(ok({ hello: 'world' }));
    const response = await request<{ hello: string }>('/health', { params: { verbose: true } });

    expect(response).toEqual({ status: 200, data: { hello: 'world' } });
    expect(fetchMock).toHaveBeenCalledTimes(1);
    expect(fetchMock.mock.calls[0][0]).toMatchObject({
      url: '/api/plugin-proxy/caas-observatory-app/api/health',
      method: 'GET',
      params: { verbose: true },
      showErrorAlert: false,
    });
  });

  test("keeps the backend's status and { error: { code, message } } body in ApiError", async () => {
    const body = { error: { code: 'invalid_query', message: 'from must be before to' } };
    fetchMock.mockReturnValue(httpError(400, body));

    const error = await request('/v1/analytics/query').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ name: 'ApiError', status: 400, code: 'invalid_query', body, cause: body });
    expect((error as ApiError).message).toBe('from must be before to');
    expect((error as ApiError).fromBackend).toBe(true);
  });

  test('an answer from Grafana itself is an ApiError without a backend body', async () => {
    fetchMock.mockReturnValue(httpError(404, { message: 'plugin route match not found' }));
    const error = await request('/nope').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).fromBackend).toBe(false);
    expect((error as ApiError).message).toBe('plugin route match not found');
  });

  test.each([502, 504])("Grafana's proxy answering %i without a body is a NetworkError", async (status) => {
    fetchMock.mockReturnValue(httpError(status, ''));
    const error = await request('/health').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect(error).toMatchObject({ name: 'NetworkError', status });
  });

  test('a failed fetch (no HTTP answer) is a NetworkError', async () => {
    fetchMock.mockImplementation(() => {
      throw new TypeError('Failed to fetch');
    });
    await expect(request('/health')).rejects.toBeInstanceOf(NetworkError);
  });

  test('accepted statuses return their body, but an { error } body still throws', async () => {
    fetchMock.mockReturnValueOnce(httpError(503, { status: 'not_ready', checks: {} }));
    await expect(request('/health/ready', { acceptStatus: [503] })).resolves.toEqual({
      status: 503,
      data: { status: 'not_ready', checks: {} },
    });

    fetchMock.mockReturnValueOnce(httpError(503, { error: { code: 'overloaded', message: 'retry later' } }));
    await expect(request('/health/ready', { acceptStatus: [503] })).rejects.toBeInstanceOf(ApiError);
  });

  test('a request that never answers rejects with TimeoutError and is cancelled', async () => {
    fetchMock.mockReturnValue(NEVER);
    const error = await request('/health', { timeoutMs: 20 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).timeoutMs).toBe(20);
    expect((fetchMock.mock.calls[0][0] as { abortSignal: AbortSignal }).abortSignal.aborted).toBe(true);
  });

  test("the caller's abort is told apart from a timeout", async () => {
    fetchMock.mockReturnValue(NEVER);
    const controller = new AbortController();
    const pending = request('/health', { signal: controller.signal, timeoutMs: 10_000 });
    controller.abort();
    const error = await pending.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RequestAbortedError);
    expect(error).not.toBeInstanceOf(TimeoutError);
  });
});
