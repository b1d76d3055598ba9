import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ErrorResponses } from '../../contracts/common.js';
import { CrawlAccepted, CrawlErrorResponses, CrawlList, CrawlsQuery, CreateCrawlBody } from '../../contracts/crawler.js';
import { notFound } from '../../errors.js';
import type { Services } from '../../services.js';
import { GLOBAL_READERS, reads, writes } from '../authenticate.js';

/**
 * Crawls (issue "Crawler and search"): POST /v1/crawls queues a crawl job and answers 202 {job_id};
 * its progress and log are at GET /v1/jobs/:id. One crawl at a time per (source, entity, tenant): the
 * same request while one is queued or running answers that job; another type answers 409.
 * GET /v1/crawls lists crawl jobs with their source, type and entity, rate and estimated time left (the
 * Crawler page); like the sources they span tenants, so admin and viewer keys read them.
 */
export function crawlRoutes(svc: Services): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/v1/crawls',
      {
        schema: {
          tags: ['crawler'],
          summary: 'Crawl jobs, newest first, with their source, type, entity, rate (docs/s) and estimated time left',
          querystring: CrawlsQuery,
          response: { 200: CrawlList, ...ErrorResponses },
        },
        config: reads('listing crawls', GLOBAL_READERS),
      },
      async (req) => ({ crawls: await svc.crawler.listCrawls(req.query) })
    );
    app.post(
      '/v1/crawls',
      {
        schema: {
          tags: ['crawler'],
          summary: 'Queue a crawl (full_reindex, incremental or deleted) of one entity for one tenant',
          body: CreateCrawlBody,
          response: { 202: CrawlAccepted, ...ErrorResponses, ...CrawlErrorResponses },
        },
        config: writes('starting crawls', ['admin']),
      },
      async (req, reply) => {
        if (!(await svc.tenants.get(req.body.tenant_id))) {
          throw notFound(`tenant '${req.body.tenant_id}' not found: create it with POST /v1/tenants first`);
        }
        const r = await svc.crawler.enqueue(req.body);
        return reply.status(202).send({ job_id: r.id });
      }
    );
  };
}
