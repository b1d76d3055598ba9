import type { ErrorObject } from 'ajv';

/**
 * One sentence a person can act on from Ajv's errors (fastify's and ours). A union of literals
 * fails as one "must be equal to constant" per branch plus "must match a schema in anyOf"; that
 * becomes "must be one of a, b, c" (issue "Hardening": name the allowed values).
 */
export function describeAjvErrors(errors: readonly ErrorObject[] | null | undefined, fallback = 'does not match the schema'): string {
  const first = errors?.[0];
  if (!errors || !first) {
    return fallback;
  }
  const where = fieldName(first);
  const atSamePath = errors.filter((e) => e.instancePath === first.instancePath);
  const consts = atSamePath.filter((e) => e.keyword === 'const').map((e) => String((e.params as { allowedValue?: unknown }).allowedValue));
  if (consts.length > 0) {
    return `${where} must be one of ${[...new Set(consts)].join(', ')}`;
  }
  switch (first.keyword) {
    case 'enum':
      return `${where} must be one of ${((first.params as { allowedValues?: unknown[] }).allowedValues ?? []).map(String).join(', ')}`;
    case 'required':
      return `missing required field '${first.instancePath ? `${dotted(first.instancePath)}.` : ''}${String((first.params as { missingProperty?: unknown }).missingProperty)}'`;
    case 'additionalProperties':
      return `${where} has an unknown field '${String((first.params as { additionalProperty?: unknown }).additionalProperty)}'`;
    case 'pattern':
      return `${where} has an invalid format (it must match ${String((first.params as { pattern?: unknown }).pattern)})`;
    default:
      return `${where} ${first.message ?? 'is invalid'}`;
  }
}

const dotted = (path: string) => path.replace(/^\//, '').replace(/\//g, '.');

function fieldName(e: ErrorObject): string {
  return e.instancePath ? `'${dotted(e.instancePath)}'` : 'the request';
}
