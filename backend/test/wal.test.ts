import assert from 'node:assert/strict';
import { appendFileSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Wal, segmentText, type Segment } from '../src/ingest/wal.js';
import { tempDir } from './helpers.js';

/** The write-ahead log on its own: group commit, sealing by size and age, torn-tail recovery. */
function openWal(dir: string, maxSegmentEvents = 1000, maxSegmentAgeMs = 60_000) {
  const sealed: Segment[] = [];
  const wal = new Wal({ dir, maxSegmentEvents, maxSegmentAgeMs, onSeal: (s) => sealed.push(s) });
  return { wal, sealed };
}
const lines = (n: number, tag: string) => Array.from({ length: n }, (_, i) => `{"id":"${tag}-${i}"}\n`).join('');

describe('Wal', () => {
  it('acknowledges an append only when it is on disk, and counts the backlog', async () => {
    const dir = tempDir();
    const { wal } = openWal(dir);
    await wal.open();
    await wal.append(lines(3, 'a'), 3);
    const files = readdirSync(dir);
    assert.equal(files.length, 1);
    assert.equal(readFileSync(join(dir, files[0] as string), 'utf8'), lines(3, 'a'));
    assert.deepEqual(wal.stats, { events: 3, bytes: Buffer.byteLength(lines(3, 'a')), segments: 1 });
    await wal.close();
  });

  it('group-commits concurrent appends and seals a segment when it is full', async () => {
    const dir = tempDir();
    const { wal, sealed } = openWal(dir, 100);
    await wal.open();
    await Promise.all(Array.from({ length: 30 }, (_, i) => wal.append(lines(10, `g${i}`), 10)));
    // 30 appends of 10 events; concurrent ones share a write, so segments reach >= 100 events.
    // One more append is queued behind the size-triggered seal.
    await wal.append(lines(1, 'tail'), 1);
    assert.ok(sealed.length >= 1, 'at least one full segment was sealed');
    assert.ok(sealed.every((s) => s.events >= 100), `sealed sizes ${sealed.map((s) => s.events).join(',')}`);
    await wal.flush();
    assert.equal(sealed.reduce((n, s) => n + s.events, 0), 301);
    const text = (await Promise.all(sealed.map(segmentText))).join('');
    for (let i = 0; i < 30; i++) {
      assert.ok(text.includes(`{"id":"g${i}-0"}\n`) && text.includes(`{"id":"g${i}-9"}\n`), `append ${i} is whole`);
    }
    assert.ok(readdirSync(dir).length < 30, 'appends were grouped, not one segment each');
    assert.equal(new Set(sealed.map((s) => s.token)).size, sealed.length, 'every segment has its own dedup token');
    await wal.close();
  });

  it('seals an old segment by age', async () => {
    const { wal, sealed } = openWal(tempDir(), 1000, 40);
    await wal.open();
    await wal.append(lines(1, 'old'), 1);
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(sealed.length, 1);
    assert.equal(sealed[0]?.events, 1);
    await wal.close();
  });

  it('recovers segments after a crash, dropping only a torn unacknowledged tail', async () => {
    const dir = tempDir();
    const first = openWal(dir);
    await first.wal.open();
    await first.wal.append(lines(5, 'r'), 5);
    // Simulate a crash during the next write: a partial line reaches the file, never fsynced or acked.
    const [file] = readdirSync(dir);
    appendFileSync(join(dir, file as string), '{"id":"torn');
    const second = openWal(dir);
    const recovered = await second.wal.open();
    assert.equal(recovered.length, 1);
    assert.equal(recovered[0]?.events, 5);
    assert.equal(await segmentText(recovered[0] as Segment), lines(5, 'r'));
    assert.deepEqual(second.sealed, recovered, 'recovered segments are handed to the flusher');
    assert.equal(second.wal.stats.events, 5);
    // Releasing a committed segment removes its file and its backlog.
    await second.wal.release(recovered[0] as Segment);
    assert.equal(second.wal.stats.events, 0);
    await second.wal.append(lines(1, 'after'), 1);
    const names = readdirSync(dir).sort();
    assert.equal(names.length, 1);
    assert.ok((names[0] as string) > (file as string), 'new segments continue the sequence');
    await second.wal.close();
  });
});
