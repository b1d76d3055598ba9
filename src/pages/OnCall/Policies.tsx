import React, { useState } from 'react';
import { Badge, Button, Card, Checkbox, Field, IconButton, Input, LoadingPlaceholder, Stack, Text } from '@grafana/ui';
import {
  CHANNEL_KINDS,
  listChannels,
  listPolicies,
  listResponders,
  listSchedules,
  savePolicy,
  type Channel,
  type ChannelKind,
  type EscalationPolicy,
  type PolicyInput,
  type Responder,
  type Schedule,
  type Target,
} from '../../api/oncall';
import { ErrorAlert } from '../../components/ErrorAlert';
import { testIds } from '../../components/testIds';
import { useRequest } from '../../hooks/useRequest';
import { labels } from '../../labels';
import { AdminButton, DeleteControl, NativeSelect } from './controls';
import type { TabProps } from './OnCall';
import { messageOfError, policyFieldOfError } from './oncall-view';

const l = labels.oncall.policies;
const e = labels.oncall.policyEditor;

interface TargetForm {
  type: 'user' | 'schedule' | 'channel';
  user: string;
  schedule: string;
  channel: ChannelKind;
  channel_id: string;
  address?: string;
}
interface StepForm {
  wait_minutes: string;
  important: boolean;
  targets: TargetForm[];
}
export interface PolicyForm {
  id: string;
  name: string;
  tenant_id: string;
  is_default: boolean;
  steps: StepForm[];
  repeat_times: string;
  repeat_after: string;
  reminder: string;
}

const blankTarget = (): TargetForm => ({ type: 'user', user: '', schedule: '', channel: 'email', channel_id: '' });

function targetForm(t: Target): TargetForm {
  const base = blankTarget();
  if (t.type === 'user') {
    return { ...base, type: 'user', user: t.user };
  }
  if (t.type === 'schedule') {
    return { ...base, type: 'schedule', schedule: t.schedule };
  }
  return { ...base, type: 'channel', channel: t.channel, channel_id: t.channel_id ?? '', address: t.address };
}

export function policyForm(p: EscalationPolicy | undefined): PolicyForm {
  return {
    id: '',
    name: p?.name ?? '',
    tenant_id: p?.tenant_id ?? '',
    is_default: p?.is_default ?? false,
    steps: (p?.steps ?? [{ wait_minutes: 0, important: false, targets: [] }]).map((s) => ({
      wait_minutes: String(s.wait_minutes),
      important: s.important,
      targets: s.targets.length ? s.targets.map(targetForm) : [blankTarget()],
    })),
    repeat_times: String(p?.repeat.times ?? 0),
    repeat_after: String(p?.repeat.after_minutes ?? 15),
    reminder: p?.reminder_minutes === null || p?.reminder_minutes === undefined ? '' : String(p.reminder_minutes),
  };
}

/** The body the backend takes; numbers stay as typed (NaN for junk) so the backend's 400 names the field. */
export function policyBody(f: PolicyForm, isNew: boolean): PolicyInput {
  const num = (s: string) => (s.trim() === '' ? Number.NaN : Number(s));
  return {
    ...(isNew && f.id ? { id: f.id } : {}),
    name: f.name,
    tenant_id: f.tenant_id.trim() || null,
    is_default: f.is_default,
    steps: f.steps.map((s) => ({
      wait_minutes: num(s.wait_minutes),
      important: s.important,
      targets: s.targets.map((t): Target => {
        if (t.type === 'user') {
          return { type: 'user', user: t.user };
        }
        if (t.type === 'schedule') {
          return { type: 'schedule', schedule: t.schedule };
        }
        return {
          type: 'channel',
          channel: t.channel,
          ...(t.channel_id ? { channel_id: t.channel_id } : {}),
          ...(t.address ? { address: t.address } : {}),
        };
      }),
    })),
    repeat: { times: num(f.repeat_times), after_minutes: num(f.repeat_after) },
    reminder_minutes: f.reminder.trim() === '' ? null : num(f.reminder),
  };
}

interface Directory {
  responders: Responder[];
  schedules: Schedule[];
  channels: Channel[];
}

function FieldError({ field, error }: { field: string; error?: { field?: string; error: unknown } }) {
  if (!error || error.field !== field) {
    return null;
  }
  return (
    <div data-testid={testIds.oncall.fieldError(field)}>
      <Text color="error">{messageOfError(error.error)}</Text>
    </div>
  );
}

