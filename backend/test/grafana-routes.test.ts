// Least privilege on the Grafana side (issue "Hardening"): every route of both plugin.json files, walked against the
// backend's own route table (`app.routeTable`, each route's access as it declares it in its options), through
// Grafana's route matching as Grafana 12 implements it.
//
// The matching is tests/workbench/grafana-proxy.mjs, ported from Grafana's source (the file names the functions):
// pkg/api/plugin_proxy.go and pkg/api/pluginproxy/pluginproxy.go (PluginProxy.HandleRequest, hasAccessToRoute) for
// the app's `/api/plugin-proxy/<app>/…`, pkg/web/tree.go for its path patterns, and pkg/api/pluginproxy/ds_proxy.go
// (DataSourceProxy.validateRequest) with ds_auth_provider.go (ApplyRoute) for the data source's
// `/api/datasources/proxy/uid/<uid>/…`. In short: routes are tried in file order; `method` must be empty, `*` or
// exactly the request's method; app paths match as router patterns (`api/*`, static segments), data source paths
// as string prefixes; the FIRST match decides (its reqRole refused → 403, no later route is tried); no match → 404
// (app) or the instance's own URL without route headers (data source). The workbench's proxy runs the same module,
// so the browser tests (tests/browser/workbench.test.mjs) exercise the routes proven here.
//
// For every backend route and method, as each Grafana org role (None, Viewer, Editor, Admin), the test asks which
// plugin route Grafana picks for the path the plugin's client uses, and fails when:
// - a route open to Viewers (reqRole Viewer, or none: every signed-in user, anonymous ones too) reaches an endpoint
//   that writes;
// - a route injects a key whose documented role (KEYS below: what the Configuration page and the provisioning ask
//   for) the endpoint does not accept, or a more privileged key than one of the plugin's keys that would serve;
// - a key that a Viewer route injects could call any write endpoint at all (the key, not the route pattern, is what
//   stops a crafted path: a `*` forwards what it matched decoded, `%2F` and `..` included, and a `%2F` makes one
//   segment of two, so e.g. `GET api/v1%2Fkeys` would miss an Admin route `api/v1/keys` and take a `GET api/*`);
// - a route forwards a path somewhere else than the backend path the client asked for;
// - an endpoint the pages need (NEEDS below) is not reachable, for the Grafana role that uses it, with an accepted key;
// - a route is malformed for Grafana: no reqRole, a reqAction (RBAC, not modelled), a method Grafana never matches
//   (e.g. "GET,POST" or "get"), a URL not built on the plugin's backend URL, a secureJsonData key nobody documents.
// The last test runs the same checks on the routes this issue replaced (one `api/*` and one `caas` route, no reqRole,
// an admin `apiKey`) and expects them to fail.
//
// Run: npm test -w backend, or alone: cd backend && node --import tsx --test test/grafana-routes.test.ts
// Other plugin.json files: GRAFANA_ROUTES_APP_JSON=… GRAFANA_ROUTES_DS_JSON=… (e.g. `git show HEAD~1:plugin.json`).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import {
  ORG_ROLES,
  parseReqRole,
  proxyRequest,
  routeMinRole,
  routeSecrets,
  type GrafanaSetup,
  type OrgRole,
  type PluginRoute,
} from '../../tests/workbench/grafana-proxy.mjs';
import type { Role } from '../src/contracts/common.js';
import type { RouteEntry } from '../src/http/authenticate.js';
import { startApp, type TestApp } from './helpers.js';

const root = (p: string) => fileURLToPath(new URL(`../../${p}`, import.meta.url));
const APP_JSON = process.env.GRAFANA_ROUTES_APP_JSON ?? root('plugin.json');
const DS_JSON = process.env.GRAFANA_ROUTES_DS_JSON ?? root('src/datasource/plugin.json');

const BACKEND_URL = 'http://backend.test:8080';
const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

interface Need {
  method: string;
  url: string;
  /** The lowest Grafana role whose pages call it. */
  as: OrgRole;
  why: string;
}

