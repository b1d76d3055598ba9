// Grafana's plugin proxies, as Grafana 12 runs them, in one place: which plugin.json route a request takes, who may
// take it, where it goes and which headers it gets. Shared by the Grafana-route test
// (backend/test/grafana-routes.test.ts, which walks every backend route through it) and by the browser workbench
// (tests/workbench/index.tsx, whose getBackendSrv stand-in proxies the pages' requests through it), so the routes
// the test proves are the routes the pages run through.
//
// Ported from Grafana's source (github.com/grafana/grafana, main, read for Grafana 12):
// - pkg/api/plugin_proxy.go: the app proxy `/api/plugin-proxy/:pluginId/*`; its proxy path is
//   `path.Join("/", <escaped URL path without /api/plugin-proxy/<id>/>)` (so `..`, `//` and a trailing `/` are
//   cleaned before matching).
// - pkg/api/pluginproxy/pluginproxy.go, PluginProxy.HandleRequest: the routes are tried IN plugin.json ORDER; a route
//   whose `method` is neither empty, `*` nor exactly the request's method is skipped (no comma lists, no case
//   folding); its `path` is matched by a macaron tree (pkg/web/tree.go: static segments, `:name`, `*`); the FIRST
//   match is the route: when hasAccessToRoute refuses it the answer is 403 "plugin proxy route access denied" (no
//   later route is tried); when no route matches, 404 "plugin route match not found". A matched `*` forwards what it
//   matched (params["*"], unescaped) appended to the route URL (util.JoinURLFragments); a route without `*`
//   forwards to its URL exactly. The headers are rendered with Go's text/template from jsonData and the decrypted
//   secureJsonData (a missing key renders "<no value>").
// - hasAccessToRoute (same file, and pkg/api/pluginproxy/ds_proxy.go): `reqAction` set → RBAC decides (the action
//   must be granted; not modelled here: throws); else `reqRole` set → the user's org role must include it
//   (roletype.go: None < Viewer < Editor < Admin, a role includes those below it); else everyone signed in,
//   anonymous users included.
// - pkg/services/org (roletype.go) RoleType.UnmarshalText: "viewer" and "Viewer" both parse (strings.Title); an
//   unknown non-empty role fails the plugin's load; an explicit empty string becomes Viewer; an absent reqRole means
//   no check.
// - pkg/api/pluginproxy/ds_proxy.go, DataSourceProxy.validateRequest: the data source proxy
//   `/api/datasources/proxy/uid/:uid/*` tries the routes in order too, same method rule, but matches by STRING
//   PREFIX of the cleaned relative paths (plugins.CleanRelativePath); a refused first match is an error (403); when
//   no route matches, the request goes on to the instance's own `url` WITHOUT any route headers. The forwarded path
//   is the route URL's path joined with the proxy path minus the route's `path` prefix (ApplyRoute in
//   ds_auth_provider.go).
// Not modelled: the FlagPluginProxyPreserveTrailingSlash feature toggle, RBAC (`reqAction`), X-Grafana-Context and
// user headers, token/JWT auth, urlParams and body templates.

/** Grafana's organisation roles, lowest first (roletype.go precedence 10, 20, 30, 40). */
export const ORG_ROLES = ['None', 'Viewer', 'Editor', 'Admin'];

const APP_PROXY_PREFIX = /^\/api\/plugin-proxy\/([\w-]+)\/?/;
const DS_PROXY_PREFIX = /^\/api\/datasources\/proxy\/(?:([\d]+)|uid\/([\w-]+))\/?/;

