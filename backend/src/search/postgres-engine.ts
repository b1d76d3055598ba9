import { conflict } from '../errors.js';
import type { MetadataDb, Queryable } from '../store/metadata-db.js';
import {
  MAX_TYPO_WORDS,
  POST,
  PRE,
  SEARCHABLE,
  allowedTypos,
  checkEntity,
  checkTenant,
  hasMark,
  markup,
  normalizeQuery,
  parseQuery,
  project,
  splitTokens,
  typoCost,
  words,
  type NormalQuery,
} from './common.js';
import type {
  AnyDoc,
  DocOf,
  Entity,
  ReindexHandle,
  SearchEngine,
  SearchHit,
  SearchQuery,
  SearchResult,
} from './types.js';

/**
 * PostgreSQL full text search (PGlite in-process, or the PostgreSQL server), tables from migration 7:
 *
 * - search_docs: one row per (tenant, entity, generation, id); `tsv` is a generated column
 *   (title fields weight A, body fields weight B) under a GIN index. Text search configuration
 *   'simple' everywhere: messages come in any language, so no stemmer or stop list may drop or
 *   mangle words (a German or Spanish word through the English stemmer), and Meilisearch does not
 *   stem either, so both engines match the same words. Japanese without spaces is one token per run.
 * - search_generations: per (tenant, entity) the `live` generation searches read and the `building`
 *   one a full reindex fills. commit() flips `live` in one UPDATE: a search is one statement that
 *   reads `live` and the documents from the same snapshot, so it sees the old set or the new one,
 *   never a mix and never nothing.
 * - search_terms: the tenant's vocabulary (every lexeme ever indexed for it) under a trigram index.
 *   Typo tolerance: each plain query word of 5+ characters takes candidates from it by trigram
 *   similarity, keeps those within the allowed Damerau–Levenshtein distance (1 for 5–8 characters,
 *   2 for 9+; a transposition is one typo), and ORs them into that word's tsquery node. Quoted
 *   phrases and -excluded words stay exact, as in Meilisearch.
 */
export class PostgresSearchEngine implements SearchEngine {
  readonly kind = 'postgres' as const;
  /** embedded mode (see vacuumIfDue): documents written since the last VACUUM ANALYZE, the rows it counted */
  private written = 0;
  private vacuumedRows: number | null = null;
  private vacuuming: Promise<void> | null = null;
  constructor(private readonly db: MetadataDb) {}

  async upsert<E extends Entity>(entity: E, tenant: string, docs: DocOf[E][]): Promise<void> {
    checkTenant(tenant);
    checkEntity(entity);
    if (docs.length === 0) {
      return;
    }
    const rows = docs.map((d) => project(entity, tenant, d as AnyDoc));
    await this.db.transaction(async (tx) => {
      const gens = await this.targetGenerations(tx, entity, tenant);
      for (const g of gens) {
        await writeDocs(tx, entity, tenant, g, rows);
      }
    });
    await this.vacuumIfDue(rows.length);
  }

  /**
   * PGlite runs no autovacuum, so without this the planner would never have statistics on the
   * search tables nor up-to-date GIN index statistics (kept in the index's metapage, which only
   * VACUUM refreshes). It then takes (tenant, entity, generation) for a handful of rows and reads
   * every document of the tenant through search_docs_time_type, filtering on the text, and reads the
   * tenant's whole vocabulary through its primary key computing a trigram similarity for every term,
   * both instead of the GIN indexes. In embedded mode the engine vacuums and analyses them itself
   * once the documents it wrote since the last time exceed 50 + the table's rows then (autovacuum's
   * rule with a scale factor of 1 instead of 0.1, so the runs stay a few percent of a bulk load's
   * time and the estimates are never off by more than half; VACUUM also merges the GIN pending lists
   * every search would otherwise scan, and sets the visibility map the index-only facet count of a
   * query without words needs). The server's autovacuum does this on its own.
   */
  private async vacuumIfDue(written: number): Promise<void> {
    if (this.db.mode !== 'embedded' || written === 0) {
      return;
    }
    this.written += written;
    if (this.vacuuming) {
      // the running check counts these next time
      return;
    }
    this.vacuuming = (async () => {
      if (this.vacuumedRows === null) {
        const [r] = await this.db.query<{ rows: number; mods: number }>(
          `SELECT greatest(c.reltuples, 0)::float8 AS rows, coalesce(s.n_mod_since_analyze, 0)::float8 AS mods
           FROM pg_class c LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid WHERE c.oid = 'search_docs'::regclass`
        );
        this.vacuumedRows = Number(r?.rows ?? 0);
        this.written += Number(r?.mods ?? 0);
      }
      if (this.written <= 50 + this.vacuumedRows) {
        return;
      }
      this.written = 0;
      await this.db.query('VACUUM (ANALYZE) search_docs, search_terms');
      const [r] = await this.db.query<{ rows: number }>(
        `SELECT greatest(reltuples, 0)::float8 AS rows FROM pg_class WHERE oid = 'search_docs'::regclass`
      );
      this.vacuumedRows = Number(r?.rows ?? 0);
    })().finally(() => {
      this.vacuuming = null;
    });
    await this.vacuuming;
  }

