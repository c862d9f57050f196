/**
 * The in-process SLO API: samples each SLO's counts from the service's own registry into a small ring buffer
 * on an unref'd timer, and reports error budget remaining and burn rate for the health summary.
 *
 * Telemetry never breaks checkout: sampling failures are kept as `lastError` and reported,
 * never thrown; `report()` is synchronous and cheap.
 */
import type { SloSpec } from '@tillwatch/spec';
import { maxSeries, sumSeries, type MetricSnapshot } from './count-series.ts';
import { computeSloStatus, type SloSample, type SloStatus } from './slo-status.ts';

/** What the tracker reads: a tillwatch `Metrics` instance fits (`metrics.registry`). */
export interface SnapshotSource {
  readonly registry: { getMetricsAsJSON(): Promise<readonly MetricSnapshot[]> | readonly MetricSnapshot[] };
}

export interface SloTrackerOptions {
  readonly slos: readonly SloSpec[];
  readonly metrics: SnapshotSource;
  /** `metrics.prefix` of the instance. */
  readonly prefix?: string;
  /** Default 10 000. */
  readonly sampleIntervalMs?: number;
  /** Short window for the burn rate; default 300 000 (the fastest page's short window, 5 m). */
  readonly windowMs?: number;
  /** Clock, for tests. */
  readonly now?: () => number;
}

export interface SloReport {
  readonly slos: readonly (SloStatus & { readonly supported: boolean })[];
  /** Message of the last failed sample, if the last one failed. */
  readonly lastError?: string;
}

/** A fixed-size ring buffer of samples, oldest first when read. */
class Ring {
  readonly #items: SloSample[] = [];
  readonly capacity: number;
  constructor(capacity: number) {
    this.capacity = capacity;
  }
  push(s: SloSample): void {
    this.#items.push(s);
    if (this.#items.length > this.capacity) this.#items.shift();
  }
  get items(): readonly SloSample[] {
    return this.#items;
  }
}

export class SloTracker {
  readonly #opts: Required<Omit<SloTrackerOptions, 'prefix'>> & { prefix: string };
  readonly #rings = new Map<string, Ring>();
  /** Time SLIs accumulate their own counts: one sample, one event. */
  readonly #timeCounts = new Map<string, { bad: number; total: number }>();
  #timer: NodeJS.Timeout | undefined;
  #lastError: string | undefined;

  constructor(options: SloTrackerOptions) {
    this.#opts = {
      slos: options.slos,
      metrics: options.metrics,
      prefix: options.prefix ?? '',
      sampleIntervalMs: options.sampleIntervalMs ?? 10_000,
      windowMs: options.windowMs ?? 300_000,
      now: options.now ?? Date.now,
    };
    const capacity = Math.ceil(this.#opts.windowMs / this.#opts.sampleIntervalMs) + 2;
    for (const slo of options.slos) this.#rings.set(slo.name, new Ring(capacity));
  }

  /** Starts periodic sampling; the timer is unref'd, so it never keeps the process alive. Idempotent. */
  start(): this {
    if (this.#timer === undefined) {
      void this.sample();
      this.#timer = setInterval(() => void this.sample(), this.#opts.sampleIntervalMs);
      this.#timer.unref();
    }
    return this;
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Takes one sample of every SLO now. Never rejects. */
  async sample(): Promise<void> {
    try {
      const snapshot = await this.#opts.metrics.registry.getMetricsAsJSON();
      this.ingest(snapshot);
      this.#lastError = undefined;
    } catch (e) {
      this.#lastError = (e as Error)?.message ?? String(e);
    }
  }

  /** Records one snapshot (exposed for tests and for callers that already hold a snapshot). */
  ingest(snapshot: readonly MetricSnapshot[]): void {
    const atMs = this.#opts.now();
    const prefix = this.#opts.prefix;
    for (const slo of this.#opts.slos) {
      const ring = this.#rings.get(slo.name) as Ring;
      const sli = slo.sli;
      if (sli.kind === 'events' && sli.counts !== undefined) {
        const c = sli.counts;
        const total = c.total.reduce((s, q) => s + sumSeries(snapshot, q, prefix), 0);
        const bad = c.bad !== undefined ? c.bad.reduce((s, q) => s + sumSeries(snapshot, q, prefix), 0) : total - (c.good ?? []).reduce((s, q) => s + sumSeries(snapshot, q, prefix), 0);
        ring.push({ atMs, bad: Math.max(0, bad), total });
      } else if (sli.kind === 'time' && sli.freshness !== undefined) {
        const last = maxSeries(snapshot, sli.freshness, prefix);
        if (last === undefined) continue;
        const counts = this.#timeCounts.get(slo.name) ?? { bad: 0, total: 0 };
        counts.total += 1;
        if (atMs / 1000 - last > sli.freshness.maxAgeSeconds) counts.bad += 1;
        this.#timeCounts.set(slo.name, counts);
        ring.push({ atMs, ...counts });
      }
    }
  }

  /** Every SLO's status now; `supported: false` for SLOs whose SLI has no in-process form. */
  report(): SloReport {
    const now = this.#opts.now();
    const slos = this.#opts.slos.map((slo) => {
      const supported = slo.sli.kind === 'events' ? slo.sli.counts !== undefined : slo.sli.freshness !== undefined;
      return { ...computeSloStatus(slo.name, slo.target, (this.#rings.get(slo.name) as Ring).items, this.#opts.windowMs, now), supported };
    });
    return this.#lastError === undefined ? { slos } : { slos, lastError: this.#lastError };
  }
}

/**
 * Creates (but does not start) an SLO tracker over a tillwatch `Metrics` instance.
 * @example
 * const tracker = createSloTracker({ slos: [availabilitySlo({ name: 'availability', target: 0.999, period: '30d', team: 'ops' })], metrics }).start();
 * tracker.report().slos[0]?.burnRate;
 */
export function createSloTracker(options: SloTrackerOptions): SloTracker {
  return new SloTracker(options);
}
