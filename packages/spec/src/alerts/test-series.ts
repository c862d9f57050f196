/**
 * Input series for generated promtool unit tests
 * (https://prometheus.io/docs/prometheus/latest/configuration/unit_testing_rules/), built from catalogue
 * handles so a test fixture breaks the build exactly when the rule it tests would.
 *
 * Series are sampled every minute from time 0 (the tests' `interval: 1m`).
 */
import type { AnyMetricHandle, LabelMatcher } from '../metric-spec.ts';

/** One promtool input series: a selector and values in expanding notation (`0+60x90`). */
export interface SeriesFixture {
  readonly series: string;
  readonly values: string;
}

/** Samples per fixture series: enough for the longest `for` of the default pack (30 m) plus settling. */
export const TEST_SERIES_MINUTES = 90;

function num(n: number): string {
  // promtool parses Go floats; avoid exponent notation and float noise such as 0.30000000000000004.
  const r = Math.round(n * 1e6) / 1e6;
  return Object.is(r, -0) ? '0' : String(r);
}

function selector(metric: AnyMetricHandle | string, labels: Readonly<Record<string, string>>): string {
  const name = typeof metric === 'string' ? metric : metric.name;
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${v.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`);
  return parts.length === 0 ? name : `${name}{${parts.join(',')}}`;
}

/** A counter growing by `perMinute` every minute. */
export function counterSeries(metric: AnyMetricHandle | string, labels: Readonly<Record<string, string>>, perMinute: number): SeriesFixture {
  return { series: selector(metric, labels), values: `0+${num(perMinute)}x${TEST_SERIES_MINUTES}` };
}

/** A gauge holding `value`. */
export function gaugeSeries(metric: AnyMetricHandle | string, labels: Readonly<Record<string, string>>, value: number): SeriesFixture {
  return { series: selector(metric, labels), values: `${num(value)}+0x${TEST_SERIES_MINUTES}` };
}

/** A gauge recording a Unix time that is always `ageSeconds` old (a heartbeat that keeps being updated). */
export function timestampSeries(metric: AnyMetricHandle | string, labels: Readonly<Record<string, string>>, ageSeconds: number): SeriesFixture {
  return { series: selector(metric, labels), values: `${num(-ageSeconds)}+60x${TEST_SERIES_MINUTES}` };
}

/** A gauge recording a Unix time that stopped moving: already `ageSeconds` old at time 0. */
export function stalledTimestampSeries(metric: AnyMetricHandle | string, labels: Readonly<Record<string, string>>, ageSeconds: number): SeriesFixture {
  return { series: selector(metric, labels), values: `${num(-ageSeconds)}+0x${TEST_SERIES_MINUTES}` };
}

/** Observations a histogram fixture receives: `perMinute` a minute, each taking `seconds`. */
export interface ObservationGroup {
  readonly perMinute: number;
  readonly seconds: number;
}

/**
 * The `_bucket` and `_count` series of a histogram receiving the given observations every minute (each
 * bucket at or above an observation counts it, every bucket below does not).
 */
export function histogramSeries(metric: AnyMetricHandle, labels: Readonly<Record<string, string>>, groups: readonly ObservationGroup[]): SeriesFixture[] {
  const bounds = metric.buckets ?? [];
  const out: SeriesFixture[] = [];
  let total = 0;
  for (const g of groups) total += g.perMinute;
  for (const le of [...bounds.map(String), '+Inf']) {
    let n = 0;
    for (const g of groups) if (le === '+Inf' || g.seconds <= Number(le)) n += g.perMinute;
    out.push(counterSeries(`${metric.name}_bucket`, { ...labels, le }, n));
  }
  out.push(counterSeries(`${metric.name}_count`, labels, total));
  return out;
}

/** A matcher-free label map helper for fixtures: keeps handles' label keys typed at the call site. */
export type FixtureLabels<L extends string> = { readonly [K in L]?: string };
export type { LabelMatcher };
