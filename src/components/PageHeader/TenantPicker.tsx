import React, { useEffect, useMemo } from 'react';
import { Button, Combobox, type ComboboxOption, Stack, Text } from '@grafana/ui';
import { describeError } from '../../api/describe-error';
import { listTenants } from '../../api/tenants';
import { useRequest } from '../../hooks/useRequest';
import { labels } from '../../labels';
import { testIds } from '../testIds';

export interface TenantPickerProps {
  value: string | undefined;
  /** `replace`: the pick was made for the user (a tenant key's only tenant), not by them: no history entry. */
  onChange: (tenant: string | undefined, options?: { replace?: boolean }) => void;
  /** Empty means every tenant the key sees (Home); otherwise the page needs one tenant (Analytics). */
  allowAll?: boolean;
}

/**
 * The tenant picker every page shares (issue "Platform", part 6): the tenants the app's read key sees (GET /v1/tenants:
 * every tenant for a key of role viewer, its own for a tenant's key), or a typed id when the list cannot be read.
 */
export function TenantPicker({ value, onChange, allowAll = false }: TenantPickerProps) {
  const { data: tenants, loading, error, retry } = useRequest('tenants', (signal) => listTenants({ signal }));

  // A tenant's key sees one tenant: on a page that needs one, there is nothing to choose.
  const only = !allowAll && !value && tenants?.length === 1 ? tenants[0]?.id : undefined;
  useEffect(() => {
    if (only) {
      onChange(only, { replace: true });
    }
  }, [only, onChange]);

  const options = useMemo((): Array<ComboboxOption<string>> => {
    const listed = (tenants ?? []).map((t) => ({
      value: t.id,
      label: t.name !== t.id ? `${t.name} (${t.id})` : t.id,
    }));
    // A tenant from a link, or typed, that the list lacks (yet) is still shown as picked.
    if (value && !listed.some((o) => o.value === value)) {
      listed.unshift({ value, label: value });
    }
    return listed;
  }, [tenants, value]);

  const problem = error !== undefined && !loading ? describeError(error) : undefined;

  return (
    <Stack direction="row" gap={1} alignItems="center">
      <Combobox<string>
        data-testid={testIds.header.tenant}
        aria-label={labels.header.tenant.label}
        width={28}
        loading={loading && !tenants}
        options={options}
        value={value ?? null}
        placeholder={allowAll ? labels.header.tenant.all : labels.header.tenant.pick}
        isClearable
        createCustomValue
        onChange={(picked) => onChange(picked?.value?.trim() || undefined)}
      />
      {problem && (
        <div data-testid={testIds.header.tenantError}>
          <Stack direction="row" gap={1} alignItems="center">
            <Text color="warning" variant="bodySmall">
              {labels.header.tenant.listFailed(problem.title)}
            </Text>
            <Button size="sm" variant="secondary" icon="sync" onClick={retry}>
              {labels.header.tenant.retry}
            </Button>
          </Stack>
        </div>
      )}
    </Stack>
  );
}
