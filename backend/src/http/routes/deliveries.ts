import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { scopeTenant } from '../../auth/keys.js';
import { DELIVERY_ERRORS, DELIVERY_ID_PATTERN, DeliveriesQuery, Delivery, DeliveryIdParams, DeliveryList, TestDeliveryBody } from '../../contracts/delivery.js';
import type { OutboundMessage } from '../../delivery/message.js';
import type { Services } from '../../services.js';
import { reads, writes } from '../authenticate.js';
import { badRequest, notFound } from '../errors.js';

const DELIVERY_ID = new RegExp(DELIVERY_ID_PATTERN);

function deliveryId(id: string): string {
  if (!DELIVERY_ID.test(id)) {
    throw badRequest('invalid_id', `'${id.slice(0, 60)}' is not a delivery id: delivery ids are dlv_ and 24 hex digits (e.g. dlv_0123456789abcdef01234567) as GET /v1/deliveries lists them`);
  }
  return id;
}

/**
 * The delivery log and a channel test (issue "Platform", part 3). A tenant's keys see that tenant's
 * deliveries; admin and viewer keys see every delivery, platform-wide ones too.
 */
export function deliveryRoutes(svc: Services): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/v1/deliveries',
      {
        schema: {
          tags: ['delivery'],
          summary: 'Outbound emails and webhooks, newest first, by status and kind (destinations redacted)',
          querystring: DeliveriesQuery,
          response: { 200: DeliveryList, ...DELIVERY_ERRORS },
        },
        config: reads('listing deliveries'),
      },
      async (req) => {
        const tenant = scopeTenant(req.principal, req.query.tenant_id);
        return { deliveries: await svc.deliveries.list({ tenant, status: req.query.status, kind: req.query.kind, limit: req.query.limit ?? 100 }) };
      }
    );

    app.get(
      '/v1/deliveries/:id',
      {
        schema: { tags: ['delivery'], summary: 'One delivery: status, attempts, last error, its job', params: DeliveryIdParams, response: { 200: Delivery, ...DELIVERY_ERRORS } },
        config: reads('reading a delivery'),
      },
      async (req) => {
        const id = deliveryId(req.params.id);
        const d = await svc.deliveries.get(id, req.principal.tenantId);
        if (!d) {
          throw notFound(`delivery '${id}' not found${req.principal.tenantId ? ` for tenant '${req.principal.tenantId}'` : ''}: list deliveries with GET /v1/deliveries`);
        }
        return d;
      }
    );

    app.post(
      '/v1/deliveries/test',
      {
        schema: {
          tags: ['delivery'],
          summary: 'Send a test message to an email address or a webhook URL (202: follow it with GET /v1/deliveries/:id)',
          body: TestDeliveryBody,
          response: { 202: Delivery, ...DELIVERY_ERRORS },
        },
        config: writes('sending test messages', ['admin', 'tenant-admin']),
        // fastify drops unknown fields silently; here a misspelt 'secret' would send an unsigned test
        preValidation: async (req) => {
          const b = req.body;
          if (typeof b === 'object' && b !== null && !Array.isArray(b)) {
            const unknown = Object.keys(b).filter((k) => !Object.hasOwn(TestDeliveryBody.properties, k));
            if (unknown.length > 0) {
              throw badRequest('unknown_field', `unknown field '${unknown[0]?.slice(0, 60)}': the body takes ${Object.keys(TestDeliveryBody.properties).join(', ')}`);
            }
          }
        },
      },
      async (req, reply) => {
        const b = req.body;
        const tenant = scopeTenant(req.principal, b.tenant_id);
        if (tenant !== null && req.principal.tenantId === null && !(await svc.tenants.get(tenant))) {
          throw notFound(`tenant '${tenant}' not found: create it with POST /v1/tenants, or leave tenant_id out for a platform-wide test`);
        }
        const at = new Date().toISOString();
        const who = `key ${req.principal.keyId}${tenant ? ` for tenant ${tenant}` : ''}`;
        let message: OutboundMessage;
        if (b.kind === 'email') {
          if (b.to === undefined) {
            throw badRequest('missing_field', "an email test needs 'to': an address or a list of addresses");
          }
          if (b.url !== undefined || b.secret !== undefined) {
            throw badRequest('invalid_field', `'${b.url !== undefined ? 'url' : 'secret'}' is for kind webhook: an email test takes 'to'`);
          }
          message = {
            kind: 'email',
            to: b.to,
            subject: 'CAAS Observatory: test message',
            text: `This is a test message from CAAS Observatory, requested by ${who} at ${at}.\n\nIf you can read it, this address receives CAAS Observatory mail.\n`,
          };
        } else {
          if (b.url === undefined) {
            throw badRequest('missing_field', "a webhook test needs 'url': the http(s) address to POST to");
          }
          if (b.to !== undefined) {
            throw badRequest('invalid_field', "'to' is for kind email: a webhook test takes 'url' (and optionally 'secret')");
          }
          message = {
            kind: 'webhook',
            url: b.url,
            body: { type: 'caas.test', text: `Test message from CAAS Observatory, requested by ${who}`, tenant_id: tenant, requested_at: at },
            ...(b.secret === undefined ? {} : { secret: b.secret }),
          };
        }
        const { delivery } = await svc.deliveries.send(message, { tenantId: tenant, idempotencyKey: b.idempotency_key ?? `test:${randomUUID()}` });
        return reply.status(202).send(delivery);
      }
    );
  };
}
