/**
 * The demo CAAS platform: deterministic for a seed, believable and consistent data (users with handles,
 * direct and group conversations, messages in four languages with the search test words, real files, edits
 * and deletions), and a server that keeps the contract and refuses bad requests with a reason.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ENTITIES, validateItem } from '../src/crawler/source.js';
import { generatePlatform, startDemoPlatform, type PlatformData } from '../src/demo/caas-platform/index.js';

const END = Date.UTC(2026, 10, 1, 12, 0);
const records = (d: PlatformData) =>
  JSON.stringify(
    [...d.tenants].map(([tenant, t]) => [tenant, ENTITIES.map((e) => [...(t[e] as Map<string, unknown>).values()]), t.deleted])
  );

test('the same seed and end give the same platform; another seed another one', async () => {
  const a = await generatePlatform({ seed: 9, end: END });
  const b = await generatePlatform({ seed: 9, end: END });
  const c = await generatePlatform({ seed: 10, end: END });
  assert.equal(records(a), records(b));
  assert.notEqual(records(a), records(c));
  const pdfs = (d: PlatformData) => [...d.tenants.get('acme')!.blobs.values()].filter((b) => b.mime === 'application/pdf').map((b) => b.bytes.toString('base64'));
  assert.deepEqual(pdfs(a), pdfs(b), 'PDF bytes too');
});

test('the data is consistent and believable', async () => {
  const d = await generatePlatform({ seed: 1, end: END });
  assert.deepEqual([...d.tenants.keys()], ['acme', 'globex', 'initech']);
  const allText: string[] = [];
  for (const [tenant, t] of d.tenants) {
    for (const e of ENTITIES) {
      for (const it of (t[e] as Map<string, { id: string; updated_at: number }>).values()) {
        const r = validateItem(e, e === 'files' ? { ...it, download_url: 'http://x/y' } : it, tenant);
        assert.ok(r.ok, !r.ok ? `${tenant}/${e}: ${r.reason}` : '');
        assert.ok(it.updated_at <= END, 'nothing in the future');
      }
    }
    const handles = [...t.users.values()].map((u) => u.handle);
    assert.equal(new Set(handles).size, handles.length, 'handles are unique');
    for (const h of handles) assert.match(h, /^[a-z0-9]+\.[a-z0-9]+$/);
    const convs = [...t.conversations.values()];
    assert.ok(convs.some((c) => c.kind === 'direct') && convs.some((c) => c.kind === 'group'));
    for (const c of convs) {
      if (c.kind === 'direct') assert.equal(c.member_ids.length, 2);
      else assert.ok(c.member_ids.length >= 3);
      for (const m of c.member_ids) assert.ok(t.users.has(m), `member ${m} is a user`);
    }
    const msgs = [...t.messages.values()];
    for (const m of msgs) {
      const c = t.conversations.get(m.conversation_id);
      assert.ok(c, 'a message is in a conversation');
      assert.ok(c.member_ids.includes(m.sender_id), 'the sender is a member');
    }
    const edited = msgs.filter((m) => m.updated_at > m.created_at);
    assert.ok(edited.length >= 5, `edits (${edited.length})`);
    assert.ok(t.deleted.messages.length >= 3, 'deletions');
    for (const del of t.deleted.messages) {
      assert.ok(!t.messages.has(del.id));
      assert.ok(del.deleted_at <= END);
    }
    const names = [...t.files.values()].map((f) => f.name);
    assert.ok(names.some((n) => n.endsWith('.pdf')) && names.some((n) => n.endsWith('.docx')) && names.includes('offsite-notes.txt') && names.includes('scan-0042.pdf'));
    for (const f of t.files.values()) assert.equal(t.blobs.get(f.id)!.bytes.length, f.size);
    allText.push(...msgs.map((m) => m.text), ...[...t.users.values()].map((u) => u.name));
  }
  const all = allText.join('\n');
  assert.match(all, /[\u3040-\u30ff\u4e00-\u9fff]/, 'Japanese');
  assert.match(all, /\b(Hast du|Können wir|Danke|Treffen wir)\b/, 'German');
  assert.match(all, /[¿¡]/, 'Spanish');
  for (const w of ['receive', 'message', 'internationalisation']) assert.match(all, new RegExp(`\\b${w}\\b`), `the search word "${w}"`);
  assert.match(all, /[äöüßñáéí]/, 'accented names and words');
});

test('the server keeps the contract and explains bad requests', async () => {
  const p = await startDemoPlatform({ seed: 2, tenants: ['acme'], token: 'tok', messagesPerTenant: 20 });
  const get = (path: string, token: string | null = 'tok') => fetch(`${p.url}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  try {
    const unauth = await get('/users?tenant_id=acme', null);
    assert.equal(unauth.status, 401);
    assert.match(unauth.headers.get('www-authenticate') ?? '', /Bearer/);
    assert.match(((await unauth.json()) as { error: { message: string } }).error.message, /bearer token is required/);
    for (const [path, status, reason] of [
      ['/users', 400, /tenant_id is required/],
      ['/users?tenant_id=acme&limit=0', 400, /limit must be from 1 to 1000/],
      ['/users?tenant_id=acme&limit=5000', 400, /limit must be from 1 to 1000/],
      ['/users?tenant_id=acme&updated_since=yesterday', 400, /updated_since must be a whole number/],
      ['/users/deleted?tenant_id=acme&since=-1', 400, /since must be a whole number/],
      ['/users?tenant_id=acme&cursor=abc', 400, /cursor is not one this API gave out/],
      ['/channels?tenant_id=acme', 404, /entities: messages, files, users, conversations/],
      ['/files/nope/download', 404, /no file nope/],
    ] as const) {
      const r = await get(path);
      assert.equal(r.status, status, path);
      assert.match(((await r.json()) as { error: { message: string } }).error.message, reason, path);
    }
    const badEscape = await get('/files/%E0%A4%A/download');
    assert.equal(badEscape.status, 400, 'a malformed %-escape is a 400, not a crash');
    const post = await fetch(`${p.url}/users?tenant_id=acme`, { method: 'POST', headers: { authorization: 'Bearer tok' } });
    assert.equal(post.status, 405);
    const ok = (await (await get('/conversations?tenant_id=acme&limit=2')).json()) as { items: unknown[]; next_cursor: string | null };
    assert.equal(ok.items.length, 2);
    assert.equal(typeof ok.next_cursor, 'string');
    const deletedFile = p.data.tenants.get('acme')!.deleted.files[0]!;
    assert.equal((await get(`/files/${deletedFile.id}/download`)).status, 404, 'a deleted file is gone');
  } finally {
    await p.close();
  }
});

test('live mode keeps the platform changing', async () => {
  const p = await startDemoPlatform({ seed: 2, tenants: ['acme'], messagesPerTenant: 10, liveEveryMs: 40 });
  try {
    const n0 = p.data.tenants.get('acme')!.messages.size + p.data.tenants.get('acme')!.deleted.messages.length;
    await new Promise((r) => setTimeout(r, 250));
    const n1 = p.data.tenants.get('acme')!.messages.size + p.data.tenants.get('acme')!.deleted.messages.length;
    assert.ok(n1 > n0, `new messages over time (${n0} → ${n1})`);
  } finally {
    await p.close();
  }
});
