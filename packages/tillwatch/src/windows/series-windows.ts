/**
 * Rolling windows of a service's own series in bounded memory: a tiny in-process time-series store.
 *
 * Each series keeps one ring buffer of values per resolution tier (by default 10 s for 15 minutes, 1 m for
 * 3 h 10 m, 5 m for 25 h, 30 m for 7 d 2 h). A sample is written to every tier; a coarse slot keeps the last
 * sample that fell into it, which is what a counter needs (a rate over a window only reads its two ends and the
 * resets in between) and a fair "value at the time" for a gauge. Memory is fixed per series: 8 bytes per slot
 * (920 slots, 7.4 KB, with the default tiers) whatever the traffic; the timestamps are shared by all series.
 *
 * Counters (and histogram `_bucket`, `_sum`, `_count` series) are stored reset-adjusted: when a raw value drops
 * below the previous one (a restart), the previous value is added to an offset, so the stored series only grows
 * and survives a restart once persisted (see {@link SeriesWindows.toJSON}). Range reads use the finest tier that
 * still holds the start of the range (or the series' first sample, when it is younger), so a 5 m rate reads 10 s
 * samples and a 7 d rate reads 30 m ones.
 *
 * Hand-written: a maintained embeddable TSDB for Node (with tiered downsampling and a snapshot format) does not
 * exist; the parts are a ring buffer and a Map.
 */

export type Labels = Readonly<Record<string, string>>;

/** One sample read from the service: `labels` include `__name__`. */
export interface RawSample {
  readonly labels: Labels;
  readonly value: number;
  /** True for monotonic series (counters, histogram buckets, sums and counts): stored reset-adjusted. */
  readonly counter: boolean;
}

export interface TierSpec {
  readonly stepMs: number;
  readonly slots: number;
}

/** 10 s x 90 (15 m), 1 m x 190 (3 h 10 m), 5 m x 300 (25 h), 30 m x 340 (7 d 2 h). */
export const DEFAULT_TIERS: readonly TierSpec[] = [
  { stepMs: 10_000, slots: 90 },
  { stepMs: 60_000, slots: 190 },
  { stepMs: 300_000, slots: 300 },
  { stepMs: 1_800_000, slots: 340 },
];

export type Point = readonly [timeMs: number, value: number];

/** See {@link SeriesWindows.rangeSummary}. */
export interface RangeSummary {
  readonly first: Point;
  readonly last: Point;
  readonly count: number;
  /** Sum of the values before each decrease (what a counter reset lost). */
  readonly lost: number;
}

interface Tier {
  readonly stepMs: number;
  readonly slots: number;
  /** Absolute slot number (floor(t / step)) held by each ring position; -1 when empty. */
  readonly slotIndex: Float64Array;
  /** Time of the sample last written to each ring position. */
  readonly slotTime: Float64Array;
}

export interface StoredSeries {
  readonly key: string;
  readonly labels: Labels;
  readonly counter: boolean;
  /** Added to raw values (sum of the values lost to resets). */
  offset: number;
  /** Last raw value, to detect resets. */
  lastRaw: number;
  /** Time of the last sample written. */
  lastSeenMs: number;
  /** Time of the first sample written: a range reaching further back reads the finest tier still holding it. */
  firstSeenMs: number;
  readonly values: Float64Array[];
}

