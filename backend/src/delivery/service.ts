import { join } from 'node:path';
import type { Logger } from 'pino';
import type { SecretBox } from '../auth/secret-box.js';
import type { Delivery, DeliveryKind, DeliveryStatus } from '../contracts/delivery.js';
import { badRequest } from '../errors.js';
import { PermanentJobError, RetryLater, type JobContext, type JobHandler } from '../jobs/runner.js';
import type { NewJob } from '../jobs/store.js';
import type { Queryable } from '../store/metadata-db.js';
import { judgeAnswer, postJson, SendFailure } from './http.js';
import { createMailer, type Mailer } from './mail.js';
import { messageIdFor, normalizeMessage, redactDestination, type OutboundMessage, type StoredEmail, type StoredWebhook } from './message.js';
import { checkResolvedTarget, TargetRefused, type Resolver } from './outbound.js';
import { DELIVERY_HEADER, SIGNATURE_HEADER, signatureHeader } from './signature.js';
import { DeliveryRepo, newDeliveryId } from './store.js';

/**
 * Outbound messages (issue "Platform", part 3; DESIGN.md "delivery/"): the one way the features to
 * come (alert channels, report mail, escalation pages) send email and webhooks.
 *
 * `send(message, { tenantId, idempotencyKey })` checks the message, records the delivery (queued)
 * and enqueues a `delivery.send` job, then returns: sending happens on the job runner, with its
 * retries, backoff, leases and run log. The (tenant, key) pair is claimed in the delivery log, so a
 * second send with the same key answers the first delivery and sends nothing; the job's dedup key is
 * the same pair. A try that fails for a reason another try may fix (a network error, a timeout, 408,
 * 429, 5xx, an SMTP 4xx) is retried with the runner's backoff, and a receiver's Retry-After is
 * honoured: the next try waits for it (at most DELIVERY_MAX_RETRY_AFTER_SECONDS) when the backoff is
 * shorter. Any other refusal fails the delivery at once with the reason.
 *
 * Delivery is at least once: a message handed over whose success could not be recorded is sent
 * again. Receivers can drop repeats: emails carry a Message-ID derived from the key, webhooks the
 * delivery id in X-Caas-Delivery.
 */
export const DELIVERY_SEND_KIND = 'delivery.send';

export interface DeliveryConfig {
  timeoutMs: number;
  maxResponseBytes: number;
  maxMessageBytes: number;
  maxAttempts: number;
  maxRetryAfterSeconds: number;
  allowPrivate: boolean;
  mailFrom: string;
}

/** The metrics delivery feeds (observability/metrics.ts has them). */
export interface DeliveryMetrics {
  deliveries: { inc(labels: { kind: string; outcome: string }, value?: number): void };
  deliveryDuration: { observe(labels: { kind: string; outcome: string }, value: number): void };
}

export interface DeliveryServiceOptions {
  db: Queryable;
  /** the job runner (only its enqueue is used here; the handler is registered by the caller) */
  jobs: { enqueue(job: NewJob): Promise<{ id: string; created: boolean }> };
  log: Logger;
  metrics?: DeliveryMetrics;
  config: DeliveryConfig;
  /** SMTP_URL; unset: .eml files in `<dataDir>/outbox` */
  smtpUrl: string | undefined;
  dataDir: string;
  /** how host names are resolved when private addresses are refused (tests inject one) */
  resolve?: Resolver;
  /** seals each message while it waits to be sent (CAAS_SECRET_KEY); without it, messages wait in plain text */
  secrets?: SecretBox;
}

export interface SendOptions {
  /** the tenant the message is sent for; null for platform-wide messages */
  tenantId: string | null;
  /** the same key (for the same tenant) never sends twice: e.g. `alert:<incident>:<step>:<channel>` */
  idempotencyKey: string;
}

interface Payload {
  delivery_id?: unknown;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const timer = setTimeout(done, ms);
    function done() {
      signal.removeEventListener('abort', aborted);
      resolve();
    }
    function aborted() {
      clearTimeout(timer);
      reject(signal.reason as Error);
    }
    signal.addEventListener('abort', aborted, { once: true });
  });

const errorText = (e: unknown): string => (e instanceof Error ? e.message || e.name : String(e));

/** The domain of an address, with or without a display name. */
const domainOf = (from: string) => /@([^>\s]+)>?\s*$/.exec(from)?.[1] ?? 'localhost';

export class DeliveryService {
  readonly repo: DeliveryRepo;
  readonly mailer: Mailer;
  private readonly log: Logger;
  private readonly cfg: DeliveryConfig;
  private readonly messageDomain: string;

