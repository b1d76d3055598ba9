import React from 'react';
import { fireEvent, render, screen } from '@testing-library/react';
import type { DataSourceSettings } from '@grafana/data';
import { ConfigEditor, type CaasConfigEditorProps } from './ConfigEditor';
import { labels } from './labels';
import { dsTestIds } from './testIds';
import type { CaasDataSourceOptions, CaasSecureJsonData } from './types';

type Settings = DataSourceSettings<CaasDataSourceOptions, CaasSecureJsonData>;

function settings(patch: Partial<Settings> = {}): Settings {
  // Deprecated fields (`database`) are left out: the editor never reads them.
  return {
    id: 1,
    uid: 'caas-uid',
    orgId: 1,
    name: 'CAAS Analytics',
    type: 'caas-analytics-datasource',
    typeName: 'CAAS Analytics',
    typeLogoUrl: '',
    access: 'proxy',
    url: '',
    user: '',
    basicAuth: false,
    basicAuthUser: '',
    isDefault: false,
    withCredentials: false,
    readOnly: false,
    jsonData: { url: 'http://backend:8080', defaultTenant: 'acme' },
    secureJsonFields: {},
    ...patch,
  } as Settings;
}

function renderEditor(options: Settings) {
  const onOptionsChange = jest.fn();
  const props = { options, onOptionsChange } as unknown as CaasConfigEditorProps;
  const view = render(<ConfigEditor {...props} />);
  return { onOptionsChange, view };
}

describe('ConfigEditor', () => {
  test('URL and default tenant go to jsonData; nothing secret does', () => {
    const { onOptionsChange } = renderEditor(settings());
    fireEvent.change(screen.getByTestId(dsTestIds.config.url), { target: { value: ' http://caas:9000 ' } });
    expect(onOptionsChange).toHaveBeenLastCalledWith(
      expect.objectContaining({ jsonData: { url: 'http://caas:9000', defaultTenant: 'acme' } })
    );
    fireEvent.change(screen.getByTestId(dsTestIds.config.tenant), { target: { value: 'globex' } });
    const saved = onOptionsChange.mock.lastCall[0] as Settings;
    expect(saved.jsonData).toEqual({ url: 'http://backend:8080', defaultTenant: 'globex' });
    expect(JSON.stringify(saved.jsonData)).not.toMatch(/apiKey/);
  });

  test('a typed API key goes to secureJsonData only', () => {
    const { onOptionsChange } = renderEditor(settings());
    fireEvent.change(screen.getByTestId(dsTestIds.config.apiKey), { target: { value: 'caas_secret' } });
    const saved = onOptionsChange.mock.lastCall[0] as Settings;
    expect(saved.secureJsonData).toEqual({ apiKey: 'caas_secret' });
    expect(saved.jsonData).toEqual({ url: 'http://backend:8080', defaultTenant: 'acme' });
  });

  test('a saved key shows as configured (never its value) and Reset clears it', () => {
    const { onOptionsChange } = renderEditor(settings({ secureJsonFields: { apiKey: true } }));
    const input = screen.getByTestId(dsTestIds.config.apiKey) as HTMLInputElement;
    expect(input).toBeDisabled();
    expect(input.value).toBe('configured');
    fireEvent.click(screen.getByRole('button', { name: 'Reset' }));
    const saved = onOptionsChange.mock.lastCall[0] as Settings;
    expect(saved.secureJsonFields).toEqual({ apiKey: false });
    expect(saved.secureJsonData).toEqual({ apiKey: '' });
  });

  test('a malformed URL or tenant says what to type', () => {
    renderEditor(settings({ jsonData: { url: 'backend:8080', defaultTenant: 'Acme Corp' } }));
    expect(screen.getByText(labels.config.url.invalid)).toBeInTheDocument();
    expect(screen.getByText(labels.config.tenant.invalid)).toBeInTheDocument();
  });

  test('the key is asked for as a read key (viewer or tenant-viewer), never an admin key', () => {
    renderEditor(settings());
    expect(screen.getByText(labels.config.apiKey.label, { exact: false })).toBeInTheDocument();
    const description = screen.getByText(labels.config.apiKey.description);
    expect(description).toHaveTextContent('role viewer');
    expect(description).toHaveTextContent('tenant-viewer');
    expect(description).toHaveTextContent('npx caas keys create --role viewer');
    expect(description).toHaveTextContent('never use an admin key');
  });

  test('a URL with a trailing slash says to remove it (the routes append their paths)', () => {
    renderEditor(settings({ jsonData: { url: 'http://backend:8080/' } }));
    expect(screen.getByText(labels.config.url.trailingSlash)).toBeInTheDocument();
    expect(screen.queryByText(labels.config.url.invalid)).not.toBeInTheDocument();
  });

  test('valid settings show no error', () => {
    renderEditor(settings());
    expect(screen.queryByText(labels.config.url.invalid)).not.toBeInTheDocument();
    expect(screen.queryByText(labels.config.url.trailingSlash)).not.toBeInTheDocument();
    expect(screen.queryByText(labels.config.tenant.invalid)).not.toBeInTheDocument();
  });
});
