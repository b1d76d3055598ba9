import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import type { Services } from '../services.js';
import { registerAccess } from './authenticate.js';
import type { ErrorObject } from 'ajv';
import { describeAjvErrors } from '../contracts/validation.js';
import { ApiError } from './errors.js';
import { adminRoutes } from './routes/admin.js';
import { analyticsRoutes } from './routes/analytics.js';
import { deadLetterRoutes } from './routes/dead-letters.js';
import { eventRoutes } from './routes/events.js';
import { healthRoutes } from './routes/health.js';

/**
 * SQLSTATE class 22 ("data exception": a NUL in text, a number out of range, …) is about a value
 * the request carried: a safety net behind the contracts' own checks (issue "Hardening", defect 9).
 */
function postgresDataError(err: Error): string | undefined {
  const { code, severity } = err as Error & { code?: unknown; severity?: unknown };
  return typeof code === 'string' && /^22[0-9A-Z]{3}$/.test(code) && typeof severity === 'string' ? code : undefined;
}

const VALIDATION_CONTEXT: Record<string, string> = { body: 'the body', querystring: 'the query string', params: 'the path', headers: 'the headers' };

/** Maps fastify's own errors (body parsing, schema validation, limits) to actionable API errors. */
function toApiError(err: FastifyError, maxBodyBytes: number): ApiError {
  if (err instanceof ApiError) {
    return err;
  }
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiError(413, 'body_too_large', `the body is larger than MAX_BODY_BYTES (${maxBodyBytes} bytes): send smaller batches or gzip them`);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ApiError(415, 'unsupported_media_type', `Content-Type is not supported here: send application/json${err.message.includes('undefined') ? ' (the request had none)' : ''}; /v1/events also takes application/x-ndjson`);
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new ApiError(400, 'empty_body', 'the body is empty: send a JSON body');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new ApiError(400, 'invalid_content_length', 'Content-Length does not match the body');
    default:
      break;
  }
  if (err.validation) {
    const where = VALIDATION_CONTEXT[err.validationContext ?? ''] ?? 'the request';
    return new ApiError(400, 'invalid_request', `${where}: ${describeAjvErrors(err.validation as ErrorObject[])}`, err.validation);
  }
  const pgCode = postgresDataError(err);
  if (pgCode) {
    return new ApiError(400, 'unstorable_value', `a value in the request cannot be stored (PostgreSQL ${pgCode}: ${err.message}); remove control characters and invalid Unicode`);
  }
  if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
    const code = err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err instanceof SyntaxError ? 'invalid_json' : 'bad_request';
    return new ApiError(err.statusCode, code, err.message);
  }
  return new ApiError(500, 'internal', 'internal error; the server log has the details (search it for this request id)');
}

export async function buildApp(svc: Services): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: svc.log as FastifyBaseLogger,
    bodyLimit: svc.cfg.maxBodyBytes,
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    trustProxy: true,
  });
  registerAccess(app, svc.keys);

  app.setErrorHandler((err: FastifyError, req, reply) => {
    const e = toApiError(err, svc.cfg.maxBodyBytes);
    if (e.status >= 500) {
      req.log.error({ err }, 'request failed');
    }
    if (e.retryAfter !== undefined) {
      void reply.header('retry-after', String(e.retryAfter));
    }
    void reply.header('x-request-id', req.id);
    return reply.status(e.status).send({ error: { code: e.code, message: e.message, ...(e.details === undefined ? {} : { details: e.details }) } });
  });
  app.setNotFoundHandler((req, reply) =>
    reply.status(404).send({ error: { code: 'not_found', message: `no route ${req.method} ${req.url.split('?')[0]}; see the README for the API` } })
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

  await app.register(healthRoutes(svc));
  await app.register(adminRoutes(svc));
  await app.register(eventRoutes(svc));
  await app.register(deadLetterRoutes(svc));
  await app.register(analyticsRoutes(svc));
  return app;
}
