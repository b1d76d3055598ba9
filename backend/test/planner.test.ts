import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rollupFor, sourceOf, splitRange, touchedColumns } from '../src/analytics/planner.js';
import { ROLLUPS, rollupStatements } from '../src/store/rollups.js';

const H = 3_600_000;
const D = 24 * H;
const T0 = Date.UTC(2026, 0, 5); // a Monday, 00:00 UTC

describe('rollup planner', () => {
  it('chooses the narrowest rollup that keeps every touched column', () => {
    assert.equal(rollupFor('day', new Set())?.table, 'events_total_day');
    assert.equal(rollupFor('day', touchedColumns([], ['login'], undefined))?.table, 'events_type_day');
    assert.equal(rollupFor('hour', touchedColumns(['platform'], undefined, undefined))?.table, 'events_rollup_hour');
    assert.equal(rollupFor('day', touchedColumns(['type'], undefined, [{ field: 'country' }]))?.table, 'events_rollup_day');
    assert.equal(rollupFor('day', touchedColumns(['properties.message_type'], ['message_sent'], undefined))?.table, 'events_message_day');
    assert.equal(rollupFor('day', touchedColumns(['properties.message_type'], undefined, [{ field: 'platform' }])), undefined);
    assert.equal(rollupFor('day', touchedColumns(['properties.length'], undefined, undefined)), undefined);
    assert.equal(rollupFor('minute', touchedColumns([], ['login'], undefined))?.table, 'events_rollup_minute');
  });

  it('splits a range into whole days, whole hours at the edges and raw partial hours, covering it exactly once', () => {
    const from = T0 + 3 * H + 25 * 60_000 + 7;
    const to = T0 + 9 * D + 5 * H + 59_999;
    const pieces = splitRange(from, to, ['day', 'hour'], new Set());
    assert.deepEqual(
      pieces.map((p) => [p.rollup?.table ?? 'raw', p.from - T0, p.to - T0]),
      [
        ['raw', from - T0, 4 * H],
        ['events_total_hour', 4 * H, D],
        ['events_total_day', D, 9 * D],
        ['events_total_hour', 9 * D, 9 * D + 5 * H],
        ['raw', 9 * D + 5 * H, to - T0],
      ]
    );
    assert.equal(sourceOf(pieces), 'events_total_day+events_total_hour+raw');
    for (let i = 1; i < pieces.length; i++) {
      assert.equal(pieces[i]?.from, pieces[i - 1]?.to, 'contiguous');
    }
  });

  it('falls back to finer grains and raw events when nothing whole fits or no rollup keeps a column', () => {
    const short = splitRange(T0 + 10 * 60_000, T0 + 50 * 60_000, ['day', 'hour'], new Set());
    assert.deepEqual(short, [{ rollup: null, from: T0 + 10 * 60_000, to: T0 + 50 * 60_000 }]);
    assert.equal(sourceOf(short), 'raw');
    const aligned = splitRange(T0, T0 + 7 * D, ['day', 'hour'], new Set(['type']));
    assert.deepEqual(aligned.map((p) => p.rollup?.table), ['events_type_day']);
    const property = splitRange(T0, T0 + 7 * D, ['day', 'hour'], new Set(['properties.length']));
    assert.equal(sourceOf(property), 'raw');
  });

  it('every rollup cascades from a table that exists before it, with the columns it needs', () => {
    const known = new Set(['events']);
    for (const r of ROLLUPS) {
      assert.ok(known.has(r.from), `${r.table} reads ${r.from}, created later`);
      const src = ROLLUPS.find((x) => x.table === r.from);
      if (src) {
        assert.ok(r.dims.every((d) => src.dims.includes(d)), `${r.table} keeps a column ${r.from} lacks`);
        assert.ok(['minute', 'hour', 'day'].indexOf(src.grain) <= ['minute', 'hour', 'day'].indexOf(r.grain), `${r.table} is finer than ${r.from}`);
      }
      known.add(r.table);
      assert.equal(rollupStatements(r).length, 3);
    }
  });
});
