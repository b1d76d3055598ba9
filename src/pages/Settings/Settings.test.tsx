import React from 'react';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { PluginType } from '@grafana/data';
import { getBackendSrv } from '@grafana/runtime';
import Settings, { isValidApiUrl, type SettingsProps } from './Settings';
import { testIds } from '../../components/testIds';
import { labels } from '../../labels';
import { reloadPage } from '../../utils/browser';
import { httpError, notReadyResponse, ok, readyResponse } from '../../test/fixtures';

jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getBackendSrv: jest.fn(),
}));
jest.mock('../../utils/browser', () => ({ reloadPage: jest.fn() }));

const WAIT = { timeout: 10_000 };
const SETTINGS_URL = '/api/plugins/caas-observatory-app/settings';
const READY_URL = '/api/plugin-proxy/caas-observatory-app/api/health/ready';

const fetchMock = jest.fn();

function renderSettings(meta: { jsonData?: Record<string, unknown>; secureJsonFields?: Record<string, boolean> } = {}) {
  const props = {
    plugin: {
      meta: {
        id: 'caas-observatory-app',
        name: 'CAAS Observatory',
        type: PluginType.app,
        enabled: true,
        pinned: true,
        jsonData: meta.jsonData ?? {},
        secureJsonFields: meta.secureJsonFields ?? {},
      },
    },
    query: {},
  } as unknown as SettingsProps;
  return render(<Settings {...props} />);
}

function apiUrlInput() {
  return screen.getByTestId(testIds.appConfig.apiUrl) as HTMLInputElement;
}
function apiKeyInput() {
  return screen.getByTestId(testIds.appConfig.apiKey) as HTMLInputElement;
}
function savedPayload() {
  const call = fetchMock.mock.calls.find(([options]) => options.url === SETTINGS_URL);
  return call?.[0];
}

beforeEach(() => {
  fetchMock.mockReset();
  jest.mocked(reloadPage).mockReset();
  jest.mocked(getBackendSrv).mockReturnValue({ fetch: fetchMock } as unknown as ReturnType<typeof getBackendSrv>);
});

