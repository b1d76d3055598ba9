import { createHash, randomBytes } from 'node:crypto';
import { Meilisearch, type Settings, type Task } from 'meilisearch';
import { generateTenantToken } from 'meilisearch/token';
import { CaasError, conflict } from '../errors.js';
import { POST, PRE, SEARCHABLE, checkEntity, checkTenant, hasMark, markup, normalizeQuery, project } from './common.js';
import {
  ENTITIES,
  type AnyDoc,
  type DocOf,
  type Entity,
  type ReindexHandle,
  type SearchEngine,
  type SearchHit,
  type SearchQuery,
  type SearchResult,
} from './types.js';

/**
 * Meilisearch through the official client, used when MEILI_URL is set (DESIGN.md "Two modes"):
 *
 * - one index per entity (`<prefix>messages`, …) holding every tenant; primary key `key` = a hash of
 *   (tenant, id), since ids are unique per tenant only. Filterable tenant_id, conversation_id,
 *   sender_id, type, created_at; sortable created_at.
 * - typo tolerance as the PostgreSQL engine applies it (Meilisearch's defaults: one typo from 5
 *   characters, two from 9), prefix search off and matchingStrategy 'all' so both engines match the
 *   same documents; ranking rules words, typo, proximity, attribute, sort, exactness, created_at:desc.
 * - searches run with a tenant token (a JWT signed with a search-only API key, never the master
 *   key) whose search rules carry `tenant_id = "<tenant>"` for every index, so Meilisearch itself
 *   refuses to widen the tenant whatever q or filters say.
 * - a full reindex of (entity, tenant) fills a new index (the other tenants' documents copied from
 *   the live one, the handle's for this tenant), then swapIndexes swaps it in atomically; upserts
 *   and removes made meanwhile go to both indexes. One reindex per entity at a time in a process.
 */
export interface MeiliConfig {
  url: string;
  /** the master key, or an admin key: manages indexes, documents and the search key */
  adminKey: string;
  /** a search-only key to sign tenant tokens with; created (name caas-search) when absent */
  searchKey?: string;
  indexPrefix?: string;
}

export function meiliConfigFromEnv(env: NodeJS.ProcessEnv): MeiliConfig | null {
  if (!env.MEILI_URL) {
    return null;
  }
  const adminKey = env.MEILI_MASTER_KEY ?? env.MEILI_ADMIN_KEY;
  if (!adminKey) {
    // Without a master key Meilisearch has no API keys, so no tenant tokens: tenants could not be kept apart.
    throw new CaasError(
      'invalid',
      'meili_key_missing',
      'MEILI_URL is set but MEILI_MASTER_KEY (or MEILI_ADMIN_KEY) is not: set it, or unset MEILI_URL to search with PostgreSQL'
    );
  }
  return {
    url: env.MEILI_URL,
    adminKey,
    ...(env.MEILI_SEARCH_KEY ? { searchKey: env.MEILI_SEARCH_KEY } : {}),
    ...(env.MEILI_INDEX_PREFIX ? { indexPrefix: env.MEILI_INDEX_PREFIX } : {}),
  };
}

const FILTERABLE = ['tenant_id', 'conversation_id', 'sender_id', 'type', 'created_at'];

function settingsFor(entity: Entity): Settings {
  const s = SEARCHABLE[entity];
  return {
    searchableAttributes: [...s.title, ...s.body],
    filterableAttributes: FILTERABLE,
    sortableAttributes: ['created_at'],
    rankingRules: ['words', 'typo', 'proximity', 'attribute', 'sort', 'exactness', 'created_at:desc'],
    typoTolerance: { enabled: true, minWordSizeForTypos: { oneTypo: 5, twoTypos: 9 } },
    prefixSearch: 'disabled',
    faceting: { maxValuesPerFacet: 100 },
    pagination: { maxTotalHits: 10_000 },
  };
}

