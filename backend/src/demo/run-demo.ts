import type { Services } from '../services.js';
import { loadDemo } from './loader.js';

export const DEMO_TENANTS = [
  { id: 'acme', name: 'Acme Corp' },
  { id: 'globex', name: 'Globex' },
  { id: 'initech', name: 'Initech' },
];

/**
 * `npm start -- --demo`: creates the demo tenants and an admin-visible set of events, sent
 * through the real HTTP ingestion path (so they are validated, enriched and WAL-logged).
 */
export async function runDemo(opts: { svc: Services; baseUrl: string; adminKey: string; days: number; eventsPerDay: number }): Promise<void> {
  const { svc } = opts;
  const existing = new Set((await svc.tenants.list()).map((t) => t.id));
  for (const t of DEMO_TENANTS) {
    if (!existing.has(t.id)) {
      await svc.tenants.create(t.id, t.name);
    }
  }
  svc.log.info({ tenants: DEMO_TENANTS.map((t) => t.id), days: opts.days }, 'loading demo events');
  const t0 = Date.now();
  const res = await loadDemo({
    baseUrl: opts.baseUrl,
    apiKey: opts.adminKey,
    seed: 42,
    tenants: DEMO_TENANTS.map((t) => t.id),
    days: opts.days,
    eventsPerDay: opts.eventsPerDay,
  });
  svc.log.info({ ...res, seconds: (Date.now() - t0) / 1000 }, 'demo events loaded');
}
