import React from 'react';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { PluginType } from '@grafana/data';
import { getBackendSrv, type BackendSrvRequest } from '@grafana/runtime';
import Settings, { isValidApiUrl, normalizeApiUrl, type SettingsProps } from './Settings';
import { settingsTestIds } from './testIds';
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
const PROXY = '/api/plugin-proxy/caas-observatory-app/api';
const READY_URL = `${PROXY}/health/ready`;
const READ_KEY_URL = `${PROXY}/v1/analytics/variables/tenants`;
const ADMIN_KEY_URL = `${PROXY}/v1/keys`;
const RESPONDER_KEY_URL = `${PROXY}/v1/incidents/inc_0000000000000000/acknowledge`;
const k = labels.config.keyChecks;

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

/** Answers by URL, as the backend (through Grafana's proxy) would. */
function answer(byUrl: Record<string, ReturnType<typeof ok> | ReturnType<typeof httpError>>) {
  fetchMock.mockImplementation((options: BackendSrvRequest) => {
    const reply = byUrl[options.url];
    if (!reply) {
      throw new Error(`unexpected request ${options.method ?? 'GET'} ${options.url}`);
    }
    return reply;
  });
}

function apiUrlInput() {
  return screen.getByTestId(testIds.appConfig.apiUrl) as HTMLInputElement;
}
function viewerKeyInput() {
  return screen.getByTestId(settingsTestIds.viewerKey) as HTMLInputElement;
}
function adminKeyInput() {
  return screen.getByTestId(settingsTestIds.adminKey) as HTMLInputElement;
}
/** The Reset button of a configured SecretInput (Grafana renders it next to the input). */
function resetButton(input: HTMLInputElement) {
  let el: HTMLElement | null = input;
  while (el && within(el).queryAllByRole('button', { name: 'Reset' }).length === 0) {
    el = el.parentElement;
  }
  return within(el!).getByRole('button', { name: 'Reset' });
}
function savedPayload() {
  const call = fetchMock.mock.calls.find(([options]) => options.url === SETTINGS_URL);
  return call?.[0];
}
async function save() {
  fireEvent.click(screen.getByTestId(testIds.appConfig.submit));
  await waitFor(() => expect(reloadPage).toHaveBeenCalledTimes(1), WAIT);
  return savedPayload().data;
}

beforeEach(() => {
  fetchMock.mockReset();
  jest.mocked(reloadPage).mockReset();
  jest.mocked(getBackendSrv).mockReturnValue({ fetch: fetchMock } as unknown as ReturnType<typeof getBackendSrv>);
});

