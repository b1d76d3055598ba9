import type { FastifyPluginAsync } from 'fastify';
import { ErrorBody } from '../../contracts/common.js';
import { IngestFailedResponse, IngestResponse } from '../../contracts/events.js';
import { INGEST_CONTENT_TYPES } from '../../ingest/intake.js';
import type { Services } from '../../services.js';
import { writes } from '../authenticate.js';

/**
 * POST /v1/events: a JSON array (or one object) or NDJSON, optionally gzip. The body reaches the
 * ingest service as raw bytes so it can be gunzipped and parsed per line.
 */
export function eventRoutes(svc: Services): FastifyPluginAsync {
  return async (app) => {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser(INGEST_CONTENT_TYPES, { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    app.post(
      '/v1/events',
      {
        schema: {
          tags: ['events'],
          summary: 'Send events',
          description:
            'A JSON array of events (or one event), or NDJSON (application/x-ndjson), optionally Content-Encoding: gzip. 202 once every accepted event is fsynced in the write-ahead log; rejected events are listed by index with their reason and kept in the dead letters.',
          response: { 202: IngestResponse, 400: IngestFailedResponse, 401: ErrorBody, 403: IngestFailedResponse, 413: ErrorBody, 415: ErrorBody, 429: ErrorBody, 503: ErrorBody },
        },
        config: writes('sending events', ['admin', 'tenant-admin', 'ingest']),
      },
      async (req, reply) => {
      const contentType = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
      const countryHeader = svc.cfg.countryHeader ? req.headers[svc.cfg.countryHeader] : undefined;
      const country = typeof countryHeader === 'string' && /^[A-Za-z]{2}$/.test(countryHeader.trim()) ? countryHeader.trim() : undefined;
      const res = await svc.ingest.ingest({
        body: req.body as Buffer,
        contentType,
        contentEncoding: req.headers['content-encoding'],
        principal: req.principal,
        ctx: { receivedAt: Date.now(), userAgent: req.headers['user-agent'], country },
        requestId: req.id,
      });
      return reply.status(res.status).send(res.body);
    }
    );
  };
}
