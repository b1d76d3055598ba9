import type { Static } from '@sinclair/typebox';
import type {
  AmAlert as AmAlertSchema,
  AmGroups as AmGroupsSchema,
  AmSilence as AmSilenceSchema,
  AmStatus as AmStatusSchema,
  CreateSilenceBody,
  TestFire as TestFireSchema,
} from '../../backend/src/contracts/alertmanager';
import type {
  MetricRule as MetricRuleSchema,
  MonitoringRule as MonitoringRuleSchema,
} from '../../backend/src/contracts/alerts';
import type {
  EventRule as EventRuleSchema,
  EventRulePreview as EventRulePreviewSchema,
} from '../../backend/src/contracts/event-rules';
import { request, type CallOptions } from './client';
import { ApiError, expectShape, isRecord } from './errors';

/**
 * The alerting API the Alerts page uses (issue "Alert management", Grafana side): Alertmanager's groups and silences
 * through the backend (/v1/alertmanager/*), both kinds of rules (/monitoring/rules, /v1/alerts/*), test-fire
 * (/monitoring/test/:ruleId) and the event rules' preview. Reads go through the Viewer routes (read key), writes
 * through the Admin routes (admin key).
 */
export type AmAlert = Static<typeof AmAlertSchema>;
export type AmGroup = Static<typeof AmGroupsSchema>['groups'][number];
export type AmSilence = Static<typeof AmSilenceSchema>;
export type AmStatus = Static<typeof AmStatusSchema>;
export type SilenceInput = Static<typeof CreateSilenceBody>;
export type AmMatcher = SilenceInput['matchers'][number];
export type TestFire = Static<typeof TestFireSchema>;
export type MonitoringRule = Static<typeof MonitoringRuleSchema>;
export type MetricRule = Static<typeof MetricRuleSchema>;
export type EventRule = Static<typeof EventRuleSchema>;
export type EventRulePreview = Static<typeof EventRulePreviewSchema>;
export type RuleKind = MonitoringRule['kind'];

/** The code of the backend's 503 when ALERTMANAGER_URL is not set. */
export const NOT_CONFIGURED = 'alertmanager_not_configured';

export function isNotConfigured(error: unknown): boolean {
  return error instanceof ApiError && error.code === NOT_CONFIGURED;
}

/**
 * GET /v1/alertmanager/status: Alertmanager's version, receivers, inhibition rules; `null` when no Alertmanager is
 * configured (the backend's 503 alertmanager_not_configured).
 */
export async function getAlertmanagerStatus(options: CallOptions = {}): Promise<AmStatus | null> {
  try {
    const { data } = await request<unknown>('/v1/alertmanager/status', options);
    return expectShape<AmStatus>(
      'GET /v1/alertmanager/status without its version and receivers',
      data,
      (d) => typeof d.version === 'string' && Array.isArray(d.receivers) && Array.isArray(d.inhibit_rules)
    );
  } catch (error) {
    if (isNotConfigured(error)) {
      return null;
    }
    throw error;
  }
}

/** GET /v1/alertmanager/groups: alerts as Alertmanager groups them (of one tenant: its tenant_id label). */
export async function listAlertGroups(tenant: string | undefined, options: CallOptions = {}): Promise<AmGroup[]> {
  const { data } = await request<unknown>('/v1/alertmanager/groups', {
    params: tenant ? { filter: `tenant_id="${tenant}"` } : {},
    ...options,
  });
  return expectShape<{ groups: AmGroup[] }>('GET /v1/alertmanager/groups without groups', data, (d) =>
    Array.isArray(d.groups)
  ).groups;
}

/** GET /v1/alertmanager/silences: active first. */
export async function listSilences(options: CallOptions = {}): Promise<AmSilence[]> {
  const { data } = await request<unknown>('/v1/alertmanager/silences', options);
  return expectShape<{ silences: AmSilence[] }>('GET /v1/alertmanager/silences without silences', data, (d) =>
    Array.isArray(d.silences)
  ).silences;
}

/** POST /v1/alertmanager/silences (Admin route). */
export async function createSilence(body: SilenceInput, options: CallOptions = {}): Promise<AmSilence> {
  const { data } = await request<unknown>('/v1/alertmanager/silences', { method: 'POST', data: body, ...options });
  return expectShape<AmSilence>(
    'POST /v1/alertmanager/silences without the silence',
    data,
    (d) => typeof d.id === 'string'
  );
}

