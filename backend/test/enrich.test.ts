import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chTime, parseUserAgent, toRowLine } from '../src/ingest/enrich.js';
import { checkTimestamp } from '../src/ingest/validate.js';

/** Enrichment and timestamp rules as pure functions (the HTTP path is covered in ingest.test.ts). */
describe('enrichment', () => {
  it('chTime equals the ISO rendering for any instant, across minute, day and year edges', () => {
    const iso = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 23);
    const edges = [0, 1, 999, 59_999, 60_000, Date.UTC(2025, 11, 31, 23, 59, 59, 999), Date.UTC(2026, 0, 1), -1, -60_001];
    for (const ms of edges) {
      assert.equal(chTime(ms), iso(ms));
    }
    let seed = 7;
    for (let i = 0; i < 20_000; i++) {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      const ms = Math.floor((seed / 2 ** 31) * 4e12) - 1e12;
      assert.equal(chTime(ms), iso(ms));
    }
  });

  it('device and platform from common User-Agents', () => {
    assert.deepEqual(parseUserAgent('Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/120.0 Mobile Safari/537.36'), { device: 'mobile', platform: 'android' });
    assert.deepEqual(parseUserAgent('Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36'), { device: 'desktop', platform: 'windows' });
    assert.deepEqual(parseUserAgent('Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 Version/17.0 Safari/605.1.15'), { device: 'desktop', platform: 'macos' });
    assert.deepEqual(parseUserAgent('Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148'), { device: 'tablet', platform: 'ios' });
    assert.deepEqual(parseUserAgent(undefined), { device: 'unknown', platform: 'unknown' });
  });

  it('row lines: PII keys redacted case-insensitively, the caller object untouched', () => {
    const props = { Email: 'a@b.c', plan: 'pro' };
    const line = toRowLine(
      { type: 'login', tenant_id: 'acme', user_id: 'u', timestamp: 0, properties: props },
      Date.UTC(2026, 0, 2, 3, 4, 5, 6),
      { receivedAt: 0, userAgent: undefined, country: 'fr' },
      '2026-01-02 03:04:06.000',
      new Set(['email'])
    );
    const row = JSON.parse(line) as Record<string, unknown>;
    assert.deepEqual(row.properties, { Email: '[REDACTED]', plan: 'pro' });
    assert.equal(props.Email, 'a@b.c');
    assert.equal(row.timestamp, '2026-01-02 03:04:05.006');
    assert.equal(row.country, 'FR');
    assert.match(String(row.event_id), /^[0-9a-f-]{36}$/);
  });

  it('timestamps: epoch ms or ISO, within the configured skew', () => {
    const now = Date.UTC(2026, 5, 1);
    assert.deepEqual(checkTimestamp(now - 5, now, 60_000, 86_400_000), { ok: true, ms: now - 5 });
    assert.deepEqual(checkTimestamp('2026-05-31T12:00:00Z', now, 60_000, 86_400_000), { ok: true, ms: Date.UTC(2026, 4, 31, 12) });
    assert.equal(checkTimestamp(now + 120_000, now, 60_000, 86_400_000).ok, false);
    assert.equal(checkTimestamp(now - 2 * 86_400_000, now, 60_000, 86_400_000).ok, false);
    assert.equal(checkTimestamp(Number.NaN, now, 60_000, 86_400_000).ok, false);
  });
});