/** Stable key of a label set (sorted). */
export function labelsKey(labels: Labels): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`)
    .join(',');
}

/** The JSON form persisted across restarts. */
export interface WindowsSnapshot {
  readonly version: 1;
  readonly tiers: readonly { stepMs: number; slots: number; slotIndex: number[]; slotTime: number[] }[];
  readonly series: readonly { labels: Labels; counter: boolean; offset: number; lastRaw: number; lastSeenMs: number; firstSeenMs?: number; values: string[] }[];
}

export interface SeriesWindowsOptions {
  readonly tiers?: readonly TierSpec[];
  /** Series not written for this long are dropped (default: the longest tier's span). */
  readonly dropAfterMs?: number;
  /** At most this many series are kept; new ones beyond it are ignored and counted in `rejectedSeries`. Default 5000. */
  readonly maxSeries?: number;
}

export class SeriesWindows {
  readonly #tiers: Tier[];
  readonly #series = new Map<string, StoredSeries>();
  /** Series by metric name, for selector look-ups. */
  readonly #byName = new Map<string, Set<StoredSeries>>();
  readonly #dropAfterMs: number;
  readonly #maxSeries: number;
  #rejected = 0;
  #lastIngestMs = -Infinity;

  constructor(opts: SeriesWindowsOptions = {}) {
    const tiers = opts.tiers ?? DEFAULT_TIERS;
    if (tiers.length === 0) throw new Error('SeriesWindows: tiers must not be empty');
    this.#tiers = tiers.map((t) => ({ stepMs: t.stepMs, slots: t.slots, slotIndex: new Float64Array(t.slots).fill(-1), slotTime: new Float64Array(t.slots) }));
    this.#dropAfterMs = opts.dropAfterMs ?? Math.max(...tiers.map((t) => t.stepMs * t.slots));
    this.#maxSeries = opts.maxSeries ?? 5000;
  }

  get tiers(): readonly TierSpec[] {
    return this.#tiers.map((t) => ({ stepMs: t.stepMs, slots: t.slots }));
  }

  /** The longest range any tier covers. */
  get spanMs(): number {
    return Math.max(...this.#tiers.map((t) => t.stepMs * (t.slots - 1)));
  }

  get seriesCount(): number {
    return this.#series.size;
  }

  /** Series refused because `maxSeries` was reached. */
  get rejectedSeries(): number {
    return this.#rejected;
  }

  /** Time of the last ingest (ms), -Infinity before the first. */
  get lastIngestMs(): number {
    return this.#lastIngestMs;
  }

  /** Bytes held by the value buffers (the per-series cost; labels and keys come on top). */
  bytesPerSeries(): number {
    return this.#tiers.reduce((n, t) => n + t.slots * 8, 0);
  }

  /** Writes one scrape of samples at `timeMs` (ms since the epoch, non-decreasing). */
  ingest(timeMs: number, samples: readonly RawSample[]): void {
    if (timeMs < this.#lastIngestMs) return;
    this.#lastIngestMs = timeMs;
    const positions = this.#tiers.map((tier) => this.#advance(tier, timeMs));
    for (const s of samples) {
      const key = labelsKey(s.labels);
      let series = this.#series.get(key);
      if (series === undefined) {
        if (this.#series.size >= this.#maxSeries) {
          this.#rejected += 1;
          continue;
        }
        series = {
          key,
          labels: s.labels,
          counter: s.counter,
          offset: 0,
          lastRaw: Number.NaN,
          lastSeenMs: timeMs,
          firstSeenMs: timeMs,
          values: this.#tiers.map((t) => new Float64Array(t.slots).fill(Number.NaN)),
        };
        this.#add(series);
      }
      let v = s.value;
      if (series.counter) {
        if (Number.isFinite(series.lastRaw) && v < series.lastRaw) series.offset += series.lastRaw;
        series.lastRaw = v;
        v += series.offset;
      }
      series.lastSeenMs = timeMs;
      for (let i = 0; i < positions.length; i += 1) series.values[i]![positions[i]!] = v;
    }
    for (const series of this.#series.values()) if (timeMs - series.lastSeenMs > this.#dropAfterMs) this.#remove(series);
  }

  /** Every series of metric `name` (or all when undefined). */
  seriesNamed(name: string | undefined): Iterable<StoredSeries> {
    if (name === undefined) return this.#series.values();
    return this.#byName.get(name) ?? [];
  }

  /** Points of a series with time in (fromMs, toMs], oldest first, from the finest tier covering the range. */
  points(series: StoredSeries, fromMs: number, toMs: number): Point[] {
    const ti = this.#tierFor(Math.max(fromMs, series.firstSeenMs - 1));
    const tier = this.#tiers[ti]!;
    const values = series.values[ti]!;
    const out: Point[] = [];
    const first = Math.floor(fromMs / tier.stepMs);
    const last = Math.floor(toMs / tier.stepMs);
    for (let abs = Math.max(first, last - tier.slots + 1); abs <= last; abs += 1) {
      const i = abs % tier.slots;
      if (tier.slotIndex[i] !== abs) continue;
      const t = tier.slotTime[i]!;
      const v = values[i]!;
      if (t <= fromMs || t > toMs || Number.isNaN(v)) continue;
      out.push([t, v]);
    }
    return out;
  }

  /**
   * What `rate()` needs of a range without materialising its points: the first and last point, how many there
   * are, and the sum of the values lost to decreases (resets) in between. Undefined when the range is empty.
   */
  rangeSummary(series: StoredSeries, fromMs: number, toMs: number): RangeSummary | undefined {
    const ti = this.#tierFor(Math.max(fromMs, series.firstSeenMs - 1));
    const tier = this.#tiers[ti]!;
    const values = series.values[ti]!;
    let count = 0;
    let firstT = 0;
    let firstV = 0;
    let lastT = 0;
    let lastV = 0;
    let lost = 0;
    const last = Math.floor(toMs / tier.stepMs);
    for (let abs = Math.max(Math.floor(fromMs / tier.stepMs), last - tier.slots + 1); abs <= last; abs += 1) {
      const i = abs % tier.slots;
      if (tier.slotIndex[i] !== abs) continue;
      const t = tier.slotTime[i]!;
      const v = values[i]!;
      if (t <= fromMs || t > toMs || Number.isNaN(v)) continue;
      if (count === 0) {
        firstT = t;
        firstV = v;
      } else if (v < lastV) lost += lastV;
      lastT = t;
      lastV = v;
      count += 1;
    }
    return count === 0 ? undefined : { first: [firstT, firstV], last: [lastT, lastV], count, lost };
  }

  /** Step of the finest tier that still holds samples as old as `fromMs`: the resolution of a read from there. */
  resolutionAt(fromMs: number): number {
    return this.#tiers[this.#tierFor(fromMs)]!.stepMs;
  }

  /** The latest point of a series at or before `atMs`, no older than `lookbackMs`. */
  latest(series: StoredSeries, atMs: number, lookbackMs: number): Point | undefined {
    const pts = this.points(series, atMs - lookbackMs, atMs);
    return pts[pts.length - 1];
  }

  toJSON(): WindowsSnapshot {
    return {
      version: 1,
      tiers: this.#tiers.map((t) => ({ stepMs: t.stepMs, slots: t.slots, slotIndex: Array.from(t.slotIndex), slotTime: Array.from(t.slotTime) })),
      series: [...this.#series.values()].map((s) => ({
        labels: s.labels,
        counter: s.counter,
        offset: s.offset,
        lastRaw: s.lastRaw,
        lastSeenMs: s.lastSeenMs,
        firstSeenMs: s.firstSeenMs,
        values: s.values.map((v) => Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64')),
      })),
    };
  }

  /**
   * Restores a snapshot written by {@link toJSON} with the same tiers (a snapshot of other tiers is ignored and
   * false returned). Counters continue from their stored values: the next raw sample of a restarted process is
   * lower, which reads as a reset, so nothing is lost from the windows.
   */
  restore(snapshot: WindowsSnapshot): boolean {
    if (snapshot.version !== 1 || snapshot.tiers.length !== this.#tiers.length) return false;
    for (let i = 0; i < this.#tiers.length; i += 1) {
      const a = snapshot.tiers[i]!;
      const b = this.#tiers[i]!;
      if (a.stepMs !== b.stepMs || a.slots !== b.slots) return false;
    }
    for (let i = 0; i < this.#tiers.length; i += 1) {
      this.#tiers[i]!.slotIndex.set(snapshot.tiers[i]!.slotIndex);
      this.#tiers[i]!.slotTime.set(snapshot.tiers[i]!.slotTime);
    }
    this.#series.clear();
    this.#byName.clear();
    for (const s of snapshot.series.slice(0, this.#maxSeries)) {
      const values = s.values.map((b64, i) => {
        const buf = Buffer.from(b64, 'base64');
        const arr = new Float64Array(this.#tiers[i]!.slots).fill(Number.NaN);
        arr.set(new Float64Array(buf.buffer, buf.byteOffset, Math.min(buf.byteLength / 8, arr.length)));
        return arr;
      });
      this.#add({ key: labelsKey(s.labels), labels: s.labels, counter: s.counter, offset: s.offset, lastRaw: s.lastRaw, lastSeenMs: s.lastSeenMs, firstSeenMs: s.firstSeenMs ?? -Infinity, values });
    }
    this.#lastIngestMs = Math.max(-Infinity, ...this.#tiers.flatMap((t) => Array.from(t.slotTime)));
    return true;
  }

  /** The finest tier that still holds samples as old as `fromMs`. */
  #tierFor(fromMs: number): number {
    for (let i = 0; i < this.#tiers.length; i += 1) {
      const t = this.#tiers[i]!;
      if (this.#lastIngestMs - t.stepMs * (t.slots - 1) <= fromMs) return i;
    }
    return this.#tiers.length - 1;
  }

  /** Moves a tier to the slot of `timeMs`, clearing every series' value there when the slot is new. */
  #advance(tier: Tier, timeMs: number): number {
    const abs = Math.floor(timeMs / tier.stepMs);
    const i = abs % tier.slots;
    if (tier.slotIndex[i] !== abs) {
      tier.slotIndex[i] = abs;
      const ti = this.#tiers.indexOf(tier);
      for (const s of this.#series.values()) s.values[ti]![i] = Number.NaN;
    }
    tier.slotTime[i] = timeMs;
    return i;
  }

  #add(series: StoredSeries): void {
    this.#series.set(series.key, series);
    const name = series.labels.__name__ ?? '';
    let set = this.#byName.get(name);
    if (set === undefined) this.#byName.set(name, (set = new Set()));
    set.add(series);
  }

  #remove(series: StoredSeries): void {
    this.#series.delete(series.key);
    this.#byName.get(series.labels.__name__ ?? '')?.delete(series);
  }
}