interface PluginUnderTest {
  name: string;
  kind: 'app' | 'datasource';
  routes: PluginRoute[];
  /** The Grafana URL the plugin's client requests for a backend path (src/constants.ts, src/datasource/constants.ts). */
  proxyUrl(backendPath: string): string;
  /** Route URLs start from this (the backend URL in jsonData). */
  urlTemplate: string;
  jsonData: Record<string, string>;
  /**
   * The secureJsonData keys, least privileged first, each with the backend roles it is documented to hold (src/types.ts
   * and the Configuration page for the app; the data source's ConfigEditor; provisioning/ and the README).
   */
  keys: Record<string, readonly Role[]>;
  needs: Need[];
}

const APP_ID = 'caas-observatory-app';
const DS_UID = 'caas-analytics';

function appPlugin(routes: PluginRoute[]): PluginUnderTest {
  return {
    name: `app ${APP_ID}`,
    kind: 'app',
    routes,
    proxyUrl: (p) => `/api/plugin-proxy/${APP_ID}/api${p}`,
    urlTemplate: '{{ .JsonData.apiUrl }}',
    jsonData: { apiUrl: BACKEND_URL },
    keys: { viewerKey: ['viewer'], responderKey: ['responder'], adminKey: ['admin'] },
    needs: [
      { method: 'GET', url: '/health', as: 'Viewer', why: 'Home: backend health' },
      { method: 'GET', url: '/health/ready', as: 'Viewer', why: 'Configuration: Test connection' },
      { method: 'POST', url: '/v1/analytics/query', as: 'Viewer', why: 'Analytics explorer: run' },
      { method: 'GET', url: '/v1/analytics/variables/:name', as: 'Viewer', why: 'Analytics explorer: pickers' },
      { method: 'GET', url: '/v1/tenants', as: 'Viewer', why: 'every page: the shared tenant picker' },
      { method: 'GET', url: '/v1/jobs', as: 'Viewer', why: 'Home: Jobs (running, waiting, failed, recent)' },
      { method: 'GET', url: '/v1/jobs/:id', as: 'Viewer', why: "Home: a job's error and run log" },
      { method: 'GET', url: '/v1/storage', as: 'Viewer', why: 'Home: storage per tenant' },
      {
        method: 'GET',
        url: '/v1/schedules',
        as: 'Viewer',
        why: "Home: Jobs' next scheduled firing and the storage report's next run",
      },
      { method: 'GET', url: '/v1/keys', as: 'Admin', why: 'Configuration: Test connection checks the admin key' },
      { method: 'GET', url: '/v1/search', as: 'Viewer', why: 'Search page and search panel: results, facets' },
      { method: 'POST', url: '/v1/search', as: 'Viewer', why: 'Search page and search panel: long filters' },
      { method: 'GET', url: '/v1/sources', as: 'Viewer', why: 'Crawler: sources and their cursors' },
      { method: 'GET', url: '/v1/sources/:id', as: 'Viewer', why: 'Crawler: one source' },
      { method: 'POST', url: '/v1/sources', as: 'Admin', why: 'Crawler: add a source' },
      { method: 'DELETE', url: '/v1/sources/:id', as: 'Admin', why: 'Crawler: remove a source' },
      { method: 'DELETE', url: '/v1/sources/:id/cursors/:entity/:tenant_id', as: 'Admin', why: 'Crawler: reset a cursor' },
      { method: 'GET', url: '/v1/crawls', as: 'Viewer', why: 'Crawler: crawl jobs with their live progress, rate and ETA' },
      { method: 'POST', url: '/v1/crawls', as: 'Admin', why: 'Crawler: full reindex, incremental, deletion sync' },
      { method: 'GET', url: '/v1/incidents', as: 'Viewer', why: 'Incidents: the list' },
      { method: 'GET', url: '/v1/incidents/:id', as: 'Viewer', why: 'Incidents: one incident, its alerts and timeline' },
      { method: 'POST', url: '/v1/incidents/:id/acknowledge', as: 'Editor', why: 'Incidents: acknowledge' },
      { method: 'POST', url: '/v1/incidents/:id/unacknowledge', as: 'Editor', why: 'Incidents: unacknowledge' },
      { method: 'POST', url: '/v1/incidents/:id/resolve', as: 'Editor', why: 'Incidents: resolve' },
      { method: 'POST', url: '/v1/incidents/:id/snooze', as: 'Editor', why: 'Incidents: snooze' },
      { method: 'GET', url: '/v1/alertmanager/status', as: 'Viewer', why: 'Alerts: Alertmanager configured? inhibition rules' },
      { method: 'GET', url: '/v1/alertmanager/groups', as: 'Viewer', why: 'Alerts: active alerts as Alertmanager groups them' },
      { method: 'GET', url: '/v1/alertmanager/silences', as: 'Viewer', why: 'Alerts: silences' },
      { method: 'POST', url: '/v1/alertmanager/silences', as: 'Editor', why: 'Alerts: silence an alert' },
      { method: 'DELETE', url: '/v1/alertmanager/silences/:id', as: 'Editor', why: 'Alerts: expire a silence' },
      { method: 'GET', url: '/monitoring/rules', as: 'Viewer', why: 'Alerts: rules of both kinds with their state' },
      { method: 'POST', url: '/monitoring/test/:ruleId', as: 'Admin', why: 'Alerts: test-fire a rule' },
      { method: 'GET', url: '/v1/alerts/rules.yml', as: 'Viewer', why: 'Alerts: the Prometheus rule file link' },
      { method: 'GET', url: '/v1/alerts/metric-rules/:id', as: 'Viewer', why: 'Alerts: the metric rule editor' },
      { method: 'POST', url: '/v1/alerts/metric-rules', as: 'Admin', why: 'Alerts: create a metric rule' },
      { method: 'PUT', url: '/v1/alerts/metric-rules/:id', as: 'Admin', why: 'Alerts: save a metric rule' },
      { method: 'PATCH', url: '/v1/alerts/metric-rules/:id', as: 'Admin', why: 'Alerts: enable or disable a metric rule' },
      { method: 'GET', url: '/v1/alerts/event-rules/:id', as: 'Viewer', why: 'Alerts: the event rule editor' },
      { method: 'POST', url: '/v1/alerts/event-rules', as: 'Admin', why: 'Alerts: create an event rule' },
      { method: 'PUT', url: '/v1/alerts/event-rules/:id', as: 'Admin', why: 'Alerts: save an event rule' },
      { method: 'PATCH', url: '/v1/alerts/event-rules/:id', as: 'Admin', why: 'Alerts: enable or disable an event rule' },
      { method: 'POST', url: '/v1/alerts/event-rules/preview', as: 'Viewer', why: 'Alerts: event rule preview' },
      { method: 'GET', url: '/v1/oncall/now', as: 'Viewer', why: 'On-call: who is on call now' },
      { method: 'GET', url: '/v1/oncall/responders', as: 'Viewer', why: 'On-call: responders' },
      { method: 'POST', url: '/v1/oncall/responders', as: 'Admin', why: 'On-call: create a responder' },
      { method: 'PUT', url: '/v1/oncall/responders/:id', as: 'Admin', why: 'On-call: edit a responder' },
      { method: 'GET', url: '/v1/oncall/schedules', as: 'Viewer', why: 'On-call: schedules with layers and overrides' },
      { method: 'POST', url: '/v1/oncall/schedules', as: 'Admin', why: 'On-call: create a schedule' },
      { method: 'PUT', url: '/v1/oncall/schedules/:id', as: 'Admin', why: 'On-call: edit a schedule' },
      { method: 'GET', url: '/v1/oncall/schedules/:id/shifts', as: 'Viewer', why: 'On-call: the two-week calendar' },
      { method: 'POST', url: '/v1/oncall/schedules/:id/overrides', as: 'Admin', why: 'On-call: add an override' },
      { method: 'DELETE', url: '/v1/oncall/schedules/:id/overrides/:oid', as: 'Admin', why: 'On-call: delete an override' },
      { method: 'POST', url: '/v1/oncall/schedules/:id/ical', as: 'Admin', why: 'On-call: import an iCal feed' },
      { method: 'GET', url: '/v1/escalation-policies', as: 'Viewer', why: 'On-call: escalation policies' },
      { method: 'GET', url: '/v1/escalation-policies/:id', as: 'Viewer', why: 'On-call: one escalation policy' },
      { method: 'POST', url: '/v1/escalation-policies', as: 'Admin', why: 'On-call: create an escalation policy' },
      { method: 'PUT', url: '/v1/escalation-policies/:id', as: 'Admin', why: 'On-call: save an escalation policy' },
      { method: 'GET', url: '/v1/alerts/channels', as: 'Viewer', why: 'On-call: alert channels' },
      { method: 'POST', url: '/v1/alerts/channels', as: 'Admin', why: 'On-call: create a channel' },
      { method: 'PUT', url: '/v1/alerts/channels/:id', as: 'Admin', why: 'On-call: edit a channel' },
      { method: 'POST', url: '/v1/alerts/channels/:id/test', as: 'Admin', why: 'On-call: Send test' },
      { method: 'GET', url: '/v1/alerts/channels/:id/deliveries', as: 'Viewer', why: "On-call: a channel's delivery log" },
      { method: 'GET', url: '/v1/alerts/alertmanager.yml', as: 'Viewer', why: 'On-call: the generated alertmanager.yml' },
    ],
  };
}

