import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type TObject } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { scopeTenant } from '../../auth/keys.js';
import {
  CreateMetricRuleBody,
  MetricRuleDeleted,
  MetricRuleErrors,
  MetricRuleIdParams,
  MetricRule,
  MetricRuleList,
  MetricRuleWrite,
  MonitoringRules,
  MonitoringRulesQuery,
  PatchMetricRuleBody,
  ReplaceMetricRuleBody,
} from '../../contracts/alerts.js';
import { ErrorResponses } from '../../contracts/common.js';
import type { Services } from '../../services.js';
import { GLOBAL_READERS, reads, writes } from '../authenticate.js';
import { badRequest } from '../errors.js';

const ANNOTATION_FIELDS = ['summary', 'description', 'runbook_url'];

/**
 * fastify drops unknown fields silently; in a rule a misspelt `for` or `labels` would quietly change
 * when and how it alerts, so unknown fields (also inside `annotations`) are refused, by name.
 */
function refuseUnknownFields(body: TObject) {
  return async (req: FastifyRequest) => {
    const b = req.body;
    if (typeof b !== 'object' || b === null || Array.isArray(b)) {
      return;
    }
    const unknown = Object.keys(b).find((k) => !Object.hasOwn(body.properties, k));
    if (unknown !== undefined) {
      throw badRequest('unknown_field', `unknown field '${unknown.slice(0, 60)}': a metric rule takes ${Object.keys(body.properties).join(', ')}`);
    }
    const a = (b as { annotations?: unknown }).annotations;
    const unknownAnnotation = typeof a === 'object' && a !== null && !Array.isArray(a) ? Object.keys(a).find((k) => !ANNOTATION_FIELDS.includes(k)) : undefined;
    if (unknownAnnotation !== undefined) {
      throw badRequest('unknown_field', `unknown field 'annotations.${unknownAnnotation.slice(0, 60)}': annotations are ${ANNOTATION_FIELDS.join(', ')} (put other facts in labels)`);
    }
  };
}

/**
 * Alert management, metric rules (issue "Alert management", items 1, 7 and 8): CRUD of the PromQL rules
 * (admin writes; admin and viewer keys read: rules span tenants), the Prometheus rule file of every
 * enabled rule, and the seed's tenant-scoped `GET /monitoring/rules`.
 */
