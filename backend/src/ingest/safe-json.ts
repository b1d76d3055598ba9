/** A piece of JSON text already written out (the serialiser's own marker on its work stack). */
class Text {
  constructor(readonly s: string) {}
}

/**
 * JSON.stringify without recursion: a value parsed from a hostile body may nest 20,000 levels,
 * deeper than JSON.stringify's stack allows, and its text must still reach the dead letters
 * (issue "Hardening", defect 4). Values are what JSON.parse makes: objects, arrays and scalars.
 */
export function safeJson(root: unknown): string {
  const out: string[] = [];
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const x = stack.pop();
    if (x instanceof Text) {
      out.push(x.s);
    } else if (Array.isArray(x)) {
      stack.push(new Text(']'));
      for (let i = x.length - 1; i >= 0; i--) {
        stack.push(x[i] === undefined ? null : x[i]);
        if (i > 0) {
          stack.push(new Text(','));
        }
      }
      stack.push(new Text('['));
    } else if (x !== null && typeof x === 'object') {
      const entries = Object.entries(x as Record<string, unknown>).filter(([, v]) => v !== undefined);
      stack.push(new Text('}'));
      for (let i = entries.length - 1; i >= 0; i--) {
        const [k, v] = entries[i] as [string, unknown];
        stack.push(v, new Text(`${i > 0 ? ',' : ''}${JSON.stringify(k)}:`));
      }
      stack.push(new Text('{'));
    } else {
      out.push(JSON.stringify(x) ?? 'null');
    }
  }
  return out.join('');
}
