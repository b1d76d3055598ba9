import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { alertmanagerConfig, type AmConfigOptions } from '../../alerts/alertmanager/config.js';
import {
  ActionDone,
  ActionParams,
  ActionQuery,
  Channel,
  ChannelBody,
  CHANNEL_ERRORS,
  ChannelDeliveriesQuery,
  ChannelDeliveryList,
  ChannelIdParams,
  ChannelList,
  ChannelTestAnswer,
} from '../../contracts/channels.js';
import { ErrorBody, ErrorResponses } from '../../contracts/common.js';
import { badRequest, unauthorized } from '../../errors.js';
import type { Services } from '../../services.js';
import { actionLink, GLOBAL_READERS, reads, writes } from '../authenticate.js';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
const PAGE_HEADERS = {
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
};

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><meta name="robots" content="noindex"><title>${esc(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem}button{font-size:1.1rem;padding:.5rem 1.2rem}</style></head><body>${body}</body></html>`;
}

/** fastify drops unknown fields silently; in a channel a misspelt `settings` or `secret` would quietly lose it, so they are refused by name. */
async function refuseUnknownFields(req: FastifyRequest): Promise<void> {
  const b = req.body;
  if (typeof b !== 'object' || b === null || Array.isArray(b)) {
    return;
  }
  const allowed: Record<string, readonly string[]> = { '': Object.keys(ChannelBody.properties), settings: ['to', 'from', 'api_url', 'url', 'alertmanager'], secret: ['webhook_url', 'routing_key', 'account_sid', 'auth_token', 'signing_secret'] };
  for (const [where, keys] of Object.entries(allowed)) {
    const o = where === '' ? b : (b as Record<string, unknown>)[where];
    if (typeof o !== 'object' || o === null || Array.isArray(o)) {
      continue;
    }
    const unknown = Object.keys(o).find((k) => !keys.includes(k));
    if (unknown !== undefined) {
      throw badRequest('unknown_field', `unknown field '${where ? `${where}.` : ''}${unknown.slice(0, 60)}': ${where || 'a channel'} takes ${keys.join(', ')}`);
    }
  }
}

/** The SMTP server for Alertmanager's own email_configs, from SMTP_URL (host and port only, never its credentials). */
export function smtpOf(smtpUrl: string | undefined, from: string): AmConfigOptions['smtp'] {
  if (!smtpUrl) {
    return undefined;
  }
  try {
    const u = new URL(smtpUrl);
    const port = u.port || (u.protocol === 'smtps:' ? '465' : '25');
    return { smarthost: `${u.hostname}:${port}`, from, requireTls: u.protocol === 'smtps:' };
  } catch {
    return undefined;
  }
}

/**
 * Alert channels (issue "Alert management", items 2 and 6): CRUD (reads: admin, viewer and a tenant's keys; writes:
 * admin and tenant-admin; a tenant's keys see and change only their own tenant's channels, another's is a 404), a test
 * message through the real delivery, each channel's delivery log, the generated alertmanager.yml (admin and viewer: it
 * names every tenant's receivers), and the signed Acknowledge / Resolve links of the messages (GET shows a confirmation
 * page and changes nothing; POST acts).
 */
export function channelRoutes(svc: Services): FastifyPluginAsyncTypebox {
  return async (app) => {
    const tags = ['channels'];
    const writers = ['admin', 'tenant-admin'] as const;

    app.get(
      '/v1/alerts/channels',
      { schema: { tags, summary: "Alert channels: a tenant's keys see their own tenant's; admin and viewer keys every one", response: { 200: ChannelList, ...ErrorResponses } }, config: reads('listing alert channels') },
      async (req) => ({ channels: await svc.channels.list(req.principal.tenantId) })
    );
    app.post(
      '/v1/alerts/channels',
      {
        schema: { tags, summary: 'Create an alert channel (its secret is sealed and never shown again)', body: ChannelBody, response: { 201: Channel, ...CHANNEL_ERRORS } },
        config: writes('creating alert channels', writers),
        preValidation: refuseUnknownFields,
      },
      async (req, reply) => reply.status(201).send(await svc.channels.create(req.body, req.principal.tenantId))
    );
    app.get(
      '/v1/alerts/channels/:id',
      { schema: { tags, summary: 'One alert channel', params: ChannelIdParams, response: { 200: Channel, ...CHANNEL_ERRORS } }, config: reads('reading alert channels') },
      async (req) => svc.channels.get(req.params.id, req.principal.tenantId)
    );
    app.put(
      '/v1/alerts/channels/:id',
      {
        schema: { tags, summary: 'Replace an alert channel (without `secret` the stored secret is kept; the kind and owner do not change)', params: ChannelIdParams, body: ChannelBody, response: { 200: Channel, ...CHANNEL_ERRORS } },
        config: writes('changing alert channels', writers),
        preValidation: refuseUnknownFields,
      },
      async (req) => svc.channels.replace(req.params.id, req.body, req.principal.tenantId)
    );
    app.delete(
      '/v1/alerts/channels/:id',
      { schema: { tags, summary: 'Delete an alert channel', params: ChannelIdParams, response: { 200: Type.Object({ id: Type.String() }), ...CHANNEL_ERRORS } }, config: writes('deleting alert channels', writers) },
      async (req) => svc.channels.remove(req.params.id, req.principal.tenantId)
    );
    app.post(
      '/v1/alerts/channels/:id/test',
      {
        schema: { tags, summary: 'Send a test message (marked as a test) through the real delivery; answers the delivery to follow', params: ChannelIdParams, response: { 200: ChannelTestAnswer, ...CHANNEL_ERRORS } },
        config: writes('testing alert channels', writers),
      },
      async (req) => svc.channels.test(req.params.id, req.principal.tenantId)
    );
    app.get(
      '/v1/alerts/channels/:id/deliveries',
      {
        schema: { tags, summary: "The channel's deliveries, newest first, from the delivery log (never what was said, never a secret)", params: ChannelIdParams, querystring: ChannelDeliveriesQuery, response: { 200: ChannelDeliveryList, ...CHANNEL_ERRORS } },
        config: reads('reading alert channel deliveries'),
      },
      async (req) => ({ deliveries: await svc.channels.deliveries(req.params.id, req.principal.tenantId, req.query.limit ?? 50) })
    );

    app.get(
      '/v1/alerts/alertmanager.yml',
      {
        schema: {
          tags: ['alerts'],
          summary: "The Alertmanager configuration of the app's channels: the backend's webhook receiver at the root, a route per tenant with channels, natively paged channels, inhibition",
          response: { 200: { content: { 'application/yaml': { schema: Type.String() } } }, ...ErrorResponses },
        },
        config: reads('reading the generated Alertmanager configuration', GLOBAL_READERS),
      },
      async (req, reply) => {
        // The webhook secret is written in only for admin keys; every other reader (Grafana's Viewer route sends a
        // read key) gets `credentials_file`, the file the operator provisions with the secret.
        const yml = alertmanagerConfig(await svc.channels.allTargets(), {
          publicUrl: svc.cfg.alertmanagerWebhookBaseUrl,
          webhookSecret: req.principal.role === 'admin' ? svc.cfg.alertmanagerWebhookSecret : undefined,
          smtp: smtpOf(svc.cfg.smtpUrl, svc.cfg.delivery.mailFrom),
        });
        return reply.type('application/yaml; charset=utf-8').send(yml);
      }
    );

    // ---- signed action links ----
    const actionTags = ['incidents'];
    app.get(
      '/v1/incidents/:id/actions/:action',
      {
        schema: {
          tags: actionTags,
          summary: 'An Acknowledge / Resolve link from a message: a confirmation page whose button POSTs to the same address (opening it changes nothing)',
          params: ActionParams,
          querystring: ActionQuery,
          response: { 200: { content: { 'text/html': { schema: Type.String() } } }, 401: ErrorBody, 404: ErrorBody, 410: ErrorBody },
        },
        config: actionLink('opening an incident action link', false),
      },
      async (req, reply) => {
        const g = req.actionGrant;
        if (!g || g.incidentId !== req.params.id || g.action !== req.params.action) {
          throw unauthorized('this action link was signed for another incident or action');
        }
        const inc = await svc.incidents.get(g.incidentId, null);
        const verb = g.action === 'acknowledge' ? 'Acknowledge' : 'Resolve';
        const done = (g.action === 'acknowledge' && inc.state !== 'triggered') || inc.state === 'resolved';
        const body = `<h1>${verb} incident?</h1><p><strong>${esc(inc.title)}</strong></p><p>Severity ${esc(inc.severity)} · ${esc(inc.tenant_id ?? 'platform')} · now <strong>${esc(inc.state)}</strong></p>${
          done ? `<p>Nothing to do: the incident is ${esc(inc.state)} already.</p>` : `<form method="post" enctype="text/plain"><button type="submit">${verb}</button></form>`
        }<p><small>Sent to ${esc(g.name)}. The link expires; the app can always act on the incident.</small></p>`;
        return reply.headers(PAGE_HEADERS).type('text/html; charset=utf-8').send(page(`${verb} ${inc.title}`, body));
      }
    );
    app.post(
      '/v1/incidents/:id/actions/:action',
      {
        schema: {
          tags: actionTags,
          summary: 'Act on the incident as the signed link says (acknowledge or resolve); the timeline names the link and whom it was sent to',
          params: ActionParams,
          querystring: ActionQuery,
          response: { 200: { content: { 'application/json': { schema: ActionDone }, 'text/html': { schema: Type.String() } } }, 401: ErrorBody, 404: ErrorBody, 409: ErrorBody, 410: ErrorBody },
        },
        config: actionLink('acting on an incident through a signed link', true),
      },
      async (req, reply) => {
        const g = req.actionGrant;
        if (!g || g.incidentId !== req.params.id || g.action !== req.params.action) {
          throw unauthorized('this action link was signed for another incident or action');
        }
        const inc = await svc.incidents.act(g.incidentId, null, g.action, { type: 'link', id: g.id, name: g.name });
        const message = `${g.action === 'acknowledge' ? 'acknowledged' : 'resolved'}: the incident is ${inc.state}`;
        if ((req.headers.accept ?? '').includes('text/html')) {
          return reply.headers(PAGE_HEADERS).type('text/html; charset=utf-8').send(page('Done', `<h1>Done</h1><p><strong>${esc(inc.title)}</strong> is ${esc(inc.state)}.</p>`));
        }
        return reply.type('application/json; charset=utf-8').send({ incident_id: inc.id, action: g.action, state: inc.state, message });
      }
    );
  };
}