  async remove(entity: Entity, tenant: string, ids: string[]): Promise<void> {
    checkTenant(tenant);
    checkEntity(entity);
    if (ids.length === 0) {
      return;
    }
    await this.db.transaction(async (tx) => {
      const gens = await this.targetGenerations(tx, entity, tenant);
      await tx.query(
        'DELETE FROM search_docs WHERE tenant_id = $1 AND entity = $2 AND generation = ANY($3::bigint[]) AND id = ANY($4::text[])',
        [tenant, entity, gens, ids]
      );
    });
    await this.vacuumIfDue(ids.length);
  }

  /**
   * live and (during a reindex) building; creates the (tenant, entity) row on first use. Also makes
   * the write's commit asynchronous (see WRITE_GENERATIONS).
   */
  private async targetGenerations(tx: Queryable, entity: Entity, tenant: string): Promise<number[]> {
    // FOR SHARE: a concurrent commit() (FOR UPDATE) waits for this write, and this write for it.
    let [g] = await tx.query<{ live: string; building: string | null }>(WRITE_GENERATIONS, [tenant, entity]);
    if (!g) {
      await tx.query(
        'INSERT INTO search_generations (tenant_id, entity, live) VALUES ($1, $2, 1) ON CONFLICT DO NOTHING',
        [tenant, entity]
      );
      [g] = await tx.query<{ live: string; building: string | null }>(WRITE_GENERATIONS, [tenant, entity]);
    }
    return g ? [Number(g.live), ...(g.building !== null ? [Number(g.building)] : [])] : [];
  }

  async reindex(entity: Entity, tenant: string): Promise<ReindexHandle> {
    checkTenant(tenant);
    checkEntity(entity);
    const gen = await this.db.transaction(async (tx) => {
      await tx.query(
        'INSERT INTO search_generations (tenant_id, entity, live) VALUES ($1, $2, 1) ON CONFLICT DO NOTHING',
        [tenant, entity]
      );
      const [g] = await tx.query<{ live: string; building: string | null }>(
        'SELECT live, building FROM search_generations WHERE tenant_id = $1 AND entity = $2 FOR UPDATE',
        [tenant, entity]
      );
      const live = Number(g?.live ?? 1);
      // A newer reindex supersedes an unfinished one (a crashed crawl): its rows go.
      const next = Math.max(live, Number(g?.building ?? 0)) + 1;
      await tx.query('DELETE FROM search_docs WHERE tenant_id = $1 AND entity = $2 AND generation <> $3', [
        tenant,
        entity,
        live,
      ]);
      await tx.query('UPDATE search_generations SET building = $3 WHERE tenant_id = $1 AND entity = $2', [
        tenant,
        entity,
        next,
      ]);
      return next;
    });
    const db = this.db;
    const vacuumIfDue = (n: number) => this.vacuumIfDue(n);
    let done = false;
    const mine = async (tx: Queryable, lock: 'SHARE' | 'UPDATE') => {
      const [g] = await tx.query<{ live: string; building: string | null }>(
        lock === 'SHARE'
          ? WRITE_GENERATIONS
          : `SELECT live, building FROM search_generations WHERE tenant_id = $1 AND entity = $2 FOR ${lock}`,
        [tenant, entity]
      );
      if (done || !g || g.building === null || Number(g.building) !== gen) {
        throw conflict(
          `the reindex of ${entity} for tenant ${tenant} is no longer current (committed, aborted or superseded by a newer one)`
        );
      }
      return Number(g.live);
    };
    return {
      entity,
      tenant,
      async upsert(docs: AnyDoc[]) {
        if (docs.length === 0) {
          return;
        }
        const rows = docs.map((d) => project(entity, tenant, d));
        await db.transaction(async (tx) => {
          await mine(tx, 'SHARE');
          await writeDocs(tx, entity, tenant, gen, rows);
        });
        await vacuumIfDue(rows.length);
      },
      async commit() {
        const old = await db.transaction(async (tx) => {
          const live = await mine(tx, 'UPDATE');
          await tx.query(
            'UPDATE search_generations SET live = $3, building = NULL, swapped_at = now() WHERE tenant_id = $1 AND entity = $2',
            [tenant, entity, gen]
          );
          return live;
        });
        done = true;
        // After the swap, outside its transaction: searches already read the new generation.
        await db.query('DELETE FROM search_docs WHERE tenant_id = $1 AND entity = $2 AND generation = $3', [
          tenant,
          entity,
          old,
        ]);
        await pruneVocabulary(db, tenant);
      },
      async abort() {
        if (done) {
          return;
        }
        done = true;
        await db.transaction(async (tx) => {
          await tx.query(
            'UPDATE search_generations SET building = NULL WHERE tenant_id = $1 AND entity = $2 AND building = $3',
            [tenant, entity, gen]
          );
          await tx.query('DELETE FROM search_docs WHERE tenant_id = $1 AND entity = $2 AND generation = $3', [
            tenant,
            entity,
            gen,
          ]);
        });
      },
    };
  }

