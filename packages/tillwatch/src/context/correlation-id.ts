import { randomFillSync } from 'node:crypto';
import { isValidCorrelationId } from '@tillwatch/redact';

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const HEX_DIGITS = '0123456789abcdef';
/** The first hex digit of the variant group: `10xx` in binary (RFC 9562 section 4.1). */
const VARIANT = ['8', '9', 'a', 'b'];
/** Ids drawn per refill of the random pool. */
const POOL_IDS = 512;
/** Random hex digits per id: 3 of the variant group after its first digit, and the 12 of the node group. */
const TAIL_HEX = 15;
/** A tail as it appears in the id: `xxx-xxxxxxxxxxxx`. */
const TAIL_CHARS = TAIL_HEX + 1;
/** Bytes of the pool rendered as tails (two hex digits a byte); the rest gives each id a nibble for its variant digit. */
const TAIL_BYTES = (POOL_IDS * TAIL_HEX) / 2;
const poolBytes = Buffer.allocUnsafe(TAIL_BYTES + POOL_IDS / 2);
const variantBytes = poolBytes.subarray(TAIL_BYTES);
/** Ready-made tails for {@link POOL_IDS} ids. */
let tails = '';
let next = POOL_IDS;
let lastMs = -1;
/** `tttttttt-tttt-7` for {@link lastMs}. */
let prefix = '';
let seq = 0;

/**
 * A UUIDv7 (RFC 9562 section 5.7): 48-bit Unix ms timestamp, then random bits. Time-ordered, so ids
 * sort by creation in log stores. Within one millisecond a 12-bit counter in rand_a keeps them monotonic
 * (RFC 9562 section 6.2, method 1). Random bits come from a pooled randomFillSync.
 * Redrawn in the rare case (under 1%) that its digits hold a Luhn-valid run (the correlation-id rule of
 * @tillwatch/redact), so no id the server writes looks like a card number to a log scanner.
 */
export function uuidv7(now: number = Date.now()): string {
  for (;;) {
    const id = drawUuidv7(now);
    if (isValidCorrelationId(id)) return id;
  }
}

function refill(): void {
  randomFillSync(poolBytes);
  const hex = poolBytes.toString('hex', 0, TAIL_BYTES);
  let t = '';
  for (let i = 0; i < POOL_IDS; i++) {
    const at = i * TAIL_HEX;
    t += `${hex.slice(at, at + 3)}-${hex.slice(at + 3, at + TAIL_HEX)}`;
  }
  // An id made from a slice of it keeps this 8 KiB string alive only until the id is first flattened (its first
  // header write or log line copies the characters out).
  tails = t;
  next = 0;
}

/**
 * One UUIDv7 as 36 hex-and-dash characters. The random parts come from a pooled randomFillSync rendered to hex
 * once per {@link POOL_IDS} ids, and the timestamp digits are formatted once per millisecond: an id costs a
 * few string joins, not 16 byte-to-hex lookups.
 */
function drawUuidv7(now: number): string {
  if (next >= POOL_IDS) refill();
  const i = next++;
  if (now === lastMs) {
    seq = (seq + 1) & 0xfff;
  } else {
    lastMs = now;
    // A random start (it need not be unpredictable, only spread); the top bit clear leaves room to count.
    seq = (Math.random() * 0x800) | 0;
    const hi = Math.floor(now / 0x100000000);
    const lo = now >>> 0;
    prefix = `${HEX[(hi >>> 8) & 0xff]}${HEX[hi & 0xff]}${HEX[lo >>> 24]}${HEX[(lo >>> 16) & 0xff]}-${HEX[(lo >>> 8) & 0xff]}${HEX[lo & 0xff]}-7`;
  }
  const r = variantBytes[i >> 1] as number;
  const v = VARIANT[(i & 1 ? r >> 4 : r) & 3] as string;
  const at = i * TAIL_CHARS;
  return `${prefix}${HEX_DIGITS[seq >>> 8]}${HEX[seq & 0xff]}-${v}${tails.slice(at, at + TAIL_CHARS)}`;
}

/**
 * Picks the request's correlation id: X-Correlation-ID, else X-Request-ID, when it passes the correlation-id
 * rule of @tillwatch/redact (id characters, no card-number digit run, no JWT); otherwise a new UUIDv7. A
 * refused value is dropped, never logged or echoed. Header values arrive as string | string[] | undefined
 * (node:http); an array (repeated header) is not trusted.
 */
export function correlationIdFrom(headers: Readonly<Record<string, string | string[] | undefined>>): string {
  const c = headers['x-correlation-id'];
  if (isValidCorrelationId(c)) return c;
  const r = headers['x-request-id'];
  if (isValidCorrelationId(r)) return r;
  return uuidv7();
}
