import { badRequest } from '../errors.js';
import { ENTITIES, type AnyDoc, type Entity, type SearchFilters, type SearchQuery } from './types.js';

/**
 * What both engines share: input checks, the projection of a document onto the searchable and
 * filterable fields, the typo rules and the highlight markup.
 */

export const MAX_Q = 1000;
export const MAX_LIMIT = 100;
/** like Meilisearch, only the first 10 words of a query get typo tolerance */
export const MAX_TYPO_WORDS = 10;

/** Highlight markers the engines put around matches; turned into <mark> after HTML escaping. */
export const PRE = '\uE000';
export const POST = '\uE001';

export interface NormalQuery {
  q: string;
  entities: Entity[];
  filters: Required<Pick<SearchFilters, 'conversation_id' | 'sender_id' | 'type'>> & { from?: number; to?: number };
  sort: 'relevance' | 'time';
  page: number;
  limit: number;
}

function cleanText(s: string): string {
  // NUL cannot be stored or bound in PostgreSQL; lone surrogates are not text.
  return s.toWellFormed().replace(/\u0000/g, ' ');
}

function idList(name: string, v: unknown): string[] {
  if (v === undefined) {
    return [];
  }
  if (!Array.isArray(v) || v.length > 100) {
    throw badRequest('invalid_filter', `filter ${name} must be a list of at most 100 ids`);
  }
  return v.map((x) => {
    if (typeof x !== 'string' || x.length === 0 || x.length > 200 || !x.isWellFormed() || x.includes('\u0000')) {
      throw badRequest(
        'invalid_filter',
        `filter ${name}: each value must be a non-empty string of at most 200 characters without NUL`
      );
    }
    return x;
  });
}

function time(name: string, v: unknown): number | undefined {
  if (v === undefined) {
    return undefined;
  }
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) {
    throw badRequest('invalid_filter', `filter ${name} must be epoch milliseconds (an integer)`);
  }
  return v;
}

/** Checks a query; bad input is a 4xx-class CaasError that says what to change. */
export function normalizeQuery(tenant: string, query: SearchQuery): NormalQuery {
  checkTenant(tenant);
  if (typeof query?.q !== 'string') {
    throw badRequest('invalid_query', 'q must be a string (empty for every document)');
  }
  if (query.q.length > MAX_Q) {
    throw badRequest('query_too_long', `q has ${query.q.length} characters; at most ${MAX_Q} are allowed`);
  }
  const entities = query.entities ?? [...ENTITIES];
  if (!Array.isArray(entities) || entities.length === 0 || entities.some((e) => !ENTITIES.includes(e))) {
    throw badRequest('invalid_entities', `entities must be a non-empty list of ${ENTITIES.join(', ')}`);
  }
  const f = query.filters ?? {};
  const from = time('from', f.from);
  const to = time('to', f.to);
  const sort = query.sort ?? 'relevance';
  if (sort !== 'relevance' && sort !== 'time') {
    throw badRequest('invalid_sort', 'sort must be relevance or time');
  }
  const page = query.page ?? 1;
  const limit = query.limit ?? 20;
  if (!Number.isSafeInteger(page) || page < 1 || page > 1000) {
    throw badRequest('invalid_page', 'page must be an integer from 1 to 1000');
  }
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw badRequest('invalid_limit', `limit must be an integer from 1 to ${MAX_LIMIT}`);
  }
  return {
    q: cleanText(query.q),
    entities: [...new Set(entities)],
    filters: {
      conversation_id: idList('conversation_id', f.conversation_id),
      sender_id: idList('sender_id', f.sender_id),
      type: idList('type', f.type),
      ...(from !== undefined ? { from } : {}),
      ...(to !== undefined ? { to } : {}),
    },
    sort,
    page,
    limit,
  };
}

export function checkTenant(tenant: string): void {
  if (
    typeof tenant !== 'string' ||
    tenant.length === 0 ||
    tenant.length > 200 ||
    !tenant.isWellFormed() ||
    tenant.includes('\u0000')
  ) {
    throw badRequest('invalid_tenant', 'tenant must be a non-empty string of at most 200 characters');
  }
}

export function checkEntity(entity: Entity): void {
  if (!ENTITIES.includes(entity)) {
    throw badRequest('invalid_entity', `entity must be one of ${ENTITIES.join(', ')}`);
  }
}

/** The searchable fields of each entity, most important first (weight A, then B). */
export const SEARCHABLE: Record<Entity, { title: string[]; body: string[] }> = {
  messages: { title: [], body: ['text'] },
  files: { title: ['name'], body: ['content'] },
  users: { title: ['name', 'handle'], body: [] },
  conversations: { title: ['title'], body: [] },
};

/** One document projected onto what both engines index, filter and return. */
export interface Projected {
  id: string;
  conversation_id: string | null;
  sender_id: string | null;
  type: string | null;
  created_at: number;
  updated_at: number | null;
  title: string;
  body: string;
  doc: Record<string, unknown>;
}

/**
 * PostgreSQL's parser keeps `roadmap.txt`, `a/b`, `bob@example.com` or `example.com` as one token (file,
 * email, host), so a search for `roadmap` would miss them, where Meilisearch splits them into words.
 * Indexed text and query text both get these separators replaced by spaces, one UTF-16 unit for
 * one, so offsets stay those of the original text (highlights map back onto it).
 */
export const SEPARATORS = /[./@:\\~+=|]/g;
export function splitTokens(text: string): string {
  return text.replace(SEPARATORS, ' ');
}

function deepClean(v: unknown): unknown {
  if (typeof v === 'string') {
    return cleanText(v);
  }
  if (Array.isArray(v)) {
    return v.map(deepClean);
  }
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [cleanText(k), deepClean(x)]));
  }
  return v;
}

