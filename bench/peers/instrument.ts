/**
 * `--import` set-up of the typical Express stack (bench only): OpenTelemetry's Node SDK with every
 * auto-instrumentation at its defaults (traces sampled at 100 %, the SDK default), exporting over OTLP/HTTP to the
 * URL in argv[2], and Sentry for errors. Sentry 10 would install OpenTelemetry a second time; it is told not to
 * (`skipOpenTelemetrySetup`), as its docs ask when a service brings its own SDK.
 */
import * as Sentry from '@sentry/node';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { getNodeAutoInstrumentations } from '@opentelemetry/auto-instrumentations-node';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';

const endpoint = process.argv[2] ?? 'http://127.0.0.1:4318';
Sentry.init({ dsn: 'http://public@127.0.0.1:9/1', skipOpenTelemetrySetup: true, tracesSampleRate: 0 });
const sdk = new NodeSDK({
  serviceName: 'typical-express',
  traceExporter: new OTLPTraceExporter({ url: `${endpoint}/v1/traces` }),
  instrumentations: [getNodeAutoInstrumentations({ '@opentelemetry/instrumentation-fs': { enabled: false } })],
});
sdk.start();
