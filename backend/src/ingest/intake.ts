import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import type { Logger } from 'pino';
import type { Principal } from '../auth/keys.js';
import type { TenantRepo } from '../auth/tenants.js';
import type { Config } from '../config/config.js';
import type { IngestResponse, RejectedEvent } from '../contracts/events.js';
import { CaasError, badRequest, forbidden, tooMany } from '../errors.js';
import type { Metrics } from '../observability/metrics.js';
import type { DeadLetterRepo, NewDeadLetter } from './dead-letters.js';
import { chTime, toRowLine, type RequestContext } from './enrich.js';
import type { EventRateLimiter } from './rate-limit.js';
import { safeJson } from './safe-json.js';
import { checkEvent, checkShape, checkTimestamp } from './validate.js';
import type { Wal } from './wal.js';

const gunzipAsync = promisify(gunzip);

/**
 * One item of a request body: the parsed value (when it parsed) and its raw text for the dead
 * letters (an NDJSON line as sent; for a JSON array, made from the value only when it is rejected).
 */
interface Item {
  value?: unknown;
  raw?: string;
  parseError?: string;
}

const rawOf = (it: Item): string => it.raw ?? safeJson(it.value);

export interface IngestRequest {
  body: Buffer;
  contentType: string;
  contentEncoding: string | undefined;
  principal: Principal;
  ctx: RequestContext;
  requestId: string;
}

export interface IngestResult {
  status: 202 | 400 | 403;
  body: IngestResponse & { error?: { code: string; message: string } };
}

const NDJSON_TYPES = new Set(['application/x-ndjson', 'application/ndjson', 'application/jsonl', 'application/x-jsonlines', 'application/jsonlines']);
export const INGEST_CONTENT_TYPES = ['application/json', ...NDJSON_TYPES];

/**
 * Intake → validate → enrich → WAL (DESIGN.md data flow 1). The answer is given only after every
 * accepted event is fsynced in the WAL; rejected events go to the dead-letter table with their
 * reason, and the valid events of the same request are accepted regardless.
 */
export class IngestService {
  private readonly pii: ReadonlySet<string>;

  constructor(
    private readonly cfg: Config,
    private readonly wal: Wal,
    private readonly tenants: TenantRepo,
    private readonly deadLetters: DeadLetterRepo,
    private readonly limiter: EventRateLimiter,
    private readonly metrics: Metrics,
    private readonly log: Logger
  ) {
    this.pii = new Set(cfg.piiKeys);
  }

  async ingest(req: IngestRequest): Promise<IngestResult> {
    const items = this.parse(await this.decode(req.body, req.contentEncoding), req.contentType);
    if (items.length === 0) {
      throw badRequest('empty_body', 'the body holds no events: send a JSON array of events or NDJSON, one event a line');
    }
    await this.admit(items, req.principal);
    return this.process(items, req.principal, req.ctx, req.requestId);
  }

  /** Re-runs dead letters through the same validation; the ones that pass are appended to the WAL. */
  async replay(
    letters: Array<{ id: string; payload: string }>,
    principal: Principal,
    requestId: string
  ): Promise<{ replayed: string[]; failed: Array<{ id: string; reason: string }> }> {
    const items: Item[] = letters.map((l) => parseLine(l.payload));
    const ctx: RequestContext = { receivedAt: Date.now(), userAgent: undefined, country: undefined };
    const res = await this.process(items, principal, ctx, requestId, false);
    const failedIdx = new Map(res.body.rejected.map((r) => [r.index, r.reason]));
    const replayed: string[] = [];
    const failed: Array<{ id: string; reason: string }> = [];
    letters.forEach((l, i) => {
      const reason = failedIdx.get(i);
      if (reason === undefined) {
        replayed.push(l.id);
      } else {
        failed.push({ id: l.id, reason });
      }
    });
    return { replayed, failed };
  }

