/**
 * The redaction rules that run wherever JavaScript runs (browsers, workers, edge runtimes), for
 * `@tillwatch/browser`: card-number masking with the Luhn check, the sensitive key names, free-text
 * scrubbing (URL credentials, `key=value` secrets, JSON pairs, Bearer/Basic tokens), the Sentry
 * event and breadcrumb scrubbers, which take any {@link Redactor}, and the correlation-id rule.
 *
 * Nothing reachable from this module may import `node:*` or use Node globals (Buffer, process): a
 * front-end bundle imports it. packages/browser/test/portable-redact.test.ts checks the import graph.
 * The object walker (redactor.ts) is portable too, so the browser runs the very same redactor.
 */
export { luhnValid } from './luhn.ts';
export { isCardNumber, maskCardNumbers, maskCardNumberValue, maskDigits } from './card-number.ts';
export { createKeyMatcher, normalizeKey, SENSITIVE_KEYS } from './sensitive-keys.ts';
export { createTextScrubber } from './text-scrubber.ts';
export type { TextScrubberOptions } from './text-scrubber.ts';
export {
  REDACTED,
  CIRCULAR,
  MAX_DEPTH,
  THROWN,
  UNSERIALIZABLE,
  TRUNCATED_KEY,
  truncatedItems,
  truncatedKeys,
  truncatedChars,
  bufferPlaceholder,
} from './placeholders.ts';
export { scrubSentryEvent, scrubBreadcrumb } from './scrub-sentry-event.ts';
export {
  createRedactor,
  DEFAULT_MAX_DEPTH,
  DEFAULT_MAX_STRING_LENGTH,
  DEFAULT_MAX_ARRAY_LENGTH,
  DEFAULT_MAX_KEYS,
  DEFAULT_MAX_TOTAL_VALUES,
} from './redactor.ts';
export type { Redactor, RedactorOptions, SerializedError } from './redactor.ts';
export { isValidCorrelationId, containsCardNumberRun, CORRELATION_ID_PATTERN } from './correlation-id.ts';
