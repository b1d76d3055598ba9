/**
 * Text of a crawled file, for search (issue "Crawler and search": "files get extracted text (PDF, DOCX, plain
 * text) with size and time limits; a file that cannot be read is indexed by its metadata and its error is
 * shown, not dropped"). Never throws: every failure comes back as {content: null, error: "<reason a person
 * understands>"}.
 *
 * Limits: `maxBytes` on the input (checked before any parsing), `timeoutMs` on the whole extraction (the
 * answer comes at the limit; pdf.js' loading task is destroyed), `maxChars` on the text kept, and for DOCX
 * the uncompressed size the ZIP declares (a zip bomb is refused before it is inflated).
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export type ExtractStatus = 'ok' | 'unsupported' | 'failed';
export interface Extracted {
  status: ExtractStatus;
  /** the text; null when none could be had */
  content: string | null;
  /** why there is no text (unsupported or failed); null when status is ok */
  error: string | null;
  /** pdf | docx | text | null (not a kind we read) */
  kind: 'pdf' | 'docx' | 'text' | null;
  /** the text was cut at maxChars */
  truncated: boolean;
}

export interface ExtractOptions {
  /** the file's declared type (may carry parameters: "text/plain; charset=utf-8") */
  mime?: string | null;
  /** the file's name, for its extension when the type is missing or generic */
  name?: string | null;
  /** default 20 MiB */
  maxBytes?: number;
  /** default 10000 */
  timeoutMs?: number;
  /** default 1,000,000 characters */
  maxChars?: number;
  /** default 500 */
  maxPages?: number;
  signal?: AbortSignal;
}

export const DOCX_MIME = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
const require = createRequire(import.meta.url);
/** pdf.js reads the 14 standard fonts' metrics from here (else it warns on every PDF that uses them) */
const STANDARD_FONTS = join(dirname(require.resolve('pdfjs-dist/package.json')), 'standard_fonts') + '/';