function dsPlugin(routes: PluginRoute[]): PluginUnderTest {
  return {
    name: 'data source caas-analytics-datasource',
    kind: 'datasource',
    routes,
    proxyUrl: (p) => `/api/datasources/proxy/uid/${DS_UID}/caas${p}`,
    urlTemplate: '{{ .JsonData.url }}',
    jsonData: { url: BACKEND_URL },
    keys: { apiKey: ['viewer', 'tenant-viewer'] },
    needs: [
      { method: 'GET', url: '/health/ready', as: 'Viewer', why: 'Save & test' },
      { method: 'POST', url: '/v1/analytics/query', as: 'Viewer', why: 'panel queries' },
      { method: 'POST', url: '/v1/analytics/annotations', as: 'Viewer', why: 'annotations' },
      { method: 'GET', url: '/v1/analytics/variables/:name', as: 'Viewer', why: 'editors, variables, ad-hoc filters' },
    ],
  };
}

/** A concrete path for a backend route pattern, e.g. /v1/keys/:id → /v1/keys/key_0123abcd. */
function concrete(url: string): string {
  return url.replace(/:(\w+)/g, (_m, name: string) => (name === 'name' ? 'tenants' : `${name}_0123abcd`));
}

const marker = (key: string) => `SECRET<${key}>`;

