import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { labels } from './labels';
import { APP_PAGES, CONFIG_PAGE, DEFAULT_PAGE, pageForFeature, pageIncludes, prefixRoute, ROUTES } from './routes';

/** plugin.json as Grafana reads it (src/plugin.json is a link to the root one). */
const pluginJson = JSON.parse(readFileSync(path.join(__dirname, '..', 'plugin.json'), 'utf8')) as {
  includes: Array<{ type: string; path?: unknown; name?: unknown }>;
};
const pagesInPluginJson = () => pluginJson.includes.filter((i) => i.type === 'page');

/** What differs between plugin.json's page includes and the table's, in words (empty when they agree). */
function disagreements(includes: ReadonlyArray<{ path?: unknown }>): string[] {
  const expected = pageIncludes();
  const problems: string[] = [];
  for (const page of expected) {
    const found = includes.find((i) => i.path === page.path);
    if (!found) {
      problems.push(`plugin.json has no page include for ${page.path} (${page.name})`);
    } else if (JSON.stringify(found, Object.keys(found).sort()) !== JSON.stringify(page, Object.keys(page).sort())) {
      problems.push(
        `plugin.json's include for ${page.path} is ${JSON.stringify(found)}, the table says ${JSON.stringify(page)}`
      );
    }
  }
  for (const include of includes) {
    if (!expected.some((p) => p.path === include.path)) {
      problems.push(`plugin.json has a page include for ${String(include.path)} that no route in src/routes.ts serves`);
    }
  }
  if (problems.length === 0 && includes.map((i) => i.path).join() !== expected.map((p) => p.path).join()) {
    problems.push(
      `plugin.json lists the pages in another order than the table: ${expected.map((p) => p.name).join(', ')}`
    );
  }
  return problems;
}

describe('routes: one table for the router and the nav (issue "Platform", part 6)', () => {
  test("plugin.json's page includes are exactly the ones the route table yields, in order", () => {
    // When this fails, add or change the page in src/routes.ts and copy pageIncludes()'s entry into plugin.json.
    expect(disagreements(pagesInPluginJson())).toEqual([]);
    expect(pagesInPluginJson()).toEqual(pageIncludes());
  });

  test('the check names a page missing from plugin.json, one the table lacks, and a changed one', () => {
    const includes = pageIncludes();
    expect(disagreements(includes.filter((i) => i.name !== labels.nav.analytics))).toEqual([
      'plugin.json has no page include for /a/%PLUGIN_ID%/analytics (Analytics)',
    ]);
    expect(disagreements([...includes, { ...includes[0]!, name: 'SLA', path: '/a/%PLUGIN_ID%/sla' }])).toEqual([
      'plugin.json has a page include for /a/%PLUGIN_ID%/sla that no route in src/routes.ts serves',
    ]);
    const renamed = includes.map((i) => (i.name === labels.nav.analytics ? { ...i, name: 'Explorer' } : i));
    expect(disagreements(renamed)).toHaveLength(1);
    expect(disagreements(renamed)[0]).toMatch(/include for \/a\/%PLUGIN_ID%\/analytics is .*"Explorer"/);
    expect(disagreements([...includes].reverse())[0]).toMatch(/another order/);
  });

  test('every ROUTES value has exactly one page, and exactly one page is the default nav', () => {
    expect(APP_PAGES.map((p) => p.route).sort()).toEqual(Object.values(ROUTES).sort());
    expect(APP_PAGES.filter((p) => p.defaultNav)).toEqual([DEFAULT_PAGE]);
    expect(DEFAULT_PAGE.route).toBe(ROUTES.Home);
  });

  test('every page folder under src/pages is a page of the table or the Configuration page', () => {
    const folders = readdirSync(path.join(__dirname, 'pages'), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name.toLowerCase());
    const known = [...APP_PAGES.map((p) => p.route as string), 'settings'];
    expect(folders.filter((f) => !known.includes(f))).toEqual([]);
  });

  test('the Configuration include is the config page module.tsx adds, for Admins', () => {
    const config = pageIncludes().at(-1);
    expect(config).toEqual({
      type: 'page',
      name: labels.nav.configuration,
      path: CONFIG_PAGE.path,
      icon: 'cog',
      role: 'Admin',
      addToNav: true,
    });
  });

  test('prefixRoute, and the Home feature cards find the page that fulfils them', () => {
    expect(prefixRoute(ROUTES.Analytics)).toBe('/a/caas-observatory-app/analytics');
    expect(pageForFeature('analytics')?.route).toBe(ROUTES.Analytics);
    expect(pageForFeature('search')?.route).toBe(ROUTES.Search);
    expect(pageForFeature('sla')).toBeUndefined();
    // Every feature a page claims is one Home presents.
    const features = labels.home.features.map((f) => f.id as string);
    for (const page of APP_PAGES.filter((p) => p.feature)) {
      expect(features).toContain(page.feature);
    }
  });
});
