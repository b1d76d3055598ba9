import React, { useState } from 'react';
import { Badge, Button, Card, Combobox, Field, IconButton, Input, Stack, Switch, Text, TextArea } from '@grafana/ui';
import {
  getEventRule,
  getMetricRule,
  previewEventRule,
  saveRule,
  type EventRulePreview,
  type RuleKind,
} from '../../api/alerts';
import { ApiError } from '../../api/errors';
import { ErrorAlert } from '../../components/ErrorAlert';
import { testIds } from '../../components/testIds';
import { useRequest } from '../../hooks/useRequest';
import { labels } from '../../labels';
import { formatTime } from '../../utils/format';
import {
  emptyForm,
  eventForm,
  fieldOfError,
  FormProblem,
  metricForm,
  OPS,
  QUERY_KINDS,
  REDUCERS,
  type RuleForm,
  SEVERITIES,
  toBody,
} from './rule-form';

/** `<kind>:<id>` of a stored rule, or `new:<kind>`. */
export function parseEditing(editing: string): { kind: RuleKind; id?: string } | undefined {
  const [a, ...rest] = editing.split(':');
  const b = rest.join(':');
  if (a === 'new' && (b === 'metric' || b === 'event')) {
    return { kind: b };
  }
  if ((a === 'metric' || a === 'event') && b) {
    return { kind: a, id: b };
  }
  return undefined;
}

interface Props {
  editing: string;
  admin: boolean;
  apiUrlSet?: boolean;
  onClose: () => void;
  onSaved: (name: string) => void;
}

async function loadForm(kind: RuleKind, id: string | undefined, signal: AbortSignal): Promise<RuleForm> {
  if (!id) {
    return emptyForm(kind);
  }
  return kind === 'metric'
    ? metricForm(await getMetricRule(id, { signal }))
    : eventForm(await getEventRule(id, { signal }));
}

const options = (values: readonly string[]) => values.map((v) => ({ label: v, value: v }));

/**
 * The editor of one rule of either kind. Metric rules: PromQL, for, labels, annotations; the backend checks them with
 * promtool and a 400's reason shows next to the field it is about. Event rules: analytics queries (kind and
 * parameters), reducer, condition, for, keep firing; Preview asks the backend what the rule answers now.
 */
