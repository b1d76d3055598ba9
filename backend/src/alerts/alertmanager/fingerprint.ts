/**
 * Alertmanager's fingerprint of a label set (prometheus/common model.LabelSet.Fingerprint): 64-bit
 * FNV-1a over the label names in sorted order, each name and value followed by the separator byte 0xff,
 * printed as 16 hex digits. The ruler uses it for its alerts, so the fingerprints the incidents see from
 * the ruler directly are the ones Alertmanager would give the same alerts.
 */
const OFFSET = 14695981039346656037n;
const PRIME = 1099511628211n;
const MASK = (1n << 64n) - 1n;
const encoder = new TextEncoder();

function add(h: bigint, bytes: Uint8Array): bigint {
  let x = h;
  for (const b of bytes) {
    x ^= BigInt(b);
    x = (x * PRIME) & MASK;
  }
  return x;
}

const SEPARATOR = new Uint8Array([0xff]);

export function fingerprint(labels: Record<string, string>): string {
  const names = Object.keys(labels).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (names.length === 0) {
    // model.emptyLabelSignature: the hash of nothing
    return OFFSET.toString(16).padStart(16, '0');
  }
  let h = OFFSET;
  for (const n of names) {
    h = add(h, encoder.encode(n));
    h = add(h, SEPARATOR);
    h = add(h, encoder.encode(labels[n] ?? ''));
    h = add(h, SEPARATOR);
  }
  return h.toString(16).padStart(16, '0');
}
