/**
 * The cardinality guard: maps the label values request code passes to a series (kept in the metric's family),
 * enforcing a per-metric budget of distinct label sets.
 *
 * Why: every distinct label set is a new time series in Prometheus, held in memory here and in the TSDB.
 * One label fed with an order id or a raw URL turns a metric into millions of series and takes the
 * monitoring down with the shop. Past the budget, new label sets fold into ONE overflow series (every
 * label `__overflow__`), so totals stay right while the damage stays bounded; the folded observations are
 * counted in `tillwatch_metrics_series_dropped_total{metric}` and TWWRN003 is logged once.
 *
 * Hot path: the raw label values are looked up in a tree of Maps, one level per label, keyed by the values
 * themselves: no string building, and route templates and literals hash once (V8 caches a string's hash).
 * Sanitising and redacting happen only on a miss, when a label set is first seen.
 */
import { OVERFLOW_LABEL_VALUE } from '@tillwatch/spec';
import type { MetricReporter } from './guard-telemetry.ts';
import { sanitizeLabelValue } from './label-value.ts';

/** Label values as request code passes them: a missing label is exported as the empty string. */
export type LabelValues<L extends string> = Partial<Record<L, string | number>>;

/** What a guarded metric needs besides its definition. */
export interface GuardSettings {
  readonly maxLabelValueLength: number;
  /** The shared redactor's string scrub (masks card numbers); applied when a label set is first seen. */
  readonly redact: ((v: string) => string) | undefined;
  readonly reporter: MetricReporter;
}

export interface SeriesGuardOptions<S> extends GuardSettings {
  readonly labelNames: readonly string[];
  /**
   * Per label, in `labelNames` order: applied to the sanitised value when a label set is first seen (closed
   * labels fold unknown values into `other`, open ones record `unknown` when empty). Default: none.
   */
  readonly normalizers?: readonly ((sanitised: string) => string)[];
  readonly maxSeries: number;
  /** Creates the series for a sanitised label set (called once per distinct set, plus once for the overflow series). */
  readonly createSeries: (labels: Readonly<Record<string, string>>) => S;
}

/** A level of the raw-value cache: the last level maps to series, the others to the next level. */
type RawNode = Map<unknown, unknown>;

const NO_LABELS: Readonly<Record<string, unknown>> = Object.freeze({});

export class SeriesGuard<S> {
  readonly #names: readonly string[];
  readonly #nameSet: ReadonlySet<string>;
  readonly #maxSeries: number;
  readonly #maxLength: number;
  readonly #redact: ((v: string) => string) | undefined;
  readonly #reporter: MetricReporter;
  readonly #create: (labels: Readonly<Record<string, string>>) => S;
  readonly #normalizers: readonly ((sanitised: string) => string)[] | undefined;
  /**
   * Raw values -> series, one Map level per label. Bounded (#rawCacheLimit entries): a flood of distinct raw
   * values that sanitise alike, or that fold into the overflow series, cannot grow it without limit.
   */
  readonly #byRaw: RawNode = new Map();
  #rawCached = 0;
  /** Sanitised key -> series: the budgeted set. */
  readonly #bySanitized = new Map<string, S>();
  readonly #rawCacheLimit: number;
  readonly #rawValueMaxLength: number;
  #overflow: S | undefined;
  /** The one series of a metric without labels. */
  readonly #single: S | undefined;

  constructor(opts: SeriesGuardOptions<S>) {
    this.#names = opts.labelNames;
    this.#nameSet = new Set(opts.labelNames);
    this.#maxSeries = opts.maxSeries;
    this.#maxLength = opts.maxLabelValueLength;
    this.#redact = opts.redact;
    this.#reporter = opts.reporter;
    this.#create = opts.createSeries;
    this.#normalizers = opts.normalizers !== undefined && opts.normalizers.length > 0 ? opts.normalizers : undefined;
    this.#rawCacheLimit = opts.maxSeries * 2 + 64;
    // Raw values much longer than the limit are junk that gets truncated anyway: they take the slow path instead of pinning memory.
    this.#rawValueMaxLength = 4 * opts.maxLabelValueLength;
    this.#single = opts.labelNames.length === 0 ? opts.createSeries({}) : undefined;
  }

