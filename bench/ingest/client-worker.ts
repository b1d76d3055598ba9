/**
 * One client worker thread of the ingest benchmark. The NDJSON batches were serialised once by the main
 * thread into a SharedArrayBuffer; this worker runs `loops` concurrent request loops that take the next
 * batch index from a shared atomic counter and POST the bytes as they are (no JSON work here). A 429 is
 * waited out (Retry-After) and the same batch is sent again; any other non-2xx stops every worker.
 * It uses node:http with a keep-alive agent rather than fetch (undici): same wire traffic, about half the
 * client CPU, which matters because the clients share the machine with the server.
 */
import { Agent, request } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';

export interface ClientWorkerInput {
  url: string;
  apiKey: string;
  bytes: SharedArrayBuffer;
  /** Float64Array over nBatches + 1 byte offsets */
  offsets: SharedArrayBuffer;
  /** Int32Array: [0] next batch index, [1] abort flag */
  control: SharedArrayBuffer;
  nBatches: number;
  loops: number;
}

export interface ClientWorkerResult {
  events: number;
  accepted: number;
  rejected: number;
  requests: number;
  retries429: number;
  firstSendAt: number;
  lastAckAt: number;
  error?: string;
}

const input = workerData as ClientWorkerInput;
const bytes = new Uint8Array(input.bytes);
const offsets = new Float64Array(input.offsets);
const control = new Int32Array(input.control);
const now = (): number => performance.timeOrigin + performance.now();
const target = new URL(input.url);
const agent = new Agent({ keepAlive: true, maxSockets: input.loops });

interface Answer {
  status: number;
  retryAfter: string | null;
  text: string;
}

function post(body: Uint8Array): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: 'POST',
        headers: {
          authorization: `Bearer ${input.apiKey}`,
          'content-type': 'application/x-ndjson',
          'content-length': body.byteLength,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const ra = res.headers['retry-after'];
          resolve({
            status: res.statusCode ?? 0,
            retryAfter: typeof ra === 'string' ? ra : null,
            text: Buffer.concat(chunks).toString('utf8'),
          });
        });
      }
    );
    req.on('error', reject);
    req.end(body);
  });
}

const result: ClientWorkerResult = {
  events: 0,
  accepted: 0,
  rejected: 0,
  requests: 0,
  retries429: 0,
  firstSendAt: Infinity,
  lastAckAt: 0,
};

function retryAfterMs(header: string | null): number {
  const n = header === null ? Number.NaN : Number(header.trim());
  if (Number.isFinite(n) && n >= 0) return Math.min(300_000, n * 1000);
  const at = header === null ? Number.NaN : Date.parse(header);
  return Number.isFinite(at) ? Math.min(300_000, Math.max(0, at - Date.now())) : 1000;
}

async function send(i: number): Promise<void> {
  const start = offsets[i] ?? 0;
  const end = offsets[i + 1] ?? start;
  const body = bytes.subarray(start, end);
  for (;;) {
    if (Atomics.load(control, 1) !== 0) return;
    result.requests++;
    result.firstSendAt = Math.min(result.firstSendAt, now());
    const res = await post(body);
    const text = res.text;
    if (res.status === 429) {
      result.retries429++;
      await new Promise((r) => setTimeout(r, retryAfterMs(res.retryAfter)));
      continue;
    }
    if (res.status < 200 || res.status > 299) {
      throw new Error(`POST ${input.url} answered ${res.status}: ${text.slice(0, 500)}`);
    }
    const answer = JSON.parse(text) as { accepted: number; rejected: unknown[] };
    result.accepted += answer.accepted;
    result.rejected += answer.rejected.length;
    result.events += answer.accepted + answer.rejected.length;
    result.lastAckAt = now();
    return;
  }
}

async function loop(): Promise<void> {
  for (;;) {
    if (Atomics.load(control, 1) !== 0) return;
    const i = Atomics.add(control, 0, 1);
    if (i >= input.nBatches) return;
    await send(i);
  }
}

parentPort?.once('message', (msg: unknown) => {
  if (msg !== 'go') return;
  Promise.all(Array.from({ length: input.loops }, () => loop()))
    .catch((err: unknown) => {
      Atomics.store(control, 1, 1);
      result.error = err instanceof Error ? `${err.message}${err.cause ? ` (${String(err.cause)})` : ''}` : String(err);
    })
    .finally(() => {
      agent.destroy();
      parentPort?.postMessage(result);
    });
});
parentPort?.postMessage('ready');
