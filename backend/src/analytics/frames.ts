import type { Frame, FrameField } from '../contracts/analytics.js';

/** ClickHouse answers 64-bit integers as strings in JSON: read every numeric cell as a number. */
export function num(v: unknown): number | null {
  if (v === null || v === undefined || v === '') {
    return null;
  }
  const n = typeof v === 'number' ? v : Number(v);
  return Number.isFinite(n) ? n : null;
}

export function field(name: string, type: FrameField['type'], values: FrameField['values'], extra: Partial<FrameField> = {}): FrameField {
  return { name, type, values, ...extra };
}

/** A table frame from rows and column specs. */
export function table(
  name: string,
  rows: Array<Record<string, unknown>>,
  cols: Array<{ key: string; name?: string; type: FrameField['type']; unit?: string }>
): Frame {
  return {
    name,
    fields: cols.map((c) =>
      field(
        c.name ?? c.key,
        c.type,
        rows.map((r) => (c.type === 'string' ? String(r[c.key] ?? '') : num(r[c.key]))),
        c.unit ? { unit: c.unit } : {}
      )
    ),
  };
}

/** The first frame as CSV (RFC 4180 quoting); time fields as ISO 8601. */
export function frameToCsv(frame: Frame): string {
  const esc = (v: unknown) => {
    const s = v === null || v === undefined ? '' : String(v);
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const header = frame.fields.map((f) => {
    const labels = f.labels ? Object.entries(f.labels).map(([k, v]) => `${k}=${v}`).join(' ') : '';
    return esc(labels ? `${f.name} ${labels}` : f.name);
  });
  const n = frame.fields[0]?.values.length ?? 0;
  const lines = [header.join(',')];
  for (let i = 0; i < n; i++) {
    lines.push(
      frame.fields
        .map((f) => {
          const v = f.values[i];
          return esc(f.type === 'time' && typeof v === 'number' ? new Date(v).toISOString() : v);
        })
        .join(',')
    );
  }
  return lines.join('\n') + '\n';
}
