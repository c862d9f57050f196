/**
 * Sentry `beforeSend` / `beforeSendTransaction` / `beforeBreadcrumb` hooks that scrub in the browser,
 * before anything is queued, with the same rules and the same event scrubber as the server
 * (@tillwatch/redact's scrub-sentry-event.ts over {@link createBrowserRedactor}). Cardholder data must not
 * leave the cardholder-data environment at all (PCI DSS v4.0 requirement 3.3.1), so scrubbing in
 * Sentry's ingest would be too late.
 *
 * An event that cannot be copied is dropped: sending it unscrubbed is the one unacceptable outcome.
 * Web Vitals breadcrumbs and the correlation tags are plain numbers and ids, which pass unchanged.
 */
import { scrubBreadcrumb, scrubSentryEvent, type Redactor } from '@tillwatch/redact';
import { createBrowserRedactor, type BrowserRedactorOptions } from './redactor.ts';

/** What the hooks need from an event or breadcrumb: any object. */
export type Scrubbable = object;

export interface SentryScrubbers {
  readonly redactor: Redactor;
  /** For `beforeSend` and `beforeSendTransaction`: a scrubbed copy, or null to drop the event. */
  beforeSend<T extends Scrubbable>(event: T): T | null;
  /** For `beforeBreadcrumb`: a scrubbed copy, or null to drop the breadcrumb. */
  beforeBreadcrumb<T extends Scrubbable>(crumb: T): T | null;
}

/**
 * Builds the scrubbing hooks.
 *
 * @param options extra sensitive keys and limits, or a ready redactor.
 * @example
 * const s = createSentryScrubbers({ extraKeys: ['loyaltyPin'] });
 * Sentry.init({ dsn, beforeSend: s.beforeSend, beforeBreadcrumb: s.beforeBreadcrumb });
 */
export function createSentryScrubbers(options: BrowserRedactorOptions | { redactor: Redactor } = {}): SentryScrubbers {
  const redactor = 'redactor' in options ? options.redactor : createBrowserRedactor(options);
  return {
    redactor,
    beforeSend: <T extends Scrubbable>(event: T): T | null => scrubSentryEvent(redactor, event),
    beforeBreadcrumb: <T extends Scrubbable>(crumb: T): T | null => scrubBreadcrumb(redactor, crumb),
  };
}
