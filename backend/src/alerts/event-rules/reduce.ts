import type { Frame } from '../../contracts/analytics.js';
import type { Sample } from './expression.js';
import { invalidRule, type Reducer } from './model.js';

/**
 * Turns an analytics answer into samples (one number per series), the reducer's part of a condition:
 * - a frame with a time field is a set of time series: each number field (or only those named `field`)
 *   is one series, with its labels (a timeseries' group_by values), reduced over its points;
 * - a frame without one is a table: its value column (`field`, or its first number column) is reduced
 *   over the rows into one sample.
 * `sum` and `count` of nothing are 0 (so "zero logins in 15 minutes" can fire); the others have no value.
 */
export function reduceValues(values: ReadonlyArray<number | string | null>, reducer: Reducer): number | null {
  const xs = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  switch (reducer) {
    case 'sum':
      return xs.reduce((a, b) => a + b, 0);
    case 'count':
      return xs.length;
    case 'last':
      return xs.length ? (xs[xs.length - 1] as number) : null;
    case 'avg':
      return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null;
    case 'min':
      return xs.length ? Math.min(...xs) : null;
    case 'max':
      return xs.length ? Math.max(...xs) : null;
  }
}

export function samplesOf(ref: string, frames: readonly Frame[], reducer: Reducer, field: string | null): Sample[] {
  const out: Sample[] = [];
  let matched = false;
  const numberFields: string[] = [];
  for (const frame of frames) {
    const isSeries = frame.fields.some((f) => f.type === 'time');
    const numbers = frame.fields.filter((f) => f.type === 'number');
    numberFields.push(...numbers.map((f) => f.name));
    if (isSeries) {
      for (const f of numbers) {
        if (field !== null && f.name !== field) {
          continue;
        }
        matched = true;
        out.push({ labels: { ...(f.labels ?? {}) }, value: reduceValues(f.values, reducer) });
      }
      if (field === null && numbers.length > 0) {
        break; // the first frame of series answers (search_analytics' later frames are other measures)
      }
      continue;
    }
    const col = field === null ? numbers[0] : numbers.find((f) => f.name === field);
    if (col) {
      matched = true;
      out.push({ labels: {}, value: reduceValues(col.values, reducer) });
      break;
    }
  }
  if (!matched && field !== null && frames.length > 0 && numberFields.length > 0) {
    throw invalidRule(`condition.field '${field.slice(0, 80)}' is not in the answer of query ${ref}: its number fields are ${[...new Set(numberFields)].map((n) => `'${n}'`).join(', ')}`);
  }
  if (!matched && frames.length === 0 && (reducer === 'sum' || reducer === 'count')) {
    // no frame at all (a window wholly outside the data the store keeps): nothing happened
    out.push({ labels: {}, value: 0 });
  }
  return out;
}
