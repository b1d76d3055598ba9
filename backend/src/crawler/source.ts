/**
 * What the crawler reads, behind one interface (issue "Crawler and search"; DESIGN.md data flow 4):
 * the CAAS HTTP API as the README documents it ("CAAS HTTP source contract") and a platform's own
 * PostgreSQL tables. Both yield the same four entities with the same fields, times in epoch ms.
 *
 * A source's answers are checked item by item: a malformed item is set aside with the reason (index, id
 * when it has one, what is wrong) and the rest of the page goes on, so one bad row never stops a crawl.
 */

import { ENTITIES, type AnyItem, type ConversationItem, type Entity, type EntityItem, type FileItem, type MessageItem, type UserItem } from '../contracts/entities.js';

export { ENTITIES };
export type { AnyItem, ConversationItem, Entity, EntityItem, FileItem, MessageItem, UserItem } from '../contracts/entities.js';

export interface DeletedItem {
  id: string;
  deleted_at: number;
}

/** An item the source sent that we could not take, and why (shown to people, kept by the crawl job). */
export interface RejectedItem {
  index: number;
  id: string | null;
  reason: string;
}

export interface Page<T> {
  items: T[];
  /** null: this was the last page */
  nextCursor: string | null;
  rejected: RejectedItem[];
}

export interface PageOptions {
  /** epoch ms: items with updated_at ≥ this (0: everything) */
  updatedSince: number;
  cursor?: string | null;
  limit: number;
  signal?: AbortSignal;
}
export interface DeletedOptions {
  /** epoch ms: deletions with deleted_at ≥ this */
  since: number;
  cursor?: string | null;
  limit: number;
  signal?: AbortSignal;
}
export interface FetchedFile {
  bytes: Buffer;
  /** the source's Content-Type, when it sent one */
  mime: string | null;
}

export interface CrawlSource {
  /** a name people recognise in logs and errors */
  readonly name: string;
  /** items of `entity` for `tenant`, ordered by (updated_at, id) */
  page<E extends Entity>(entity: E, tenant: string, opts: PageOptions): Promise<Page<EntityItem[E]>>;
  deleted(entity: Entity, tenant: string, opts: DeletedOptions): Promise<Page<DeletedItem>>;
  /** a file's bytes; more than maxBytes is an error (SourceError 'too_large'), not a truncated file */
  fetchFile(downloadUrl: string, opts: { maxBytes: number; signal?: AbortSignal }): Promise<FetchedFile>;
  close(): Promise<void>;
}

export type SourceErrorKind =
  | 'unauthenticated' // the token is missing or wrong
  | 'forbidden'
  | 'not_found'
  | 'timeout'
  | 'network'
  | 'unavailable' // 429/5xx after every retry
  | 'too_large'
  | 'bad_answer' // not the contract's shape
  | 'invalid'; // our own request was wrong (a bad cursor, a bad option)

/**
 * A source could not give an answer. The message names the source and what to change (a token, a URL,
 * a setting); `retryable` says whether a later run may succeed without anyone changing anything.
 */
export class SourceError extends Error {
  override name = 'SourceError';
  constructor(
    readonly kind: SourceErrorKind,
    message: string,
    readonly retryable: boolean,
    /** status: the HTTP status; retryAfterMs: what the source asked us to wait */
    readonly extra: { status?: number; retryAfterMs?: number; cause?: unknown } = {}
  ) {
    super(message);
  }
}

// ------------------------------------------------------------------------------------------------------
// Validation of what a source returns

const MAX_ID = 256;
const MAX_TEXT = 1_000_000;
const MAX_NAME = 1_000;
/** 2100-01-01: a larger epoch-ms value is almost surely seconds×1000² or garbage */
const MAX_TIME = 4_102_444_800_000;
const LONE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

type Check = (v: unknown) => string | null;

