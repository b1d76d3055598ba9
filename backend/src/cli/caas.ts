import { parseArgs } from 'node:util';
import { readAdminKeyFile } from '../auth/admin-key-file.js';
import { loadConfig, type Config } from '../config/config.js';
import type { Principal } from '../auth/keys.js';
import { Role } from '../contracts/common.js';
import { DEMO_TENANTS } from '../demo/run-demo.js';
import { loadDemo } from '../demo/loader.js';
import { FAULT_KINDS, MAX_FAULT_MINUTES, isFaultKind } from '../demo/platform-metrics/faults.js';
import { openMetadata } from '../services.js';
import { acquireDataDirLock, DataDirHeldError, type DataDirLock } from './data-dir-lock.js';

/**
 * `npx caas …`: tenants, keys, dead letters and demo data from a terminal.
 *
 * It calls the running backend's API at CAAS_URL (default http://127.0.0.1:$PORT) with CAAS_ADMIN_KEY.
 * When none answers it stops and says so: opening `./data` silently would show a fresh, empty store
 * to someone whose backend simply runs elsewhere. `--direct` opens the metadata store itself
 * (DATABASE_URL, or PGlite under DATA_DIR); for PGlite only while no other process holds DATA_DIR,
 * because two processes on PGlite's files can corrupt them (see data-dir-lock.ts).
 */
const USAGE = `usage: caas <command> [options]

  tenants create --id <id> --name <name>     create a tenant
  tenants list                               list tenants
  keys create --tenant <id> --role <role>    create an API key (shown once); roles: ${Role.anyOf.map((r) => r.const).join(', ')}
              [--name <label>]               (--role admin takes no --tenant)
  keys list [--tenant <id>]                  list keys (never the secrets)
  keys revoke <key-id>                       revoke a key
  dead-letters list [--tenant <id>]          rejected events with their reasons
  demo [--days 30] [--events-per-day 3000]   create demo tenants and send generated events
                                             through the running backend (needs CAAS_ADMIN_KEY)
  demo fault <kind> [--minutes 10]           switch a demo platform fault on (backend started with --demo);
                                             kinds: ${FAULT_KINDS.join(', ')}; it ends by itself
  demo fault clear [<kind>]                  end the faults on now (all, or one kind)
  demo faults                                the faults on, when they end, and the rule each makes fire
  sources add --id <id> --kind caas_http --source-url <url> [--token <t>] [--rate-limit <n/s>]
  sources add --id <id> --kind postgres --connection-string <url>
                                             register a crawl source (secrets are never shown again)
  sources list                               crawl sources and their cursors (secrets as set: true/false)
  sources remove <id>                        remove a source, its cursors and schedules
  sources reset-cursor <id> --entity <e> --tenant <id>
                                             forget a cursor: the next incremental crawl reads everything
  crawl --entity <e> --tenant <id> --type <t> [--source demo] [--batch-size 100] [--from <epoch ms>] [--wait]
                                             queue a crawl (types: full_reindex, incremental, deleted;
                                             entities: messages, files, users, conversations)

options:
  --url <url>      the backend to call (default CAAS_URL, else http://127.0.0.1:$PORT)
  --direct         no backend: open the metadata store itself (DATABASE_URL, or DATA_DIR's
                   PGlite, refused while a backend holds DATA_DIR); not for demo

environment: CAAS_URL, CAAS_ADMIN_KEY, PORT, DATA_DIR, DATABASE_URL (see the README)`;

class CliError extends Error {}

/** Checked before anything connects, so a typo is reported as one, not as a missing backend. */
const COMMANDS = ['tenants create', 'tenants list', 'keys create', 'keys list', 'keys revoke', 'dead-letters list', 'demo', 'demo fault', 'demo faults', 'sources add', 'sources list', 'sources remove', 'sources reset-cursor', 'crawl'];
/** Commands that need the running backend (its job runner crawls; sources start schedules there). */
const ONLINE_ONLY = ['demo', 'demo fault', 'demo faults', 'sources add', 'sources list', 'sources remove', 'sources reset-cursor', 'crawl'];

const ADMIN: Principal = { keyId: 'cli', role: 'admin', tenantId: null };

async function api(base: string, key: string, method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  const json = text ? (JSON.parse(text) as unknown) : null;
  if (!res.ok) {
    const msg = (json as { error?: { message?: string } } | null)?.error?.message ?? text;
    throw new CliError(`${method} ${path} answered ${res.status}: ${msg}`);
  }
  return json;
}

/** Where the CLI looks for a backend, and how that address was chosen (for the error message). */
function backendUrl(cfg: Config, flag: string | undefined): { base: string; from: string } {
  if (flag) {
    return { base: flag, from: '--url' };
  }
  if (process.env.CAAS_URL) {
    return { base: process.env.CAAS_URL, from: 'CAAS_URL' };
  }
  return { base: `http://127.0.0.1:${cfg.port}`, from: `the default http://127.0.0.1:$PORT, PORT=${cfg.port}` };
}

