/**
 * The search benchmark's corpus: N chat messages of several tenants, deterministic for a seed.
 *
 * The message text is the demo CAAS platform's (`backend/src/demo/caas-platform/text.ts`: chatMessage's
 * English, German, Spanish and Japanese templates, people's names, file names of its documents). Those
 * templates hold only a few hundred distinct words, so every one of them is common at a million messages and
 * nothing is rare, where a real chat corpus has a long Zipfian tail (project and customer names, jargon,
 * typos). So each message also carries 0–3 words (1.1 on average) drawn by Zipf's law (s = 1, ranks offset
 * by 20) from a vocabulary of pronounceable pseudo-words (`tail`, 50,000 by default): the typo path then searches a vocabulary of
 * realistic size, and the rare-word queries have words that a handful of messages hold.
 */
import { hashString, Rng, WeightedTable } from '../../backend/src/demo/rng.js';
import { chatMessage, DOCUMENTS, JA_KANJI, LANG_WEIGHTS, NAMES, type Lang } from '../../backend/src/demo/caas-platform/text.js';
import type { MessageDoc } from '../../backend/src/search/types.js';

const DAY = 86_400_000;

export interface CorpusOptions {
  messages: number;
  tenants: number;
  days: number;
  seed: number;
  /** distinct pseudo-words of the Zipfian tail */
  tailWords: number;
  /** epoch ms the corpus ends at (fixed, so the same seed gives the same bytes) */
  end: number;
}

export interface TenantCorpus {
  tenant: string;
  /** in created_at order (updated_at = created_at), the order an incremental crawl reads them */
  messages: MessageDoc[];
  /** conversations with their members, busiest first */
  conversations: Array<{ id: string; members: string[]; messages: number }>;
}

export interface Corpus {
  tenants: TenantCorpus[];
  /** the tail vocabulary, most frequent first (rank r is drawn with weight 1/(r + TAIL_OFFSET)) */
  tail: string[];
  start: number;
  end: number;
  total: number;
}

const ONSETS = ['b', 'd', 'f', 'g', 'k', 'l', 'm', 'n', 'p', 'r', 's', 't', 'v', 'z', 'br', 'dr', 'kr', 'st', 'tr', 'sh'];
const VOWELS = ['a', 'e', 'i', 'o', 'u', 'ai', 'ei', 'ou'];
const CODAS = ['', '', '', 'n', 'r', 's', 'l', 'x', 'nd', 'rk'];

/** `n` distinct pronounceable words of 2–4 syllables (e.g. "vandoril", "kreisto"), in a seeded order. */
export function pseudoWords(n: number, seed: number): string[] {
  const rng = new Rng(hashString('tail', seed >>> 0));
  const out = new Set<string>();
  while (out.size < n) {
    let w = '';
    for (let s = 0, k = rng.range(2, 4); s < k; s++) {
      w += rng.pick(ONSETS) + rng.pick(VOWELS) + (s === k - 1 || rng.chance(0.3) ? rng.pick(CODAS) : '');
    }
    out.add(w);
  }
  return [...out];
}

/**
 * Zipf–Mandelbrot over ranks 1..n (weight 1/(r + offset)): Zipf's law with a flattened head, since the
 * templates already supply the very common words. Sampled by binary search over the cumulative weights.
 */
class Zipf {
  private readonly cumulative: Float64Array;
  constructor(n: number, offset: number) {
    this.cumulative = new Float64Array(n);
    let sum = 0;
    for (let r = 1; r <= n; r++) {
      sum += 1 / (r + offset);
      this.cumulative[r - 1] = sum;
    }
  }
  /** a 0-based rank */
  pick(rng: Rng): number {
    const x = rng.next() * (this.cumulative[this.cumulative.length - 1] ?? 0);
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.cumulative[mid] ?? 0) > x) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}

/** the Zipf–Mandelbrot offset of the tail: its most frequent word is in ~0.6 % of the messages, not 10 % */
export const TAIL_OFFSET = 20;

