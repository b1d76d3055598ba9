import React, { useEffect, useState } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import {
  Badge,
  Button,
  Card,
  Field,
  Input,
  LoadingPlaceholder,
  Stack,
  Switch,
  Text,
  TextLink,
  useStyles2,
} from '@grafana/ui';
import {
  ALERTMANAGER_YML_URL,
  CHANNEL_KINDS,
  listChannelDeliveries,
  listChannels,
  saveChannel,
  testChannel,
  type Channel,
  type ChannelDelivery,
  type ChannelInput,
  type ChannelKind,
} from '../../api/oncall';
import { ErrorAlert } from '../../components/ErrorAlert';
import { testIds } from '../../components/testIds';
import { useRequest } from '../../hooks/useRequest';
import { labels } from '../../labels';
import { formatTime } from '../../utils/format';
import { ActionError, AdminButton, DeleteControl, NativeSelect } from './controls';
import type { TabProps } from './OnCall';

const l = labels.oncall.channels;
const f = labels.oncall.channelForm;
/** How often, and how long, a test send is followed until it settles. */
export const TEST_POLL_MS = 1_000;
const TEST_POLL_LIMIT = 60;

const getStyles = (theme: GrafanaTheme2) => ({
  table: css({
    borderCollapse: 'collapse',
    width: '100%',
    'th, td': {
      textAlign: 'left',
      padding: theme.spacing(0.5, 1),
      borderBottom: `1px solid ${theme.colors.border.weak}`,
      verticalAlign: 'top',
    },
    th: { color: theme.colors.text.secondary, fontWeight: theme.typography.fontWeightMedium },
  }),
});

const STATUS_COLOR: Record<string, 'green' | 'red' | 'blue' | 'orange'> = {
  sent: 'green',
  failed: 'red',
  queued: 'blue',
  sending: 'orange',
};

function StatusBadge({ status }: { status: string }) {
  return <Badge color={STATUS_COLOR[status] ?? 'blue'} text={status} />;
}

// ---- the form ----

interface ChannelForm {
  kind: ChannelKind;
  name: string;
  tenant_id: string;
  enabled: boolean;
  to: string;
  from: string;
  api_url: string;
  url: string;
  webhook_url: string;
  routing_key: string;
  account_sid: string;
  auth_token: string;
  signing_secret: string;
}

function channelForm(c?: Channel): ChannelForm {
  return {
    kind: c?.kind ?? 'webhook',
    name: c?.name ?? '',
    tenant_id: c?.tenant_id ?? '',
    enabled: c?.enabled ?? true,
    to: (c?.settings.to ?? []).join(', '),
    from: c?.settings.from ?? '',
    api_url: c?.settings.api_url ?? '',
    url: c?.settings.url ?? '',
    webhook_url: '',
    routing_key: '',
    account_sid: '',
    auth_token: '',
    signing_secret: '',
  };
}

/** The fields each kind takes (contracts/channels.ts): settings in the clear, secrets sealed and never shown again. */
const KIND_FIELDS: Record<ChannelKind, { settings: Array<keyof ChannelForm>; secrets: Array<keyof ChannelForm> }> = {
  email: { settings: ['to'], secrets: [] },
  slack: { settings: [], secrets: ['webhook_url'] },
  pagerduty: { settings: ['api_url'], secrets: ['routing_key'] },
  sms: { settings: ['api_url', 'from', 'to'], secrets: ['account_sid', 'auth_token'] },
  phone: { settings: ['api_url', 'from', 'to'], secrets: ['account_sid', 'auth_token'] },
  webhook: { settings: ['url'], secrets: ['signing_secret'] },
};

const FIELD_LABEL: Partial<Record<keyof ChannelForm, string>> = {
  to: f.to,
  from: f.from,
  api_url: f.apiUrl,
  url: f.url,
  webhook_url: f.webhookUrl,
  routing_key: f.routingKey,
  account_sid: f.accountSid,
  auth_token: f.authToken,
  signing_secret: f.signingSecret,
};

