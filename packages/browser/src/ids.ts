/**
 * Ids a browser attaches to API calls: a UUIDv7 correlation id (what the store echoes in
 * X-Correlation-ID and writes on every log line of the request) and a W3C Trace Context
 * `traceparent` (https://www.w3.org/TR/trace-context/#traceparent-header).
 *
 * tillwatch's server-side generator pools bytes from node:crypto, which browsers lack; this one uses
 * `crypto.getRandomValues`, available in browsers, workers and Node. Which ids the server reuses is the one
 * rule in @tillwatch/redact.
 */

import { isValidCorrelationId } from '@tillwatch/redact';

/** True when the server would reuse `v` as the request's correlation id rather than mint its own. */
export { isValidCorrelationId };

function hex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

function randomBytes(n: number): Uint8Array {
  const b = new Uint8Array(n);
  globalThis.crypto.getRandomValues(b);
  return b;
}

/**
 * A UUIDv7 (RFC 9562 section 5.7): 48-bit Unix milliseconds, version 7, variant 10, 74 random bits.
 * Redrawn in the rare case (under 1%) that its digits happen to hold a Luhn-valid run the server would refuse
 * as a correlation id, so every id the browser sends is the one the server logs.
 *
 * @param nowMs the timestamp to encode; default `Date.now()`.
 * @example
 * uuidv7(); // '019ab3c4-5d6e-7f80-9a1b-2c3d4e5f6a7b'
 */
export function uuidv7(nowMs: number = Date.now()): string {
  for (;;) {
    const id = drawUuidv7(nowMs);
    if (isValidCorrelationId(id)) return id;
  }
}

function drawUuidv7(nowMs: number): string {
  const b = randomBytes(16);
  const ms = Math.max(0, Math.floor(nowMs));
  const hi = Math.floor(ms / 0x100000000);
  const lo = ms >>> 0;
  b[0] = (hi >>> 8) & 0xff;
  b[1] = hi & 0xff;
  b[2] = (lo >>> 24) & 0xff;
  b[3] = (lo >>> 16) & 0xff;
  b[4] = (lo >>> 8) & 0xff;
  b[5] = lo & 0xff;
  b[6] = 0x70 | ((b[6] as number) & 0x0f);
  b[8] = 0x80 | ((b[8] as number) & 0x3f);
  const h = hex(b);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** A new trace for one API call. */
export interface TraceContext {
  /** 32 lowercase hex digits, not all zero. */
  readonly traceId: string;
  /** 16 lowercase hex digits, not all zero: the id of the browser-side "span" that made the call. */
  readonly spanId: string;
  readonly sampled: boolean;
  /** `00-<trace-id>-<parent-id>-<flags>`. */
  readonly traceparent: string;
}

function nonZeroHex(bytes: number): string {
  for (;;) {
    const h = hex(randomBytes(bytes));
    if (!/^0+$/.test(h)) return h; // all-zero ids are invalid (W3C Trace Context section 3.2.2.3)
  }
}

/**
 * Starts a new trace for an outgoing call. `sampled` sets the `01` flag; tillwatch's parent-based
 * sampler on the server then records the request's spans.
 *
 * @example
 * newTraceContext().traceparent; // '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'
 */
export function newTraceContext(sampled = true): TraceContext {
  const traceId = nonZeroHex(16);
  const spanId = nonZeroHex(8);
  return { traceId, spanId, sampled, traceparent: `00-${traceId}-${spanId}-${sampled ? '01' : '00'}` };
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** Parses a version-00 `traceparent`; undefined when malformed or an id is all zeros. */
export function parseTraceparent(v: string): { traceId: string; spanId: string; sampled: boolean } | undefined {
  const m = TRACEPARENT.exec(v.trim());
  if (!m) return undefined;
  const [, traceId, spanId, flags] = m as unknown as [string, string, string, string];
  if (/^0+$/.test(traceId) || /^0+$/.test(spanId)) return undefined;
  return { traceId, spanId, sampled: (parseInt(flags, 16) & 1) === 1 };
}