export function RuleEditor({ editing, admin, apiUrlSet, onClose, onSaved }: Props) {
  const target = parseEditing(editing);
  const loaded = useRequest(editing, (signal) =>
    target ? loadForm(target.kind, target.id, signal) : Promise.reject(new Error(`no rule '${editing}'`))
  );
  // The editor is keyed by the rule (Rules.tsx): its edits start from the loaded rule.
  const [edited, setEdited] = useState<RuleForm>();
  const form = edited ?? loaded.data;
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<{ field?: string; error: unknown }>();
  const [previewing, setPreviewing] = useState(false);
  const [preview, setPreview] = useState<{ result?: EventRulePreview; error?: unknown }>();
  const l = labels.alerts.editor;

  const set = (patch: Partial<RuleForm>) =>
    setEdited((f) => {
      const base = f ?? loaded.data;
      return base ? { ...base, ...patch } : base;
    });
  const isNew = !target?.id;
  const readOnly = !admin;

  const save = async () => {
    if (!form || !target) {
      return;
    }
    setSaveError(undefined);
    let body: Record<string, unknown>;
    try {
      body = toBody(form, isNew);
    } catch (e) {
      setSaveError({ field: e instanceof FormProblem ? e.field : undefined, error: e });
      return;
    }
    setSaving(true);
    try {
      await saveRule(form.kind, target.id, body);
      onSaved(form.name);
    } catch (e) {
      setSaveError({ field: fieldOfError(e), error: e });
    } finally {
      setSaving(false);
    }
  };

  const runPreview = async () => {
    if (!form) {
      return;
    }
    setPreviewing(true);
    setPreview(undefined);
    try {
      const { enabled: _e, ...body } = toBody(form, false);
      setPreview({ result: await previewEventRule(body) });
    } catch (e) {
      setPreview({ error: e });
    } finally {
      setPreviewing(false);
    }
  };

  /** The message of a failed save at its field. */
  const errorAt = (field: string): string | undefined => {
    if (!saveError || saveError.field !== field) {
      return undefined;
    }
    const e = saveError.error;
    return e instanceof ApiError ? e.message : e instanceof Error ? e.message : String(e);
  };
  const fieldProps = (field: string) => {
    const error = errorAt(field);
    return {
      invalid: error !== undefined,
      error: error && <span data-testid={testIds.alerts.fieldError(field)}>{error}</span>,
    };
  };

  let body: React.ReactNode;
  if (loaded.error !== undefined) {
    body = <ErrorAlert error={loaded.error} apiUrlSet={apiUrlSet} onRetry={loaded.retry} />;
  } else if (!form) {
    body = <Text color="secondary">{l.loading}</Text>;
  } else {
    body = (
      <Stack direction="column" gap={0}>
        <Stack direction="row" gap={2} wrap="wrap">
          {isNew && (
            <Field label={l.id} description={l.idHint} {...fieldProps('id')}>
              <Input
                width={28}
                value={form.id}
                disabled={readOnly}
                onChange={(e) => set({ id: e.currentTarget.value })}
                data-testid={testIds.alerts.editorField('id')}
              />
            </Field>
          )}
          <Field label={l.name} {...fieldProps('name')}>
            <Input
              width={32}
              value={form.name}
              disabled={readOnly}
              onChange={(e) => set({ name: e.currentTarget.value })}
              data-testid={testIds.alerts.editorField('name')}
            />
          </Field>
          <Field label={l.tenant} description={l.tenantHint} {...fieldProps('tenant')}>
            <Input
              width={24}
              value={form.tenant}
              disabled={readOnly}
              onChange={(e) => set({ tenant: e.currentTarget.value })}
              data-testid={testIds.alerts.editorField('tenant')}
            />
          </Field>
          <Field label={l.severity}>
            <Combobox
              width={16}
              options={options(SEVERITIES)}
              value={form.severity}
              disabled={readOnly}
              onChange={(o) => o && set({ severity: String(o.value) })}
              data-testid={testIds.alerts.editorField('severity')}
            />
          </Field>
          <Field label={l.enabled}>
            <Switch
              value={form.enabled}
              disabled={readOnly}
              onChange={(e) => set({ enabled: e.currentTarget.checked })}
            />
          </Field>
        </Stack>
        {form.kind === 'metric' ? (
          <>
            <Field label={l.expr} description={l.exprHint} {...fieldProps('expr')}>
              <TextArea
                rows={3}
                value={form.expr}
                disabled={readOnly}
                onChange={(e) => set({ expr: e.currentTarget.value })}
                style={{ fontFamily: 'monospace' }}
                data-testid={testIds.alerts.editorField('expr')}
              />
            </Field>
            <Stack direction="row" gap={2} wrap="wrap">
              <Field label={l.for} description={l.forHint} {...fieldProps('for')}>
                <Input
                  width={16}
                  value={form.for}
                  disabled={readOnly}
                  onChange={(e) => set({ for: e.currentTarget.value })}
                  data-testid={testIds.alerts.editorField('for')}
                />
              </Field>
              <Field label={l.group} {...fieldProps('group')}>
                <Input
                  width={24}
                  value={form.group}
                  placeholder="caas-custom"
                  disabled={readOnly}
                  onChange={(e) => set({ group: e.currentTarget.value })}
                  data-testid={testIds.alerts.editorField('group')}
                />
              </Field>
            </Stack>
          </>
        ) : (
          <>
            <Field label={l.queryParams} description={l.queryParamsHint} {...fieldProps('queries')}>
              <FieldGroup>
                {form.queries.map((q, i) => (
                  <Stack key={i} direction="row" gap={1} alignItems="flex-start">
                    <Text weight="bold">{q.name}</Text>
                    <Combobox
                      width={22}
                      aria-label={`${l.queryKind} ${q.name}`}
                      options={options(QUERY_KINDS)}
                      value={q.kind}
                      onChange={(o) =>
                        o &&
                        set({ queries: form.queries.map((x, j) => (j === i ? { ...x, kind: String(o.value) } : x)) })
                      }
                      data-testid={testIds.alerts.editorField(`query-kind-${q.name}`)}
                    />
                    <TextArea
                      rows={6}
                      cols={60}
                      value={q.params}
                      style={{ fontFamily: 'monospace' }}
                      onChange={(e) => {
                        const params = e.currentTarget.value;
                        set({ queries: form.queries.map((x, j) => (j === i ? { ...x, params } : x)) });
                      }}
                      data-testid={testIds.alerts.editorField(`query-params-${q.name}`)}
                    />
                    {form.queries.length > 1 && (
                      <IconButton
                        name="trash-alt"
                        tooltip={l.cancel}
                        onClick={() => set({ queries: form.queries.filter((_, j) => j !== i) })}
                      />
                    )}
                  </Stack>
                ))}
                {form.queries.length < 5 && (
                  <div>
                    <Button
                      size="sm"
                      variant="secondary"
                      icon="plus"
                      onClick={() =>
                        set({
                          queries: [
                            ...form.queries,
                            { name: 'ABCDE'[form.queries.length] ?? 'E', kind: 'timeseries', params: '{}' },
                          ],
                        })
                      }
                      data-testid={testIds.alerts.editorField('add-query')}
                    >
                      {l.addQuery}
                    </Button>
                  </div>
                )}
              </FieldGroup>
            </Field>
            <Stack direction="row" gap={2} wrap="wrap">
              <Field label={l.reducer}>
                <Combobox
                  width={14}
                  options={options(REDUCERS)}
                  value={form.reducer}
                  onChange={(o) => o && set({ reducer: String(o.value) })}
                  data-testid={testIds.alerts.editorField('reducer')}
                />
              </Field>
              <Field label={l.op} {...fieldProps('expression')}>
                <Input
                  width={16}
                  value={form.expression}
                  placeholder={form.queries[0]?.name ?? 'A'}
                  onChange={(e) => set({ expression: e.currentTarget.value })}
                  data-testid={testIds.alerts.editorField('expression')}
                />
              </Field>
              <Field label="&nbsp;">
                <Combobox
                  width={10}
                  options={options(OPS)}
                  value={form.op}
                  onChange={(o) => o && set({ op: String(o.value) })}
                  data-testid={testIds.alerts.editorField('op')}
                />
              </Field>
              <Field label={l.threshold} {...fieldProps('threshold')}>
                <Input
                  width={14}
                  value={form.threshold}
                  onChange={(e) => set({ threshold: e.currentTarget.value })}
                  data-testid={testIds.alerts.editorField('threshold')}
                />
              </Field>
              <Field label={l.field} {...fieldProps('field')}>
                <Input
                  width={16}
                  value={form.field}
                  onChange={(e) => set({ field: e.currentTarget.value })}
                  data-testid={testIds.alerts.editorField('field')}
                />
              </Field>
            </Stack>
            <Stack direction="row" gap={2} wrap="wrap">
              <Field label={l.window} description={l.windowHint} {...fieldProps('window')}>
                <Input
                  width={12}
                  value={form.window}
                  onChange={(e) => set({ window: e.currentTarget.value })}
                  data-testid={testIds.alerts.editorField('window')}
                />
              </Field>
              <Field label={l.for} description={l.forHint} {...fieldProps('for')}>
                <Input
                  width={12}
                  value={form.for}
                  onChange={(e) => set({ for: e.currentTarget.value })}
                  data-testid={testIds.alerts.editorField('for')}
                />
              </Field>
              <Field label={l.keepFiringFor} {...fieldProps('keepFiringFor')}>
                <Input
                  width={12}
                  value={form.keepFiringFor}
                  onChange={(e) => set({ keepFiringFor: e.currentTarget.value })}
                  data-testid={testIds.alerts.editorField('keepFiringFor')}
                />
              </Field>
            </Stack>
          </>
        )}
        <Field label={l.summary} {...fieldProps('summary')}>
          <Input
            value={form.summary}
            disabled={readOnly}
            onChange={(e) => set({ summary: e.currentTarget.value })}
            data-testid={testIds.alerts.editorField('summary')}
          />
        </Field>
        <Field label={l.description} {...fieldProps('description')}>
          <TextArea
            rows={2}
            value={form.description}
            disabled={readOnly}
            onChange={(e) => set({ description: e.currentTarget.value })}
            data-testid={testIds.alerts.editorField('description')}
          />
        </Field>
        <Stack direction="row" gap={2} wrap="wrap">
          <Field label={l.runbook} {...fieldProps('runbook')}>
            <Input
              width={48}
              value={form.runbook}
              placeholder="https://"
              disabled={readOnly}
              onChange={(e) => set({ runbook: e.currentTarget.value })}
              data-testid={testIds.alerts.editorField('runbook')}
            />
          </Field>
          <Field label={l.labels} description={l.labelsHint} {...fieldProps('labels')}>
            <TextArea
              rows={2}
              cols={40}
              value={form.labels}
              disabled={readOnly}
              onChange={(e) => set({ labels: e.currentTarget.value })}
              data-testid={testIds.alerts.editorField('labels')}
            />
          </Field>
        </Stack>
        {saveError && saveError.field === undefined && (
          <div data-testid={testIds.alerts.editorError}>
            <ErrorAlert error={saveError.error} apiUrlSet={apiUrlSet} />
          </div>
        )}
        {form.kind === 'event' && preview && <PreviewResult preview={preview} apiUrlSet={apiUrlSet} />}
      </Stack>
    );
  }

  return (
    <div data-testid={testIds.alerts.editor}>
      <Card>
        <Card.Heading>
          {target ? (isNew ? l.titleNew(target.kind) : l.titleEdit(form?.name ?? target.id ?? '')) : editing}
        </Card.Heading>
        <Card.Description>{body}</Card.Description>
        <Card.Actions>
          <Button
            icon={saving ? 'spinner' : 'save'}
            disabled={!admin || saving || !form}
            tooltip={admin ? undefined : labels.alerts.adminOnly}
            onClick={save}
            data-testid={testIds.alerts.save}
          >
            {l.save}
          </Button>
          {form?.kind === 'event' && (
            <Button
              variant="secondary"
              icon={previewing ? 'spinner' : 'eye'}
              disabled={previewing}
              onClick={runPreview}
              data-testid={testIds.alerts.preview}
            >
              {l.preview}
            </Button>
          )}
          <Button variant="secondary" onClick={onClose} data-testid={testIds.alerts.cancel}>
            {l.cancel}
          </Button>
        </Card.Actions>
      </Card>
    </div>
  );
}