function noBackend(cfg: Config, url: { base: string; from: string }): CliError {
  const direct = cfg.databaseUrl
    ? `or add --direct to work on the metadata store in DATABASE_URL itself (safe even while a backend runs: it is a PostgreSQL server)`
    : `or, with no backend running on DATA_DIR=${cfg.dataDir}, add --direct to open its metadata store itself`;
  return new CliError(
    `no CAAS backend answers at ${url.base} (${url.from}). Start one (npm start), set CAAS_URL to where it runs, ${direct}.`
  );
}

/**
 * `--direct`: the metadata store in this process. For PGlite under DATA_DIR the CLI takes the
 * data-dir lock for the command's duration: refused, naming the pid, while a backend holds it, and a
 * backend starting meanwhile refuses the data dir in turn. A PostgreSQL server needs no lock.
 */
async function openDirect(cfg: Config): Promise<{ store: Awaited<ReturnType<typeof openMetadata>>; lock: DataDirLock | null }> {
  let lock: DataDirLock | null = null;
  if (!cfg.databaseUrl) {
    try {
      lock = acquireDataDirLock(cfg.dataDir);
    } catch (e) {
      if (e instanceof DataDirHeldError) {
        throw new CliError(
          `--direct refused: ${e.message} Its metadata store is open there; run the command without --direct to go through that backend's API, or stop it first.`
        );
      }
      throw e;
    }
  }
  try {
    return { store: await openMetadata(cfg), lock };
  } catch (e) {
    lock?.release();
    throw e;
  }
}

async function reachable(base: string): Promise<boolean> {
  try {
    const r = await fetch(`${base}/health/live`, { signal: AbortSignal.timeout(1500) });
    return r.ok;
  } catch {
    return false;
  }
}

