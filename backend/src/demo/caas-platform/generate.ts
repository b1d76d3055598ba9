/**
 * The demo CAAS platform's data (DESIGN.md data flow 8: "a source API the crawler reads"): per tenant,
 * users with names and handles, direct and group conversations, messages in English, German, Spanish and
 * Japanese, files (real PDFs and DOCX, a text file, a corrupt PDF), edits (updated_at later than created_at,
 * changed text) and deletions spread over the last `days` days before `end`. Seeded: the same seed, tenants
 * and end give the same records (the RNG style of ../generator.ts: one Rng per tenant from hashString).
 *
 * `tick(at)` moves the platform on (new messages, edits, deletions at `at`), so a crawler's incremental run
 * has something new to find.
 */
import { hashString, Rng, WeightedTable } from '../rng.js';
import type { ConversationItem, Entity, FileItem, MessageItem, UserItem } from '../../crawler/source.js';
import { DOCX_MIME, makeCorruptPdf, makeDocx, makePdf, PDF_MIME, TEXT_MIME } from './documents.js';
import { chatMessage, DOCUMENTS, groupTitle, JA_KANJI, LANG_WEIGHTS, NAMES, type Lang } from './text.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export interface PlatformOptions {
  seed?: number;
  tenants?: string[];
  /** epoch ms; default now (floored to the minute) */
  end?: number;
  /** default 14 */
  days?: number;
  usersPerTenant?: number;
  messagesPerTenant?: number;
}

export interface StoredFile {
  bytes: Buffer;
  mime: string;
  /** the sentences inside, as extraction should find them (null for the corrupt file) */
  text: string | null;
}

export interface Deletion {
  id: string;
  deleted_at: number;
}

export interface TenantData {
  users: Map<string, UserItem>;
  conversations: Map<string, ConversationItem>;
  messages: Map<string, MessageItem>;
  files: Map<string, FileItem>;
  deleted: Record<Entity, Deletion[]>;
  /** file bytes by file id */
  blobs: Map<string, StoredFile>;
  /** language of each user, to write in it */
  langOf: Map<string, Lang>;
  /** the edited text a message will get when edited */
  edits: Map<string, string>;
  rng: Rng;
  seq: number;
}

export interface PlatformData {
  tenants: Map<string, TenantData>;
  /** where download_url points: set by the server once it knows its address */
  downloadBase: string;
}

const LANGS = new WeightedTable<Lang>(LANG_WEIGHTS);

function ascii(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/ß/g, 'ss')
    .replace(/[^A-Za-z0-9]+/g, '')
    .toLowerCase();
}

