/**
 * The two span processors tillwatch adds, against the real OpenTelemetry SDK (BasicTracerProvider,
 * InMemorySpanExporter): redaction on end, and the bounded, counted export queue.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { createRedactor } from '@tillwatch/redact';
import { RedactingSpanProcessor } from '../src/trace/redacting-span-processor.ts';
import { CountedBatchSpanProcessor, type SpanDropReason } from '../src/trace/counted-batch-processor.ts';
import { createSampler } from '../src/trace/tracing.ts';

test('attributes, event attributes and the status message are scrubbed before any exporter sees the span', () => {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new RedactingSpanProcessor(createRedactor()), new SimpleSpanProcessor(memory)] });
  const span = provider.getTracer('t').startSpan('GET');
  span.setAttributes({
    'url.full': 'https://pay.example/charge?card=4111111111111111&cvv=737&amount=12',
    'http.request.header.authorization': ['Bearer sk_live_abc123def456'],
    'app.cardNumber': '5555555555554444',
    'db.query.text': "SELECT * FROM cards WHERE pan = '4012888888881881'",
    'http.response.status_code': 402,
    ok: false,
  });
  span.addEvent('exception', { 'exception.message': 'declined 4111 1111 1111 1111 token=abc' });
  span.setStatus({ code: 2, message: 'card 4111111111111111 declined' });
  span.end();
  const [out] = memory.getFinishedSpans();
  assert.ok(out);
  const text = JSON.stringify({ a: out.attributes, e: out.events, s: out.status });
  for (const secret of ['4111111111111111', '4111 1111 1111 1111', '5555555555554444', '4012888888881881', 'sk_live_abc123def456', 'cvv=737', 'token=abc']) {
    assert.ok(!text.includes(secret), `${secret} survived`);
  }
  assert.equal(out.attributes['http.request.header.authorization'], '[REDACTED]');
  assert.equal(out.attributes['app.cardNumber'], '[REDACTED]');
  assert.match(String(out.attributes['url.full']), /card=411111\*{6}1111&cvv=\[REDACTED\]&amount=12$/);
  assert.equal(out.attributes['http.response.status_code'], 402, 'numbers untouched');
  assert.equal(out.attributes.ok, false, 'booleans untouched');
});

/** An exporter that never answers: a black-holed collector. */
function blackHole(): SpanExporter & { batches: number[] } {
  const batches: number[] = [];
  return {
    batches,
    export(spans: ReadableSpan[], _done: (r: ExportResult) => void) {
      batches.push(spans.length);
    },
    shutdown: () => Promise.resolve(),
  };
}

test('the queue is bounded: past maxQueueSize spans are dropped and counted as queue_full, never buffered', async () => {
  const drops: [SpanDropReason, number][] = [];
  const exporter = blackHole();
  const processor = new CountedBatchSpanProcessor({ exporter, maxQueueSize: 4, maxExportBatchSize: 4, scheduledDelayMs: 60_000, exportTimeoutMs: 100, onDrop: (r, n) => drops.push([r, n]) });
  const provider = new BasicTracerProvider({ spanProcessors: [processor] });
  const tracer = provider.getTracer('t');
  for (let i = 0; i < 10; i++) tracer.startSpan(`s${i}`).end();
  // A full queue hands one batch to the exporter (which never answers) and refills; one export at a time.
  assert.deepEqual(exporter.batches, [4]);
  assert.equal(processor.pending, 4);
  assert.deepEqual(drops, [['queue_full', 1], ['queue_full', 1]]);
  // Shutting down against a black hole ends in the SDK's export timeout (a rejection tillwatch bounds and absorbs).
  await provider.shutdown().catch(() => undefined);
});

test('an export that fails or never finishes within exportTimeoutMs drops its batch as export_failed', async () => {
  for (const kind of ['failing', 'black hole'] as const) {
    const drops: [SpanDropReason, number][] = [];
    const exporter: SpanExporter =
      kind === 'failing'
        ? { export: (_s, done) => done({ code: ExportResultCode.FAILED, error: new Error('503') }), shutdown: () => Promise.resolve() }
        : blackHole();
    const processor = new CountedBatchSpanProcessor({ exporter, maxQueueSize: 10, maxExportBatchSize: 3, scheduledDelayMs: 60_000, exportTimeoutMs: 50, onDrop: (r, n) => drops.push([r, n]) });
    const provider = new BasicTracerProvider({ spanProcessors: [processor] });
    const tracer = provider.getTracer('t');
    for (let i = 0; i < 3; i++) tracer.startSpan(`s${i}`).end();
    // A full batch is exported at once; the black hole is given up on after exportTimeoutMs (bounded wait).
    for (let i = 0; i < 100 && drops.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(drops, [['export_failed', 3]], kind);
    assert.equal(processor.pending, 0, kind);
    await provider.shutdown().catch(() => undefined);
  }
});

test('unsampled spans are neither queued nor counted', () => {
  const drops: unknown[] = [];
  const processor = new CountedBatchSpanProcessor({ exporter: blackHole(), maxQueueSize: 1, exportTimeoutMs: 1000, onDrop: (...a) => drops.push(a) });
  const provider = new BasicTracerProvider({ sampler: createSampler(0), spanProcessors: [processor] });
  for (let i = 0; i < 5; i++) provider.getTracer('t').startSpan('x').end();
  assert.equal(processor.pending, 0);
  assert.deepEqual(drops, []);
  void provider.shutdown();
});
