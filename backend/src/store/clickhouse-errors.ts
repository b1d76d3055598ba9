/**
 * The name of a ClickHouse error (`TIMEOUT_EXCEEDED`, `CANNOT_PARSE_ESCAPE_SEQUENCE`, …), or
 * undefined for anything else (network errors, client timeouts). Errors are told apart by this
 * name, never by their message text. Duck-typed: chdb's connection throws the ClickHouseError of
 * its own copy of @clickhouse/client-common, which `instanceof` against ours does not match.
 */
export function clickhouseErrorType(e: unknown): string | undefined {
  if (!(e instanceof Error)) {
    return undefined;
  }
  const { code, type } = e as Error & { code?: unknown; type?: unknown };
  return e.constructor.name === 'ClickHouseError' && typeof code === 'string' && typeof type === 'string' ? type : undefined;
}
