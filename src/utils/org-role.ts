import { OrgRole } from '@grafana/data';
import { config } from '@grafana/runtime';

/**
 * Whether the signed-in user is an Admin of the current Grafana organisation. Grafana's plugin proxy checks a route's
 * `reqRole` against this role (not the server-admin flag), so it says which of the app's Admin routes (plugin.json:
 * adding and removing crawl sources, cursor resets, crawls) the user may call; for anyone else Grafana answers 403.
 */
export function isOrgAdmin(): boolean {
  return config.bootData?.user?.orgRole === OrgRole.Admin;
}

/**
 * Whether the signed-in user may use the app's Editor routes (plugin.json `reqRole: Editor`: acting on incidents and
 * silences with the responder key): Editors and Admins of the current organisation.
 */
export function isOrgEditor(): boolean {
  const role = config.bootData?.user?.orgRole;
  return role === OrgRole.Editor || role === OrgRole.Admin;
}
