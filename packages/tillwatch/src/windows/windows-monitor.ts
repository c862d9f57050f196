/**
 * The in-process monitor: every `sampleIntervalMs` it reads the service's registry into the rolling windows and
 * evaluates the rule groups on them, sends alerts that start firing or resolve to the notifier, and every
 * `persistIntervalMs` (and on stop) saves the windows. Timers are unref'd; nothing here throws into the service:
 * failures are counted in `status()` and logged through `onError`.
 */
import type { Sample } from './promql/evaluate-promql.ts';
import { readRegistrySamples, type SampleSource, type SeriesFilter } from './registry-samples.ts';
import { RuleEngine, type AlertTransition, type RuleFileGroup } from './rules/rule-engine.ts';
import type { AlertNotification, AlertNotifier } from './notify/notifiers.ts';
import { DEFAULT_TIERS, SeriesWindows, type SeriesWindowsOptions } from './series-windows.ts';
import type { WindowsPersistence } from './windows-persistence.ts';

export type FailureKind = 'sample' | 'evaluate' | 'notify' | 'persist' | 'restore';

export interface WindowsMonitorOptions {
  /** The registry to read: `tw.metrics.registry`. */
  readonly source: SampleSource;
  /** Rule groups to evaluate (the generated Prometheus rules); none: windows only. */
  readonly groups?: readonly RuleFileGroup[];
  /** Service name: `up{job="<service>"}` is 1 in process. */
  readonly service: string;
  /** Default 10 000; also the finest tier's step (15 minutes of samples) unless `windows.tiers` is given. */
  readonly sampleIntervalMs?: number;
  /** Default 300 000. */
  readonly persistIntervalMs?: number;
  readonly windows?: SeriesWindowsOptions;
  /** Which metrics to keep (default all). */
  readonly filter?: SeriesFilter;
  readonly notifier?: AlertNotifier;
  readonly persistence?: WindowsPersistence;
  /** Applied to every annotation and label value sent to a notifier (the service's redactor). */
  readonly redact?: (text: string) => string;
  /** Told about sampling, evaluation, delivery and persistence failures. */
  readonly onError?: (what: FailureKind, err: unknown) => void;
  /** Clock, for tests. */
  readonly now?: () => number;
}

export interface WindowsMonitorStatus {
  readonly series: number;
  readonly rejectedSeries: number;
  readonly bytesPerSeries: number;
  readonly rules: number;
  readonly skippedRules: readonly { group: string; name: string; reason: string }[];
  readonly lastSampleMs: number;
  /** Wall-clock cost of the last tick (sampling + evaluation), ms. */
  readonly lastTickCostMs: number;
  readonly failures: Readonly<Record<FailureKind, number>>;
  readonly restoredFromSnapshot: boolean;
}

export class WindowsMonitor {
  readonly windows: SeriesWindows;
  readonly engine: RuleEngine;
  readonly sampleIntervalMs: number;
  readonly #opts: WindowsMonitorOptions;
  readonly #now: () => number;
  #timer: NodeJS.Timeout | undefined;
  #persistTimer: NodeJS.Timeout | undefined;
  #ticking: Promise<void> | undefined;
  #lastTickCostMs = 0;
  #restored = false;
  readonly #failures = { sample: 0, evaluate: 0, notify: 0, persist: 0, restore: 0 };
  readonly #pending = new Set<Promise<void>>();

  constructor(opts: WindowsMonitorOptions) {
    this.#opts = opts;
    this.#now = opts.now ?? Date.now;
    this.sampleIntervalMs = opts.sampleIntervalMs ?? 10_000;
    // The finest tier holds every sample for 15 minutes; the coarser ones are the defaults.
    const finest = { stepMs: this.sampleIntervalMs, slots: Math.max(2, Math.ceil(900_000 / this.sampleIntervalMs)) };
    this.windows = new SeriesWindows({ tiers: [finest, ...DEFAULT_TIERS.slice(1)], ...opts.windows });
    const up: Sample[] = [{ labels: { __name__: 'up', job: opts.service, instance: 'in-process' }, value: 1 }];
    this.engine = new RuleEngine({ groups: opts.groups ?? [], windows: this.windows, extraSeries: () => up });
  }

