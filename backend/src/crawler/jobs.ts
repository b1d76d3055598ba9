import { PermanentJobError, RetryLater, type JobContext, type JobHandler } from '../jobs/runner.js';
import type { AnyDoc, FileDoc, SearchEngine } from '../search/types.js';
import type { CursorRepo } from './cursors.js';
import type { IsolatedExtractor } from './extract-isolated.js';
import { SourceError, type AnyItem, type CrawlSource, type Entity, type DeletedItem, type FileItem, type Page, type RejectedItem } from './source.js';

/**
 * Crawl jobs (issue "Crawler and search", item 2), in the seed's shape: {type, entity, tenant_id,
 * from_timestamp?, batch_size} plus the source's id (never its secrets). They run on the platform's job
 * runner: progress, retries with backoff, and one run at a time per (source, entity, tenant) through the
 * job's dedup key.
 *
 * - incremental: items with updated_at ≥ the cursor (or from_timestamp), batch by batch; each batch is
 *   upserted, then the cursor moves to its last item.
 * - deleted: deletions with deleted_at ≥ the cursor's deleted_since (or from_timestamp), removed, then
 *   the cursor moves.
 * - full_reindex: a new index generation is filled with everything and swapped in at the end (searches
 *   keep answering from the old one until then); on failure it is dropped and the old one stays.
 */
export const CRAWL_KIND = 'crawl.run';
export const CRAWL_SWEEP_KIND = 'crawl.schedule';
export const CRAWL_TYPES = ['full_reindex', 'incremental', 'deleted'] as const;
export type CrawlType = (typeof CRAWL_TYPES)[number];

export interface CrawlPayload {
  source_id: string;
  type: CrawlType;
  entity: Entity;
  tenant_id: string;
  from_timestamp?: number | null;
  batch_size: number;
}

/** payload of a schedule's firing: crawl every (entity, tenant) the source has a cursor for */
export interface SweepPayload {
  source_id: string;
  type: 'incremental' | 'deleted';
  batch_size?: number;
}

export const crawlDedupKey = (p: { source_id: string; entity: string; tenant_id: string }): string =>
  `${p.source_id}/${p.entity}/${p.tenant_id}`;

export interface CrawlDeps {
  search: SearchEngine;
  cursors: CursorRepo;
  extractor: IsolatedExtractor;
  /** the source by id; null when it was removed */
  source(id: string): Promise<CrawlSource | null>;
  files: { maxBytes: number; timeoutMs: number };
  /** called after every committed batch (tests stop a crawl there to play a crash) */
  afterBatch?: (p: CrawlPayload, batch: number) => Promise<void> | void;
}

/** A file item as a search document: its text, or its metadata and why its text could not be had. */
export async function fileDoc(deps: CrawlDeps, src: CrawlSource, f: FileItem, signal: AbortSignal): Promise<FileDoc> {
  let bytes: Buffer;
  let mime: string | null;
  try {
    const got = await src.fetchFile(f.download_url, { maxBytes: deps.files.maxBytes, signal });
    bytes = got.bytes;
    mime = got.mime;
  } catch (e) {
    if (signal.aborted) throw e;
    return { ...f, content: '', extract_error: `download failed: ${errText(e)}` };
  }
  const r = await deps.extractor.extract(bytes, { mime: f.mime || mime, name: f.name, timeoutMs: deps.files.timeoutMs, maxBytes: deps.files.maxBytes });
  if (r.status === 'ok') return { ...f, content: r.content ?? '', extract_error: null };
  if (r.status === 'unsupported') return { ...f, content: '', extract_error: null };
  return { ...f, content: '', extract_error: r.error ?? 'the file could not be read' };
}

async function toDocs(deps: CrawlDeps, src: CrawlSource, entity: Entity, items: AnyItem[], signal: AbortSignal): Promise<AnyDoc[]> {
  if (entity !== 'files') return items as AnyDoc[];
  const out: AnyDoc[] = [];
  for (const f of items as FileItem[]) {
    signal.throwIfAborted();
    out.push(await fileDoc(deps, src, f, signal));
  }
  return out;
}

const errText = (e: unknown): string => (e instanceof Error ? e.message || e.name : String(e));