function PreviewResult({
  preview,
  apiUrlSet,
}: {
  preview: { result?: EventRulePreview; error?: unknown };
  apiUrlSet?: boolean;
}) {
  const l = labels.alerts.editor;
  if (preview.error !== undefined || !preview.result) {
    return (
      <div data-testid={testIds.alerts.previewError}>
        <ErrorAlert error={preview.error} apiUrlSet={apiUrlSet} />
      </div>
    );
  }
  const r = preview.result;
  return (
    <div data-testid={testIds.alerts.previewResult}>
      <Stack direction="column" gap={0.5}>
        <Text color="secondary">{l.previewOf(r.tenant_id, formatTime(r.from), formatTime(r.to))}</Text>
        {Object.entries(r.samples).map(([name, samples]) => (
          <Text key={name} color="secondary">
            {name}:{' '}
            {samples.length === 0
              ? '—'
              : samples
                  .map((s) => `${s.value ?? 'null'}${Object.keys(s.labels).length ? ` {${labelList(s.labels)}}` : ''}`)
                  .join(', ')}
          </Text>
        ))}
        {r.series.length === 0 ? (
          <Text>{l.previewNone}</Text>
        ) : (
          r.series.map((s, i) => (
            <Stack key={i} direction="row" gap={1} alignItems="center">
              <Badge color={s.active ? 'red' : 'green'} text={s.active ? l.wouldFire : l.wouldNotFire} />
              <Text>
                = {formatValue(s.value)}
                {Object.keys(s.labels).length ? ` {${labelList(s.labels)}}` : ''}
              </Text>
            </Stack>
          ))
        )}
      </Stack>
    </div>
  );
}

/** Several inputs under one Field (Field hands its child `invalid` and `disabled`, which a plain div must not get). */
function FieldGroup({ children }: { children: React.ReactNode; invalid?: boolean; disabled?: boolean }) {
  return (
    <Stack direction="column" gap={1}>
      {children}
    </Stack>
  );
}

const labelList = (l: Record<string, string>) =>
  Object.entries(l)
    .map(([k, v]) => `${k}="${v}"`)
    .join(', ');

function formatValue(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toPrecision(4);
}
