/**
 * The tillwatch/v1 metric catalogue: every metric a tillwatch service exports or will export, by group.
 * Everything else refers to metrics through these handles; a service declares its own the same way
 * (define-catalogue.ts), and rules, SLOs and docs derive from the union:
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
import { deliveryMetrics } from './catalogue/delivery.ts';
import { httpMetrics } from './catalogue/http.ts';
import { inventoryMetrics } from './catalogue/inventory.ts';
import { offlineQueueMetrics } from './catalogue/offline-queue.ts';
import { ordersMetrics } from './catalogue/orders.ts';
import { outboundMetrics } from './catalogue/outbound.ts';
import { paymentsMetrics } from './catalogue/payments.ts';
import { printingMetrics } from './catalogue/printing.ts';
import { productAnalyticsMetrics } from './catalogue/product-analytics.ts';
import { redisMetrics } from './catalogue/redis.ts';
import { dependenciesMetrics } from './catalogue/dependencies.ts';
import { revenueMetrics } from './catalogue/revenue.ts';
import { runtimeMetrics } from './catalogue/runtime.ts';
import { securityMetrics } from './catalogue/security.ts';
import { syncMetrics } from './catalogue/sync.ts';
import { syntheticMetrics } from './catalogue/synthetic.ts';
import { tillwatchMetrics } from './catalogue/tillwatch.ts';

/** The shape every catalogue has: a version, each group's title and summary, and per group named handles. */
export interface Catalogue {
  readonly version: SpecVersion;
  /** Title and summary of every group, in the order docs list them. */
  readonly groups: Readonly<Record<string, MetricGroupInfo>>;
  readonly metrics: Readonly<Record<string, Readonly<Record<string, AnyMetricHandle>>>>;
}

const metrics = {
  http: httpMetrics,
  runtime: runtimeMetrics,
  tillwatch: tillwatchMetrics,
  orders: ordersMetrics,
  payments: paymentsMetrics,
  revenue: revenueMetrics,
  inventory: inventoryMetrics,
  compliance: complianceMetrics,
  customers: customersMetrics,
  offlineQueue: offlineQueueMetrics,
  printing: printingMetrics,
  sync: syncMetrics,
  productAnalytics: productAnalyticsMetrics,
  database: databaseMetrics,
  cache: cacheMetrics,
  redis: redisMetrics,
  dependencies: dependenciesMetrics,
  security: securityMetrics,
  delivery: deliveryMetrics,
  deadLetter: deadLetterMetrics,
  outbound: outboundMetrics,
  synthetic: syntheticMetrics,
  backups: backupsMetrics,
} as const;

/** The catalogue, with handles typed by their literal names and label keys. */
export const catalogue = Object.freeze({ version: SPEC_VERSION, groups: METRIC_GROUPS, metrics: Object.freeze(metrics) }) satisfies Catalogue;

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