export function channelBody(form: ChannelForm, isNew: boolean): ChannelInput {
  const { settings, secrets } = KIND_FIELDS[form.kind];
  const s: Record<string, unknown> = {};
  for (const k of settings) {
    const v = String(form[k]).trim();
    if (v) {
      s[k] =
        k === 'to'
          ? v
              .split(',')
              .map((x) => x.trim())
              .filter(Boolean)
          : v;
    }
  }
  const secret: Record<string, string> = {};
  for (const k of secrets) {
    const v = String(form[k]).trim();
    if (v) {
      secret[k] = v;
    }
  }
  return {
    ...(isNew ? { kind: form.kind, tenant_id: form.tenant_id.trim() || null } : { kind: form.kind }),
    name: form.name,
    enabled: form.enabled,
    settings: s,
    ...(Object.keys(secret).length ? { secret } : {}),
  } as ChannelInput;
}

function ChannelEditor({
  channel,
  onClose,
  onSaved,
}: {
  channel?: Channel;
  onClose: () => void;
  onSaved: (name: string) => void;
}) {
  const [form, setForm] = useState<ChannelForm>(() => channelForm(channel));
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const { settings, secrets } = KIND_FIELDS[form.kind];
  const save = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const saved = await saveChannel(channel?.id, channelBody(form, !channel));
      onSaved(saved.name);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const input = (k: keyof ChannelForm, secret: boolean) => (
    <Field
      key={k}
      label={FIELD_LABEL[k] ?? k}
      description={k === 'to' ? f.toHint[form.kind] : secret && channel?.secret.set ? f.secretKept : undefined}
      noMargin
    >
      <Input
        width={40}
        type={secret ? 'password' : 'text'}
        autoComplete="off"
        value={String(form[k])}
        onChange={(e) => setForm({ ...form, [k]: e.currentTarget.value })}
        data-testid={testIds.oncall.channelField(k)}
      />
    </Field>
  );
  return (
    <div data-testid={testIds.oncall.channelForm}>
      <Card noMargin>
        <Card.Heading>{channel ? f.titleEdit(channel.name) : f.titleNew}</Card.Heading>
        <Card.Description>
          <Stack direction="column" gap={1}>
            <Stack direction="row" gap={1} wrap="wrap" alignItems="flex-end">
              <Field label={f.kind} noMargin>
                <NativeSelect
                  value={form.kind}
                  disabled={Boolean(channel)}
                  options={CHANNEL_KINDS.map((k) => ({ value: k, label: k }))}
                  onChange={(v) => setForm({ ...form, kind: v as ChannelKind })}
                  data-testid={testIds.oncall.channelField('kind')}
                />
              </Field>
              <Field label={f.name} noMargin>
                <Input
                  value={form.name}
                  onChange={(e) => setForm({ ...form, name: e.currentTarget.value })}
                  data-testid={testIds.oncall.channelField('name')}
                />
              </Field>
              <Field label={f.tenant} description={f.tenantHint} noMargin>
                <Input
                  value={form.tenant_id}
                  disabled={Boolean(channel)}
                  onChange={(e) => setForm({ ...form, tenant_id: e.currentTarget.value })}
                  data-testid={testIds.oncall.channelField('tenant_id')}
                />
              </Field>
              <Field label={f.enabled} noMargin>
                <Switch
                  value={form.enabled}
                  onChange={(e) => setForm({ ...form, enabled: e.currentTarget.checked })}
                  data-testid={testIds.oncall.channelField('enabled')}
                />
              </Field>
            </Stack>
            <Stack direction="row" gap={1} wrap="wrap">
              {settings.map((k) => input(k, false))}
              {secrets.map((k) => input(k, true))}
            </Stack>
            <ActionError error={error} />
            <Stack direction="row" gap={1}>
              <Button onClick={save} disabled={busy} data-testid={testIds.oncall.save}>
                {labels.oncall.save}
              </Button>
              <Button variant="secondary" onClick={onClose} data-testid={testIds.oncall.cancel}>
                {labels.oncall.cancel}
              </Button>
            </Stack>
          </Stack>
        </Card.Description>
      </Card>
    </div>
  );
}

// ---- the log and the test ----

