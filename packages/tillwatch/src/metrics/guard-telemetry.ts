/**
 * tillwatch's metrics about its own metrics: folded observations, ignored observations and failing collect
 * callbacks. Recording must never throw into request code, so every problem ends here: counted, and logged
 * once per metric so a bug is visible without flooding the log.
 *
 * These three counters are declared in the catalogue like every other metric, but are prom-client counters
 * without a guard of their own: they are what the guard reports to, and a guard reporting to itself could
 * loop. Their labels are bounded by construction (metric names of this process, a closed reason set).
 */
import { Counter, type Registry } from 'prom-client';
import type { Logger } from 'pino';
import { catalogue, type AnyMetricHandle, type InvalidObservationReason } from '@tillwatch/spec';
import { redactError, type RedactedError } from './redact-error.ts';

/** Per-metric reporting functions handed to a guarded metric; bound once, so the hot path does no lookups. */
export interface MetricReporter {
  /** One observation was folded into the overflow series. */
  dropped(): void;
  /** The metric just spent its series budget (logs TWWRN003 once). */
  overflowStarted(): void;
  /** One observation was ignored. */
  invalid(reason: InvalidObservationReason): void;
  /** A gauge's collect callback threw or rejected. */
  collectFailed(err: unknown): void;
}

export class GuardTelemetry {
  readonly #logger: Logger;
  readonly #redact: ((v: string) => string) | undefined;
  readonly #dropped: Counter<'metric'>;
  readonly #invalid: Counter<'metric' | 'reason'>;
  readonly #collectErrors: Counter<'metric'>;

  /** Names of the metrics it registers, so the owner can reserve them. */
  readonly metricNames: readonly string[];

  constructor(registry: Registry, prefix: string, logger: Logger, redact: ((v: string) => string) | undefined) {
    this.#logger = logger;
    this.#redact = redact;
    const m = catalogue.metrics.tillwatch;
    const counter = <L extends string>(h: AnyMetricHandle): Counter<L> =>
      new Counter<L>({ name: prefix + h.name, help: h.help, labelNames: h.labelNames as readonly L[], registers: [registry] });
    this.#dropped = counter<'metric'>(m.seriesDropped);
    this.#invalid = counter<'metric' | 'reason'>(m.invalidObservations);
    this.#collectErrors = counter<'metric'>(m.collectErrors);
    this.metricNames = [this.#dropped, this.#invalid, this.#collectErrors].map((c) => (c as unknown as { name: string }).name);
  }

  /**
   * Reporting functions for one metric. For a metric with labels (one that can overflow) the dropped counter
   * starts at 0, so `increase()` sees the first drop: a series that appears at 1 hides its first increment.
   */
  reporterFor(metric: string, hasLabels: boolean): MetricReporter {
    const droppedChild = this.#dropped.labels({ metric });
    if (hasLabels) droppedChild.inc(0);
    let warnedOverflow = false;
    const warnedInvalid = new Set<InvalidObservationReason>();
    let warnedCollect = false;
    return {
      dropped: () => droppedChild.inc(),
      overflowStarted: () => {
        if (warnedOverflow) return;
        warnedOverflow = true;
        this.#log('warn', { code: 'TWWRN003', metric }, `metric "${metric}" reached its label-set budget; new label sets fold into one overflow series`);
      },
      invalid: (reason) => {
        this.#invalid.inc({ metric, reason });
        if (warnedInvalid.has(reason)) return;
        warnedInvalid.add(reason);
        this.#log('warn', { code: 'TWWRN006', metric, reason }, `ignored an invalid observation of metric "${metric}" (${reason}); further ones are only counted`);
      },
      collectFailed: (err) => {
        this.#collectErrors.inc({ metric });
        if (warnedCollect) return;
        warnedCollect = true;
        this.#log('error', { code: 'TW_ERR_METRICS_COLLECT_FAILED', metric, err: this.#redactError(err) }, `collect callback of metric "${metric}" failed; further failures are only counted`);
      },
    };
  }

  #redactError(err: unknown): RedactedError {
    return redactError(err, this.#redact);
  }

  #log(level: 'warn' | 'error', obj: Record<string, unknown>, msg: string): void {
    try {
      this.#logger[level](obj, msg);
    } catch {
      // A failing log destination must not turn a metrics problem into a request failure.
    }
  }
}
