import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import {
  ClearDemoFaultsQuery,
  DEMO_FAULT_ERRORS,
  DemoFaultList,
  DemoFaultStarted,
  DemoFaultsCleared,
  StartDemoFaultBody,
  type DemoFault,
} from '../../contracts/demo.js';
import { FAULT_EFFECTS, FAULT_KINDS, MAX_FAULT_MINUTES, isFaultKind, type FaultWindow } from '../../demo/platform-metrics/faults.js';
import type { PlatformMetrics } from '../../demo/platform-metrics/simulation.js';
import { GLOBAL_READERS, reads, writes } from '../authenticate.js';
import { badRequest } from '../errors.js';

export interface DemoControls {
  platform: PlatformMetrics;
  /** where the demo platform's /metrics is served, or null when it could not be */
  metricsUrl: string | null;
}

const view = (w: FaultWindow): DemoFault => ({
  kind: w.kind,
  started_at: new Date(w.started_at).toISOString(),
  ends_at: new Date(w.ends_at).toISOString(),
  ...FAULT_EFFECTS[w.kind],
});

/** Reasons a person can act on, before the schema's own (which would say "must be equal to one of the allowed values"). */
async function checkStart(req: FastifyRequest): Promise<void> {
  const b = req.body;
  if (typeof b !== 'object' || b === null || Array.isArray(b)) {
    throw badRequest('invalid_body', 'the body is a JSON object: {"kind": "error-spike", "minutes": 10}');
  }
  const body = b as Record<string, unknown>;
  const unknown = Object.keys(body).find((k) => !Object.hasOwn(StartDemoFaultBody.properties, k));
  if (unknown !== undefined) {
    throw badRequest('unknown_field', `unknown field '${unknown.slice(0, 60)}': a fault takes kind and minutes`);
  }
  if (typeof body.kind !== 'string' || !isFaultKind(body.kind)) {
    throw badRequest('invalid_kind', `kind must be one of ${FAULT_KINDS.join(', ')}${typeof body.kind === 'string' ? `, got '${body.kind.slice(0, 40)}'` : ''}`);
  }
  const m = body.minutes;
  if (typeof m !== 'number' || !Number.isFinite(m) || m <= 0 || m > MAX_FAULT_MINUTES) {
    throw badRequest('invalid_minutes', `minutes must be a number more than 0 and at most ${MAX_FAULT_MINUTES} (fractions allowed), got ${JSON.stringify(m)?.slice(0, 40) ?? 'nothing'}`);
  }
}

/**
 * The demo platform's fault switch (`npx caas demo fault …`), registered only when the backend runs with
 * `--demo`: a fault makes one standard alert rule fire on the demo platform's metrics and ends by itself.
 */
export function demoRoutes(demo: DemoControls): FastifyPluginAsyncTypebox {
  const { faults } = demo.platform;
  return async (app) => {
    app.get(
      '/v1/demo/faults',
      {
        schema: { tags: ['demo'], summary: "The demo platform's faults that are on, and every kind there is (--demo only)", response: { 200: DemoFaultList, ...DEMO_FAULT_ERRORS } },
        config: reads('reading the demo faults', GLOBAL_READERS),
      },
      async () => ({
        faults: faults.active().map(view),
        kinds: FAULT_KINDS.map((kind) => ({ kind, ...FAULT_EFFECTS[kind] })),
        metrics_url: demo.metricsUrl ? `${demo.metricsUrl}/metrics` : null,
      })
    );

    app.post(
      '/v1/demo/faults',
      {
        schema: {
          tags: ['demo'],
          summary: 'Switch a demo platform fault on for some minutes: error-spike, latency, disconnect-storm or lag (--demo only)',
          body: StartDemoFaultBody,
          response: { 201: DemoFaultStarted, ...DEMO_FAULT_ERRORS },
        },
        config: writes('switching demo faults', ['admin']),
        preValidation: checkStart,
      },
      async (req, reply) => {
        // integrate up to now first, so the fault starts exactly now in the counters too
        demo.platform.advance();
        const w = faults.start(req.body.kind, req.body.minutes);
        req.log.info({ fault: w.kind, ends_at: new Date(w.ends_at).toISOString() }, 'demo fault switched on');
        return reply.status(201).send({ fault: view(w) });
      }
    );

    app.delete(
      '/v1/demo/faults',
      {
        schema: {
          tags: ['demo'],
          summary: 'End the demo faults that are on now (all, or ?kind=) (--demo only)',
          querystring: ClearDemoFaultsQuery,
          response: { 200: DemoFaultsCleared, ...DEMO_FAULT_ERRORS },
        },
        config: writes('switching demo faults', ['admin']),
      },
      async (req) => {
        demo.platform.advance();
        const ended = faults.clear(req.query.kind);
        if (ended.length > 0) req.log.info({ faults: ended.map((w) => w.kind) }, 'demo faults ended early');
        return { ended: ended.map(view) };
      }
    );
  };
}
