import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Principal } from '../../auth/keys.js';
import { ErrorResponses } from '../../contracts/common.js';
import {
  AlertmanagerErrors,
  AmAlerts,
  AmAlertsQuery,
  AmGroups,
  AmSilence,
  AmSilences,
  AmSilencesQuery,
  AmStatus,
  CreateSilenceBody,
  SilenceIdParams,
} from '../../contracts/alertmanager.js';
import type { Services } from '../../services.js';
import { RESPONDERS, reads, writes } from '../authenticate.js';

const who = (p: Principal) => `caas key ${p.keyId}${p.tenantId ? ` (tenant ${p.tenantId})` : ''}`;

function filterOf(q: { filter?: string | string[] | undefined; active?: boolean | undefined; silenced?: boolean | undefined; inhibited?: boolean | undefined; receiver?: string | undefined }) {
  return {
    ...(q.filter === undefined ? {} : { filter: Array.isArray(q.filter) ? q.filter : [q.filter] }),
    ...(q.active === undefined ? {} : { active: q.active }),
    ...(q.silenced === undefined ? {} : { silenced: q.silenced }),
    ...(q.inhibited === undefined ? {} : { inhibited: q.inhibited }),
    ...(q.receiver === undefined ? {} : { receiver: q.receiver }),
  };
}

/**
 * Alertmanager for the app (issue "Alert management", item 2): its status and inhibition rules, alerts and
 * groups as it groups them, silences (create with matchers, expire). Tenant keys see and silence their own
 * tenant's alerts only; 503 with what to set when ALERTMANAGER_URL is not.
 */
export function alertmanagerRoutes(svc: Services): FastifyPluginAsyncTypebox {
  return async (app) => {
    const tags = ['alertmanager'];
    const silencers = RESPONDERS;
    const errors = { ...ErrorResponses, ...AlertmanagerErrors };

    app.get(
      '/v1/alertmanager/status',
      { schema: { tags, summary: "Alertmanager's version, cluster, receivers and inhibition rules", response: { 200: AmStatus, ...errors } }, config: reads('reading Alertmanager\'s status') },
      async () => svc.alertmanager.status()
    );
    app.get(
      '/v1/alertmanager/alerts',
      {
        schema: { tags, summary: 'Alerts in Alertmanager (a tenant key: its own tenant\'s)', querystring: AmAlertsQuery, response: { 200: AmAlerts, ...errors } },
        config: reads('reading alerts'),
      },
      async (req) => ({ alerts: await svc.alertmanager.alerts(req.principal.tenantId, filterOf(req.query)) })
    );
    app.get(
      '/v1/alertmanager/groups',
      {
        schema: { tags, summary: 'Alert groups as Alertmanager groups them (a tenant key: the groups of its alerts)', querystring: AmAlertsQuery, response: { 200: AmGroups, ...errors } },
        config: reads('reading alert groups'),
      },
      async (req) => ({ groups: await svc.alertmanager.groups(req.principal.tenantId, filterOf(req.query)) })
    );
    app.get(
      '/v1/alertmanager/silences',
      {
        schema: { tags, summary: 'Silences, active first (a tenant key: those with its tenant_id matcher)', querystring: AmSilencesQuery, response: { 200: AmSilences, ...errors } },
        config: reads('reading silences'),
      },
      async (req) => ({ silences: await svc.alertmanager.silences(req.principal.tenantId, req.query.state) })
    );
    app.get(
      '/v1/alertmanager/silences/:id',
      { schema: { tags, summary: 'One silence', params: SilenceIdParams, response: { 200: AmSilence, ...errors } }, config: reads('reading silences') },
      async (req) => svc.alertmanager.silence(req.principal.tenantId, req.params.id)
    );
    app.post(
      '/v1/alertmanager/silences',
      {
        schema: {
          tags,
          summary: 'Silence alerts matching the matchers from startsAt (default now) to endsAt or for a duration',
          description: "A tenant key's silence always matches tenant_id=\"<its tenant>\" (added when left out); Alertmanager's own refusals (e.g. a bad regular expression) answer 400 with its reason.",
          body: CreateSilenceBody,
          response: { 201: AmSilence, ...errors },
        },
        config: writes('silencing alerts', silencers),
      },
      async (req, reply) => reply.status(201).send(await svc.alertmanager.createSilence(req.principal.tenantId, req.body, who(req.principal)))
    );
    app.delete(
      '/v1/alertmanager/silences/:id',
      {
        schema: { tags, summary: 'Expire a silence now (a tenant key: its own)', params: SilenceIdParams, response: { 200: AmSilence, ...errors } },
        config: writes('expiring silences', silencers),
      },
      async (req) => svc.alertmanager.expireSilence(req.principal.tenantId, req.params.id)
    );
  };
}
