import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type TObject } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { WebhookPayload } from '../../alerts/alertmanager/webhook.js';
import { scopeTenant } from '../../auth/keys.js';
import { ErrorBody, ErrorResponses } from '../../contracts/common.js';
import {
  CreatePolicyBody,
  EscalationPolicy,
  EscalationPolicyList,
  IncidentDetail,
  INCIDENT_ERRORS,
  IncidentIdParams,
  IncidentList,
  IncidentsQuery,
  MonitoringAlerts,
  MonitoringAlertsQuery,
  PolicyIdParams,
  PostmortemBody,
  ReplacePolicyBody,
  SnoozeBody,
  WebhookAccepted,
  WEBHOOK_ERRORS,
} from '../../contracts/incidents.js';
import type { Services } from '../../services.js';
import { RESPONDERS, reads, webhook, writes } from '../authenticate.js';
import { badRequest } from '../errors.js';

/** fastify drops unknown query parameters silently; a misspelt filter (status= for state=) would list everything. */
function refuseUnknownQuery(schema: TObject) {
  return async (req: FastifyRequest) => {
    const unknown = Object.keys(req.query as object).find((k) => !Object.hasOwn(schema.properties, k));
    if (unknown !== undefined) {
      throw badRequest('unknown_parameter', `unknown query parameter '${unknown.slice(0, 60)}': this route takes ${Object.keys(schema.properties).join(', ')}`);
    }
  };
}

/**
 * Incidents (issue "Alert management", items 3, 4, 7 and 8): Alertmanager's webhook receiver (a webhook-secret route:
 * the `alertmanager` secret, e.g. ALERTMANAGER_WEBHOOK_SECRET, as Bearer), the incident API the app uses, the seed's
 * tenant-scoped /monitoring/alerts, and escalation policies. A tenant's keys see that tenant's incidents; admin and
 * viewer keys every incident, the platform's too (alerts without a tenant_id label). Another tenant's incident is a
 * 404, never a 403.
 */
