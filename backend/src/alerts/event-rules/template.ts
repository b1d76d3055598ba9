import { badRequest } from '../../errors.js';

/**
 * The templates of an event rule's annotations, a small subset of Prometheus' own so that a summary reads
 * the same in both kinds of rule: `{{ $value }}`, `{{ $labels.<name> }}` (also `.Value`, `.Labels.<name>`),
 * and on the value the pipes `humanize`, `humanizePercentage` and `printf "%.<n>f"`. Anything else between
 * `{{` and `}}` is refused when the rule is stored, so a typo never reaches a pager as raw braces.
 */
const ACTION = /\{\{-?\s*(.*?)\s*-?\}\}/gs;
const LABEL = /^(?:\$labels|\.Labels)\.([A-Za-z_][A-Za-z0-9_]*)$/;
const VALUE = /^(?:\$value|\.Value)$/;
const PRINTF = /^printf\s+"%\.(\d)f"$/;

type Pipe = (v: number) => string;

function parseAction(action: string): { kind: 'label'; name: string } | { kind: 'value'; pipes: Pipe[] } | null {
  const parts = action.split('|').map((p) => p.trim());
  const head = parts[0] ?? '';
  const label = LABEL.exec(head);
  if (label && parts.length === 1) {
    return { kind: 'label', name: label[1] as string };
  }
  if (!VALUE.test(head)) {
    return null;
  }
  const pipes: Pipe[] = [];
  for (const p of parts.slice(1)) {
    const printf = PRINTF.exec(p);
    if (p === 'humanize') {
      pipes.push(humanize);
    } else if (p === 'humanizePercentage') {
      pipes.push((v) => `${formatG(v * 100)}%`);
    } else if (printf) {
      const digits = Number(printf[1]);
      pipes.push((v) => v.toFixed(digits));
    } else {
      return null;
    }
  }
  return { kind: 'value', pipes };
}

/** Refuses a template the ruler cannot expand, naming the action. */
export function checkTemplate(field: string, text: string): void {
  for (const m of text.matchAll(ACTION)) {
    if (!parseAction(m[1] ?? '')) {
      throw badRequest(
        'invalid_event_rule',
        `${field}: the template {{ ${(m[1] ?? '').slice(0, 60)} }} is not one the ruler expands: use {{ $value }}, {{ $value | humanize }}, {{ $value | humanizePercentage }}, {{ $value | printf "%.2f" }} or {{ $labels.<name> }}`
      );
    }
  }
  const rest = text.replace(ACTION, '');
  if (rest.includes('{{')) {
    throw badRequest('invalid_event_rule', `${field}: a '{{' is not closed by '}}'`);
  }
}

/** Expands the templates with an alert's labels and value (templates it cannot read stay as they are). */
export function expandTemplate(text: string, labels: Record<string, string>, value: number | null): string {
  return text.replace(ACTION, (whole, action: string) => {
    const a = parseAction(action);
    if (!a) {
      return whole;
    }
    if (a.kind === 'label') {
      return labels[a.name] ?? '';
    }
    if (value === null) {
      return '';
    }
    if (a.pipes.length === 0) {
      return String(value);
    }
    return a.pipes.reduce<string>((_acc, pipe) => pipe(value), String(value));
  });
}

/** Go's %.4g. */
export function formatG(v: number): string {
  if (v === 0 || !Number.isFinite(v)) {
    return String(v);
  }
  const exp = Math.floor(Math.log10(Math.abs(v)));
  if (exp < -4 || exp >= 4) {
    const [mant = '', e = '0'] = v.toExponential(3).split('e');
    const m = mant.includes('.') ? mant.replace(/0+$/, '').replace(/\.$/, '') : mant;
    const n = Number(e);
    return `${m}e${n < 0 ? '-' : '+'}${String(Math.abs(n)).padStart(2, '0')}`;
  }
  const s = v.toPrecision(4);
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}

const BIG = ['', 'k', 'M', 'G', 'T', 'P', 'E', 'Z', 'Y'];
const SMALL = ['', 'm', 'u', 'n', 'p', 'f', 'a', 'z', 'y'];

/** Prometheus' humanize: SI prefixes, 4 significant digits (1234 → 1.234k, 0.0123 → 12.3m). */
export function humanize(v: number): string {
  if (v === 0 || !Number.isFinite(v)) {
    return formatG(v);
  }
  let x = v;
  let i = 0;
  if (Math.abs(x) >= 1) {
    while (Math.abs(x) >= 1000 && i < BIG.length - 1) {
      x /= 1000;
      i++;
    }
    return `${formatG(x)}${BIG[i]}`;
  }
  while (Math.abs(x) < 1 && i < SMALL.length - 1) {
    x *= 1000;
    i++;
  }
  return `${formatG(x)}${SMALL[i]}`;
}
