import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { TObject } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { scopeTenant } from '../../auth/keys.js';
import type { EventRuleInput } from '../../alerts/event-rules/service.js';
import { ErrorResponses } from '../../contracts/common.js';
import {
  CreateEventRuleBody,
  EventRule,
  EventRuleDeleted,
  EventRuleDetail,
  EventRuleErrors,
  EventRuleIdParams,
  EventRuleList,
  EventRuleListQuery,
  EventRulePreview,
  PatchEventRuleBody,
  PreviewEventRuleBody,
  ReplaceEventRuleBody,
} from '../../contracts/event-rules.js';
import type { Services } from '../../services.js';
import { reads, writes } from '../authenticate.js';
import { badRequest } from '../errors.js';

const NESTED: Record<string, string[]> = {
  annotations: ['summary', 'description', 'runbook_url'],
  condition: ['expression', 'reducer', 'field', 'op', 'threshold'],
};

/**
 * fastify drops unknown fields silently; in a rule a misspelt `for` or `threshold` would quietly change
 * when it alerts, so unknown fields (also inside `annotations` and `condition`) are refused, by name.
 */
function refuseUnknownFields(body: TObject) {
  return async (req: FastifyRequest) => {
    const b = req.body;
    if (typeof b !== 'object' || b === null || Array.isArray(b)) {
      return;
    }
    const unknown = Object.keys(b).find((k) => !Object.hasOwn(body.properties, k));
    if (unknown !== undefined) {
      throw badRequest('unknown_field', `unknown field '${unknown.slice(0, 60)}': an event rule takes ${Object.keys(body.properties).join(', ')}`);
    }
    for (const [field, known] of Object.entries(NESTED)) {
      const v = (b as Record<string, unknown>)[field];
      const extra = typeof v === 'object' && v !== null && !Array.isArray(v) ? Object.keys(v).find((k) => !known.includes(k)) : undefined;
      if (extra !== undefined) {
        throw badRequest('unknown_field', `unknown field '${field}.${extra.slice(0, 60)}': ${field} takes ${known.join(', ')}`);
      }
    }
  };
}

/**
 * Event rules (issue "Alert management", item 1): conditions over the platform's analytics events that the
 * ruler evaluates. Admin keys manage every rule, tenant-admin keys their own tenant's; every reader lists
 * its tenant's rules and those for every tenant, with its own alerts only.
 */
export function eventRuleRoutes(svc: Services): FastifyPluginAsyncTypebox {
  return async (app) => {
    const managers = ['admin', 'tenant-admin'] as const;
    const tags = ['alerts'];

    app.get(
      '/v1/alerts/event-rules',
      {
        schema: {
          tags,
          summary: 'Event rules with their state (last evaluation, pending and firing alerts)',
          querystring: EventRuleListQuery,
          response: { 200: EventRuleList, ...ErrorResponses },
        },
        config: reads('listing event rules'),
      },
      async (req) => ({ rules: await svc.eventRules.list(scopeTenant(req.principal, req.query.tenant_id)) })
    );
    app.get(
      '/v1/alerts/event-rules/:id',
      {
        schema: { tags, summary: 'One event rule, its state and its alerts (pending, firing, recently resolved)', params: EventRuleIdParams, response: { 200: EventRuleDetail, ...ErrorResponses } },
        config: reads('reading event rules'),
      },
      async (req) => svc.eventRules.get(req.params.id, req.principal.tenantId)
    );
    app.post(
      '/v1/alerts/event-rules',
      {
        schema: {
          tags,
          summary: 'Create an event rule: its queries run once (a query the analytics engine refuses answers 400 with its reason), then it is stored and evaluated by the ruler',
          body: CreateEventRuleBody,
          response: { 201: EventRule, ...ErrorResponses, ...EventRuleErrors },
        },
        config: writes('creating event rules', managers),
        preValidation: refuseUnknownFields(CreateEventRuleBody),
      },
      async (req, reply) => reply.status(201).send(await svc.eventRules.create(req.body as EventRuleInput, req.principal.tenantId))
    );
    app.post(
      '/v1/alerts/event-rules/preview',
      {
        schema: {
          tags,
          summary: 'What a rule answers now (each query reduced, the expression per series, whether the condition holds), without storing it',
          body: PreviewEventRuleBody,
          response: { 200: EventRulePreview, ...ErrorResponses, ...EventRuleErrors },
        },
        config: reads('previewing event rules'),
        preValidation: refuseUnknownFields(PreviewEventRuleBody),
      },
      async (req) => {
        const { preview_tenant_id, ...rule } = req.body;
        return svc.eventRules.preview(rule as EventRuleInput, req.principal.tenantId, preview_tenant_id);
      }
    );
    app.put(
      '/v1/alerts/event-rules/:id',
      {
        schema: {
          tags,
          summary: 'Replace an event rule (fields left out take their defaults)',
          params: EventRuleIdParams,
          body: ReplaceEventRuleBody,
          response: { 200: EventRule, ...ErrorResponses, ...EventRuleErrors },
        },
        config: writes('changing event rules', managers),
        preValidation: refuseUnknownFields(ReplaceEventRuleBody),
      },
      async (req) => svc.eventRules.replace(req.params.id, req.body as EventRuleInput, req.principal.tenantId)
    );
    app.patch(
      '/v1/alerts/event-rules/:id',
      {
        schema: {
          tags,
          summary: 'Change some fields of an event rule, e.g. {"enabled": false} or {"condition": {"threshold": 0.05}}',
          params: EventRuleIdParams,
          body: PatchEventRuleBody,
          response: { 200: EventRule, ...ErrorResponses, ...EventRuleErrors },
        },
        config: writes('changing event rules', managers),
        preValidation: refuseUnknownFields(PatchEventRuleBody),
      },
      async (req) => svc.eventRules.patch(req.params.id, req.body as Parameters<typeof svc.eventRules.patch>[1], req.principal.tenantId)
    );
    app.delete(
      '/v1/alerts/event-rules/:id',
      {
        schema: { tags, summary: 'Delete an event rule (its firing alerts resolve at the ruler\'s next run)', params: EventRuleIdParams, response: { 200: EventRuleDeleted, ...ErrorResponses } },
        config: writes('deleting event rules', managers),
      },
      async (req) => svc.eventRules.remove(req.params.id, req.principal.tenantId)
    );
  };
}
