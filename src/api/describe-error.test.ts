import { describeError } from './describe-error';
import { ApiError, NetworkError, TimeoutError } from './errors';
import { labels } from '../labels';

describe('describeError', () => {
  test('unreachable backend names the Configuration page', () => {
    const d = describeError(new NetworkError('502'), { apiUrlSet: true });
    expect(d.title).toBe(labels.errors.unreachable.title);
    expect(d.hint).toMatch(/backend URL on the app's Configuration page/);
    expect(d.fixOnConfigPage).toBe(true);
  });

  test('a missing backend URL is said plainly', () => {
    expect(describeError(new NetworkError('502'), { apiUrlSet: false }).title).toBe(labels.errors.notConfigured.title);
    expect(describeError(new ApiError(500, { message: 'Could not parse url' }), { apiUrlSet: false }).title).toBe(
      labels.errors.notConfigured.title
    );
  });

  test('a rejected key points at the API key', () => {
    const error = new ApiError(401, { error: { code: 'unauthorized', message: 'invalid API key' } });
    expect(describeError(error).title).toBe(labels.errors.unauthorized.title);
    expect(describeError(error, { onConfigPage: true }).hint).toBe(labels.errors.unauthorized.hintOnConfig);
  });

  test("Grafana's own 403 is a role problem, not a key problem", () => {
    const d = describeError(new ApiError(403, { message: 'plugin proxy route access denied' }));
    expect(d.title).toBe(labels.errors.forbiddenRoute.title);
  });

  test('other backend errors show status and message', () => {
    const d = describeError(new ApiError(500, { error: { code: 'internal', message: 'store unavailable' } }));
    expect(d.title).toBe('The backend answered 500: store unavailable');
  });

  test('timeouts say how long we waited', () => {
    expect(describeError(new TimeoutError(15_000)).title).toBe('The backend did not answer within 15 s.');
  });
});
