/**
 * Registers catalogue handles with the runtime metrics factory. The factory is described structurally, so
 * the recorders depend on the shape of `Metrics` (src/metrics/metrics.ts), not on its module: any object
 * with these three methods works, including a test double.
 */
import type { AnyMetricHandle, MetricHandle } from '@tillwatch/spec';

/** Label values as the recorders pass them, already normalised. */
export type Labels<L extends string> = { readonly [K in L]: string };

export interface CounterRecorder<L extends string> {
  inc(labels: Labels<L>, value?: number): void;
}
export interface GaugeRecorder<L extends string> {
  set(labels: Labels<L>, value: number): void;
  inc(labels: Labels<L>, value?: number): void;
  dec(labels: Labels<L>, value?: number): void;
}
export interface HistogramRecorder<L extends string> {
  observe(labels: Labels<L>, value: number): void;
}

interface Definition {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  readonly maxSeries?: number;
}

/** What the recorders need from `Metrics`: its three registration methods. Recording must never throw. */
export interface MetricFactoryLike {
  counter(def: Definition): { inc(labels?: Readonly<Record<string, string>>, value?: number): void };
  gauge(def: Definition): {
    set(labels: Readonly<Record<string, string>>, value: number): void;
    inc(labels?: Readonly<Record<string, string>>, value?: number): void;
    dec(labels?: Readonly<Record<string, string>>, value?: number): void;
  };
  histogram(def: Definition & { readonly buckets: readonly number[] }): {
    observe(labels: Readonly<Record<string, string>>, value: number): void;
  };
}

function definitionOf(handle: AnyMetricHandle): Definition {
  return {
    name: handle.name,
    help: handle.help,
    labelNames: handle.labelNames,
    ...(handle.maxSeries === undefined ? {} : { maxSeries: handle.maxSeries }),
  };
}

/**
 * Registers a counter from its handle.
 * @throws whatever `factory.counter` throws for an invalid or conflicting definition (start-up only).
 */
export function registerCounter<L extends string>(factory: MetricFactoryLike, handle: MetricHandle<string, L, 'counter'>): CounterRecorder<L> {
  return factory.counter(definitionOf(handle as AnyMetricHandle));
}

/** Registers a gauge from its handle. @throws as {@link registerCounter}. */
export function registerGauge<L extends string>(factory: MetricFactoryLike, handle: MetricHandle<string, L, 'gauge'>): GaugeRecorder<L> {
  return factory.gauge(definitionOf(handle as AnyMetricHandle));
}

/** Registers a histogram from its handle, with the catalogue's buckets. @throws as {@link registerCounter}. */
export function registerHistogram<L extends string>(factory: MetricFactoryLike, handle: MetricHandle<string, L, 'histogram'>): HistogramRecorder<L> {
  return factory.histogram({ ...definitionOf(handle as AnyMetricHandle), buckets: handle.buckets ?? [] });
}
