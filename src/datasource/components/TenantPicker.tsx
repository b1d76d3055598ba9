import React from 'react';
import { Combobox } from '@grafana/ui';
import type { CaasDataSource } from '../datasource';
import { useVariableOptions } from '../hooks/useVariableOptions';
import { labels } from '../labels';
import { asOption, withValues } from './options';

interface Props {
  datasource: CaasDataSource;
  value: string | undefined;
  onChange: (tenant: string | undefined) => void;
  testId: string;
}

/** Tenants the key may read (GET /v1/analytics/variables/tenants), `$tenant`-style variables, or a typed id. */
export function TenantPicker({ datasource, value, onChange, testId }: Props) {
  const { options, loading } = useVariableOptions(datasource, 'tenants');
  return (
    <Combobox<string>
      data-testid={testId}
      width={24}
      loading={loading}
      createCustomValue
      isClearable
      placeholder={datasource.defaultTenant ?? labels.editor.tenant.placeholder}
      options={withValues(options, [value])}
      value={asOption(value)}
      onChange={(picked) => onChange(picked?.value || undefined)}
    />
  );
}
