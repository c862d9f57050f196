/**
 * The correlation-id rule, shared by the server (which reuses an incoming X-Correlation-ID or X-Request-ID)
 * and the browser (which mints one per API call): an id is reused only when it is 1..128 characters of
 * [A-Za-z0-9._:-], so nothing a client sends can forge a log line or a header.
 */

/** What a correlation id may look like. */
export const CORRELATION_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

/** True when `v` may be used as a correlation id as it is. */
export function isValidCorrelationId(v: unknown): v is string {
  return typeof v === 'string' && CORRELATION_ID_PATTERN.test(v);
}