describe('pages/Settings (app Configuration page)', () => {
  test('proposes the default backend URL when none is saved', () => {
    renderSettings();
    expect(apiUrlInput().value).toBe('http://localhost:8080');
    expect(apiKeyInput().value).toBe('');
    expect(apiKeyInput()).not.toBeDisabled();
  });

  test('saves the backend URL in jsonData, keeps other settings and the stored key, then reloads', async () => {
    fetchMock.mockReturnValue(ok({}));
    renderSettings({ jsonData: { apiUrl: 'http://old:8080', other: 'kept' }, secureJsonFields: { apiKey: true } });

    fireEvent.change(apiUrlInput(), { target: { value: ' https://caas-backend.internal:8443 ' } });
    fireEvent.click(screen.getByTestId(testIds.appConfig.submit));

    await waitFor(() => expect(reloadPage).toHaveBeenCalledTimes(1), WAIT);
    const request = savedPayload();
    expect(request).toMatchObject({ url: SETTINGS_URL, method: 'POST' });
    expect(request.data).toEqual({
      enabled: true,
      pinned: true,
      jsonData: { apiUrl: 'https://caas-backend.internal:8443', other: 'kept' },
    });
    // The key was configured and untouched: secureJsonData must be left out, or Grafana would overwrite it.
    expect(request.data).not.toHaveProperty('secureJsonData');
  });

  test('a new API key goes to secureJsonData only, never to jsonData', async () => {
    fetchMock.mockReturnValue(ok({}));
    renderSettings({ jsonData: { apiUrl: 'http://backend:8080' } });

    fireEvent.change(apiKeyInput(), { target: { value: 'caas_k_123' } });
    fireEvent.click(screen.getByTestId(testIds.appConfig.submit));

    await waitFor(() => expect(reloadPage).toHaveBeenCalled(), WAIT);
    const { data } = savedPayload();
    expect(data.secureJsonData).toEqual({ apiKey: 'caas_k_123' });
    expect(JSON.stringify(data.jsonData)).not.toContain('caas_k_123');
  });

  test('a configured key is shown as configured; Reset lets the user replace it', async () => {
    fetchMock.mockReturnValue(ok({}));
    renderSettings({ jsonData: { apiUrl: 'http://backend:8080' }, secureJsonFields: { apiKey: true } });

    expect(apiKeyInput()).toBeDisabled();
    expect(apiKeyInput().value).toBe('configured');
    // Nothing changed yet: nothing to save.
    expect(screen.getByTestId(testIds.appConfig.submit)).toBeDisabled();

    fireEvent.click(screen.getByRole('button', { name: 'Reset' }));
    expect(apiKeyInput()).not.toBeDisabled();
    expect(apiKeyInput().value).toBe('');

    fireEvent.change(apiKeyInput(), { target: { value: 'caas_k_new' } });
    fireEvent.click(screen.getByTestId(testIds.appConfig.submit));
    await waitFor(() => expect(reloadPage).toHaveBeenCalled(), WAIT);
    expect(savedPayload().data.secureJsonData).toEqual({ apiKey: 'caas_k_new' });
  });

  test('Reset and save with an empty key clears the stored key', async () => {
    fetchMock.mockReturnValue(ok({}));
    renderSettings({ jsonData: { apiUrl: 'http://backend:8080' }, secureJsonFields: { apiKey: true } });

    fireEvent.click(screen.getByRole('button', { name: 'Reset' }));
    fireEvent.click(screen.getByTestId(testIds.appConfig.submit));
    await waitFor(() => expect(reloadPage).toHaveBeenCalled(), WAIT);
    expect(savedPayload().data.secureJsonData).toEqual({ apiKey: '' });
  });

  test('an invalid URL is explained and cannot be saved', () => {
    renderSettings({ jsonData: { apiUrl: 'http://backend:8080' } });
    fireEvent.change(apiUrlInput(), { target: { value: 'backend:8080' } });

    expect(screen.getByText(labels.config.apiUrl.invalid)).toBeInTheDocument();
    expect(screen.getByTestId(testIds.appConfig.submit)).toBeDisabled();
    fireEvent.submit(screen.getByTestId(testIds.appConfig.container));
    expect(fetchMock).not.toHaveBeenCalled();
  });

  test('a failed save is shown and does not reload', async () => {
    fetchMock.mockReturnValue(httpError(403, { message: 'Permission denied' }));
    renderSettings({ jsonData: { apiUrl: 'http://backend:8080' } });

    fireEvent.change(apiUrlInput(), { target: { value: 'http://other:8080' } });
    fireEvent.click(screen.getByTestId(testIds.appConfig.submit));

    const alert = await screen.findByTestId(testIds.appConfig.saveError, {}, WAIT);
    expect(alert).toHaveTextContent('Could not save the settings: Permission denied');
    expect(reloadPage).not.toHaveBeenCalled();
  });

  test('Test connection reports every engine when the backend is ready', async () => {
    fetchMock.mockReturnValue(ok(readyResponse));
    renderSettings({ jsonData: { apiUrl: 'http://backend:8080' }, secureJsonFields: { apiKey: true } });

    fireEvent.click(screen.getByTestId(testIds.appConfig.testConnection));
    const result = await screen.findByTestId(testIds.appConfig.testResult, {}, WAIT);

    expect(fetchMock.mock.calls[0][0].url).toBe(READY_URL);
    expect(result).toHaveTextContent(labels.config.testOk);
    expect(result).toHaveTextContent('Analytics store (ClickHouse): embedded (in-process), 2 ms');
  });

  test('Test connection names the engine that does not answer', async () => {
    fetchMock.mockReturnValue(httpError(503, notReadyResponse));
    renderSettings({ jsonData: { apiUrl: 'http://backend:8080' } });

    fireEvent.click(screen.getByTestId(testIds.appConfig.testConnection));
    const result = await screen.findByTestId(testIds.appConfig.testResult, {}, WAIT);

    expect(result).toHaveTextContent(labels.config.testNotReady);
    expect(result).toHaveTextContent(
      'Metadata and search (PostgreSQL): password authentication failed for user "caas"'
    );
    expect(result).not.toHaveTextContent('Analytics store (ClickHouse)');
  });

  test.each([
    [
      'an unreachable backend',
      httpError(502, ''),
      labels.errors.unreachable.title,
      labels.errors.unreachable.hintOnConfig,
    ],
    [
      'a rejected key',
      httpError(401, { error: { code: 'unauthorized', message: 'invalid API key' } }),
      labels.errors.unauthorized.title,
      labels.errors.unauthorized.hintOnConfig,
    ],
  ])('Test connection explains %s', async (_name, answer, title, hint) => {
    fetchMock.mockReturnValue(answer);
    renderSettings({ jsonData: { apiUrl: 'http://backend:8080' } });

    fireEvent.click(screen.getByTestId(testIds.appConfig.testConnection));
    const result = await screen.findByTestId(testIds.appConfig.testResult, {}, WAIT);
    expect(within(result).getByText(title)).toBeInTheDocument();
    expect(result).toHaveTextContent(hint);
  });

  test('Test connection warns that it uses the saved settings while there are unsaved changes', () => {
    renderSettings({ jsonData: { apiUrl: 'http://backend:8080' } });
    expect(screen.queryByText(labels.config.unsavedChanges)).not.toBeInTheDocument();
    fireEvent.change(apiUrlInput(), { target: { value: 'http://other:8080' } });
    expect(screen.getByText(labels.config.unsavedChanges)).toBeInTheDocument();
  });
});

describe('isValidApiUrl', () => {
  test.each([
    ['http://localhost:8080', true],
    ['https://caas.example.com/backend', true],
    ['localhost:8080', false],
    ['ftp://host', false],
    ['', false],
  ])('%s -> %s', (value, valid) => {
    expect(isValidApiUrl(value)).toBe(valid);
  });
});