const str =
  (max: number, opts: { empty?: boolean } = {}): Check =>
  (v) => {
    if (typeof v !== 'string') return `must be a string, got ${kindOf(v)}`;
    if (!opts.empty && v.length === 0) return 'must not be empty';
    if (v.length > max) return `is longer than ${max} characters (${v.length})`;
    if (v.includes('\u0000')) return 'contains a NUL character';
    if (LONE.test(v)) return 'contains a lone UTF-16 surrogate (not valid text)';
    return null;
  };
const id: Check = str(MAX_ID);
const time: Check = (v) => {
  if (typeof v !== 'number' || !Number.isFinite(v)) return `must be a number of epoch milliseconds, got ${kindOf(v)}`;
  if (!Number.isInteger(v) || v < 0 || v > MAX_TIME) return `must be whole epoch milliseconds between 1970 and 2100, got ${v}`;
  return null;
};
const size: Check = (v) =>
  typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? null : `must be a whole number of bytes ≥ 0, got ${kindOf(v)}`;
const kind: Check = (v) => (v === 'direct' || v === 'group' ? null : `must be "direct" or "group", got ${short(v)}`);
const ids: Check = (v) => {
  if (!Array.isArray(v)) return `must be an array of user ids, got ${kindOf(v)}`;
  if (v.length > 100_000) return `has more than 100000 members (${v.length})`;
  for (let i = 0; i < v.length; i++) {
    const r = id(v[i]);
    if (r) return `[${i}] ${r}`;
  }
  return null;
};
const url: Check = (v) => {
  const r = str(4096)(v);
  if (r) return r;
  try {
    const u = new URL(v as string);
    return u.protocol === 'http:' || u.protocol === 'https:' ? null : `must be an http(s) URL, got ${u.protocol}`;
  } catch {
    return `is not a URL: ${short(v)}`;
  }
};

const SCHEMAS: Record<Entity, Record<string, Check>> = {
  messages: {
    id,
    tenant_id: id,
    conversation_id: id,
    sender_id: id,
    type: str(64),
    text: str(MAX_TEXT, { empty: true }),
    created_at: time,
    updated_at: time,
  },
  files: {
    id,
    tenant_id: id,
    conversation_id: id,
    uploader_id: id,
    name: str(MAX_NAME),
    mime: str(255),
    size,
    download_url: url,
    created_at: time,
    updated_at: time,
  },
  users: { id, tenant_id: id, name: str(MAX_NAME, { empty: true }), handle: str(MAX_NAME), created_at: time, updated_at: time },
  conversations: { id, tenant_id: id, title: str(MAX_NAME, { empty: true }), kind, member_ids: ids, created_at: time, updated_at: time },
};

/** The fields of an entity, in the contract's order (the PostgreSQL source's default columns). */
export const ENTITY_FIELDS: Record<Entity, readonly string[]> = Object.fromEntries(
  ENTITIES.map((e) => [e, Object.keys(SCHEMAS[e])])
) as unknown as Record<Entity, readonly string[]>;

export function isEntity(v: unknown): v is Entity {
  return typeof v === 'string' && (ENTITIES as readonly string[]).includes(v);
}

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'number') return Number.isFinite(v) ? `the number ${v}` : String(v);
  if (typeof v === 'string') return `the string ${short(v)}`;
  return typeof v === 'object' ? 'an object' : typeof v;
}
function short(v: unknown): string {
  let s: string;
  try {
    s = typeof v === 'string' ? JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v) : String(JSON.stringify(v) ?? typeof v);
  } catch {
    s = typeof v;
  }
  return s.length > 60 ? `${s.slice(0, 60)}…` : s;
}

function idOf(raw: unknown): string | null {
  if (raw !== null && typeof raw === 'object' && !Array.isArray(raw)) {
    const v = (raw as Record<string, unknown>).id;
    if (typeof v === 'string' && v.length > 0 && v.length <= MAX_ID) return v;
  }
  return null;
}

