/**
 * A front-end logger: debug/info/warn become breadcrumbs (kept in memory, sent only with a later
 * error report), `error` reports an event that carries them. Everything passes the scrubbing hooks
 * of `init()`, so a card number in a message or a field is masked before it leaves the page.
 * Never throws: a failing report must not break the till.
 */
import type { BreadcrumbLevel, ReportingHub } from './reporting-hub.ts';

export type LogFields = Record<string, unknown>;

export interface BrowserLogger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  /**
   * Reports an error event with the breadcrumbs so far. With `error`, the exception is reported (its
   * stack groups the issue) and `message` goes in the event's extra data; without, a message event.
   * @returns the event id, or undefined when reporting failed.
   */
  error(message: string, error?: unknown, fields?: LogFields): string | undefined;
}

/**
 * Creates a logger over a reporting hub (`@sentry/browser` in `init()`).
 *
 * @param hub where breadcrumbs and events go.
 * @param category breadcrumb category; default `log`.
 * @example
 * const log = createLogger(Sentry, 'pos');
 * log.info('cart updated', { lines: 3 });
 * log.error('could not print receipt', err, { order_id: id });
 */
export function createLogger(hub: ReportingHub, category = 'log'): BrowserLogger {
  const crumb = (level: BreadcrumbLevel, message: string, fields?: LogFields): void => {
    try {
      hub.addBreadcrumb({ category, level, message, ...(fields ? { data: fields } : {}) });
    } catch {
      // telemetry must never break the page
    }
  };
  return {
    debug: (message, fields) => crumb('debug', message, fields),
    info: (message, fields) => crumb('info', message, fields),
    warn: (message, fields) => crumb('warning', message, fields),
    error(message, error, fields) {
      try {
        const extra = { log_message: message, ...fields };
        return error === undefined
          ? hub.captureMessage(message, { level: 'error', extra })
          : hub.captureException(error, { extra, tags: { logger: category } });
      } catch {
        return undefined;
      }
    },
  };
}
