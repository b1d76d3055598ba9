import type { ConversationDoc, SearchEngine, SearchHit, UserDoc } from './types.js';

/** Who and where a message or file hit belongs to, as a reader of the result needs it (names, not ids). */
export interface HitContext {
  conversation?: { id: string; title: string; kind: string };
  sender?: { id: string; name: string; handle: string };
}

/** The engine's page size limit: ids are looked up in chunks of it. */
const CHUNK = 100;

function chunks<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) {
    out.push(items.slice(i, i + CHUNK));
  }
  return out;
}

/**
 * The conversation and the sender (messages) or uploader (files) of each hit, looked up in the same tenant's index
 * (conversations by their own id, users by theirs: the `conversation_id` and `sender_id` filters). A conversation or
 * user not (yet) indexed is left out; the hit keeps its ids in `doc`.
 */
export async function hitContexts(engine: SearchEngine, tenant: string, hits: readonly SearchHit[]): Promise<Map<string, HitContext>> {
  const conversationIds = new Set<string>();
  const userIds = new Set<string>();
  for (const h of hits) {
    const d = h.doc as unknown as Record<string, unknown>;
    if (h.entity === 'messages' || h.entity === 'files') {
      if (typeof d.conversation_id === 'string') conversationIds.add(d.conversation_id);
      const who = h.entity === 'messages' ? d.sender_id : d.uploader_id;
      if (typeof who === 'string') userIds.add(who);
    }
  }
  const conversations = new Map<string, ConversationDoc>();
  const users = new Map<string, UserDoc>();
  await Promise.all([
    ...chunks([...conversationIds]).map(async (ids) => {
      const r = await engine.search(tenant, { q: '', entities: ['conversations'], filters: { conversation_id: ids }, sort: 'time', limit: CHUNK });
      for (const h of r.hits) conversations.set(h.id, h.doc as ConversationDoc);
    }),
    ...chunks([...userIds]).map(async (ids) => {
      const r = await engine.search(tenant, { q: '', entities: ['users'], filters: { sender_id: ids }, sort: 'time', limit: CHUNK });
      for (const h of r.hits) users.set(h.id, h.doc as UserDoc);
    }),
  ]);
  const out = new Map<string, HitContext>();
  for (const h of hits) {
    if (h.entity !== 'messages' && h.entity !== 'files') continue;
    const d = h.doc as unknown as Record<string, unknown>;
    const c = typeof d.conversation_id === 'string' ? conversations.get(d.conversation_id) : undefined;
    const whoId = h.entity === 'messages' ? d.sender_id : d.uploader_id;
    const u = typeof whoId === 'string' ? users.get(whoId) : undefined;
    const ctx: HitContext = {};
    if (c) ctx.conversation = { id: c.id, title: c.title, kind: c.kind };
    if (u) ctx.sender = { id: u.id, name: u.name, handle: u.handle };
    out.set(`${h.entity}:${h.id}`, ctx);
  }
  return out;
}
