import { badRequest } from '../../errors.js';

/**
 * An event rule's expression (condition.expression): arithmetic over the reduced values of its queries,
 * e.g. `A`, `A / B`, `(A - B) / B * 100`. Grammar: sums of products of unary terms; a term is a number,
 * a query name (A…E) or a parenthesised expression. Nothing else: no functions, no names, no strings.
 */
export type Expr =
  | { t: 'num'; v: number }
  | { t: 'ref'; ref: string }
  | { t: 'neg'; e: Expr }
  | { t: 'bin'; op: '+' | '-' | '*' | '/'; l: Expr; r: Expr };

export interface ParsedExpression {
  ast: Expr;
  /** the query names it uses, sorted, once each */
  refs: string[];
}

const invalid = (expr: string, why: string) =>
  badRequest('invalid_event_rule', `condition.expression '${expr.slice(0, 80)}' ${why}: use query names A…E, numbers, + - * / and parentheses, e.g. A / B`);

const MAX_DEPTH = 32;

export function parseExpression(src: string): ParsedExpression {
  const tokens = tokenize(src);
  let i = 0;
  const refs = new Set<string>();
  const peek = () => tokens[i];
  const expr = (depth: number): Expr => {
    if (depth > MAX_DEPTH) {
      throw invalid(src, `nests deeper than ${MAX_DEPTH} levels`);
    }
    let l = term(depth);
    for (let t = peek(); t === '+' || t === '-'; t = peek()) {
      i++;
      l = { t: 'bin', op: t, l, r: term(depth) };
    }
    return l;
  };
  const term = (depth: number): Expr => {
    let l = unary(depth);
    for (let t = peek(); t === '*' || t === '/'; t = peek()) {
      i++;
      l = { t: 'bin', op: t, l, r: unary(depth) };
    }
    return l;
  };
  const unary = (depth: number): Expr => {
    const t = peek();
    if (t === '-' || t === '+') {
      i++;
      const e = unary(depth + 1);
      return t === '-' ? { t: 'neg', e } : e;
    }
    return primary(depth);
  };
  const primary = (depth: number): Expr => {
    const t = tokens[i++];
    if (t === undefined) {
      throw invalid(src, 'ends too early');
    }
    if (t === '(') {
      const e = expr(depth + 1);
      if (tokens[i++] !== ')') {
        throw invalid(src, 'misses a closing parenthesis');
      }
      return e;
    }
    if (/^[A-Z]$/.test(t)) {
      refs.add(t);
      return { t: 'ref', ref: t };
    }
    const n = Number(t);
    if (/^(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(t) && Number.isFinite(n)) {
      return { t: 'num', v: n };
    }
    throw invalid(src, `has '${t.slice(0, 20)}' where a number, a query name or '(' belongs`);
  };
  const ast = expr(0);
  if (i < tokens.length) {
    throw invalid(src, `has '${String(tokens[i]).slice(0, 20)}' after a complete expression`);
  }
  return { ast, refs: [...refs].sort() };
}

function tokenize(src: string): string[] {
  const out: string[] = [];
  const re = /\s*(?:((?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)|([A-Za-z_][A-Za-z0-9_]*)|([-+*/()]))/y;
  let pos = 0;
  while (pos < src.length) {
    if (/^\s*$/.test(src.slice(pos))) {
      break;
    }
    re.lastIndex = pos;
    const m = re.exec(src);
    if (!m) {
      throw invalid(src, `has '${src.slice(pos).trim().slice(0, 10)}', which it cannot read`);
    }
    const word = m[2];
    if (word !== undefined && !/^[A-E]$/.test(word)) {
      throw invalid(src, `names '${word.slice(0, 20)}', which is not a query`);
    }
    out.push((m[1] ?? word ?? m[3]) as string);
    pos = re.lastIndex;
  }
  if (out.length === 0) {
    throw invalid(src, 'is empty');
  }
  return out;
}

/** One series of an answer: its labels and its reduced value (null: no data). */
export interface Sample {
  labels: Record<string, string>;
  value: number | null;
}

/** Canonical key of a label set (sorted). */
export function labelKey(labels: Record<string, string>): string {
  return JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * Evaluates the expression series by series, as Prometheus matches vectors: each query's series are
 * matched by identical label sets; a query answering one series without labels (a total) applies to every
 * series of the others. A series is left out when a query has no value for it, or when the result is
 * not a finite number (e.g. A / B where B is 0: no data, not an alert).
 */
export function evaluateVectors(ast: Expr, vectors: Record<string, Sample[]>): Array<{ labels: Record<string, string>; value: number; inputs: Record<string, number> }> {
  const refs = collectRefs(ast);
  const scalarOf = (ref: string): number | null | undefined => {
    const v = vectors[ref] ?? [];
    return v.length === 1 && Object.keys(v[0]?.labels ?? {}).length === 0 ? (v[0]?.value ?? null) : undefined;
  };
  const keys = new Map<string, Record<string, string>>();
  for (const ref of refs) {
    if (scalarOf(ref) === undefined) {
      for (const s of vectors[ref] ?? []) {
        keys.set(labelKey(s.labels), s.labels);
      }
    }
  }
  if (keys.size === 0) {
    // every query answered one total (or nothing)
    keys.set(labelKey({}), {});
  }
  const out: Array<{ labels: Record<string, string>; value: number; inputs: Record<string, number> }> = [];
  for (const [key, labels] of keys) {
    const inputs: Record<string, number> = {};
    let missing = false;
    for (const ref of refs) {
      const scalar = scalarOf(ref);
      const v = scalar !== undefined ? scalar : ((vectors[ref] ?? []).find((s) => labelKey(s.labels) === key)?.value ?? null);
      if (v === null || v === undefined) {
        missing = true;
        break;
      }
      inputs[ref] = v;
    }
    if (missing) {
      continue;
    }
    const value = calc(ast, inputs);
    if (Number.isFinite(value)) {
      out.push({ labels, value, inputs });
    }
  }
  return out;
}

function collectRefs(e: Expr, into = new Set<string>()): string[] {
  switch (e.t) {
    case 'ref':
      into.add(e.ref);
      break;
    case 'neg':
      collectRefs(e.e, into);
      break;
    case 'bin':
      collectRefs(e.l, into);
      collectRefs(e.r, into);
      break;
    case 'num':
      break;
  }
  return [...into].sort();
}

export function calc(e: Expr, inputs: Record<string, number>): number {
  switch (e.t) {
    case 'num':
      return e.v;
    case 'ref':
      return inputs[e.ref] ?? Number.NaN;
    case 'neg':
      return -calc(e.e, inputs);
    case 'bin': {
      const l = calc(e.l, inputs);
      const r = calc(e.r, inputs);
      return e.op === '+' ? l + r : e.op === '-' ? l - r : e.op === '*' ? l * r : l / r;
    }
  }
}
