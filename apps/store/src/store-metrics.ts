/**
 * The store's own metrics, declared with the same typed definitions as tillwatch's built-in catalogue and
 * registered the same way (`tw.metrics.register(handle)`). deploy/tillwatch.config.ts passes this catalogue
 * to the generator, so rules may read these metrics and the bundle's docs/metrics.md lists them.
 */
import { defineCatalogue, defineMetric, openLabel } from '@tillwatch/spec';

export const storeMetrics = defineCatalogue({
  store: {
    title: 'Store',
    summary: "The reference store's own metrics, next to the commerce catalogue it records through tillwatch's recorders.",
    metrics: {
      rejections: defineMetric({
        name: 'store_request_rejections_total',
        type: 'counter',
        unit: 'count',
        group: 'store',
        owner: 'service',
        help: 'Requests the store refused with a 4xx, by stable error code (STORE_...).',
        question: 'Which refusals are rising: bad input from a client, failed logins, stock or payment problems?',
        labels: {
          code: openLabel('Stable error code of the answer, e.g. STORE_INSUFFICIENT_STOCK.', "codes are constants in the store's code tables, at most 200", 200),
        },
        maxSeries: 200,
      }),
    },
  },
});
