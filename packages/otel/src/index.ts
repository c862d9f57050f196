/**
 * @tillwatch/otel: OpenTelemetry tracing (OTLP/HTTP, W3C trace context) and Sentry error reports for a
 * tillwatch service, both scrubbed by tillwatch's redactor. A service does not import this package:
 * `createTillwatch()` loads it when `trace` or `sentry` is configured (or OTEL_EXPORTER_OTLP_ENDPOINT /
 * SENTRY_DSN is set). ES-module services also start with `node --import @tillwatch/otel/register`, so
 * that their statically imported modules are instrumented (see register.ts).
 */
export { activeSpanContext } from './trace/active-span.ts';
export { traceRequest } from './trace/edge.ts';
export { startTelemetry } from './start-telemetry.ts';
