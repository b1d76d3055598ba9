import React, { useState } from 'react';
import { css } from '@emotion/css';
import type { GrafanaTheme2 } from '@grafana/data';
import {
  Badge,
  Button,
  Card,
  Checkbox,
  Field,
  Input,
  LoadingPlaceholder,
  Stack,
  Text,
  TextArea,
  useStyles2,
} from '@grafana/ui';
import {
  addOverride,
  deleteOverride,
  getShifts,
  importIcal,
  listResponders,
  listSchedules,
  saveResponder,
  saveSchedule,
  type IcalImported,
  type Layer,
  type Responder,
  type Schedule,
  type ScheduleInput,
} from '../../api/oncall';
import { ErrorAlert } from '../../components/ErrorAlert';
import { testIds } from '../../components/testIds';
import { useRequest } from '../../hooks/useRequest';
import { labels } from '../../labels';
import { ActionError, AdminButton, DeleteControl, NativeSelect } from './controls';
import type { TabProps } from './OnCall';
import {
  CALENDAR_DAYS,
  calendarDays,
  inZone,
  isoToLocalInput,
  localInputToIso,
  zoneAbbreviations,
} from './oncall-view';

const l = labels.oncall.schedules;
const HOUR = 3_600_000;

const getStyles = (theme: GrafanaTheme2) => ({
  calendar: css({
    display: 'grid',
    gridTemplateColumns: 'minmax(8em, max-content) 1fr',
    rowGap: 2,
    columnGap: theme.spacing(2),
  }),
  day: css({ color: theme.colors.text.secondary, whiteSpace: 'nowrap', padding: theme.spacing(0.25, 0) }),
  entries: css({ display: 'flex', flexWrap: 'wrap', gap: theme.spacing(1), padding: theme.spacing(0.25, 0) }),
  entry: css({
    padding: theme.spacing(0, 1),
    borderRadius: theme.shape.radius.default,
    background: theme.colors.background.secondary,
    borderLeft: `3px solid ${theme.colors.primary.main}`,
  }),
  override: css({ borderLeftColor: theme.colors.warning.main }),
  table: css({
    borderCollapse: 'collapse',
    width: '100%',
    'th, td': {
      textAlign: 'left',
      padding: theme.spacing(0.5, 1),
      borderBottom: `1px solid ${theme.colors.border.weak}`,
    },
    th: { color: theme.colors.text.secondary, fontWeight: theme.typography.fontWeightMedium },
  }),
});

// ---- the calendar ----

function Calendar({ schedule, apiUrlSet, version }: { schedule: Schedule; apiUrlSet?: boolean; version: number }) {
  const styles = useStyles2(getStyles);
  const [from] = useState(() => new Date(Math.floor(Date.now() / HOUR) * HOUR));
  const to = new Date(from.getTime() + CALENDAR_DAYS * 24 * HOUR);
  const shifts = useRequest(`${schedule.id}|${schedule.updated_at}|${version}`, (signal) =>
    getShifts(schedule.id, from, to, { signal })
  );
  const zone = schedule.time_zone;
  if (shifts.error !== undefined && !shifts.data) {
    return (
      <ErrorAlert error={shifts.error} apiUrlSet={apiUrlSet} onRetry={shifts.retry} testId={testIds.oncall.error} />
    );
  }
  if (!shifts.data) {
    return <LoadingPlaceholder text={l.calendarLoading} />;
  }
  const days = calendarDays(shifts.data.shifts, zone, from, to);
  return (
    <div data-testid={testIds.oncall.calendar(schedule.id)}>
      <Stack direction="column" gap={1}>
        <Text weight="medium">{l.calendarTitle(zone, zoneAbbreviations(zone, from, to))}</Text>
        <div className={styles.calendar}>
          {days.map((day) => (
            <React.Fragment key={day.date}>
              <div className={styles.day}>{day.label}</div>
              <div className={styles.entries} data-testid={testIds.oncall.day(schedule.id, day.date)}>
                {day.entries.length === 0 ? (
                  <Text color="warning">{l.nobody}</Text>
                ) : (
                  day.entries.map((e, i) => (
                    <span
                      key={i}
                      className={`${styles.entry} ${e.shift.source === 'override' ? styles.override : ''}`}
                      title={`${e.shift.start_local} – ${e.shift.end_local} (${e.shift.source}${e.shift.layer ? `: ${e.shift.layer}` : ''})`}
                    >
                      {e.start}–{e.end} {e.abbr} {e.shift.responder?.name ?? e.shift.responder_id}
                      {e.shift.source === 'override' ? ` (${labels.oncall.now.override})` : ''}
                    </span>
                  ))
                )}
              </div>
            </React.Fragment>
          ))}
        </div>
      </Stack>
    </div>
  );
}

