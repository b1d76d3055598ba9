import { Type, type Static } from '@sinclair/typebox';

export const EngineCheck = Type.Object({
  ok: Type.Boolean(),
  /** embedded (chdb / PGlite in-process) or server (ClickHouse / PostgreSQL over the network) */
  mode: Type.Union([Type.Literal('embedded'), Type.Literal('server')]),
  latency_ms: Type.Number(),
  error: Type.Optional(Type.String()),
});
export type EngineCheck = Static<typeof EngineCheck>;

/** GET /health/ready: 200 when every configured engine answers, 503 otherwise (same body). */
export const ReadyResponse = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('not_ready')]),
  checks: Type.Record(Type.String(), EngineCheck),
});
export type ReadyResponse = Static<typeof ReadyResponse>;

/** GET /health: readiness plus version and the ingestion backlog. */
export const HealthResponse = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('degraded')]),
  version: Type.String(),
  uptime_s: Type.Number(),
  checks: Type.Record(Type.String(), EngineCheck),
  wal: Type.Object({
    backlog_events: Type.Number(),
    backlog_bytes: Type.Number(),
    segments: Type.Number(),
    /** acknowledged events ClickHouse refused since start, moved to the dead letters */
    store_rejected_events: Type.Number(),
  }),
});
export type HealthResponse = Static<typeof HealthResponse>;
