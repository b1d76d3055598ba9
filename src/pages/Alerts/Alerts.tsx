import React, { useCallback, useState } from 'react';
import { usePluginContext } from '@grafana/data';
import { PluginPage } from '@grafana/runtime';
import { Alert, LinkButton, Stack, Tab, TabsBar, Text } from '@grafana/ui';
import { getAlertmanagerStatus } from '../../api/alerts';
import { ErrorAlert } from '../../components/ErrorAlert';
import { PageHeader } from '../../components/PageHeader/PageHeader';
import { testIds } from '../../components/testIds';
import { useRequest } from '../../hooks/useRequest';
import { useUrlState } from '../../hooks/useUrlState';
import { labels } from '../../labels';
import { prefixRoute, ROUTES } from '../../routes';
import type { AppJsonData } from '../../types';
import { isOrgAdmin, isOrgEditor } from '../../utils/org-role';
import { ActiveAlerts } from './ActiveAlerts';
import { Rules } from './Rules';
import { Silences } from './Silences';

/** The page's URL params: the tab, and the rule open in the editor (`<kind>:<id>`, or `new:<kind>`). */
export const ALERT_PARAMS = { tab: 'tab', rule: 'rule' } as const;
export type AlertsTab = 'active' | 'silences' | 'rules';
const TABS: AlertsTab[] = ['active', 'silences', 'rules'];

/** What an action did, said once above the tab (a silence created, a test fired, a rule saved). */
export interface Notice {
  text: string;
  link?: { href: string; label: string };
}

/** Where alerts go without Alertmanager: the Incidents page (the ruler opens incidents directly). */
function NotConfigured() {
  const l = labels.alerts.notConfigured;
  return (
    <div data-testid={testIds.alerts.notConfigured}>
      <Alert severity="info" title={l.title}>
        <Stack direction="column" gap={1} alignItems="flex-start">
          <Text element="p">{l.body}</Text>
          <Text element="p">{l.instead}</Text>
          <LinkButton href={prefixRoute(ROUTES.Incidents)} variant="secondary" size="sm" icon="fire">
            {l.openIncidents}
          </LinkButton>
        </Stack>
      </Alert>
    </div>
  );
}

/**
 * The Alerts page (issue "Alert management", Grafana side): active alerts as Alertmanager groups them, with a silence
 * made from an alert's labels; silences with Expire; rules of both kinds (metric: PromQL in Prometheus; event: the
 * backend's ruler) with their state, a Test button and an editor with the event rules' preview. Grafana Admins act
 * (Admin routes, admin key); everyone else reads, each action disabled with the reason.
 */
function Alerts() {
  const state = useUrlState();
  const { params, update, tenant } = state;
  const context = usePluginContext<AppJsonData>();
  const apiUrlSet = context ? Boolean(context.meta.jsonData?.apiUrl) : undefined;
  const tabParam = params.get(ALERT_PARAMS.tab);
  const tab: AlertsTab = TABS.includes(tabParam as AlertsTab) ? (tabParam as AlertsTab) : 'active';
  const admin = isOrgAdmin();
  // silences are the responders' (Editor routes, responder key); rules stay the admins'
  const responder = isOrgEditor();
  const status = useRequest('status', (signal) => getAlertmanagerStatus({ signal }));
  const [notice, setNotice] = useState<Notice>();
  const say = useCallback((n: Notice | undefined) => setNotice(n), []);
  // Alertmanager's answer decides the first two tabs: null = not configured.
  const configured = status.data === undefined ? undefined : status.data !== null;

  let amBody: React.ReactNode = null;
  if (tab !== 'rules') {
    if (status.error !== undefined && status.data === undefined) {
      amBody = (
        <ErrorAlert error={status.error} apiUrlSet={apiUrlSet} onRetry={status.retry} testId={testIds.alerts.error} />
      );
    } else if (configured === false) {
      amBody = <NotConfigured />;
    } else if (configured === true) {
      amBody =
        tab === 'active' ? (
          <ActiveAlerts
            status={status.data!}
            tenant={tenant}
            canSilence={responder}
            apiUrlSet={apiUrlSet}
            onNotice={say}
          />
        ) : (
          <Silences canSilence={responder} apiUrlSet={apiUrlSet} onNotice={say} />
        );
    } else {
      amBody = (
        <div data-testid={testIds.alerts.loading}>
          <Text color="secondary">{labels.alerts.active.loading}</Text>
        </div>
      );
    }
  }

  return (
    <PluginPage>
      <div data-testid={testIds.alerts.container}>
        <Stack direction="column" gap={2}>
          <Text element="p" color="secondary">
            {labels.alerts.subtitle}
          </Text>
          <PageHeader state={state} allTenants />
          {!admin && (
            <div data-testid={testIds.alerts.viewerNotice}>
              <Alert severity="info" title={labels.alerts.viewerNotice.title}>
                {labels.alerts.viewerNotice.body}
              </Alert>
            </div>
          )}
          <TabsBar>
            {TABS.map((t) => (
              <Tab
                key={t}
                label={labels.alerts.tabs[t] ?? t}
                active={tab === t}
                onChangeTab={() => {
                  setNotice(undefined);
                  update({ [ALERT_PARAMS.tab]: t === 'active' ? undefined : t, [ALERT_PARAMS.rule]: undefined });
                }}
                data-testid={testIds.alerts.tab(t)}
              />
            ))}
          </TabsBar>
          {notice && (
            <div data-testid={testIds.alerts.notice}>
              <Alert severity="success" title={notice.text} onRemove={() => setNotice(undefined)}>
                {notice.link && (
                  <LinkButton href={notice.link.href} variant="secondary" size="sm" icon="fire">
                    {notice.link.label}
                  </LinkButton>
                )}
              </Alert>
            </div>
          )}
          {tab === 'rules' ? (
            <Rules
              tenant={tenant}
              admin={admin}
              apiUrlSet={apiUrlSet}
              amConfigured={configured}
              editing={params.get(ALERT_PARAMS.rule) ?? undefined}
              onEdit={(rule) => update({ [ALERT_PARAMS.rule]: rule })}
              onNotice={say}
            />
          ) : (
            amBody
          )}
        </Stack>
      </div>
    </PluginPage>
  );
}

export default Alerts;
