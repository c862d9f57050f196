export { LogSink, logSink } from './log-sink.ts';
export { OtlpReceiver, otlpReceiver, decodeOtlpJson } from './otlp-receiver.ts';
export type { ReceivedSpan, ReceiverMode, OtlpReceiverOptions } from './otlp-receiver.ts';
export { SentryReceiver, sentryReceiver, parseEnvelope } from './sentry-receiver.ts';
export type { Envelope, EnvelopeItem, SentryEvent } from './sentry-receiver.ts';
export { memoryEventFailureStore } from './memory-event-failures.ts';