function PolicyEditor({
  policy,
  directory,
  admin,
  onClose,
  onSaved,
}: {
  policy?: EscalationPolicy;
  directory: Directory;
  admin: boolean;
  onClose: () => void;
  onSaved: (name: string) => void;
}) {
  const [form, setForm] = useState<PolicyForm>(() => policyForm(policy));
  const [error, setError] = useState<{ field?: string; error: unknown }>();
  const [busy, setBusy] = useState(false);
  const readOnly = !admin;
  const setStep = (i: number, patch: Partial<StepForm>) =>
    setForm({ ...form, steps: form.steps.map((s, j) => (j === i ? { ...s, ...patch } : s)) });
  const setTarget = (i: number, k: number, patch: Partial<TargetForm>) =>
    setStep(i, { targets: form.steps[i]!.targets.map((t, j) => (j === k ? { ...t, ...patch } : t)) });

  const save = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const saved = await savePolicy(policy?.id, policyBody(form, !policy));
      onSaved(saved.name);
    } catch (err) {
      setError({ field: policyFieldOfError(err), error: err });
    } finally {
      setBusy(false);
    }
  };
  const opts = (xs: Array<{ id: string; name: string }>, current: string) => {
    const list = xs.map((x) => ({ value: x.id, label: `${x.name} (${x.id})` }));
    return list.some((o) => o.value === current) || !current
      ? [{ value: '', label: '—' }, ...list]
      : [{ value: current, label: current }, ...list];
  };

  return (
    <div data-testid={testIds.oncall.policyEditor}>
      <Card noMargin>
        <Card.Heading>{policy ? e.titleEdit(policy.name) : e.titleNew}</Card.Heading>
        <Card.Description>
          <Stack direction="column" gap={1}>
            <Stack direction="row" gap={1} wrap="wrap" alignItems="flex-end">
              {!policy && (
                <Field label={e.id} noMargin>
                  <Input
                    value={form.id}
                    disabled={readOnly}
                    onChange={(ev) => setForm({ ...form, id: ev.currentTarget.value })}
                    data-testid={testIds.oncall.policyField('id')}
                  />
                </Field>
              )}
              <Field label={e.name} noMargin>
                <Input
                  value={form.name}
                  disabled={readOnly}
                  onChange={(ev) => setForm({ ...form, name: ev.currentTarget.value })}
                  data-testid={testIds.oncall.policyField('name')}
                />
              </Field>
              <Field label={e.tenant} description={e.tenantHint} noMargin>
                <Input
                  value={form.tenant_id}
                  disabled={readOnly || Boolean(policy)}
                  onChange={(ev) => setForm({ ...form, tenant_id: ev.currentTarget.value })}
                  data-testid={testIds.oncall.policyField('tenant_id')}
                />
              </Field>
              <Checkbox
                label={e.isDefault}
                value={form.is_default}
                disabled={readOnly}
                onChange={(ev) => setForm({ ...form, is_default: ev.currentTarget.checked })}
                data-testid={testIds.oncall.policyField('is_default')}
              />
            </Stack>
            <FieldError field="name" error={error} />
            <FieldError field="tenant_id" error={error} />
            <FieldError field="is_default" error={error} />
            <FieldError field="steps" error={error} />
            {form.steps.map((s, i) => (
              <Card key={i} noMargin>
                <Card.Heading>{e.step(i)}</Card.Heading>
                <Card.Description>
                  <Stack direction="column" gap={1}>
                    <Stack direction="row" gap={1} alignItems="flex-end">
                      <Field label={e.wait} description={e.waitHint} noMargin>
                        <Input
                          width={10}
                          type="number"
                          value={s.wait_minutes}
                          disabled={readOnly}
                          onChange={(ev) => setStep(i, { wait_minutes: ev.currentTarget.value })}
                          data-testid={testIds.oncall.stepField(i, 'wait_minutes')}
                        />
                      </Field>
                      <Checkbox
                        label={e.important}
                        value={s.important}
                        disabled={readOnly}
                        onChange={(ev) => setStep(i, { important: ev.currentTarget.checked })}
                        data-testid={testIds.oncall.stepField(i, 'important')}
                      />
                      <Button
                        variant="secondary"
                        fill="text"
                        icon="trash-alt"
                        size="sm"
                        disabled={readOnly || form.steps.length === 1}
                        onClick={() => setForm({ ...form, steps: form.steps.filter((_, j) => j !== i) })}
                        data-testid={testIds.oncall.stepField(i, 'remove')}
                      >
                        {e.removeStep}
                      </Button>
                    </Stack>
                    <FieldError field={`steps.${i}.wait_minutes`} error={error} />
                    <Text color="secondary">{e.targets}</Text>
                    {s.targets.map((t, k) => (
                      <Stack key={k} direction="row" gap={1} alignItems="center">
                        <NativeSelect
                          aria-label={e.targetType}
                          value={t.type}
                          disabled={readOnly}
                          options={(['user', 'schedule', 'channel'] as const).map((v) => ({
                            value: v,
                            label: e.targetTypes[v] ?? v,
                          }))}
                          onChange={(v) => setTarget(i, k, { type: v as TargetForm['type'] })}
                          data-testid={testIds.oncall.targetField(i, k, 'type')}
                        />
                        {t.type === 'user' && (
                          <NativeSelect
                            aria-label={e.user}
                            value={t.user}
                            disabled={readOnly}
                            options={opts(directory.responders, t.user)}
                            onChange={(v) => setTarget(i, k, { user: v })}
                            data-testid={testIds.oncall.targetField(i, k, 'user')}
                          />
                        )}
                        {t.type === 'schedule' && (
                          <NativeSelect
                            aria-label={e.schedule}
                            value={t.schedule}
                            disabled={readOnly}
                            options={opts(directory.schedules, t.schedule)}
                            onChange={(v) => setTarget(i, k, { schedule: v })}
                            data-testid={testIds.oncall.targetField(i, k, 'schedule')}
                          />
                        )}
                        {t.type === 'channel' && (
                          <>
                            <NativeSelect
                              aria-label={e.channelKind}
                              value={t.channel}
                              disabled={readOnly}
                              options={CHANNEL_KINDS.map((c) => ({ value: c, label: c }))}
                              onChange={(v) => setTarget(i, k, { channel: v as ChannelKind, channel_id: '' })}
                              data-testid={testIds.oncall.targetField(i, k, 'channel')}
                            />
                            <NativeSelect
                              aria-label={e.channelId}
                              value={t.channel_id}
                              disabled={readOnly}
                              options={[
                                { value: '', label: e.anyChannel },
                                ...directory.channels
                                  .filter((c) => c.kind === t.channel)
                                  .map((c) => ({ value: c.id, label: c.name })),
                              ]}
                              onChange={(v) => setTarget(i, k, { channel_id: v })}
                              data-testid={testIds.oncall.targetField(i, k, 'channel_id')}
                            />
                          </>
                        )}
                        <IconButton
                          name="times"
                          tooltip={labels.oncall.remove}
                          disabled={readOnly}
                          onClick={() => setStep(i, { targets: s.targets.filter((_, j) => j !== k) })}
                        />
                      </Stack>
                    ))}
                    <div>
                      <Button
                        variant="secondary"
                        size="sm"
                        icon="plus"
                        disabled={readOnly}
                        onClick={() => setStep(i, { targets: [...s.targets, blankTarget()] })}
                        data-testid={testIds.oncall.stepField(i, 'add_target')}
                      >
                        {e.addTarget}
                      </Button>
                    </div>
                    <FieldError field={`steps.${i}.targets`} error={error} />
                  </Stack>
                </Card.Description>
              </Card>
            ))}
            <div>
              <Button
                variant="secondary"
                size="sm"
                icon="plus"
                disabled={readOnly}
                onClick={() =>
                  setForm({
                    ...form,
                    steps: [...form.steps, { wait_minutes: '15', important: false, targets: [blankTarget()] }],
                  })
                }
                data-testid={testIds.oncall.policyField('add_step')}
              >
                {e.addStep}
              </Button>
            </div>
            <Stack direction="row" gap={1} alignItems="flex-end">
              <Field label={e.repeatTimes} noMargin>
                <Input
                  width={10}
                  type="number"
                  value={form.repeat_times}
                  disabled={readOnly}
                  onChange={(ev) => setForm({ ...form, repeat_times: ev.currentTarget.value })}
                  data-testid={testIds.oncall.policyField('repeat_times')}
                />
              </Field>
              <Field label={e.repeatAfter} noMargin>
                <Input
                  width={10}
                  type="number"
                  value={form.repeat_after}
                  disabled={readOnly}
                  onChange={(ev) => setForm({ ...form, repeat_after: ev.currentTarget.value })}
                  data-testid={testIds.oncall.policyField('repeat_after')}
                />
              </Field>
              <Field label={e.reminder} description={e.reminderHint} noMargin>
                <Input
                  width={10}
                  type="number"
                  value={form.reminder}
                  disabled={readOnly}
                  onChange={(ev) => setForm({ ...form, reminder: ev.currentTarget.value })}
                  data-testid={testIds.oncall.policyField('reminder')}
                />
              </Field>
            </Stack>
            <FieldError field="repeat" error={error} />
            <FieldError field="reminder_minutes" error={error} />
            {error && error.field === undefined && (
              <div data-testid={testIds.oncall.actionError}>
                <Text color="error">{messageOfError(error.error)}</Text>
              </div>
            )}
            <Stack direction="row" gap={1}>
              <AdminButton admin={admin} size="md" onClick={save} disabled={busy} data-testid={testIds.oncall.save}>
                {labels.oncall.save}
              </AdminButton>
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

function describeTarget(t: Target, d: Directory): string {
  if (t.type === 'user') {
    return d.responders.find((r) => r.id === t.user)?.name ?? t.user;
  }
  if (t.type === 'schedule') {
    return `${e.targetTypes.schedule} ${d.schedules.find((s) => s.id === t.schedule)?.name ?? t.schedule}`;
  }
  const one = t.channel_id ? (d.channels.find((c) => c.id === t.channel_id)?.name ?? t.channel_id) : undefined;
  return `${t.channel}${one ? `: ${one}` : t.address ? `: ${t.address}` : ''}`;
}

async function load(signal: AbortSignal): Promise<{ policies: EscalationPolicy[]; directory: Directory }> {
  const [policies, responders, schedules, channels] = await Promise.all([
    listPolicies({ signal }),
    listResponders({ signal }),
    listSchedules({ signal }),
    listChannels({ signal }),
  ]);
  return { policies, directory: { responders, schedules, channels } };
}

/** Escalation policies: the list and an editor of the ordered steps; the backend's 400 reason shows at the field. */
export function Policies({ admin, apiUrlSet, onNotice }: TabProps) {
  const data = useRequest('policies', load);
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
  const { policies, directory } = data.data;
  const saved = (name: string) => {
    setEditing(undefined);
    onNotice(labels.oncall.saved(name));
    data.retry();
  };
  return (
    <div data-testid={testIds.oncall.policies}>
      <Stack direction="column" gap={2}>
        <div>
          <AdminButton
            admin={admin}
            icon="plus"
            onClick={() => setEditing('new')}
            data-testid={testIds.oncall.newPolicy}
          >
            {l.newPolicy}
          </AdminButton>
        </div>
        {editing === 'new' && (
          <PolicyEditor directory={directory} admin={admin} onClose={() => setEditing(undefined)} onSaved={saved} />
        )}
        {policies.length === 0 && (
          <div data-testid={testIds.oncall.empty}>
            <Text color="secondary">{l.empty}</Text>
          </div>
        )}
        {policies.map((p) =>
          editing === p.id ? (
            <PolicyEditor
              key={p.id}
              policy={p}
              directory={directory}
              admin={admin}
              onClose={() => setEditing(undefined)}
              onSaved={saved}
            />
          ) : (
            <div key={p.id} data-testid={testIds.oncall.policy(p.id)}>
              <Card noMargin>
                <Card.Heading>{p.name}</Card.Heading>
                <Card.Meta>
                  {[
                    p.tenant_id ?? labels.oncall.platform,
                    l.steps(p.steps.length),
                    l.repeat(p.repeat.times, p.repeat.after_minutes),
                    l.reminder(p.reminder_minutes),
                    l.origin[p.origin] ?? p.origin,
                  ]}
                </Card.Meta>
                <Card.Tags>{p.is_default ? <Badge color="green" text={l.default} /> : null}</Card.Tags>
                <Card.Description>
                  <ol>
                    {p.steps.map((s, i) => (
                      <li key={i}>
                        +{s.wait_minutes} min: {s.targets.map((t) => describeTarget(t, directory)).join(', ')}
                        {s.important ? ` (${e.important.toLowerCase()})` : ''}
                      </li>
                    ))}
                  </ol>
                </Card.Description>
                <Card.Actions>
                  <Button
                    variant="secondary"
                    size="sm"
                    icon={admin ? 'pen' : 'eye'}
                    onClick={() => setEditing(p.id)}
                    data-testid={testIds.oncall.editPolicy(p.id)}
                  >
                    {labels.oncall.edit}
                  </Button>
                  <DeleteControl
                    admin={admin}
                    what="policy"
                    id={p.id}
                    name={p.name}
                    onDeleted={(name) => {
                      onNotice(labels.oncall.deleted(name));
                      data.retry();
                    }}
                  />
                </Card.Actions>
              </Card>
            </div>
          )
        )}
      </Stack>
    </div>
  );
}
