/**
 * Real small documents for the demo platform's files: PDFs made with pdfkit and DOCX made with docx, each
 * with a title and a sentence or two, so the crawler's extraction has real text to find; plus plain text
 * and one deliberately corrupt PDF (a PDF header and garbage) whose extraction must fail readably.
 */
import { Document, Packer, Paragraph, TextRun, HeadingLevel } from 'docx';
import PDFDocument from 'pdfkit';

export const PDF_MIME = 'application/pdf';
export const DOCX_MIME = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
export const TEXT_MIME = 'text/plain; charset=utf-8';

/** Fixed dates so the same text gives the same bytes. */
const FIXED = new Date(Date.UTC(2026, 0, 1));

export function makePdf(title: string, body: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ size: 'A5', margin: 40, info: { Title: title, Author: 'CAAS demo', CreationDate: FIXED, ModDate: FIXED } });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    doc.font('Helvetica-Bold').fontSize(16).text(title);
    doc.moveDown();
    doc.font('Helvetica').fontSize(11).text(body);
    doc.end();
  });
}

export async function makeDocx(title: string, body: string): Promise<Buffer> {
  const doc = new Document({
    creator: 'CAAS demo',
    title,
    sections: [
      {
        children: [
          new Paragraph({ heading: HeadingLevel.HEADING_1, children: [new TextRun(title)] }),
          new Paragraph({ children: [new TextRun(body)] }),
        ],
      },
    ],
  });
  // docx stamps core.xml with the current time: a fixed one keeps the same text at the same size
  const esc = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const when = FIXED.toISOString().replace('.000', '');
  const core =
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
    '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" ' +
    'xmlns:dcterms="http://purl.org/dc/terms/" xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' +
    `<dc:title>${esc(title)}</dc:title><dc:creator>CAAS demo</dc:creator><cp:revision>1</cp:revision>` +
    `<dcterms:created xsi:type="dcterms:W3CDTF">${when}</dcterms:created><dcterms:modified xsi:type="dcterms:W3CDTF">${when}</dcterms:modified>` +
    '</cp:coreProperties>';
  return Packer.toBuffer(doc, undefined, [{ path: 'docProps/core.xml', data: core }]);
}

/** Looks like a PDF (the header is right) but its body is noise: pdf.js must refuse it. */
export function makeCorruptPdf(): Buffer {
  const noise = Buffer.alloc(600);
  for (let i = 0; i < noise.length; i++) noise[i] = (i * 7919 + 13) % 251;
  return Buffer.concat([Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 9 0 R', 'latin1'), noise, Buffer.from('\n%%EOF\n')]);
}