interface Reached {
  status: number | 'proxied' | 'unrouted';
  route?: number;
  keys: string[];
  path?: string;
}

function ask(plugin: PluginUnderTest, method: string, path: string, role: OrgRole): Reached {
  const instance = {
    routes: plugin.routes,
    jsonData: plugin.jsonData,
    secureJsonData: Object.fromEntries(Object.keys(plugin.keys).map((k) => [k, marker(k)])),
  };
  const grafana: GrafanaSetup = {
    role,
    apps: plugin.kind === 'app' ? { [APP_ID]: instance } : {},
    // The provisioned instance has no `url` of its own (jsonData.url only): an unrouted request carries no key.
    dataSources: plugin.kind === 'datasource' ? { [DS_UID]: { ...instance, url: 'http://instance-url.invalid' } } : {},
  };
  const answer = proxyRequest({ method, url: plugin.proxyUrl(path) }, grafana);
  if (answer.status !== 'proxied') {
    return { status: answer.status, route: answer.index, keys: [] };
  }
  if (answer.route === undefined) {
    // Data source, no route matched: Grafana forwards to the instance's own URL, without any route header.
    return { status: 'unrouted', keys: [] };
  }
  const auth = answer.headers.authorization ?? [];
  const keys = auth.flatMap((v) => [...v.matchAll(/SECRET<(\w+)>|<no value>/g)].map((m) => m[1] ?? '<no value>'));
  if (auth.length > 0 && keys.length === 0) {
    keys.push('<not a secureJsonData key>');
  }
  const url = new URL(answer.url);
  return {
    status: 'proxied',
    route: answer.index,
    keys,
    path: url.origin === new URL(BACKEND_URL).origin ? url.pathname : answer.url,
  };
}

function describeRoute(plugin: PluginUnderTest, index: number | undefined): string {
  if (index === undefined) {
    return 'no route';
  }
  const r = plugin.routes[index]!;
  return `route #${index} (${r.method ?? 'any method'} "${r.path}", reqRole ${r.reqRole ?? 'none'})`;
}

