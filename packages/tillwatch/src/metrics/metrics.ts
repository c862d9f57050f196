/**
 * The metrics of one tillwatch instance: a private prom-client registry, guarded metric handles, HTTP RED
 * metrics, Node.js runtime metrics, and rendering in both exposition formats.
 *
 * Two rules shape it: registration happens at start-up and throws on mistakes; recording happens in request
 * code and never throws (telemetry never breaks checkout). Every metric is registered one way, from its
 * catalogue handle ({@link Metrics.register}). Nothing touches prom-client's global registry, so two instances
 * (two apps in one process, or parallel tests) never share series.
 */
import type { Logger } from 'pino';
import type { ResolvedTillwatchOptions } from '../config/options.ts';
import { catalogue, TillwatchError, type AnyMetricHandle, type MetricHandle } from '@tillwatch/spec';
import { contentTypeOf, negotiateExpositionFormat } from './exposition-format.ts';
import { prepareExposition, type PreparedExposition } from './exposition-renderer.ts';
import { GuardTelemetry } from './guard-telemetry.ts';
import { GuardedCounterHandle, type GuardedCounter } from './guarded-counter.ts';
import { GuardedGaugeHandle, type GuardedGauge } from './guarded-gauge.ts';
import { GuardedHistogramHandle, type GuardedHistogram } from './guarded-histogram.ts';
import { HttpMetrics } from './http-metrics.ts';
import { definitionOfHandle, exposedNames, sameDefinition, type NormalizedDefinition } from './metric-definition.ts';
import type { MetricRegistrar, RegisterOptions } from './metric-registrar.ts';
import { MetricsRegistry } from './metrics-registry.ts';
import { redactError } from './redact-error.ts';
import { registerRuntimeMetrics } from './runtime-metrics.ts';
import type { GuardSettings } from './series-guard.ts';

export interface MetricsDeps {
  readonly options: ResolvedTillwatchOptions;
  readonly logger: Logger;
  /**
   * The shared redactor's string scrub (masks card numbers and other secrets). Applied to every label value
   * when its label set is first seen, and to logged collect errors. Without it label values are only sanitised.
   */
  readonly redactLabel?: (v: string) => string;
}

/** A rendered exposition, ready to send. */
export interface RenderedMetrics {
  readonly contentType: string;
  readonly body: string;
}

type Handle = GuardedCounterHandle<string> | GuardedGaugeHandle<string> | GuardedHistogramHandle<string>;

/**
 * @example
 * ```ts
 * const metrics = new Metrics({ options, logger });
 * const served = metrics.register(retail.metrics.recommendations.served); // a handle from defineMetric()
 * served.inc({ placement: 'checkout' });
 * const { contentType, body } = await metrics.render(req.headers.accept);
 * ```
 */
export class Metrics implements MetricRegistrar {
  /** This instance's registry (Prometheus text format); never prom-client's global default registry. */
  readonly registry: MetricsRegistry;
  /** HTTP RED metrics, recorded by the framework adapters. */
  readonly http: HttpMetrics;
  /** `tillwatch_sink_errors_total{sink}`: telemetry writes that failed and were dropped (TW_ERR_SINK_WRITE_FAILED). */
  readonly sinkErrors: GuardedCounter<'sink'>;
  /** `metrics.prefix`, which tillwatch's own metrics carry. */
  readonly prefix: string;

  readonly #logger: Logger;
  readonly #redact: ((v: string) => string) | undefined;
  readonly #maxSeries: number;
  readonly #maxLabelValueLength: number;
  readonly #telemetry: GuardTelemetry;
  readonly #handles = new Map<string, Handle>();
  /** Every name written to the exposition -> the metric writing it, so two metrics cannot collide. */
  readonly #claimed = new Map<string, string>();
  #runtime: readonly { readonly name: string; readonly type: string }[] = [];