  /** Restores the persisted windows (when persistence is set), then samples on a timer. */
  async start(): Promise<void> {
    if (this.#opts.persistence) {
      try {
        const snap = await this.#opts.persistence.load();
        if (snap !== undefined) this.#restored = this.windows.restore(snap);
      } catch (err) {
        this.#fail('restore', err);
      }
    }
    this.#timer = setInterval(() => void this.tick(), this.sampleIntervalMs);
    this.#timer.unref();
    if (this.#opts.persistence) {
      this.#persistTimer = setInterval(() => void this.persist(), this.#opts.persistIntervalMs ?? 300_000);
      this.#persistTimer.unref();
    }
    await this.tick();
  }

  /** One sample and evaluation at `timeMs` (default now). Ticks never overlap; never rejects. */
  tick(timeMs?: number): Promise<void> {
    if (this.#ticking) return this.#ticking;
    this.#ticking = this.#tick(timeMs ?? this.#now()).finally(() => (this.#ticking = undefined));
    return this.#ticking;
  }

  /** Saves the windows now (when persistence is set); never rejects. */
  async persist(): Promise<void> {
    if (!this.#opts.persistence) return;
    try {
      await this.#opts.persistence.save(this.windows.toJSON());
    } catch (err) {
      this.#fail('persist', err);
    }
  }

  /** Stops the timers, waits for notifications in flight, and saves the windows. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    clearInterval(this.#persistTimer);
    await this.#ticking;
    await Promise.allSettled([...this.#pending]);
    await this.persist();
  }

  status(): WindowsMonitorStatus {
    return {
      series: this.windows.seriesCount,
      rejectedSeries: this.windows.rejectedSeries,
      bytesPerSeries: this.windows.bytesPerSeries(),
      rules: this.engine.ruleCount,
      skippedRules: this.engine.skipped,
      lastSampleMs: this.windows.lastIngestMs,
      lastTickCostMs: this.#lastTickCostMs,
      failures: { ...this.#failures },
      restoredFromSnapshot: this.#restored,
    };
  }

  async #tick(timeMs: number): Promise<void> {
    const start = performance.now();
    try {
      this.windows.ingest(timeMs, await readRegistrySamples(this.#opts.source, this.#opts.filter));
    } catch (err) {
      this.#fail('sample', err);
      return;
    }
    const transitions = this.engine.evaluate(timeMs);
    if (this.engine.lastErrors.length > 0) this.#fail('evaluate', new Error(this.engine.lastErrors.map((e) => `${e.rule}: ${e.message}`).join('; ')));
    this.#lastTickCostMs = performance.now() - start;
    if (transitions.length > 0 && this.#opts.notifier) this.#notify(transitions);
  }

  #notify(transitions: readonly AlertTransition[]): void {
    const redact = this.#opts.redact ?? ((s: string) => s);
    const scrub = (r: Readonly<Record<string, string>>) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, redact(v)]));
    const batch: AlertNotification[] = transitions.map((t) => ({
      status: t.kind,
      labels: scrub(t.alert.labels),
      annotations: scrub(t.alert.annotations),
      startsAt: new Date(t.alert.activeAtMs).toISOString(),
      ...(t.resolvedAtMs === undefined ? {} : { endsAt: new Date(t.resolvedAtMs).toISOString() }),
      value: t.alert.value,
    }));
    const p = this.#opts
      .notifier!.notify(batch)
      .catch((err: unknown) => this.#fail('notify', err))
      .finally(() => this.#pending.delete(p));
    this.#pending.add(p);
  }

  #fail(what: FailureKind, err: unknown): void {
    this.#failures[what] += 1;
    try {
      this.#opts.onError?.(what, err);
    } catch {
      // a failing error callback must not break the loop
    }
  }
}
