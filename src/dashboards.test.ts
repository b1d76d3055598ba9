import { readdirSync, readFileSync } from 'fs';
import path from 'path';
import { lastValueFrom } from 'rxjs';
import { Value } from '@sinclair/typebox/value';
import {
  createDataFrame,
  type DataFrame,
  type DataTransformerConfig,
  type TransformerRegistryItem,
  FieldType,
  getFieldDisplayName,
  standardTransformers,
  standardTransformersRegistry,
  transformDataFrame,
} from '@grafana/data';
import { QUERY_KINDS, QUERY_VERSION, SEARCH_ANALYTICS_PARTS } from './datasource/constants';
import { migrateQuery } from './datasource/migrateQuery';
import { toAnalyticsBody, validateQuery } from './datasource/request';
import { searchAnalyticsResponse } from './datasource/test/fixtures';
import { shownPart, toDataFrames } from './datasource/toDataFrames';
import type { CaasQuery } from './datasource/types';
import { parseVariableQuery } from './datasource/variables';
import { DASHBOARDS, OPS_DASHBOARDS } from './constants';

// The backend contract imports './common.js' (NodeNext style); jest resolves paths literally, so point that one
// import at the TypeScript source. The contract is the one source of truth for what the backend accepts.
jest.mock('../backend/src/contracts/common.js', () => jest.requireActual('../backend/src/contracts/common.ts'), {
  virtual: true,
});
const { AnalyticsQuery } =
  require('../backend/src/contracts/analytics.ts') as typeof import('../backend/src/contracts/analytics');

/**
 * Walks every shipped dashboard (CONVENTIONS.md: "a test walks every shipped dashboard and fails on a hard-coded data
 * source uid") and checks what makes them import-ready, provisionable and answerable by the backend.
 */

const ROOT = path.resolve(__dirname, '..');
const DIR = path.join(ROOT, 'dashboards');
const DS_TYPE = 'caas-analytics-datasource';
const DS_REF = { type: DS_TYPE, uid: '${datasource}' };
/** Grafana 12's dashboard schema version (the default of ../shared/schemas/dashboard.jsonschema.json). */
const SCHEMA_VERSION = 42;
const UNITS = new Set(['short', 'percentunit', 'currencyUSD', 'none', 'ms']);

type Json = Record<string, unknown>;
interface Panel extends Json {
  id: number;
  type: string;
  title: string;
  description?: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource?: Json;
  targets?: Json[];
  panels?: Panel[];
  transformations?: DataTransformerConfig[];
  fieldConfig?: { defaults?: Json; overrides?: unknown[] };
}
interface Variable extends Json {
  name: string;
  type: string;
  query?: unknown;
  current?: { text: string; value: string };
  datasource?: Json;
}
interface Dashboard extends Json {
  uid: string;
  title: string;
  __inputs: Json[];
  __requires: Array<{ type: string; id: string }>;
  panels: Panel[];
  templating: { list: Variable[] };
  time: { from: string; to: string };
  tags: string[];
}

const files = readdirSync(DIR).filter((f) => f.endsWith('.json'));
/** The client-facing dashboards on the CAAS Analytics data source, and the operational ones on Prometheus. */
const analyticsFiles = files.filter((f) => DASHBOARDS.some((d) => `${d.file}.json` === f));
const opsFiles = files.filter((f) => OPS_DASHBOARDS.some((d) => `${d.file}.json` === f));
const load = (file: string) => JSON.parse(readFileSync(path.join(DIR, file), 'utf8')) as Dashboard;
const pluginJson = JSON.parse(readFileSync(path.join(ROOT, 'plugin.json'), 'utf8')) as {
  includes: Array<{ type: string; name: string; path?: string; addToNav?: boolean }>;
};

/** Panels, including those nested in collapsed rows. */
function allPanels(d: Dashboard): Panel[] {
  return d.panels.flatMap((p) => (p.type === 'row' ? [p, ...(p.panels ?? [])] : [p]));
}
const queryPanels = (d: Dashboard) => allPanels(d).filter((p) => p.type !== 'row' && p.type !== 'text');