export function alertRoutes(svc: Services): FastifyPluginAsyncTypebox {
  return async (app) => {
    const adminOnly = ['admin'] as const;
    const globalReaders = GLOBAL_READERS;
    const tags = ['alerts'];

    app.get(
      '/v1/alerts/metric-rules',
      {
        schema: { tags, summary: 'Metric rules (PromQL) and the last hand-over of their rule file to Prometheus', response: { 200: MetricRuleList, ...ErrorResponses } },
        config: reads('listing metric rules', globalReaders),
      },
      async () => ({ rules: await svc.metricRules.list(), prometheus: svc.metricRules.lastSync })
    );
    app.get(
      '/v1/alerts/metric-rules/:id',
      {
        schema: { tags, summary: 'One metric rule', params: MetricRuleIdParams, response: { 200: MetricRule, ...ErrorResponses } },
        config: reads('reading metric rules', globalReaders),
      },
      async (req) => svc.metricRules.get(req.params.id)
    );
    app.post(
      '/v1/alerts/metric-rules',
      {
        schema: {
          tags,
          summary: 'Create a metric rule: checked by Prometheus\' parser (promtool), stored, and the rule file handed to Prometheus',
          description: 'An expression or annotation template Prometheus refuses answers 400 naming the parse error (code invalid_promql or invalid_metric_rule).',
          body: CreateMetricRuleBody,
          response: { 201: MetricRuleWrite, ...ErrorResponses, ...MetricRuleErrors },
        },
        config: writes('creating metric rules', adminOnly),
        preValidation: refuseUnknownFields(CreateMetricRuleBody),
      },
      async (req, reply) => reply.status(201).send(await svc.metricRules.create(req.body))
    );
    app.put(
      '/v1/alerts/metric-rules/:id',
      {
        schema: {
          tags,
          summary: 'Replace a metric rule (fields left out take their defaults)',
          params: MetricRuleIdParams,
          body: ReplaceMetricRuleBody,
          response: { 200: MetricRuleWrite, ...ErrorResponses, ...MetricRuleErrors },
        },
        config: writes('changing metric rules', adminOnly),
        preValidation: refuseUnknownFields(ReplaceMetricRuleBody),
      },
      async (req) => svc.metricRules.replace(req.params.id, req.body)
    );
    app.patch(
      '/v1/alerts/metric-rules/:id',
      {
        schema: {
          tags,
          summary: 'Change some fields of a metric rule, e.g. {"enabled": false}',
          params: MetricRuleIdParams,
          body: PatchMetricRuleBody,
          response: { 200: MetricRuleWrite, ...ErrorResponses, ...MetricRuleErrors },
        },
        config: writes('changing metric rules', adminOnly),
        preValidation: refuseUnknownFields(PatchMetricRuleBody),
      },
      async (req) => svc.metricRules.patch(req.params.id, req.body)
    );
    app.delete(
      '/v1/alerts/metric-rules/:id',
      {
        schema: { tags, summary: 'Delete a metric rule (a standard one does not come back)', params: MetricRuleIdParams, response: { 200: MetricRuleDeleted, ...ErrorResponses } },
        config: writes('deleting metric rules', adminOnly),
      },
      async (req) => svc.metricRules.remove(req.params.id)
    );
    app.get(
      '/v1/alerts/rules.yml',
      {
        schema: {
          tags,
          summary: 'The Prometheus rule file (groups:) of every enabled metric rule, as promtool check rules accepts it',
          response: { 200: { content: { 'application/yaml': { schema: Type.String() } } }, ...ErrorResponses },
        },
        config: reads('reading the metric rule file', globalReaders),
      },
      async (_req, reply) => reply.type('application/yaml; charset=utf-8').send(await svc.metricRules.ruleFile())
    );
    app.get(
      '/monitoring/rules',
      {
        schema: {
          tags,
          summary: "Alert rules that concern a tenant: its own and the platform's (admin and viewer keys: every rule, or name tenant_id)",
          querystring: MonitoringRulesQuery,
          response: { 200: MonitoringRules, ...ErrorResponses },
        },
        config: reads('listing alert rules'),
      },
      async (req) => {
        const tenant = scopeTenant(req.principal, req.query.tenant_id);
        const [rules, states, events] = await Promise.all([
          svc.metricRules.list(tenant === null ? {} : { tenant, platform: true }),
          svc.monitoring.metricRuleStates(tenant),
          svc.eventRules.list(tenant),
        ]);
        return {
          rules: [
            ...rules.map((r) => ({
              id: r.id,
              kind: 'metric' as const,
              name: r.name,
              tenant_id: r.tenant_id,
              severity: r.severity,
              enabled: r.enabled,
              group: r.group,
              condition: r.expr,
              for: r.for,
              summary: r.annotations.summary,
              runbook_url: r.annotations.runbook_url,
              state: states.get(r.id)?.state ?? null,
              last_evaluation: states.get(r.id)?.last_evaluation ?? null,
              error: states.get(r.id)?.error ?? null,
            })),
            ...events.map((r) => ({
              id: r.id,
              kind: 'event' as const,
              name: r.name,
              tenant_id: r.tenant_id,
              severity: r.severity,
              enabled: r.enabled,
              group: 'event-rules',
              condition: `${r.condition.expression} ${r.condition.op} ${r.condition.threshold} (${r.condition.reducer} over the last ${r.window}${r.condition.field ? ` of ${r.condition.field}` : ''}; ${Object.entries(r.queries)
                .map(([k, q]) => `${k}: ${String(q?.kind)}`)
                .join(', ')})`,
              for: r.for,
              summary: r.annotations.summary,
              runbook_url: r.annotations.runbook_url,
              state: r.enabled ? r.status.state : null,
              last_evaluation: r.status.evaluated_at,
              error: Object.values(r.status.errors)[0] ?? null,
            })),
          ],
        };
      }
    );
  };
}
