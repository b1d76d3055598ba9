/**
 * Who a page reaches (issue "Alert management", items 4–6): the boundary between escalation and channels (which page)
 * and on-call (who is paged). Escalation steps name users and schedules; the notifier asks this directory for a
 * responder's contact methods and for whoever is on call in a schedule at an instant. Implemented by
 * alerts/oncall/ (responders, schedules, layers, overrides); the notifier works without one (pages to users and
 * schedules are then recorded, not sent, and say why).
 */
export interface Responder {
  id: string;
  name: string;
  /** null: a platform responder (pages for every tenant's incidents) */
  tenant_id: string | null;
  email: string | null;
  /** E.164, e.g. +4915112345678 */
  phone: string | null;
  /** a Slack member id (U…) to mention in Slack messages */
  slack_user_id: string | null;
}

export interface OnCallDirectory {
  /** A responder an incident of `tenant` may page: the tenant's own or a platform responder; undefined otherwise. */
  responder(id: string, tenant: string | null): Promise<Responder | undefined>;
  /**
   * Who is on call in `scheduleId` at `at` (the highest-priority layer with someone on shift, overrides first), as an
   * incident of `tenant` sees it; [] when nobody is, undefined when there is no such schedule for that tenant.
   */
  onCall(scheduleId: string, at: Date, tenant: string | null): Promise<Responder[] | undefined>;
}
