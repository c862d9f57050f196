/**
 * OpenTelemetry's BatchSpanProcessor with its drops made visible. The SDK drops a span silently (one
 * `diag` line) when its queue is full, and a failed export only reaches `diag`; tillwatch counts both,
 * because a collector that is down must show up on a dashboard, not in a debug log nobody enables.
 *
 * The queue is mirrored, not read: a span is pending from the moment it is handed to the batch
 * processor until the processor hands it to the exporter, exactly the life of an entry in the SDK's
 * own buffer, so `pending >= maxQueueSize` is true precisely when the SDK is about to drop it.
 */
import type { Context } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { BatchSpanProcessor, type ReadableSpan, type Span, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-base';

/** Why spans were dropped, the `reason` label of tillwatch_trace_spans_dropped_total. */
export type SpanDropReason = 'queue_full' | 'export_failed';

export interface CountedBatchProcessorOptions {
  readonly exporter: SpanExporter;
  readonly maxQueueSize: number;
  readonly exportTimeoutMs: number;
  /** Spans per export request (the SDK default, 512, capped at maxQueueSize). */
  readonly maxExportBatchSize?: number;
  /** Delay between two scheduled exports (the SDK default is 5000 ms). */
  readonly scheduledDelayMs?: number;
  /** Told about every drop; must not throw (it is guarded anyway). */
  readonly onDrop: (reason: SpanDropReason, count: number, error?: unknown) => void;
}

export class CountedBatchSpanProcessor implements SpanProcessor {
  readonly #inner: BatchSpanProcessor;
  readonly #max: number;
  readonly #onDrop: CountedBatchProcessorOptions['onDrop'];
  #pending = 0;

  constructor(o: CountedBatchProcessorOptions) {
    this.#max = o.maxQueueSize;
    this.#onDrop = o.onDrop;
    const exporter = o.exporter;
    const counting: SpanExporter = {
      export: (spans: ReadableSpan[], done: (r: ExportResult) => void): void => {
        this.#pending = Math.max(0, this.#pending - spans.length);
        let settled = false;
        // The SDK gives up on an export after exportTimeoutMillis without telling the exporter; this
        // timer makes that give-up a counted drop instead of a silent one.
        const timer = setTimeout(() => finish({ code: ExportResultCode.FAILED, error: new Error(`span export did not finish within ${o.exportTimeoutMs} ms`) }), o.exportTimeoutMs);
        timer.unref();
        const finish = (r: ExportResult): void => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          if (r.code !== ExportResultCode.SUCCESS) this.#drop('export_failed', spans.length, r.error);
          done(r);
        };
        try {
          exporter.export(spans, finish);
        } catch (error) {
          finish({ code: ExportResultCode.FAILED, error: error instanceof Error ? error : new Error(String(error)) });
        }
      },
      shutdown: () => exporter.shutdown(),
      forceFlush: () => exporter.forceFlush?.() ?? Promise.resolve(),
    };
    const batch = Math.min(o.maxExportBatchSize ?? 512, o.maxQueueSize);
    this.#inner = new BatchSpanProcessor(counting, {
      maxQueueSize: o.maxQueueSize,
      maxExportBatchSize: batch,
      exportTimeoutMillis: o.exportTimeoutMs,
      scheduledDelayMillis: o.scheduledDelayMs ?? 5000,
    });
  }

  /** Spans ended and waiting for export. */
  get pending(): number {
    return this.#pending;
  }

  #drop(reason: SpanDropReason, count: number, error?: unknown): void {
    try {
      this.#onDrop(reason, count, error);
    } catch {
      // a counter that fails changes nothing for the request that ended the span
    }
  }

  onStart(span: Span, parentContext: Context): void {
    this.#inner.onStart(span, parentContext);
  }

  onEnd(span: ReadableSpan): void {
    // The SDK skips unsampled spans before queueing them; so does the mirror.
    if ((span.spanContext().traceFlags & 1) === 0) return;
    if (this.#pending >= this.#max) {
      this.#drop('queue_full', 1);
    } else {
      this.#pending++;
    }
    this.#inner.onEnd(span);
  }

  forceFlush(): Promise<void> {
    return this.#inner.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.#inner.shutdown();
  }
}
