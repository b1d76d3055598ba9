import React, { useMemo, useState } from 'react';
import { Badge, type BadgeColor, Button, type Column, InteractiveTable, LinkButton, Stack, Text } from '@grafana/ui';
import { listRules, RULES_FILE_PATH, setRuleEnabled, testRule, type MonitoringRule } from '../../api/alerts';
import { ErrorAlert } from '../../components/ErrorAlert';
import { testIds } from '../../components/testIds';
import { API_PROXY_BASE } from '../../constants';
import { useRequest } from '../../hooks/useRequest';
import { labels } from '../../labels';
import { prefixRoute, ROUTES } from '../../routes';
import { formatAgo, formatTime } from '../../utils/format';
import { SeverityBadge } from '../Incidents/incident-view';
import type { Notice } from './Alerts';
import { RuleEditor } from './RuleEditor';

const STATE_COLOR: Record<string, BadgeColor> = { inactive: 'green', pending: 'orange', firing: 'red' };

interface Props {
  tenant?: string;
  admin: boolean;
  apiUrlSet?: boolean;
  /** whether Alertmanager is configured (test alerts go there, else straight to incidents) */
  amConfigured?: boolean;
  /** the rule open in the editor (URL param), `<kind>:<id>` or `new:<kind>` */
  editing?: string;
  onEdit: (rule: string | undefined) => void;
  onNotice: (n: Notice | undefined) => void;
}