/** RoleType.UnmarshalText: undefined when absent (no check), the canonical role otherwise; throws like a bad load. */
export function parseReqRole(value) {
  if (value === undefined) {
    return undefined;
  }
  if (typeof value !== 'string') {
    throw new Error(`reqRole ${JSON.stringify(value)} is not a string: Grafana would not load the plugin`);
  }
  if (value === '') {
    return 'Viewer';
  }
  const titled = value.replace(/(^|[^\p{L}\p{N}_'])(\p{L})/gu, (_m, sep, letter) => sep + letter.toUpperCase());
  if (!ORG_ROLES.includes(titled)) {
    throw new Error(
      `reqRole "${value}" is not a Grafana role (${ORG_ROLES.join(', ')}): Grafana would not load the plugin`
    );
  }
  return titled;
}

/** RoleType.Includes: does a user with `userRole` satisfy `required`? */
export function roleIncludes(userRole, required) {
  return ORG_ROLES.indexOf(userRole) >= ORG_ROLES.indexOf(required);
}

/** The lowest org role that may take the route (hasAccessToRoute), 'None' when it checks nothing. */
export function routeMinRole(route) {
  if (route.reqAction) {
    throw new Error(
      `route "${route.path}" uses reqAction "${route.reqAction}": RBAC decides who may take it, which this model of Grafana does not cover; use reqRole`
    );
  }
  return parseReqRole(route.reqRole) ?? 'None';
}

function hasAccessToRoute(route, userRole) {
  return roleIncludes(userRole, routeMinRole(route));
}

function methodMatches(route, method) {
  const m = route.method ?? '';
  return m === '' || m === '*' || m === method;
}

// ---- Go's path.Clean / path.Join, url.PathUnescape, util.JoinURLFragments ----

export function goPathClean(p) {
  if (p === '') {
    return '.';
  }
  const rooted = p.startsWith('/');
  const out = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') {
      continue;
    }
    if (part === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') {
        out.pop();
      } else if (!rooted) {
        out.push('..');
      }
      continue;
    }
    out.push(part);
  }
  const joined = (rooted ? '/' : '') + out.join('/');
  return joined === '' ? '.' : joined;
}

function goPathJoin(...elems) {
  const nonEmpty = elems.filter((e) => e !== '');
  return nonEmpty.length === 0 ? '' : goPathClean(nonEmpty.join('/'));
}

/** url.PathUnescape: undefined for a malformed escape (Go returns an error). */
export function goPathUnescape(s) {
  if (!/^(?:[^%]|%[0-9A-Fa-f]{2})*$/.test(s)) {
    return undefined;
  }
  if (!s.includes('%')) {
    return s;
  }
  const bytes = [];
  const encoder = new TextEncoder();
  for (let i = 0; i < s.length;) {
    if (s[i] === '%') {
      bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 3;
    } else {
      const cp = s.codePointAt(i);
      const ch = String.fromCodePoint(cp);
      bytes.push(...encoder.encode(ch));
      i += ch.length;
    }
  }
  return new TextDecoder().decode(Uint8Array.from(bytes));
}

export function joinURLFragments(a, b) {
  if (b.length === 0) {
    return a;
  }
  const aslash = a.endsWith('/');
  const bslash = b.startsWith('/');
  if (aslash && bslash) {
    return a + b.slice(1);
  }
  if (!aslash && !bslash) {
    return `${a}/${b}`;
  }
  return a + b;
}

// ---- pkg/web/tree.go (macaron's router tree), one pattern per tree as HandleRequest builds it ----

const STATIC = 0;
const REGEXP = 1;
const PATH_EXT = 2;
const HOLDER = 3;
const MATCH_ALL = 4;

function getNextWildcard(pattern) {
  const m = /:[a-zA-Z0-9]+/.exec(pattern);
  if (!m) {
    return ['', pattern];
  }
  const wildcard = m[0];
  const end = m.index + wildcard.length;
  const isSpecial = (s) => pattern.slice(end, end + s.length) === s;
  if (pattern.length === end) {
    return [wildcard, pattern.replace(wildcard, '(.+)')];
  } else if (pattern[end] !== '(') {
    if (isSpecial(':int')) {
      pattern = pattern.replace(':int', '([0-9]+)');
    } else if (isSpecial(':string')) {
      pattern = pattern.replace(':string', '([\\w]+)');
    } else {
      return [wildcard, pattern.replace(wildcard, '(.+)')];
    }
  }
  return [wildcard, pattern.slice(0, m.index) + pattern.slice(end)];
}

function checkPattern(pattern) {
  pattern = pattern.replace(/^\?+/, '');
  if (pattern === '*') {
    return { typ: MATCH_ALL, wildcards: [] };
  }
  if (pattern === '*.*') {
    return { typ: PATH_EXT, wildcards: [] };
  }
  if (pattern.includes(':')) {
    const wildcards = [];
    for (;;) {
      const [wildcard, next] = getNextWildcard(pattern);
      pattern = next;
      if (!wildcard) {
        break;
      }
      wildcards.push(wildcard);
    }
    if (pattern === '(.+)') {
      return { typ: HOLDER, wildcards };
    }
    return { typ: REGEXP, wildcards, reg: new RegExp(pattern) };
  }
  return { typ: STATIC, wildcards: [] };
}

class Tree {
  constructor(parent, pattern) {
    this.parent = parent;
    this.pattern = pattern;
    Object.assign(this, checkPattern(pattern));
    this.subtrees = [];
    this.leaves = [];
  }