describe('pages/Settings (app Configuration page)', () => {
  test('proposes the default backend URL and two empty keys, each saying which role it needs', () => {
    renderSettings();
    expect(apiUrlInput().value).toBe('http://localhost:8080');
    expect(viewerKeyInput().value).toBe('');
    expect(adminKeyInput().value).toBe('');
    expect(viewerKeyInput()).not.toBeDisabled();
    expect(screen.getByText(labels.config.viewerKey.label)).toBeInTheDocument();
    expect(screen.getByText(labels.config.adminKey.label)).toBeInTheDocument();
    // How to create the read key, and why it must not be an admin key.
    expect(screen.getByText(labels.config.viewerKey.description)).toHaveTextContent(
      'npx caas keys create --role viewer'
    );
    expect(labels.config.viewerKey.description).toMatch(/Never paste an admin key here/);
    expect(screen.queryByTestId(settingsTestIds.legacyKey)).not.toBeInTheDocument();
  });

  test('saves the URL without trailing slashes, keeps other settings and the stored keys, then reloads', async () => {
    fetchMock.mockReturnValue(ok({}));
    renderSettings({
      jsonData: { apiUrl: 'http://old:8080', other: 'kept' },
      secureJsonFields: { viewerKey: true, adminKey: true },
    });

    fireEvent.change(apiUrlInput(), { target: { value: ' https://caas-backend.internal:8443/ ' } });
    const data = await save();
    expect(savedPayload()).toMatchObject({ url: SETTINGS_URL, method: 'POST' });
    expect(data).toEqual({
      enabled: true,
      pinned: true,
      jsonData: { apiUrl: 'https://caas-backend.internal:8443', other: 'kept' },
    });
    // Both keys were configured and untouched: secureJsonData must be left out, or Grafana would overwrite them.
    expect(data).not.toHaveProperty('secureJsonData');
  });

  test('each key goes to its own secureJsonData field, never to jsonData', async () => {
    fetchMock.mockReturnValue(ok({}));
    renderSettings({ jsonData: { apiUrl: 'http://backend:8080' } });

    fireEvent.change(viewerKeyInput(), { target: { value: ' caas_read_123 ' } });
    fireEvent.change(adminKeyInput(), { target: { value: 'caas_admin_456' } });
    const data = await save();
    expect(data.secureJsonData).toEqual({ viewerKey: 'caas_read_123', adminKey: 'caas_admin_456' });
    expect(JSON.stringify(data.jsonData)).not.toMatch(/caas_read_123|caas_admin_456/);
  });

  test('configured keys are shown as configured; Reset replaces one and leaves the other stored', async () => {
    fetchMock.mockReturnValue(ok({}));
    renderSettings({
      jsonData: { apiUrl: 'http://backend:8080' },
      secureJsonFields: { viewerKey: true, adminKey: true },
    });

    expect(viewerKeyInput()).toBeDisabled();
    expect(viewerKeyInput().value).toBe('configured');
    expect(adminKeyInput()).toBeDisabled();
    // Nothing changed yet: nothing to save.
    expect(screen.getByTestId(testIds.appConfig.submit)).toBeDisabled();

    fireEvent.click(resetButton(viewerKeyInput()));
    expect(viewerKeyInput()).not.toBeDisabled();
    expect(viewerKeyInput().value).toBe('');
    expect(adminKeyInput()).toBeDisabled();

    fireEvent.change(viewerKeyInput(), { target: { value: 'caas_read_new' } });
    expect((await save()).secureJsonData).toEqual({ viewerKey: 'caas_read_new' });
  });

  test('Reset and save with an empty admin key clears the stored admin key only', async () => {
    fetchMock.mockReturnValue(ok({}));
    renderSettings({
      jsonData: { apiUrl: 'http://backend:8080' },
      secureJsonFields: { viewerKey: true, adminKey: true },
    });

    fireEvent.click(resetButton(adminKeyInput()));
    expect((await save()).secureJsonData).toEqual({ adminKey: '' });
  });

  test('the single key of an earlier version: says what to do, and saving removes it instead of using it', async () => {
    fetchMock.mockReturnValue(ok({}));
    renderSettings({ jsonData: { apiUrl: 'http://backend:8080' }, secureJsonFields: { apiKey: true } });

    const notice = screen.getByTestId(settingsTestIds.legacyKey);
    expect(notice).toHaveTextContent(labels.config.legacyKey.title);
    expect(notice).toHaveTextContent('npx caas keys create --role viewer');
    expect(notice).toHaveTextContent('paste it again as the admin key');
    // Neither new key is set: the old one does not count as either.
    expect(viewerKeyInput()).not.toBeDisabled();
    expect(adminKeyInput()).not.toBeDisabled();
    // Something to save even before a key is typed: removing the old key.
    expect(screen.getByTestId(testIds.appConfig.submit)).not.toBeDisabled();

    fireEvent.change(viewerKeyInput(), { target: { value: 'caas_read_789' } });
    expect((await save()).secureJsonData).toEqual({ viewerKey: 'caas_read_789', apiKey: '' });
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

  test('Test connection reports every engine and that both keys are accepted', async () => {
    answer({ [READY_URL]: ok(readyResponse), [READ_KEY_URL]: ok({ values: [] }), [ADMIN_KEY_URL]: ok({ keys: [] }) });
    renderSettings({
      jsonData: { apiUrl: 'http://backend:8080' },
      secureJsonFields: { viewerKey: true, adminKey: true },
    });

    fireEvent.click(screen.getByTestId(testIds.appConfig.testConnection));
    const result = await screen.findByTestId(testIds.appConfig.testResult, {}, WAIT);

    expect(fetchMock.mock.calls[0][0].url).toBe(READY_URL);
    expect(result).toHaveTextContent(labels.config.testOk);
    expect(result).toHaveTextContent('Analytics store (ClickHouse): embedded (in-process), 2 ms');
    expect(screen.getByTestId(settingsTestIds.keyCheck('viewerKey'))).toHaveTextContent(k.readOk);
    expect(screen.getByTestId(settingsTestIds.keyCheck('adminKey'))).toHaveTextContent(k.adminOk);
    expect(within(screen.getByTestId(settingsTestIds.keyChecks)).getByText(k.ok)).toBeInTheDocument();
  });

  test('Test connection: a read key that is not set, and no admin key, are said (and not asked for)', async () => {
    answer({ [READY_URL]: ok(readyResponse) });
    renderSettings({ jsonData: { apiUrl: 'http://backend:8080' }, secureJsonFields: { apiKey: true } });

    fireEvent.click(screen.getByTestId(testIds.appConfig.testConnection));
    await screen.findByTestId(settingsTestIds.keyChecks, {}, WAIT);
    expect(screen.getByTestId(settingsTestIds.keyCheck('viewerKey'))).toHaveTextContent(k.readNotSet);
    expect(screen.getByTestId(settingsTestIds.keyCheck('adminKey'))).toHaveTextContent(k.adminNotSet);
    expect(within(screen.getByTestId(settingsTestIds.keyChecks)).getByText(k.problems)).toBeInTheDocument();
    expect(fetchMock).toHaveBeenCalledTimes(1);
  });

  test('Test connection: a rejected read key and an admin key without the role say what to change', async () => {
    answer({
      [READY_URL]: ok(readyResponse),
      [READ_KEY_URL]: httpError(401, { error: { code: 'unauthorized', message: 'invalid API key' } }),
      [ADMIN_KEY_URL]: httpError(403, { error: { code: 'forbidden', message: 'listing keys needs admin' } }),
    });
    renderSettings({
      jsonData: { apiUrl: 'http://backend:8080' },
      secureJsonFields: { viewerKey: true, adminKey: true },
    });

    fireEvent.click(screen.getByTestId(testIds.appConfig.testConnection));
    await screen.findByTestId(settingsTestIds.keyChecks, {}, WAIT);
    expect(screen.getByTestId(settingsTestIds.keyCheck('viewerKey'))).toHaveTextContent(k.readRejected);
    expect(screen.getByTestId(settingsTestIds.keyCheck('adminKey'))).toHaveTextContent(k.adminForbidden);
  });

  test('the responder key: its own field and secureJsonData entry; Test connection accepts it by the 404 of an incident nobody has, and names a viewer key given in its place', async () => {
    answer({
      [READY_URL]: ok(readyResponse),
      [READ_KEY_URL]: ok({ values: [] }),
      [ADMIN_KEY_URL]: ok({ keys: [] }),
      [SETTINGS_URL]: ok({}),
    });
    renderSettings({ jsonData: { apiUrl: 'http://backend:8080' } });
    expect(screen.getByText(labels.config.responderKey.label)).toBeInTheDocument();
    fireEvent.change(screen.getByTestId(settingsTestIds.responderKey), { target: { value: 'caas_responder_789' } });
    expect((await save()).secureJsonData).toEqual({ responderKey: 'caas_responder_789' });
    cleanup();

    const notFound = httpError(404, {
      error: { code: 'not_found', message: "incident 'inc_0000000000000000' not found" },
    });
    answer({
      [READY_URL]: ok(readyResponse),
      [READ_KEY_URL]: ok({ values: [] }),
      [ADMIN_KEY_URL]: ok({ keys: [] }),
      [RESPONDER_KEY_URL]: notFound,
    });
    renderSettings({
      jsonData: { apiUrl: 'http://backend:8080' },
      secureJsonFields: { viewerKey: true, responderKey: true, adminKey: true },
    });
    fireEvent.click(screen.getByTestId(testIds.appConfig.testConnection));
    await screen.findByTestId(settingsTestIds.keyChecks, {}, WAIT);
    expect(screen.getByTestId(settingsTestIds.keyCheck('responderKey'))).toHaveTextContent(k.responderOk);
    const posted = fetchMock.mock.calls.map(([o]) => o as BackendSrvRequest).find((o) => o.url === RESPONDER_KEY_URL);
    expect(posted?.method).toBe('POST');
    cleanup();

    answer({
      [READY_URL]: ok(readyResponse),
      [READ_KEY_URL]: ok({ values: [] }),
      [ADMIN_KEY_URL]: ok({ keys: [] }),
      [RESPONDER_KEY_URL]: httpError(403, {
        error: { code: 'forbidden', message: 'changing incidents needs role admin, responder or tenant-admin' },
      }),
    });
    renderSettings({
      jsonData: { apiUrl: 'http://backend:8080' },
      secureJsonFields: { viewerKey: true, responderKey: true, adminKey: true },
    });
    fireEvent.click(screen.getByTestId(testIds.appConfig.testConnection));
    await screen.findByTestId(settingsTestIds.keyChecks, {}, WAIT);
    expect(screen.getByTestId(settingsTestIds.keyCheck('responderKey'))).toHaveTextContent(k.responderForbidden);
    expect(within(screen.getByTestId(settingsTestIds.keyChecks)).getByText(k.problems)).toBeInTheDocument();
  });

  test('Test connection: Grafana refusing the admin route (not the backend) is told apart', async () => {
    answer({
      [READY_URL]: ok(readyResponse),
      [READ_KEY_URL]: httpError(403, { error: { code: 'forbidden', message: 'may not read analytics' } }),
      [ADMIN_KEY_URL]: httpError(403, { message: 'plugin proxy route access denied' }),
    });
    renderSettings({
      jsonData: { apiUrl: 'http://backend:8080' },
      secureJsonFields: { viewerKey: true, adminKey: true },
    });

    fireEvent.click(screen.getByTestId(testIds.appConfig.testConnection));
    await screen.findByTestId(settingsTestIds.keyChecks, {}, WAIT);
    expect(screen.getByTestId(settingsTestIds.keyCheck('viewerKey'))).toHaveTextContent(k.readForbidden);
    expect(screen.getByTestId(settingsTestIds.keyCheck('adminKey'))).toHaveTextContent(
      `${k.adminName}: ${labels.errors.forbiddenRoute.title}`
    );
  });

  test('Test connection names the engine that does not answer', async () => {
    answer({ [READY_URL]: httpError(503, notReadyResponse) });
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
  ])('Test connection explains %s', async (_name, reply, title, hint) => {
    answer({ [READY_URL]: reply });
    renderSettings({ jsonData: { apiUrl: 'http://backend:8080' }, secureJsonFields: { viewerKey: true } });

    fireEvent.click(screen.getByTestId(testIds.appConfig.testConnection));
    const result = await screen.findByTestId(testIds.appConfig.testResult, {}, WAIT);
    expect(within(result).getByText(title)).toBeInTheDocument();
    expect(result).toHaveTextContent(hint);
    // The backend does not answer: the keys are not checked on top.
    expect(screen.queryByTestId(settingsTestIds.keyChecks)).not.toBeInTheDocument();
  });

  test('Test connection warns that it uses the saved settings while there are unsaved changes', () => {
    renderSettings({ jsonData: { apiUrl: 'http://backend:8080' } });
    expect(screen.queryByText(labels.config.unsavedChanges)).not.toBeInTheDocument();
    fireEvent.change(apiUrlInput(), { target: { value: 'http://other:8080' } });
    expect(screen.getByText(labels.config.unsavedChanges)).toBeInTheDocument();
  });
});

describe('isValidApiUrl and normalizeApiUrl', () => {
  test.each([
    ['http://localhost:8080', true],
    ['https://caas.example.com/backend', true],
    ['localhost:8080', false],
    ['ftp://host', false],
    ['', false],
  ])('%s -> %s', (value, valid) => {
    expect(isValidApiUrl(value)).toBe(valid);
  });

  test.each([
    [' http://backend:8080/ ', 'http://backend:8080'],
    ['https://caas.example.com/backend//', 'https://caas.example.com/backend'],
    ['http://backend:8080', 'http://backend:8080'],
  ])('%j is saved as %s', (value, saved) => {
    expect(normalizeApiUrl(value)).toBe(saved);
  });
});
