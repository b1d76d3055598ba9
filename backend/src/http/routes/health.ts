import type { FastifyPluginAsync } from 'fastify';
import { Type } from '@sinclair/typebox';
import { EngineCheck, HealthResponse, ReadyResponse } from '../../contracts/health.js';
import type { Services } from '../../services.js';
import { probeRoute } from '../authenticate.js';

const VERSION = '0.1.0';

async function check(mode: EngineCheck['mode'], fn: () => Promise<unknown>, timeoutMs = 3000): Promise<EngineCheck> {
  const t0 = performance.now();
  try {
    await Promise.race([
      fn(),
      new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs).unref()),
    ]);
    return { ok: true, mode, latency_ms: Math.round((performance.now() - t0) * 10) / 10 };
  } catch (e) {
    return { ok: false, mode, latency_ms: Math.round(performance.now() - t0), error: (e as Error).message };
  }
}

/** /health, /health/live, /health/ready (ready only when every configured engine answers) and /metrics. */
export function healthRoutes(svc: Services): FastifyPluginAsync {
  const checks = async (): Promise<Record<string, EngineCheck>> => {
    const [clickhouse, postgres] = await Promise.all([
      check(svc.store.mode, () => svc.store.ping()),
      check(svc.db.mode, () => svc.db.query('SELECT 1')),
    ]);
    return { clickhouse, postgres };
  };
  return async (app) => {
    app.get('/health/live', { config: probeRoute, schema: { tags: ['health'], summary: 'The process answers', response: { 200: Type.Object({ status: Type.Literal('live') }) } } }, async () => ({ status: 'live' }));

    app.get('/health/ready', { config: probeRoute, schema: { tags: ['health'], summary: 'Every configured engine answers (else 503 naming it)', response: { 200: ReadyResponse, 503: ReadyResponse } } }, async (_req, reply) => {
      const c = await checks();
      const ready = Object.values(c).every((x) => x.ok);
      const body: ReadyResponse = { status: ready ? 'ready' : 'not_ready', checks: c };
      return reply.status(ready ? 200 : 503).send(body);
    });

    app.get('/health', { config: probeRoute, schema: { tags: ['health'], summary: 'Status, engines and the ingestion backlog', response: { 200: HealthResponse } } }, async () => {
      const c = await checks();
      const body: HealthResponse = {
        status: Object.values(c).every((x) => x.ok) ? 'ok' : 'degraded',
        version: VERSION,
        uptime_s: Math.round((Date.now() - svc.startedAt) / 1000),
        checks: c,
        wal: { backlog_events: svc.wal.stats.events, backlog_bytes: svc.wal.stats.bytes, segments: svc.wal.stats.segments, store_rejected_events: svc.flusher.rejectedRows },
      };
      return body;
    });

    app.get('/metrics', { config: probeRoute, schema: { tags: ['health'], summary: 'Prometheus metrics (text exposition format)' } }, async (_req, reply) => {
      void reply.header('content-type', svc.metrics.registry.contentType);
      return svc.metrics.registry.metrics();
    });
  };
}
