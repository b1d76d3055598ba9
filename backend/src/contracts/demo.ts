import { Type, type Static } from '@sinclair/typebox';
import { FAULT_KINDS, MAX_FAULT_MINUTES } from '../demo/platform-metrics/faults.js';
import { ErrorBody } from './common.js';

/** The demo platform's fault switch (issue "Alert management", live demo platform): `--demo` only. */
export const DemoFaultKind = Type.Union(
  FAULT_KINDS.map((k) => Type.Literal(k)),
  { description: `what goes wrong: ${FAULT_KINDS.join(', ')}` }
);

export const StartDemoFaultBody = Type.Object(
  {
    kind: DemoFaultKind,
    minutes: Type.Number({
      exclusiveMinimum: 0,
      maximum: MAX_FAULT_MINUTES,
      description: `how long the fault lasts, then it ends by itself (fractions allowed, e.g. 0.5; at most ${MAX_FAULT_MINUTES}); switching a fault that is on again sets its new end`,
    }),
  },
  { additionalProperties: false }
);
export type StartDemoFaultBody = Static<typeof StartDemoFaultBody>;

const FaultEffect = {
  rule: Type.String({ description: 'the standard rule it makes fire (GET /v1/alerts/metric-rules)' }),
  alert: Type.String({ description: "that rule's alert name" }),
  effect: Type.String({ description: 'what changes in the demo platform’s metrics' }),
};

export const DemoFault = Type.Object({
  kind: DemoFaultKind,
  started_at: Type.String({ format: 'date-time' }),
  ends_at: Type.String({ format: 'date-time', description: 'the fault ends by itself then' }),
  ...FaultEffect,
});
export type DemoFault = Static<typeof DemoFault>;

export const DemoFaultStarted = Type.Object({ fault: DemoFault });

export const DemoFaultList = Type.Object({
  faults: Type.Array(DemoFault, { description: 'the faults on now, soonest end first' }),
  kinds: Type.Array(Type.Object({ kind: DemoFaultKind, ...FaultEffect }), { description: 'every fault there is' }),
  metrics_url: Type.Union([Type.String(), Type.Null()], { description: "where Prometheus scrapes the demo platform's metrics (null: not served, see the log)" }),
});
export type DemoFaultList = Static<typeof DemoFaultList>;

export const ClearDemoFaultsQuery = Type.Object({ kind: Type.Optional(DemoFaultKind) }, { additionalProperties: false });
export const DemoFaultsCleared = Type.Object({ ended: Type.Array(DemoFault) });

export const DEMO_FAULT_ERRORS = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody };
