/**
 * The demo CAAS platform served over the CAAS HTTP source contract (README, "CAAS HTTP source contract"):
 *   GET {base}/{entity}?tenant_id=&updated_since=&cursor=&limit=    → {items, next_cursor}, by (updated_at, id)
 *   GET {base}/{entity}/deleted?tenant_id=&since=&cursor=&limit=    → {items: [{id, deleted_at}], next_cursor}
 *   GET {base}/files/:id/download                                    → the file's bytes
 * with an optional bearer token, and a fault switch for tests and demos (500s, slow or hung answers).
 * `npm start -- --demo` starts it beside the backend (issue "Crawler and search", demo source).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { ENTITIES, isEntity } from '../../crawler/source.js';
import { generatePlatform, tick, type PlatformData, type PlatformOptions, type TickResult } from './generate.js';

export const DEMO_PLATFORM_BASE_PATH = '/caas/v1';
const MAX_LIMIT = 1000;
const DEFAULT_LIMIT = 100;

export interface DemoPlatformOptions extends PlatformOptions {
  /** 0: any free port; default 0 */
  port?: number;
  host?: string;
  /** when set, every request needs Authorization: Bearer <token> */
  token?: string | null;
  /** when set, tick() runs every liveEveryMs so the platform keeps changing (npm start -- --demo) */
  liveEveryMs?: number;
}

export interface Faults {
  /** the next n requests answer `status` (default 500) */
  failNext?: number;
  /** every request fails with this probability (a seeded-free Math.random: faults are for tests, not data) */
  errorRate?: number;
  status?: number;
  /** Retry-After seconds sent with the failures */
  retryAfterSeconds?: number;
  /** every answer waits this long before its headers */
  delayMs?: number;
  /** the next n requests get headers, then never a body (a hung answer) */
  hangNext?: number;
}

export interface DemoPlatform {
  /** the base URL of the contract, e.g. http://127.0.0.1:41234/caas/v1 */
  url: string;
  port: number;
  data: PlatformData;
  /** every request seen: when (performance.now() ms), method and path with query */
  requests: Array<{ at: number; path: string }>;
  setFaults(f: Faults): void;
  clearFaults(): void;
  /** new messages, edits and deletions at `at` (default now) */
  tick(at?: number): TickResult;
  close(): Promise<void>;
}

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
};
const error = (res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}) =>
  json(res, status, { error: { code, message } }, headers);

/** An opaque cursor: the (time, id) key of the last item of the page, base64url JSON. */
export function encodeCursor(t: number, id: string): string {
  return Buffer.from(JSON.stringify([t, id])).toString('base64url');
}
export function decodeCursor(c: string): [number, string] | null {
  try {
    const v: unknown = JSON.parse(Buffer.from(c, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === 2 && Number.isSafeInteger(v[0]) && typeof v[1] === 'string') return [v[0] as number, v[1] as string];
  } catch {
    /* below */
  }
  return null;
}

const cmp = (a: readonly [number, string], b: readonly [number, string]) => (a[0] !== b[0] ? a[0] - b[0] : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0);

function intParam(q: URLSearchParams, name: string, dflt: number | null): number | string {
  const v = q.get(name);
  if (v === null || v === '') return dflt ?? `${name} is required (epoch milliseconds)`;
  if (!/^\d{1,16}$/.test(v)) return `${name} must be a whole number ≥ 0, got ${JSON.stringify(v.slice(0, 40))}`;
  return Number(v);
}

export async function startDemoPlatform(options: DemoPlatformOptions = {}): Promise<DemoPlatform> {
  const data = await generatePlatform(options);
  const token = options.token ?? null;
  let faults: Faults = {};
  const requests: DemoPlatform['requests'] = [];
  const hung = new Set<ServerResponse>();

  const authorised = (req: IncomingMessage): boolean => {
    if (!token) return true;
    const h = req.headers.authorization ?? '';
    const m = /^Bearer (.+)$/i.exec(h);
    if (!m) return false;
    const a = Buffer.from(m[1]!);
    const b = Buffer.from(token);
    return a.length === b.length && timingSafeEqual(a, b);
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const u = new URL(req.url ?? '/', 'http://x');
    requests.push({ at: performance.now(), path: `${u.pathname}${u.search}` });
    if (req.method !== 'GET') return error(res, 405, 'method_not_allowed', 'only GET is served');
    if (!u.pathname.startsWith(`${DEMO_PLATFORM_BASE_PATH}/`)) return error(res, 404, 'not_found', `the API lives under ${DEMO_PLATFORM_BASE_PATH}/`);
    if (!authorised(req)) {
      return error(res, 401, 'unauthorized', 'a valid bearer token is required (Authorization: Bearer <token>)', { 'www-authenticate': 'Bearer realm="caas"' });
    }
    if (faults.hangNext && faults.hangNext > 0) {
      faults.hangNext--;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"items": [');
      hung.add(res);
      res.on('close', () => hung.delete(res));
      return;
    }
    const failing = (faults.failNext ?? 0) > 0 || (faults.errorRate ?? 0) > Math.random();
    if (failing) {
      if (faults.failNext) faults.failNext--;
      const headers: Record<string, string> = faults.retryAfterSeconds !== undefined ? { 'retry-after': String(faults.retryAfterSeconds) } : {};
      return error(res, faults.status ?? 500, 'injected_fault', 'a fault injected by the demo platform', headers);
    }
    route(u, res);
  };

  const route = (u: URL, res: ServerResponse): void => {
    const parts = u.pathname.slice(DEMO_PLATFORM_BASE_PATH.length + 1).split('/');
    const q = u.searchParams;
    if (parts.length === 3 && parts[0] === 'files' && parts[2] === 'download') {
      const id = decodeURIComponent(parts[1]!);
      for (const t of data.tenants.values()) {
        const blob = t.blobs.get(id);
        if (blob) {
          res.writeHead(200, { 'content-type': blob.mime, 'content-length': blob.bytes.length, 'content-disposition': `attachment; filename="${t.files.get(id)?.name ?? id}"` });
          res.end(blob.bytes);
          return;
        }
      }
      return error(res, 404, 'not_found', `no file ${id} (deleted or never existed)`);
    }
    const entity = parts[0] ?? '';
    const isDeleted = parts.length === 2 && parts[1] === 'deleted';
    if (!isEntity(entity) || !(parts.length === 1 || isDeleted)) {
      return error(res, 404, 'not_found', `no such resource; entities: ${ENTITIES.join(', ')} (and {entity}/deleted)`);
    }
    const tenant = q.get('tenant_id');
    if (!tenant) return error(res, 400, 'invalid', 'tenant_id is required');
    const t = data.tenants.get(tenant);
    if (!t) return error(res, 404, 'unknown_tenant', `no tenant ${JSON.stringify(tenant.slice(0, 100))} on this platform`);
    const since = intParam(q, isDeleted ? 'since' : 'updated_since', 0);
    if (typeof since === 'string') return error(res, 400, 'invalid', since);
    const limit = intParam(q, 'limit', DEFAULT_LIMIT);
    if (typeof limit === 'string') return error(res, 400, 'invalid', limit);
    if (limit < 1 || limit > MAX_LIMIT) return error(res, 400, 'invalid', `limit must be from 1 to ${MAX_LIMIT}`);
    const c = q.get('cursor');
    let after: [number, string] | null = null;
    if (c) {
      after = decodeCursor(c);
      if (!after) return error(res, 400, 'invalid', 'cursor is not one this API gave out');
    }

    const rows: Array<{ key: [number, string]; item: unknown }> = [];
    if (isDeleted) {
      for (const d of t.deleted[entity]) if (d.deleted_at >= since) rows.push({ key: [d.deleted_at, d.id], item: d });
    } else {
      for (const it of (t[entity] as Map<string, { id: string; updated_at: number }>).values()) {
        if (it.updated_at >= since) rows.push({ key: [it.updated_at, it.id], item: it });
      }
    }
    rows.sort((a, b) => cmp(a.key, b.key));
    const from = after ? rows.findIndex((r) => cmp(r.key, after!) > 0) : 0;
    const slice = from < 0 ? [] : rows.slice(from, from + limit);
    const more = from >= 0 && from + limit < rows.length;
    const last = slice[slice.length - 1];
    const items = slice.map((r) => (entity === 'files' && !isDeleted ? withUrl(r.item as { id: string }) : r.item));
    json(res, 200, { items, next_cursor: more && last ? encodeCursor(last.key[0], last.key[1]) : null });
  };

  const withUrl = (f: { id: string }) => ({ ...f, download_url: `${data.downloadBase}${DEMO_PLATFORM_BASE_PATH}/files/${encodeURIComponent(f.id)}/download` });

  const server: Server = createServer((req, res) => {
    const safe = () => {
      try {
        handle(req, res);
      } catch (e) {
        // a malformed path (bad %-escapes) or any slip: an answer, never a crashed demo
        if (!res.headersSent) error(res, 400, 'invalid', `the request could not be read: ${(e as Error).message}`);
        else res.destroy();
      }
    };
    const delay = faults.delayMs ?? 0;
    if (delay > 0) setTimeout(safe, delay).unref();
    else safe();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = options.host && options.host !== '0.0.0.0' && options.host !== '::' ? options.host : '127.0.0.1';
  data.downloadBase = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const timer = options.liveEveryMs ? setInterval(() => tick(data), options.liveEveryMs) : null;
  timer?.unref();

  return {
    url: `${data.downloadBase}${DEMO_PLATFORM_BASE_PATH}`,
    port,
    data,
    requests,
    setFaults: (f) => (faults = { ...f }),
    clearFaults: () => (faults = {}),
    tick: (at) => tick(data, at),
    close: async () => {
      if (timer) clearInterval(timer);
      for (const r of hung) r.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}


