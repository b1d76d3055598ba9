import { Type, type Static } from '@sinclair/typebox';

/** Every error the API answers: `{ error: { code, message, details? } }` (CONVENTIONS.md, Errors). */
export const ErrorBody = Type.Object({
  error: Type.Object({
    code: Type.String({ description: 'stable machine-readable code, e.g. invalid_body, unauthorized' }),
    message: Type.String({ description: 'what went wrong and what to change' }),
    details: Type.Optional(Type.Unknown()),
  }),
});
export type ErrorBody = Static<typeof ErrorBody>;

/**
 * admin: everything; viewer: reads every tenant, writes nothing (what Grafana's Viewer routes inject);
 * responder: what a viewer reads, plus acting on incidents (acknowledge, resolve, snooze, post-mortem) and silences
 * (what Grafana's Editor routes inject: on-call people act without an admin key);
 * tenant-admin / tenant-viewer: one tenant; ingest: sends events only.
 */
export const Role = Type.Union([
  Type.Literal('admin'),
  Type.Literal('viewer'),
  Type.Literal('responder'),
  Type.Literal('tenant-admin'),
  Type.Literal('tenant-viewer'),
  Type.Literal('ingest'),
]);
export type Role = Static<typeof Role>;

/** Tenant ids are path- and label-safe: lower-case letters, digits, '-' and '_'. */
export const TenantId = Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,62}$', description: 'tenant id, e.g. acme' });

/** Roles that belong to no tenant and see all of them. */
export const GLOBAL_ROLES: readonly Role[] = ['admin', 'viewer', 'responder'];

/** The error answers every route may give, for the OpenAPI document. */
export const ErrorResponses = {
  400: ErrorBody,
  401: ErrorBody,
  403: ErrorBody,
  404: ErrorBody,
  429: ErrorBody,
};
