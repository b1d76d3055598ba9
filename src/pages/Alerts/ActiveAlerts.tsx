import React, { useEffect, useState } from 'react';
import { Badge, type BadgeColor, Button, Card, Stack, Text, TextLink } from '@grafana/ui';
import { listAlertGroups, type AmAlert, type AmGroup, type AmMatcher, type AmStatus } from '../../api/alerts';
import { ErrorAlert } from '../../components/ErrorAlert';
import { testIds } from '../../components/testIds';
import { useRequest } from '../../hooks/useRequest';
import { labels } from '../../labels';
import { formatAgo, formatTime } from '../../utils/format';
import { SeverityBadge } from '../Incidents/incident-view';
import type { Notice } from './Alerts';
import { matchersFromLabels, SilenceForm } from './SilenceForm';

/** While the tab is open it asks again this often: alerts fire and resolve without a click. */
export const POLL_MS = 10_000;

const STATE_COLOR: Record<string, BadgeColor> = { active: 'red', suppressed: 'blue', unprocessed: 'darkgrey' };

export const labelText = (l: Record<string, string>) =>
  Object.entries(l)
    .map(([k, v]) => `${k}="${v}"`)
    .join(', ');

/** A group's stable key (its labels and receiver), for React and the test ids. */
export function groupKey(g: AmGroup): string {
  return `${g.receiver.name}:${labelText(g.labels) || 'all'}`;
}

interface Props {
  status: AmStatus;
  tenant?: string;
  canSilence: boolean;
  apiUrlSet?: boolean;
  onNotice: (n: Notice | undefined) => void;
}

/** Alerts as Alertmanager groups them (its route tree's group_by), with a silence made from any alert's labels. */
export function ActiveAlerts({ status, tenant, canSilence, apiUrlSet, onNotice }: Props) {
  const groups = useRequest(`groups|${tenant ?? ''}`, (signal) => listAlertGroups(tenant, { signal }));
  const [silencing, setSilencing] = useState<{ fingerprint: string; matchers: AmMatcher[] }>();
  const { retry } = groups;
  const l = labels.alerts.active;
  useEffect(() => {
    const timer = setInterval(retry, POLL_MS);
    return () => clearInterval(timer);
  }, [retry]);

  const header = (
    <div data-testid={testIds.alerts.status}>
      <Stack direction="column" gap={0.5}>
        <Text color="secondary">{l.version(status.version, status.receivers.join(', ') || '—')}</Text>
        {status.inhibit_rules.length > 0 && (
          <Text color="secondary">
            {l.inhibitRules}:{' '}
            {status.inhibit_rules
              .map((r) => l.inhibitRule(r.source_matchers.join(', '), r.target_matchers.join(', '), r.equal.join(', ')))
              .join('; ')}
          </Text>
        )}
      </Stack>
    </div>
  );

  let body: React.ReactNode;
  const data = groups.data?.filter((g) => g.alerts.length > 0);
  if (groups.error !== undefined && !data) {
    body = <ErrorAlert error={groups.error} apiUrlSet={apiUrlSet} onRetry={retry} testId={testIds.alerts.error} />;
  } else if (!data) {
    body = (
      <div data-testid={testIds.alerts.loading}>
        <Text color="secondary">{l.loading}</Text>
      </div>
    );
  } else if (data.length === 0) {
    body = (
      <div data-testid={testIds.alerts.empty}>
        <Stack direction="column" gap={0.5}>
          <Text>{l.empty}</Text>
          <Text color="secondary">{l.emptyHint}</Text>
        </Stack>
      </div>
    );
  } else {
    body = (
      <div data-testid={testIds.alerts.groups}>
        <Stack direction="column" gap={1}>
          {data.map((g) => (
            <div key={groupKey(g)} data-testid={testIds.alerts.group(groupKey(g))}>
              <Card>
                <Card.Heading>{labelText(g.labels) || '{}'}</Card.Heading>
                <Card.Meta>{[l.receiver(g.receiver.name), l.count(g.alerts.length)]}</Card.Meta>
                <Card.Description>
                  <Stack direction="column" gap={1}>
                    {g.alerts.map((a) => (
                      <React.Fragment key={a.fingerprint}>
                        <AlertRow
                          alert={a}
                          canSilence={canSilence}
                          onSilence={() => {
                            onNotice(undefined);
                            setSilencing({ fingerprint: a.fingerprint, matchers: matchersFromLabels(a.labels) });
                          }}
                        />
                        {silencing?.fingerprint === a.fingerprint && (
                          <SilenceForm
                            initial={silencing.matchers}
                            apiUrlSet={apiUrlSet}
                            onCancel={() => setSilencing(undefined)}
                            onCreated={(s) => {
                              setSilencing(undefined);
                              onNotice({ text: labels.alerts.silenceForm.created(s.id) });
                              retry();
                            }}
                          />
                        )}
                      </React.Fragment>
                    ))}
                  </Stack>
                </Card.Description>
              </Card>
            </div>
          ))}
        </Stack>
      </div>
    );
  }
  return (
    <Stack direction="column" gap={1}>
      {header}
      {groups.error !== undefined && data && (
        <ErrorAlert error={groups.error} apiUrlSet={apiUrlSet} onRetry={retry} testId={testIds.alerts.error} />
      )}
      {body}
    </Stack>
  );
}

function AlertRow({ alert, canSilence, onSilence }: { alert: AmAlert; canSilence: boolean; onSilence: () => void }) {
  const l = labels.alerts.active;
  const s = alert.status;
  const runbook = alert.annotations.runbook_url;
  const { alertname, severity, ...rest } = alert.labels;
  return (
    <div data-testid={testIds.alerts.alert(alert.fingerprint)}>
      <Stack direction="row" gap={1} alignItems="flex-start" justifyContent="space-between">
        <Stack direction="column" gap={0.5}>
          <Stack direction="row" gap={1} alignItems="center" wrap="wrap">
            {severity && <SeverityBadge severity={severity} />}
            <Badge color={STATE_COLOR[s.state] ?? 'darkgrey'} text={l.states[s.state] ?? s.state} />
            <Text weight="medium">{alertname ?? alert.fingerprint}</Text>
            <Text color="secondary">
              <span title={formatTime(alert.startsAt)}>
                {l.since} {formatAgo(alert.startsAt)}
              </span>
            </Text>
            {s.silencedBy.length > 0 && <Text color="secondary">{l.silencedBy(s.silencedBy.join(', '))}</Text>}
            {s.inhibitedBy.length > 0 && <Text color="secondary">{l.inhibitedBy(s.inhibitedBy.join(', '))}</Text>}
          </Stack>
          {alert.annotations.summary && <Text>{alert.annotations.summary}</Text>}
          <Text color="secondary" variant="bodySmall">
            {labelText(rest)}
          </Text>
          {runbook && /^https?:\/\//.test(runbook) && (
            <TextLink href={runbook} external>
              {l.runbook}
            </TextLink>
          )}
        </Stack>
        <Button
          size="sm"
          variant="secondary"
          icon="bell-slash"
          disabled={!canSilence}
          tooltip={canSilence ? undefined : labels.alerts.editorOnly}
          onClick={onSilence}
          data-testid={testIds.alerts.silenceAlert(alert.fingerprint)}
        >
          {l.silence}
        </Button>
      </Stack>
    </div>
  );
}