  /** Number of distinct label sets in use, not counting the overflow series. */
  get seriesCount(): number {
    return this.#names.length === 0 ? 1 : this.#bySanitized.size;
  }

  /**
   * The series for `labels`, or `undefined` (counted as invalid) when they name an undeclared label or hold a
   * value of an unusable type. Never throws, even for a hostile labels object (throwing getters, proxies).
   */
  resolve(labels: Readonly<Record<string, unknown>> | undefined): S | undefined {
    try {
      return this.#resolve(labels ?? NO_LABELS);
    } catch {
      this.#reporter.invalid('label_value');
      return undefined;
    }
  }

  #resolve(labels: Readonly<Record<string, unknown>>): S | undefined {
    const names = this.#names;
    if (typeof labels !== 'object' || labels === null) {
      this.#reporter.invalid('label_names');
      return undefined;
    }
    if (names.length === 0) {
      for (const _ in labels) return this.#undeclared();
      return this.#single;
    }
    let present = 0;
    let plain = true;
    let node: RawNode | S | undefined = this.#byRaw;
    for (let i = 0; i < names.length; i++) {
      const v = labels[names[i] as string];
      if (typeof v === 'string' || typeof v === 'number') {
        present++;
      } else if (v !== undefined) {
        plain = false;
        present++;
      }
      if (node !== undefined) node = (node as RawNode).get(v) as RawNode | S | undefined;
    }
    // Own enumerable keys beyond the declared ones present mean an undeclared label (or a declared one set to undefined).
    let keys = 0;
    for (const _ in labels) keys++;
    if (keys !== present && this.#hasUndeclared(labels)) return this.#undeclared();
    if (plain && node !== undefined) {
      const hit = node as S;
      if (hit === this.#overflow) this.#reporter.dropped();
      return hit;
    }
    return this.#miss(labels, plain);
  }

  #hasUndeclared(labels: Readonly<Record<string, unknown>>): boolean {
    for (const k in labels) if (!this.#nameSet.has(k)) return true;
    return false;
  }

  #undeclared(): undefined {
    this.#reporter.invalid('label_names');
    return undefined;
  }

  /** First sight of a raw label set: sanitise, find or create the series, apply the budget. */
  #miss(labels: Readonly<Record<string, unknown>>, cacheable: boolean): S | undefined {
    const clean: Record<string, string> = {};
    let key = '';
    const names = this.#names;
    for (let i = 0; i < names.length; i++) {
      const name = names[i] as string;
      let v = sanitizeLabelValue(labels[name], this.#maxLength, this.#redact);
      if (v === undefined) {
        this.#reporter.invalid('label_value');
        return undefined;
      }
      const normalize = this.#normalizers?.[i];
      if (normalize !== undefined) v = normalize(v);
      clean[name] = v;
      key += v + '\u0000'; // sanitised values hold no control characters, so the separator cannot occur inside them
    }
    let series = this.#bySanitized.get(key);
    if (series === undefined) {
      if (this.#bySanitized.size >= this.#maxSeries) {
        series = this.#overflowSeries();
      } else {
        series = this.#create(clean);
        this.#bySanitized.set(key, series);
      }
    }
    if (cacheable) this.#cache(labels, series);
    if (series === this.#overflow) this.#reporter.dropped();
    return series;
  }

  #cache(labels: Readonly<Record<string, unknown>>, series: S): void {
    if (this.#rawCached >= this.#rawCacheLimit) return;
    const names = this.#names;
    for (const name of names) {
      const v = labels[name];
      if (typeof v === 'string' && v.length > this.#rawValueMaxLength) return;
    }
    let node = this.#byRaw;
    for (let i = 0; i < names.length - 1; i++) {
      const v = labels[names[i] as string];
      let next = node.get(v) as RawNode | undefined;
      if (next === undefined) {
        next = new Map();
        node.set(v, next);
      }
      node = next;
    }
    node.set(labels[names[names.length - 1] as string], series);
    this.#rawCached++;
  }

  #overflowSeries(): S {
    if (this.#overflow === undefined) {
      const labels: Record<string, string> = {};
      for (const name of this.#names) labels[name] = OVERFLOW_LABEL_VALUE;
      this.#overflow = this.#create(labels);
      this.#reporter.overflowStarted();
    }
    return this.#overflow;
  }
}
