import type { ErrorObject } from 'ajv';
import type { FastifyError } from 'fastify';
import { describeAjvErrors } from '../contracts/validation.js';
import { CaasError } from '../errors.js';
import { clickhouseErrorType } from '../store/clickhouse-errors.js';

/**
 * SQLSTATE class 22 ("data exception": a NUL in text, a number out of range, …) is about a value
 * the request carried: a safety net behind the contracts' own checks (issue "Hardening", defect 9).
 */
function postgresDataError(err: Error): string | undefined {
  const { code, severity } = err as Error & { code?: unknown; severity?: unknown };
  return typeof code === 'string' && /^22[0-9A-Z]{3}$/.test(code) && typeof severity === 'string' ? code : undefined;
}

const VALIDATION_CONTEXT: Record<string, string> = { body: 'the body', querystring: 'the query string', params: 'the path', headers: 'the headers' };

/**
 * Any error a request ends with, as a domain error: the domain's own pass through; fastify's
 * (body parsing, schema validation, limits) and the engines' (by their codes, never by message
 * text) become the kind that fits; anything else is internal.
 */
export function toCaasError(err: unknown, maxBodyBytes: number): CaasError {
  if (err instanceof CaasError) {
    return err;
  }
  if (!(err instanceof Error)) {
    return new CaasError('internal', 'internal', 'internal error; the server log has the details (search it for this request id)');
  }
  const f = err as FastifyError;
  switch (f.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new CaasError('too_large', 'body_too_large', `the body is larger than MAX_BODY_BYTES (${maxBodyBytes} bytes): send smaller batches or gzip them`);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new CaasError(
        'unsupported_media',
        'unsupported_media_type',
        `Content-Type is not supported here: send application/json${f.message.includes('undefined') ? ' (the request had none)' : ''}; /v1/events also takes application/x-ndjson`
      );
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new CaasError('invalid', 'empty_body', 'the body is empty: send a JSON body');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new CaasError('invalid', 'invalid_content_length', 'Content-Length does not match the body');
    default:
      break;
  }
  if (f.validation) {
    const where = VALIDATION_CONTEXT[f.validationContext ?? ''] ?? 'the request';
    return new CaasError('invalid', 'invalid_request', `${where}: ${describeAjvErrors(f.validation as ErrorObject[])}`, f.validation);
  }
  const pgCode = postgresDataError(err);
  if (pgCode) {
    return new CaasError('invalid', 'unstorable_value', `a value in the request cannot be stored (PostgreSQL ${pgCode}: ${err.message}); remove control characters and invalid Unicode`);
  }
  if (clickhouseErrorType(err) === 'TIMEOUT_EXCEEDED') {
    return new CaasError('timeout', 'query_timeout', 'the query ran longer than its time limit: shorten the range or add filters');
  }
  if (f.statusCode && f.statusCode >= 400 && f.statusCode < 500) {
    const code = f.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err instanceof SyntaxError ? 'invalid_json' : 'bad_request';
    const kind = f.statusCode === 413 ? 'too_large' : f.statusCode === 415 ? 'unsupported_media' : f.statusCode === 429 ? 'rate_limited' : 'invalid';
    return new CaasError(kind, code, err.message);
  }
  return new CaasError('internal', 'internal', 'internal error; the server log has the details (search it for this request id)');
}
