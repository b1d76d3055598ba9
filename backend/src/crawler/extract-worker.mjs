// The worker thread of IsolatedExtractor (extract-isolated.ts): loads the TypeScript extractor through tsx (so it runs
// the same whether the backend was started by tsx or by node --import tsx), loads pdf.js and mammoth once, then reads
// one file per message. A file that hangs or eats memory takes this thread down, never the backend's event loop.
import { parentPort } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { extractText } = await import('./extract.ts');
await import('pdfjs-dist/legacy/build/pdf.mjs');
await import('mammoth');
parentPort.on('message', async ({ id, bytes, opts }) => {
  const result = await extractText(bytes, opts);
  parentPort.postMessage({ id, result });
});
parentPort.postMessage({ ready: true });
