/**
 * The browser's redactor is the server's: tillwatch's redactor has no Node dependency, so the same
 * walker and the same rules (sensitive key names, card numbers with the Luhn check, URL credentials,
 * `key=value` and JSON secrets, Bearer/Basic tokens, hostile-object placeholders) run on both sides.
 * The server's Sentry event and breadcrumb scrubbers (@tillwatch/redact's scrub-sentry-event.ts) run on top of it unchanged.
 */
import {
  createRedactor,
  DEFAULT_MAX_ARRAY_LENGTH,
  DEFAULT_MAX_DEPTH,
  DEFAULT_MAX_KEYS,
  DEFAULT_MAX_STRING_LENGTH,
  DEFAULT_MAX_TOTAL_VALUES,
} from '@tillwatch/redact';
import type { Redactor, RedactorOptions } from '@tillwatch/redact';

export type BrowserRedactorOptions = RedactorOptions;

/** The redactor's default limits (the server's, by construction). */
export const BROWSER_REDACTOR_DEFAULTS = {
  maxDepth: DEFAULT_MAX_DEPTH,
  maxStringLength: DEFAULT_MAX_STRING_LENGTH,
  maxArrayLength: DEFAULT_MAX_ARRAY_LENGTH,
  maxKeys: DEFAULT_MAX_KEYS,
  maxTotalValues: DEFAULT_MAX_TOTAL_VALUES,
} as const;

/**
 * Creates a redactor for browser code. Every method is total: hostile input yields placeholders.
 *
 * @param options extra sensitive keys and limits, as for the server's `createRedactor`.
 * @example
 * const r = createBrowserRedactor({ extraKeys: ['loyaltyPin'] });
 * r.value({ note: 'card 4111 1111 1111 1111', cvv: '123' }); // => { note: 'card 411111******1111' }
 */
export function createBrowserRedactor(options: BrowserRedactorOptions = {}): Redactor {
  return createRedactor(options);
}