export async function run(argv: string[], out: (s: string) => void = (s) => process.stdout.write(s + '\n')): Promise<void> {
  const { values: o, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      id: { type: 'string' },
      name: { type: 'string' },
      tenant: { type: 'string' },
      role: { type: 'string' },
      days: { type: 'string', default: '30' },
      'events-per-day': { type: 'string', default: '3000' },
      url: { type: 'string' },
      direct: { type: 'boolean', default: false },
      kind: { type: 'string' },
      'source-url': { type: 'string' },
      token: { type: 'string' },
      'connection-string': { type: 'string' },
      'rate-limit': { type: 'string' },
      source: { type: 'string', default: 'demo' },
      entity: { type: 'string' },
      type: { type: 'string' },
      'batch-size': { type: 'string', default: '100' },
      from: { type: 'string' },
      wait: { type: 'boolean', default: false },
      minutes: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [area, verb, arg] = positionals;
  if (o.help || !area) {
    out(USAGE);
    return;
  }
  const cmd = area === 'crawl' || (area === 'demo' && verb !== 'fault' && verb !== 'faults') ? area : `${area} ${verb ?? ''}`.trim();
  if (!COMMANDS.includes(cmd)) {
    throw new CliError(`unknown command '${cmd}'\n\n${USAGE}`);
  }
  const cfg = loadConfig();
  const url = backendUrl(cfg, o.url);
  const base = url.base;
  if (cmd === 'demo' && o.direct) {
    throw new CliError(`demo data goes through a running backend's ingestion (validation, WAL, ClickHouse); --direct does not apply`);
  }
  if (ONLINE_ONLY.includes(cmd) && o.direct) {
    throw new CliError(`${cmd} works through a running backend (its job runner crawls, its schedules sync); --direct does not apply`);
  }
  // --direct never probes the network: the user chose the store, not whatever answers on the port.
  const online = !o.direct && (await reachable(base));
  if (!online && ONLINE_ONLY.includes(cmd) && cmd !== 'demo') {
    throw new CliError(`${cmd} needs a running backend, and none answers at ${base} (${url.from}): start it (npm start) or set CAAS_URL`);
  }
  if (!online && cmd === 'demo') {
    throw new CliError(`demo data goes through a running backend's ingestion, and none answers at ${base} (${url.from}): start it (npm start) or set CAAS_URL`);
  }
  if (!online && !o.direct) {
    throw noBackend(cfg, url);
  }
  const key = cfg.adminKey ?? readAdminKeyFile(cfg.dataDir);
  if (online && !key) {
    throw new CliError(`a backend answers at ${base}; set CAAS_ADMIN_KEY to the admin key it was started with (or run from the directory whose DATA_DIR holds admin.key)`);
  }
  const print = (v: unknown) => out(JSON.stringify(v, null, 2));

  if (cmd === 'demo' && key) {
    const existing = ((await api(base, key, 'GET', '/v1/tenants')) as { tenants: Array<{ id: string }> }).tenants.map((t) => t.id);
    for (const t of DEMO_TENANTS.filter((d) => !existing.includes(d.id))) {
      await api(base, key, 'POST', '/v1/tenants', t);
    }
    const res = await loadDemo({ baseUrl: base, apiKey: key, seed: 42, tenants: DEMO_TENANTS.map((t) => t.id), days: Number(o.days), eventsPerDay: Number(o['events-per-day']) });
    print(res);
    return;
  }

  if (cmd === 'demo fault' || cmd === 'demo faults') {
    await demoFaultCommand(cmd, arg, positionals[3], o.minutes, base, (m, p, b) => api(base, key as string, m, p, b), print);
    return;
  }

  if (cmd.startsWith('sources ') || cmd === 'crawl') {
    await crawlerCommand(cmd, o, arg, (m, p, b) => api(base, key as string, m, p, b), print);
    return;
  }

  // Everything else works online (API) or, with --direct, on the metadata store itself.
  const direct = o.direct ? await openDirect(cfg) : null;
  const offline = direct?.store ?? null;
  try {
    switch (cmd) {
      case 'tenants create': {
        if (!o.id || !o.name) {
          throw new CliError('tenants create needs --id <id> --name <name>');
        }
        print(offline ? await offline.tenants.create(o.id, o.name) : await api(base, key as string, 'POST', '/v1/tenants', { id: o.id, name: o.name }));
        return;
      }
      case 'tenants list':
        print(offline ? { tenants: await offline.tenants.list() } : await api(base, key as string, 'GET', '/v1/tenants'));
        return;
      case 'keys create': {
        const role = o.role as Principal['role'] | undefined;
        if (!role || !Role.anyOf.some((r) => r.const === role)) {
          throw new CliError(`keys create needs --role, one of: ${Role.anyOf.map((r) => r.const).join(', ')}`);
        }
        const body = { tenant_id: o.tenant, role, name: o.name };
        print(offline ? await offline.keys.create(body, ADMIN) : await api(base, key as string, 'POST', '/v1/keys', body));
        return;
      }
      case 'keys list':
        print(offline ? { keys: await offline.keys.list(o.tenant ?? null) } : await api(base, key as string, 'GET', `/v1/keys${o.tenant ? `?tenant_id=${encodeURIComponent(o.tenant)}` : ''}`));
        return;
      case 'keys revoke':
        if (!arg) {
          throw new CliError('keys revoke needs the key id (see keys list)');
        }
        if (offline) {
          await offline.keys.revoke(arg, ADMIN);
        } else {
          await api(base, key as string, 'DELETE', `/v1/keys/${encodeURIComponent(arg)}`);
        }
        print({ revoked: arg });
        return;
      case 'dead-letters list':
        print(
          offline
            ? { dead_letters: await new (await import('../ingest/dead-letters.js')).DeadLetterRepo(offline.db).list({ tenant: o.tenant ?? null, limit: 100 }) }
            : await api(base, key as string, 'GET', `/v1/dead-letters${o.tenant ? `?tenant_id=${encodeURIComponent(o.tenant)}` : ''}`)
        );
        return;
      default:
        throw new CliError(`unknown command '${cmd}'\n\n${USAGE}`);
    }
  } finally {
    await offline?.db.close();
    direct?.lock?.release();
  }
}

/**
 * `demo fault <kind> --minutes N`, `demo fault clear [<kind>]`, `demo faults`: the demo platform's fault
 * switch through the backend's API (POST/DELETE/GET /v1/demo/faults, served only by a --demo backend).
 */
async function demoFaultCommand(
  cmd: 'demo fault' | 'demo faults',
  arg: string | undefined,
  extra: string | undefined,
  minutesFlag: string | undefined,
  base: string,
  call: (method: string, path: string, body?: unknown) => Promise<unknown>,
  print: (v: unknown) => void
): Promise<void> {
  const demoOnly = async (method: string, path: string, body?: unknown) => {
    try {
      return await call(method, path, body);
    } catch (e) {
      if (e instanceof CliError && / answered 404: no route /.test(e.message)) {
        throw new CliError(`the backend at ${base} runs without --demo: faults exist only on the demo platform (npm start -- --demo)`);
      }
      throw e;
    }
  };
  if (cmd === 'demo faults') {
    print(await demoOnly('GET', '/v1/demo/faults'));
    return;
  }
  if (arg === 'clear') {
    if (extra !== undefined && !isFaultKind(extra)) {
      throw new CliError(`demo fault clear takes a kind to end (${FAULT_KINDS.join(', ')}) or none for all, got '${extra}'`);
    }
    print(await demoOnly('DELETE', `/v1/demo/faults${extra ? `?kind=${encodeURIComponent(extra)}` : ''}`));
    return;
  }
  if (!arg || !isFaultKind(arg)) {
    throw new CliError(`demo fault needs a kind: ${FAULT_KINDS.join(', ')} (or clear)${arg ? `, got '${arg}'` : ''}`);
  }
  const minutes = minutesFlag === undefined ? 10 : Number(minutesFlag);
  if (!Number.isFinite(minutes) || minutes <= 0 || minutes > MAX_FAULT_MINUTES) {
    throw new CliError(`--minutes must be a number more than 0 and at most ${MAX_FAULT_MINUTES}, got '${minutesFlag}'`);
  }
  print(await demoOnly('POST', '/v1/demo/faults', { kind: arg, minutes }));
}

type CrawlerOptions = Record<string, string | boolean | undefined>;

/** sources add/list/remove and crawl, through the backend's API (POST/GET/DELETE /v1/sources, POST /v1/crawls). */
async function crawlerCommand(
  cmd: string,
  o: CrawlerOptions,
  arg: string | undefined,
  call: (method: string, path: string, body?: unknown) => Promise<unknown>,
  print: (v: unknown) => void
): Promise<void> {
  const str = (k: string) => (typeof o[k] === 'string' ? (o[k] as string) : undefined);
  const num = (k: string, what: string): number | undefined => {
    const v = str(k);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n)) throw new CliError(`--${k} must be ${what}, got '${v}'`);
    return n;
  };
  switch (cmd) {
    case 'sources add': {
      const id = str('id');
      const kind = str('kind');
      if (!id || (kind !== 'caas_http' && kind !== 'postgres')) {
        throw new CliError('sources add needs --id <id> --kind caas_http|postgres (and --source-url or --connection-string)');
      }
      const body = {
        id,
        kind,
        ...(str('source-url') ? { url: str('source-url') } : {}),
        ...(str('connection-string') ? { connection_string: str('connection-string') } : {}),
        ...(str('token') ? { token: str('token') } : {}),
        ...(str('rate-limit') ? { rate_limit_per_s: num('rate-limit', 'requests per second') } : {}),
      };
      print(await call('POST', '/v1/sources', body));
      return;
    }
    case 'sources list':
      print(await call('GET', '/v1/sources'));
      return;
    case 'sources remove':
      if (!arg) throw new CliError('sources remove needs the source id (see sources list)');
      await call('DELETE', `/v1/sources/${encodeURIComponent(arg)}`);
      print({ removed: arg });
      return;
    case 'sources reset-cursor': {
      const entity = str('entity');
      const tenant = str('tenant');
      if (!arg || !entity || !tenant) throw new CliError('sources reset-cursor needs the source id, --entity <e> and --tenant <id>');
      await call('DELETE', `/v1/sources/${encodeURIComponent(arg)}/cursors/${encodeURIComponent(entity)}/${encodeURIComponent(tenant)}`);
      print({ reset: { source_id: arg, entity, tenant_id: tenant } });
      return;
    }
    case 'crawl': {
      const entity = str('entity');
      const tenant = str('tenant');
      const type = str('type');
      if (!entity || !tenant || !type) {
        throw new CliError('crawl needs --entity <messages|files|users|conversations> --tenant <id> --type <full_reindex|incremental|deleted>');
      }
      const body = {
        source_id: str('source') ?? 'demo',
        type,
        entity,
        tenant_id: tenant,
        batch_size: num('batch-size', 'a whole number from 1 to 1000') ?? 100,
        ...(str('from') ? { from_timestamp: num('from', 'epoch milliseconds') } : {}),
      };
      const { job_id } = (await call('POST', '/v1/crawls', body)) as { job_id: string };
      if (!o.wait) {
        print({ job_id, progress: `GET /v1/jobs/${job_id}` });
        return;
      }
      for (;;) {
        const j = (await call('GET', `/v1/jobs/${job_id}`)) as { state: string; progress: { message: string | null }; last_error: string | null };
        if (['succeeded', 'failed', 'cancelled'].includes(j.state)) {
          print({ job_id, state: j.state, progress: j.progress, last_error: j.last_error });
          if (j.state !== 'succeeded') throw new CliError(`crawl ${j.state}: ${j.last_error ?? ''}`);
          return;
        }
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    default:
      throw new CliError(`unknown command '${cmd}'`);
  }
}

const isMain = process.argv[1]?.endsWith(`cli${"/"}caas.ts`);
if (isMain) {
  run(process.argv.slice(2)).catch((e: unknown) => {
    process.stderr.write(`caas: ${(e as Error).message}\n`);
    process.exit(e instanceof CliError ? 2 : 1);
  });
}
