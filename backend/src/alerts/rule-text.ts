import type { CaasError } from '../errors.js';

/** C0 and C1 controls, DEL, U+2028/9, BOM, U+FFFE/F: never in a name or a label. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]/u;
/** the same, but tab and newline are fine in expressions and annotations */
const CONTROL_BUT_LINES = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]/u;

export type TextCheck = (field: string, v: string, max: number, opts?: { lines?: boolean; empty?: boolean }) => string;

/**
 * The text check both rule kinds (metric and event rules) apply to their fields: well-formed Unicode, no control
 * characters (tab and newline where `lines`), not blank unless `empty`, at most `max` characters; refused with the
 * kind's own error.
 */
export function ruleText(invalid: (message: string) => CaasError): TextCheck {
  return (field, v, max, opts = {}) => {
    if (!v.isWellFormed()) {
      throw invalid(`${field} holds a lone UTF-16 surrogate (broken Unicode): send well-formed text`);
    }
    if ((opts.lines ? CONTROL_BUT_LINES : CONTROL).test(v)) {
      throw invalid(`${field} holds a control character${opts.lines ? ' (only tab and newline are allowed)' : ''}: remove it`);
    }
    if (!opts.empty && v.trim() === '') {
      throw invalid(`${field} is empty: give it a value`);
    }
    if ([...v].length > max) {
      throw invalid(`${field} is longer than ${max} characters`);
    }
    return v;
  };
}