  async search(tenant: string, query: SearchQuery): Promise<SearchResult> {
    const nq = normalizeQuery(tenant, query);
    const expansions = await this.typoExpansions(tenant, nq);
    const params: unknown[] = [tenant, nq.entities];
    const p = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    const full = tsquery(nq, expansions, p, true);
    const exact = tsquery(nq, expansions, p, false);
    const where: string[] = [];
    const f = nq.filters;
    if (f.conversation_id.length) where.push(`d.conversation_id = ANY(${p(f.conversation_id)}::text[])`);
    if (f.sender_id.length) where.push(`d.sender_id = ANY(${p(f.sender_id)}::text[])`);
    if (f.type.length) where.push(`d.type = ANY(${p(f.type)}::text[])`);
    if (f.from !== undefined) where.push(`d.created_at >= ${p(f.from)}::bigint`);
    if (f.to !== undefined) where.push(`d.created_at < ${p(f.to)}::bigint`);
    const orderOf = (t: string) =>
      `${nq.sort === 'time' ? '' : `${t}score DESC, `}${t}created_at DESC, ${t}entity, ${t}id`;
    const order = orderOf('');
    const limit = p(nq.limit);
    const offset = p((nq.page - 1) * nq.limit);
    const filters = where.map((w) => `AND ${w}`).join(' ');
    // One statement: the live generation, the page and the facets come from one snapshot. Only the
    // page's rows' documents are read (by row address, within this statement), so a query matching
    // 100k documents neither copies nor sorts 100k documents.
    let sql: string;
    if (full === EMPTY) {
      // No words: every document (filters apply), newest first whatever the sort (every score is 0).
      // The page is the newest offset+limit of each requested entity from search_docs_time_type,
      // merged; the facets count the documents without sorting or keeping them, from that index alone
      // (it carries the type; migration 13) where the visibility map allows and no filter needs a column
      // it lacks.
      sql = `
      WITH g AS (SELECT entity, live FROM search_generations WHERE tenant_id = $1 AND entity = ANY($2::text[])),
      page AS (
        SELECT x.* FROM g CROSS JOIN LATERAL (
          SELECT d.ctid AS rid, d.entity, d.id, d.created_at, 0::real AS score
          FROM search_docs d WHERE d.tenant_id = $1 AND d.entity = g.entity AND d.generation = g.live ${filters}
          ORDER BY d.created_at DESC, d.id LIMIT ${limit}::int + ${offset}::int
        ) x
        ORDER BY ${order} LIMIT ${limit} OFFSET ${offset}
      ),
      fac AS (
        SELECT d.entity, d.type, count(*)::int AS n
        FROM g JOIN search_docs d ON d.tenant_id = $1 AND d.entity = g.entity AND d.generation = g.live
        WHERE true ${filters} GROUP BY d.entity, d.type
      )`;
    } else {
      // Without typo alternatives the exact query is the full one: one rank, doubled, is the same score.
      const score = expansions.size
        ? 'ts_rank_cd(d.tsv, qq.q) + ts_rank_cd(d.tsv, qq.eq)'
        : 'ts_rank_cd(d.tsv, qq.q) * 2::real';
      sql = `
      WITH qq AS (SELECT ${full} AS q, ${exact} AS eq),
      m AS MATERIALIZED (
        SELECT d.ctid AS rid, d.entity, d.id, d.type, d.created_at,
          CASE WHEN numnode(qq.q) = 0 THEN 0 ELSE ${score} END AS score
        FROM search_generations g
        JOIN search_docs d ON d.tenant_id = g.tenant_id AND d.entity = g.entity AND d.generation = g.live
        CROSS JOIN qq
        WHERE g.tenant_id = $1 AND g.entity = ANY($2::text[])
          AND (numnode(qq.q) = 0 OR d.tsv @@ qq.q)
          ${filters}
      ),
      page AS (SELECT * FROM m ORDER BY ${order} LIMIT ${limit} OFFSET ${offset}),
      fac AS (SELECT entity, type, count(*)::int AS n FROM m GROUP BY entity, type)`;
    }
    sql += `
      SELECT 'hit' AS kind, page.entity, page.id, page.score::float8 AS score, d.doc, NULL::text AS type,
        (row_number() OVER (ORDER BY ${orderOf('page.')}))::int AS n
      FROM page JOIN search_docs d ON d.ctid = page.rid
      UNION ALL
      SELECT 'facet', entity, NULL, NULL, NULL, type, n FROM fac`;
    const rows = await this.db.query<{
      kind: string;
      entity: Entity;
      id: string;
      score: number;
      doc: Record<string, unknown>;
      type: string | null;
      n: number;
    }>(sql, params);
    const facets: SearchResult['facets'] = { entity: Object.fromEntries(nq.entities.map((e) => [e, 0])), type: {} };
    let total = 0;
    const hits: Array<SearchHit & { rn: number }> = [];
    for (const r of rows) {
      if (r.kind === 'facet') {
        total += r.n;
        facets.entity[r.entity] = (facets.entity[r.entity] ?? 0) + r.n;
        if (r.type !== null) {
          facets.type[r.type] = (facets.type[r.type] ?? 0) + r.n;
        }
      } else {
        hits.push({
          entity: r.entity,
          id: r.id,
          score: Number(r.score),
          highlights: {},
          doc: r.doc as unknown as SearchHit['doc'],
          rn: r.n,
        });
      }
    }
    hits.sort((a, b) => a.rn - b.rn);
    if (hits.length && full !== EMPTY) {
      await this.highlight(nq, expansions, hits);
    }
    return { total, hits: hits.map(({ rn: _rn, ...h }) => h), facets };
  }