/** Every `datasource` value anywhere in the JSON, with where it was found. */
function datasourceRefs(node: unknown, at = '', out: Array<[string, unknown]> = []): Array<[string, unknown]> {
  if (Array.isArray(node)) {
    node.forEach((v, i) => datasourceRefs(v, `${at}/${i}`, out));
  } else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === 'datasource') {
        out.push([`${at}/${k}`, v]);
      }
      datasourceRefs(v, `${at}/${k}`, out);
    }
  }
  return out;
}

/** `$name` and `${name}` / `${name:format}` references in any string of the JSON. */
function variableRefs(node: unknown, out = new Set<string>()): Set<string> {
  if (typeof node === 'string') {
    for (const m of node.matchAll(/\$\{([A-Za-z0-9_]+)(?::[^}]*)?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g)) {
      out.add((m[1] ?? m[2]) as string);
    }
  } else if (Array.isArray(node)) {
    node.forEach((v) => variableRefs(v, out));
  } else if (node && typeof node === 'object') {
    Object.values(node).forEach((v) => variableRefs(v, out));
  }
  return out;
}

/** Replaces the dashboard's variables by their default values, as Grafana would before querying. */
function interpolator(d: Dashboard): (s: string) => string {
  const values = new Map<string, string>([['tenant', 'acme']]);
  for (const v of d.templating.list) {
    const value = v.current?.value ?? (typeof v.query === 'string' && v.type === 'textbox' ? v.query : undefined);
    if (value !== undefined && v.name !== 'tenant') {
      values.set(v.name, value);
    }
  }
  return (s: string) =>
    s.replace(
      /\$\{([A-Za-z0-9_]+)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
      (all, a?: string, b?: string) => values.get((a ?? b) as string) ?? all
    );
}

function deepInterpolate<T>(node: T, replace: (s: string) => string): T {
  if (typeof node === 'string') {
    return replace(node) as T;
  }
  if (Array.isArray(node)) {
    return node.map((v) => deepInterpolate(v, replace)) as T;
  }
  if (node && typeof node === 'object') {
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, deepInterpolate(v, replace)])) as T;
  }
  return node;
}

