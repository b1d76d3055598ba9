import type { CrawlCursor, CrawlRun, SourceInfo } from '../../api/crawler';

/** Canned answers of the crawler API for the Crawler page's jest tests (shapes of backend/src/contracts/crawler.ts). */

export const JOB_IDS = {
  running: 'aaaaaaaa-0000-4000-8000-000000000001',
  queued: 'aaaaaaaa-0000-4000-8000-000000000002',
  failed: 'aaaaaaaa-0000-4000-8000-000000000003',
  done: 'aaaaaaaa-0000-4000-8000-000000000004',
  incremental: 'aaaaaaaa-0000-4000-8000-000000000005',
  deletion: 'aaaaaaaa-0000-4000-8000-000000000006',
  filesIncremental: 'aaaaaaaa-0000-4000-8000-000000000007',
};

/** A crawl as GET /v1/crawls lists it: by default a full reindex of acme's messages, running, 50 of ≈125 read. */
export function run(overrides: Partial<CrawlRun> = {}): CrawlRun {
  return {
    id: JOB_IDS.running,
    kind: 'crawl.run',
    tenant_id: 'acme',
    state: 'running',
    progress: { done: 50, total: null, message: '50 messages read into the new index, 2 batches, 25.0/s' },
    attempts: 1,
    created_at: '2026-12-01T03:00:00.000Z',
    started_at: '2026-12-01T03:00:01.000Z',
    finished_at: null,
    last_error: null,
    source_id: 'demo',
    type: 'full_reindex',
    entity: 'messages',
    rate_per_s: 25,
    expected_total: 125,
    eta_s: 3,
    ...overrides,
  };
}

export function cursor(overrides: Partial<CrawlCursor> = {}): CrawlCursor {
  return {
    source_id: 'demo',
    entity: 'messages',
    tenant_id: 'acme',
    updated_at: Date.parse('2026-12-01T02:59:00.000Z'),
    last_id: 'msg_acme_0042',
    deleted_since: Date.parse('2026-12-01T02:55:00.000Z'),
    indexed: 1250,
    last_full_at: '2026-12-01T01:00:00.000Z',
    last_run_at: '2026-12-01T03:00:00.000Z',
    last_error: null,
    last_incremental: {
      job_id: JOB_IDS.incremental,
      state: 'succeeded',
      created_at: '2026-12-01T02:59:00.000Z',
      finished_at: '2026-12-01T02:59:02.000Z',
      done: 7,
      last_error: null,
    },
    last_deletion_sync: {
      job_id: JOB_IDS.deletion,
      state: 'succeeded',
      created_at: '2026-12-01T02:55:00.000Z',
      finished_at: '2026-12-01T02:55:01.000Z',
      done: 3,
      last_error: null,
    },
    ...overrides,
  };
}

export function source(overrides: Partial<SourceInfo> = {}): SourceInfo {
  return {
    id: 'demo',
    kind: 'caas_http',
    url: 'http://127.0.0.1:41234/caas/v1',
    token: { set: true },
    connection_string: { set: false },
    rate_limit_per_s: 200,
    schedules: { incremental: '* * * * *', deleted: '*/5 * * * *' },
    created_at: '2026-12-01T00:00:00.000Z',
    cursors: [
      cursor(),
      cursor({
        entity: 'files',
        indexed: 40,
        last_incremental: {
          job_id: JOB_IDS.filesIncremental,
          state: 'running',
          created_at: '2026-12-01T03:00:00.000Z',
          finished_at: null,
          done: 12,
          last_error: null,
        },
        last_error: "source 'demo' (/caas/v1/files) answered 503 Service Unavailable",
        last_deletion_sync: {
          job_id: JOB_IDS.failed,
          state: 'failed',
          created_at: '2026-12-01T02:50:00.000Z',
          finished_at: '2026-12-01T02:50:09.000Z',
          done: 0,
          last_error: "source 'demo' (/caas/v1/files/deleted) answered 503 Service Unavailable",
        },
      }),
      cursor({
        tenant_id: 'globex',
        indexed: 900,
        last_incremental: null,
        last_deletion_sync: null,
        deleted_since: null,
      }),
    ],
    ...overrides,
  };
}
