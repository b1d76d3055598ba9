import { randomUUID } from 'node:crypto';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import rateLimit from '@fastify/rate-limit';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply } from 'fastify';
import type { Services } from '../services.js';
import { publicLimitError, publicRoute, registerAccess } from './authenticate.js';
import { toCaasError } from './error-mapping.js';
import { statusOf } from './errors.js';
import { adminRoutes } from './routes/admin.js';
import { alertRoutes } from './routes/alerts.js';
import { alertmanagerRoutes } from './routes/alertmanager.js';
import { eventRuleRoutes } from './routes/event-rules.js';
import { monitoringRoutes } from './routes/monitoring.js';
import { incidentRoutes } from './routes/incidents.js';
import { oncallRoutes } from './routes/oncall.js';
import { channelRoutes } from './routes/channels.js';
import { analyticsRoutes } from './routes/analytics.js';
import { deadLetterRoutes } from './routes/dead-letters.js';
import { deliveryRoutes } from './routes/deliveries.js';
import { eventRoutes } from './routes/events.js';
import { healthRoutes } from './routes/health.js';
import { accessRoutes } from './routes/access.js';
import { jobRoutes } from './routes/jobs.js';
import { searchRoutes } from './routes/search.js';
import { crawlRoutes } from './routes/crawls.js';
import { sourceRoutes } from './routes/sources.js';

export const API_VERSION = '0.1.0';

/** Messages for the router's own errors, which say what to change. */
function frameworkMessage(code: string, fallback: string): string {
  switch (code) {
    case 'FST_ERR_BAD_URL':
      return 'the path holds a malformed percent-encoding (e.g. %C0%AF or a cut-off %E0%A4): encode it as UTF-8';
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return 'a path segment is longer than 100 characters: ids and names are shorter';
    default:
      return fallback;
  }
}

export async function buildApp(svc: Services): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: svc.log as FastifyBaseLogger,
    bodyLimit: svc.cfg.maxBodyBytes,
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    trustProxy: svc.cfg.trustProxy,
    // Errors the router raises before any hook (a malformed percent-encoding, a path segment over
    // 100 characters) answer in the API's own error shape too.
    frameworkErrors: (err, req, reply) => {
      const e = toCaasError(err, svc.cfg.maxBodyBytes);
      const status = statusOf(e);
      void reply.header('x-request-id', req.id);
      void (reply as FastifyReply).status(status).send({ error: { code: e.code, message: frameworkMessage(err.code, e.message) } });
    },
  }).withTypeProvider<TypeBoxTypeProvider>();
  // Before swagger: the access hook marks each route's security for the OpenAPI document.
  registerAccess(app, svc, { publicPrefixes: ['/docs'], publicRatePerMinute: svc.cfg.publicRateLimit });
  // Per client address, per instance: only routes of kind `public` carry a limit.
  await app.register(rateLimit, { global: false, errorResponseBuilder: (_req, ctx) => publicLimitError(ctx.ttl, ctx.max) });
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'CAAS Observatory backend',
        version: API_VERSION,
        description: 'Event ingestion, analytics, dead letters, tenants and keys. Every error answers `{"error": {"code", "message"}}`.',
      },
      components: {
        securitySchemes: {
          apiKey: { type: 'http', scheme: 'bearer', description: 'an API key: `Authorization: Bearer <key>`' },
          webhookSecret: { type: 'http', scheme: 'bearer', description: 'a webhook secret (POST /v1/webhook-secrets), as Bearer or as the password of Basic auth' },
          signedLink: { type: 'apiKey', in: 'query', name: 'link', description: 'a signed link from POST /v1/links; expired or revoked links answer 410' },
          actionLink: { type: 'apiKey', in: 'query', name: 'link', description: 'a signed action link (Acknowledge / Resolve) from a Slack message, an email or a webhook body; expired links answer 410' },
        },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  app.setErrorHandler((err, req, reply) => {
    const e = toCaasError(err, svc.cfg.maxBodyBytes);
    const status = statusOf(e);
    if (status >= 500) {
      req.log.error({ err }, 'request failed');
    }
    if (e.retryAfter !== undefined) {
      void reply.header('retry-after', String(e.retryAfter));
    }
    void reply.header('x-request-id', req.id);
    return reply.status(status).send({ error: { code: e.code, message: e.message, ...(e.details === undefined ? {} : { details: e.details }) } });
  });
  app.setNotFoundHandler((req, reply) =>
    reply.status(404).send({ error: { code: 'not_found', message: `no route ${req.method} ${req.url.split('?')[0]}; see /docs or the README for the API` } })
  );

  app.addHook('onSend', async (req, reply) => {
    void reply.header('x-request-id', req.id);
  });
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    const labels = { method: req.method, route, status: String(reply.statusCode) };
    svc.metrics.httpRequests.inc(labels);
    svc.metrics.httpDuration.observe(labels, reply.elapsedTime / 1000);
  });

  app.get('/openapi.json', { config: publicRoute, schema: { hide: true } }, async () => app.swagger());
  await app.register(healthRoutes(svc));
  await app.register(adminRoutes(svc));
  await app.register(accessRoutes(svc));
  await app.register(eventRoutes(svc));
  await app.register(deadLetterRoutes(svc));
  await app.register(analyticsRoutes(svc));
  await app.register(jobRoutes(svc));
  await app.register(deliveryRoutes(svc));
  await app.register(searchRoutes(svc));
  await app.register(sourceRoutes(svc));
  await app.register(crawlRoutes(svc));
  await app.register(alertRoutes(svc));
  await app.register(eventRuleRoutes(svc));
  await app.register(alertmanagerRoutes(svc));
  await app.register(monitoringRoutes(svc));
  await app.register(incidentRoutes(svc));
  await app.register(oncallRoutes(svc));
  await app.register(channelRoutes(svc));
  return app;
}
