import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@sinclair/typebox';
import { ErrorBody, ErrorResponses } from '../../contracts/common.js';
import { AnalyticsService } from '../../analytics/service.js';
import { frameToCsv, num } from '../../analytics/frames.js';
import { parseInstant } from '../../analytics/time.js';
import {
  AnnotationsQuery,
  AnnotationsResponse,
  MessagesQuery,
  MessagesResponse,
  QueryResponse,
  VariableName,
  VariableQuery,
  VariableResponse,
  type Granularity,
} from '../../contracts/analytics.js';
import { annotations, variableValues } from '../../analytics/variables.js';
import type { Services } from '../../services.js';
import { reads } from '../authenticate.js';

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
            'The body is one query kind: timeseries, active_users, retention, funnel, cohorts, top_n, heatmap, geo or adoption (see the README); it is validated per kind so that errors name the kind\'s own fields. `?format=csv` answers the first frame as CSV.',
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

    app.get<{ Querystring: MessagesQuery }>('/analytics/messages', {
        schema: {
          tags: ['analytics'],
          summary: "The seed's message counts by day (or hour, week, month)",
          querystring: MessagesQuery,
          response: { 200: { content: { 'application/json': { schema: MessagesResponse }, 'text/csv': { schema: Type.String() } } }, ...ErrorResponses },
        },
        config: reads('analytics queries'),
      }, async (req, reply) => {
      const { group_by: groupBy, granularity = 'day', format = 'json' } = req.query;
      const tenant = analytics.tenantFor(req.principal, req.query.tenant_id);
      // group_by=type is the message's type (properties.message_type), as in the seed's example.
      const field = groupBy === 'type' ? 'properties.message_type' : groupBy;
      const res = await analytics.query(
        {
          kind: 'timeseries',
          from: parseInstant(req.query.from, 'from'),
          to: parseInstant(req.query.to, 'to', true),
          metric: { type: 'events' },
          event_types: ['message_sent'],
          granularity: granularity as Granularity,
          ...(field ? { group_by: [field] } : {}),
        },
        tenant
      );
      const frame = res.frames[0];
      const time = frame?.fields[0]?.values ?? [];
      const data: Array<Record<string, string | number>> = [];
      const dateOf = (t: number) => (granularity === 'minute' || granularity === 'hour' ? new Date(t).toISOString() : new Date(t).toISOString().slice(0, 10));
      time.forEach((t, i) => {
        for (const f of frame?.fields.slice(1) ?? []) {
          const count = num(f.values[i]) ?? 0;
          if (count > 0) {
            data.push({ date: dateOf(t as number), ...(groupBy ? { [groupBy]: Object.values(f.labels ?? {})[0] ?? '' } : {}), count });
          }
        }
      });
      if (format === 'csv') {
        const cols = ['date', ...(groupBy ? [groupBy] : []), 'count'];
        const esc = (v: unknown) => (/[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));
        return reply.type('text/csv; charset=utf-8').send([cols.join(','), ...data.map((r) => cols.map((c) => esc(r[c] ?? '')).join(','))].join('\n') + '\n');
      }
      return { data };
    });
  };
}
