import React, { useCallback, useState } from 'react';
import { usePluginContext } from '@grafana/data';
import { PluginPage } from '@grafana/runtime';
import { Alert, Badge, Card, LoadingPlaceholder, Stack, Tab, TabsBar, Text } from '@grafana/ui';
import { getOnCallNow, type NowEntry } from '../../api/oncall';
import { ErrorAlert } from '../../components/ErrorAlert';
import { PageHeader } from '../../components/PageHeader/PageHeader';
import { testIds } from '../../components/testIds';
import { useRequest } from '../../hooks/useRequest';
import { useUrlState } from '../../hooks/useUrlState';
import { labels } from '../../labels';
import type { AppJsonData } from '../../types';
import { isOrgAdmin } from '../../utils/org-role';
import { Channels } from './Channels';
import { inZone } from './oncall-view';
import { Policies } from './Policies';
import { Schedules } from './Schedules';

/** The page's URL params: the tab. */
export const ONCALL_PARAMS = { tab: 'tab' } as const;
export type OnCallTab = 'now' | 'schedules' | 'policies' | 'channels';
const TABS: OnCallTab[] = ['now', 'schedules', 'policies', 'channels'];

/** What a tab needs from the page: who may act, the backend URL setting (for errors), and where to say what was done. */
export interface TabProps {
  admin: boolean;
  apiUrlSet?: boolean;
  onNotice: (text: string | undefined) => void;
}

function NowCard({ entry }: { entry: NowEntry }) {
  const l = labels.oncall.now;
  const zone = entry.time_zone;
  const shift = entry.shift;
  const who = entry.on_call.map((r) => r.name).join(', ');
  return (
    <div data-testid={testIds.oncall.nowSchedule(entry.schedule_id)}>
      <Card noMargin>
        <Card.Heading>{entry.name}</Card.Heading>
        <Card.Meta>{[entry.tenant_id ?? labels.oncall.platform, l.zone(zone)]}</Card.Meta>
        <Card.Description>
          <Stack direction="column" gap={0.5}>
            {shift ? (
              <Stack direction="row" gap={1} alignItems="center" wrap="wrap">
                <Text weight="bold">{who}</Text>
                {shift.source === 'override' ? (
                  <Badge color="orange" text={l.override} icon="exchange-alt" />
                ) : (
                  <Text color="secondary">{shift.layer ? l.layer(shift.layer) : ''}</Text>
                )}
                <Text color="secondary">{l.since(inZone(shift.start, zone))}</Text>
              </Stack>
            ) : (
              <Text color="warning">{l.nobody}</Text>
            )}
            <Text color="secondary">
              {entry.next_handoff
                ? `${l.until(inZone(entry.next_handoff.at, zone))} · ${
                    entry.next_handoff.to ? l.next(entry.next_handoff.to.name) : l.nextNobody
                  }`
                : l.noHandoff}
            </Text>
          </Stack>
        </Card.Description>
      </Card>
    </div>
  );
}

function Now({ apiUrlSet }: { apiUrlSet?: boolean }) {
  const now = useRequest('now', (signal) => getOnCallNow({ signal }));
  if (now.error !== undefined && !now.data) {
    return <ErrorAlert error={now.error} apiUrlSet={apiUrlSet} onRetry={now.retry} testId={testIds.oncall.error} />;
  }
  if (!now.data) {
    return (
      <div data-testid={testIds.oncall.loading}>
        <LoadingPlaceholder text={labels.oncall.now.loading} />
      </div>
    );
  }
  if (now.data.schedules.length === 0) {
    return (
      <div data-testid={testIds.oncall.empty}>
        <Text color="secondary">{labels.oncall.now.empty}</Text>
      </div>
    );
  }
  return (
    <div data-testid={testIds.oncall.now}>
      <Stack direction="column" gap={1}>
        {now.data.schedules.map((s) => (
          <NowCard key={s.schedule_id} entry={s} />
        ))}
      </Stack>
    </div>
  );
}

/**
 * The On-call page (issue "Alert management", Grafana side): who is on call now per schedule, the next two weeks as a
 * calendar in each schedule's zone with its overrides, schedules and responders, escalation policies with their
 * editor, and the alert channels with Send test and their delivery log. Grafana Admins change them (Admin routes,
 * admin key); everyone else reads, each action disabled with the reason.
 */
function OnCall() {
  const state = useUrlState();
  const { params, update } = state;
  const context = usePluginContext<AppJsonData>();
  const apiUrlSet = context ? Boolean(context.meta.jsonData?.apiUrl) : undefined;
  const tabParam = params.get(ONCALL_PARAMS.tab);
  const tab: OnCallTab = TABS.includes(tabParam as OnCallTab) ? (tabParam as OnCallTab) : 'now';
  const admin = isOrgAdmin();
  const [notice, setNotice] = useState<string>();
  const say = useCallback((text: string | undefined) => setNotice(text), []);
  const tabProps: TabProps = { admin, apiUrlSet, onNotice: say };

  return (
    <PluginPage>
      <div data-testid={testIds.oncall.container}>
        <Stack direction="column" gap={2}>
          <Text element="p" color="secondary">
            {labels.oncall.subtitle}
          </Text>
          <PageHeader state={state} allTenants />
          {!admin && (
            <div data-testid={testIds.oncall.viewerNotice}>
              <Alert severity="info" title={labels.oncall.viewerNotice.title}>
                {labels.oncall.viewerNotice.body}
              </Alert>
            </div>
          )}
          <TabsBar>
            {TABS.map((t) => (
              <Tab
                key={t}
                label={labels.oncall.tabs[t] ?? t}
                active={tab === t}
                onChangeTab={() => {
                  setNotice(undefined);
                  update({ [ONCALL_PARAMS.tab]: t === 'now' ? undefined : t });
                }}
                data-testid={testIds.oncall.tab(t)}
              />
            ))}
          </TabsBar>
          {notice && (
            <div data-testid={testIds.oncall.notice}>
              <Alert severity="success" title={notice} onRemove={() => setNotice(undefined)} />
            </div>
          )}
          {tab === 'now' && <Now apiUrlSet={apiUrlSet} />}
          {tab === 'schedules' && <Schedules {...tabProps} />}
          {tab === 'policies' && <Policies {...tabProps} />}
          {tab === 'channels' && <Channels {...tabProps} />}
        </Stack>
      </div>
    </PluginPage>
  );
}

export default OnCall;
