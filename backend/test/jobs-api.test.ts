import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import fc from 'fast-check';
import { DEAD_LETTER_REPLAY_KIND } from '../src/jobs/dead-letter-replay.js';
import { createKey, createTenant, drained, event, startApp, type TestApp } from './helpers.js';
import { endpointText, encodeSegment, queryString } from './hostile/arbitraries.js';
import { ISO, waitFor } from './jobs-support.js';

/**
 * The jobs API on a real backend (embedded ClickHouse and PGlite; issue "Platform", part 2):
 * GET /v1/jobs, GET /v1/jobs/:id, POST /v1/jobs/:id/cancel with tenant scoping, the dead-letter
 * replay of more than 100 ids as a job with progress, the storage report (GET /v1/storage), and
 * property tests: bad input to the new endpoints never gets a 5xx.
 */
let t: TestApp;
const keys: Record<string, string> = {};
const as = (name: string) => ({ authorization: `Bearer ${keys[name]}` });

interface JobBody {
  id: string;
  kind: string;
  tenant_id: string | null;
  state: string;
  progress: { done: number; total: number | null; message: string | null };
  attempts: number;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  last_error: string | null;
  log?: Array<{ at: string; attempt: number; level: string; message: string }>;
}

const JOB_KEYS = ['attempts', 'created_at', 'finished_at', 'id', 'kind', 'last_error', 'progress', 'started_at', 'state', 'tenant_id'];

function errorOf(res: LightMyRequestResponse): { code: string; message: string } {
  const body = res.json() as { error?: { code: string; message: string } };
  assert.ok(body.error?.code && body.error.message, `an error body: ${res.body}`);
  return body.error;
}

async function jobDone(id: string, headers = t.admin): Promise<JobBody> {
  return waitFor(`job ${id} finished`, 60_000, async () => {
    const r = await t.app.inject({ method: 'GET', url: `/v1/jobs/${id}`, headers });
    const j = r.json() as JobBody;
    return ['succeeded', 'failed', 'cancelled'].includes(j.state) ? j : undefined;
  });
}

before(async () => {
  t = await startApp({ JOBS_POLL_MS: '20', TENANT_RATE_LIMIT: '0' });
  await createTenant(t, 'acme');
  await createTenant(t, 'globex');
  keys.acmeAdmin = await createKey(t, 'acme', 'tenant-admin');
  keys.acmeViewer = await createKey(t, 'acme', 'tenant-viewer');
  keys.globexAdmin = await createKey(t, 'globex', 'tenant-admin');
  keys.ingest = await createKey(t, 'acme', 'ingest');
  keys.viewer = await createKey(t, undefined, 'viewer');
});
after(async () => t?.close());