/** Both kinds of rules with their state, last evaluation and health; Test, enable/disable and the editor. */
export function Rules({ tenant, admin, apiUrlSet, editing, onEdit, onNotice }: Props) {
  const list = useRequest(`rules|${tenant ?? ''}`, (signal) => listRules(tenant, { signal }));
  const [busy, setBusy] = useState<string>();
  const [actionError, setActionError] = useState<unknown>();
  const l = labels.alerts.rules;
  const { retry } = list;

  const columns = useMemo<Array<Column<MonitoringRule>>>(() => {
    const act = async (key: string, what: () => Promise<void>) => {
      setBusy(key);
      setActionError(undefined);
      onNotice(undefined);
      try {
        await what();
      } catch (e) {
        setActionError(e);
      } finally {
        setBusy(undefined);
      }
    };
    const test = (r: MonitoringRule) =>
      act(`test:${r.kind}:${r.id}`, async () => {
        const fired = await testRule(r);
        onNotice({
          text: l.tested(fired.via, r.name),
          link: { href: prefixRoute(ROUTES.Incidents), label: l.openIncidents },
        });
      });
    const toggle = (r: MonitoringRule) =>
      act(`toggle:${r.kind}:${r.id}`, async () => {
        await setRuleEnabled(r.kind, r.id, !r.enabled);
        retry();
      });
    const adminTip = admin ? undefined : labels.alerts.adminOnly;
    return [
      {
        id: 'name',
        header: l.columns.name,
        cell: ({ row }) => (
          <span data-testid={testIds.alerts.rule(row.original.kind, row.original.id)} title={row.original.condition}>
            <Button
              variant="secondary"
              fill="text"
              size="sm"
              onClick={() => onEdit(`${row.original.kind}:${row.original.id}`)}
              data-testid={testIds.alerts.edit(row.original.kind, row.original.id)}
            >
              {row.original.name}
            </Button>
          </span>
        ),
      },
      { id: 'kind', header: l.columns.kind, cell: ({ row }) => l.kinds[row.original.kind] ?? row.original.kind },
      {
        id: 'severity',
        header: l.columns.severity,
        cell: ({ row }) => <SeverityBadge severity={row.original.severity} />,
      },
      {
        id: 'tenant',
        header: l.columns.tenant,
        cell: ({ row }) => row.original.tenant_id ?? (row.original.kind === 'event' ? l.allTenants : l.platform),
      },
      {
        id: 'state',
        header: l.columns.state,
        cell: ({ row }) => {
          const r = row.original;
          if (!r.enabled) {
            return <Badge color="darkgrey" text={l.disabled} />;
          }
          if (r.state === null) {
            return (
              <span title={l.unknownStateHint}>
                <Badge color="darkgrey" text={l.unknownState} />
              </span>
            );
          }
          return <Badge color={STATE_COLOR[r.state] ?? 'darkgrey'} text={l.states[r.state] ?? r.state} />;
        },
      },
      {
        id: 'evaluated',
        header: l.columns.evaluated,
        cell: ({ row }) =>
          row.original.last_evaluation ? (
            <span title={formatTime(row.original.last_evaluation)}>{formatAgo(row.original.last_evaluation)}</span>
          ) : (
            l.never
          ),
      },
      {
        id: 'health',
        header: l.columns.health,
        cell: ({ row }) =>
          row.original.error ? <Text color="error">{row.original.error}</Text> : <Text color="secondary">{l.ok}</Text>,
      },
      {
        id: 'actions',
        header: l.columns.actions,
        cell: ({ row }) => {
          const r = row.original;
          const testKey = `test:${r.kind}:${r.id}`;
          const toggleKey = `toggle:${r.kind}:${r.id}`;
          return (
            <Stack direction="row" gap={1}>
              <Button
                size="sm"
                variant="secondary"
                icon={busy === testKey ? 'spinner' : 'bolt'}
                disabled={!admin || busy !== undefined}
                tooltip={adminTip}
                onClick={() => test(r)}
                data-testid={testIds.alerts.test(r.kind, r.id)}
              >
                {l.test}
              </Button>
              <Button
                size="sm"
                variant="secondary"
                icon={busy === toggleKey ? 'spinner' : r.enabled ? 'pause' : 'play'}
                disabled={!admin || busy !== undefined}
                tooltip={adminTip}
                onClick={() => toggle(r)}
                data-testid={testIds.alerts.toggle(r.kind, r.id)}
              >
                {r.enabled ? l.disable : l.enable}
              </Button>
            </Stack>
          );
        },
      },
    ];
  }, [admin, busy, l, onEdit, onNotice, retry]);

  let body: React.ReactNode;
  if (list.error !== undefined && !list.data) {
    body = <ErrorAlert error={list.error} apiUrlSet={apiUrlSet} onRetry={retry} testId={testIds.alerts.error} />;
  } else if (!list.data) {
    body = (
      <div data-testid={testIds.alerts.loading}>
        <Text color="secondary">{l.loading}</Text>
      </div>
    );
  } else if (list.data.length === 0) {
    body = (
      <div data-testid={testIds.alerts.empty}>
        <Text color="secondary">{l.empty}</Text>
      </div>
    );
  } else {
    body = (
      <div data-testid={testIds.alerts.rules}>
        <InteractiveTable columns={columns} data={list.data} getRowId={(r) => `${r.kind}:${r.id}`} />
      </div>
    );
  }

  return (
    <Stack direction="column" gap={1}>
      <Stack direction="row" gap={1} alignItems="center" wrap="wrap">
        {(['metric', 'event'] as const).map((kind) => (
          <Button
            key={kind}
            icon="plus"
            size="sm"
            variant="primary"
            disabled={!admin}
            tooltip={admin ? undefined : labels.alerts.adminOnly}
            onClick={() => onEdit(`new:${kind}`)}
            data-testid={testIds.alerts.newRule(kind)}
          >
            {kind === 'metric' ? l.newMetric : l.newEvent}
          </Button>
        ))}
        <span title={l.rulesFileHint}>
          <LinkButton
            href={`${API_PROXY_BASE}${RULES_FILE_PATH}`}
            target="_blank"
            size="sm"
            variant="secondary"
            icon="file-alt"
            data-testid={testIds.alerts.rulesFile}
          >
            {l.rulesFile}
          </LinkButton>
        </span>
      </Stack>
      {editing && (
        <RuleEditor
          key={editing}
          editing={editing}
          admin={admin}
          apiUrlSet={apiUrlSet}
          onClose={() => onEdit(undefined)}
          onSaved={(name) => {
            onEdit(undefined);
            onNotice({ text: labels.alerts.editor.saved(name) });
            retry();
          }}
        />
      )}
      {actionError !== undefined && (
        <div data-testid={testIds.alerts.actionError}>
          <ErrorAlert error={actionError} apiUrlSet={apiUrlSet} />
        </div>
      )}
      {body}
    </Stack>
  );
}
