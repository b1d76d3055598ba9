import { parseArgs } from 'node:util';
import { readAdminKeyFile } from '../auth/admin-key-file.js';
import { loadConfig } from '../config/config.js';
import type { Principal } from '../auth/keys.js';
import { Role } from '../contracts/common.js';
import { DEMO_TENANTS } from '../demo/run-demo.js';
import { loadDemo } from '../demo/loader.js';
import { openMetadata } from '../services.js';

/**
 * `npx caas …`: tenants, keys, dead letters and demo data from a terminal.
 *
 * When a backend answers at CAAS_URL (default http://127.0.0.1:$PORT) the CLI calls its API with
 * CAAS_ADMIN_KEY; when none answers it opens the metadata store directly (DATA_DIR or DATABASE_URL),
 * which is safe because no server holds it then.
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

environment: CAAS_URL, CAAS_ADMIN_KEY, DATA_DIR, DATABASE_URL (see the README)`;

class CliError extends Error {}

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
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [area, verb, arg] = positionals;
  if (o.help || !area) {
    out(USAGE);
    return;
  }
  const cfg = loadConfig();
  const base = o.url ?? process.env.CAAS_URL ?? `http://127.0.0.1:${cfg.port}`;
  const online = await reachable(base);
  const key = cfg.adminKey ?? readAdminKeyFile(cfg.dataDir);
  if (online && !key) {
    throw new CliError(`a backend answers at ${base}; set CAAS_ADMIN_KEY to the admin key it was started with (or run from the directory whose DATA_DIR holds admin.key)`);
  }
  const print = (v: unknown) => out(JSON.stringify(v, null, 2));

  if (area === 'demo') {
    if (!online || !key) {
      throw new CliError(`demo data goes through the running backend's ingestion: start it (npm start) and set CAAS_ADMIN_KEY; nothing answers at ${base}`);
    }
    const existing = ((await api(base, key, 'GET', '/v1/tenants')) as { tenants: Array<{ id: string }> }).tenants.map((t) => t.id);
    for (const t of DEMO_TENANTS.filter((d) => !existing.includes(d.id))) {
      await api(base, key, 'POST', '/v1/tenants', t);
    }
    const res = await loadDemo({ baseUrl: base, apiKey: key, seed: 42, tenants: DEMO_TENANTS.map((t) => t.id), days: Number(o.days), eventsPerDay: Number(o['events-per-day']) });
    print(res);
    return;
  }

  // Everything else works online (API) or offline (direct metadata store).
  const offline = online ? null : await openMetadata(cfg);
  try {
    const cmd = `${area} ${verb ?? ''}`.trim();
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
  }
}

const isMain = process.argv[1]?.endsWith(`cli${"/"}caas.ts`);
if (isMain) {
  run(process.argv.slice(2)).catch((e: unknown) => {
    process.stderr.write(`caas: ${(e as Error).message}\n`);
    process.exit(e instanceof CliError ? 2 : 1);
  });
}