/** Every check of the header comment; returns the violations and a table of what each role reaches. */
function analyse(plugin: PluginUnderTest, table: RouteEntry[]): { violations: string[]; rows: string[] } {
  const found = new Set<string>();
  const rows: string[] = [];
  const fail = (msg: string) => found.add(`${plugin.name}: ${msg}`);
  const keyRoles = (key: string): readonly Role[] | undefined => plugin.keys[key];
  const keyOrder = Object.keys(plugin.keys);
  const writes = table.filter((e) => e.access.kind === 'api-key' && e.access.writes);
  const apiRoles = (e: RouteEntry): readonly Role[] => (e.access.kind === 'api-key' ? e.access.roles : []);

  // The routes themselves.
  const minRoles: Array<OrgRole | undefined> = plugin.routes.map((route, i) => {
    const name = describeRoute(plugin, i);
    if (route.reqRole === undefined && !route.reqAction) {
      fail(`${name} has no reqRole: every signed-in Grafana user (anonymous ones too) may take it`);
    }
    if (route.method !== undefined && route.method !== '*' && !HTTP_METHODS.includes(route.method)) {
      fail(
        `${name}: Grafana compares "method" to the request's method literally, so "${route.method}" matches nothing`
      );
    }
    if (!(route.url ?? '').startsWith(plugin.urlTemplate)) {
      fail(`${name}: its URL "${route.url}" is not built on ${plugin.urlTemplate}`);
    }
    for (const key of routeSecrets(route)) {
      if (!keyRoles(key)) {
        fail(`${name} renders secureJsonData.${key}, which no setting documents (keys: ${keyOrder.join(', ')})`);
      }
    }
    try {
      parseReqRole(route.reqRole);
      return routeMinRole(route);
    } catch (error) {
      fail(`${name}: ${(error as Error).message}`);
      return undefined;
    }
  });
  if (minRoles.includes(undefined)) {
    return { violations: [...found], rows };
  }

  // A key a Viewer may make Grafana send must not be able to write anything, whatever path it is sent to.
  plugin.routes.forEach((route, i) => {
    if (ORG_ROLES.indexOf(minRoles[i]!) > ORG_ROLES.indexOf('Viewer')) {
      return;
    }
    for (const key of routeSecrets(route)) {
      for (const role of keyRoles(key) ?? []) {
        for (const w of writes.filter((e) => apiRoles(e).includes(role))) {
          fail(
            `${describeRoute(plugin, i)} is open to Viewers and injects ${key} (role ${role}), which may call ${w.method} ${w.url}`
          );
        }
      }
    }
  });

  // Every backend endpoint, as every Grafana role.
  for (const e of table) {
    const path = concrete(e.url);
    const cells: string[] = [];
    for (const role of ORG_ROLES) {
      const reached = ask(plugin, e.method, path, role);
      if (reached.status !== 'proxied') {
        cells.push(`${role}: ${reached.status}`);
        continue;
      }
      const via = describeRoute(plugin, reached.route);
      cells.push(`${role}: #${reached.route ?? '-'} ${reached.keys.join('+') || 'no key'}`);
      if (reached.path !== path) {
        fail(`${e.method} ${path} as ${role} takes ${via}, which forwards it to ${reached.path}`);
        continue;
      }
      const access = e.access;
      if (access.kind === 'api-key' && access.writes && ORG_ROLES.indexOf(role) <= ORG_ROLES.indexOf('Viewer')) {
        fail(`${e.method} ${e.url} writes (${access.what}) and a Grafana ${role} reaches it through ${via}`);
      }
      if (reached.keys.length > 1) {
        fail(`${e.method} ${e.url} through ${via} gets ${reached.keys.length} Authorization values`);
      }
      for (const key of reached.keys) {
        const roles = keyRoles(key);
        if (!roles) {
          // An undocumented secureJsonData key is reported once, for its route, above.
          continue;
        }
        if (access.kind !== 'api-key') {
          continue;
        }
        for (const r of roles.filter((r) => !access.roles.includes(r))) {
          fail(
            `${e.method} ${e.url} (${access.what}: ${access.roles.join(', ')}) gets ${key} (role ${r}) through ${via}`
          );
        }
        const lesser = keyOrder
          .slice(0, keyOrder.indexOf(key))
          .find((k) => (keyRoles(k) ?? []).every((r) => access.roles.includes(r)));
        if (lesser) {
          fail(`${e.method} ${e.url} gets ${key} through ${via}, but ${lesser} serves it: inject the least key`);
        }
      }
    }
    rows.push(`${e.method.padEnd(6)} ${e.url.padEnd(32)} ${cells.join(' | ')}`);
  }

  // What the pages need.
  for (const need of plugin.needs) {
    const e = table.find((r) => r.method === need.method && r.url === need.url);
    if (!e) {
      fail(`the backend has no ${need.method} ${need.url} (${need.why})`);
      continue;
    }
    const path = concrete(need.url);
    const reached = ask(plugin, need.method, path, need.as);
    const via = describeRoute(plugin, reached.route);
    if (reached.status !== 'proxied' || reached.path !== path) {
      fail(
        `${need.why}: ${need.method} ${need.url} is not reachable for a Grafana ${need.as} (${reached.status}, ${via})`
      );
      continue;
    }
    if (e.access.kind === 'api-key' && reached.keys.length === 0) {
      fail(`${need.why}: ${need.method} ${need.url} needs a key and ${via} injects none`);
    }
  }
  return { violations: [...found], rows };
}