export async function generatePlatform(options: PlatformOptions = {}): Promise<PlatformData> {
  const seed = options.seed ?? 42;
  const tenants = options.tenants ?? ['acme', 'globex', 'initech'];
  const end = options.end ?? Math.floor(Date.now() / MINUTE) * MINUTE;
  const days = options.days ?? 14;
  const nUsers = options.usersPerTenant ?? 12;
  const nMessages = options.messagesPerTenant ?? 150;
  if (!Number.isInteger(seed)) throw new RangeError('seed must be an integer');
  if (tenants.length === 0 || new Set(tenants).size !== tenants.length) throw new RangeError('tenants must be distinct and at least one');
  if (nUsers < 3) throw new RangeError('usersPerTenant must be ≥ 3');
  const start = end - days * DAY;
  const data: PlatformData = { tenants: new Map(), downloadBase: 'http://127.0.0.1' };

  for (const tenant of tenants) {
    const rng = new Rng(hashString(tenant, seed >>> 0));
    const t: TenantData = {
      users: new Map(),
      conversations: new Map(),
      messages: new Map(),
      files: new Map(),
      deleted: { users: [], conversations: [], messages: [], files: [] },
      blobs: new Map(),
      langOf: new Map(),
      edits: new Map(),
      rng,
      seq: 0,
    };
    data.tenants.set(tenant, t);
    const nextId = (prefix: string) => `${prefix}_${tenant}_${(++t.seq).toString(36).padStart(4, '0')}${rng.hex(2)}`;
    // times at whole seconds plus a few equal ones (several items share an updated_at: keyset paging must cope)
    const at = (lo: number, hi: number) => Math.floor((lo + rng.next() * (hi - lo)) / 1000) * 1000;

    // users
    const handles = new Set<string>();
    const users: UserItem[] = [];
    for (let i = 0; i < nUsers; i++) {
      const lang = LANGS.pick(rng);
      const first = rng.pick(NAMES[lang].first);
      const last = rng.pick(NAMES[lang].last);
      const name = lang === 'ja' ? `${JA_KANJI[last] ?? last} ${JA_KANJI[first] ?? first}` : `${first} ${last}`;
      let handle = `${ascii(first)}.${ascii(last)}`;
      for (let k = 2; handles.has(handle); k++) handle = `${ascii(first)}.${ascii(last)}${k}`;
      handles.add(handle);
      const created = at(start - 90 * DAY, start);
      const u: UserItem = { id: nextId('usr'), tenant_id: tenant, name, handle, created_at: created, updated_at: created };
      // a few people changed their display name during the window (a new surname)
      if (rng.chance(0.15)) {
        const other = rng.pick(NAMES[lang].last);
        if (other !== last) {
          u.name = lang === 'ja' ? `${JA_KANJI[other] ?? other} ${JA_KANJI[first] ?? first}` : `${first} ${other}`;
          u.updated_at = at(start, end);
        }
      }
      users.push(u);
      t.users.set(u.id, u);
      t.langOf.set(u.id, lang);
    }

    // conversations: a direct one for several pairs, and groups of 3–6
    const convs: ConversationItem[] = [];
    const nDirect = Math.max(2, Math.floor(nUsers / 2));
    for (let i = 0; i < nDirect; i++) {
      const a = users[i % users.length]!;
      let b = rng.pick(users);
      while (b.id === a.id) b = rng.pick(users);
      const created = at(start - 30 * DAY, start + DAY);
      convs.push({ id: nextId('cnv'), tenant_id: tenant, title: `${a.name} & ${b.name}`, kind: 'direct', member_ids: [a.id, b.id], created_at: created, updated_at: created });
    }
    const nGroups = Math.max(2, Math.floor(nUsers / 3));
    for (let i = 0; i < nGroups; i++) {
      const size = Math.min(users.length, rng.range(3, 6));
      const members = new Set<string>();
      while (members.size < size) members.add(rng.pick(users).id);
      const lang = t.langOf.get([...members][0]!) ?? 'en';
      const created = at(start - 30 * DAY, start + 2 * DAY);
      const c: ConversationItem = { id: nextId('cnv'), tenant_id: tenant, title: groupTitle(rng, lang), kind: 'group', member_ids: [...members], created_at: created, updated_at: created };
      // someone joined later
      const joiner = rng.pick(users);
      if (rng.chance(0.3) && !members.has(joiner.id)) {
        c.member_ids.push(joiner.id);
        c.updated_at = at(created, end);
      }
      convs.push(c);
    }
    for (const c of convs) t.conversations.set(c.id, c);

    // messages, with edits and deletions later in the window
    const pending: Array<{ kind: 'edit' | 'delete'; id: string; at: number }> = [];
    for (let i = 0; i < nMessages; i++) {
      const c = rng.pick(convs);
      const sender = t.users.get(rng.pick(c.member_ids))!;
      const other = t.users.get(rng.pick(c.member_ids))!;
      const lang = t.langOf.get(sender.id) ?? 'en';
      const created = Math.max(c.created_at, at(start, end - HOUR));
      const m = chatMessage(rng, lang, other.name.split(' ')[0] ?? other.name);
      const msg: MessageItem = { id: nextId('msg'), tenant_id: tenant, conversation_id: c.id, sender_id: sender.id, type: 'text', text: m.text, created_at: created, updated_at: created };
      t.messages.set(msg.id, msg);
      t.edits.set(msg.id, m.edited);
      const r = rng.next();
      if (r < 0.12) pending.push({ kind: 'edit', id: msg.id, at: Math.min(end, created + Math.floor(rng.exponential(3 * HOUR) / 1000) * 1000 + MINUTE) });
      else if (r < 0.18) pending.push({ kind: 'delete', id: msg.id, at: Math.min(end, created + Math.floor(rng.exponential(6 * HOUR) / 1000) * 1000 + MINUTE) });
    }
    // ties on purpose: a burst of messages in the same second
    const burstAt = at(start + DAY, end - 2 * HOUR);
    const burstConv = rng.pick(convs);
    for (let i = 0; i < 5; i++) {
      const sender = t.users.get(rng.pick(burstConv.member_ids))!;
      const m = chatMessage(rng, t.langOf.get(sender.id) ?? 'en', sender.name);
      const msg: MessageItem = { id: nextId('msg'), tenant_id: tenant, conversation_id: burstConv.id, sender_id: sender.id, type: 'text', text: m.text, created_at: burstAt, updated_at: burstAt };
      t.messages.set(msg.id, msg);
      t.edits.set(msg.id, m.edited);
    }

    // files: the documents (PDF or DOCX, by turns), a text file, a corrupt PDF
    const docs = DOCUMENTS.filter(() => rng.chance(0.8));
    if (docs.length < 2) docs.push(DOCUMENTS[0]!, DOCUMENTS[1]!);
    const specs: Array<{ name: string; mime: string; make: () => Promise<Buffer> | Buffer; text: string | null }> = [];
    docs.forEach((d, i) => {
      const asPdf = (i + t.seq) % 2 === 0;
      specs.push({
        name: `${d.base}.${asPdf ? 'pdf' : 'docx'}`,
        mime: asPdf ? PDF_MIME : DOCX_MIME,
        make: () => (asPdf ? makePdf(d.title, d.body) : makeDocx(d.title, d.body)),
        text: `${d.title}\n${d.body}`,
      });
    });
    // both kinds always present
    const d0 = DOCUMENTS[0]!;
    const d4 = DOCUMENTS[4]!;
    specs.push({ name: `${d0.base}-final.pdf`, mime: PDF_MIME, make: () => makePdf(d0.title, d0.body), text: `${d0.title}\n${d0.body}` });
    specs.push({ name: `${d4.base}-v2.docx`, mime: DOCX_MIME, make: () => makeDocx(d4.title, d4.body), text: `${d4.title}\n${d4.body}` });
    const notes = `Packing list for the offsite\nPlease bring your laptop charger. The Wi-Fi password will be in a separate message.\n`;
    specs.push({ name: 'offsite-notes.txt', mime: TEXT_MIME, make: () => Buffer.from(notes), text: notes });
    specs.push({ name: 'scan-0042.pdf', mime: PDF_MIME, make: makeCorruptPdf, text: null });
    for (const s of specs) {
      const c = rng.pick(convs);
      const uploader = rng.pick(c.member_ids);
      const bytes = await s.make();
      const created = Math.max(c.created_at, at(start, end - HOUR));
      const f: FileItem = {
        id: nextId('fil'),
        tenant_id: tenant,
        conversation_id: c.id,
        uploader_id: uploader,
        name: s.name,
        mime: s.mime.split(';')[0]!,
        size: bytes.length,
        download_url: '',
        created_at: created,
        updated_at: created,
      };
      t.files.set(f.id, f);
      t.blobs.set(f.id, { bytes, mime: s.mime, text: s.text });
      // a file-type message announces it
      const msg: MessageItem = { id: nextId('msg'), tenant_id: tenant, conversation_id: c.id, sender_id: uploader, type: 'file', text: s.name, created_at: created, updated_at: created };
      t.messages.set(msg.id, msg);
    }
    // one file is deleted later (a mistaken upload)
    const firstFile = [...t.files.values()][0]!;
    pending.push({ kind: 'delete', id: firstFile.id, at: Math.min(end, firstFile.created_at + 10 * MINUTE) });

    pending.sort((a, b) => a.at - b.at);
    for (const p of pending) {
      if (p.kind === 'edit') editMessage(t, p.id, p.at);
      else remove(t, t.files.has(p.id) ? 'files' : 'messages', p.id, p.at);
    }
  }
  return data;
}