  addLeaf(pattern) {
    if (this.leaves.some((l) => l.pattern === pattern)) {
      return;
    }
    const leaf = { pattern, optional: pattern.startsWith('?'), ...checkPattern(pattern) };
    if (leaf.optional) {
      if (this.parent) {
        this.parent.addLeaf(this.pattern);
      } else {
        this.addLeaf('');
      }
    }
    const i = this.leaves.findIndex((l) => leaf.typ < l.typ);
    this.leaves.splice(i === -1 ? this.leaves.length : i, 0, leaf);
  }

  addSubtree(segment, pattern) {
    const existing = this.subtrees.find((t) => t.pattern === segment);
    if (existing) {
      existing.addNextSegment(pattern);
      return;
    }
    const subtree = new Tree(this, segment);
    const i = this.subtrees.findIndex((t) => subtree.typ < t.typ);
    this.subtrees.splice(i === -1 ? this.subtrees.length : i, 0, subtree);
    subtree.addNextSegment(pattern);
  }

  addNextSegment(pattern) {
    pattern = pattern.startsWith('/') ? pattern.slice(1) : pattern;
    const i = pattern.indexOf('/');
    if (i === -1) {
      this.addLeaf(pattern);
    } else {
      this.addSubtree(pattern.slice(0, i), pattern.slice(i + 1));
    }
  }

  add(pattern) {
    this.addNextSegment(pattern.endsWith('/') ? pattern.slice(0, -1) : pattern);
  }

  matchLeaf(globLevel, url, params) {
    url = goPathUnescape(url);
    if (url === undefined) {
      return false;
    }
    for (const leaf of this.leaves) {
      switch (leaf.typ) {
        case STATIC:
          if (leaf.pattern === url) {
            return true;
          }
          break;
        case REGEXP: {
          const results = leaf.reg.exec(url);
          if (!results || results.length - 1 !== leaf.wildcards.length) {
            break;
          }
          leaf.wildcards.forEach((w, j) => (params[w] = results[j + 1]));
          return true;
        }
        case PATH_EXT: {
          const j = url.lastIndexOf('.');
          if (j > -1) {
            params[':path'] = url.slice(0, j);
            params[':ext'] = url.slice(j + 1);
          } else {
            params[':path'] = url;
          }
          return true;
        }
        case HOLDER:
          params[leaf.wildcards[0]] = url;
          return true;
        case MATCH_ALL:
          params['*'] = url;
          params[`*${globLevel}`] = url;
          return true;
      }
    }
    return false;
  }

  matchSubtree(globLevel, segment, url, params) {
    const unescapedSegment = goPathUnescape(segment);
    if (unescapedSegment === undefined) {
      return false;
    }
    for (const t of this.subtrees) {
      switch (t.typ) {
        case STATIC:
          if (t.pattern === unescapedSegment && t.matchNextSegment(globLevel, url, params)) {
            return true;
          }
          break;
        case REGEXP: {
          const results = t.reg.exec(unescapedSegment);
          if (!results || results.length - 1 !== t.wildcards.length) {
            break;
          }
          t.wildcards.forEach((w, j) => (params[w] = results[j + 1]));
          if (t.matchNextSegment(globLevel, url, params)) {
            return true;
          }
          break;
        }
        case HOLDER:
          if (t.matchNextSegment(globLevel + 1, url, params)) {
            params[t.wildcards[0]] = unescapedSegment;
            return true;
          }
          break;
        case MATCH_ALL:
          if (t.matchNextSegment(globLevel + 1, url, params)) {
            params[`*${globLevel}`] = unescapedSegment;
            return true;
          }
          break;
      }
    }
    if (this.leaves.length > 0) {
      const leaf = this.leaves[this.leaves.length - 1];
      const unescapedURL = goPathUnescape(`${segment}/${url}`);
      if (unescapedURL === undefined) {
        return false;
      }
      if (leaf.typ === PATH_EXT) {
        const j = unescapedURL.lastIndexOf('.');
        if (j > -1) {
          params[':path'] = unescapedURL.slice(0, j);
          params[':ext'] = unescapedURL.slice(j + 1);
        } else {
          params[':path'] = unescapedURL;
        }
        return true;
      }
      if (leaf.typ === MATCH_ALL) {
        params['*'] = unescapedURL;
        params[`*${globLevel}`] = unescapedURL;
        return true;
      }
    }
    return false;
  }

  matchNextSegment(globLevel, url, params) {
    const i = url.indexOf('/');
    if (i === -1) {
      return this.matchLeaf(globLevel, url, params);
    }
    return this.matchSubtree(globLevel, url.slice(0, i), url.slice(i + 1), params);
  }