function DeliveryLog({ channel, version, apiUrlSet }: { channel: Channel; version: number; apiUrlSet?: boolean }) {
  const styles = useStyles2(getStyles);
  const log = useRequest(`${channel.id}|${version}`, (signal) => listChannelDeliveries(channel.id, { signal }));
  const c = l.logColumns;
  let body: React.ReactNode;
  if (log.error !== undefined && !log.data) {
    body = <ErrorAlert error={log.error} apiUrlSet={apiUrlSet} onRetry={log.retry} testId={testIds.oncall.error} />;
  } else if (!log.data) {
    body = <LoadingPlaceholder text={l.loading} />;
  } else if (log.data.length === 0) {
    body = <Text color="secondary">{l.logEmpty}</Text>;
  } else {
    body = (
      <table className={styles.table}>
        <thead>
          <tr>
            <th>{c.time}</th>
            <th>{c.event}</th>
            <th>{c.status}</th>
            <th>{c.attempts}</th>
            <th>{c.error}</th>
            <th>{c.destination}</th>
          </tr>
        </thead>
        <tbody>
          {log.data.map((d: ChannelDelivery) => (
            <tr key={d.id} title={d.id}>
              <td>{formatTime(d.created_at)}</td>
              <td>{d.test ? `${d.event} (test)` : d.event}</td>
              <td>
                <StatusBadge status={d.status} />
              </td>
              <td>{d.attempts}</td>
              <td>{d.last_error ?? ''}</td>
              <td>{d.destination}</td>
            </tr>
          ))}
        </tbody>
      </table>
    );
  }
  return <div data-testid={testIds.oncall.deliveries(channel.id)}>{body}</div>;
}