  private async decode(body: Buffer, encoding: string | undefined): Promise<string> {
    const enc = (encoding ?? 'identity').trim().toLowerCase();
    if (enc === 'identity' || enc === '') {
      return body.toString('utf8');
    }
    if (enc !== 'gzip' && enc !== 'x-gzip') {
      throw new CaasError('unsupported_media', 'unsupported_encoding', `Content-Encoding '${encoding}' is not supported: send gzip or no encoding`);
    }
    const limit = this.cfg.maxBodyBytes * 10;
    try {
      return (await gunzipAsync(body, { maxOutputLength: limit })).toString('utf8');
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code === 'ERR_BUFFER_TOO_LARGE' || /Cannot create a Buffer larger|maxOutputLength/i.test(err.message)) {
        throw new CaasError('too_large', 'body_too_large', `the gunzipped body is larger than ${limit} bytes: send smaller batches`);
      }
      throw badRequest('invalid_gzip', `the body is not valid gzip (${err.message}); drop Content-Encoding if it is not compressed`);
    }
  }

  private parse(text: string, contentType: string): Item[] {
    if (NDJSON_TYPES.has(contentType)) {
      const items: Item[] = [];
      for (const line of text.split('\n')) {
        const l = line.trim();
        if (l.length > 0) {
          items.push(parseLine(l));
        }
      }
      return items;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      throw badRequest('invalid_json', `the body is not valid JSON (${(e as Error).message}); send a JSON array of events, or NDJSON with Content-Type application/x-ndjson`);
    }
    const arr = Array.isArray(value) ? value : [value];
    return arr.map((v) => ({ value: v }));
  }

  /** Backpressure and per-tenant rate limits: the request passes or waits whole (429 + Retry-After). */
  private async admit(items: Item[], p: Principal): Promise<void> {
    if (this.wal.stats.bytes > this.cfg.walMaxBacklogBytes) {
      this.metrics.ingestRequestsThrottled.inc({ reason: 'backpressure' });
      throw tooMany('backpressure', 'ingestion is behind (the WAL backlog is over WAL_MAX_BACKLOG_BYTES); retry after the given seconds', 5);
    }
    if (!this.limiter.enabled) {
      return;
    }
    const counts = new Map<string, number>();
    for (const it of items) {
      const claimed = (it.value as { tenant_id?: unknown } | undefined)?.tenant_id;
      const t = p.tenantId ?? (typeof claimed === 'string' ? claimed : '_unknown');
      counts.set(t, (counts.get(t) ?? 0) + 1);
    }
    const wait = await this.limiter.take(counts);
    if (wait > 0) {
      this.metrics.ingestRequestsThrottled.inc({ reason: 'rate_limited' });
      throw tooMany('rate_limited', `the tenant's event rate limit (TENANT_RATE_LIMIT=${this.cfg.tenantRateLimit} events/s) is exceeded; retry after ${wait}s`, wait);
    }
  }

  /** Validation and enrichment of one item: its row line, or why it is rejected. */
  private check(
    it: Item,
    p: Principal,
    known: ReadonlySet<string>,
    ctx: RequestContext,
    receivedAt: string,
    now: number
  ): { line: string; tenant: string } | { reason: string; forbidden?: boolean } {
    if (it.parseError) {
      return { reason: it.parseError };
    }
    const c = checkEvent(it.value);
    if (!c.ok) {
      return c;
    }
    const e = c.event;
    const shape = checkShape(e, { maxDepth: this.cfg.eventMaxDepth });
    if (!shape.ok) {
      return shape;
    }
    if (p.tenantId !== null && e.tenant_id !== p.tenantId) {
      return { reason: `tenant_id '${e.tenant_id}' does not match this key's tenant '${p.tenantId}'`, forbidden: true };
    }
    if (!known.has(e.tenant_id)) {
      return { reason: `unknown tenant '${e.tenant_id}': create it first (POST /v1/tenants)` };
    }
    const ts = checkTimestamp(e.timestamp, now, this.cfg.eventMaxFutureSeconds * 1000, this.cfg.eventMaxPastSeconds * 1000);
    if (!ts.ok) {
      return ts;
    }
    const line = toRowLine(e, ts.ms, ctx, receivedAt, this.pii);
    // A UTF-16 unit is 1 to 3 bytes of UTF-8: count bytes only when the length alone cannot decide.
    if (line.length * 3 > this.cfg.eventMaxBytes && Buffer.byteLength(line) > this.cfg.eventMaxBytes) {
      return { reason: `the event is ${Buffer.byteLength(line)} bytes once stored, more than EVENT_MAX_BYTES (${this.cfg.eventMaxBytes}): send large data elsewhere and reference it` };
    }
    return { line, tenant: e.tenant_id };
  }

  private async process(items: Item[], p: Principal, ctx: RequestContext, requestId: string, deadLetter = true): Promise<IngestResult> {
    const known = await this.tenants.ids();
    const receivedAt = chTime(ctx.receivedAt);
    const now = Date.now();
    const lines: string[] = [];
    const rejected: RejectedEvent[] = [];
    const dead: NewDeadLetter[] = [];
    const perTenant = new Map<string, number>();
    let forbiddenOnly = true;

    items.forEach((it, index) => {
      const reject = (reason: string, isForbidden = false) => {
        rejected.push({ index, reason });
        forbiddenOnly &&= isForbidden;
        const claimed = (it.value as { tenant_id?: unknown } | undefined)?.tenant_id;
        // A tenant key's rejects stay with that tenant (never land in another tenant's list).
        const owner = p.tenantId ?? (typeof claimed === 'string' && known.has(claimed) ? claimed : '_unassigned');
        dead.push({ tenant_id: owner, reason, payload: rawOf(it), request_id: requestId });
      };
      try {
        const outcome = this.check(it, p, known, ctx, receivedAt, now);
        if ('reason' in outcome) {
          return reject(outcome.reason, outcome.forbidden);
        }
        lines.push(outcome.line);
        perTenant.set(outcome.tenant, (perTenant.get(outcome.tenant) ?? 0) + 1);
      } catch (e) {
        // One event that breaks a check must never cost the rest of its batch (issue "Hardening").
        this.log.error({ err: e, request_id: requestId, index }, 'checking an event failed unexpectedly; it is rejected');
        reject(`this event could not be checked (an internal error; request id ${requestId}): it is kept in the dead letters`);
      }
    });

    const accepted = lines.length;
    const persisted = accepted > 0 ? this.wal.append(lines.join('\n') + '\n', accepted) : Promise.resolve();
    const deadWritten = deadLetter
      ? this.deadLetters.add(dead).catch((e: unknown) => {
          // The rejected events were never acknowledged as accepted; losing their copy is logged, not fatal.
          this.log.error({ err: e, request_id: requestId, count: dead.length }, 'could not write dead letters');
        })
      : Promise.resolve();
    try {
      await persisted;
    } catch (e) {
      throw new CaasError('unavailable', 'wal_unavailable', (e as Error).message, undefined, 1);
    } finally {
      await deadWritten;
    }

    for (const [t, n] of perTenant) {
      this.metrics.ingestEvents.inc({ tenant: t, outcome: 'accepted' }, n);
    }
    if (rejected.length) {
      this.metrics.ingestEvents.inc({ tenant: p.tenantId ?? '_admin', outcome: 'rejected' }, rejected.length);
      if (deadLetter) {
        this.metrics.deadLetters.inc({ tenant: p.tenantId ?? '_admin' }, dead.length);
      }
    }
    const body: IngestResult['body'] = { accepted, rejected };
    if (accepted === 0) {
      // Nothing was accepted: the whole request failed, so a 4xx (the reasons are per event).
      if (forbiddenOnly) {
        const err = forbidden(`no event was accepted: every event names a tenant other than this key's tenant '${p.tenantId}'`);
        return { status: 403, body: { ...body, error: { code: err.code, message: err.message } } };
      }
      return { status: 400, body: { ...body, error: { code: 'all_events_rejected', message: `no event was accepted; see 'rejected' for each event's reason` } } };
    }
    return { status: 202, body };
  }
}

function parseLine(line: string): Item {
  try {
    return { value: JSON.parse(line), raw: line };
  } catch (e) {
    return { raw: line, parseError: `not valid JSON (${(e as Error).message})` };
  }
}