  constructor(private readonly o: DeliveryServiceOptions) {
    this.repo = new DeliveryRepo(o.db, o.secrets);
    this.cfg = o.config;
    this.log = o.log.child({ component: 'delivery' });
    this.mailer = createMailer({ smtpUrl: o.smtpUrl, outboxDir: join(o.dataDir, 'outbox'), timeoutMs: o.config.timeoutMs });
    this.messageDomain = domainOf(o.config.mailFrom);
  }

  /**
   * Records a message for delivery and enqueues its sending; answers at once. With a key already
   * used (for this tenant), answers that delivery (`created: false`) and sends nothing.
   * Throws a 400-kind CaasError naming the field when the message is not one that can be sent.
   */
  async send(message: OutboundMessage, opts: SendOptions): Promise<{ delivery: Delivery; created: boolean }> {
    const key = opts.idempotencyKey;
    if (typeof key !== 'string' || key.length === 0 || key.length > 200 || !key.isWellFormed() || key.includes('\u0000')) {
      throw badRequest('invalid_idempotency_key', 'the idempotency key must be 1 to 200 characters of well-formed text without NUL');
    }
    const stored = normalizeMessage(message, { maxBytes: this.cfg.maxMessageBytes, allowPrivate: this.cfg.allowPrivate });
    const r = await this.repo.insert({
      id: newDeliveryId(),
      tenantId: opts.tenantId,
      key,
      kind: stored.kind,
      destination: redactDestination(stored),
      message: stored,
    });
    if (!r.created) {
      this.o.metrics?.deliveries.inc({ kind: r.view.kind, outcome: 'duplicate' });
      if (r.view.job_id === null && r.view.status === 'queued') {
        // the first send stopped between recording and enqueueing: finish its work
        return { delivery: await this.enqueue(r.view), created: false };
      }
      return { delivery: r.view, created: false };
    }
    this.o.metrics?.deliveries.inc({ kind: stored.kind, outcome: 'queued' });
    return { delivery: await this.enqueue(r.view), created: true };
  }

  private async enqueue(d: Delivery): Promise<Delivery> {
    const job = await this.o.jobs.enqueue({
      kind: DELIVERY_SEND_KIND,
      payload: { delivery_id: d.id },
      tenantId: d.tenant_id,
      // tenant ids cannot hold ':', so the pair is unambiguous
      dedupKey: `${d.tenant_id ?? ''}:${d.idempotency_key}`,
    });
    await this.repo.setJob(d.id, job.id);
    return (await this.repo.get(d.id, null)) ?? d;
  }

  get(id: string, tenant: string | null): Promise<Delivery | null> {
    return this.repo.get(id, tenant);
  }

  list(opts: { tenant: string | null; status?: DeliveryStatus; kind?: DeliveryKind; limit: number }): Promise<Delivery[]> {
    return this.repo.list(opts);
  }

  /** Enqueues deliveries whose first send stopped before their job existed; answers how many. */
  async requeueOrphans(olderThanMs = 60_000): Promise<number> {
    const rows = await this.repo.orphans(olderThanMs);
    for (const r of rows) {
      const d = await this.repo.get(r.id, null);
      if (d) {
        await this.enqueue(d);
      }
    }
    if (rows.length) {
      this.log.warn({ deliveries: rows.length }, 'enqueued deliveries recorded without a job (an instance stopped in between)');
    }
    return rows.length;
  }