/** a string inside a Meilisearch filter expression */
function lit(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function docKey(tenant: string, id: string): string {
  return createHash('sha256')
    .update(JSON.stringify([tenant, id]))
    .digest('hex');
}

async function done(p: { waitTask: (o?: { timeout?: number }) => Promise<Task> }): Promise<Task> {
  const t = await p.waitTask({ timeout: 60_000 });
  if (t.status !== 'succeeded') {
    throw new CaasError(
      'unavailable',
      'search_index_failed',
      `Meilisearch task ${t.uid} ${t.status}: ${t.error?.message ?? 'no reason given'}`,
      undefined,
      5
    );
  }
  return t;
}

export class MeiliSearchEngine implements SearchEngine {
  readonly kind = 'meilisearch' as const;
  private readonly admin: Meilisearch;
  private readonly prefix: string;
  private search_: { key: string; uid: string } | null = null;
  private readonly tokens = new Map<string, { client: Meilisearch; until: number }>();
  /** entity → the index a reindex is filling */
  private readonly building = new Map<Entity, { uid: string; tenant: string }>();
  private readied: Promise<void> | null = null;

  constructor(private readonly cfg: MeiliConfig) {
    this.admin = new Meilisearch({ host: cfg.url, apiKey: cfg.adminKey });
    this.prefix = cfg.indexPrefix ?? 'caas_';
  }

  private uid(entity: Entity): string {
    return `${this.prefix}${entity}`;
  }

  /** Checks the server answers, creates the indexes with their settings and the search key. */
  ready(): Promise<void> {
    this.readied ??= (async () => {
      await this.admin.health();
      for (const e of ENTITIES) {
        await this.ensureIndex(this.uid(e), e);
      }
      if (this.cfg.searchKey) {
        const k = await this.admin.getKey(this.cfg.searchKey);
        this.search_ = { key: k.key, uid: k.uid };
      } else {
        const name = `caas-search-${this.prefix}`;
        const existing = (await this.admin.getKeys({ limit: 1000 })).results.find((k) => k.name === name);
        const k =
          existing ??
          (await this.admin.createKey({
            name,
            description: 'signs CAAS tenant tokens',
            actions: ['search'],
            indexes: [`${this.prefix}*`],
            expiresAt: null,
          }));
        this.search_ = { key: k.key, uid: k.uid };
      }
    })().catch((e) => {
      this.readied = null;
      throw e;
    });
    return this.readied;
  }

  private async ensureIndex(uid: string, entity: Entity): Promise<void> {
    try {
      await this.admin.getIndex(uid);
    } catch {
      await done(this.admin.createIndex(uid, { primaryKey: 'key' }));
    }
    await done(this.admin.index(uid).updateSettings(settingsFor(entity)));
  }

  private toMeili(entity: Entity, tenant: string, d: AnyDoc): Record<string, unknown> {
    const p = project(entity, tenant, d);
    const out: Record<string, unknown> = {
      key: docKey(tenant, p.id),
      id: p.id,
      tenant_id: tenant,
      conversation_id: p.conversation_id,
      sender_id: p.sender_id,
      type: p.type,
      created_at: p.created_at,
      doc: p.doc,
    };
    for (const f of [...SEARCHABLE[entity].title, ...SEARCHABLE[entity].body]) {
      out[f] = typeof p.doc[f] === 'string' ? p.doc[f] : '';
    }
    return out;
  }

  private targets(entity: Entity): string[] {
    const b = this.building.get(entity);
    return [this.uid(entity), ...(b ? [b.uid] : [])];
  }

  async upsert<E extends Entity>(entity: E, tenant: string, docs: DocOf[E][]): Promise<void> {
    checkTenant(tenant);
    checkEntity(entity);
    if (docs.length === 0) return;
    await this.ready();
    const rows = docs.map((d) => this.toMeili(entity, tenant, d as AnyDoc));
    for (const uid of this.targets(entity)) {
      await done(this.admin.index(uid).addDocuments(rows, { primaryKey: 'key' }));
    }
  }

  async remove(entity: Entity, tenant: string, ids: string[]): Promise<void> {
    checkTenant(tenant);
    checkEntity(entity);
    if (ids.length === 0) return;
    await this.ready();
    for (const uid of this.targets(entity)) {
      await done(this.admin.index(uid).deleteDocuments(ids.map((id) => docKey(tenant, id))));
    }
  }

  async reindex(entity: Entity, tenant: string): Promise<ReindexHandle> {
    checkTenant(tenant);
    checkEntity(entity);
    await this.ready();
    if (this.building.has(entity)) {
      throw conflict(`a full reindex of ${entity} is already running; wait for it to finish`);
    }
    const next = `${this.uid(entity)}_next_${randomBytes(4).toString('hex')}`;
    this.building.set(entity, { uid: next, tenant });
    const live = this.uid(entity);
    try {
      await this.ensureIndex(next, entity);
      // the other tenants' documents stay as they are
      for (let offset = 0; ; offset += 1000) {
        const page = await this.admin
          .index(live)
          .getDocuments({ filter: `tenant_id != ${lit(tenant)}`, limit: 1000, offset });
        if (page.results.length) {
          await done(this.admin.index(next).addDocuments(page.results, { primaryKey: 'key' }));
        }
        if (page.results.length < 1000) break;
      }
    } catch (e) {
      this.building.delete(entity);
      await this.admin.deleteIndexIfExists(next).catch(() => undefined);
      throw e;
    }
    let finished = false;
    const current = () => {
      if (finished || this.building.get(entity)?.uid !== next) {
        throw conflict(`the reindex of ${entity} for tenant ${tenant} is no longer current (committed or aborted)`);
      }
    };
    return {
      entity,
      tenant,
      upsert: async (docs: AnyDoc[]) => {
        current();
        if (docs.length === 0) return;
        const rows = docs.map((d) => this.toMeili(entity, tenant, d));
        await done(this.admin.index(next).addDocuments(rows, { primaryKey: 'key' }));
      },
      commit: async () => {
        current();
        await done(this.admin.swapIndexes([{ indexes: [live, next], rename: false }]));
        finished = true;
        this.building.delete(entity);
        await done(this.admin.deleteIndex(next)); // now the old documents
      },
      abort: async () => {
        if (finished) return;
        finished = true;
        if (this.building.get(entity)?.uid === next) this.building.delete(entity);
        await this.admin.deleteIndexIfExists(next);
      },
    };
  }

  /** a client whose key is a tenant token: Meilisearch applies the tenant filter to every index */
  private async clientFor(tenant: string): Promise<Meilisearch> {
    const now = Date.now();
    const c = this.tokens.get(tenant);
    if (c && c.until > now + 60_000) return c.client;
    const sk = this.search_;
    if (!sk) throw new CaasError('unavailable', 'search_unavailable', 'Meilisearch is not ready', undefined, 5);
    const until = now + 3600_000;
    const rule = { filter: `tenant_id = ${lit(tenant)}` };
    const token = await generateTenantToken({
      apiKey: sk.key,
      apiKeyUid: sk.uid,
      searchRules: Object.fromEntries(ENTITIES.map((e) => [this.uid(e), rule])),
      expiresAt: new Date(until),
      force: true,
    });
    const client = new Meilisearch({ host: this.cfg.url, apiKey: token });
    if (this.tokens.size > 10_000) this.tokens.clear();
    this.tokens.set(tenant, { client, until });
    return client;
  }

  async search(tenant: string, query: SearchQuery): Promise<SearchResult> {
    const nq = normalizeQuery(tenant, query);
    await this.ready();
    const client = await this.clientFor(tenant);
    const f = nq.filters;
    const filter: string[] = [];
    const any = (field: string, vs: string[]) => vs.length && filter.push(`${field} IN [${vs.map(lit).join(', ')}]`);
    any('conversation_id', f.conversation_id);
    any('sender_id', f.sender_id);
    any('type', f.type);
    if (f.from !== undefined) filter.push(`created_at >= ${f.from}`);
    if (f.to !== undefined) filter.push(`created_at < ${f.to}`);
    const need = nq.page * nq.limit;
    const res = await client.multiSearch({
      queries: nq.entities.map((e) => ({
        indexUid: this.uid(e),
        q: nq.q,
        filter,
        facets: ['type'],
        page: 1,
        hitsPerPage: need,
        matchingStrategy: 'all' as const,
        showRankingScore: true,
        attributesToHighlight: [...SEARCHABLE[e].title, ...SEARCHABLE[e].body],
        attributesToCrop: SEARCHABLE[e].body,
        cropLength: 30,
        cropMarker: '…',
        highlightPreTag: PRE,
        highlightPostTag: POST,
        ...(nq.sort === 'time' ? { sort: ['created_at:desc'] } : {}),
      })),
    });
    const facets: SearchResult['facets'] = { entity: {}, type: {} };
    let total = 0;
    const all: SearchHit[] = [];
    res.results.forEach((r, i) => {
      const entity = nq.entities[i] as Entity;
      const n = (r as { totalHits?: number }).totalHits ?? 0;
      total += n;
      facets.entity[entity] = n;
      for (const [t, c] of Object.entries(r.facetDistribution?.type ?? {})) {
        facets.type[t] = (facets.type[t] ?? 0) + c;
      }
      for (const h of r.hits) {
        const highlights: Record<string, string> = {};
        const fm = (h._formatted ?? {}) as Record<string, unknown>;
        for (const field of [...SEARCHABLE[entity].title, ...SEARCHABLE[entity].body]) {
          const v = fm[field];
          if (typeof v === 'string' && hasMark(v)) highlights[field] = markup(v);
        }
        all.push({
          entity,
          id: String(h.id),
          score: Number(h._rankingScore ?? 0),
          highlights,
          doc: h.doc as SearchHit['doc'],
        });
      }
    });
    const created = (h: SearchHit) => Number((h.doc as { created_at?: number }).created_at ?? 0);
    all.sort(
      (a, b) =>
        (nq.sort === 'time' ? 0 : b.score - a.score) ||
        created(b) - created(a) ||
        (a.entity < b.entity ? -1 : a.entity > b.entity ? 1 : 0) ||
        (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
    );
    return { total, hits: all.slice((nq.page - 1) * nq.limit, need), facets };
  }

  /** tests: drops this engine's indexes */
  async dropIndexes(): Promise<void> {
    for (const e of ENTITIES) await this.admin.deleteIndexIfExists(this.uid(e));
  }

  async close(): Promise<void> {
    this.tokens.clear();
  }
}