  match(url) {
    url = url.startsWith('/') ? url.slice(1) : url;
    url = url.endsWith('/') ? url.slice(0, -1) : url;
    const params = {};
    return this.matchNextSegment(0, url, params) ? params : undefined;
  }
}

/** web.MatchTest-like: the params when `pattern` (a plugin route path) matches `url`, else undefined. */
export function treeMatch(pattern, url) {
  const t = new Tree(null, '');
  t.add(pattern);
  return t.match(url);
}

// ---- route selection ----

/**
 * PluginProxy.HandleRequest's route loop for an app plugin. `proxyPath` as plugin_proxy.go computes it (see
 * appProxyPath). Outcomes: `not-found` (404), `forbidden` (403, the first matching route refuses the user), or
 * `proxied` with the route, its index and the path it forwards (appended to the route URL).
 */
export function pickAppRoute(routes, method, proxyPath, userRole) {
  for (const [index, route] of (routes ?? []).entries()) {
    if (!methodMatches(route, method)) {
      continue;
    }
    const params = treeMatch(route.path ?? '', proxyPath);
    if (!params) {
      continue;
    }
    if (!hasAccessToRoute(route, userRole)) {
      return { outcome: 'forbidden', route, index };
    }
    return { outcome: 'proxied', route, index, forwardPath: params['*'] ?? '' };
  }
  return { outcome: 'not-found' };
}

/** plugins.CleanRelativePath: filepath.Rel("/", filepath.Clean(filepath.Join("/", p))). */
export function cleanRelativePath(p) {
  const cleaned = goPathClean(`/${p}`);
  return cleaned === '/' ? '.' : cleaned.slice(1);
}

/**
 * DataSourceProxy.validateRequest's route loop. Outcomes: `forbidden` (403), `unrouted` (no route: Grafana forwards
 * to the instance's own URL without any route headers), or `proxied` with the path it forwards.
 */
export function pickDataSourceRoute(routes, method, proxyPath, userRole) {
  for (const [index, route] of (routes ?? []).entries()) {
    if (!methodMatches(route, method)) {
      continue;
    }
    let r1 = cleanRelativePath(proxyPath);
    let r2 = cleanRelativePath(route.path ?? '');
    // grafana/grafana#116273: an empty path is the empty prefix, not "."
    if (r1 === '.' && proxyPath !== '.') {
      r1 = '';
    }
    if (r2 === '.' && route.path !== '.') {
      r2 = '';
    }
    if (!r1.startsWith(r2)) {
      continue;
    }
    if (!hasAccessToRoute(route, userRole)) {
      return { outcome: 'forbidden', route, index };
    }
    const routePath = route.path ?? '';
    return {
      outcome: 'proxied',
      route,
      index,
      forwardPath: proxyPath.startsWith(routePath) ? proxyPath.slice(routePath.length) : proxyPath,
    };
  }
  return { outcome: 'unrouted' };
}

// ---- templates, URLs, headers ----

