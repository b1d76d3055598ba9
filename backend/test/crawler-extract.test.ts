/**
 * Text extraction of crawled files: the demo platform's generated PDFs and DOCX give back their sentences;
 * a corrupt PDF, a damaged DOCX, a ZIP bomb, an oversized file, a slow extraction and a binary "text" file
 * give a reason a person understands, within the time limit, never a throw. The isolated extractor (a worker
 * thread) ends a parser that blocks, while the backend's own thread keeps running.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deflateRawSync } from 'node:zlib';
import { IsolatedExtractor } from '../src/crawler/extract-isolated.js';
import { DOCX_MIME, extractText, zipDeclaredSize } from '../src/crawler/extract.js';
import { makeCorruptPdf, makeDocx, makePdf } from '../src/demo/caas-platform/documents.js';
import { generatePlatform } from '../src/demo/caas-platform/index.js';
import { DOCUMENTS } from '../src/demo/caas-platform/text.js';

const norm = (s: string | null) => (s ?? '').replace(/\s+/g, ' ').trim();

test('the demo platform files: PDF, DOCX and text give back their sentences; the corrupt PDF a readable error', async () => {
  const data = await generatePlatform({ seed: 5, tenants: ['acme'], messagesPerTenant: 10 });
  const t = data.tenants.get('acme')!;
  let pdf = 0;
  let docx = 0;
  for (const [id, blob] of t.blobs) {
    const f = t.files.get(id)!;
    const r = await extractText(blob.bytes, { mime: blob.mime, name: f.name, timeoutMs: 20_000 });
    if (blob.text === null) {
      assert.equal(r.status, 'failed', f.name);
      assert.equal(r.content, null);
      assert.match(r.error!, /not a readable PDF/);
      assert.match(r.error!, /indexed by name only/);
      continue;
    }
    assert.equal(r.status, 'ok', `${f.name}: ${r.error}`);
    assert.equal(r.error, null);
    assert.equal(norm(r.content), norm(blob.text), f.name);
    if (f.mime === 'application/pdf') pdf++;
    if (f.mime === DOCX_MIME) docx++;
  }
  assert.ok(pdf >= 1 && docx >= 1, `both kinds were read (${pdf} PDF, ${docx} DOCX)`);
});

test('accented and Latin text survive in PDF and DOCX; search words are there', async () => {
  const doc = DOCUMENTS.find((d) => d.lang === 'de')!;
  const p = await extractText(await makePdf(doc.title, doc.body), { mime: 'application/pdf' });
  assert.match(norm(p.content), /Größere Änderungen brauchen eine Freigabe/);
  const d = await extractText(await makeDocx('Notes', 'Did you receive the internationalisation message?'), { name: 'notes.docx' });
  assert.equal(d.kind, 'docx');
  assert.match(norm(d.content), /receive the internationalisation message/);
});

test('an oversized file is refused before parsing, with the limit in the reason', async () => {
  const big = await makePdf('Big', 'x'.repeat(2000));
  const t0 = Date.now();
  const r = await extractText(big, { mime: 'application/pdf', maxBytes: 1000 });
  assert.ok(Date.now() - t0 < 100);
  assert.equal(r.status, 'failed');
  assert.match(r.error!, /more than the 1000 bytes text extraction limit; indexed by name only/);
});

test('a slow extraction answers at its time limit', async () => {
  const pages = 'Lorem ipsum dolor sit amet. '.repeat(4000);
  const pdf = await makePdf('Long', pages);
  const t0 = Date.now();
  const r = await extractText(pdf, { mime: 'application/pdf', timeoutMs: 5 });
  const took = Date.now() - t0;
  assert.equal(r.status, 'failed');
  assert.match(r.error!, /took longer than 5 ms \(the extraction time limit\)/);
  assert.ok(took < 500, `answered within the limit's reach (${took} ms)`);
  // and the same file is read with time enough
  const ok = await extractText(pdf, { mime: 'application/pdf', timeoutMs: 20_000, maxChars: 500 });
  assert.equal(ok.status, 'ok');
  assert.equal(ok.truncated, true);
  assert.equal(ok.content!.length, 500);
});

test('a damaged DOCX and a ZIP bomb are refused readably', async () => {
  const good = await makeDocx('T', 'Body');
  const damaged = Buffer.from(good.subarray(0, 200));
  const r = await extractText(damaged, { mime: DOCX_MIME });
  assert.equal(r.status, 'failed');
  assert.match(r.error!, /not a readable DOCX/);
  const notZip = await extractText(Buffer.from('hello, I am not a zip'), { name: 'x.docx' });
  assert.match(notZip.error!, /not a ZIP package \(DOCX files are ZIP archives\)/);

  // a central directory that declares 4 GiB of content is refused before anything is inflated
  const bomb = Buffer.from(good);
  const declared = zipDeclaredSize(bomb);
  assert.ok(declared !== null && declared > 0);
  const eocd = bomb.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const cd = bomb.readUInt32LE(eocd + 16);
  bomb.writeUInt32LE(0xfffffff0, cd + 24);
  const b = await extractText(bomb, { mime: DOCX_MIME, maxBytes: 1_000_000 });
  assert.equal(b.status, 'failed');
  assert.match(b.error!, /unpacks to .* MiB, more than the 50\.0 MiB limit/);
});

test('plain text: UTF-8, Latin-1, UTF-16; binary and unsupported types say so; cancel', async () => {
  assert.equal((await extractText(Buffer.from('Grüße aus München'), { mime: 'text/plain' })).content, 'Grüße aus München');
  assert.equal((await extractText(Buffer.from('Gr\xfc\xdfe', 'latin1'), { mime: 'text/plain; charset=iso-8859-1' })).content, 'Grüße');
  assert.equal((await extractText(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('日本語', 'utf16le')]), { name: 'a.txt' })).content, '日本語');
  const bin = await extractText(Buffer.from([0x41, 0, 0x42, 0]), { mime: 'text/plain' });
  assert.equal(bin.status, 'failed');
  assert.match(bin.error!, /looks binary/);
  const img = await extractText(Buffer.from([0x89, 0x50, 0x4e, 0x47]), { mime: 'image/png' });
  assert.equal(img.status, 'unsupported');
  assert.match(img.error!, /no text is read from image\/png files \(only PDF, DOCX and plain text\)/);
  const sniffed = await extractText(await makePdf('Sniffed', 'Found by its magic bytes.'), { mime: 'application/octet-stream' });
  assert.equal(sniffed.kind, 'pdf');
  assert.match(norm(sniffed.content), /Found by its magic bytes/);
  const ac = new AbortController();
  ac.abort();
  const c = await extractText(makeCorruptPdf(), { mime: 'application/pdf', signal: ac.signal });
  assert.equal(c.error, 'extraction was cancelled');
});

// ---- the isolated extractor (a worker thread, terminated at the time limit)

const CRC = new Uint32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (b: Buffer) => {
  let c = 0xffffffff;
  for (const x of b) c = CRC[(c ^ x) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
/** A minimal ZIP (deflate) writer, for a DOCX whose XML is huge but compresses to almost nothing. */
function zip(files: Array<[string, Buffer]>): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let off = 0;
  for (const [name, data] of files) {
    const comp = deflateRawSync(data);
    const n = Buffer.from(name);
    const crc = crc32(data);
    const h = Buffer.alloc(30);
    h.writeUInt32LE(0x04034b50, 0);
    h.writeUInt16LE(20, 4);
    h.writeUInt16LE(8, 8);
    h.writeUInt32LE(crc, 14);
    h.writeUInt32LE(comp.length, 18);
    h.writeUInt32LE(data.length, 22);
    h.writeUInt16LE(n.length, 26);
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0);
    c.writeUInt16LE(20, 4);
    c.writeUInt16LE(20, 6);
    c.writeUInt16LE(8, 10);
    c.writeUInt32LE(crc, 16);
    c.writeUInt32LE(comp.length, 20);
    c.writeUInt32LE(data.length, 24);
    c.writeUInt16LE(n.length, 28);
    c.writeUInt32LE(off, 42);
    parts.push(h, n, comp);
    central.push(c, n);
    off += 30 + n.length + comp.length;
  }
  const cd = Buffer.concat(central);
  const e = Buffer.alloc(22);
  e.writeUInt32LE(0x06054b50, 0);
  e.writeUInt16LE(files.length, 8);
  e.writeUInt16LE(files.length, 10);
  e.writeUInt32LE(cd.length, 12);
  e.writeUInt32LE(off, 16);
  return Buffer.concat([...parts, cd, e]);
}
function hugeDocx(paragraphs: number): Buffer {
  const para = '<w:p><w:r><w:t>Lorem ipsum dolor sit amet, consectetur adipiscing elit.</w:t></w:r></w:p>';
  const W = 'http://schemas.openxmlformats.org/';
  return zip([
    [
      '[Content_Types].xml',
      Buffer.from(
        `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="${W}package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`
      ),
    ],
    [
      '_rels/.rels',
      Buffer.from(
        `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="${W}package/2006/relationships"><Relationship Id="rId1" Type="${W}officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`
      ),
    ],
    ['word/document.xml', Buffer.from(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="${W}wordprocessingml/2006/main"><w:body>${para.repeat(paragraphs)}</w:body></w:document>`)],
  ]);
}

test('isolated extraction: same text as in-thread; a parser that blocks is terminated at the limit, the backend thread stays free', async () => {
  const x = new IsolatedExtractor();
  try {
    const doc = DOCUMENTS[0]!;
    const pdf = await x.extract(await makePdf(doc.title, doc.body), { mime: 'application/pdf' });
    assert.equal(pdf.status, 'ok', pdf.error ?? '');
    assert.equal(norm(pdf.content), norm(`${doc.title} ${doc.body}`));
    const small = await x.extract(hugeDocx(3), { name: 'small.docx' });
    assert.match(norm(small.content), /^Lorem ipsum/);
    assert.equal(x.started, 1);

    // ~9 MB of XML in a 31 KB file: mammoth parses it for seconds without yielding
    const big = hugeDocx(100_000);
    assert.ok(big.length < 100_000);
    let maxGap = 0;
    let last = performance.now();
    const iv = setInterval(() => {
      maxGap = Math.max(maxGap, performance.now() - last);
      last = performance.now();
    }, 10);
    const t0 = Date.now();
    const r = await x.extract(big, { name: 'big.docx', timeoutMs: 300 });
    const took = Date.now() - t0;
    clearInterval(iv);
    assert.equal(r.status, 'failed');
    assert.match(r.error!, /took longer than 300 ms \(the extraction time limit\); indexed by name only/);
    assert.ok(took < 1500, `answered near the limit (${took} ms)`);
    assert.ok(maxGap < 200, `the backend's event loop kept running (longest pause ${maxGap.toFixed(0)} ms)`);

    // the next file gets a fresh worker
    const after = await x.extract(Buffer.from('still here'), { mime: 'text/plain' });
    assert.equal(after.content, 'still here');
    assert.equal(x.started, 2);
    // refused before parsing: no worker involved
    const img = await x.extract(Buffer.from([1, 2, 3]), { mime: 'image/png' });
    assert.equal(img.status, 'unsupported');
  } finally {
    await x.close();
  }
});
