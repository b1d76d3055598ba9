import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { ErrorBody, ErrorResponses } from '../../contracts/common.js';
import { AnalyticsService } from '../../analytics/service.js';
import { frameToCsv } from '../../analytics/frames.js';
import { messageCounts, messageCountsCsv } from '../../analytics/messages.js';
import {
  AnnotationsQuery,
  AnnotationsResponse,
  MessagesQuery,
  MessagesResponse,
  QueryResponse,
  VariableName,
  VariableQuery,
  VariableResponse,
} from '../../contracts/analytics.js';
import { annotations, variableValues } from '../../analytics/variables.js';
import type { Services } from '../../services.js';
import { reads, signedLink } from '../authenticate.js';

/** The seed's GET /analytics/messages and POST /v1/analytics/query (issue "CAAS analytics"). */
export function analyticsRoutes(svc: Services): FastifyPluginAsync {
  const analytics = svc.analytics;
  return async (app) => {
    app.post<{ Querystring: { format?: string } }>(
      '/v1/analytics/query',
      {
        schema: {
          tags: ['analytics'],
          summary: 'One analytics query',
          description:
            'The body is one query kind: timeseries, active_users, retention, funnel, cohorts, top_n, heatmap, geo, adoption or search_analytics (see the README); it is validated per kind so that errors name the kind\'s own fields. `?format=csv` answers the first frame as CSV.',
          querystring: Type.Object({ format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')])) }),
          response: {
            200: { content: { 'application/json': { schema: QueryResponse }, 'text/csv': { schema: Type.String() } } },
            ...ErrorResponses,
            504: ErrorBody,
          },
        },
        config: reads('analytics queries'),
      },
      async (req, reply) => {
      const q = AnalyticsService.validate(req.body);
      const res = await analytics.query(q, analytics.tenantFor(req.principal, q.tenant_id));
      if (req.query.format === 'csv') {
        return reply.type('text/csv; charset=utf-8').send(res.frames[0] ? frameToCsv(res.frames[0]) : '');
      }
      return res;
    }
    );

    app.get<{ Params: { name: string }; Querystring: VariableQuery }>(
      '/v1/analytics/variables/:name',
      {
        schema: { tags: ['analytics'], summary: 'Template variable values', params: Type.Object({ name: VariableName }), querystring: VariableQuery, response: { 200: VariableResponse, ...ErrorResponses } },
        config: reads('template variables'),
      },
      async (req) => {
        if (req.params.name === 'tenants') {
          const all = req.principal.tenantId === null ? await svc.tenants.list() : [await svc.tenants.get(req.principal.tenantId as string)];
          return { values: all.filter((t) => t !== undefined).map((t) => ({ text: t.name, value: t.id })) };
        }
        const tenant = analytics.tenantFor(req.principal, req.query.tenant_id);
        return { values: await analytics.guarded(tenant, () => variableValues(svc.store, tenant, req.params.name, req.query, analytics.bounds())) };
      }
    );

    app.post<{ Body: AnnotationsQuery }>('/v1/analytics/annotations', { schema: { tags: ['analytics'], summary: 'Events as Grafana annotations', body: AnnotationsQuery, response: { 200: AnnotationsResponse, ...ErrorResponses } }, config: reads('annotations') }, async (req) => {
      const tenant = analytics.tenantFor(req.principal, req.body.tenant_id);
      return { annotations: await analytics.guarded(tenant, () => annotations(svc.store, tenant, req.body, analytics.bounds())) };
    });

    const messagesSchema = (summary: string) => ({
      tags: ['analytics'],
      summary,
      querystring: MessagesQuery,
      response: { 200: { content: { 'application/json': { schema: MessagesResponse }, 'text/csv': { schema: Type.String() } } }, ...ErrorResponses },
    });
    const answerMessages = async (req: FastifyRequest<{ Querystring: MessagesQuery }>, reply: FastifyReply) => {
      const rows = await messageCounts(analytics, analytics.tenantFor(req.principal, req.query.tenant_id), req.query);
      if (req.query.format === 'csv') {
        return reply.type('text/csv; charset=utf-8').send(messageCountsCsv(rows, req.query.group_by));
      }
      return { data: rows };
    };
    app.get<{ Querystring: MessagesQuery }>(
      '/analytics/messages',
      { schema: messagesSchema("The seed's message counts by day (or hour, week, month)"), config: reads('analytics queries') },
      answerMessages
    );
    // The same answer through a share link (POST /v1/links): one tenant, the signed address only.
    app.get<{ Querystring: MessagesQuery }>(
      '/v1/shared/analytics/messages',
      { schema: messagesSchema('Message counts through a share link (POST /v1/links)'), config: signedLink('shared message counts') },
      answerMessages
    );
  };
}