  /**
   * Creates the registry, tillwatch's own metrics, the RED metrics and, when `metrics.enabled` and
   * `metrics.runtime`, the Node.js runtime metrics (process-wide: created once per process and prefix, shared by
   * every instance). `metrics.prefix` applies to all of these, not to metrics the application defines.
   */
  constructor(deps: MetricsDeps) {
    const m = deps.options.metrics;
    this.#logger = deps.logger;
    this.#redact = deps.redactLabel;
    this.#maxSeries = m.maxSeriesPerMetric;
    this.#maxLabelValueLength = m.maxLabelValueLength;
    this.prefix = m.prefix;
    this.registry = new MetricsRegistry();
    this.#telemetry = new GuardTelemetry(this.registry, m.prefix, deps.logger, deps.redactLabel);
    for (const name of this.#telemetry.metricNames) this.#claim('counter', name);
    if (m.enabled && m.runtime) {
      this.#runtime = registerRuntimeMetrics(this.registry, m.prefix);
      for (const { type, name } of this.#runtime) this.#claim(type, name);
    }
    this.sinkErrors = this.register(catalogue.metrics.tillwatch.sinkErrors, { prefix: m.prefix });
    this.http = new HttpMetrics(this, { prefix: m.prefix, buckets: m.httpBuckets });
  }

  register<L extends string>(handle: MetricHandle<string, L, 'counter'>, options?: RegisterOptions): GuardedCounter<L>;
  register<L extends string>(handle: MetricHandle<string, L, 'gauge'>, options?: RegisterOptions): GuardedGauge<L>;
  register<L extends string>(handle: MetricHandle<string, L, 'histogram'>, options?: RegisterOptions): GuardedHistogram<L>;
  /** See {@link MetricRegistrar.register}: the one way to register a metric, from its catalogue handle. */
  register(handle: AnyMetricHandle, options: RegisterOptions = {}): unknown {
    const def = definitionOfHandle(handle, options, this.#maxSeries);
    switch (def.kind) {
      case 'counter':
        return this.#register(def, (d, st) => new GuardedCounterHandle<string>(d, this.registry, st));
      case 'gauge':
        return this.#register(def, (d, st) => new GuardedGaugeHandle<string>(d, this.registry, st));
      case 'histogram':
        return this.#register(def, (d, st) => new GuardedHistogramHandle<string>(d, this.registry, st));
    }
  }

  /**
   * Renders every metric in the format the Accept header asks for: OpenMetrics 1.0 for
   * `application/openmetrics-text`, otherwise Prometheus text 0.0.4. Concurrent renders in different formats
   * are safe. The body is the bytes prom-client would write for this registry; the render yields to the event
   * loop every few milliseconds, so a large exposition does not stall requests in flight.
   * @throws (rejects) when a collect callback of a metric registered directly in {@link Metrics.registry} fails;
   *   the error has already been logged, redacted. Guarded gauges' collect failures never reject.
   */
  async render(accept: string | undefined): Promise<RenderedMetrics> {
    const exposition = await this.exposition(accept);
    const chunks: string[] = [];
    await exposition.writeTo((chunk) => void chunks.push(chunk));
    return { contentType: exposition.contentType, body: chunks.join('') };
  }

  /**
   * {@link Metrics.render} in two steps, for streaming: the promise settles once the collect callbacks have run
   * (rejecting, logged, when one fails), then `writeTo(sink)` hands the body over in chunks.
   */
  async exposition(accept: string | undefined): Promise<PreparedExposition & { readonly contentType: string }> {
    const format = negotiateExpositionFormat(accept);
    try {
      const prepared = await prepareExposition(this.registry, format === 'openmetrics');
      return { contentType: contentTypeOf(format), writeTo: prepared.writeTo };
    } catch (err) {
      try {
        this.#logger.error({ code: 'TW_ERR_METRICS_COLLECT_FAILED', err: redactError(err, this.#redact), format }, 'rendering metrics failed: a collect callback threw or rejected');
      } catch {
        // The log destination failing as well changes nothing for the caller.
      }
      throw err;
    }
  }

  /**
   * Detaches the process-wide runtime metrics from this instance's registry, so a closed instance pins no
   * shared state. Idempotent. Recording stays harmless after close: requests still draining are counted.
   */
  close(): void {
    for (const { name } of this.#runtime) this.registry.removeSingleMetric(name);
    this.#runtime = [];
  }

  #register(norm: NormalizedDefinition, create: (d: NormalizedDefinition, s: GuardSettings) => Handle): Handle {
    const kind = norm.kind;
    const existing = this.#handles.get(norm.name);
    if (existing !== undefined) {
      if (sameDefinition(existing.definition, norm)) return existing;
      throw new TillwatchError(
        'TW_ERR_METRICS_DUPLICATE',
        `TW_ERR_METRICS_DUPLICATE: metric "${norm.name}" is already registered with a different definition (type, help, labels, label values, maxSeries, buckets, exemplars or collect differ)`,
      );
    }
    const names = exposedNames(kind, norm.name);
    for (const n of names) {
      const owner = this.#claimed.get(n) ?? (this.registry.getSingleMetric(n) === undefined ? undefined : n);
      if (owner !== undefined) {
        throw new TillwatchError(
          'TW_ERR_METRICS_DUPLICATE',
          `TW_ERR_METRICS_DUPLICATE: ${kind} "${norm.name}" would write "${n}", which metric "${owner}" already writes`,
        );
      }
    }
    const handle = create(norm, {
      maxLabelValueLength: this.#maxLabelValueLength,
      redact: this.#redact,
      reporter: this.#telemetry.reporterFor(norm.name, norm.labelNames.length > 0),
    });
    this.#handles.set(norm.name, handle);
    for (const n of names) this.#claimed.set(n, norm.name);
    return handle;
  }

  #claim(kind: string, name: string): void {
    for (const n of exposedNames(kind, name)) this.#claimed.set(n, name);
  }
}
