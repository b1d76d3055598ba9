import type { EventRule, MetricRule, RuleKind } from '../../api/alerts';
import { ApiError } from '../../api/errors';
import { labels } from '../../labels';

/**
 * The rule editor's form state and its mapping to and from the API's bodies, for both kinds, and which field a
 * backend 400 is about (so its reason shows next to that field).
 */
export const SEVERITIES = ['critical', 'warning', 'info'] as const;
export const REDUCERS = ['last', 'avg', 'min', 'max', 'sum', 'count'] as const;
export const OPS = ['>', '>=', '<', '<=', '==', '!='] as const;
export const QUERY_KINDS = [
  'timeseries',
  'active_users',
  'top_n',
  'funnel',
  'retention',
  'cohorts',
  'heatmap',
  'geo',
  'adoption',
  'search_analytics',
] as const;

export interface QueryForm {
  name: string;
  kind: string;
  /** the query's other parameters, as JSON text */
  params: string;
}

export interface RuleForm {
  kind: RuleKind;
  id: string;
  name: string;
  tenant: string;
  severity: string;
  enabled: boolean;
  for: string;
  labels: string;
  summary: string;
  description: string;
  runbook: string;
  // metric
  expr: string;
  group: string;
  // event
  window: string;
  keepFiringFor: string;
  queries: QueryForm[];
  expression: string;
  reducer: string;
  field: string;
  op: string;
  threshold: string;
}

const labelsText = (l: Record<string, string>) =>
  Object.entries(l)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n');

export function emptyForm(kind: RuleKind): RuleForm {
  return {
    kind,
    id: '',
    name: '',
    tenant: '',
    severity: 'warning',
    enabled: true,
    for: kind === 'metric' ? '5m' : '0s',
    labels: '',
    summary: '',
    description: '',
    runbook: '',
    expr: '',
    group: '',
    window: '5m',
    keepFiringFor: '0s',
    queries: [
      {
        name: 'A',
        kind: 'timeseries',
        params: JSON.stringify({ metric: { type: 'events' }, event_types: ['message_sent'] }, null, 2),
      },
    ],
    expression: '',
    reducer: 'sum',
    field: '',
    op: '>',
    threshold: '0',
  };
}

export function metricForm(r: MetricRule): RuleForm {
  return {
    ...emptyForm('metric'),
    id: r.id,
    name: r.name,
    tenant: r.tenant_id ?? '',
    severity: r.severity,
    enabled: r.enabled,
    for: r.for,
    labels: labelsText(r.labels),
    summary: r.annotations.summary,
    description: r.annotations.description,
    runbook: r.annotations.runbook_url ?? '',
    expr: r.expr,
    group: r.group,
  };
}

export function eventForm(r: EventRule): RuleForm {
  return {
    ...emptyForm('event'),
    id: r.id,
    name: r.name,
    tenant: r.tenant_id ?? '',
    severity: r.severity,
    enabled: r.enabled,
    for: r.for,
    labels: labelsText(r.labels),
    summary: r.annotations.summary,
    description: r.annotations.description,
    runbook: r.annotations.runbook_url ?? '',
    window: r.window,
    keepFiringFor: r.keep_firing_for,
    queries: Object.entries(r.queries).map(([name, q]) => {
      const { kind, ...params } = q as { kind?: unknown } & Record<string, unknown>;
      return { name, kind: String(kind ?? ''), params: JSON.stringify(params, null, 2) };
    }),
    expression: r.condition.expression,
    reducer: r.condition.reducer,
    field: r.condition.field ?? '',
    op: r.condition.op,
    threshold: String(r.condition.threshold),
  };
}

/** A problem in the form itself (before the backend): the field and what is wrong. */
export class FormProblem extends Error {
  constructor(
    readonly field: string,
    message: string
  ) {
    super(message);
    this.name = 'FormProblem';
  }
}

function parseLabels(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') {
      continue;
    }
    const eq = line.indexOf('=');
    if (eq <= 0) {
      throw new FormProblem('labels', labels.alerts.editor.badLabels(line));
    }
    out[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return out;
}

