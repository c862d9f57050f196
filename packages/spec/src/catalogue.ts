/**
 * The tillwatch/v1 metric catalogue: every metric a tillwatch service exports or will export, by group, and
 * {@link defineCatalogue}, with which a service declares its own metrics the same way. Everything else refers to
 * metrics through these handles: the runtime registers them, rules, SLOs and docs are generated from the union
 * of the built-in catalogue and the service's own (`catalogue` in the deploy config).
 *
 * @example
 * import { catalogue } from '@tillwatch/spec';
 * const m = catalogue.metrics;
 * const paymentFailureRatio =
 *   `sum by (method) (rate(${m.payments.failures}[5m])) / sum by (method) (rate(${m.payments.attempts}[5m]))`;
 */
import { SPEC_VERSION, type SpecVersion } from './conventions.ts';
import { METRIC_GROUPS, type MetricGroupInfo } from './metric-group.ts';
import type { AnyMetricHandle } from './metric-spec.ts';
import { backupsMetrics } from './catalogue/backups.ts';
import { cacheMetrics } from './catalogue/cache.ts';
import { complianceMetrics } from './catalogue/compliance.ts';
import { customersMetrics } from './catalogue/customers.ts';
import { databaseMetrics } from './catalogue/database.ts';
import { deadLetterMetrics } from './catalogue/dead-letter.ts';
import { httpMetrics } from './catalogue/http.ts';
import { inventoryMetrics } from './catalogue/inventory.ts';
import { offlineQueueMetrics } from './catalogue/offline-queue.ts';
import { ordersMetrics } from './catalogue/orders.ts';
import { outboundMetrics } from './catalogue/outbound.ts';
import { paymentsMetrics } from './catalogue/payments.ts';
import { printingMetrics } from './catalogue/printing.ts';
import { productAnalyticsMetrics } from './catalogue/product-analytics.ts';
import { revenueMetrics } from './catalogue/revenue.ts';
import { runtimeMetrics } from './catalogue/runtime.ts';
import { securityMetrics } from './catalogue/security.ts';
import { syncMetrics } from './catalogue/sync.ts';
import { tillwatchMetrics } from './catalogue/tillwatch.ts';

/** The shape every catalogue has: a version, each group's title and summary, and per group named handles. */
export interface Catalogue {
  readonly version: SpecVersion;
  /** Title and summary of every group, in the order docs list them. */
  readonly groups: Readonly<Record<string, MetricGroupInfo>>;
  /** Per group, the metric handles by key. */
  readonly metrics: Readonly<Record<string, Readonly<Record<string, AnyMetricHandle>>>>;
}

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

/** The built-in catalogue, with handles typed by their literal names and label keys. */
export const catalogue = defineCatalogue({
  http: { ...METRIC_GROUPS.http, metrics: httpMetrics },
  runtime: { ...METRIC_GROUPS.runtime, metrics: runtimeMetrics },
  tillwatch: { ...METRIC_GROUPS.tillwatch, metrics: tillwatchMetrics },
  orders: { ...METRIC_GROUPS.orders, metrics: ordersMetrics },
  payments: { ...METRIC_GROUPS.payments, metrics: paymentsMetrics },
  revenue: { ...METRIC_GROUPS.revenue, metrics: revenueMetrics },
  inventory: { ...METRIC_GROUPS.inventory, metrics: inventoryMetrics },
  compliance: { ...METRIC_GROUPS.compliance, metrics: complianceMetrics },
  customers: { ...METRIC_GROUPS.customers, metrics: customersMetrics },
  offlineQueue: { ...METRIC_GROUPS.offlineQueue, metrics: offlineQueueMetrics },
  printing: { ...METRIC_GROUPS.printing, metrics: printingMetrics },
  sync: { ...METRIC_GROUPS.sync, metrics: syncMetrics },
  productAnalytics: { ...METRIC_GROUPS.productAnalytics, metrics: productAnalyticsMetrics },
  database: { ...METRIC_GROUPS.database, metrics: databaseMetrics },
  cache: { ...METRIC_GROUPS.cache, metrics: cacheMetrics },
  security: { ...METRIC_GROUPS.security, metrics: securityMetrics },
  deadLetter: { ...METRIC_GROUPS.deadLetter, metrics: deadLetterMetrics },
  outbound: { ...METRIC_GROUPS.outbound, metrics: outboundMetrics },
  backups: { ...METRIC_GROUPS.backups, metrics: backupsMetrics },
});

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

/** Every handle of a catalogue, group by group in declaration order. */
export function listMetrics(cat: Catalogue = catalogue): AnyMetricHandle[] {
  const out: AnyMetricHandle[] = [];
  for (const group of Object.values(cat.metrics)) out.push(...Object.values(group));
  return out;
}

/** The handle with this name, if the catalogue declares it. */
export function findMetric(name: string, cat: Catalogue = catalogue): AnyMetricHandle | undefined {
  return listMetrics(cat).find((m) => m.name === name);
}