const TEMPLATE = /\{\{\s*\.(JsonData|SecureJsonData)\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/** Renders `{{ .JsonData.x }}` / `{{ .SecureJsonData.x }}` as text/template does (missing key: "<no value>"). */
export function interpolate(text, data) {
  const rendered = text.replace(TEMPLATE, (_m, scope, key) => {
    const value = data[scope]?.[key];
    return value === undefined || value === null ? '<no value>' : String(value);
  });
  if (rendered.includes('{{')) {
    throw new Error(`template "${text}" uses more than {{ .JsonData.x }} / {{ .SecureJsonData.x }}: not modelled`);
  }
  return rendered;
}

/** The secureJsonData keys a route's URL and headers render, e.g. ['viewerKey']. */
export function routeSecrets(route) {
  const texts = [route.url ?? '', ...(route.headers ?? []).map((h) => h.content ?? '')];
  const names = new Set();
  for (const text of texts) {
    for (const m of text.matchAll(TEMPLATE)) {
      if (m[1] === 'SecureJsonData') {
        names.add(m[2]);
      }
    }
  }
  return [...names];
}

/**
 * Where a matched route sends the request: the route URL rendered from jsonData (url.Parse), its path joined with
 * the forwarded path (JoinURLFragments), the request's own query string kept. Throws when the URL does not parse as
 * an absolute URL (Grafana answers 500 or fails to reach it).
 */
export function targetURL(route, forwardPath, jsonData, search = '') {
  const base = interpolate(route.url ?? '', { JsonData: jsonData, SecureJsonData: {} });
  const parsed = new URL(base);
  const target = new URL(parsed.origin);
  target.pathname = joinURLFragments(parsed.pathname === '/' && !/\/$/.test(base) ? '' : parsed.pathname, forwardPath);
  target.search = search;
  return target.href;
}

/** The route's headers rendered from jsonData and secureJsonData (addHeaders: Header.Add, so values accumulate). */
export function routeHeaders(route, jsonData, secureJsonData) {
  const headers = {};
  for (const h of route.headers ?? []) {
    const value = interpolate(h.content ?? '', { JsonData: jsonData, SecureJsonData: secureJsonData });
    (headers[h.name.toLowerCase()] ??= []).push(value);
  }
  return headers;
}

// ---- whole requests ----

/** plugin_proxy.go: the app plugin id and proxy path of `/api/plugin-proxy/<id>/...`, or undefined. */
export function appProxyPath(escapedPath) {
  const m = APP_PROXY_PREFIX.exec(escapedPath);
  if (!m) {
    return undefined;
  }
  return { pluginId: m[1], proxyPath: goPathJoin('/', escapedPath.replace(APP_PROXY_PREFIX, '')) };
}

/** datasourceproxy.go: the data source (id or uid) and proxy path of `/api/datasources/proxy/uid/<uid>/...`. */
export function dataSourceProxyPath(escapedPath) {
  const m = DS_PROXY_PREFIX.exec(escapedPath);
  if (!m) {
    return undefined;
  }
  return { id: m[1], uid: m[2], proxyPath: escapedPath.replace(DS_PROXY_PREFIX, '') };
}

/**
 * One browser request to Grafana's proxies, answered as Grafana would: `{ status, message }` when Grafana answers
 * itself (404, 403, 502), or `{ status: 'proxied', kind, route, index, url, headers }` for what it sends on.
 *
 * @param {{ method: string, url: string }} request  the URL as the browser sends it (path and query, no origin)
 * @param {{ role: string, apps: Record<string, Plugin>, dataSources: Record<string, Plugin & { url?: string }> }} grafana
 *   the signed-in user's org role; the installed apps by plugin id and the data source instances by uid, each with
 *   its plugin.json `routes`, `jsonData` and `secureJsonData` (decrypted, as the proxy sees them).
 */
export function proxyRequest(request, grafana) {
  const parsed = new URL(request.url, 'http://grafana.invalid');
  const escapedPath = parsed.pathname;
  const method = request.method.toUpperCase();
  const app = appProxyPath(escapedPath);
  if (app) {
    const plugin = grafana.apps[app.pluginId];
    if (!plugin) {
      return { status: 404, message: 'Plugin not found, no installed plugin with that id' };
    }
    const picked = pickAppRoute(plugin.routes, method, app.proxyPath, grafana.role);
    return forward('app', picked, plugin, parsed.search, {
      'not-found': { status: 404, message: 'plugin route match not found' },
    });
  }
  const ds = dataSourceProxyPath(escapedPath);
  if (ds) {
    const instance = ds.uid !== undefined ? grafana.dataSources[ds.uid] : undefined;
    if (!instance) {
      return { status: 404, message: 'Unable to find datasource' };
    }
    const picked = pickDataSourceRoute(instance.routes, method, ds.proxyPath, grafana.role);
    return forward('datasource', picked, instance, parsed.search, {
      // No route: Grafana forwards to the instance URL without route headers; the workbench's instances have none.
      unrouted: instance.url
        ? undefined
        : { status: 502, message: 'no plugin route matched and the data source has no URL of its own' },
    });
  }
  return { status: 404, message: `not a Grafana proxy URL: ${escapedPath}` };
}

function forward(kind, picked, plugin, search, answers) {
  if (picked.outcome === 'forbidden') {
    return { status: 403, message: 'plugin proxy route access denied', route: picked.route, index: picked.index };
  }
  if (picked.outcome !== 'proxied') {
    const answer = answers[picked.outcome];
    if (answer) {
      return answer;
    }
    return { status: 'proxied', kind, url: `${plugin.url}${search}`, headers: {} };
  }
  const { route, index, forwardPath } = picked;
  let url;
  try {
    url = targetURL(route, forwardPath, plugin.jsonData ?? {}, search);
  } catch (error) {
    return { status: 502, message: `route URL does not render to an absolute URL: ${error.message}`, route, index };
  }
  return {
    status: 'proxied',
    kind,
    route,
    index,
    url,
    headers: routeHeaders(route, plugin.jsonData ?? {}, plugin.secureJsonData ?? {}),
  };
}
