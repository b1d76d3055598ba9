import React, { useMemo, useState } from 'react';
import { Badge, type BadgeColor, Button, type Column, InteractiveTable, Stack, Text } from '@grafana/ui';
import { expireSilence, listSilences, type AmSilence } from '../../api/alerts';
import { ErrorAlert } from '../../components/ErrorAlert';
import { testIds } from '../../components/testIds';
import { useRequest } from '../../hooks/useRequest';
import { labels } from '../../labels';
import { formatAgo, formatTime } from '../../utils/format';
import type { Notice } from './Alerts';

const STATE_COLOR: Record<string, BadgeColor> = { active: 'green', pending: 'blue', expired: 'darkgrey' };
const ORDER: Record<string, number> = { active: 0, pending: 1, expired: 2 };

export function matcherText(m: AmSilence['matchers'][number]): string {
  const op = m.isEqual === false ? (m.isRegex ? '!~' : '!=') : m.isRegex ? '=~' : '=';
  return `${m.name}${op}"${m.value}"`;
}

interface Props {
  canSilence: boolean;
  apiUrlSet?: boolean;
  onNotice: (n: Notice | undefined) => void;
}

/** Alertmanager's silences: active, then pending, then expired; who made each, why and until when; Expire. */
export function Silences({ canSilence, apiUrlSet, onNotice }: Props) {
  const list = useRequest('silences', (signal) => listSilences({ signal }));
  const [expiring, setExpiring] = useState<string>();
  const [actionError, setActionError] = useState<unknown>();
  const l = labels.alerts.silences;
  const { retry } = list;

  const columns = useMemo<Array<Column<AmSilence>>>(() => {
    const expire = async (id: string) => {
      setExpiring(id);
      setActionError(undefined);
      try {
        await expireSilence(id);
        onNotice({ text: l.expired(id) });
        retry();
      } catch (e) {
        setActionError(e);
      } finally {
        setExpiring(undefined);
      }
    };
    return [
      {
        id: 'state',
        header: l.columns.state,
        cell: ({ row }) => (
          <Badge
            color={STATE_COLOR[row.original.status.state] ?? 'darkgrey'}
            text={l.states[row.original.status.state] ?? row.original.status.state}
          />
        ),
      },
      {
        id: 'matchers',
        header: l.columns.matchers,
        cell: ({ row }) => (
          <span data-testid={testIds.alerts.silence(row.original.id)}>
            {row.original.matchers.map(matcherText).join(', ')}
          </span>
        ),
      },
      { id: 'createdBy', header: l.columns.createdBy, cell: ({ row }) => row.original.createdBy },
      { id: 'comment', header: l.columns.comment, cell: ({ row }) => row.original.comment },
      {
        id: 'ends',
        header: l.columns.ends,
        cell: ({ row }) => {
          const s = row.original;
          return (
            <span title={`${formatTime(s.startsAt)} – ${formatTime(s.endsAt)}`}>
              {formatTime(s.endsAt)} ({formatAgo(s.endsAt)})
              {s.status.state === 'pending' ? ` · ${l.starts(formatAgo(s.startsAt))}` : ''}
            </span>
          );
        },
      },
      {
        id: 'actions',
        header: l.columns.actions,
        cell: ({ row }) =>
          row.original.status.state === 'expired' ? null : (
            <Button
              size="sm"
              variant="destructive"
              icon={expiring === row.original.id ? 'spinner' : 'times'}
              disabled={!canSilence || expiring !== undefined}
              tooltip={canSilence ? undefined : labels.alerts.editorOnly}
              onClick={() => expire(row.original.id)}
              data-testid={testIds.alerts.expire(row.original.id)}
            >
              {l.expire}
            </Button>
          ),
      },
    ];
  }, [canSilence, expiring, l, onNotice, retry]);

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
    const rows = [...list.data].sort(
      (a, b) => (ORDER[a.status.state] ?? 3) - (ORDER[b.status.state] ?? 3) || b.endsAt.localeCompare(a.endsAt)
    );
    body = (
      <div data-testid={testIds.alerts.silences}>
        <InteractiveTable columns={columns} data={rows} getRowId={(r) => r.id} />
      </div>
    );
  }
  return (
    <Stack direction="column" gap={1}>
      {actionError !== undefined && (
        <div data-testid={testIds.alerts.actionError}>
          <ErrorAlert error={actionError} apiUrlSet={apiUrlSet} />
        </div>
      )}
      {body}
    </Stack>
  );
}