/** The API body of the form (POST or PUT: PUT leaves `id` out). Throws FormProblem for what the form can tell. */
export function toBody(f: RuleForm, withId: boolean): Record<string, unknown> {
  const common = {
    ...(withId && f.id.trim() ? { id: f.id.trim() } : {}),
    name: f.name.trim(),
    tenant_id: f.tenant.trim() || null,
    severity: f.severity,
    enabled: f.enabled,
    ...(f.for.trim() ? { for: f.for.trim() } : {}),
    labels: parseLabels(f.labels),
    annotations: {
      summary: f.summary,
      description: f.description,
      runbook_url: f.runbook.trim() || null,
    },
  };
  if (f.kind === 'metric') {
    return { ...common, expr: f.expr, ...(f.group.trim() ? { group: f.group.trim() } : {}) };
  }
  const queries: Record<string, Record<string, unknown>> = {};
  for (const q of f.queries) {
    let params: unknown;
    try {
      params = q.params.trim() === '' ? {} : JSON.parse(q.params);
    } catch {
      throw new FormProblem('queries', `${q.name}: ${labels.alerts.editor.badJson}`);
    }
    if (typeof params !== 'object' || params === null || Array.isArray(params)) {
      throw new FormProblem('queries', `${q.name}: ${labels.alerts.editor.badJson}`);
    }
    queries[q.name] = { ...(params as Record<string, unknown>), kind: q.kind };
  }
  const threshold = Number(f.threshold);
  if (f.threshold.trim() === '' || !Number.isFinite(threshold)) {
    throw new FormProblem('threshold', `'${f.threshold}' is not a number`);
  }
  return {
    ...common,
    window: f.window.trim(),
    ...(f.keepFiringFor.trim() ? { keep_firing_for: f.keepFiringFor.trim() } : {}),
    queries,
    condition: {
      ...(f.expression.trim() ? { expression: f.expression.trim() } : {}),
      reducer: f.reducer,
      field: f.field.trim() || null,
      op: f.op,
      threshold,
    },
  };
}

/** The form field each API field (as the backend's messages name it) is edited in. */
const FIELD_OF: Array<[RegExp, string]> = [
  [/^(body\/)?annotations[./]summary\b/, 'summary'],
  [/^(body\/)?annotations[./]description\b/, 'description'],
  [/^(body\/)?annotations[./]runbook_url\b/, 'runbook'],
  [/^(body\/)?annotations\b/, 'summary'],
  [/^(body\/)?condition[./]expression\b/, 'expression'],
  [/^(body\/)?condition[./]threshold\b/, 'threshold'],
  [/^(body\/)?condition[./]field\b/, 'field'],
  [/^(body\/)?condition\b/, 'expression'],
  [/^(body\/)?(queries|query)\b/, 'queries'],
  [/^(body\/)?keep_firing_for\b/, 'keepFiringFor'],
  [/^(body\/)?for\b/, 'for'],
  [/^(body\/)?labels?\b/, 'labels'],
  [/^(body\/)?expr\b/, 'expr'],
  [/^(body\/)?group\b/, 'group'],
  [/^(body\/)?window\b/, 'window'],
  [/^(body\/)?name\b/, 'name'],
  [/^(body\/)?id\b/, 'id'],
  [/^(body\/)?tenant_id\b/, 'tenant'],
];

/**
 * Which form field a backend 400 is about: promtool's parse errors (invalid_promql) are the expression's; other
 * messages name their field first (e.g. "annotations.runbook_url '…' is not an http(s) URL", "for: …", fastify's
 * "body/for must …"); an unknown tenant is the tenant's. `undefined`: show it above the form.
 */
export function fieldOfError(error: unknown): string | undefined {
  if (!(error instanceof ApiError) || error.status !== 400 || !error.body) {
    return undefined;
  }
  if (error.code === 'invalid_promql') {
    return 'expr';
  }
  if (error.code === 'unknown_tenant') {
    return 'tenant';
  }
  const details = error.body.error.details as { problems?: unknown } | undefined;
  const problems = Array.isArray(details?.problems) ? details.problems.map(String) : [];
  const message = error.body.error.message.replace(/^Prometheus refuses this rule:\s*/, '');
  for (const text of [...problems, message]) {
    const t = text.replace(/^(unknown field ')/, '');
    for (const [re, field] of FIELD_OF) {
      if (re.test(t)) {
        return field;
      }
    }
  }
  return undefined;
}
