import React, { useState } from 'react';
import { Button, ButtonGroup, Card, Dropdown, Menu, Stack, Text, TextLink } from '@grafana/ui';
import { actOnIncident, getIncident, type IncidentAction, type IncidentDetail } from '../../api/incidents';
import { ErrorAlert } from '../../components/ErrorAlert';
import { testIds } from '../../components/testIds';
import { useRequest } from '../../hooks/useRequest';
import { labels } from '../../labels';
import { formatAgo, formatTime } from '../../utils/format';
import { isOrgEditor } from '../../utils/org-role';
import { actorName, IncidentStateBadge, nextPage, SeverityBadge } from './incident-view';

const SNOOZE_MINUTES = [30, 60, 240];

interface Props {
  id: string;
  apiUrlSet?: boolean;
  onClose: () => void;
  /** after an action: the list reads again */
  onChanged: () => void;
}

/** One incident: what fires, who acted, the escalation, the timeline; and the actions, for Grafana Admins. */
export function IncidentDetailView({ id, apiUrlSet, onClose, onChanged }: Props) {
  const [version, setVersion] = useState(0);
  const detail = useRequest(`${id}|${version}`, (signal) => getIncident(id, { signal }));
  const [acting, setActing] = useState<IncidentAction>();
  const [actionError, setActionError] = useState<{ action: IncidentAction; error: unknown }>();
  const admin = isOrgEditor();
  const l = labels.incidents;

  const act = async (action: IncidentAction, minutes?: number) => {
    setActing(action);
    setActionError(undefined);
    try {
      await actOnIncident(id, action, minutes);
      setVersion((v) => v + 1);
      onChanged();
    } catch (error) {
      setActionError({ action, error });
    } finally {
      setActing(undefined);
    }
  };

  let body: React.ReactNode;
  const d: IncidentDetail | undefined = detail.data;
  if (detail.error !== undefined && !d) {
    body = (
      <ErrorAlert
        error={detail.error}
        apiUrlSet={apiUrlSet}
        onRetry={detail.retry}
        testId={testIds.incidents.detailError}
      />
    );
  } else if (!d) {
    body = <Text color="secondary">{labels.app.loading}</Text>;
  } else {
    const open = d.state !== 'resolved';
    body = (
      <Stack direction="column" gap={2}>
        <Stack direction="row" gap={1} alignItems="center" wrap="wrap">
          <SeverityBadge severity={d.severity} />
          <IncidentStateBadge state={d.state} />
          <Text color="secondary">
            {d.tenant_id ?? l.platform} · {d.service ?? ''} · {l.detail.via(d.via)} · {formatTime(d.created_at)}
          </Text>
          {d.runbook_url && /^https?:\/\//.test(d.runbook_url) && (
            <TextLink href={d.runbook_url} external>
              {l.detail.runbook}
            </TextLink>
          )}
        </Stack>
        {d.summary && <Text element="p">{d.summary}</Text>}
        {d.description && (
          <Text element="p" color="secondary">
            {d.description}
          </Text>
        )}
        <Text color="secondary">
          {[
            d.acknowledged_at && d.state === 'acknowledged'
              ? l.detail.acknowledgedBy(actorName(d.acknowledged_by), formatAgo(d.acknowledged_at))
              : '',
            d.snoozed_until ? l.detail.snoozedUntil(formatTime(d.snoozed_until)) : '',
            d.resolved_at ? l.detail.resolvedBy(actorName(d.resolved_by), formatAgo(d.resolved_at)) : '',
            `${l.columns.escalation}: ${nextPage(d)}`,
          ]
            .filter(Boolean)
            .join(' · ')}
        </Text>
        {admin ? (
          open && (
            <ButtonGroup>
              {d.state === 'triggered' && (
                <Button
                  icon={acting === 'acknowledge' ? 'spinner' : 'eye'}
                  disabled={acting !== undefined}
                  onClick={() => act('acknowledge')}
                  data-testid={testIds.incidents.action('acknowledge')}
                >
                  {l.actions.acknowledge}
                </Button>
              )}
              {d.state === 'acknowledged' && (
                <Button
                  variant="secondary"
                  icon={acting === 'unacknowledge' ? 'spinner' : 'eye-slash'}
                  disabled={acting !== undefined}
                  onClick={() => act('unacknowledge')}
                  data-testid={testIds.incidents.action('unacknowledge')}
                >
                  {l.actions.unacknowledge}
                </Button>
              )}
              <Dropdown
                overlay={
                  <Menu>
                    {SNOOZE_MINUTES.map((m) => (
                      <Menu.Item
                        key={m}
                        label={l.actions.snoozeFor(m)}
                        onClick={() => act('snooze', m)}
                        testId={testIds.incidents.action(`snooze-${m}`)}
                      />
                    ))}
                  </Menu>
                }
              >
                <Button
                  variant="secondary"
                  icon={acting === 'snooze' ? 'spinner' : 'clock-nine'}
                  disabled={acting !== undefined}
                  data-testid={testIds.incidents.action('snooze')}
                >
                  {l.actions.snooze}
                </Button>
              </Dropdown>
              <Button
                variant="success"
                icon={acting === 'resolve' ? 'spinner' : 'check'}
                disabled={acting !== undefined}
                onClick={() => act('resolve')}
                data-testid={testIds.incidents.action('resolve')}
              >
                {l.actions.resolve}
              </Button>
            </ButtonGroup>
          )
        ) : (
          <div data-testid={testIds.incidents.adminOnly}>
            <Text color="secondary" italic>
              {l.actions.adminOnly}
            </Text>
          </div>
        )}
        {actionError && (
          <div data-testid={testIds.incidents.actionError}>
            <ErrorAlert error={actionError.error} apiUrlSet={apiUrlSet} />
          </div>
        )}
        <div data-testid={testIds.incidents.alerts}>
          <Text element="h5">{l.detail.alerts}</Text>
          <Stack direction="column" gap={0.5}>
            {d.alerts.map((a) => (
              <Text key={a.fingerprint} color={a.status === 'firing' ? undefined : 'secondary'}>
                {a.status === 'firing' ? l.detail.firing : l.detail.resolved} · {a.labels.alertname ?? a.fingerprint} ·{' '}
                {Object.entries(a.labels)
                  .filter(([k]) => k !== 'alertname')
                  .map(([k, v]) => `${k}=${v}`)
                  .join(', ')}{' '}
                · {formatAgo(a.starts_at)}
              </Text>
            ))}
          </Stack>
        </div>
        <div data-testid={testIds.incidents.timeline}>
          <Text element="h5">{l.detail.timeline}</Text>
          <Stack direction="column" gap={0.5}>
            {d.timeline.map((e) => (
              <Text key={e.id}>
                <span title={formatTime(e.at)}>{formatTime(e.at)}</span> · {e.message}
                {e.repeats ? ` (${l.detail.repeats(e.repeats)})` : ''}
              </Text>
            ))}
          </Stack>
        </div>
        {d.postmortem?.text && (
          <div>
            <Text element="h5">{l.detail.postmortem}</Text>
            <Text element="p">{d.postmortem.text}</Text>
          </div>
        )}
      </Stack>
    );
  }

  return (
    <div data-testid={testIds.incidents.detail}>
      <Card>
        <Card.Heading>{d?.title ?? id}</Card.Heading>
        <Card.Description>{body}</Card.Description>
        <Card.Actions>
          <Button variant="secondary" size="sm" icon="times" onClick={onClose} data-testid={testIds.incidents.close}>
            {l.detail.close}
          </Button>
        </Card.Actions>
      </Card>
    </div>
  );
}
