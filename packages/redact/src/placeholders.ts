/**
 * The strings the redactor puts where a value was removed or could not be copied. One table so docs,
 * tests and downstream sinks (a log search, an alert rule) can rely on the exact text.
 */
export const REDACTED = '[REDACTED]';
export const CIRCULAR = '[Circular]';
export const MAX_DEPTH = '[MaxDepth]';
/** A property getter or Proxy trap threw while its value was read. */
export const THROWN = '[Thrown]';
/** The object as a whole could not be enumerated (a Proxy whose traps throw, a revoked Proxy). */
export const UNSERIALIZABLE = '[Unserializable]';
/** Key added to an object that had more than `maxKeys` keys; its value says how many were left out. */
export const TRUNCATED_KEY = '[Truncated]';

/** Last element of an array longer than `maxArrayLength`. */
export function truncatedItems(omitted: number): string {
  return `[Truncated: ${omitted} more items]`;
}

/** Value of {@link TRUNCATED_KEY}. */
export function truncatedKeys(omitted: number): string {
  return `${omitted} more keys`;
}

/** Appended to a string cut at `maxStringLength`. */
export function truncatedChars(totalLength: number): string {
  return `…[Truncated: ${totalLength} chars]`;
}

/** Buffers, typed arrays, DataViews and ArrayBuffers: size only, never content. */
export function bufferPlaceholder(byteLength: number): string {
  return `[Buffer ${byteLength} bytes]`;
}
