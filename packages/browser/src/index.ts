/**
 * `@tillwatch/browser`: error reports from browser and React front ends, scrubbed with the server's
 * redaction rules before they leave the page; API calls that carry X-Correlation-ID and traceparent so
 * a UI error names the back-end request behind it; Web Vitals.
 */
export { init } from './init.ts';
export type { BrowserInitOptions, TillwatchBrowser } from './init.ts';
export { ErrorBoundary } from './error-boundary.ts';
export type { ErrorBoundaryProps, ErrorBoundaryFallbackProps } from './error-boundary.ts';
export { createLogger } from './logger.ts';
export type { BrowserLogger, LogFields } from './logger.ts';
export { createApiFetch } from './api-fetch.ts';
export type { ApiCall, ApiFetch, ApiFetchOptions } from './api-fetch.ts';
export { createSentryScrubbers } from './scrub.ts';
export type { SentryScrubbers } from './scrub.ts';
export { createBrowserRedactor, BROWSER_REDACTOR_DEFAULTS } from './redactor.ts';
export type { BrowserRedactorOptions } from './redactor.ts';
export { uuidv7, newTraceContext, parseTraceparent, isValidCorrelationId } from './ids.ts';
export type { TraceContext } from './ids.ts';
export { reportWebVitals } from './web-vitals.ts';
export type { WebVitalReading } from './web-vitals.ts';
export type { ReportingHub, HubBreadcrumb, BreadcrumbLevel } from './reporting-hub.ts';
