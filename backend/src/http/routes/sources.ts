import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ErrorResponses } from '../../contracts/common.js';
import { CreateSourceBody, CrawlErrorResponses, CursorParams, SourceIdParams, SourceInfo, SourceList } from '../../contracts/crawler.js';
import { notFound } from '../../errors.js';
import type { Services } from '../../services.js';
import { GLOBAL_READERS, reads, writes } from '../authenticate.js';

/**
 * Crawl sources (issue "Crawler and search"): register, list with their cursors, remove. Admin only for
 * writes; admin and viewer keys read (a source spans tenants). Secrets are never echoed: `{"set": true}`.
 */
export function sourceRoutes(svc: Services): FastifyPluginAsyncTypebox {
  return async (app) => {
    const adminOnly = ['admin'] as const;
    const globalReaders = GLOBAL_READERS;
    app.post(
      '/v1/sources',
      {
        schema: {
          tags: ['crawler'],
          summary: 'Register a crawl source (its token or connection string is never shown again)',
          body: CreateSourceBody,
          response: { 201: SourceInfo, ...ErrorResponses, ...CrawlErrorResponses },
        },
        config: writes('registering crawl sources', adminOnly),
      },
      async (req, reply) => reply.status(201).send(await svc.crawler.create(req.body))
    );
    app.get(
      '/v1/sources',
      {
        schema: { tags: ['crawler'], summary: 'Crawl sources and their cursors (secrets only as set: true/false)', response: { 200: SourceList, ...ErrorResponses } },
        config: reads('listing crawl sources', globalReaders),
      },
      async () => ({ sources: await svc.crawler.list() })
    );
    app.get(
      '/v1/sources/:id',
      {
        schema: { tags: ['crawler'], summary: 'One crawl source and its cursors', params: SourceIdParams, response: { 200: SourceInfo, ...ErrorResponses } },
        config: reads('reading crawl sources', globalReaders),
      },
      async (req) => {
        const s = await svc.crawler.get(req.params.id);
        if (!s) throw notFound(`source '${req.params.id.slice(0, 80)}' not found: list sources with GET /v1/sources`);
        return s;
      }
    );
    app.delete(
      '/v1/sources/:id/cursors/:entity/:tenant_id',
      {
        schema: {
          tags: ['crawler'],
          summary: "Forget a cursor: the next incremental crawl of that entity and tenant reads everything again",
          params: CursorParams,
          response: { 204: Type.Null(), ...ErrorResponses },
        },
        config: writes('resetting crawl cursors', adminOnly),
      },
      async (req, reply) => {
        const { id, entity, tenant_id } = req.params;
        if (!(await svc.crawler.cursors.reset(id, entity, tenant_id))) {
          throw notFound(`source '${id.slice(0, 80)}' has no cursor for ${entity} of tenant '${tenant_id}': see GET /v1/sources`);
        }
        return reply.status(204).send(null);
      }
    );
    app.delete(
      '/v1/sources/:id',
      {
        schema: { tags: ['crawler'], summary: 'Remove a crawl source, its cursors and schedules (indexed documents stay)', params: SourceIdParams, response: { 204: Type.Null(), ...ErrorResponses } },
        config: writes('removing crawl sources', adminOnly),
      },
      async (req, reply) => {
        await svc.crawler.remove(req.params.id);
        return reply.status(204).send(null);
      }
    );
  };
}