const fmtBytes = (n: number) => (n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MiB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${n} bytes`);

export function kindOf(bytes: Uint8Array, mime?: string | null, name?: string | null): Extracted['kind'] {
  const m = (mime ?? '').split(';')[0]!.trim().toLowerCase();
  const ext = (name ?? '').toLowerCase().match(/\.([a-z0-9]{1,8})$/)?.[1] ?? '';
  if (m === 'application/pdf' || ext === 'pdf') return 'pdf';
  if (m === DOCX_MIME || ext === 'docx') return 'docx';
  if (m.startsWith('text/') || ['txt', 'md', 'csv', 'log', 'json'].includes(ext) || m === 'application/json') return 'text';
  if (m === '' || m === 'application/octet-stream') {
    // no useful type: look at the first bytes
    if (bytes.length >= 5 && Buffer.from(bytes.subarray(0, 5)).toString('latin1') === '%PDF-') return 'pdf';
  }
  return null;
}

class Limit extends Error {}

export async function extractText(input: Uint8Array, opts: ExtractOptions = {}): Promise<Extracted> {
  const maxBytes = opts.maxBytes ?? 20 * 1024 * 1024;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const maxChars = opts.maxChars ?? 1_000_000;
  const kind = kindOf(input, opts.mime, opts.name);
  const fail = (error: string, status: ExtractStatus = 'failed'): Extracted => ({ status, content: null, error, kind, truncated: false });

  if (kind === null) {
    return fail(`no text is read from ${opts.mime ? `${opts.mime.split(';')[0]} files` : 'files of this type'} (only PDF, DOCX and plain text); indexed by name`, 'unsupported');
  }
  if (input.byteLength > maxBytes) {
    return fail(`the file is ${fmtBytes(input.byteLength)}, more than the ${fmtBytes(maxBytes)} text extraction limit; indexed by name only`);
  }
  if (opts.signal?.aborted) return fail('extraction was cancelled');
  if (input.byteLength === 0) return { status: 'ok', content: '', error: null, kind, truncated: false };

  const ctl = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const onAbort = () => ctl.abort(opts.signal?.reason);
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const e = new Limit(`reading the ${kind.toUpperCase()} took longer than ${timeoutMs} ms (the extraction time limit); indexed by name only`);
      reject(e); // first, so the race settles with this reason
      ctl.abort(e);
    }, timeoutMs);
  });
  const aborted = new Promise<never>((_, reject) => ctl.signal.addEventListener('abort', () => reject(ctl.signal.reason), { once: true }));
  try {
    const work = kind === 'pdf' ? pdfText(input, ctl.signal, opts.maxPages ?? 500, maxChars) : kind === 'docx' ? docxText(input, maxBytes) : Promise.resolve(plainText(input));
    work.catch(() => undefined); // after a timeout its failure has no one to tell
    const text = await Promise.race([work, deadline, aborted]);
    const clean = text.replace(/\u0000/g, '').replace(/[ \t]+\n/g, '\n').replace(/\n{3,}/g, '\n\n').trim();
    const truncated = clean.length > maxChars;
    return { status: 'ok', content: truncated ? clean.slice(0, maxChars) : clean, error: null, kind, truncated };
  } catch (e) {
    if (opts.signal?.aborted) return fail('extraction was cancelled');
    if (e instanceof Limit) return fail(e.message);
    return fail(reason(kind, e));
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onAbort);
  }
}

function reason(kind: 'pdf' | 'docx' | 'text', e: unknown): string {
  const name = (e as { name?: string })?.name ?? '';
  const msg = String((e as { message?: string })?.message ?? e).replace(/\s+/g, ' ').slice(0, 200);
  if (kind === 'pdf') {
    if (name === 'PasswordException') return 'the PDF is protected by a password; indexed by name only';
    if (name === 'InvalidPDFException' || /invalid pdf/i.test(msg)) return `the file is not a readable PDF (damaged or not a PDF: ${msg}); indexed by name only`;
    return `the PDF could not be read (${msg}); indexed by name only`;
  }
  if (kind === 'docx') {
    if (/zip|central directory|end of data|corrupted/i.test(msg)) return `the file is not a readable DOCX (not a valid Word ZIP package: ${msg}); indexed by name only`;
    return `the DOCX could not be read (${msg}); indexed by name only`;
  }
  return `the text could not be read (${msg}); indexed by name only`;
}

function plainText(input: Uint8Array): string {
  const b = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const sample = b.subarray(0, 8192);
  let nul = 0;
  for (const c of sample) if (c === 0) nul++;
  if (b.length >= 2 && ((b[0] === 0xff && b[1] === 0xfe) || (b[0] === 0xfe && b[1] === 0xff))) {
    return new TextDecoder(b[0] === 0xff ? 'utf-16le' : 'utf-16be').decode(b);
  }
  if (nul > 0) throw new Error('it looks binary (it has NUL bytes), not text');
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(b);
  } catch {
    return b.toString('latin1'); // not UTF-8: the old single-byte Western encoding is the likeliest
  }
}

async function pdfText(input: Uint8Array, signal: AbortSignal, maxPages: number, maxChars: number): Promise<string> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  // pdf.js may take over (transfer) the buffer it is given: give it a copy
  const task = pdfjs.getDocument({
    data: new Uint8Array(input),
    standardFontDataUrl: STANDARD_FONTS,
    isEvalSupported: false,
    disableFontFace: true,
    useSystemFonts: false,
    stopAtErrors: false,
    verbosity: 0,
  });
  const stop = () => void task.destroy().catch(() => undefined);
  signal.addEventListener('abort', stop, { once: true });
  try {
    const doc = await task.promise;
    const parts: string[] = [];
    let chars = 0;
    const pages = Math.min(doc.numPages, maxPages);
    for (let p = 1; p <= pages && chars <= maxChars; p++) {
      if (signal.aborted) throw signal.reason;
      const page = await doc.getPage(p);
      const tc = await page.getTextContent();
      let line = '';
      for (const it of tc.items) {
        if (!('str' in it)) continue;
        line += it.str;
        if (it.hasEOL) line += '\n';
      }
      page.cleanup();
      parts.push(line);
      chars += line.length;
    }
    return parts.join('\n');
  } finally {
    signal.removeEventListener('abort', stop);
    stop();
  }
}

/** Sum of the uncompressed sizes the ZIP's central directory declares, or null when it has none readable. */
export function zipDeclaredSize(b: Buffer): number | null {
  // the End Of Central Directory record is in the last 64 KiB + 22 bytes
  const from = Math.max(0, b.length - 65_557);
  const eocd = b.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < from || eocd + 22 > b.length) return null;
  const entries = b.readUInt16LE(eocd + 10);
  let off = b.readUInt32LE(eocd + 16);
  let total = 0;
  for (let i = 0; i < entries; i++) {
    if (off + 46 > b.length || b.readUInt32LE(off) !== 0x02014b50) return null;
    const size = b.readUInt32LE(off + 24);
    if (size === 0xffffffff) return Number.POSITIVE_INFINITY; // ZIP64: far too large for a document we index
    total += size;
    off += 46 + b.readUInt16LE(off + 28) + b.readUInt16LE(off + 30) + b.readUInt16LE(off + 32);
  }
  return total;
}

async function docxText(input: Uint8Array, maxBytes: number): Promise<string> {
  const b = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  if (b.length < 4 || b.readUInt32LE(0) !== 0x04034b50) throw new Error('not a ZIP package (DOCX files are ZIP archives)');
  const declared = zipDeclaredSize(b);
  if (declared === null) throw new Error('its ZIP central directory is missing or damaged');
  const maxInflated = Math.max(50 * 1024 * 1024, maxBytes * 10);
  if (declared > maxInflated) throw new Limit(`the DOCX unpacks to ${fmtBytes(declared)}, more than the ${fmtBytes(maxInflated)} limit (a ZIP bomb?); indexed by name only`);
  const mammoth = (await import('mammoth')).default;
  const r = await mammoth.extractRawText({ buffer: b });
  return r.value;
}