export function incidentRoutes(svc: Services): FastifyPluginAsyncTypebox {
  return async (app) => {
    const tags = ['incidents'];
    const actors = RESPONDERS;
    const policyWriters = ['admin', 'tenant-admin'] as const;

    app.post(
      '/v1/alertmanager/webhook',
      {
        schema: {
          tags,
          summary: "Alertmanager's webhook receiver (payload version 4): the notification is stored before the 200, then opens, updates or resolves incidents",
          description:
            "Point a webhook_configs receiver here with http_config.authorization.credentials set to the secret. Repeats of a group's last notification (repeat_interval, retries) are counted, not applied again. A payload that is not a v4 notification answers 400 naming the field (Alertmanager does not retry a 4xx).",
          body: WebhookPayload,
          response: { 200: WebhookAccepted, ...WEBHOOK_ERRORS },
        },
        config: webhook("receiving Alertmanager's notifications", 'alertmanager'),
      },
      async (req) => svc.incidents.accept(req.body, 'alertmanager')
    );

    app.get(
      '/v1/incidents',
      {
        schema: {
          tags,
          summary: 'Incidents, newest first, by state, severity, tenant and opening time; next_cursor pages back',
          querystring: IncidentsQuery,
          response: { 200: IncidentList, ...INCIDENT_ERRORS },
        },
        config: reads('listing incidents'),
        preValidation: refuseUnknownQuery(IncidentsQuery),
      },
      async (req) => {
        const { tenant_id, ...q } = req.query;
        return svc.incidents.list(scopeTenant(req.principal, tenant_id), q);
      }
    );

    app.get(
      '/v1/incidents/:id',
      {
        schema: { tags, summary: 'One incident with its alerts and its timeline (notifications, actions and who did them, pages)', params: IncidentIdParams, response: { 200: IncidentDetail, ...INCIDENT_ERRORS } },
        config: reads('reading incidents'),
      },
      async (req) => svc.incidents.get(req.params.id, req.principal.tenantId)
    );

    const actions = [
      ['acknowledge', 'Acknowledge: no further pages (the escalation stops; whoever acknowledged is reminded if it stays unresolved)'],
      ['unacknowledge', 'Unacknowledge: triggered again, the escalation starts over'],
      ['resolve', 'Resolve by hand (a later firing alert of the group opens a new incident)'],
    ] as const;
    for (const [action, summary] of actions) {
      app.post(
        `/v1/incidents/:id/${action}`,
        {
          schema: { tags, summary, params: IncidentIdParams, response: { 200: IncidentDetail, ...INCIDENT_ERRORS } },
          config: writes(`changing incidents (${action})`, actors),
        },
        async (req) => svc.incidents.act(req.params.id, req.principal.tenantId, action, await svc.incidents.actorOf(req.principal))
      );
    }
    app.post(
      '/v1/incidents/:id/snooze',
      {
        schema: {
          tags,
          summary: 'Snooze for {minutes}: acknowledged and no pages until then, then triggered again and escalated anew',
          params: IncidentIdParams,
          body: SnoozeBody,
          response: { 200: IncidentDetail, ...INCIDENT_ERRORS },
        },
        config: writes('changing incidents (snooze)', actors),
      },
      async (req) => svc.incidents.act(req.params.id, req.principal.tenantId, 'snooze', await svc.incidents.actorOf(req.principal), { minutes: req.body.minutes })
    );
    app.put(
      '/v1/incidents/:id/postmortem',
      {
        schema: { tags, summary: 'Write or replace the post-mortem note ({"text": ""} removes it)', params: IncidentIdParams, body: PostmortemBody, response: { 200: IncidentDetail, ...INCIDENT_ERRORS } },
        config: writes('writing post-mortem notes', actors),
      },
      async (req) => svc.incidents.postmortem(req.params.id, req.principal.tenantId, req.body.text, await svc.incidents.actorOf(req.principal))
    );

    app.get(
      '/monitoring/alerts',
      {
        schema: {
          tags,
          summary: "Active alerts: a tenant's incidents and their alerts, newest first (admin and viewer keys: every tenant's and the platform's, or name tenant_id)",
          querystring: MonitoringAlertsQuery,
          response: { 200: MonitoringAlerts, ...INCIDENT_ERRORS },
        },
        config: reads('listing alerts'),
        preValidation: refuseUnknownQuery(MonitoringAlertsQuery),
      },
      async (req) => {
        const { tenant_id, include_resolved, ...q } = req.query;
        return svc.incidents.listWithAlerts(scopeTenant(req.principal, tenant_id), { ...q, states: include_resolved ? undefined : ['triggered', 'acknowledged'] });
      }
    );
    app.post(
      '/monitoring/alerts/:id/acknowledge',
      {
        schema: { tags, summary: 'Acknowledge an alert (its incident, as GET /monitoring/alerts lists it): no further pages', params: IncidentIdParams, response: { 200: IncidentDetail, ...INCIDENT_ERRORS } },
        config: writes('acknowledging alerts', actors),
      },
      async (req) => svc.incidents.act(req.params.id, req.principal.tenantId, 'acknowledge', await svc.incidents.actorOf(req.principal))
    );

    const ptags = ['escalation'];
    app.get(
      '/v1/escalation-policies',
      {
        schema: { tags: ptags, summary: "Escalation policies: a tenant's own and the platform's (the seed ladder is the platform's default)", response: { 200: EscalationPolicyList, ...ErrorResponses } },
        config: reads('listing escalation policies'),
      },
      async (req) => ({ policies: await svc.incidents.scopedPolicies.list(req.principal.tenantId) })
    );
    app.get(
      '/v1/escalation-policies/:id',
      {
        schema: { tags: ptags, summary: 'One escalation policy', params: PolicyIdParams, response: { 200: EscalationPolicy, ...ErrorResponses } },
        config: reads('reading escalation policies'),
      },
      async (req) => svc.incidents.scopedPolicies.get(req.params.id, req.principal.tenantId)
    );
    app.post(
      '/v1/escalation-policies',
      {
        schema: { tags: ptags, summary: 'Create an escalation policy (is_default: new incidents of its tenant follow it)', body: CreatePolicyBody, response: { 201: EscalationPolicy, ...ErrorResponses, 409: ErrorBody } },
        config: writes('creating escalation policies', policyWriters),
      },
      async (req, reply) => reply.status(201).send(await svc.incidents.scopedPolicies.create(req.body, req.principal.tenantId))
    );
    app.put(
      '/v1/escalation-policies/:id',
      {
        schema: { tags: ptags, summary: 'Replace an escalation policy (incidents already running it follow the new steps from their next one)', params: PolicyIdParams, body: ReplacePolicyBody, response: { 200: EscalationPolicy, ...ErrorResponses, 409: ErrorBody } },
        config: writes('changing escalation policies', policyWriters),
      },
      async (req) => svc.incidents.scopedPolicies.replace(req.params.id, req.body, req.principal.tenantId)
    );
    app.delete(
      '/v1/escalation-policies/:id',
      {
        schema: { tags: ptags, summary: 'Delete an escalation policy (its incidents page nobody further)', params: PolicyIdParams, response: { 200: Type.Object({ id: Type.String() }), ...ErrorResponses } },
        config: writes('deleting escalation policies', policyWriters),
      },
      async (req) => svc.incidents.scopedPolicies.remove(req.params.id, req.principal.tenantId)
    );
  };
}