describe('dashboards/', () => {
  test('ships exactly the six client-facing and the seven operational dashboards, each with its stable uid', () => {
    expect(files.sort()).toEqual([...DASHBOARDS, ...OPS_DASHBOARDS].map((d) => `${d.file}.json`).sort());
    expect(analyticsFiles).toHaveLength(6);
    expect(opsFiles).toHaveLength(7);
    for (const { file, uid } of [...DASHBOARDS, ...OPS_DASHBOARDS]) {
      expect(load(`${file}.json`).uid).toBe(uid);
    }
    const uids = files.map((f) => load(f).uid);
    expect(new Set(uids).size).toBe(uids.length);
  });

  test('plugin.json includes every analytics dashboard (and nothing that does not exist), off the nav', () => {
    const included = pluginJson.includes.filter((i) => i.type === 'dashboard');
    // The operational dashboards declare a ${DS_PROMETHEUS} input, which the app's import (no inputs) cannot fill.
    expect(included.map((i) => i.path).sort()).toEqual(analyticsFiles.map((f) => `dashboards/${f}`).sort());
    for (const include of included) {
      expect(include.addToNav).toBe(false);
      expect(include.name).toBe(load(path.basename(include.path as string)).title);
    }
    expect(pluginJson.includes).toContainEqual({ type: 'datasource', name: 'CAAS Analytics' });
    expect(pluginJson.includes).toContainEqual(
      expect.objectContaining({ type: 'page', name: 'Analytics', path: '/a/%PLUGIN_ID%/analytics', addToNav: true })
    );
  });

  describe.each(analyticsFiles)('%s', (file) => {
    const d = load(file);
    const panels = allPanels(d);

    test('header: title, caas tag, last 30 days, Grafana 12 schema, description', () => {
      expect(d.title).toMatch(/^CAAS · /);
      expect(d.tags).toContain('caas');
      expect(d.time).toEqual({ from: 'now-30d', to: 'now' });
      expect(d.schemaVersion).toBe(SCHEMA_VERSION);
      expect(d.id).toBeNull();
      expect(typeof d.description === 'string' && d.description.length > 20).toBe(true);
    });

    test('__inputs are consistent: no ${DS_…} placeholder is used or declared (app imports pass no inputs)', () => {
      const placeholders = [...variableRefs(d)].filter((name) => /^DS_/.test(name));
      const declared = d.__inputs.map((i) => i.name);
      expect(placeholders.sort()).toEqual([...declared].sort());
      // Grafana imports an app's bundled dashboards with `inputs: []` (dashboards/README.md): any declared input fails.
      expect(declared).toEqual([]);
    });

    test('__requires lists Grafana, the data source and exactly the panel types used', () => {
      const requires = d.__requires;
      expect(requires).toContainEqual(expect.objectContaining({ type: 'grafana', id: 'grafana' }));
      expect(requires).toContainEqual(expect.objectContaining({ type: 'datasource', id: DS_TYPE }));
      const required = requires.filter((r) => r.type === 'panel').map((r) => r.id);
      const used = [...new Set(panels.filter((p) => p.type !== 'row').map((p) => p.type))];
      expect(required.sort()).toEqual(used.sort());
    });

    test('every data source reference is the $datasource variable of the CAAS type (no literal uid)', () => {
      const refs = datasourceRefs(d);
      expect(refs.length).toBeGreaterThan(panels.length);
      for (const [at, ref] of refs) {
        // Grafana's built-in annotation query is the one exception.
        if (at.startsWith('/annotations') && (ref as Json)?.type === 'grafana') {
          expect(ref).toEqual({ type: 'grafana', uid: '-- Grafana --' });
          continue;
        }
        expect({ at, ref }).toEqual({ at, ref: DS_REF });
      }
    });

    test('variables: a caas data source variable and a tenant variable the data source reads as "tenants"', () => {
      const vars = d.templating.list;
      const names = vars.map((v) => v.name);
      expect(new Set(names).size).toBe(names.length);

      const ds = vars.find((v) => v.name === 'datasource');
      expect(ds).toMatchObject({ type: 'datasource', query: DS_TYPE });

      const tenant = vars.find((v) => v.name === 'tenant');
      expect(tenant).toMatchObject({ type: 'query', datasource: DS_REF });
      expect(parseVariableQuery(tenant?.query as string).name).toBe('tenants');

      // Every variable used anywhere is defined (or one of Grafana's own $__ variables).
      const used = [...variableRefs({ panels: d.panels, templating: d.templating })].filter((n) => !n.startsWith('__'));
      for (const name of used) {
        expect({ name, defined: names.includes(name) }).toEqual({ name, defined: true });
      }
    });

    test('panels: unique ids, inside the 24-column grid, no overlaps, titled, described, with a unit', () => {
      const ids = panels.map((p) => p.id);
      expect(ids.every((id) => Number.isInteger(id) && id > 0)).toBe(true);
      expect(new Set(ids).size).toBe(ids.length);

      const boxes = d.panels.map((p) => ({ id: p.id, ...p.gridPos }));
      for (const b of boxes) {
        expect(b.x >= 0 && b.w > 0 && b.x + b.w <= 24 && b.h > 0 && b.y >= 0).toBe(true);
      }
      for (const [i, a] of boxes.entries()) {
        for (const b of boxes.slice(i + 1)) {
          const overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
          expect({ a: a.id, b: b.id, overlap }).toEqual({ a: a.id, b: b.id, overlap: false });
        }
      }

      for (const p of queryPanels(d)) {
        expect(p.title.length).toBeGreaterThan(3);
        expect((p.description ?? '').length).toBeGreaterThan(10);
        expect(UNITS.has(p.fieldConfig?.defaults?.unit as string)).toBe(true);
      }
    });

    test('targets: versioned, tenant-scoped, a known kind, already migrated, valid, and accepted by the contract', () => {
      const replace = interpolator(d);
      const targets = queryPanels(d).flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, t })));
      expect(targets.length).toBeGreaterThanOrEqual(queryPanels(d).length);

      for (const p of queryPanels(d)) {
        const refIds = (p.targets ?? []).map((t) => t.refId);
        expect(new Set(refIds).size).toBe(refIds.length);
      }
      for (const { panel, t } of targets) {
        expect({ panel, version: t.version }).toEqual({ panel, version: QUERY_VERSION });
        expect({ panel, tenant: t.tenant }).toEqual({ panel, tenant: '$tenant' });
        expect((QUERY_KINDS as readonly string[]).includes(t.kind as string)).toBe(true);

        // A saved query that is already current comes back unchanged: old-format leftovers would be rewritten.
        expect(migrateQuery(t as unknown as CaasQuery)).toBe(t);

        const query = deepInterpolate(t, replace) as unknown as CaasQuery;
        expect({ panel, problem: validateQuery(query) }).toEqual({ panel, problem: undefined });
        if (query.kind === 'annotations') {
          continue;
        }
        const body = toAnalyticsBody(query, { from: 1_700_000_000_000, to: 1_702_592_000_000, tenant: 'acme' });
        const errors = [...Value.Errors(AnalyticsQuery, body)].map((e) => `${e.path} ${e.message}`);
        expect({ panel, errors }).toEqual({ panel, errors: [] });
      }
    });
  });
});

