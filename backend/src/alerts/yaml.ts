/**
 * The YAML the alerting engines read (Prometheus rule files, Alertmanager's configuration, promtool's
 * unit tests), written by hand from values: every string is a double-quoted scalar, so no value can
 * end a line, start a mapping, or be read as a number, a boolean, an alias or a tag.
 *
 * Inside the quotes, printable ASCII and the printable non-ASCII ranges of YAML 1.2 stay as they are;
 * everything else is an escape: `"` and `\`, line breaks (also NEL, U+2028 and U+2029, which a YAML 1.1
 * reader such as Go's folds), C0/C1 controls, DEL, the BOM, U+FFFE/U+FFFF and lone surrogates (which
 * no YAML reader takes: callers refuse such text before it gets here; `\uFFFD` replaces one if it did).
 */
export function quote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    switch (ch) {
      case '"':
        out += '\\"';
        continue;
      case '\\':
        out += '\\\\';
        continue;
      case '\n':
        out += '\\n';
        continue;
      case '\t':
        out += '\\t';
        continue;
      case '\r':
        out += '\\r';
        continue;
      default:
        break;
    }
    if ((c >= 0x20 && c <= 0x7e) || (c >= 0xa0 && c <= 0xd7ff && c !== 0x2028 && c !== 0x2029) || (c >= 0xe000 && c <= 0xfffd && c !== 0xfeff) || c >= 0x10000) {
      out += ch;
    } else if (c >= 0xd800 && c <= 0xdfff) {
      out += '\\uFFFD';
    } else {
      out += `\\u${c.toString(16).toUpperCase().padStart(4, '0')}`;
    }
  }
  return `${out}"`;
}

/** A YAML value: strings quoted, finite numbers and booleans as they are, arrays and objects in block style. */
export type YamlValue = string | number | boolean | null | YamlValue[] | { [key: string]: YamlValue | undefined };

/**
 * Block-style YAML of a value, indented by `indent` spaces: mappings as `key: value` lines (keys are
 * quoted unless they are plain identifiers), sequences as `- ` items, empty ones as `{}` and `[]`.
 * Keys whose value is `undefined` are left out.
 */
export function toYaml(v: YamlValue, indent = 0): string {
  return `${block(v, indent)}\n`;
}

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
const key = (k: string) => (PLAIN_KEY.test(k) ? k : quote(k));

function scalar(v: string | number | boolean | null): string {
  if (typeof v === 'string') {
    return quote(v);
  }
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) {
      throw new Error(`YAML: ${v} is not a finite number`);
    }
    return String(v);
  }
  return v === null ? 'null' : String(v);
}

function block(v: YamlValue, indent: number): string {
  const pad = ' '.repeat(indent);
  if (Array.isArray(v)) {
    if (v.length === 0) {
      return `${pad}[]`;
    }
    return v
      .map((item) => {
        if (item !== null && typeof item === 'object' && (Array.isArray(item) ? item.length : Object.keys(item).length)) {
          // `- ` then the item's first line; its other lines indented under it
          const inner = block(item, indent + 2);
          return `${pad}- ${inner.slice(indent + 2)}`;
        }
        return `${pad}- ${inline(item)}`;
      })
      .join('\n');
  }
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v).filter((e): e is [string, YamlValue] => e[1] !== undefined);
    if (entries.length === 0) {
      return `${pad}{}`;
    }
    return entries
      .map(([k, item]) => {
        if (item !== null && typeof item === 'object' && (Array.isArray(item) ? item.length : Object.keys(item).length)) {
          return `${pad}${key(k)}:\n${block(item, indent + 2)}`;
        }
        return `${pad}${key(k)}: ${inline(item)}`;
      })
      .join('\n');
  }
  return `${pad}${scalar(v)}`;
}

function inline(v: YamlValue): string {
  if (Array.isArray(v)) {
    return '[]';
  }
  if (v !== null && typeof v === 'object') {
    return '{}';
  }
  return scalar(v);
}