/**
 * Checks one item against the contract: every field present with its type, the item's tenant the one asked
 * for (a source that leaks another tenant's rows is refused, never indexed), updated_at ≥ created_at. Extra
 * fields are dropped (an item is rebuilt from the known fields, so `__proto__` or odd keys go nowhere).
 */
export function validateItem<E extends Entity>(
  entity: E,
  raw: unknown,
  tenant: string
): { ok: true; item: EntityItem[E] } | { ok: false; reason: string } {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return { ok: false, reason: `an item must be an object, got ${kindOf(raw)}` };
  const o = raw as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [field, check] of Object.entries(SCHEMAS[entity])) {
    const v = Object.prototype.hasOwnProperty.call(o, field) ? o[field] : undefined;
    if (v === undefined) {
      problems.push(`${field} is missing`);
      continue;
    }
    const r = check(v);
    if (r) problems.push(`${field} ${r}`);
    else out[field] = Array.isArray(v) ? [...v] : v;
  }
  if (problems.length === 0) {
    if (out.tenant_id !== tenant) problems.push(`tenant_id is ${short(out.tenant_id)}, but tenant ${short(tenant)} was asked for`);
    if ((out.updated_at as number) < (out.created_at as number)) problems.push('updated_at is before created_at');
  }
  if (problems.length > 0) return { ok: false, reason: `${entity} item: ${problems.slice(0, 5).join('; ')}` };
  return { ok: true, item: out as unknown as EntityItem[E] };
}

export function validateDeleted(raw: unknown): { ok: true; item: DeletedItem } | { ok: false; reason: string } {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return { ok: false, reason: `a deletion must be an object, got ${kindOf(raw)}` };
  const o = raw as Record<string, unknown>;
  const problems: string[] = [];
  const i = Object.prototype.hasOwnProperty.call(o, 'id') ? o.id : undefined;
  const d = Object.prototype.hasOwnProperty.call(o, 'deleted_at') ? o.deleted_at : undefined;
  const ri = i === undefined ? 'is missing' : id(i);
  const rd = d === undefined ? 'is missing' : time(d);
  if (ri) problems.push(`id ${ri}`);
  if (rd) problems.push(`deleted_at ${rd}`);
  if (problems.length > 0) return { ok: false, reason: `deletion: ${problems.join('; ')}` };
  return { ok: true, item: { id: i as string, deleted_at: d as number } };
}

/**
 * Checks a whole answer `{items, next_cursor}`: the envelope must have the shape (else SourceError
 * 'bad_answer', the page cannot be used) and items are checked one by one (bad ones → rejected, with why).
 */
export function validatePage<T>(
  sourceName: string,
  body: unknown,
  validate: (raw: unknown) => { ok: true; item: T } | { ok: false; reason: string }
): Page<T> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new SourceError('bad_answer', `${sourceName} answered ${kindOf(body)}, not {"items": [...], "next_cursor": ...}`, false);
  }
  const b = body as Record<string, unknown>;
  const rawItems = Object.prototype.hasOwnProperty.call(b, 'items') ? b.items : undefined;
  if (!Array.isArray(rawItems)) {
    throw new SourceError('bad_answer', `${sourceName} answered without an "items" array (got ${kindOf(rawItems)})`, false);
  }
  const nc = Object.prototype.hasOwnProperty.call(b, 'next_cursor') ? b.next_cursor : undefined;
  if (nc !== null && nc !== undefined && (typeof nc !== 'string' || nc.length === 0 || nc.length > 4096)) {
    throw new SourceError('bad_answer', `${sourceName} answered a next_cursor that is not a string or null (${kindOf(nc)})`, false);
  }
  const items: T[] = [];
  const rejected: RejectedItem[] = [];
  rawItems.forEach((raw, index) => {
    const r = validate(raw);
    if (!r.ok) {
      rejected.push({ index, id: idOf(raw), reason: r.reason });
      return;
    }
    items.push(r.item);
  });
  return { items, nextCursor: typeof nc === 'string' ? nc : null, rejected };
}
