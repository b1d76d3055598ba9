import { clickhouseErrorType } from '../store/clickhouse-errors.js';

/**
 * ClickHouse errors that say "not now" or "not this server", not "not this data": the segment waits
 * and is retried with backoff, whole. Any other ClickHouse error is about the rows themselves, and
 * the segment is split to find them (issue "Hardening", defect 2). Recognised by the error's name
 * (`type`), never by matching its message.
 */
const RETRYABLE = new Set([
  'TIMEOUT_EXCEEDED',
  'SOCKET_TIMEOUT',
  'NETWORK_ERROR',
  'TOO_MANY_PARTS',
  'TOO_MANY_SIMULTANEOUS_QUERIES',
  'MEMORY_LIMIT_EXCEEDED',
  'NOT_ENOUGH_SPACE',
  'CANNOT_WRITE_TO_FILE_DESCRIPTOR',
  'CANNOT_ALLOCATE_MEMORY',
  'TABLE_IS_READ_ONLY',
  'READONLY',
  'ABORTED',
  'QUERY_WAS_CANCELLED',
  'TABLE_IS_DROPPED',
  'UNKNOWN_TABLE',
  'UNKNOWN_DATABASE',
  'NOT_ENOUGH_PRIVILEGES',
  'AUTHENTICATION_FAILED',
  'REQUIRED_PASSWORD',
  'ALL_CONNECTION_TRIES_FAILED',
  'KEEPER_EXCEPTION',
  'NO_ZOOKEEPER',
  'UNEXPECTED_END_OF_FILE',
]);

/** True when the rows may be fine and the insert should simply be tried again later. */
export function isRetryable(e: unknown): boolean {
  const type = clickhouseErrorType(e);
  // not a ClickHouse error: the network, a client timeout, an engine that is down
  return type === undefined || RETRYABLE.has(type);
}

export interface RejectedRow {
  /** 0-based line of the segment */
  index: number;
  line: string;
  reason: string;
}

/**
 * Inserts `lines` as one batch; when the store rejects the data, splits the batch in halves, and
 * so on down to single rows, so that only the rows the store refuses are left out. Each part has a
 * deduplication token derived from the segment's and its line range, so a part inserted before a
 * crash or a retryable failure is dropped by ClickHouse when the segment is tried again. A
 * retryable error anywhere is thrown: the caller retries the whole segment later.
 */
export async function insertIsolating(
  insert: (text: string, token: string) => Promise<void>,
  lines: readonly string[],
  token: string
): Promise<RejectedRow[]> {
  const rejected: RejectedRow[] = [];
  const part = async (lo: number, hi: number): Promise<void> => {
    try {
      const tok = lo === 0 && hi === lines.length ? token : `${token}:${lo}-${hi}`;
      await insert(lines.slice(lo, hi).join('\n') + '\n', tok);
    } catch (e) {
      if (isRetryable(e)) {
        throw e;
      }
      if (hi - lo === 1) {
        rejected.push({ index: lo, line: lines[lo] as string, reason: (e as Error).message });
        return;
      }
      const mid = lo + Math.floor((hi - lo) / 2);
      await part(lo, mid);
      await part(mid, hi);
    }
  };
  if (lines.length > 0) {
    await part(0, lines.length);
  }
  return rejected;
}