/** A source's failure as the runner should treat it: retried (after Retry-After) or failed at once. */
function asJobError(e: unknown): unknown {
  if (e instanceof SourceError) {
    if (!e.retryable) return new PermanentJobError(e.message);
    if (e.extra.retryAfterMs) return new RetryLater(e.message, e.extra.retryAfterMs);
  }
  return e;
}

export function crawlHandler(deps: CrawlDeps): JobHandler<CrawlPayload> {
  return async (ctx) => {
    const p = ctx.payload;
    const src = await deps.source(p.source_id);
    if (!src) throw new PermanentJobError(`source '${p.source_id}' does not exist (any more): register it with POST /v1/sources`);
    try {
      if (p.type === 'deleted') await runDeletions(deps, src, ctx);
      else if (p.type === 'full_reindex') await runFull(deps, src, ctx);
      else await runIncremental(deps, src, ctx);
    } catch (e) {
      if (!ctx.signal.aborted) await deps.cursors.setError(p.source_id, p.entity, p.tenant_id, errText(e)).catch(() => undefined);
      throw asJobError(e);
    }
  };
}

class Meter {
  private readonly t0 = Date.now();
  done = 0;
  rejected = 0;
  fileErrors = 0;
  batches = 0;
  constructor(private readonly ctx: JobContext<CrawlPayload>) {}
  async report(verb: string, final = false): Promise<void> {
    const s = Math.max(0.001, (Date.now() - this.t0) / 1000);
    const p = this.ctx.payload;
    const parts = [`${this.done} ${p.entity} ${verb}`, `${this.batches} batch${this.batches === 1 ? '' : 'es'}`];
    if (this.rejected) parts.push(`${this.rejected} rejected by validation`);
    if (this.fileErrors) parts.push(`${this.fileErrors} file(s) unreadable (indexed by name)`);
    parts.push(`${(this.done / s).toFixed(1)}/s`);
    await this.ctx.progress(this.done, final ? this.done : null, `${final ? 'done: ' : ''}${parts.join(', ')}`);
  }
  async rejectedItems(list: RejectedItem[]): Promise<void> {
    if (list.length === 0) return;
    this.rejected += list.length;
    const shown = list.slice(0, 3).map((r) => `${r.id ?? `#${r.index}`}: ${r.reason}`);
    await this.ctx.log(`${list.length} item(s) of the source skipped: ${shown.join(' | ')}${list.length > 3 ? ' …' : ''}`, 'warn');
  }
}

/** Items in the order the source pages them, with the largest (updated_at, id) last. */
const lastOf = (items: AnyItem[]): AnyItem | undefined => items[items.length - 1];

async function runIncremental(deps: CrawlDeps, src: CrawlSource, ctx: JobContext<CrawlPayload>): Promise<void> {
  const p = ctx.payload;
  const cur = await deps.cursors.get(p.source_id, p.entity, p.tenant_id);
  const fromGiven = typeof p.from_timestamp === 'number';
  const since = fromGiven ? (p.from_timestamp as number) : (cur?.updated_at ?? 0);
  // The cursor's own last item was committed: skip it (others of the same millisecond are read again,
  // which is harmless since upserts replace by id).
  const skip = !fromGiven && cur?.updated_at !== null && cur?.last_id ? { t: cur.updated_at, id: cur.last_id } : null;
  const m = new Meter(ctx);
  await ctx.log(`incremental crawl of ${p.entity} for ${p.tenant_id} from ${src.name}, updated since ${new Date(since).toISOString()}${fromGiven ? ' (from_timestamp)' : cur ? ' (cursor)' : ' (no cursor: everything)'}`);
  let cursor: string | null = null;
  for (;;) {
    ctx.signal.throwIfAborted();
    const page: Page<AnyItem> = await src.page(p.entity, p.tenant_id, { updatedSince: since, cursor, limit: p.batch_size, signal: ctx.signal });
    await m.rejectedItems(page.rejected);
    const items = (page.items as AnyItem[]).filter((it) => !(skip && it.updated_at === skip.t && it.id === skip.id));
    const docs = await toDocs(deps, src, p.entity, items, ctx.signal);
    m.fileErrors += docs.filter((d) => (d as FileDoc).extract_error).length;
    ctx.signal.throwIfAborted();
    if (docs.length > 0) await deps.search.upsert(p.entity, p.tenant_id, docs as never[]);
    const last = lastOf(page.items as AnyItem[]);
    if (last) await deps.cursors.commitBatch(p.source_id, p.entity, p.tenant_id, { updated_at: last.updated_at, id: last.id }, docs.length);
    m.done += docs.length;
    m.batches++;
    await m.report('indexed');
    await deps.afterBatch?.(p, m.batches);
    if (!page.nextCursor) break;
    cursor = page.nextCursor;
  }
  await m.report('indexed', true);
}

async function runDeletions(deps: CrawlDeps, src: CrawlSource, ctx: JobContext<CrawlPayload>): Promise<void> {
  const p = ctx.payload;
  const cur = await deps.cursors.get(p.source_id, p.entity, p.tenant_id);
  const since = typeof p.from_timestamp === 'number' ? p.from_timestamp : (cur?.deleted_since ?? 0);
  const m = new Meter(ctx);
  await ctx.log(`deletion sync of ${p.entity} for ${p.tenant_id} from ${src.name}, deleted since ${new Date(since).toISOString()}`);
  let cursor: string | null = null;
  let newest = since;
  for (;;) {
    ctx.signal.throwIfAborted();
    const page: Page<DeletedItem> = await src.deleted(p.entity, p.tenant_id, { since, cursor, limit: p.batch_size, signal: ctx.signal });
    await m.rejectedItems(page.rejected);
    const ids = page.items.map((d) => d.id);
    if (ids.length > 0) await deps.search.remove(p.entity, p.tenant_id, ids);
    for (const d of page.items) newest = Math.max(newest, d.deleted_at);
    await deps.cursors.commitDeletions(p.source_id, p.entity, p.tenant_id, newest, ids.length);
    m.done += ids.length;
    m.batches++;
    await m.report('removed');
    await deps.afterBatch?.(p, m.batches);
    if (!page.nextCursor) break;
    cursor = page.nextCursor;
  }
  await m.report('removed', true);
}

/** Deletions that happen while a full reindex reads are synced afterwards from its start, minus this margin (clock skew). */
const DELETION_MARGIN_MS = 5 * 60_000;

async function runFull(deps: CrawlDeps, src: CrawlSource, ctx: JobContext<CrawlPayload>): Promise<void> {
  const p = ctx.payload;
  const startedAt = Date.now();
  const handle = await deps.search.reindex(p.entity, p.tenant_id);
  const m = new Meter(ctx);
  await ctx.log(`full reindex of ${p.entity} for ${p.tenant_id} from ${src.name}: a new index is built; searches answer from the current one until it is swapped in`);
  let last: AnyItem | undefined;
  try {
    let cursor: string | null = null;
    for (;;) {
      ctx.signal.throwIfAborted();
      const page: Page<AnyItem> = await src.page(p.entity, p.tenant_id, { updatedSince: 0, cursor, limit: p.batch_size, signal: ctx.signal });
      await m.rejectedItems(page.rejected);
      const docs = await toDocs(deps, src, p.entity, page.items as AnyItem[], ctx.signal);
      m.fileErrors += docs.filter((d) => (d as FileDoc).extract_error).length;
      ctx.signal.throwIfAborted();
      if (docs.length > 0) await handle.upsert(docs);
      for (const it of page.items as AnyItem[]) {
        if (!last || it.updated_at > last.updated_at || (it.updated_at === last.updated_at && it.id > last.id)) last = it;
      }
      m.done += docs.length;
      m.batches++;
      await m.report('read into the new index');
      await deps.afterBatch?.(p, m.batches);
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    ctx.signal.throwIfAborted();
    await handle.commit();
  } catch (e) {
    await handle.abort().catch(() => undefined);
    throw e;
  }
  await deps.cursors.commitFull(p.source_id, p.entity, p.tenant_id, {
    updated_at: last?.updated_at ?? null,
    last_id: last?.id ?? null,
    deleted_since: Math.max(0, startedAt - DELETION_MARGIN_MS),
    indexed: m.done,
  });
  await m.report('indexed and swapped in', true);
}
