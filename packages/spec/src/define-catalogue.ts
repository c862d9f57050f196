/**
 * How a service declares its own metrics, the same way the built-in catalogue is declared:
 * {@link defineCatalogue} groups `defineMetric` handles under titled groups, and {@link mergeCatalogues} makes the
 * union the generator validates and derives rules, SLOs and docs from.
 */
import { SPEC_VERSION } from './conventions.ts';
import type { Catalogue } from './catalogue.ts';
import type { MetricGroupInfo } from './metric-group.ts';
import type { AnyMetricHandle } from './metric-spec.ts';

/** One group of a catalogue as it is declared: its title and summary, and its metrics by key. */
export interface CatalogueGroup<M extends Readonly<Record<string, AnyMetricHandle>> = Readonly<Record<string, AnyMetricHandle>>> extends MetricGroupInfo {
  readonly metrics: M;
}

/** The catalogue {@link defineCatalogue} returns: handles keep their literal names, label keys and types. */
export interface DefinedCatalogue<G extends Readonly<Record<string, CatalogueGroup>>> extends Catalogue {
  readonly groups: { readonly [K in keyof G]: MetricGroupInfo };
  readonly metrics: { readonly [K in keyof G]: G[K]['metrics'] };
}

/**
 * Declares a catalogue: metrics with the same typed definitions as the built-in ones ({@link defineMetric}),
 * grouped, each group with the title and summary its docs section shows. Pure: `validateCatalogue()` checks it
 * (the generator does, on the union with the built-in catalogue), so declaring never throws at import time.
 *
 * @param groups group key -> title, summary and metrics; each metric's `group` is that key.
 * @returns the frozen catalogue, version tillwatch/v1.
 * @example
 * export const retail = defineCatalogue({
 *   voice: {
 *     title: 'Voice ordering',
 *     summary: 'Commands the voice assistant understood, and the orders they led to.',
 *     metrics: {
 *       commands: defineMetric({ name: 'voice_commands_total', type: 'counter', unit: 'count', group: 'voice', owner: 'service',
 *         help: 'Voice commands processed, by intent.', question: 'What do customers ask the assistant for?',
 *         labels: { intent: closedLabel('Intent the command was classified as.', ['order', 'status', 'cancel']) } }),
 *     },
 *   },
 * });
 * const expr = `rate(${retail.metrics.voice.commands}[5m])`;
 */
export function defineCatalogue<const G extends Readonly<Record<string, CatalogueGroup>>>(groups: G): DefinedCatalogue<G> {
  const info: Record<string, MetricGroupInfo> = {};
  const metrics: Record<string, Readonly<Record<string, AnyMetricHandle>>> = {};
  for (const [key, g] of Object.entries(groups)) {
    info[key] = Object.freeze({ title: g.title, summary: g.summary });
    metrics[key] = Object.freeze({ ...g.metrics });
  }
  return Object.freeze({ version: SPEC_VERSION, groups: Object.freeze(info), metrics: Object.freeze(metrics) }) as unknown as DefinedCatalogue<G>;
}

/**
 * The union of catalogues: the groups of each, in order. A group key declared by several catalogues becomes
 * one group (the first one's title) holding the metrics of all; `validateCatalogue` on the result reports two
 * metrics exposing the same series. Pure; never throws.
 * @example const all = mergeCatalogues(catalogue, retail);
 */
export function mergeCatalogues(...cats: readonly Catalogue[]): Catalogue {
  const groups: Record<string, MetricGroupInfo> = {};
  const metrics: Record<string, Record<string, AnyMetricHandle>> = {};
  for (const cat of cats) {
    for (const [key, info] of Object.entries(cat.groups)) groups[key] ??= info;
    for (const [key, handles] of Object.entries(cat.metrics)) {
      const into = (metrics[key] ??= {});
      // Keys only name handles in code; on a clash the metric's own name keeps both listed.
      for (const [name, h] of Object.entries(handles)) into[name in into ? h.name : name] = h;
    }
  }
  return Object.freeze({ version: SPEC_VERSION, groups: Object.freeze(groups), metrics: Object.freeze(metrics) });
}
