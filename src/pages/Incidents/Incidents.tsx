import React, { useEffect, useMemo } from 'react';
import { usePluginContext } from '@grafana/data';
import { PluginPage } from '@grafana/runtime';
import { type Column, InteractiveTable, Button, LoadingPlaceholder, Stack, Tab, TabsBar, Text } from '@grafana/ui';
import { listIncidents, type Incident } from '../../api/incidents';
import { ErrorAlert } from '../../components/ErrorAlert';
import { PageHeader } from '../../components/PageHeader/PageHeader';
import { testIds } from '../../components/testIds';
import { useRequest } from '../../hooks/useRequest';
import { useUrlState } from '../../hooks/useUrlState';
import { labels } from '../../labels';
import type { AppJsonData } from '../../types';
import { formatAgo, formatTime } from '../../utils/format';
import { IncidentDetailView } from './IncidentDetail';
import { IncidentStateBadge, nextPage, SeverityBadge } from './incident-view';

/** The page's URL params: the tab and the incident whose detail is open. */
export const INCIDENT_PARAMS = { tab: 'state', incident: 'incident' } as const;
type IncidentsTab = 'open' | 'triggered' | 'acknowledged' | 'resolved';
const TABS: IncidentsTab[] = ['open', 'triggered', 'acknowledged', 'resolved'];
/** While the page is open it asks again this often: incidents open and change without a click. */
export const POLL_MS = 10_000;
const LIMIT = 100;

async function load(tab: IncidentsTab, tenant: string | undefined, signal: AbortSignal): Promise<Incident[]> {
  const query = { tenant_id: tenant, limit: LIMIT };
  if (tab !== 'open') {
    return (await listIncidents({ ...query, state: tab }, { signal })).incidents;
  }
  const [triggered, acknowledged] = await Promise.all([
    listIncidents({ ...query, state: 'triggered' }, { signal }),
    listIncidents({ ...query, state: 'acknowledged' }, { signal }),
  ]);
  return [...triggered.incidents, ...acknowledged.incidents].sort((a, b) => b.created_at.localeCompare(a.created_at));
}

/**
 * The Incidents page (issue "Alert management", Grafana side): open, triggered, acknowledged and resolved incidents of
 * the picked tenant (or all, the platform's included), newest first, refreshed every 10 s; one incident's alerts,
 * timeline and escalation, with acknowledge, unacknowledge, snooze and resolve for Grafana Admins.
 */
function Incidents() {
  const state = useUrlState();
  const { params, update, tenant } = state;
  const context = usePluginContext<AppJsonData>();
  const apiUrlSet = context ? Boolean(context.meta.jsonData?.apiUrl) : undefined;
  const tabParam = params.get(INCIDENT_PARAMS.tab);
  const tab: IncidentsTab = TABS.includes(tabParam as IncidentsTab) ? (tabParam as IncidentsTab) : 'open';
  const openId = params.get(INCIDENT_PARAMS.incident) ?? undefined;
  const list = useRequest(`${tab}|${tenant ?? ''}`, (signal) => load(tab, tenant, signal));
  const { retry } = list;
  useEffect(() => {
    const timer = setInterval(retry, POLL_MS);
    return () => clearInterval(timer);
  }, [retry]);

  const columns = useMemo<Array<Column<Incident>>>(
    () => [
      {
        id: 'severity',
        header: labels.incidents.columns.severity,
        cell: ({ row }) => <SeverityBadge severity={row.original.severity} />,
      },
      {
        id: 'title',
        header: labels.incidents.columns.title,
        cell: ({ row }) => (
          <Button
            variant="secondary"
            fill="text"
            size="sm"
            onClick={() => update({ [INCIDENT_PARAMS.incident]: row.original.id })}
            data-testid={testIds.incidents.open(row.original.id)}
          >
            {row.original.title}
          </Button>
        ),
      },
      {
        id: 'tenant',
        header: labels.incidents.columns.tenant,
        cell: ({ row }) => row.original.tenant_id ?? labels.incidents.platform,
      },
      {
        id: 'state',
        header: labels.incidents.columns.state,
        cell: ({ row }) => <IncidentStateBadge state={row.original.state} />,
      },
      {
        id: 'alerts',
        header: labels.incidents.columns.alerts,
        cell: ({ row }) => `${row.original.alerts_firing} / ${row.original.alerts_total}`,
      },
      {
        id: 'opened',
        header: labels.incidents.columns.opened,
        cell: ({ row }) => (
          <span title={formatTime(row.original.created_at)}>{formatAgo(row.original.created_at)}</span>
        ),
      },
      { id: 'escalation', header: labels.incidents.columns.escalation, cell: ({ row }) => nextPage(row.original) },
    ],
    [update]
  );

  let body: React.ReactNode;
  if (list.error !== undefined && !list.data) {
    body = <ErrorAlert error={list.error} apiUrlSet={apiUrlSet} onRetry={retry} testId={testIds.incidents.error} />;
  } else if (!list.data) {
    body = (
      <div data-testid={testIds.incidents.loading}>
        <LoadingPlaceholder text={labels.incidents.loading} />
      </div>
    );
  } else if (list.data.length === 0) {
    body = (
      <div data-testid={testIds.incidents.empty}>
        <Text color="secondary">{labels.incidents.empty(tab)}</Text>
      </div>
    );
  } else {
    body = (
      <div data-testid={testIds.incidents.table}>
        <InteractiveTable columns={columns} data={list.data} getRowId={(r) => r.id} />
      </div>
    );
  }

  return (
    <PluginPage>
      <div data-testid={testIds.incidents.container}>
        <Stack direction="column" gap={2}>
          <Text element="p" color="secondary">
            {labels.incidents.subtitle}
          </Text>
          <PageHeader state={state} allTenants />
          {openId && (
            <IncidentDetailView
              id={openId}
              apiUrlSet={apiUrlSet}
              onClose={() => update({ [INCIDENT_PARAMS.incident]: undefined })}
              onChanged={retry}
            />
          )}
          <TabsBar>
            {TABS.map((t) => (
              <Tab
                key={t}
                label={labels.incidents.tabs[t] ?? t}
                active={tab === t}
                counter={tab === t && list.data ? list.data.length : undefined}
                onChangeTab={() => update({ [INCIDENT_PARAMS.tab]: t === 'open' ? undefined : t })}
                data-testid={testIds.incidents.tab(t)}
              />
            ))}
          </TabsBar>
          {list.error !== undefined && list.data && (
            <ErrorAlert error={list.error} apiUrlSet={apiUrlSet} onRetry={retry} testId={testIds.incidents.error} />
          )}
          {body}
        </Stack>
      </div>
    </PluginPage>
  );
}

export default Incidents;