describe('cost-tracking: usage × price per event', () => {
  beforeAll(() => {
    // What Grafana registers at start-up (some transformers are exported under two names: keep one per id).
    const byId = new Map(
      Object.values(standardTransformers).map((transformation) => [transformation.id, transformation])
    );
    standardTransformersRegistry.setInit(() =>
      [...byId.values()].map(
        (transformation) =>
          ({ id: transformation.id, name: transformation.name, transformation }) as unknown as TransformerRegistryItem
      )
    );
  });

  const d = load('cost-tracking.json');
  const prices = Object.fromEntries(
    d.templating.list
      .filter((v) => v.name.startsWith('price_'))
      .map((v) => [v.name.slice('price_'.length), v.current?.value])
  );
  const replace = interpolator(d);
  const panel = (title: string) => {
    const found = d.panels.find((p) => p.title === title);
    if (!found) {
      throw new Error(`no panel ${title}`);
    }
    return found;
  };

  /** What the backend answers for a timeseries grouped by type: one wide frame, one labelled field per type. */
  function usageFrame(countField: string): DataFrame {
    return createDataFrame({
      refId: 'A',
      name: countField,
      fields: [
        { name: 'time', type: FieldType.time, values: [1, 2, 3] },
        {
          name: countField,
          type: FieldType.number,
          labels: { type: 'call_started' },
          values: [10, 0, 5],
          config: { unit: 'short' },
        },
        {
          name: countField,
          type: FieldType.number,
          labels: { type: 'message_sent' },
          values: [1000, 2000, 0],
          config: { unit: 'short' },
        },
        {
          name: countField,
          type: FieldType.number,
          labels: { type: 'file_shared' },
          values: [4, 6, 8],
          config: { unit: 'short' },
        },
      ],
    });
  }

  async function run(transformations: DataTransformerConfig[], frame: DataFrame) {
    const out = await lastValueFrom(transformDataFrame(transformations, [frame], { interpolate: replace }));
    expect(out).toHaveLength(1);
    const result = out[0] as DataFrame;
    return Object.fromEntries(result.fields.map((f) => [getFieldDisplayName(f, result, out), f]));
  }

  test('prices are textbox variables per event type with numeric defaults, and the description says "per event"', () => {
    expect(Object.keys(prices).sort()).toEqual(['call_started', 'file_shared', 'message_sent', 'user_active']);
    expect(prices.message_sent).toBe('0.0001');
    for (const value of Object.values(prices)) {
      expect(Number.isFinite(Number(value))).toBe(true);
    }
    expect(d.description).toMatch(/per event/);
    expect(d.templating.list.filter((v) => v.name.startsWith('price_')).every((v) => v.type === 'textbox')).toBe(true);
  });

  test.each(['events', 'count'])(
    'the stat panel turns counts into costs per type and a total, whatever the count field is called (%s)',
    async (countField) => {
      const fields = await run(panel('Estimated cost in range').transformations ?? [], usageFrame(countField));
      expect(Object.keys(fields).sort()).toEqual([
        'call_started cost',
        'file_shared cost',
        'message_sent cost',
        'time',
        'total cost',
      ]);

      const p = (type: string) => Number(prices[type]);
      expect(fields['message_sent cost']?.values).toEqual([1000 * p('message_sent'), 2000 * p('message_sent'), 0]);
      expect(fields['call_started cost']?.values).toEqual([10 * p('call_started'), 0, 5 * p('call_started')]);
      const total = fields['total cost']?.values as number[];
      expect(total[0]).toBeCloseTo(1000 * p('message_sent') + 10 * p('call_started') + 4 * p('file_shared'), 10);
      expect(total[2]).toBeCloseTo(5 * p('call_started') + 8 * p('file_shared'), 10);

      // New fields carry no unit of their own, so the panel's currencyUSD applies (a field's own unit would win).
      expect(fields['message_sent cost']?.config.unit).toBeUndefined();
      expect(panel('Estimated cost in range').fieldConfig?.defaults?.unit).toBe('currencyUSD');
    }
  );

  test('the daily cost panel stacks per-type costs only (no total that would double the stack)', async () => {
    const fields = await run(panel('Daily cost by event type').transformations ?? [], usageFrame('events'));
    expect(Object.keys(fields).sort()).toEqual(['call_started cost', 'file_shared cost', 'message_sent cost', 'time']);
  });
});

