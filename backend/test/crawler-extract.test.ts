/**
 * Text extraction of crawled files: the demo platform's generated PDFs and DOCX give back their sentences;
 * a corrupt PDF, a damaged DOCX, a ZIP bomb, an oversized file, a slow extraction and a binary "text" file
 * give a reason a person understands, within the time limit, never a throw.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
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