function routesOf(file: string): PluginRoute[] {
  return (JSON.parse(readFileSync(file, 'utf8')) as { routes?: PluginRoute[] }).routes ?? [];
}

describe('Grafana routes of plugin.json against the backend route table', () => {
  let t: TestApp;
  let table: RouteEntry[];

  before(async () => {
    t = await startApp();
    table = t.app.routeTable;
  });
  after(async () => {
    await t?.close();
  });

  test('the backend declares its routes: the writes the Hardening issue names, and reads for the pages', () => {
    const writes = table
      .filter((e) => e.access.kind === 'api-key' && e.access.writes)
      .map((e) => `${e.method} ${e.url}`);
    for (const w of [
      'POST /v1/events',
      'POST /v1/tenants',
      'POST /v1/keys',
      'DELETE /v1/keys/:id',
      'POST /v1/dead-letters/replay',
    ]) {
      assert.ok(writes.includes(w), `${w} is marked writes (writes: ${writes.join(', ')})`);
    }
    const query = table.find((e) => e.method === 'POST' && e.url === '/v1/analytics/query');
    assert.equal(query?.access.kind === 'api-key' && query.access.writes, false, 'POST /v1/analytics/query is a read');
  });

  for (const [label, file, make] of [
    ['app plugin.json', APP_JSON, appPlugin],
    ['data source plugin.json', DS_JSON, dsPlugin],
  ] as const) {
    test(`${label} (${file}): least privilege for every backend route and Grafana role`, (ctx) => {
      const { violations, rows } = analyse(make(routesOf(file)), table);
      ctx.diagnostic(`what each Grafana role reaches (#route and injected key, or Grafana's own answer):`);
      for (const row of rows) {
        ctx.diagnostic(row);
      }
      assert.deepEqual(violations, [], `\n${violations.join('\n')}`);
    });
  }

  test('at run time too, a viewer key (what the read routes send) is refused by every write endpoint', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/v1/keys',
      headers: t.admin,
      payload: { role: 'viewer' },
    });
    assert.equal(created.statusCode, 201, created.body);
    const headers = { authorization: `Bearer ${(created.json() as { key: string }).key}` };
    for (const e of table.filter((r) => r.access.kind === 'api-key' && r.access.writes)) {
      const r = await t.app.inject({ method: e.method as 'POST', url: concrete(e.url), headers, payload: {} });
      assert.equal(r.statusCode, 403, `${e.method} ${e.url} with a viewer key: ${r.statusCode} ${r.body}`);
    }
    const read = await t.app.inject({ method: 'GET', url: '/v1/analytics/variables/tenants', headers });
    assert.equal(read.statusCode, 200, read.body);
  });

  test('the routes this issue replaced (no reqRole, one admin apiKey) fail these checks', () => {
    const oldRoute = (path: string, url: string): PluginRoute => ({
      path,
      url,
      headers: [{ name: 'Authorization', content: 'Bearer {{ .SecureJsonData.apiKey }}' }],
    });
    // The old single key was the admin key (docker-compose provisioned CAAS_ADMIN_KEY as apiKey).
    const app = { ...appPlugin([oldRoute('api/*', '{{ .JsonData.apiUrl }}')]), keys: { apiKey: ['admin'] as Role[] } };
    const ds = { ...dsPlugin([oldRoute('caas', '{{ .JsonData.url }}')]), keys: { apiKey: ['admin'] as Role[] } };
    const appViolations = analyse(app, table).violations.join('\n');
    const dsViolations = analyse(ds, table).violations.join('\n');
    assert.match(appViolations, /route #0 \(any method "api\/\*", reqRole none\) has no reqRole/);
    assert.match(appViolations, /POST \/v1\/keys writes \(creating keys\) and a Grafana Viewer reaches it/);
    assert.match(appViolations, /POST \/v1\/tenants writes .* a Grafana None reaches it/);
    // Against today's documented keys the old key is nobody's: the Configuration page no longer sets it.
    assert.match(
      analyse(appPlugin(app.routes), table).violations.join('\n'),
      /renders secureJsonData\.apiKey, which no setting documents/
    );
    assert.match(dsViolations, /DELETE \/v1\/keys\/:id writes \(revoking keys\) and a Grafana Viewer reaches it/);
    assert.match(
      dsViolations,
      /is open to Viewers and injects apiKey \(role admin\), which may call POST \/v1\/events/
    );
  });

  test("the matcher reproduces Grafana's own TestPluginProxyRoutes (pkg/api/pluginproxy/pluginproxy_test.go)", () => {
    const routes: PluginRoute[] = [
      { path: '', method: 'GET', url: 'http://localhost' },
      { path: 'some-api', method: 'GET', url: 'http://localhost/api' },
      { path: 'some-api/instances', method: 'GET', url: 'http://localhost/api/instances/' },
      { path: 'some-api/*', method: 'GET', url: 'http://localhost/api' },
      { path: 'some-api/instances/*', method: 'GET', url: 'http://localhost/api/instances' },
      { path: 'some-other-api/*', method: 'GET', url: 'http://localhost/api/v2' },
      { path: 'some-other-api/instances/*', method: 'GET', url: 'http://localhost/api/v2/instances' },
    ];
    const grafana: GrafanaSetup = { role: 'Viewer', apps: { app: { routes } }, dataSources: {} };
    const cases: Array<[string, number | string]> = [
      ['/notexists', 404],
      ['/', '/'],
      ['/some-api', '/api'],
      ['/some-api/instances', '/api/instances/'],
      ['/some-api/some/thing', '/api/some/thing'],
      ['/some-api/instances/instance-one', '/api/instances/instance-one'],
      ['/some-other-api/some/thing', '/api/v2/some/thing'],
      ['/some-other-api/instances/instance-one', '/api/v2/instances/instance-one'],
    ];
    for (const [proxyPath, expected] of cases) {
      const answer = proxyRequest({ method: 'GET', url: `/api/plugin-proxy/app${proxyPath}` }, grafana);
      const got = answer.status === 'proxied' ? new URL(answer.url).pathname : answer.status;
      assert.equal(got, expected, proxyPath);
    }
    // First match decides: a refused first match is 403, not a fall-through to a later route.
    const gated: PluginRoute[] = [
      { path: 'api/v1/keys', method: 'GET', reqRole: 'Admin', url: 'http://b/v1/keys' },
      { path: 'api/*', method: 'GET', reqRole: 'Viewer', url: 'http://b' },
    ];
    const as = (role: OrgRole, url: string, method = 'GET') =>
      proxyRequest(
        { method, url: `/api/plugin-proxy/app/${url}` },
        { role, apps: { app: { routes: gated } }, dataSources: {} }
      );
    assert.equal(as('Editor', 'api/v1/keys').status, 403);
    assert.equal(as('Admin', 'api/v1/keys').status, 'proxied');
    assert.equal(as('Viewer', 'api/v1/keys/../keys/').status, 403, 'the proxy path is cleaned before matching');
    assert.equal(as('Viewer', 'api/v1/keys', 'POST').status, 404, 'no route for the method');
    // An encoded slash is one segment for the router but forwarded decoded: the key is what stops it.
    const crafted = as('Viewer', 'api/v1%2Fkeys');
    assert.equal(crafted.status === 'proxied' && new URL(crafted.url).pathname, '/v1/keys');
  });
});
