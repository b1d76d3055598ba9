import React, { type ChangeEvent } from 'react';
import type { DataSourcePluginOptionsEditorProps } from '@grafana/data';
import { Field, FieldSet, Input, SecretInput } from '@grafana/ui';
import { TENANT_PATTERN } from './request';
import { labels } from './labels';
import { dsTestIds } from './testIds';
import type { CaasDataSourceOptions, CaasSecureJsonData } from './types';

export type CaasConfigEditorProps = DataSourcePluginOptionsEditorProps<CaasDataSourceOptions, CaasSecureJsonData>;

const c = labels.config;

export function isValidUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/**
 * Backend URL and default tenant in jsonData; the API key in secureJsonData only (DESIGN.md, Data flows 3). The key is
 * a read key (role viewer or tenant-viewer): plugin.json's routes are open to Grafana Viewers (`reqRole: Viewer`) and
 * reach only the backend's health and analytics reads. Grafana never sends a saved key back:
 * `secureJsonFields.apiKey` only says one is set, so the field shows "configured" with a Reset button
 * (CONVENTIONS.md: SecretInput with isConfigured and onReset).
 */
export function ConfigEditor({ options, onOptionsChange }: CaasConfigEditorProps) {
  const jsonData = options.jsonData ?? {};
  const url = jsonData.url ?? '';
  const tenant = jsonData.defaultTenant ?? '';
  const urlInvalid = url !== '' && !isValidUrl(url);
  // The routes append /health and /v1/analytics to jsonData.url; the backend does not route `//health`.
  const urlTrailingSlash = !urlInvalid && url.endsWith('/');
  const tenantInvalid = tenant !== '' && !TENANT_PATTERN.test(tenant);

  const setJsonData = (patch: Partial<CaasDataSourceOptions>) =>
    onOptionsChange({ ...options, jsonData: { ...jsonData, ...patch } });

  return (
    <FieldSet label={c.connection}>
      <Field
        label={c.url.label}
        description={c.url.description}
        required
        invalid={urlInvalid || urlTrailingSlash}
        error={urlInvalid ? c.url.invalid : urlTrailingSlash ? c.url.trailingSlash : undefined}
      >
        <Input
          id="caas-ds-url"
          data-testid={dsTestIds.config.url}
          width={60}
          value={url}
          placeholder={c.url.placeholder}
          onChange={(e: ChangeEvent<HTMLInputElement>) => setJsonData({ url: e.currentTarget.value.trim() })}
        />
      </Field>
      <Field label={c.apiKey.label} description={c.apiKey.description} required>
        <SecretInput
          id="caas-ds-api-key"
          data-testid={dsTestIds.config.apiKey}
          width={60}
          placeholder={c.apiKey.placeholder}
          isConfigured={Boolean(options.secureJsonFields?.apiKey)}
          value={options.secureJsonData?.apiKey ?? ''}
          onChange={(e: ChangeEvent<HTMLInputElement>) =>
            onOptionsChange({
              ...options,
              secureJsonData: { ...options.secureJsonData, apiKey: e.currentTarget.value },
            })
          }
          onReset={() =>
            onOptionsChange({
              ...options,
              secureJsonFields: { ...options.secureJsonFields, apiKey: false },
              secureJsonData: { ...options.secureJsonData, apiKey: '' },
            })
          }
        />
      </Field>
      <Field
        label={c.tenant.label}
        description={c.tenant.description}
        invalid={tenantInvalid}
        error={tenantInvalid ? c.tenant.invalid : undefined}
      >
        <Input
          id="caas-ds-tenant"
          data-testid={dsTestIds.config.tenant}
          width={30}
          value={tenant}
          placeholder={c.tenant.placeholder}
          onChange={(e: ChangeEvent<HTMLInputElement>) => setJsonData({ defaultTenant: e.currentTarget.value.trim() })}
        />
      </Field>
    </FieldSet>
  );
}