  private async highlight(nq: NormalQuery, expansions: Map<string, string[]>, hits: SearchHit[]): Promise<void> {
    const idx: number[] = [];
    const fields: string[] = [];
    const texts: string[] = [];
    const options: string[] = [];
    // short texts (names, titles, most messages) whole; long ones as two fragments around matches
    const whole = `StartSel=${PRE}, StopSel=${POST}, HighlightAll=true`;
    const fragments = `StartSel=${PRE}, StopSel=${POST}, MaxWords=30, MinWords=10, MaxFragments=2, FragmentDelimiter="${DELIM}"`;
    hits.forEach((h, i) => {
      const s = SEARCHABLE[h.entity];
      for (const f of [...s.title, ...s.body]) {
        const v = (h.doc as unknown as Record<string, unknown>)[f];
        if (typeof v === 'string' && v) {
          idx.push(i);
          fields.push(f);
          // ts_headline reads the whole text: cap very long file contents
          texts.push(splitTokens(v.length > 200_000 ? v.slice(0, 200_000) : v));
          options.push(s.title.includes(f) || v.length <= 240 ? whole : fragments);
        }
      }
    });
    if (!texts.length) {
      return;
    }
    const params: unknown[] = [idx, fields, texts, options];
    const p = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    const full = tsquery(nq, expansions, p, true);
    const rows = await this.db.query<{ i: number; f: string; h: string }>(
      `SELECT u.i, u.f, ts_headline('simple', u.t, ${full}, u.o) AS h FROM unnest($1::int[], $2::text[], $3::text[], $4::text[]) AS u(i, f, t, o)`,
      params
    );
    for (const r of rows) {
      const hit = hits[r.i];
      const original = hit && (hit.doc as unknown as Record<string, unknown>)[r.f];
      if (hit && typeof original === 'string' && hasMark(r.h)) {
        hit.highlights[r.f] = markup(restore(r.h, original));
      }
    }
  }

