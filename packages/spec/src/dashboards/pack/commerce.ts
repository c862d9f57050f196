/** Commerce: orders, revenue, payment success by method, inventory, age-verification compliance, customers. */
import { ORDER_SYSTEM_FAILURE_REASONS, PAYMENT_SYSTEM_FAILURE_REASONS } from '../../slo/business-slos.ts';
import { defineDashboard, type DashboardSpec } from '../panel-spec.ts';
import { perMinute, quantile, sel, type DashboardContext } from './context.ts';

export function commerceDashboard(ctx: DashboardContext): DashboardSpec {
  const s = (more = '') => sel(ctx, more);
  return defineDashboard({
    uid: `${ctx.service}-commerce`,
    title: `${ctx.service} / Commerce`,
    tags: ['tillwatch', 'business'],
    rows: [
      {
        title: 'Orders and revenue',
        panels: [
          { title: 'Orders completed per minute', kind: 'timeseries', unit: 'short', queries: [{ expr: perMinute(ctx, 'orders_completed_total', 'location'), legend: '{{location}}' }] },
          {
            title: 'Order failures per minute by reason',
            kind: 'timeseries',
            unit: 'short',
            description: `System reasons (${ORDER_SYSTEM_FAILURE_REASONS.join(', ')}) count against the order-success SLO; the others are the customer's.`,
            queries: [{ expr: perMinute(ctx, 'orders_failed_total', 'reason'), legend: '{{reason}}' }],
          },
          { title: 'Voids per minute by reason', kind: 'timeseries', unit: 'short', queries: [{ expr: perMinute(ctx, 'orders_voided_total', 'reason'), legend: '{{reason}}' }] },
          { title: 'Revenue per hour', kind: 'timeseries', unit: 'currency', queries: [{ expr: `sum by (location, currency) (rate(revenue_total${s()}[$__rate_interval])) * 3600`, legend: '{{location}} {{currency}}' }] },
          { title: 'Average order value', kind: 'stat', unit: 'currency', queries: [{ expr: `sum(rate(orders_value_sum${s()}[$__rate_interval])) / sum(rate(orders_value_count${s()}[$__rate_interval]))` }] },
          { title: 'Items per order (p50)', kind: 'stat', unit: 'short', queries: [{ expr: quantile(ctx, 0.5, 'orders_items') }] },
        ],
      },
      {
        title: 'Payments',
        panels: [
          {
            title: 'Payment success by method',
            kind: 'timeseries',
            unit: 'percentunit',
            description: 'Share of provider calls that succeeded, by method (declines count as failures here; the SLO does not count them).',
            queries: [{ expr: `sum by (method) (rate(payments_successes_total${s()}[$__rate_interval])) / sum by (method) (rate(payments_attempts_total${s()}[$__rate_interval]))`, legend: '{{method}}' }],
            min: 0,
            max: 1,
          },
          {
            title: 'Payment failures per minute by reason',
            kind: 'timeseries',
            unit: 'short',
            description: `System reasons (${PAYMENT_SYSTEM_FAILURE_REASONS.join(', ')}) count against the payment-success SLO.`,
            queries: [{ expr: perMinute(ctx, 'payments_failures_total', 'reason'), legend: '{{reason}}' }],
          },
          {
            title: 'Payment system-failure ratio',
            kind: 'timeseries',
            unit: 'percentunit',
            description: `System failures (${PAYMENT_SYSTEM_FAILURE_REASONS.join(', ')}) over attempts: what PaymentFailureRateHigh and the payment-success SLO measure. Declines are the customer's bank and do not count.`,
            queries: [
              {
                expr: `(sum(rate(payments_failures_total${s(`reason=~"${PAYMENT_SYSTEM_FAILURE_REASONS.join('|')}"`)}[$__rate_interval])) or vector(0)) / sum(rate(payments_attempts_total${s()}[$__rate_interval]))`,
                legend: 'system failures',
              },
            ],
            thresholds: [{ color: 'green' }, { value: 0.01, color: 'red' }],
          },
          { title: 'Payment provider latency p95', kind: 'timeseries', unit: 's', queries: [{ expr: quantile(ctx, 0.95, 'payments_duration_seconds', 'method'), legend: '{{method}}' }] },
        ],
      },
      {
        title: 'Inventory, compliance, customers',
        panels: [
          { title: 'Low-stock products', kind: 'bargauge', unit: 'short', queries: [{ expr: `sum by (location) (inventory_low_stock_products${s()})`, legend: '{{location}}' }] },
          { title: 'Out-of-stock products', kind: 'bargauge', unit: 'short', queries: [{ expr: `sum by (location) (inventory_out_of_stock_products${s()})`, legend: '{{location}}' }] },
          { title: 'Stock reserved per minute', kind: 'timeseries', unit: 'short', queries: [{ expr: perMinute(ctx, 'inventory_reserved_items_total', 'location'), legend: '{{location}}' }] },
          { title: 'Age verifications by result', kind: 'piechart', unit: 'short', queries: [{ expr: `sum by (result) (increase(age_verifications_total${s()}[1h]))`, legend: '{{result}}' }] },
          {
            title: 'Returning customers share',
            kind: 'stat',
            unit: 'percentunit',
            queries: [{ expr: `sum(rate(customers_returning_total${s()}[$__rate_interval])) / (sum(rate(customers_returning_total${s()}[$__rate_interval])) + sum(rate(customers_new_total${s()}[$__rate_interval])))` }],
          },
          { title: 'Loyalty points earned per hour', kind: 'timeseries', unit: 'short', queries: [{ expr: `sum(rate(loyalty_points_earned_total${s()}[$__rate_interval])) * 3600`, legend: 'earned' }] },
        ],
      },
    ],
  });
}