/** Sends a test and follows its delivery in the channel's log until it is sent or failed. */
function useChannelTest(channelId: string, onSettled: () => void) {
  const [state, setState] = useState<{ id?: string; status?: string; error?: unknown; lastError?: string | null }>();
  const [polls, setPolls] = useState(0);
  useEffect(() => {
    if (!state?.id || state.status === 'sent' || state.status === 'failed' || polls >= TEST_POLL_LIMIT) {
      return;
    }
    const controller = new AbortController();
    const timer = setTimeout(() => {
      listChannelDeliveries(channelId, { signal: controller.signal }).then(
        (ds) => {
          const d = ds.find((x) => x.id === state.id);
          if (d) {
            setState((s) => (s ? { ...s, status: d.status, lastError: d.last_error } : s));
            if (d.status === 'sent' || d.status === 'failed') {
              onSettled();
            }
          }
          setPolls((n) => n + 1);
        },
        () => setPolls((n) => n + 1)
      );
    }, TEST_POLL_MS);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [channelId, state?.id, state?.status, polls, onSettled]);
  const send = async () => {
    setPolls(0);
    setState({});
    try {
      const answer = await testChannel(channelId);
      setState({ id: answer.delivery_id, status: 'queued' });
    } catch (error) {
      setState({ error });
    }
  };
  return { state, send };
}

function ChannelRow({
  channel,
  admin,
  apiUrlSet,
  onEdit,
  onDeleted,
}: {
  channel: Channel;
  admin: boolean;
  apiUrlSet?: boolean;
  onEdit: () => void;
  onDeleted: (name: string) => void;
}) {
  const [showLog, setShowLog] = useState(false);
  const [version, setVersion] = useState(0);
  const [onSettled] = useState(() => () => setVersion((v) => v + 1));
  const test = useChannelTest(channel.id, onSettled);
  return (
    <>
      <tr data-testid={testIds.oncall.channel(channel.id)}>
        <td>{channel.name}</td>
        <td>{channel.kind}</td>
        <td>{channel.tenant_id ?? labels.oncall.platform}</td>
        <td>
          {channel.enabled ? <Badge color="green" text={l.enabled} /> : <Badge color="orange" text={l.disabled} />}
        </td>
        <td>{channel.secret.set ? l.secretSet(channel.secret.hint) : l.secretNone}</td>
        <td>
          <Stack direction="row" gap={1}>
            <AdminButton
              admin={admin}
              variant="secondary"
              icon="pen"
              onClick={onEdit}
              data-testid={testIds.oncall.editChannel(channel.id)}
            >
              {labels.oncall.edit}
            </AdminButton>
            <AdminButton
              admin={admin}
              variant="primary"
              icon="message"
              onClick={() => {
                setShowLog(true);
                void test.send();
              }}
              data-testid={testIds.oncall.sendTest(channel.id)}
            >
              {l.sendTest}
            </AdminButton>
            <Button
              size="sm"
              variant="secondary"
              icon="list-ul"
              onClick={() => setShowLog(!showLog)}
              data-testid={testIds.oncall.showLog(channel.id)}
            >
              {showLog ? l.hideLog : l.log}
            </Button>
            <DeleteControl admin={admin} what="channel" id={channel.id} name={channel.name} onDeleted={onDeleted} />
          </Stack>
        </td>
      </tr>
      {(test.state || showLog) && (
        <tr>
          <td colSpan={6}>
            <Stack direction="column" gap={1}>
              {test.state?.error !== undefined && <ActionError error={test.state.error} />}
              {test.state?.id && (
                <div data-testid={testIds.oncall.testResult(channel.id)}>
                  <Stack direction="row" gap={1} alignItems="center">
                    <Text>{l.testQueued(test.state.id)}</Text>
                    <StatusBadge status={test.state.status ?? 'queued'} />
                    {test.state.lastError && <Text color="error">{test.state.lastError}</Text>}
                  </Stack>
                </div>
              )}
              {showLog && <DeliveryLog channel={channel} version={version} apiUrlSet={apiUrlSet} />}
            </Stack>
          </td>
        </tr>
      )}
    </>
  );
}

/** Channels: kind, name, tenant, enabled, whether a secret is set (never the secret); editor per kind; Send test; delivery log. */
export function Channels({ admin, apiUrlSet, onNotice }: TabProps) {
  const styles = useStyles2(getStyles);
  const data = useRequest('channels', (signal) => listChannels({ signal }));
  const [editing, setEditing] = useState<string>();
  if (data.error !== undefined && !data.data) {
    return <ErrorAlert error={data.error} apiUrlSet={apiUrlSet} onRetry={data.retry} testId={testIds.oncall.error} />;
  }
  if (!data.data) {
    return (
      <div data-testid={testIds.oncall.loading}>
        <LoadingPlaceholder text={l.loading} />
      </div>
    );
  }
  const saved = (name: string) => {
    setEditing(undefined);
    onNotice(labels.oncall.saved(name));
    data.retry();
  };
  const c = l.columns;
  const editingChannel = data.data.find((x) => x.id === editing);
  return (
    <div data-testid={testIds.oncall.channels}>
      <Stack direction="column" gap={2}>
        <Stack direction="row" gap={2} alignItems="center">
          <AdminButton
            admin={admin}
            icon="plus"
            onClick={() => setEditing('new')}
            data-testid={testIds.oncall.newChannel}
          >
            {l.newChannel}
          </AdminButton>
          <span data-testid={testIds.oncall.alertmanagerYml} title={l.alertmanagerYmlHint}>
            <TextLink href={ALERTMANAGER_YML_URL} external icon="file-alt">
              {l.alertmanagerYml}
            </TextLink>
          </span>
        </Stack>
        {editing === 'new' && <ChannelEditor onClose={() => setEditing(undefined)} onSaved={saved} />}
        {editingChannel && (
          <ChannelEditor
            key={editingChannel.id}
            channel={editingChannel}
            onClose={() => setEditing(undefined)}
            onSaved={saved}
          />
        )}
        {data.data.length === 0 ? (
          <div data-testid={testIds.oncall.empty}>
            <Text color="secondary">{l.empty}</Text>
          </div>
        ) : (
          <table className={styles.table}>
            <thead>
              <tr>
                <th>{c.name}</th>
                <th>{c.kind}</th>
                <th>{c.tenant}</th>
                <th>{c.enabled}</th>
                <th>{c.secret}</th>
                <th>{c.actions}</th>
              </tr>
            </thead>
            <tbody>
              {data.data.map((ch) => (
                <ChannelRow
                  key={ch.id}
                  channel={ch}
                  admin={admin}
                  apiUrlSet={apiUrlSet}
                  onEdit={() => setEditing(ch.id)}
                  onDeleted={(name) => {
                    onNotice(labels.oncall.deleted(name));
                    data.retry();
                  }}
                />
              ))}
            </tbody>
          </table>
        )}
      </Stack>
    </div>
  );
}
