/** Commerce: payments, orders, printing. */
import { catalogue } from '../../catalogue.ts';
import { defineAlert, type AlertSpec } from '../alert-spec.ts';
import { counterSeries, gaugeSeries, stalledTimestampSeries, timestampSeries } from '../test-series.ts';
import { n, type PackContext } from './pack-context.ts';
import { ORDER_SYSTEM_FAILURE_REASONS, PAYMENT_SYSTEM_FAILURE_REASONS } from '../../slo/business-slos.ts';

const m = catalogue.metrics;

export function businessAlerts(ctx: PackContext): AlertSpec[] {
  const t = ctx.thresholds;
  const team = ctx.teams.commerce;
  const at = { location: 'store-1' } as const;
  // 5% declines ride along in both fixtures: they must never make the page fire on their own.
  const payments = (ratio: number) => [
    counterSeries(m.payments.attempts, { method: 'card', operation: 'sale' }, 100),
    counterSeries(m.payments.failures, { method: 'card', operation: 'sale', reason: 'provider_unavailable' }, 100 * ratio),
    counterSeries(m.payments.failures, { method: 'card', operation: 'sale', reason: 'declined' }, 5),
  ];
  const orders = (ratio: number) => [
    counterSeries(m.orders.completed, { ...at, channel: 'in_store' }, 100 * (1 - ratio)),
    counterSeries(m.orders.failed, { ...at, channel: 'in_store', reason: 'payment_error' }, 100 * ratio),
  ];
  const prints = (ratio: number) => [
    counterSeries(m.printing.jobs, { ...at, outcome: 'success' }, 100 * ratio),
    counterSeries(m.printing.jobs, { ...at, outcome: 'failed' }, 100 * (1 - ratio)),
  ];
  const byLoc = (s: string) => `sum by (location) (rate(${s}[${t.rateWindow}]))`;
  return [
    defineAlert({
      name: 'PaymentFailureRateHigh',
      severity: 'critical',
      for: '5m',
      objective: 'payment-success',
      group: 'business',
      team,
      // Only system failures page: card declines (1-4% of normal retail traffic) are the customer's bank
      // answering, not an outage, and would page on every busy afternoon. Same reasons as the payment SLO.
      expr: `(sum(rate(${m.payments.failures.select({ reason: { re: PAYMENT_SYSTEM_FAILURE_REASONS.join('|') } })}[${t.rateWindow}])) or vector(0)) / sum(rate(${m.payments.attempts}[${t.rateWindow}])) > ${n(t.paymentFailureRatio)}`,
      summary: `More than ${n(t.paymentFailureRatio * 100)}% of payments fail for a system reason`,
      description: `{{ $value | humanizePercentage }} of payment provider calls failed for a system reason (${PAYMENT_SYSTEM_FAILURE_REASONS.join(', ')}) over the last ${t.rateWindow}. Customers cannot pay.`,
      runbook: `1. Which method and reason: \`sum by (method, reason) (rate(payments_failures_total[5m]))\`.
2. \`provider_unavailable\`, \`timeout\`, \`network_error\`: check the provider's status page and our outbound network; tell the stores to take cash or switch terminals to standalone mode.
3. \`internal_error\`: our bug; check the last deploy and roll back.
4. Declines (\`declined\`, \`insufficient_funds\`...) do not count here; a decline spike on every method points at a fraud rule or a misconfigured merchant account at the provider.
5. Post in the stores' channel so staff know it is not their terminals.`,
      test: { firing: payments(t.paymentFailureRatio * 1.2), quiet: payments(t.paymentFailureRatio * 0.9) },
    }),
    defineAlert({
      name: 'PaymentsOutcomeUnknown',
      severity: 'critical',
      for: t.paymentUnknownFor,
      group: 'business',
      team,
      expr: `max(${m.payments.unknown}) > 0`,
      summary: 'Payments with an unknown outcome have not been settled',
      description: `{{ $value }} payment(s) timed out or lost their answer and could not be settled with the provider for ${t.paymentUnknownFor}: customers may have been charged without the store recording it.`,
      runbook: `What a cashier sees: the pay request answered 503 \`STORE_PAYMENT_OUTCOME_UNKNOWN\` ("the payment may have gone through"), the order shows \`payment_pending\` with \`payment_attempt.state: unknown\`, and it can be neither paid again nor voided until settled. Tell them not to take a second payment (no cash either): pressing Pay again re-checks with the provider and, once the provider answers, either shows the order paid or takes the new payment.
1. Why it is not settling: \`sum by (resolution) (increase(payments_reconciliations_total[15m]))\`. \`lookup_failed\` rising: the provider cannot be reached (status page, outbound network, credentials).
2. No reconciliation runs at all: see PaymentReconciliationStale.
3. The open attempts: \`SELECT order_id, idempotency_key, status, phase, updated_at FROM payment_attempts WHERE status IN ('pending','unknown')\`; the provider's dashboard finds each by its idempotency key.
4. Never mark an attempt settled by hand without the provider's answer: a capture found later is recorded (or refunded) by the reconciler.`,
      test: {
        firing: [gaugeSeries(m.payments.unknown, {}, 2)],
        quiet: [gaugeSeries(m.payments.unknown, {}, 0)],
        trueAfterMinutes: 0,
      },
    }),
    defineAlert({
      name: 'PaymentReconciliationStale',
      severity: 'warning',
      for: '0s',
      group: 'business',
      team,
      expr: `time() - max(${m.payments.reconciliationLastSuccess}) > ${n(t.paymentReconciliationMaxAgeSeconds)}`,
      summary: 'Payment reconciliation has not run recently',
      description: 'The last finished reconciliation of unknown payments was {{ $value | humanizeDuration }} ago: timed-out payments are not being settled with the provider.',
      runbook: `1. Is the store running and ready? The reconciler runs at start-up and on a timer (PAYMENT_RECONCILE_INTERVAL_MS) in every instance.
2. Runs that never finish: the database is slow or down (its alerts fire too), or a provider lookup hangs (PAYMENT_TIMEOUT_MS bounds each call).
3. Meanwhile cashiers can settle one order each by pressing Pay again on an order stuck in \`payment_pending\`.`,
      test: {
        firing: [stalledTimestampSeries(m.payments.reconciliationLastSuccess, {}, t.paymentReconciliationMaxAgeSeconds + 60)],
        quiet: [timestampSeries(m.payments.reconciliationLastSuccess, {}, 30)],
        trueAfterMinutes: 0,
      },
    }),
    defineAlert({
      name: 'OrderFailureRateHigh',
      severity: 'critical',
      for: '5m',
      objective: 'order-success',
      group: 'business',
      team,
      // Only system failures count, as in the order-success SLO: an item out of stock or an under-age buyer is
      // the shop's day, not an outage, and a busy store sees a few percent of them.
      expr: `(${byLoc(m.orders.failed.select({ reason: { re: ORDER_SYSTEM_FAILURE_REASONS.join('|') } }))} / (${byLoc(m.orders.completed.name)} + ${byLoc(m.orders.failed.name)}) > ${n(t.orderFailureRatio)}) and on (location) ((sum by (location) (increase(${m.orders.completed}[${t.rateWindow}])) + sum by (location) (increase(${m.orders.failed}[${t.rateWindow}]))) >= ${n(t.orderFailureMinOrders)})`,
      summary: `More than ${n(t.orderFailureRatio * 100)}% of orders fail for a system reason at {{ $labels.location }}`,
      description: `{{ $value | humanizePercentage }} of orders at {{ $labels.location }} failed for a system reason (${ORDER_SYSTEM_FAILURE_REASONS.join(', ')}) over the last ${t.rateWindow} (locations with fewer than ${n(t.orderFailureMinOrders)} orders in that window are not alerted on).`,
      runbook: `1. Why: \`sum by (location, channel, reason) (rate(orders_failed_total[5m]))\`.
2. \`payment_error\`: follow PaymentFailureRateHigh.
3. \`timeout\`/\`internal_error\`: check database and the last deploy.
4. Customer-side failures (\`out_of_stock\`, \`payment_declined\`) do not count here; a spike of \`out_of_stock\` means stock figures are wrong after a failed sync or a bad import.
5. One location only: its network, terminals or printer agents.`,
      test: { firing: orders(t.orderFailureRatio * 1.2), quiet: orders(t.orderFailureRatio * 0.9) },
    }),
    defineAlert({
      name: 'PrinterAgentsDisconnected',
      severity: 'critical',
      for: t.printerAgentsDisconnectedFor,
      group: 'printing',
      team,
      expr: `sum by (location) (${m.printing.agentsConnected.select({ agent_type: 'printer_agent' })}) == 0`,
      summary: 'No printer agent connected at {{ $labels.location }}',
      description: `Every printer agent at {{ $labels.location }} has been disconnected for ${t.printerAgentsDisconnectedFor}: receipts and kitchen tickets cannot print there.`,
      runbook: `1. Call the location: is the agent PC on and online? Restart the printer agent service.
2. Many locations at once: our WebSocket endpoint or its load balancer (idle timeouts, TLS certificate) is the cause.
3. Disconnect reasons: \`sum by (reason) (increase(print_agent_disconnects_total{location="<location>"}[30m]))\` (\`auth_failed\` means the agent's token was rotated).`,
      test: {
        firing: [gaugeSeries(m.printing.agentsConnected, { ...at, agent_type: 'printer_agent' }, 0)],
        quiet: [gaugeSeries(m.printing.agentsConnected, { ...at, agent_type: 'printer_agent' }, 1)],
        trueAfterMinutes: 0,
      },
    }),
    defineAlert({
      name: 'PrintSuccessRateLow',
      severity: 'critical',
      for: '5m',
      objective: 'print-success',
      group: 'printing',
      team,
      expr: `sum by (location) (rate(${m.printing.jobs.select({ outcome: 'success' })}[${t.rateWindow}])) / sum by (location) (rate(${m.printing.jobs.select({ outcome: { ne: 'cancelled' } })}[${t.rateWindow}])) < ${n(t.printSuccessRatio)}`,
      summary: `Print success under ${n(t.printSuccessRatio * 100)}% at {{ $labels.location }}`,
      description: `Only {{ $value | humanizePercentage }} of print jobs at {{ $labels.location }} printed over the last ${t.rateWindow}.`,
      runbook: `1. Outcomes: \`sum by (outcome) (rate(print_jobs_total{location="<location>"}[5m]))\`.
2. \`no_agent\`: see PrinterAgentsDisconnected. \`timeout\`: the agent is connected but the printer does not answer (paper, power, USB).
3. \`failed\` on every location: a bad receipt template in the last deploy.`,
      test: { firing: prints(t.printSuccessRatio * 0.9), quiet: prints(Math.min(1, t.printSuccessRatio * 1.02)) },
    }),
  ];
}
