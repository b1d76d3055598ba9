import { dateTime, rangeUtil } from '@grafana/data';
import { linkWithShared, parseRange, parseTimeParam, rangeFromParams, rangeToParams, withChanges } from './url-state';

const JAN_1 = Date.UTC(2025, 0, 1);
const JAN_31 = Date.UTC(2025, 0, 31);

describe('utils/url-state: the time range in the URL, Grafana-style', () => {
  test.each([
    ['now-7d', 'now-7d'],
    ['now/d', 'now/d'],
    ['now-1M/M', 'now-1M/M'],
  ])('relative %s stays relative', (param, raw) => {
    expect(parseTimeParam(param)).toBe(raw);
  });

  test.each([
    ['epoch ms', String(JAN_1), JAN_1],
    ['YYYYMMDD (UTC)', '20250101', JAN_1],
    ['YYYYMMDDTHHmmss (UTC)', '20250131T000000', JAN_31],
    ['ISO 8601', '2025-01-31T00:00:00Z', JAN_31],
  ])('absolute %s is read as that instant', (_what, param, ms) => {
    const parsed = parseTimeParam(param);
    expect(typeof parsed).not.toBe('string');
    expect(parsed?.valueOf()).toBe(ms);
  });

  test.each([[''], ['   '], ['yesterday'], ['now-7x'], ['2025-13-45'], [null]])('%p is not a time', (param) => {
    expect(parseTimeParam(param)).toBeUndefined();
  });

  test('a missing, unreadable or reversed range falls back to the last 30 days', () => {
    const fallback = rangeUtil.convertRawToRange({ from: 'now-30d', to: 'now' });
    for (const [from, to] of [
      [null, null],
      ['now-7d', null],
      ['nonsense', 'now'],
      [String(JAN_31), String(JAN_1)],
    ]) {
      const range = parseRange(from, to);
      expect(range.raw).toEqual({ from: 'now-30d', to: 'now' });
      expect(Math.abs(range.from.valueOf() - fallback.from.valueOf())).toBeLessThan(5_000);
    }
  });

  test('relative and absolute ranges survive the round trip through the URL', () => {
    const relative = rangeFromParams(new URLSearchParams('from=now-7d&to=now'));
    expect(relative.raw).toEqual({ from: 'now-7d', to: 'now' });
    expect(rangeToParams(relative)).toEqual({ from: 'now-7d', to: 'now' });
    expect(relative.to.valueOf() - relative.from.valueOf()).toBeCloseTo(7 * 86_400_000, -4);

    const absolute = {
      from: dateTime(JAN_1),
      to: dateTime(JAN_31),
      raw: { from: dateTime(JAN_1), to: dateTime(JAN_31) },
    };
    const params = new URLSearchParams(rangeToParams(absolute));
    expect(params.toString()).toBe(`from=${JAN_1}&to=${JAN_31}`);
    const back = rangeFromParams(params);
    expect([back.from.valueOf(), back.to.valueOf()]).toEqual([JAN_1, JAN_31]);
  });
});

describe('utils/url-state: params', () => {
  test('withChanges sets, removes (undefined or empty) and keeps the others', () => {
    const next = withChanges(new URLSearchParams('tenant=acme&from=now-7d&q=x&backend=/b'), {
      tenant: 'globex',
      q: undefined,
      view: 'table',
      from: '',
    });
    expect(next.toString()).toBe('tenant=globex&backend=%2Fb&view=table');
  });

  test("a link to another page carries the tenant and the time range, not the page's own params", () => {
    const current = new URLSearchParams('tenant=acme&from=now-7d&to=now&jobs=failed&job=123');
    expect(linkWithShared('/a/caas-observatory-app/analytics', current)).toBe(
      '/a/caas-observatory-app/analytics?tenant=acme&from=now-7d&to=now'
    );
    expect(linkWithShared('/a/x/home', new URLSearchParams('jobs=failed'))).toBe('/a/x/home');
    expect(linkWithShared('/a/x/home', new URLSearchParams(''), { jobs: 'failed' })).toBe('/a/x/home?jobs=failed');
  });
});