describe('jobs API', () => {
  it('GET /v1/schedules lists the nightly storage report with its next firing, for every reader', async () => {
    for (const key of [undefined, keys.viewer, keys.acmeViewer]) {
      const r = await t.app.inject({ method: 'GET', url: '/v1/schedules', headers: key ? { authorization: `Bearer ${key}` } : t.admin });
      assert.equal(r.statusCode, 200, r.body);
      const { schedules } = r.json() as { schedules: Array<{ name: string; kind: string; timezone: string; next_fire_at: string | null }> };
      const storage = schedules.find((x) => x.kind === 'storage.report');
      assert.ok(storage, `the storage report schedule: ${r.body}`);
      assert.ok(storage.next_fire_at && Date.parse(storage.next_fire_at) > Date.now(), 'its next firing is ahead');
      assert.match(storage.next_fire_at, /T03:00:00\.000Z$/, 'at 03:00 UTC by default');
    }
    assert.equal((await t.app.inject({ method: 'GET', url: '/v1/schedules', headers: { authorization: `Bearer ${keys.ingest}` } })).statusCode, 403);
  });

  it('GET /v1/storage answers null before the first report; a report has rows and bytes per tenant', { timeout: 120_000 }, async () => {
    const none = await t.app.inject({ method: 'GET', url: '/v1/storage', headers: t.admin });
    assert.equal(none.statusCode, 200);
    assert.deepEqual(none.json(), { report: null });
    const events = [...Array.from({ length: 30 }, (_, i) => event({ user_id: `u${i}` })), ...Array.from({ length: 12 }, (_, i) => event({ tenant_id: 'globex', user_id: `g${i}` }))];
    const ing = await t.app.inject({ method: 'POST', url: '/v1/events', headers: t.admin, payload: events });
    assert.equal(ing.statusCode, 202, ing.body);
    await drained(t.svc);
    assert.equal((await t.app.inject({ method: 'POST', url: '/v1/storage/refresh', headers: as('acmeAdmin') })).statusCode, 403, 'admins only');
    const r = await t.app.inject({ method: 'POST', url: '/v1/storage/refresh', headers: t.admin });
    assert.equal(r.statusCode, 202, r.body);
    const { job_id } = r.json() as { job_id: string };
    const job = await jobDone(job_id);
    assert.equal(job.state, 'succeeded', JSON.stringify(job));
    assert.equal(job.kind, 'storage.report');
    assert.ok(job.progress.total !== null && job.progress.total > 0 && job.progress.done === job.progress.total, JSON.stringify(job.progress));
    const all = (await t.app.inject({ method: 'GET', url: '/v1/storage', headers: as('viewer') })).json() as {
      report: { taken_at: string; job_id: string; tenants: Array<{ tenant_id: string; rows: number; bytes: number; tables: Array<{ table: string; rows: number; bytes: number }> }>; totals: { rows: number; bytes: number } };
    };
    assert.match(all.report.taken_at, ISO);
    assert.equal(all.report.job_id, job_id);
    const acme = all.report.tenants.find((x) => x.tenant_id === 'acme');
    const globex = all.report.tenants.find((x) => x.tenant_id === 'globex');
    assert.equal(acme?.rows, 30);
    assert.equal(globex?.rows, 12);
    assert.ok((acme?.bytes ?? 0) > (globex?.bytes ?? 0) && (globex?.bytes ?? 0) > 0, `bytes split by size: ${acme?.bytes} vs ${globex?.bytes}`);
    assert.ok(acme?.tables.some((x) => x.table === 'events' && x.rows === 30));
    assert.equal(all.report.totals.rows, 42);
    const own = (await t.app.inject({ method: 'GET', url: '/v1/storage', headers: as('acmeViewer') })).json() as typeof all;
    assert.deepEqual(
      own.report.tenants.map((x) => x.tenant_id),
      ['acme'],
      "a tenant's key sees only its own storage"
    );
    assert.equal(own.report.totals.rows, 30);
    // the nightly schedule exists
    const schedule = (await t.svc.jobs.schedules.list()).find((s) => s.name === 'storage-report');
    assert.deepEqual([schedule?.cron, schedule?.timezone, schedule?.kind, schedule?.enabled], ['0 3 * * *', 'UTC', 'storage.report', true]);
    assert.match(schedule?.nextFireAt ?? '', /T03:00:00\.000Z$/);
  });

  it('POST /v1/dead-letters/replay with more than 100 ids answers 202 {job_id} and replays as a job whose progress reaches the total', { timeout: 120_000 }, async () => {
    const valid = Array.from({ length: 230 }, (_, i) => ({ tenant_id: 'acme', reason: 'tenant acme was unknown (since fixed)', payload: JSON.stringify(event({ event_id: `replay-${i}`, user_id: `r${i}` })) }));
    const invalid = Array.from({ length: 20 }, () => ({ tenant_id: 'acme', reason: 'no user_id', payload: JSON.stringify(event({ user_id: undefined })) }));
    await t.svc.deadLetters.add([...valid, ...invalid]);
    await t.svc.deadLetters.add([{ tenant_id: 'globex', reason: 'x', payload: JSON.stringify(event({ tenant_id: 'globex' })) }]);
    const list = (await t.app.inject({ method: 'GET', url: '/v1/dead-letters?limit=1000', headers: as('acmeAdmin') })).json() as { dead_letters: Array<{ id: string }> };
    const globexId = ((await t.app.inject({ method: 'GET', url: '/v1/dead-letters?tenant_id=globex', headers: t.admin })).json() as { dead_letters: Array<{ id: string }> }).dead_letters[0]?.id as string;
    const ids = [...list.dead_letters.map((d) => d.id), globexId, '999999999'];
    assert.equal(ids.length, 252);

    const bad = await t.app.inject({ method: 'POST', url: '/v1/dead-letters/replay', headers: as('acmeAdmin'), payload: { ids: [...ids.slice(0, 150), '99999999999999999999'] } });
    assert.equal(bad.statusCode, 400, 'a bad id among many is refused before any job');
    const res = await t.app.inject({ method: 'POST', url: '/v1/dead-letters/replay', headers: as('acmeAdmin'), payload: { ids } });
    assert.equal(res.statusCode, 202, res.body);
    const { job_id } = res.json() as { job_id: string };
    assert.deepEqual(Object.keys(res.json() as object), ['job_id']);
    const twice = await t.app.inject({ method: 'POST', url: '/v1/dead-letters/replay', headers: as('acmeAdmin'), payload: { ids } });
    const job = await jobDone(job_id, as('acmeAdmin'));
    assert.equal(job.state, 'succeeded', JSON.stringify(job));
    assert.equal(job.kind, DEAD_LETTER_REPLAY_KIND);
    assert.equal(job.tenant_id, 'acme');
    assert.deepEqual(job.progress, { done: 252, total: 252, message: 'replayed 230, failed again 20, skipped 2 (not found or already replayed)' });
    assert.ok(job.log?.some((l) => l.message === 'replayed 230, failed again 20, skipped 2 (not found or already replayed)'));
    // the duplicate request either shared the job or ran after it and found nothing left to replay
    const dup = twice.json() as { job_id: string };
    if (dup.job_id !== job_id) {
      const j2 = await jobDone(dup.job_id, as('acmeAdmin'));
      assert.match(j2.progress.message ?? '', /^replayed 0, /);
    }
    await drained(t.svc);
    const stored = await t.svc.store.query<{ n: number }>("SELECT count() AS n FROM events WHERE startsWith(event_id, 'replay-')");
    assert.equal(Number(stored[0]?.n), 230, 'every replayable letter is in ClickHouse once');
    const left = (await t.app.inject({ method: 'GET', url: '/v1/dead-letters?limit=1000', headers: as('acmeAdmin') })).json() as { dead_letters: Array<{ reason: string }> };
    assert.equal(left.dead_letters.length, 20, 'the 20 still-bad letters stay, with their new reason');
    // globex cannot see acme's job; acme's viewer can
    assert.equal((await t.app.inject({ method: 'GET', url: `/v1/jobs/${job_id}`, headers: as('globexAdmin') })).statusCode, 404);
    assert.equal((await t.app.inject({ method: 'GET', url: `/v1/jobs/${job_id}`, headers: as('acmeViewer') })).statusCode, 200);
    // 100 ids or fewer still answer at once
    const small = await t.app.inject({ method: 'POST', url: '/v1/dead-letters/replay', headers: as('acmeAdmin'), payload: { ids: ids.slice(0, 100) } });
    assert.equal(small.statusCode, 200, small.body);
    assert.ok(Array.isArray((small.json() as { failed: unknown[] }).failed));
  });

  it('GET /v1/jobs lists jobs with the exact fields, filters by kind and state, scopes tenants', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/jobs', headers: t.admin });
    assert.equal(res.statusCode, 200, res.body);
    const { jobs } = res.json() as { jobs: JobBody[] };
    assert.ok(jobs.length >= 2);
    for (const j of jobs) {
      assert.deepEqual(Object.keys(j).sort(), JOB_KEYS);
      assert.deepEqual(Object.keys(j.progress).sort(), ['done', 'message', 'total']);
      assert.match(j.created_at, ISO);
      assert.ok(['queued', 'running', 'succeeded', 'failed', 'cancelled'].includes(j.state));
    }
    const replays = (await t.app.inject({ method: 'GET', url: `/v1/jobs?kind=${DEAD_LETTER_REPLAY_KIND}&state=succeeded`, headers: t.admin })).json() as { jobs: JobBody[] };
    assert.ok(replays.jobs.length >= 1 && replays.jobs.every((j) => j.kind === DEAD_LETTER_REPLAY_KIND && j.state === 'succeeded'));
    const acme = (await t.app.inject({ method: 'GET', url: '/v1/jobs', headers: as('acmeViewer') })).json() as { jobs: JobBody[] };
    assert.ok(acme.jobs.length >= 1 && acme.jobs.every((j) => j.tenant_id === 'acme'), "a tenant's key sees its tenant's jobs only");
    const globex = (await t.app.inject({ method: 'GET', url: '/v1/jobs', headers: as('globexAdmin') })).json() as { jobs: JobBody[] };
    assert.deepEqual(globex.jobs, []);
    assert.equal((await t.app.inject({ method: 'GET', url: '/v1/jobs?tenant_id=globex', headers: as('acmeViewer') })).statusCode, 403);
    const viewerAll = (await t.app.inject({ method: 'GET', url: '/v1/jobs?tenant_id=acme&limit=1', headers: as('viewer') })).json() as { jobs: JobBody[] };
    assert.equal(viewerAll.jobs.length, 1);
    assert.equal((await t.app.inject({ method: 'GET', url: '/v1/jobs', headers: as('ingest') })).statusCode, 403, 'ingest keys read nothing');
    assert.equal((await t.app.inject({ method: 'GET', url: '/v1/jobs' })).statusCode, 401);
  });

  it('bad input answers 4xx that name what to change', async () => {
    const kind = await t.app.inject({ method: 'GET', url: '/v1/jobs?kind=crawl', headers: t.admin });
    assert.equal(kind.statusCode, 400);
    assert.equal(errorOf(kind).message, `kind 'crawl' is unknown: kind must be one of ${t.svc.jobs.kinds().join(', ')}`);
    assert.ok(t.svc.jobs.kinds().includes('dead_letters.replay') && t.svc.jobs.kinds().includes('storage.report'));
    const state = await t.app.inject({ method: 'GET', url: '/v1/jobs?state=done', headers: t.admin });
    assert.equal(state.statusCode, 400);
    assert.match(errorOf(state).message, /'state' must be one of queued, running, succeeded, failed, cancelled/);
    const limit = await t.app.inject({ method: 'GET', url: '/v1/jobs?limit=0', headers: t.admin });
    assert.equal(limit.statusCode, 400);
    for (const url of ['/v1/jobs/123', '/v1/jobs/not-a-job', '/v1/jobs/0F8E2F7A-3C1D-4B9E-8F00-1A2B3C4D5E6F', '/v1/jobs/%00', '/v1/jobs/x/cancel']) {
      const r = await t.app.inject({ method: url.endsWith('/cancel') ? 'POST' : 'GET', url, headers: t.admin });
      assert.equal(r.statusCode, 400, `${url}: ${r.body}`);
      assert.match(errorOf(r).message, /is not a job id: job ids are lower-case UUIDs/);
    }
    const missing = await t.app.inject({ method: 'GET', url: '/v1/jobs/00000000-0000-4000-8000-000000000000', headers: t.admin });
    assert.equal(missing.statusCode, 404);
    assert.match(errorOf(missing).message, /list jobs with GET \/v1\/jobs/);
  });

  it('POST /v1/jobs/:id/cancel: admin or the tenant-admin of its tenant; 409 once finished', async () => {
    const q = await t.svc.jobs.enqueue({ kind: DEAD_LETTER_REPLAY_KIND, tenantId: 'acme', payload: { ids: [] }, runAfter: Date.now() + 3_600_000 });
    const url = `/v1/jobs/${q.id}/cancel`;
    assert.equal((await t.app.inject({ method: 'POST', url, headers: as('acmeViewer') })).statusCode, 403, 'viewers cannot cancel');
    assert.equal((await t.app.inject({ method: 'POST', url, headers: as('viewer') })).statusCode, 403, 'the global viewer cannot cancel');
    assert.equal((await t.app.inject({ method: 'POST', url, headers: as('globexAdmin') })).statusCode, 404, "another tenant's admin does not see it");
    const ok = await t.app.inject({ method: 'POST', url, headers: as('acmeAdmin') });
    assert.equal(ok.statusCode, 200, ok.body);
    const body = ok.json() as JobBody;
    assert.deepEqual(Object.keys(body).sort(), JOB_KEYS);
    assert.equal(body.state, 'cancelled');
    assert.match(body.finished_at ?? '', ISO);
    const again = await t.app.inject({ method: 'POST', url, headers: t.admin });
    assert.equal(again.statusCode, 409);
    assert.match(errorOf(again).message, /already was cancelled: only queued or running jobs can be cancelled/);
    const detail = (await t.app.inject({ method: 'GET', url: `/v1/jobs/${q.id}`, headers: t.admin })).json() as JobBody;
    assert.ok(detail.log?.some((l) => l.message === 'cancelled while queued' && ISO.test(l.at)));
  });

  it('metrics by kind and state, and the route table declares the access', async () => {
    const m = await t.app.inject({ method: 'GET', url: '/metrics' });
    assert.match(m.body, /caas_jobs\{kind="dead_letters.replay",state="succeeded"\} \d+/);
    assert.match(m.body, /caas_jobs\{kind="dead_letters.replay",state="cancelled"\} 1/);
    assert.match(m.body, /caas_job_attempts_total\{kind="storage.report",outcome="succeeded"\} 1/);
    const routes = t.app.routeTable.filter((r) => r.url.startsWith('/v1/jobs') || r.url.startsWith('/v1/storage'));
    const access = Object.fromEntries(routes.map((r) => [`${r.method} ${r.url}`, r.access.kind === 'api-key' ? `${r.access.writes ? 'writes' : 'reads'}:${r.access.roles.join(',')}` : 'public']));
    assert.deepEqual(access, {
      'GET /v1/jobs': 'reads:admin,viewer,responder,tenant-admin,tenant-viewer',
      'GET /v1/jobs/:id': 'reads:admin,viewer,responder,tenant-admin,tenant-viewer',
      'POST /v1/jobs/:id/cancel': 'writes:admin,tenant-admin',
      'GET /v1/storage': 'reads:admin,viewer,responder,tenant-admin,tenant-viewer',
      'POST /v1/storage/refresh': 'writes:admin',
    });
  });

  it('property: random bad input to the jobs endpoints never gets a 5xx', { timeout: 120_000 }, async () => {
    const text = endpointText(["'; DROP TABLE jobs; --", 'queued', 'storage.report', '00000000-0000-4000-8000-000000000000']);
    const enc = encodeSegment;
    const header = fc.constantFrom('admin', 'acmeAdmin', 'acmeViewer', 'viewer', 'ingest', 'none');
    const headersOf = (h: string) => (h === 'admin' ? t.admin : h === 'none' ? {} : as(h));
    let runs = 0;
    const check = (r: LightMyRequestResponse, what: string) => {
      runs++;
      assert.ok(r.statusCode < 500, `${what} → ${r.statusCode}: ${r.body.slice(0, 300)}`);
      // 414: a path segment over fastify's maxParamLength (100) is refused by the router itself,
      // before any handler or the API's error format (the same for every route with a parameter)
      if (r.statusCode >= 400 && r.statusCode !== 414) {
        const e = errorOf(r);
        assert.ok(e.message.trim().length > 0);
      }
    };
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(fc.constantFrom('kind', 'state', 'limit', 'tenant_id', 'before', 'kind[]'), text, { maxKeys: 4 }),
        header,
        async (q, h) => {
          const qs = queryString(q);
          check(await t.app.inject({ method: 'GET', url: `/v1/jobs?${qs}`, headers: headersOf(h) }), `GET /v1/jobs?${qs} as ${h}`);
        }
      ),
      { seed: 0x10b5, numRuns: 150 }
    );
    await fc.assert(
      fc.asyncProperty(text, header, fc.boolean(), async (id, h, cancel) => {
        const url = `/v1/jobs/${enc(id)}${cancel ? '/cancel' : ''}`;
        check(await t.app.inject({ method: cancel ? 'POST' : 'GET', url, headers: headersOf(h) }), `${url} as ${h}`);
      }),
      { seed: 0x10b6, numRuns: 150 }
    );
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.json(), fc.string()), header, fc.constantFrom('/v1/jobs/00000000-0000-4000-8000-000000000000/cancel', '/v1/storage/refresh'), async (body, h, url) => {
        check(await t.app.inject({ method: 'POST', url, headers: { ...headersOf(h), 'content-type': 'application/json' }, payload: body }), `POST ${url} ${body.slice(0, 80)} as ${h}`);
      }),
      { seed: 0x10b7, numRuns: 80 }
    );
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(fc.stringMatching(/^[0-9]{1,19}$/), text), { minLength: 101, maxLength: 300 }), async (ids) => {
        check(await t.app.inject({ method: 'POST', url: '/v1/dead-letters/replay', headers: as('acmeAdmin'), payload: { ids } }), `replay of ${ids.length} ids`);
      }),
      { seed: 0x10b8, numRuns: 40 }
    );
    assert.ok(runs >= 420, `${runs} requests`);
  });
});