function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

export function project(entity: Entity, tenant: string, raw: AnyDoc): Projected {
  const d = deepClean(raw) as Record<string, unknown>;
  if (typeof d.id !== 'string' || d.id.length === 0 || d.id.length > 200) {
    throw badRequest('invalid_document', `every ${entity} document needs an id (a string of 1 to 200 characters)`);
  }
  if (d.tenant_id !== tenant) {
    throw badRequest('wrong_tenant', `document ${d.id} has tenant_id ${String(d.tenant_id)}, not ${tenant}`);
  }
  if (typeof d.created_at !== 'number' || !Number.isFinite(d.created_at)) {
    throw badRequest('invalid_document', `document ${d.id}: created_at must be epoch milliseconds`);
  }
  const join = (fields: string[]) =>
    fields
      .map((f) => str(d[f]) ?? '')
      .filter(Boolean)
      .join('\n');
  const p: Projected = {
    id: d.id,
    conversation_id: entity === 'conversations' ? d.id : str(d.conversation_id),
    sender_id: entity === 'files' ? str(d.uploader_id) : entity === 'messages' ? str(d.sender_id) : entity === 'users' ? d.id : null,
    type:
      entity === 'files'
        ? str(d.mime)
        : entity === 'conversations'
          ? str(d.kind)
          : entity === 'messages'
            ? str(d.type)
            : null,
    created_at: Math.trunc(d.created_at),
    updated_at: typeof d.updated_at === 'number' && Number.isFinite(d.updated_at) ? Math.trunc(d.updated_at) : null,
    title: splitTokens(join(SEARCHABLE[entity].title)),
    body: splitTokens(join(SEARCHABLE[entity].body)),
    doc: d,
  };
  return p;
}

// ---------------------------------------------------------------------------------------------
// Query syntax (websearch_to_tsquery's, which Meilisearch shares for quotes and minus)

export type QueryItem =
  { kind: 'word'; text: string; negated: boolean } | { kind: 'phrase'; text: string; negated: boolean };
/** OR of AND-groups ("or" between words, as websearch_to_tsquery reads it) */
export type ParsedQuery = QueryItem[][];

export function parseQuery(q: string): ParsedQuery {
  const groups: ParsedQuery = [[]];
  let i = 0;
  let pendingOr = false;
  while (i < q.length) {
    const c = q[i] as string;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    let negated = false;
    let j = i;
    if (c === '-') {
      negated = true;
      j++;
    }
    if (q[j] === '"') {
      const end = q.indexOf('"', j + 1);
      const text = q.slice(j + 1, end === -1 ? q.length : end);
      i = end === -1 ? q.length : end + 1;
      pushItem({ kind: 'phrase', text, negated });
      continue;
    }
    let k = j;
    while (k < q.length && !/\s/.test(q[k] as string) && q[k] !== '"') {
      k++;
    }
    const text = q.slice(j, k);
    i = k === i ? i + 1 : k;
    if (!negated && text.toLowerCase() === 'or') {
      pendingOr = (groups[groups.length - 1] as QueryItem[]).length > 0;
      continue;
    }
    if (text) {
      pushItem({ kind: 'word', text, negated });
    }
  }
  return groups.filter((g) => g.length > 0);

  function pushItem(item: QueryItem) {
    if (pendingOr) {
      groups.push([]);
      pendingOr = false;
    }
    (groups[groups.length - 1] as QueryItem[]).push(item);
  }
}

/** The words of a text as both engines' tokenizers see Latin, Greek, Cyrillic… text: lowercased letter/digit runs. */
export function words(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}\p{M}]+/gu) ?? [];
}

/** Meilisearch's default typo rules: 1–4 characters exact, 5–8 one typo, 9 and more two. */
export function allowedTypos(word: string): number {
  const n = [...word].length;
  return n >= 9 ? 2 : n >= 5 ? 1 : 0;
}

/**
 * Typos between a query word and an indexed word as Meilisearch counts them: Damerau–Levenshtein
 * (a transposition is one), and a typo on the first character costs two.
 */
export function typoCost(word: string, term: string, max = Infinity): number {
  const first = word.codePointAt(0) !== term.codePointAt(0) ? 1 : 0;
  return first + typoDistance(word, term, max - first);
}

/**
 * Damerau–Levenshtein distance (optimal string alignment: a transposition of two neighbours is
 * one edit), by code point; stops early and answers max+1 once the distance must exceed `max`.
 */
export function typoDistance(a: string, b: string, max = Infinity): number {
  const s = [...a];
  const t = [...b];
  if (Math.abs(s.length - t.length) > max) {
    return max + 1;
  }
  const w = t.length + 1;
  let prev2 = new Array<number>(w).fill(0);
  let prev = Array.from({ length: w }, (_, j) => j);
  let cur = new Array<number>(w).fill(0);
  for (let i = 1; i <= s.length; i++) {
    cur[0] = i;
    let rowMin = i;
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      let v = Math.min((prev[j] as number) + 1, (cur[j - 1] as number) + 1, (prev[j - 1] as number) + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) {
        v = Math.min(v, (prev2[j - 2] as number) + 1);
      }
      cur[j] = v;
      rowMin = Math.min(rowMin, v);
    }
    if (rowMin > max) {
      return max + 1;
    }
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return prev[t.length] as number;
}

/** HTML-escapes engine output and turns the engine's markers into <mark>…</mark>. */
export function markup(s: string): string {
  const esc = s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
  return esc.split(PRE).join('<mark>').split(POST).join('</mark>');
}

export function hasMark(s: string): boolean {
  return s.includes(PRE);
}