const LANGS = new WeightedTable<Lang>(LANG_WEIGHTS);
const TAIL_COUNT = new WeightedTable<number>([
  [0, 30],
  [1, 40],
  [2, 20],
  [3, 10],
]);

export function tenantIds(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `sbench-${String(i + 1).padStart(2, '0')}`);
}

export function generateCorpus(o: CorpusOptions): Corpus {
  const tail = pseudoWords(o.tailWords, o.seed);
  const zipf = new Zipf(tail.length, TAIL_OFFSET);
  const start = o.end - o.days * DAY;
  const ids = tenantIds(o.tenants);
  const tenants: TenantCorpus[] = ids.map((tenant, ti) => {
    const rng = new Rng(hashString(tenant, o.seed >>> 0));
    const count = Math.floor(o.messages / o.tenants) + (ti < o.messages % o.tenants ? 1 : 0);
    // people: about one per thousand messages, at least 20
    const nUsers = Math.max(20, Math.round(count / 1000));
    const users = Array.from({ length: nUsers }, (_, i) => {
      const lang = LANGS.pick(rng);
      const first = rng.pick(NAMES[lang].first);
      return { id: `usr_${tenant}_${i.toString(36).padStart(3, '0')}`, lang, first: lang === 'ja' ? (JA_KANJI[first] ?? first) : first };
    });
    // direct conversations for half the people, groups of 3–8 for a third; activity varies a lot
    const convs: Array<{ id: string; members: number[]; weight: number; messages: number }> = [];
    for (let i = 0; i < Math.max(2, Math.floor(nUsers / 2)); i++) {
      const b = (i + 1 + rng.int(nUsers - 1)) % nUsers;
      convs.push({ id: `cnv_${tenant}_${convs.length.toString(36).padStart(3, '0')}`, members: [i, b], weight: rng.logNormal(1, 1), messages: 0 });
    }
    for (let i = 0; i < Math.max(2, Math.floor(nUsers / 3)); i++) {
      const members = new Set<number>();
      for (let k = rng.range(3, 8); members.size < Math.min(k, nUsers); ) members.add(rng.int(nUsers));
      convs.push({ id: `cnv_${tenant}_${convs.length.toString(36).padStart(3, '0')}`, members: [...members], weight: rng.logNormal(2, 1), messages: 0 });
    }
    const convTable = new WeightedTable(convs.map((c) => [c, c.weight] as const));
    // times first (whole seconds over the window), sorted: messages are then made in time order
    const times = new Float64Array(count);
    for (let i = 0; i < count; i++) times[i] = Math.floor((start + rng.next() * (o.end - start)) / 1000) * 1000;
    times.sort();
    const messages: MessageDoc[] = new Array<MessageDoc>(count);
    for (let i = 0; i < count; i++) {
      const c = convTable.pick(rng);
      c.messages++;
      const sender = users[rng.pick(c.members)]!;
      const other = users[rng.pick(c.members)]!;
      const at = times[i] as number;
      let type = 'text';
      let text: string;
      if (rng.chance(0.05)) {
        // a file-type message announces an upload by its name
        type = 'file';
        const d = rng.pick(DOCUMENTS);
        text = `${d.base}-${tail[zipf.pick(rng)]}.${rng.chance(0.5) ? 'pdf' : 'docx'}`;
      } else {
        text = chatMessage(rng, sender.lang, other.first).text;
        for (let k = TAIL_COUNT.pick(rng); k > 0; k--) text += ` ${tail[zipf.pick(rng)]}`;
      }
      messages[i] = {
        id: `msg_${tenant}_${i.toString(36).padStart(5, '0')}`,
        tenant_id: tenant,
        conversation_id: c.id,
        sender_id: sender.id,
        type,
        text,
        created_at: at,
        updated_at: at,
      };
    }
    const conversations = convs
      .map((c) => ({ id: c.id, members: c.members.map((m) => users[m]!.id), messages: c.messages }))
      .sort((a, b) => b.messages - a.messages || (a.id < b.id ? -1 : 1));
    return { tenant, messages, conversations };
  });
  return { tenants, tail, start, end: o.end, total: tenants.reduce((s, t) => s + t.messages.length, 0) };
}