function editMessage(t: TenantData, id: string, at: number): boolean {
  const m = t.messages.get(id);
  if (!m) return false;
  const next = t.edits.get(id);
  m.text = next && next !== m.text ? next : `${m.text} ✏️`;
  t.edits.delete(id);
  m.updated_at = Math.max(at, m.created_at + 1000);
  return true;
}

function remove(t: TenantData, entity: Entity, id: string, at: number): boolean {
  const map = t[entity] as Map<string, { updated_at: number }>;
  const it = map.get(id);
  if (!it) return false;
  map.delete(id);
  if (entity === 'files') t.blobs.delete(id);
  t.deleted[entity].push({ id, deleted_at: Math.max(at, it.updated_at) });
  return true;
}

export interface TickResult {
  created: string[];
  edited: string[];
  deleted: string[];
}

/**
 * Moves every tenant on at `at` (epoch ms, default now): a few new messages, an edit and a deletion each.
 * Everything changed gets updated_at (or deleted_at) = at.
 */
export function tick(data: PlatformData, at = Date.now()): TickResult {
  const out: TickResult = { created: [], edited: [], deleted: [] };
  for (const [tenant, t] of data.tenants) {
    const rng = t.rng;
    const convs = [...t.conversations.values()];
    if (convs.length === 0) continue;
    for (let i = 0, n = rng.range(1, 3); i < n; i++) {
      const c = rng.pick(convs);
      const sender = rng.pick(c.member_ids);
      const m = chatMessage(rng, t.langOf.get(sender) ?? 'en', t.users.get(rng.pick(c.member_ids))?.name.split(' ')[0] ?? 'all');
      const msg: MessageItem = {
        id: `msg_${tenant}_${(++t.seq).toString(36).padStart(4, '0')}${rng.hex(2)}`,
        tenant_id: tenant,
        conversation_id: c.id,
        sender_id: sender,
        type: 'text',
        text: m.text,
        created_at: at,
        updated_at: at,
      };
      t.messages.set(msg.id, msg);
      t.edits.set(msg.id, m.edited);
      out.created.push(msg.id);
    }
    const old = [...t.messages.values()].filter((m) => m.type === 'text' && m.updated_at < at);
    if (old.length > 0) {
      const e = rng.pick(old);
      if (editMessage(t, e.id, at)) {
        e.updated_at = at;
        out.edited.push(e.id);
      }
    }
    const rest = [...t.messages.values()].filter((m) => m.updated_at < at);
    if (rest.length > 0) {
      const d = rng.pick(rest);
      if (remove(t, 'messages', d.id, at)) out.deleted.push(d.id);
    }
  }
  return out;
}
