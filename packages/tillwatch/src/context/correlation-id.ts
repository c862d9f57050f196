import { randomFillSync } from 'node:crypto';
import { isValidCorrelationId } from '@tillwatch/redact';

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const pool = Buffer.allocUnsafe(16 * 256);
let poolOffset = pool.length;
let lastMs = 0;
let seq = 0;

/**
 * A UUIDv7 (RFC 9562 section 5.7): 48-bit Unix ms timestamp, then random bits. Time-ordered, so ids
 * sort by creation in log stores. Within one millisecond a 12-bit counter in rand_a keeps them monotonic
 * (RFC 9562 section 6.2, method 1). Random bytes come from a pooled randomFillSync for speed.
 * Redrawn in the rare case (under 1%) that its digits hold a Luhn-valid run (the correlation-id rule of
 * @tillwatch/redact), so no id the server writes looks like a card number to a log scanner.
 */
export function uuidv7(now: number = Date.now()): string {
  for (;;) {
    const id = drawUuidv7(now);
    if (isValidCorrelationId(id)) return id;
  }
}

function drawUuidv7(now: number): string {
  if (poolOffset >= pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const b = pool.subarray(poolOffset, poolOffset + 16);
  poolOffset += 16;
  if (now === lastMs) {
    seq = (seq + 1) & 0xfff;
  } else {
    lastMs = now;
    seq = ((b[6] as number) << 4 | ((b[7] as number) >> 4)) & 0x7ff; // random start, top bit clear leaves room to count
  }
  // 48-bit big-endian timestamp
  const hi = Math.floor(now / 0x100000000);
  const lo = now >>> 0;
  b[0] = (hi >>> 8) & 0xff;
  b[1] = hi & 0xff;
  b[2] = (lo >>> 24) & 0xff;
  b[3] = (lo >>> 16) & 0xff;
  b[4] = (lo >>> 8) & 0xff;
  b[5] = lo & 0xff;
  b[6] = 0x70 | ((seq >>> 8) & 0x0f); // version 7
  b[7] = seq & 0xff;
  b[8] = 0x80 | ((b[8] as number) & 0x3f); // variant 10
  let out = '';
  for (let i = 0; i < 16; i++) {
    out += HEX[b[i] as number];
    if (i === 3 || i === 5 || i === 7 || i === 9) out += '-';
  }
  return out;
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