describe('search-analytics: one part of the search_analytics answer per panel', () => {
  const d = load('search-analytics.json');
  const byTitle = Object.fromEntries(
    queryPanels(d).map((p) => [p.title, { panel: p, query: migrateQuery(p.targets?.[0] as unknown as CaasQuery) }])
  );

  test('volume and latency are time series, popular and zero-result queries tables, each its own part', () => {
    expect(
      Object.entries(byTitle).map(([title, { panel, query }]) => [title, panel.type, query.kind, shownPart(query)])
    ).toEqual([
      ['Search volume · $tenant', 'timeseries', 'search_analytics', 'volume'],
      ['Search latency p50 / p95', 'timeseries', 'search_analytics', 'latency'],
      ['Popular queries', 'table', 'search_analytics', 'popular'],
      ['Zero-result queries', 'table', 'search_analytics', 'zero_results'],
    ]);
    for (const { panel, query } of Object.values(byTitle)) {
      const part = shownPart(query);
      expect(part && SEARCH_ANALYTICS_PARTS[part].time).toBe(panel.type === 'timeseries');
    }
  });

  test("each panel gets one frame with its part's columns, in the panel's unit", () => {
    const drawn = Object.fromEntries(
      Object.entries(byTitle).map(([title, { panel, query }]) => {
        const frames = toDataFrames(searchAnalyticsResponse, 'A', shownPart(query));
        expect(frames).toHaveLength(1);
        const fields = (frames[0] as DataFrame).fields;
        // A frame's own unit wins over the panel default: they agree on every value column of a chart.
        if (panel.type === 'timeseries') {
          for (const f of fields.filter((field) => field.type === FieldType.number)) {
            expect({ title, unit: f.config.unit }).toEqual({ title, unit: panel.fieldConfig?.defaults?.unit });
          }
        }
        return [title, fields.map((f) => f.name)];
      })
    );
    expect(drawn).toEqual({
      'Search volume · $tenant': ['time', 'searches'],
      'Search latency p50 / p95': ['time', 'p50', 'p95'],
      'Popular queries': ['query', 'searches', 'users', 'average results', 'zero results'],
      'Zero-result queries': ['query', 'searches', 'users', 'last searched'],
    });
  });
});

