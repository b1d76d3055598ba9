import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Schedule as ScheduleModel } from '../../alerts/oncall/model.js';
import { ErrorBody, ErrorResponses } from '../../contracts/common.js';
import {
  Deleted,
  IcalBody,
  IcalImported,
  OnCallIdParams,
  OnCallNow,
  OverrideBody,
  OverrideParams,
  Responder,
  ResponderBody,
  ResponderList,
  Schedule,
  ScheduleBody,
  ScheduleList,
  Shifts,
  ShiftsQuery,
} from '../../contracts/oncall.js';
import type { Services } from '../../services.js';
import { reads, writes } from '../authenticate.js';

/** A schedule as the API shows it: the feed's summary, not its text. */
const present = (s: ScheduleModel) => ({
  ...s,
  ical: s.ical ? { priority: s.ical.priority, imported_at: s.ical.imported_at, events: s.ical.events, assigned: Object.keys(s.ical.assignments).length } : null,
});

/**
 * On-call (issue "Alert management", item 5): responders, schedules (layers, overrides, an iCal feed), their shifts
 * and who is on call now. Reads: admin, viewer, tenant-admin, tenant-viewer; writes: admin, tenant-admin. A tenant's
 * keys see their own tenant's and the platform's (read only); another tenant's is 404, never 403.
 */
