import type { MetadataDb } from '../store/metadata-db.js';
import { MeiliSearchEngine, meiliConfigFromEnv } from './meili-engine.js';
import { PostgresSearchEngine } from './postgres-engine.js';
import type { SearchEngine } from './types.js';

export * from './types.js';
export { PostgresSearchEngine } from './postgres-engine.js';
export { MeiliSearchEngine, meiliConfigFromEnv, type MeiliConfig } from './meili-engine.js';

/**
 * The engine the configuration asks for (DESIGN.md "Two modes"): Meilisearch when MEILI_URL is set,
 * PostgreSQL full text in the metadata store (PGlite, or the server with DATABASE_URL) otherwise.
 */
export async function createSearchEngine(db: MetadataDb, env: NodeJS.ProcessEnv = process.env): Promise<SearchEngine> {
  const meili = meiliConfigFromEnv(env);
  if (meili) {
    const engine = new MeiliSearchEngine(meili);
    await engine.ready();
    return engine;
  }
  return new PostgresSearchEngine(db);
}
