/**
 * A client address is personal data: security log lines carry it pseudonymised, as configured.
 *
 * - `hash` (default): the first 16 hex digits of HMAC-SHA-256(key, address). One address gives one value for as long
 *   as the key is the same, so the lines of one attacker can be followed and blocked without storing the address.
 *   Set `hashKey` (a secret shared by the instances) to correlate across instances and restarts; without it a random
 *   key is drawn per process.
 * - `truncate`: IPv4 to its /24 (`203.0.113.0`), IPv6 to its /48 (`2001:db8:1::`), as web analytics anonymise.
 * - `raw`: the address as is (only where the log store is itself allowed to hold addresses).
 */
import { createHmac, randomBytes } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';

export type SourceAddressMode = 'hash' | 'truncate' | 'raw';

function truncate(address: string): string {
  const v4 = address.startsWith('::ffff:') && isIPv4(address.slice(7)) ? address.slice(7) : address;
  if (isIPv4(v4)) return `${v4.split('.').slice(0, 3).join('.')}.0`;
  if (isIPv6(address)) {
    const [head = ''] = address.split('::');
    const groups = head.split(':').filter((g) => g !== '');
    return `${groups.slice(0, 3).join(':')}::`;
  }
  return 'unknown';
}

/** Returns the function that turns an address into what a log line may carry. */
export function sourceAddressPseudonymiser(mode: SourceAddressMode, hashKey?: string): (address: string | undefined) => string {
  if (mode === 'raw') return (a) => a ?? 'unknown';
  if (mode === 'truncate') return (a) => (a === undefined ? 'unknown' : truncate(a));
  const key = hashKey ?? randomBytes(32).toString('hex');
  return (a) => (a === undefined ? 'unknown' : createHmac('sha256', key).update(a).digest('hex').slice(0, 16));
}