  /** The `delivery.send` job: one try to hand one delivery over. */
  readonly handler: JobHandler<Payload> = async (ctx) => {
    const id = ctx.payload.delivery_id;
    if (typeof id !== 'string') {
      throw new PermanentJobError('the payload names no delivery_id');
    }
    const d = await this.repo.load(id);
    if (!d) {
      throw new PermanentJobError(`delivery ${id} is not in the delivery log`);
    }
    if (d.stored === 'sent' || d.stored === 'failed' || d.message === null) {
      await ctx.log(`delivery ${id} is already ${d.stored}: nothing to send`);
      return;
    }
    const kind = d.message.kind;
    if (d.notBefore !== null && d.notBefore > Date.now()) {
      const wait = Math.min(d.notBefore - Date.now(), this.cfg.maxRetryAfterSeconds * 1000);
      await ctx.log(`waiting ${(wait / 1000).toFixed(3)} s: the receiver asked for it (Retry-After)`);
      await sleep(wait, ctx.signal);
    }
    await this.repo.startAttempt(id);
    const t0 = performance.now();
    let result: { status: number | null; note: string };
    try {
      result = d.message.kind === 'email' ? await this.sendEmail(d.view, d.message) : await this.sendWebhook(d.view, d.message, ctx);
    } catch (e) {
      const seconds = (performance.now() - t0) / 1000;
      if (ctx.signal.aborted) {
        await this.repo.interrupted(id, `interrupted: ${errorText(ctx.signal.reason)}`).catch(() => undefined);
        throw e;
      }
      const f = e instanceof SendFailure ? e : new SendFailure(errorText(e), true);
      const final = !f.retryable || ctx.attempt >= ctx.maxAttempts;
      const retryAfter = f.extra.retryAfterMs ?? null;
      await this.repo.attemptFailed(id, { final, error: f.message, responseStatus: f.extra.status ?? null, notBefore: retryAfter === null ? null : Date.now() + retryAfter });
      const outcome = final ? 'failed' : 'retry';
      this.o.metrics?.deliveries.inc({ kind, outcome });
      this.o.metrics?.deliveryDuration.observe({ kind, outcome }, seconds);
      if (retryAfter !== null && !final) {
        const cap = this.cfg.maxRetryAfterSeconds * 1000;
        await ctx.log(
          `the receiver asked to wait ${(retryAfter / 1000).toFixed(0)} s (Retry-After)${retryAfter > cap ? `; the next try waits at most ${this.cfg.maxRetryAfterSeconds} s (DELIVERY_MAX_RETRY_AFTER_SECONDS)` : ''}`
        );
      }
      if (!f.retryable) {
        throw new PermanentJobError(f.message);
      }
      // The receiver's wait is spent queued (the runner delays the retry), not holding a job slot.
      throw retryAfter === null ? new Error(f.message) : new RetryLater(f.message, Math.min(retryAfter, this.cfg.maxRetryAfterSeconds * 1000));
    }
    // After the handover: if recording fails from here, the job is retried and the message sent again
    // (at least once), which the Message-ID / X-Caas-Delivery let receivers notice.
    await this.repo.sent(id, result.status);
    const seconds = (performance.now() - t0) / 1000;
    this.o.metrics?.deliveries.inc({ kind, outcome: 'sent' });
    this.o.metrics?.deliveryDuration.observe({ kind, outcome: 'sent' }, seconds);
    await ctx.log(`sent to ${d.view.destination}: ${result.note}`);
  };

  private async sendEmail(d: Delivery, m: StoredEmail): Promise<{ status: number | null; note: string }> {
    const r = await this.mailer.send({ id: d.id, from: this.cfg.mailFrom, messageId: messageIdFor(d.tenant_id, d.idempotency_key, this.messageDomain), message: m });
    return { status: r.code, note: r.response.slice(0, 300) };
  }

  private async sendWebhook(d: Delivery, m: StoredWebhook, ctx: JobContext<Payload>): Promise<{ status: number | null; note: string }> {
    const url = new URL(m.url);
    try {
      await checkResolvedTarget(url, { allowPrivate: this.cfg.allowPrivate, resolve: this.o.resolve });
    } catch (e) {
      throw e instanceof TargetRefused ? new SendFailure(`${d.destination}: refused: ${e.message}`, false) : new SendFailure(`${d.destination}: ${errorText(e)}`, true);
    }
    const headers: Record<string, string> = { ...m.headers, [DELIVERY_HEADER]: d.id };
    if (m.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
    }
    if (m.secret !== null) {
      // signed at each try, so a retry is inside the receiver's tolerance window
      headers[SIGNATURE_HEADER] = signatureHeader(m.secret, m.body);
    }
    let a: Awaited<ReturnType<typeof postJson>>;
    try {
      a = await postJson(url, m.body, headers, { timeoutMs: this.cfg.timeoutMs, maxResponseBytes: this.cfg.maxResponseBytes, signal: ctx.signal });
    } catch (e) {
      // say where (redacted), as an answer's failure does
      throw e instanceof SendFailure ? new SendFailure(`${d.destination}: ${e.message}`, e.retryable, e.extra) : e;
    }
    if (a.truncated) {
      await ctx.log(`the answer was not read past ${a.bytesRead} bytes (DELIVERY_MAX_RESPONSE_BYTES=${this.cfg.maxResponseBytes})`, 'warn');
    }
    const failure = judgeAnswer(a, d.destination);
    if (failure) {
      throw failure;
    }
    return { status: a.status, note: `${a.status}${a.statusText ? ` ${a.statusText}` : ''}` };
  }

  close(): void {
    this.mailer.close();
  }
}
