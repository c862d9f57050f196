/**
 * Starts what `createTillwatch()` asks of this package: Sentry first (it shares the tracer provider: trace
 * ids on reports, its context manager and propagator), then tracing. Drops are counted on the instance's
 * metrics and logged at most once a minute per sink, so a collector or ingest outage is visible without
 * flooding the log; nothing here throws into the service.
 */
import { catalogue } from '@tillwatch/spec';
import type { OtelStartDeps, OtelTelemetry } from 'tillwatch';
import { startSentryReporter } from './report/sentry-reporter.ts';
import { startTracing, type Tracing } from './trace/tracing.ts';

/** A warning a minute at most, per sink. */
const WARN_INTERVAL_MS = 60_000;

/**
 * Starts Sentry reports (when `sentry.dsn` is set) and tracing (when `trace.enabled`, or for Sentry's trace ids).
 * @param deps what the tillwatch instance provides.
 */
export function startTelemetry(deps: OtelStartDeps): OtelTelemetry {
  const { options: opts, redactor, logger, context, metrics } = deps;
  let lastSentryWarning = -Infinity;
  const sentry =
    opts.sentry.dsn === undefined
      ? undefined
      : startSentryReporter({
          options: opts,
          redactor,
          logger,
          context,
          onDrop: (reason) => {
            metrics.sinkErrors.inc({ sink: 'sentry' });
            const now = Date.now();
            if (now - lastSentryWarning < WARN_INTERVAL_MS) return;
            lastSentryWarning = now;
            logger.warn({ code: 'TW_ERR_SINK_WRITE_FAILED', sink: 'sentry', reason }, 'error report dropped');
          },
          crashFlushLimitMs: deps.crashFlushLimitMs,
        });
  const dropped = opts.trace.enabled ? metrics.register(catalogue.metrics.tillwatch.spansDropped, { prefix: metrics.prefix }) : undefined;
  let lastExportWarning = -Infinity;
  const tracing: Tracing = startTracing({
    options: opts,
    redactor,
    logger,
    exportOtlp: opts.trace.enabled,
    extensions: sentry?.tracing,
    context,
    onDrop: (reason, count, error) => {
      dropped?.inc({ reason }, count);
      if (reason !== 'export_failed') return;
      metrics.sinkErrors.inc({ sink: 'otlp' });
      const now = Date.now();
      if (now - lastExportWarning < WARN_INTERVAL_MS) return;
      lastExportWarning = now;
      logger.warn({ code: 'TW_ERR_TRACE_EXPORT_FAILED', sink: 'otlp', spans: count, err: error }, 'span export failed; spans dropped');
    },
  });
  return { tracing, sentry };
}
