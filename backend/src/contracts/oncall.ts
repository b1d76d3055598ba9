import { Type } from '@sinclair/typebox';

/** On-call (issue "Alert management", item 5): /v1/oncall/responders, /v1/oncall/schedules (layers, overrides, shifts, iCal) and /v1/oncall/now. */
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const Id = Type.String({ maxLength: 63, description: 'a-z, 0-9, _ and -, starting with a letter or digit' });
const Instant = Type.String({ description: 'ISO 8601, UTC' });
const InstantIn = Type.Union([Type.String({ maxLength: 64 }), Type.Integer()], { description: 'ISO 8601 with a zone, or epoch milliseconds' });

export const OnCallIdParams = Type.Object({ id: Type.String({ maxLength: 100 }) });
export const OverrideParams = Type.Object({ id: Type.String({ maxLength: 100 }), oid: Type.String({ maxLength: 100 }) });

const ResponderFields = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  email: Type.Optional(Nullable(Type.String({ maxLength: 254 }))),
  phone: Type.Optional(Nullable(Type.String({ maxLength: 32, description: 'E.164, e.g. +4915112345678' }))),
  slack_user_id: Type.Optional(Nullable(Type.String({ maxLength: 32, description: 'a Slack member id (U…)' }))),
  tenant_id: Type.Optional(Nullable(Type.String({ maxLength: 63, description: "the owner: a tenant's keys leave it out; null is the platform (admin keys)" }))),
};
export const ResponderBody = Type.Object({ id: Type.Optional(Id), ...ResponderFields }, { additionalProperties: false });

export const Responder = Type.Object({
  id: Type.String(),
  tenant_id: Nullable(Type.String()),
  name: Type.String(),
  email: Nullable(Type.String()),
  phone: Nullable(Type.String()),
  slack_user_id: Nullable(Type.String()),
  created_at: Instant,
  updated_at: Instant,
});
export const ResponderList = Type.Object({ responders: Type.Array(Responder) });

const HHMM = Type.String({ maxLength: 5, description: 'HH:MM, local time in the schedule zone' });
const Restriction = Type.Object(
  {
    days: Type.Array(Type.Integer(), { maxItems: 7, description: 'ISO weekdays: 1 Monday … 7 Sunday' }),
    start: HHMM,
    end: HHMM,
  },
  { additionalProperties: false, description: 'only these local times of these days (end ≤ start runs past midnight)' }
);
const LayerIn = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    priority: Type.Optional(Type.Integer({ description: 'higher wins where layers overlap (default 0)' })),
    participants: Type.Array(Type.String({ maxLength: 63 }), { maxItems: 100, description: 'responder ids in rotation order' }),
    rotation: Type.Union([Type.Literal('daily'), Type.Literal('weekly')]),
    every: Type.Optional(Type.Integer({ description: 'every N days or weeks (default 1)' })),
    handoff: HHMM,
    handoff_weekday: Type.Optional(Nullable(Type.Integer({ description: 'weekly: ISO weekday of the hand-off (default 1, Monday)' }))),
    starts_at: Type.String({ maxLength: 10, description: 'YYYY-MM-DD, local: the first hand-off' }),
    restriction: Type.Optional(Nullable(Restriction)),
  },
  { additionalProperties: false }
);
export const ScheduleBody = Type.Object(
  {
    id: Type.Optional(Id),
    name: Type.String({ minLength: 1, maxLength: 200 }),
    tenant_id: Type.Optional(Nullable(Type.String({ maxLength: 63 }))),
    time_zone: Type.String({ maxLength: 64, description: 'IANA, e.g. Europe/Berlin' }),
    layers: Type.Optional(Type.Array(LayerIn, { maxItems: 20, description: 'ordered by priority (higher wins)' })),
  },
  { additionalProperties: false }
);

const Layer = Type.Object({
  name: Type.String(),
  priority: Type.Integer(),
  participants: Type.Array(Type.String()),
  rotation: Type.String(),
  every: Type.Integer(),
  handoff: Type.String(),
  handoff_weekday: Nullable(Type.Integer()),
  starts_at: Type.String(),
  restriction: Nullable(Type.Object({ days: Type.Array(Type.Integer()), start: Type.String(), end: Type.String() })),
});
const Override = Type.Object({ id: Type.String(), responder_id: Type.String(), from: Instant, to: Instant, note: Nullable(Type.String()), created_at: Instant });
export const Schedule = Type.Object({
  id: Type.String(),
  tenant_id: Nullable(Type.String()),
  name: Type.String(),
  time_zone: Type.String(),
  layers: Type.Array(Layer),
  overrides: Type.Array(Override),
  ical: Nullable(Type.Object({ priority: Type.Integer(), imported_at: Instant, events: Type.Integer(), assigned: Type.Integer() }, { description: 'the imported feed, a layer named iCal' })),
  created_at: Instant,
  updated_at: Instant,
});
export const ScheduleList = Type.Object({ schedules: Type.Array(Schedule) });

export const OverrideBody = Type.Object(
  { responder_id: Type.String({ maxLength: 63 }), from: InstantIn, to: InstantIn, note: Type.Optional(Nullable(Type.String({ maxLength: 500 }))) },
  { additionalProperties: false }
);

export const IcalBody = Type.Object(
  {
    text: Type.Optional(Type.String({ maxLength: 2_000_000, description: 'the feed (text/calendar)' })),
    url: Type.Optional(Type.String({ maxLength: 2000, description: "the feed's address, fetched once with delivery's outbound checks" })),
    priority: Type.Optional(Type.Integer({ description: "the iCal layer's priority (default: above every layer)" })),
    skip_unmatched: Type.Optional(Type.Boolean({ description: 'import the events naming a known responder and list the others (default: refuse the feed)' })),
  },
  { additionalProperties: false }
);
const Unmatched = Type.Array(Type.Object({ event: Type.String(), names: Type.Array(Type.String()) }));
export const IcalImported = Type.Object({ schedule: Schedule, events: Type.Integer(), imported: Type.Integer(), unmatched: Unmatched });

export const ShiftsQuery = Type.Object({ from: Type.String({ maxLength: 64 }), to: Type.String({ maxLength: 64 }) });
const ShiftView = Type.Object({
  responder_id: Type.String(),
  responder: Nullable(Type.Object({ id: Type.String(), name: Type.String() })),
  start: Instant,
  end: Instant,
  start_local: Type.String({ description: "the start in the schedule's zone, with its offset" }),
  end_local: Type.String(),
  hours: Type.Number(),
  source: Type.Union([Type.Literal('layer'), Type.Literal('override'), Type.Literal('ical')]),
  layer: Nullable(Type.String({ description: "the layer's name; iCal for the feed" })),
  override_id: Nullable(Type.String()),
});
export const Shifts = Type.Object({ schedule_id: Type.String(), time_zone: Type.String(), from: Instant, to: Instant, shifts: Type.Array(ShiftView) });

export const OnCallNow = Type.Object({
  at: Instant,
  schedules: Type.Array(
    Type.Object({
      schedule_id: Type.String(),
      name: Type.String(),
      tenant_id: Nullable(Type.String()),
      time_zone: Type.String(),
      on_call: Type.Array(Type.Object({ id: Type.String(), name: Type.String() })),
      shift: Nullable(ShiftView),
      next_handoff: Nullable(Type.Object({ at: Instant, to: Nullable(Type.Object({ id: Type.String(), name: Type.String() })) })),
    })
  ),
});
export const Deleted = Type.Object({ id: Type.String() });