export function oncallRoutes(svc: Services): FastifyPluginAsyncTypebox {
  return async (app) => {
    const tags = ['oncall'];
    const writers = ['admin', 'tenant-admin'] as const;
    const oc = svc.oncall;
    const errors = { ...ErrorResponses, 409: ErrorBody };

    app.get(
      '/v1/oncall/responders',
      { schema: { tags, summary: "Responders: a tenant's own and the platform's", response: { 200: ResponderList, ...ErrorResponses } }, config: reads('listing on-call responders') },
      async (req) => ({ responders: await oc.listResponders(req.principal.tenantId) })
    );
    app.post(
      '/v1/oncall/responders',
      {
        schema: { tags, summary: 'Create a responder (name; email, E.164 phone and Slack member id to be paged at)', body: ResponderBody, response: { 201: Responder, ...errors } },
        config: writes('creating on-call responders', writers),
      },
      async (req, reply) => reply.status(201).send(await oc.createResponder(req.body, req.principal.tenantId))
    );
    app.get(
      '/v1/oncall/responders/:id',
      { schema: { tags, summary: 'One responder', params: OnCallIdParams, response: { 200: Responder, ...ErrorResponses } }, config: reads('reading on-call responders') },
      async (req) => oc.getResponder(req.params.id, req.principal.tenantId)
    );
    app.put(
      '/v1/oncall/responders/:id',
      {
        schema: { tags, summary: 'Replace a responder (its owner stays)', params: OnCallIdParams, body: ResponderBody, response: { 200: Responder, ...errors } },
        config: writes('changing on-call responders', writers),
      },
      async (req) => oc.replaceResponder(req.params.id, req.body, req.principal.tenantId)
    );
    app.delete(
      '/v1/oncall/responders/:id',
      {
        schema: { tags, summary: 'Delete a responder (409 while a schedule names it; its overrides go with it)', params: OnCallIdParams, response: { 200: Deleted, ...errors } },
        config: writes('deleting on-call responders', writers),
      },
      async (req) => oc.removeResponder(req.params.id, req.principal.tenantId)
    );

    app.get(
      '/v1/oncall/schedules',
      { schema: { tags, summary: "Schedules: a tenant's own and the platform's, with layers and overrides", response: { 200: ScheduleList, ...ErrorResponses } }, config: reads('listing on-call schedules') },
      async (req) => ({ schedules: (await oc.listSchedules(req.principal.tenantId)).map(present) })
    );
    app.post(
      '/v1/oncall/schedules',
      {
        schema: { tags, summary: 'Create a schedule: an IANA time zone and layers (daily or weekly rotations with a hand-off time, by priority)', body: ScheduleBody, response: { 201: Schedule, ...errors } },
        config: writes('creating on-call schedules', writers),
      },
      async (req, reply) => reply.status(201).send(present(await oc.createSchedule(req.body, req.principal.tenantId)))
    );
    app.get(
      '/v1/oncall/schedules/:id',
      { schema: { tags, summary: 'One schedule with its layers and overrides', params: OnCallIdParams, response: { 200: Schedule, ...ErrorResponses } }, config: reads('reading on-call schedules') },
      async (req) => present(await oc.getSchedule(req.params.id, req.principal.tenantId))
    );
    app.put(
      '/v1/oncall/schedules/:id',
      {
        schema: { tags, summary: 'Replace a schedule (name, zone, layers; its overrides and feed stay)', params: OnCallIdParams, body: ScheduleBody, response: { 200: Schedule, ...errors } },
        config: writes('changing on-call schedules', writers),
      },
      async (req) => present(await oc.replaceSchedule(req.params.id, req.body, req.principal.tenantId))
    );
    app.delete(
      '/v1/oncall/schedules/:id',
      { schema: { tags, summary: 'Delete a schedule with its overrides', params: OnCallIdParams, response: { 200: Deleted, ...errors } }, config: writes('deleting on-call schedules', writers) },
      async (req) => oc.removeSchedule(req.params.id, req.principal.tenantId)
    );
    app.get(
      '/v1/oncall/schedules/:id/shifts',
      {
        schema: {
          tags,
          summary: 'The final shifts over [from, to) (at most 92 days): who, when (UTC and local), from which layer, override or the iCal feed',
          params: OnCallIdParams,
          querystring: ShiftsQuery,
          response: { 200: Shifts, ...ErrorResponses },
        },
        config: reads('reading on-call shifts'),
      },
      async (req) => oc.shifts(req.params.id, req.query.from, req.query.to, req.principal.tenantId)
    );
    app.get(
      '/v1/oncall/now',
      { schema: { tags, summary: 'Every schedule the key sees: who is on call now and the next hand-off', response: { 200: OnCallNow, ...ErrorResponses } }, config: reads('reading who is on call') },
      async (req) => oc.now(req.principal.tenantId)
    );
    app.post(
      '/v1/oncall/schedules/:id/overrides',
      {
        schema: { tags, summary: 'Add an override: the responder replaces whoever is on call from..to, over every layer', params: OnCallIdParams, body: OverrideBody, response: { 201: Schedule, ...errors } },
        config: writes('adding on-call overrides', writers),
      },
      async (req, reply) => reply.status(201).send(present(await oc.addOverride(req.params.id, req.body, req.principal.tenantId)))
    );
    app.delete(
      '/v1/oncall/schedules/:id/overrides/:oid',
      { schema: { tags, summary: 'Delete an override', params: OverrideParams, response: { 200: Schedule, ...errors } }, config: writes('deleting on-call overrides', writers) },
      async (req) => present(await oc.removeOverride(req.params.id, req.params.oid, req.principal.tenantId))
    );
    app.post(
      '/v1/oncall/schedules/:id/ical',
      {
        schema: {
          tags,
          summary: "Import an iCal feed (its text, or a URL) as the schedule's iCal layer: recurring events, EXDATE, edited instances; ATTENDEE or SUMMARY names the responder",
          description: 'Replaces the previous feed. Events naming no known responder are refused (400 listing them) unless skip_unmatched.',
          params: OnCallIdParams,
          body: IcalBody,
          response: { 200: IcalImported, ...errors },
        },
        config: writes('importing on-call iCal feeds', writers),
      },
      async (req) => {
        const r = await oc.importIcal(req.params.id, req.body, req.principal.tenantId);
        return { ...r, schedule: present(r.schedule) };
      }
    );
    app.delete(
      '/v1/oncall/schedules/:id/ical',
      { schema: { tags, summary: "Remove the schedule's iCal feed", params: OnCallIdParams, response: { 200: Schedule, ...errors } }, config: writes('removing on-call iCal feeds', writers) },
      async (req) => present(await oc.removeIcal(req.params.id, req.principal.tenantId))
    );
  };
}
