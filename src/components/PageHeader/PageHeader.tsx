import React, { type ReactNode } from 'react';
import { InlineField, Stack, TimeRangeInput } from '@grafana/ui';
import type { UrlState } from '../../hooks/useUrlState';
import { labels } from '../../labels';
import { testIds } from '../testIds';
import { TenantPicker } from './TenantPicker';

export interface PageHeaderProps {
  /** The page's URL state (useUrlState): the header reads and writes its shared tenant and time range. */
  state: UrlState;
  /** Whether "all tenants" is a choice on this page (Home), or the page needs one tenant (Analytics). */
  allTenants?: boolean;
  /** Whether the page uses the time range (Analytics); it stays in the URL either way, for the links it carries. */
  timeRange?: boolean;
  /** The page's own controls, after the shared ones. */
  children?: ReactNode;
}

/** The header every page shares: tenant picker and time range, both kept in the URL so a copied link reproduces them. */
export function PageHeader({ state, allTenants = false, timeRange = false, children }: PageHeaderProps) {
  const { tenant, update, range, setRange } = state;
  return (
    <div data-testid={testIds.header.container}>
      <Stack direction="row" gap={1} alignItems="center" wrap="wrap">
        <InlineField label={labels.header.tenant.label} labelWidth={14} tooltip={labels.header.tenant.tooltip}>
          <TenantPicker
            value={tenant}
            allowAll={allTenants}
            onChange={(next, options) => update({ tenant: next }, options)}
          />
        </InlineField>
        {timeRange && (
          <InlineField label={labels.header.timeRange} labelWidth={14}>
            <div data-testid={testIds.header.timeRange}>
              <TimeRangeInput value={range} onChange={setRange} hideTimeZone />
            </div>
          </InlineField>
        )}
        {children}
      </Stack>
    </div>
  );
}