/**
 * The operational dashboards (issue "Alert management": seed 000 6.1–6.2, seed 004) read Prometheus. Import-ready:
 * a `${DS_PROMETHEUS}` input that Grafana's import fills, and a data source variable of the same name that resolves
 * it where nothing is imported (file provisioning keeps the placeholder: grafana/grafana#10786). That every PromQL
 * target answers with data on a real Prometheus is backend/test/ops-dashboards.test.ts.
 */
describe('operational dashboards (Prometheus)', () => {
  const PROM_REF = { type: 'prometheus', uid: '${DS_PROMETHEUS}' };
  const OPS_UNITS = new Set([
    'short',
    'none',
    'percent',
    'percentunit',
    's',
    'reqps',
    'ops',
    'µs',
    'bytes',
    'd',
    'dtdurations',
  ]);
  const BUILTINS = new Set(['__rate_interval', '__interval', '__range', '__all']);

  describe.each(opsFiles)('%s', (file) => {
    const d = load(file) as Dashboard & { refresh?: string; annotations: { list: Json[] } };
    const panels = allPanels(d);

    test('header: "CAAS Ops · " title, caas-ops tag (its own links menu), last 3 hours, refreshing, Grafana 12 schema', () => {
      expect(d.title).toMatch(/^CAAS Ops · /);
      expect(d.tags).toContain('caas-ops');
      expect(d.tags).not.toContain('caas'); // the analytics dashboards' links menu keeps to analytics
      expect(d.links).toEqual([expect.objectContaining({ type: 'dashboards', tags: ['caas-ops'], keepTime: true })]);
      expect(d.time).toEqual({ from: 'now-3h', to: 'now' });
      expect(d.refresh).toBe('30s');
      expect(d.schemaVersion).toBe(SCHEMA_VERSION);
      expect(d.id).toBeNull();
      expect(typeof d.description === 'string' && d.description.length > 40).toBe(true);
    });

    test('import-ready: one ${DS_PROMETHEUS} input, used everywhere, and a data source variable of that name', () => {
      expect(d.__inputs).toEqual([
        expect.objectContaining({
          name: 'DS_PROMETHEUS',
          type: 'datasource',
          pluginId: 'prometheus',
          pluginName: 'Prometheus',
        }),
      ]);
      const placeholders = [...variableRefs(d)].filter((name) => /^DS_/.test(name));
      expect(placeholders).toEqual(['DS_PROMETHEUS']);
      const ds = d.templating.list.find((v) => v.name === 'DS_PROMETHEUS');
      expect(ds).toMatchObject({ type: 'datasource', query: 'prometheus' });
      expect(ds?.current).toBeUndefined(); // picked at load time: the default Prometheus
    });

    test('__requires lists Grafana, Prometheus and exactly the panel types used', () => {
      expect(d.__requires).toContainEqual(expect.objectContaining({ type: 'grafana', id: 'grafana' }));
      expect(d.__requires).toContainEqual(expect.objectContaining({ type: 'datasource', id: 'prometheus' }));
      const required = d.__requires.filter((r) => r.type === 'panel').map((r) => r.id);
      expect(required.sort()).toEqual([...new Set(panels.map((p) => p.type))].sort());
    });

    test('every data source reference is ${DS_PROMETHEUS} (no literal uid)', () => {
      const refs = datasourceRefs(d);
      expect(refs.length).toBeGreaterThan(panels.length * 2);
      for (const [at, ref] of refs) {
        if (at.startsWith('/annotations') && (ref as Json)?.type === 'grafana') {
          expect(ref).toEqual({ type: 'grafana', uid: '-- Grafana --' });
          continue;
        }
        expect({ at, ref }).toEqual({ at, ref: PROM_REF });
      }
    });

    test('variables: every one used is defined; query variables are label_values over All or picked values', () => {
      const names = d.templating.list.map((v) => v.name);
      expect(new Set(names).size).toBe(names.length);
      const used = [...variableRefs({ panels: d.panels, templating: d.templating, annotations: d.annotations })].filter(
        (n) => !BUILTINS.has(n)
      );
      for (const name of used) {
        expect({ name, defined: names.includes(name) }).toEqual({ name, defined: true });
      }
      for (const v of d.templating.list.filter((x) => x.type === 'query')) {
        expect(v.query).toMatch(/^label_values\(\w+, \w+\)$/);
        expect(v).toMatchObject({
          datasource: PROM_REF,
          multi: true,
          includeAll: true,
          allValue: '.*',
          definition: v.query,
        });
      }
    });

    test('panels: unique ids, inside the grid, no overlaps, titled, described, a known unit, PromQL targets', () => {
      const ids = panels.map((p) => p.id);
      expect(new Set(ids).size).toBe(ids.length);
      const boxes = d.panels.map((p) => ({ id: p.id, ...p.gridPos }));
      for (const b of boxes) {
        expect(b.x >= 0 && b.w > 0 && b.x + b.w <= 24 && b.h > 0 && b.y >= 0).toBe(true);
      }
      for (const [i, a] of boxes.entries()) {
        for (const b of boxes.slice(i + 1)) {
          const overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
          expect({ a: a.id, b: b.id, overlap }).toEqual({ a: a.id, b: b.id, overlap: false });
        }
      }
      for (const p of panels) {
        expect(p.title.length).toBeGreaterThan(3);
        expect((p.description ?? '').length).toBeGreaterThan(10);
        expect({ title: p.title, unit: OPS_UNITS.has(p.fieldConfig?.defaults?.unit as string) }).toEqual({
          title: p.title,
          unit: true,
        });
        const targets = p.targets ?? [];
        expect(targets.length).toBeGreaterThan(0);
        expect(new Set(targets.map((t) => t.refId)).size).toBe(targets.length);
        for (const t of targets) {
          const expr = t.expr as string;
          expect(typeof expr === 'string' && expr.length > 2).toBe(true);
          // brackets balance (a typo Grafana would only show as an error on the panel)
          for (const [open, close] of ['()', '[]', '{}']) {
            const count = (c: string) => expr.split(c).length - 1;
            expect({ expr, balanced: count(open as string) === count(close as string) }).toEqual({
              expr,
              balanced: true,
            });
          }
          // rates over Grafana's $__rate_interval, or a fixed window the panel names
          for (const m of expr.matchAll(/(?<=[\w}])\[([^\]]+)\]/g)) {
            expect(['$__rate_interval', '5m', '1h']).toContain(m[1]);
          }
        }
      }
    });

    test('the standard alert thresholds are drawn where their quantity is shown', () => {
      const threshold = (title: string) =>
        (
          panels.find((p) => p.title === title)?.fieldConfig?.defaults?.thresholds as {
            steps: Array<{ value: number | null }>;
          }
        )?.steps.map((s) => s.value);
      if (file === 'ops-platform-overview.json') {
        expect(threshold('5xx error rate')).toContain(0.01);
        expect(threshold('p99 latency')).toContain(0.5);
        expect(threshold('Max consumer lag')).toContain(10000);
        expect(threshold('Node CPU busy')).toContain(80);
        expect(threshold('Node memory used')).toContain(85);
        expect(threshold('Disk used')).toContain(80);
        expect(threshold('Certificates: days left')).toContain(30);
      }
      if (file === 'ops-socket-service.json') {
        expect(threshold('Disconnects / min')).toContain(1000);
        expect(threshold('Disconnects per minute by reason')).toContain(1000);
      }
      if (file === 'ops-kafka.json') {
        expect(threshold('Lag by group and topic')).toContain(10000);
      }
      expect(panels.length).toBeGreaterThanOrEqual(10);
    });
  });
});
