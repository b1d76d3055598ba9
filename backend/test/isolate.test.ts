import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { insertIsolating, isRetryable } from '../src/ingest/isolate.js';

/** Issue "Hardening", defect 2: how a segment the store refuses is split (the real engine: hardening.test.ts). */
describe('insertIsolating', () => {
  it('isolation splits only on data errors; retryable errors are thrown for a later retry', async () => {
    class ClickHouseError extends Error {
      constructor(
        message: string,
        readonly code: string,
        readonly type: string
      ) {
        super(message);
      }
    }
    const stored: string[] = [];
    const tokens: string[] = [];
    const insert = async (text: string, token: string) => {
      tokens.push(token);
      if (text.includes('BAD')) {
        throw new ClickHouseError('Cannot parse', '27', 'CANNOT_PARSE_INPUT_ASSERTION_FAILED');
      }
      stored.push(...text.split('\n').filter(Boolean));
    };
    const lines = Array.from({ length: 64 }, (_, i) => (i === 5 || i === 40 ? `BAD${i}` : `ok${i}`));
    const rejected = await insertIsolating(insert, lines, 'wal-x');
    assert.deepEqual(
      rejected.map((r) => r.index),
      [5, 40]
    );
    assert.equal(stored.length, 62);
    assert.equal(new Set(stored).size, 62, 'no row inserted twice');
    assert.equal(tokens[0], 'wal-x', 'the whole segment keeps its own token');
    assert.ok(tokens.slice(1).every((tok) => /^wal-x:\d+-\d+$/.test(tok)), 'parts get tokens derived from their line range');
    assert.ok(tokens.length < 30, `a few inserts, not one per row (${tokens.length})`);

    await assert.rejects(
      insertIsolating(async () => Promise.reject(new ClickHouseError('too many parts', '252', 'TOO_MANY_PARTS')), lines, 'wal-y'),
      /too many parts/
    );
    assert.equal(isRetryable(new Error('connect ECONNREFUSED')), true, 'a network error is retried');
    assert.equal(isRetryable(new ClickHouseError('x', '25', 'CANNOT_PARSE_ESCAPE_SEQUENCE')), false);
  });

});