// ---- overrides ----

function Overrides({
  schedule,
  responders,
  admin,
  onChanged,
  onNotice,
}: {
  schedule: Schedule;
  responders: Responder[];
  admin: boolean;
  onChanged: () => void;
  onNotice: (t: string) => void;
}) {
  const styles = useStyles2(getStyles);
  const zone = schedule.time_zone;
  const [open, setOpen] = useState(false);
  // The next full hour, for eight hours: a typical swap, read once when the form is first shown.
  const [form, setForm] = useState(() => {
    const start = Math.ceil(Date.now() / HOUR) * HOUR;
    return {
      responder_id: responders[0]?.id ?? '',
      from: isoToLocalInput(new Date(start).toISOString(), zone),
      to: isoToLocalInput(new Date(start + 8 * HOUR).toISOString(), zone),
      note: '',
    };
  });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const name = (id: string) => responders.find((r) => r.id === id)?.name ?? id;

  const create = async () => {
    const from = localInputToIso(form.from, zone);
    const to = localInputToIso(form.to, zone);
    if (!form.responder_id || !from || !to) {
      setError(new Error(l.needsTimes));
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      await addOverride(schedule.id, { responder_id: form.responder_id, from, to, note: form.note || null });
      setOpen(false);
      onNotice(l.overrideAdded);
      onChanged();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const remove = async (oid: string) => {
    setError(undefined);
    try {
      await deleteOverride(schedule.id, oid);
      onNotice(l.overrideDeleted);
      onChanged();
    } catch (e) {
      setError(e);
    }
  };

  return (
    <div data-testid={testIds.oncall.overrides(schedule.id)}>
      <Stack direction="column" gap={1}>
        <Stack direction="row" gap={1} alignItems="center">
          <Text weight="medium">{l.overrides}</Text>
          <AdminButton
            admin={admin}
            variant="secondary"
            icon="plus"
            onClick={() => setOpen(!open)}
            data-testid={testIds.oncall.addOverride(schedule.id)}
          >
            {l.addOverride}
          </AdminButton>
        </Stack>
        {schedule.overrides.length === 0 ? (
          <Text color="secondary">{l.noOverrides}</Text>
        ) : (
          <table className={styles.table}>
            <tbody>
              {schedule.overrides.map((o) => (
                <tr key={o.id} data-testid={testIds.oncall.override(o.id)}>
                  <td>{name(o.responder_id)}</td>
                  <td>
                    {inZone(o.from, zone)} – {inZone(o.to, zone)}
                  </td>
                  <td>{o.note ?? ''}</td>
                  <td>
                    <AdminButton
                      admin={admin}
                      variant="destructive"
                      fill="text"
                      icon="trash-alt"
                      onClick={() => remove(o.id)}
                      data-testid={testIds.oncall.deleteOverride(o.id)}
                    >
                      {l.deleteOverride}
                    </AdminButton>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {open && admin && (
          <div data-testid={testIds.oncall.overrideForm(schedule.id)}>
            <Stack direction="row" gap={1} alignItems="flex-end" wrap="wrap">
              <Field label={l.overrideResponder} noMargin>
                <NativeSelect
                  value={form.responder_id}
                  options={responders.map((r) => ({ value: r.id, label: r.name }))}
                  onChange={(v) => setForm({ ...form, responder_id: v })}
                  data-testid={testIds.oncall.overrideField('responder')}
                />
              </Field>
              <Field label={l.overrideFrom} description={l.overrideZone(zone)} noMargin>
                <Input
                  type="datetime-local"
                  value={form.from}
                  onChange={(e) => setForm({ ...form, from: e.currentTarget.value })}
                  data-testid={testIds.oncall.overrideField('from')}
                />
              </Field>
              <Field label={l.overrideTo} description={l.overrideZone(zone)} noMargin>
                <Input
                  type="datetime-local"
                  value={form.to}
                  onChange={(e) => setForm({ ...form, to: e.currentTarget.value })}
                  data-testid={testIds.oncall.overrideField('to')}
                />
              </Field>
              <Field label={l.overrideNote} noMargin>
                <Input
                  value={form.note}
                  onChange={(e) => setForm({ ...form, note: e.currentTarget.value })}
                  data-testid={testIds.oncall.overrideField('note')}
                />
              </Field>
              <Button onClick={create} disabled={busy} data-testid={testIds.oncall.overrideField('create')}>
                {l.overrideCreate}
              </Button>
            </Stack>
          </div>
        )}
        <ActionError error={error} />
      </Stack>
    </div>
  );
}

// ---- the schedule form ----

interface LayerForm {
  name: string;
  priority: string;
  participants: string;
  rotation: 'daily' | 'weekly';
  every: string;
  handoff: string;
  handoff_weekday: string;
  starts_at: string;
  /** the layer's days and times as stored: the form does not edit them, and keeps them on save */
  restriction?: Layer['restriction'];
}

const today = () => new Date().toISOString().slice(0, 10);
const newLayer = (i: number): LayerForm => ({
  name: `Layer ${i + 1}`,
  priority: '0',
  participants: '',
  rotation: 'weekly',
  every: '1',
  handoff: '09:00',
  handoff_weekday: '1',
  starts_at: today(),
});

export function toLayers(s: Schedule | undefined): LayerForm[] {
  return (s?.layers ?? []).map((x) => ({
    name: x.name,
    priority: String(x.priority),
    participants: x.participants.join(', '),
    rotation: x.rotation === 'daily' ? 'daily' : 'weekly',
    every: String(x.every),
    handoff: x.handoff,
    handoff_weekday: String(x.handoff_weekday ?? 1),
    starts_at: x.starts_at,
    restriction: x.restriction,
  }));
}

export function scheduleBody(
  id: string,
  name: string,
  zone: string,
  layers: LayerForm[],
  tenant: string | null | undefined
): ScheduleInput {
  return {
    ...(id ? { id } : {}),
    ...(tenant === undefined ? {} : { tenant_id: tenant }),
    name,
    time_zone: zone,
    layers: layers.map((x) => ({
      name: x.name,
      priority: Number(x.priority) || 0,
      participants: x.participants
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean),
      rotation: x.rotation,
      every: Number(x.every) || 1,
      handoff: x.handoff,
      handoff_weekday: x.rotation === 'weekly' ? Number(x.handoff_weekday) || 1 : null,
      starts_at: x.starts_at,
      ...(x.restriction ? { restriction: x.restriction } : {}),
    })),
  };
}

function ScheduleForm({
  schedule,
  responders,
  onClose,
  onSaved,
}: {
  schedule?: Schedule;
  responders: Responder[];
  onClose: () => void;
  onSaved: (name: string) => void;
}) {
  const f = labels.oncall.scheduleForm;
  const [id, setId] = useState('');
  const [name, setName] = useState(schedule?.name ?? '');
  const [zone, setZone] = useState(schedule?.time_zone ?? Intl.DateTimeFormat().resolvedOptions().timeZone ?? 'UTC');
  const [layers, setLayers] = useState<LayerForm[]>(() => (schedule ? toLayers(schedule) : [newLayer(0)]));
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const setLayer = (i: number, patch: Partial<LayerForm>) =>
    setLayers(layers.map((x, j) => (j === i ? { ...x, ...patch } : x)));

  const save = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const saved = await saveSchedule(
        schedule?.id,
        scheduleBody(schedule ? '' : id, name, zone, layers, schedule?.tenant_id)
      );
      onSaved(saved.name);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const weekdays = f.weekdays.map((d, i) => ({ value: String(i + 1), label: d }));

  return (
    <div data-testid={testIds.oncall.scheduleForm}>
      <Card noMargin>
        <Card.Heading>{schedule ? f.titleEdit(schedule.name) : f.titleNew}</Card.Heading>
        <Card.Description>
          <Stack direction="column" gap={1}>
            <Stack direction="row" gap={1} wrap="wrap">
              {!schedule && (
                <Field label={f.id} description={f.idHint} noMargin>
                  <Input
                    value={id}
                    onChange={(e) => setId(e.currentTarget.value)}
                    data-testid={testIds.oncall.scheduleField('id')}
                  />
                </Field>
              )}
              <Field label={f.name} noMargin>
                <Input
                  value={name}
                  onChange={(e) => setName(e.currentTarget.value)}
                  data-testid={testIds.oncall.scheduleField('name')}
                />
              </Field>
              <Field label={f.timeZone} description={f.timeZoneHint} noMargin>
                <Input
                  value={zone}
                  onChange={(e) => setZone(e.currentTarget.value)}
                  data-testid={testIds.oncall.scheduleField('time_zone')}
                />
              </Field>
            </Stack>
            <Text weight="medium">{f.layers}</Text>
            {layers.map((x, i) => (
              <Stack key={i} direction="row" gap={1} wrap="wrap" alignItems="flex-end">
                <Field label={f.layerName} noMargin>
                  <Input
                    value={x.name}
                    onChange={(e) => setLayer(i, { name: e.currentTarget.value })}
                    data-testid={testIds.oncall.layerField(i, 'name')}
                  />
                </Field>
                <Field label={f.rotation} noMargin>
                  <NativeSelect
                    value={x.rotation}
                    options={[
                      { value: 'daily', label: 'daily' },
                      { value: 'weekly', label: 'weekly' },
                    ]}
                    onChange={(v) => setLayer(i, { rotation: v === 'daily' ? 'daily' : 'weekly' })}
                    data-testid={testIds.oncall.layerField(i, 'rotation')}
                  />
                </Field>
                <Field label={f.every} noMargin>
                  <Input
                    width={8}
                    type="number"
                    value={x.every}
                    onChange={(e) => setLayer(i, { every: e.currentTarget.value })}
                    data-testid={testIds.oncall.layerField(i, 'every')}
                  />
                </Field>
                <Field label={f.handoff} noMargin>
                  <Input
                    width={10}
                    value={x.handoff}
                    onChange={(e) => setLayer(i, { handoff: e.currentTarget.value })}
                    data-testid={testIds.oncall.layerField(i, 'handoff')}
                  />
                </Field>
                {x.rotation === 'weekly' && (
                  <Field label={f.weekday} noMargin>
                    <NativeSelect
                      value={x.handoff_weekday}
                      options={weekdays}
                      onChange={(v) => setLayer(i, { handoff_weekday: v })}
                      data-testid={testIds.oncall.layerField(i, 'weekday')}
                    />
                  </Field>
                )}
                <Field label={f.startsAt} noMargin>
                  <Input
                    width={14}
                    value={x.starts_at}
                    onChange={(e) => setLayer(i, { starts_at: e.currentTarget.value })}
                    data-testid={testIds.oncall.layerField(i, 'starts_at')}
                  />
                </Field>
                <Field
                  label={f.participants}
                  description={`${f.participantsHint}: ${responders.map((r) => r.id).join(', ')}`}
                  noMargin
                >
                  <Input
                    width={36}
                    value={x.participants}
                    onChange={(e) => setLayer(i, { participants: e.currentTarget.value })}
                    data-testid={testIds.oncall.layerField(i, 'participants')}
                  />
                </Field>
                <Field label={f.priority} description={f.priorityHint} noMargin>
                  <Input
                    width={8}
                    type="number"
                    value={x.priority}
                    onChange={(e) => setLayer(i, { priority: e.currentTarget.value })}
                    data-testid={testIds.oncall.layerField(i, 'priority')}
                  />
                </Field>
                <Button
                  variant="secondary"
                  fill="text"
                  icon="trash-alt"
                  onClick={() => setLayers(layers.filter((_, j) => j !== i))}
                  data-testid={testIds.oncall.removeLayer(i)}
                >
                  {f.removeLayer}
                </Button>
              </Stack>
            ))}
            <div>
              <Button
                variant="secondary"
                size="sm"
                icon="plus"
                onClick={() => setLayers([...layers, newLayer(layers.length)])}
                data-testid={testIds.oncall.addLayer}
              >
                {f.addLayer}
              </Button>
            </div>
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

// ---- iCal import ----

function IcalImport({
  schedule,
  onClose,
  onImported,
}: {
  schedule: Schedule;
  onClose: () => void;
  onImported: () => void;
}) {
  const [text, setText] = useState('');
  const [skip, setSkip] = useState(false);
  const [result, setResult] = useState<IcalImported>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const run = async () => {
    setBusy(true);
    setError(undefined);
    setResult(undefined);
    try {
      setResult(await importIcal(schedule.id, text, skip));
      onImported();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div data-testid={testIds.oncall.icalForm}>
      <Stack direction="column" gap={1}>
        <Text weight="medium">{l.icalTitle}</Text>
        <Field label={l.icalText} description={l.icalHint} noMargin>
          <TextArea
            rows={6}
            value={text}
            onChange={(e) => setText(e.currentTarget.value)}
            data-testid={testIds.oncall.icalText}
          />
        </Field>
        <Checkbox
          label={l.icalSkip}
          value={skip}
          onChange={(e) => setSkip(e.currentTarget.checked)}
          data-testid={testIds.oncall.icalSkip}
        />
        <Stack direction="row" gap={1}>
          <Button size="sm" onClick={run} disabled={busy || !text.trim()}>
            {l.icalImport}
          </Button>
          <Button size="sm" variant="secondary" onClick={onClose}>
            {labels.oncall.cancel}
          </Button>
        </Stack>
        <ActionError error={error} />
        {result && (
          <div data-testid={testIds.oncall.icalResult}>
            <Text>{l.icalImported(result.imported, result.events)}</Text>{' '}
            {result.unmatched.length === 0 ? (
              <Text color="secondary">{l.icalNone}</Text>
            ) : (
              <>
                <Text color="warning">{l.icalUnmatched}</Text>
                <ul>
                  {result.unmatched.map((u, i) => (
                    <li key={i}>
                      {u.event}: {u.names.join(', ') || '—'}
                    </li>
                  ))}
                </ul>
              </>
            )}
          </div>
        )}
      </Stack>
    </div>
  );
}

// ---- responders ----

function ResponderForm({
  responder,
  onClose,
  onSaved,
}: {
  responder?: Responder;
  onClose: () => void;
  onSaved: (name: string) => void;
}) {
  const r = labels.oncall.responders;
  const [form, setForm] = useState({
    id: '',
    name: responder?.name ?? '',
    email: responder?.email ?? '',
    phone: responder?.phone ?? '',
    slack_user_id: responder?.slack_user_id ?? '',
  });
  const [error, setError] = useState<unknown>();
  const save = async () => {
    setError(undefined);
    try {
      const saved = await saveResponder(responder?.id, {
        ...(responder || !form.id ? {} : { id: form.id }),
        name: form.name,
        email: form.email || null,
        phone: form.phone || null,
        slack_user_id: form.slack_user_id || null,
      });
      onSaved(saved.name);
    } catch (e) {
      setError(e);
    }
  };
  const field = (key: keyof typeof form, label: string) => (
    <Field label={label} noMargin>
      <Input
        value={form[key]}
        onChange={(e) => setForm({ ...form, [key]: e.currentTarget.value })}
        data-testid={testIds.oncall.responderField(key)}
      />
    </Field>
  );
  return (
    <div data-testid={testIds.oncall.responderForm}>
      <Stack direction="column" gap={1}>
        <Stack direction="row" gap={1} wrap="wrap">
          {!responder && field('id', r.id)}
          {field('name', r.name)}
          {field('email', r.email)}
          {field('phone', r.phone)}
          {field('slack_user_id', r.slack)}
        </Stack>
        <ActionError error={error} />
        <Stack direction="row" gap={1}>
          <Button size="sm" onClick={save} data-testid={testIds.oncall.responderField('save')}>
            {labels.oncall.save}
          </Button>
          <Button size="sm" variant="secondary" onClick={onClose}>
            {labels.oncall.cancel}
          </Button>
        </Stack>
      </Stack>
    </div>
  );
}

function Responders({
  responders,
  admin,
  onChanged,
  onNotice,
}: {
  responders: Responder[];
  admin: boolean;
  onChanged: () => void;
  onNotice: (t: string) => void;
}) {
  const styles = useStyles2(getStyles);
  const r = labels.oncall.responders;
  const [editing, setEditing] = useState<string>();
  const saved = (name: string) => {
    setEditing(undefined);
    onNotice(labels.oncall.saved(name));
    onChanged();
  };
  return (
    <div data-testid={testIds.oncall.responders}>
      <Stack direction="column" gap={1}>
        <Stack direction="row" gap={1} alignItems="center">
          <Text element="h4">{r.title}</Text>
          <AdminButton
            admin={admin}
            variant="secondary"
            icon="plus"
            onClick={() => setEditing('new')}
            data-testid={testIds.oncall.newResponder}
          >
            {r.newResponder}
          </AdminButton>
        </Stack>
        {editing === 'new' && <ResponderForm onClose={() => setEditing(undefined)} onSaved={saved} />}
        {responders.length === 0 ? (
          <Text color="secondary">{r.empty}</Text>
        ) : (
          <table className={styles.table}>
            <thead>
              <tr>
                {Object.values(r.columns).map((c, i) => (
                  <th key={i}>{c}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {responders.map((x) => (
                <React.Fragment key={x.id}>
                  <tr data-testid={testIds.oncall.responder(x.id)}>
                    <td>{x.name}</td>
                    <td>{x.id}</td>
                    <td>{x.email ?? ''}</td>
                    <td>{x.phone ?? ''}</td>
                    <td>{x.slack_user_id ?? ''}</td>
                    <td>{x.tenant_id ?? labels.oncall.platform}</td>
                    <td>
                      <AdminButton
                        admin={admin}
                        variant="secondary"
                        fill="text"
                        icon="pen"
                        onClick={() => setEditing(x.id)}
                        data-testid={testIds.oncall.editResponder(x.id)}
                      >
                        {labels.oncall.edit}
                      </AdminButton>
                      <DeleteControl
                        admin={admin}
                        what="responder"
                        id={x.id}
                        name={x.name}
                        onDeleted={(name) => {
                          onNotice(labels.oncall.deleted(name));
                          onChanged();
                        }}
                      />
                    </td>
                  </tr>
                  {editing === x.id && (
                    <tr>
                      <td colSpan={7}>
                        <ResponderForm responder={x} onClose={() => setEditing(undefined)} onSaved={saved} />
                      </td>
                    </tr>
                  )}
                </React.Fragment>
              ))}
            </tbody>
          </table>
        )}
      </Stack>
    </div>
  );
}

// ---- the tab ----

async function load(signal: AbortSignal): Promise<{ schedules: Schedule[]; responders: Responder[] }> {
  const [schedules, responders] = await Promise.all([listSchedules({ signal }), listResponders({ signal })]);
  return { schedules, responders };
}

/** Schedules: per schedule the two-week calendar in its zone and its overrides; the schedule and responder editors; iCal import. */
export function Schedules({ admin, apiUrlSet, onNotice }: TabProps) {
  const data = useRequest('schedules', load);
  const [editing, setEditing] = useState<string>();
  const [importing, setImporting] = useState<string>();
  const [version, setVersion] = useState(0);
  const changed = () => {
    setVersion((v) => v + 1);
    data.retry();
  };
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
  const { schedules, responders } = data.data;
  const saved = (name: string) => {
    setEditing(undefined);
    onNotice(labels.oncall.saved(name));
    changed();
  };
  return (
    <Stack direction="column" gap={2}>
      <Stack direction="row" gap={1}>
        <AdminButton
          admin={admin}
          icon="plus"
          onClick={() => setEditing('new')}
          data-testid={testIds.oncall.newSchedule}
        >
          {l.newSchedule}
        </AdminButton>
      </Stack>
      {editing === 'new' && (
        <ScheduleForm responders={responders} onClose={() => setEditing(undefined)} onSaved={saved} />
      )}
      {schedules.length === 0 && (
        <div data-testid={testIds.oncall.empty}>
          <Stack direction="column" gap={0.5}>
            {responders.length === 0 && <Text color="secondary">{l.noResponders}</Text>}
            <Text color="secondary">{l.empty}</Text>
          </Stack>
        </div>
      )}
      {schedules.map((s) =>
        editing === s.id ? (
          <ScheduleForm
            key={s.id}
            schedule={s}
            responders={responders}
            onClose={() => setEditing(undefined)}
            onSaved={saved}
          />
        ) : (
          <div key={s.id} data-testid={testIds.oncall.schedule(s.id)}>
            <Card noMargin>
              <Card.Heading>{s.name}</Card.Heading>
              <Card.Meta>
                {[
                  s.tenant_id ?? labels.oncall.platform,
                  s.time_zone,
                  l.layers(s.layers.length),
                  ...(s.ical ? [l.ical(s.ical.events, s.ical.assigned)] : []),
                ]}
              </Card.Meta>
              <Card.Tags>
                {s.layers.map((x) => (
                  <Badge key={x.name} color="blue" text={`${x.name}: ${x.rotation}, ${x.participants.join(' → ')}`} />
                ))}
              </Card.Tags>
              <Card.Description>
                <Stack direction="column" gap={2}>
                  <Calendar schedule={s} apiUrlSet={apiUrlSet} version={version} />
                  <Overrides
                    schedule={s}
                    responders={responders}
                    admin={admin}
                    onChanged={changed}
                    onNotice={onNotice}
                  />
                  {importing === s.id && (
                    <IcalImport schedule={s} onClose={() => setImporting(undefined)} onImported={changed} />
                  )}
                </Stack>
              </Card.Description>
              <Card.Actions>
                <AdminButton
                  admin={admin}
                  variant="secondary"
                  icon="pen"
                  onClick={() => setEditing(s.id)}
                  data-testid={testIds.oncall.editSchedule(s.id)}
                >
                  {labels.oncall.edit}
                </AdminButton>
                <AdminButton
                  admin={admin}
                  variant="secondary"
                  icon="import"
                  onClick={() => setImporting(s.id)}
                  data-testid={testIds.oncall.importIcal(s.id)}
                >
                  {l.importIcal}
                </AdminButton>
                <DeleteControl
                  admin={admin}
                  what="schedule"
                  id={s.id}
                  name={s.name}
                  onDeleted={(name) => {
                    onNotice(labels.oncall.deleted(name));
                    changed();
                  }}
                />
              </Card.Actions>
            </Card>
          </div>
        )
      )}
      <Responders responders={responders} admin={admin} onChanged={changed} onNotice={onNotice} />
    </Stack>
  );
}
