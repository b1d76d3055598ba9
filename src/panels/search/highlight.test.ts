import { parseHighlight } from './highlight';

describe('parseHighlight', () => {
  test('splits marked words from the rest and unescapes both', () => {
    expect(parseHighlight('The <mark>budget</mark> &amp; the <mark>plan</mark>&#39;s &lt;b&gt;')).toEqual([
      { text: 'The ', mark: false },
      { text: 'budget', mark: true },
      { text: ' & the ', mark: false },
      { text: 'plan', mark: true },
      { text: "'s <b>", mark: false },
    ]);
  });

  test('a document that holds markup stays text: only the API’s own marks are marks', () => {
    const segments = parseHighlight('&lt;mark&gt;x&lt;/mark&gt; &lt;script&gt;alert(1)&lt;/script&gt; <mark>ok</mark>');
    expect(segments.filter((s) => s.mark).map((s) => s.text)).toEqual(['ok']);
    expect(segments[0]).toEqual({ text: '<mark>x</mark> <script>alert(1)</script> ', mark: false });
  });

  test('text without marks is one segment; empty text none', () => {
    expect(parseHighlight('plain &quot;text&quot;')).toEqual([{ text: 'plain "text"', mark: false }]);
    expect(parseHighlight('')).toEqual([]);
  });
});