  /** query word → vocabulary terms within its typo budget */
  private async typoExpansions(tenant: string, nq: NormalQuery): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    const todo: string[] = [];
    for (const group of parseQuery(nq.q)) {
      for (const item of group) {
        if (item.kind !== 'word' || item.negated) continue;
        const w = words(item.text);
        // only a plain word (one token) gets typo tolerance
        if (w.length === 1 && allowedTypos(w[0] as string) > 0 && !todo.includes(w[0] as string)) {
          todo.push(w[0] as string);
        }
      }
    }
    if (!todo.length) {
      return out;
    }
    await this.db.transaction(async (tx) => {
      for (const w of todo.slice(0, MAX_TYPO_WORDS)) {
        const k = allowedTypos(w);
        const n = [...w].length;
        // A trigram similarity threshold low enough that no word within k edits is missed, then the
        // exact distance decides. Each edit breaks at most 4 of the word's T distinct trigrams (3, a
        // transposition 4), so a term within k edits shares at least T - 4k of them and has at most
        // n + k + 1 itself (the length filter): similarity = shared / (T + its own - shared)
        // ≥ (T - 4k) / (n + 1 + 5k). T is pg_trgm's own count (show_trgm), so non-letters count as it
        // counts them; the small margin covers float rounding. The longer the word, the fewer
        // candidates the trigram index returns and the fewer similarities are computed.
        await tx.query(
          `SELECT set_config('pg_trgm.similarity_threshold',
             greatest(0, (cardinality(show_trgm($1)) - 4 * $2)::float8 / ($3 + 1 + 5 * $2) - 0.001)::text, true)`,
          [w, k, n]
        );
        const cands = await tx.query<{ term: string }>(
          `SELECT term FROM search_terms WHERE tenant_id = $1 AND term % $2 AND length(term) BETWEEN $3 AND $4 AND term <> $2
           ORDER BY similarity(term, $2) DESC, term LIMIT 500`,
          [tenant, w, n - k, n + k]
        );
        const ok = cands
          .map((c) => ({ t: c.term, d: typoCost(w, c.term, k) }))
          .filter((c) => c.d <= k)
          .sort((a, b) => a.d - b.d || (a.t < b.t ? -1 : 1))
          .slice(0, 20)
          .map((c) => c.t);
        if (ok.length) {
          out.set(w, ok);
        }
      }
    });
    return out;
  }

  async close(): Promise<void> {
    // the MetadataDb belongs to the caller
  }
}

/**
 * The generations a document write goes to, locked FOR SHARE, and the write's transaction made to commit
 * without waiting for its WAL flush (synchronous_commit off, for this transaction only): the one wait per
 * crawl batch that is pure latency on the PostgreSQL server. Safe for the crawler, the engine's writer:
 * it commits a batch's cursor after the batch, synchronously, in the same database, and a synchronous
 * commit flushes the WAL up to its own record, so a cursor that survives a crash implies its batch
 * survived too; a batch lost with the last moment's WAL is read again because its cursor was lost with
 * it. (PGlite does not fsync at all.)
 */
const WRITE_GENERATIONS =
  `SELECT live, building, set_config('synchronous_commit', 'off', true) AS async_commit
   FROM search_generations WHERE tenant_id = $1 AND entity = $2 FOR SHARE`;

/**
 * Drops the tenant's vocabulary terms no document holds any more (after a full reindex, which is
 * where removed documents' words are let go). Holds every (tenant, entity) generation row FOR
 * UPDATE, so no upsert adds a term between reading the words in use and deleting the rest.
 */
async function pruneVocabulary(db: MetadataDb, tenant: string): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.query('SELECT 1 FROM search_generations WHERE tenant_id = $1 ORDER BY entity FOR UPDATE', [tenant]);
    await tx.query(
      `WITH used AS MATERIALIZED (
         SELECT word FROM ts_stat(format(
           'SELECT d.tsv FROM search_docs d JOIN search_generations g ON g.tenant_id = d.tenant_id AND g.entity = d.entity
            AND d.generation IN (g.live, g.building) WHERE d.tenant_id = %L', $1::text)))
       DELETE FROM search_terms t WHERE t.tenant_id = $1 AND NOT EXISTS (SELECT 1 FROM used WHERE used.word = t.term)`,
      [tenant]
    );
  });
}

