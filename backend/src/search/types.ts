/**
 * The search engine's contract (issue "Crawler and search", backend item 1; DESIGN.md data flow 4):
 * one interface, two implementations (PostgreSQL full text in postgres-engine.ts, Meilisearch in
 * meili-engine.ts), one contract suite (test/search-engine.test.ts). Times are epoch milliseconds.
 *
 * The tenant is a required argument of every call and is applied by the engine itself (a SQL
 * predicate; a Meilisearch tenant token's search rule), never taken from the query or its filters,
 * so no q, filter or facet request can widen it.
 */
import { ENTITIES, type ConversationItem, type Entity, type FileItem, type MessageItem, type UserItem } from '../contracts/entities.js';

export { ENTITIES, type Entity };

export type MessageDoc = MessageItem;
/** A file as indexed: the source's fields and the text extracted from it. */
export interface FileDoc extends FileItem {
  /** text extracted from the file (pdf, docx, text); empty when none */
  content?: string;
  /** why extraction failed, if it did */
  extract_error?: string | null;
}
export type UserDoc = UserItem;
export type ConversationDoc = ConversationItem;
export interface DocOf {
  messages: MessageDoc;
  files: FileDoc;
  users: UserDoc;
  conversations: ConversationDoc;
}
export type AnyDoc = DocOf[Entity];

/** The filters the search API passes on; every one narrows, none can widen the tenant. */
export interface SearchFilters {
  /** conversations: their own id */
  conversation_id?: string[];
  /** messages: sender_id; files: uploader_id; users: their own id */
  sender_id?: string[];
  /** messages: type; files: mime; conversations: kind */
  type?: string[];
  /** created_at >= from (epoch ms, inclusive) */
  from?: number;
  /** created_at < to (epoch ms, exclusive) */
  to?: number;
}

export interface SearchQuery {
  /**
   * User text, websearch syntax: words (AND), "quoted phrases", -excluded words. Empty or without
   * any word: every document (filters still apply), ordered by time.
   */
  q: string;
  /** default: all four */
  entities?: Entity[];
  filters?: SearchFilters;
  /** relevance (default; ties newest first) or time (newest first) */
  sort?: 'relevance' | 'time';
  /** 1-based, default 1 */
  page?: number;
  /** 1..100, default 20 */
  limit?: number;
}

export interface SearchHit<E extends Entity = Entity> {
  entity: E;
  id: string;
  /** higher is better; comparable within one answer only */
  score: number;
  /** field → text with the matched words in <mark>…</mark>; the rest HTML-escaped; only fields with a match */
  highlights: Record<string, string>;
  doc: DocOf[E];
}

export interface SearchResult {
  /** every match of q and filters (not only this page) */
  total: number;
  hits: SearchHit[];
  facets: {
    /** matches per entity (every requested entity appears, 0 if none) */
    entity: Record<string, number>;
    /** matches per type (message type, file mime, conversation kind) */
    type: Record<string, number>;
  };
}

/** A full reindex in progress: upserts build a new generation that no search sees until commit(). */
export interface ReindexHandle {
  readonly entity: Entity;
  readonly tenant: string;
  upsert(docs: AnyDoc[]): Promise<void>;
  /** swaps the new generation in atomically; the old one is dropped */
  commit(): Promise<void>;
  /** drops the new generation; search never saw it */
  abort(): Promise<void>;
}

export interface SearchEngine {
  readonly kind: 'postgres' | 'meilisearch';
  /** adds or replaces documents by id; every doc's tenant_id must equal `tenant` */
  upsert<E extends Entity>(entity: E, tenant: string, docs: DocOf[E][]): Promise<void>;
  remove(entity: Entity, tenant: string, ids: string[]): Promise<void>;
  /**
   * Starts a full reindex of (entity, tenant). Upserts and removes made through the engine while it
   * runs reach both the live and the new generation, so commit() loses none of them.
   */
  reindex(entity: Entity, tenant: string): Promise<ReindexHandle>;
  search(tenant: string, query: SearchQuery): Promise<SearchResult>;
  close(): Promise<void>;
}
