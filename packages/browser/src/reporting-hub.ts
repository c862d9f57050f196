/**
 * The slice of the Sentry browser API the logger, the API fetch and Web Vitals use. `init()` passes
 * `@sentry/browser` itself; tests pass a recorder, so these modules run under node:test without a DOM.
 */
export type BreadcrumbLevel = 'debug' | 'info' | 'warning' | 'error' | 'fatal';

export interface HubBreadcrumb {
  category?: string;
  message?: string;
  level?: BreadcrumbLevel;
  type?: string;
  data?: Record<string, unknown>;
}

export interface ReportingHub {
  addBreadcrumb(crumb: HubBreadcrumb): void;
  /** Returns the event id. */
  captureException(error: unknown, hint?: { extra?: Record<string, unknown>; tags?: Record<string, string> }): string;
  captureMessage(message: string, hint?: { level?: BreadcrumbLevel; extra?: Record<string, unknown>; tags?: Record<string, string> }): string;
  setTag(key: string, value: string): void;
  setContext(name: string, context: Record<string, unknown> | null): void;
}