async function writeDocs(
  tx: Queryable,
  entity: Entity,
  tenant: string,
  generation: number,
  rows: ReturnType<typeof project>[]
): Promise<void> {
  // last one wins when a batch repeats an id
  const byId = new Map(rows.map((r) => [r.id, r]));
  const list = [...byId.values()];
  // One statement: the documents, and the tenant's vocabulary for typo tolerance from the tsvectors
  // just written (RETURNING: no second read of the batch, so no plan to get wrong while the table's
  // statistics lag behind a bulk load). Terms too short to ever be a typo candidate are left out (a
  // word gets typos from 5 characters on, one, so a candidate has at least 4).
  await tx.query(
    `WITH w AS (
       INSERT INTO search_docs (tenant_id, entity, generation, id, conversation_id, sender_id, type, created_at, updated_at, doc, title, body)
       SELECT $1, $2, $3, x.id, x.conversation_id, x.sender_id, x.type, x.created_at, x.updated_at, x.doc, x.title, x.body
       FROM jsonb_to_recordset($4::jsonb) AS x(id text, conversation_id text, sender_id text, type text, created_at bigint, updated_at bigint, doc jsonb, title text, body text)
       ON CONFLICT (tenant_id, entity, generation, id) DO UPDATE SET
         conversation_id = EXCLUDED.conversation_id, sender_id = EXCLUDED.sender_id, type = EXCLUDED.type,
         created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at, doc = EXCLUDED.doc,
         title = EXCLUDED.title, body = EXCLUDED.body
       RETURNING tsv
     )
     INSERT INTO search_terms (tenant_id, term)
     SELECT DISTINCT $1::text, t FROM w, unnest(tsvector_to_array(w.tsv)) AS t
     WHERE length(t) BETWEEN 4 AND 64
     ON CONFLICT DO NOTHING`,
    [tenant, entity, generation, JSON.stringify(list)]
  );
}

/** a lexeme as tsquery input: quoted, quotes doubled, backslashes escaped */
function lexeme(t: string): string {
  return `'${t.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

/**
 * The query as SQL over bound parameters: every user word and phrase goes through
 * websearch_to_tsquery (which never raises), typo alternatives are vocabulary lexemes ORed in,
 * -words negated, groups ANDed, "or" between groups. `exact` leaves the alternatives out: it
 * scores exact matches above typo matches.
 */
function tsquery(
  nq: NormalQuery,
  expansions: Map<string, string[]>,
  p: (v: unknown) => string,
  withTypos: boolean
): string {
  const groups = parseQuery(nq.q);
  if (!groups.length) {
    return EMPTY;
  }
  return groups
    .map((g) =>
      g
        .map((item) => {
          const clean = splitTokens(item.text).replace(/"/g, ' ');
          const text = item.kind === 'phrase' ? `"${clean}"` : clean;
          let node = `websearch_to_tsquery('simple', ${p(text)}::text)`;
          const w = words(item.text);
          const alts =
            item.kind === 'word' && !item.negated && w.length === 1 ? expansions.get(w[0] as string) : undefined;
          if (withTypos && alts?.length) {
            node = `(${node} || ${p(alts.map(lexeme).join(' | '))}::text::tsquery)`;
          }
          return item.negated ? `(!! ${node})` : node;
        })
        .join(' && ')
    )
    .map((g) => `(${g})`)
    .join(' || ');
}
const EMPTY = "''::tsquery";

const DELIM = ' … ';

/**
 * ts_headline ran over splitTokens(original) (same length, separators blanked): put the original
 * characters back under the markers, fragment by fragment.
 */
function restore(headline: string, original: string): string {
  const normal = splitTokens(original);
  let from = 0;
  return headline
    .split(DELIM)
    .map((frag) => {
      const plain = frag.split(PRE).join('').split(POST).join('');
      const at = normal.indexOf(plain, from);
      if (at < 0) {
        return frag;
      }
      from = at + plain.length;
      let out = '';
      let k = at;
      for (const ch of frag) {
        if (ch === PRE || ch === POST) {
          out += ch;
        } else {
          out += original.slice(k, k + ch.length);
          k += ch.length;
        }
      }
      return out;
    })
    .join(DELIM);
}