/** DELETE /v1/alertmanager/silences/:id: expires it now (Admin route). */
export async function expireSilence(id: string, options: CallOptions = {}): Promise<AmSilence> {
  const { data } = await request<unknown>(`/v1/alertmanager/silences/${encodeURIComponent(id)}`, {
    method: 'DELETE',
    ...options,
  });
  return expectShape<AmSilence>(
    'DELETE /v1/alertmanager/silences/:id without the silence',
    data,
    (d) => typeof d.id === 'string'
  );
}

/** GET /monitoring/rules: metric and event rules with their state and last evaluation. */
export async function listRules(tenant: string | undefined, options: CallOptions = {}): Promise<MonitoringRule[]> {
  const { data } = await request<unknown>('/monitoring/rules', {
    params: tenant ? { tenant_id: tenant } : {},
    ...options,
  });
  return expectShape<{ rules: MonitoringRule[] }>('GET /monitoring/rules without rules', data, (d) =>
    Array.isArray(d.rules)
  ).rules;
}

/** POST /monitoring/test/:ruleId (Admin route): one real test alert through the real route. */
export async function testRule(
  rule: Pick<MonitoringRule, 'id' | 'kind'>,
  options: CallOptions = {}
): Promise<TestFire> {
  const { data } = await request<unknown>(`/monitoring/test/${encodeURIComponent(rule.id)}`, {
    method: 'POST',
    params: { kind: rule.kind },
    data: {},
    ...options,
  });
  return expectShape<TestFire>('POST /monitoring/test without the test alert', data, (d) => typeof d.via === 'string');
}

const rulePath = (kind: RuleKind) => (kind === 'metric' ? '/v1/alerts/metric-rules' : '/v1/alerts/event-rules');

/** GET /v1/alerts/metric-rules/:id */
export async function getMetricRule(id: string, options: CallOptions = {}): Promise<MetricRule> {
  const { data } = await request<unknown>(`${rulePath('metric')}/${encodeURIComponent(id)}`, options);
  return expectShape<MetricRule>(
    'GET /v1/alerts/metric-rules/:id without the rule',
    data,
    (d) => typeof d.expr === 'string'
  );
}

/** GET /v1/alerts/event-rules/:id */
export async function getEventRule(id: string, options: CallOptions = {}): Promise<EventRule> {
  const { data } = await request<unknown>(`${rulePath('event')}/${encodeURIComponent(id)}`, options);
  return expectShape<EventRule>('GET /v1/alerts/event-rules/:id without the rule', data, (d) => isRecord(d.condition));
}

/** Create (no id) or replace a rule of either kind (Admin routes POST and PUT). */
export async function saveRule(
  kind: RuleKind,
  id: string | undefined,
  body: Record<string, unknown>,
  options: CallOptions = {}
): Promise<unknown> {
  const { data } = await request<unknown>(id ? `${rulePath(kind)}/${encodeURIComponent(id)}` : rulePath(kind), {
    method: id ? 'PUT' : 'POST',
    data: body,
    ...options,
  });
  return data;
}

/** PATCH {"enabled": …} (Admin route). */
export async function setRuleEnabled(kind: RuleKind, id: string, enabled: boolean, options: CallOptions = {}) {
  await request<unknown>(`${rulePath(kind)}/${encodeURIComponent(id)}`, {
    method: 'PATCH',
    data: { enabled },
    ...options,
  });
}

/** POST /v1/alerts/event-rules/preview: what the rule answers now (a read: the Viewer route). */
export async function previewEventRule(
  body: Record<string, unknown>,
  options: CallOptions = {}
): Promise<EventRulePreview> {
  const { data } = await request<unknown>('/v1/alerts/event-rules/preview', { method: 'POST', data: body, ...options });
  return expectShape<EventRulePreview>('POST /v1/alerts/event-rules/preview without series', data, (d) =>
    Array.isArray(d.series)
  );
}

/** The Grafana URL of the metric rule file (GET /v1/alerts/rules.yml through the Viewer route). */
export const RULES_FILE_PATH = '/v1/alerts/rules.yml';
