/** A piece of highlighted text: marked (a matched word) or not. */
export interface Segment {
  text: string;
  mark: boolean;
}

const ENTITIES: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };

function unescape(s: string): string {
  return s.replace(/&(?:amp|lt|gt|quot|#39);/g, (m) => ENTITIES[m] ?? m);
}

/**
 * Splits the search API's highlight text (the matched words in <mark>…</mark>, everything else HTML-escaped) into
 * segments, so the page renders them as React text and never as HTML: a document's own `<b>` or `<script>` stays text.
 */
export function parseHighlight(html: string): Segment[] {
  const out: Segment[] = [];
  const re = /<mark>([\s\S]*?)<\/mark>/g;
  let last = 0;
  for (let m = re.exec(html); m; m = re.exec(html)) {
    if (m.index > last) {
      out.push({ text: unescape(html.slice(last, m.index)), mark: false });
    }
    out.push({ text: unescape(m[1] ?? ''), mark: true });
    last = m.index + m[0].length;
  }
  if (last < html.length) {
    out.push({ text: unescape(html.slice(last)), mark: false });
  }
  return out.filter((s) => s.text.length > 0);
}
