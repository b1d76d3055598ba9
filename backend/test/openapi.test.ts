import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startApp, type TestApp } from './helpers.js';

interface Operation {
  security?: unknown[];
  description?: string;
  responses?: Record<string, unknown>;
  tags?: string[];
}

/** Issue "Platform", part 1: an OpenAPI document generated from the routes' own schemas. */
describe('OpenAPI document and browser', () => {
  let t: TestApp;
  before(async () => {
    t = await startApp();
  });
  after(async () => t.close());

  it('GET /openapi.json lists every route with its security, roles and responses', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/openapi.json' });
    assert.equal(res.statusCode, 200);
    const doc = res.json() as { openapi: string; paths: Record<string, Record<string, Operation>>; components: { securitySchemes: Record<string, unknown> } };
    assert.match(doc.openapi, /^3\./);
    assert.ok(doc.components.securitySchemes.apiKey, 'the bearer key scheme');
    const routes = t.app.routeTable.filter((r) => !r.url.startsWith('/docs') && r.url !== '/openapi.json');
    assert.ok(routes.length >= 15, `${routes.length} routes`);
    for (const r of routes) {
      const path = r.url.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}');
      const op = doc.paths[path]?.[r.method.toLowerCase()];
      assert.ok(op, `${r.method} ${r.url} is in the document`);
      assert.ok(op.tags?.length, `${r.method} ${r.url} has a tag`);
      assert.ok(Object.keys(op.responses ?? {}).some((s) => /^2/.test(s)), `${r.method} ${r.url} documents its success answer`);
      if (r.access.kind === 'api-key') {
        assert.deepEqual(op.security, [{ apiKey: [] }], `${r.method} ${r.url} needs the key`);
        for (const role of r.access.roles) {
          assert.match(op.description ?? '', new RegExp(`Roles: .*${role}`), `${r.method} ${r.url} names role ${role}`);
        }
        assert.ok(op.responses?.['401'] || op.responses?.['403'], `${r.method} ${r.url} documents its auth errors`);
      } else if (r.access.kind === 'signed-link') {
        assert.deepEqual(op.security, [{ signedLink: [] }], `${r.method} ${r.url} needs a signed link`);
      } else if (r.access.kind === 'action-link') {
        assert.deepEqual(op.security, [{ actionLink: [] }], `${r.method} ${r.url} needs a signed action link`);
      } else if (r.access.kind === 'webhook') {
        assert.deepEqual(op.security, [{ webhookSecret: [] }], `${r.method} ${r.url} needs a webhook secret`);
      } else {
        assert.equal(op.security, undefined, `${r.method} ${r.url} is public`);
      }
    }
    const created = doc.paths['/v1/keys']?.post?.responses?.['201'] as { content: Record<string, { schema: { properties: Record<string, unknown> } }> };
    assert.ok(created.content['application/json']?.schema.properties.key, 'the created key is described');
  });

  it('GET /docs serves the browsable page without a key', async () => {
    let res = await t.app.inject({ method: 'GET', url: '/docs' });
    if (res.statusCode === 302) {
      res = await t.app.inject({ method: 'GET', url: String(res.headers.location).startsWith('/') ? String(res.headers.location) : `/docs/${String(res.headers.location)}` });
    }
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /swagger/i);
  });

  it('answers carry ISO 8601 timestamps', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/v1/tenants', headers: t.admin, payload: { id: 'iso', name: 'ISO' } });
    assert.equal(res.statusCode, 201, res.body);
    assert.match((res.json() as { created_at: string }).created_at, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });
});
