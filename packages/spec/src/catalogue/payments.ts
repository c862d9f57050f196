/**
 * Payments: every call to a payment provider. `operation` separates authorisations from captures (and
 * refunds and voids), so "authorised but never captured" and the refund rate are PromQL, not new metrics.
 * No `location`: payment health is a property of the provider and the method, and the order counters
 * already carry the location.
 *
 * A call that timed out or lost its answer leaves a payment whose outcome is unknown (the provider may
 * have captured it); a reconciler settles those by asking the provider. `payments_unknown` and the
 * reconciliation heartbeat say whether money is waiting to be accounted for.
 */
import { BUCKETS, LABEL_NAMES, LABEL_VALUES } from '../conventions.ts';
import { closedLabel } from '../label-spec.ts';
import { SHARED_LABELS } from '../shared-labels.ts';
import { defineMetric } from '../metric-spec.ts';

const common = { group: 'payments', owner: 'commerce' } as const;
const byMethodAndOperation = {
  [LABEL_NAMES.paymentMethod]: SHARED_LABELS.paymentMethod,
  [LABEL_NAMES.paymentOperation]: SHARED_LABELS.paymentOperation,
} as const;

export const paymentsMetrics = {
  attempts: defineMetric({
    ...common,
    name: 'payments_attempts_total',
    type: 'counter',
    unit: 'count',
    help: 'Payment provider calls started, by method and operation.',
    question: 'How many payments are attempted per method, and do attempts exceed successes plus failures (calls hanging)?',
    labels: byMethodAndOperation,
  }),
  successes: defineMetric({
    ...common,
    name: 'payments_successes_total',
    type: 'counter',
    unit: 'count',
    help: 'Payment provider calls that succeeded, by method and operation.',
    question: 'Are authorisations being captured, and how many refunds go through per method?',
    labels: byMethodAndOperation,
  }),
  failures: defineMetric({
    ...common,
    name: 'payments_failures_total',
    type: 'counter',
    unit: 'count',
    help: 'Payment provider calls that failed, by method, operation and reason.',
    question: 'Are payments failing for one method, and is it declines (customers) or the provider (outage)?',
    labels: {
      ...byMethodAndOperation,
      [LABEL_NAMES.reason]: closedLabel('Why the payment failed, normalised from the provider response.', LABEL_VALUES.paymentFailureReason),
    },
  }),
  duration: defineMetric({
    ...common,
    name: 'payments_duration_seconds',
    type: 'histogram',
    unit: 'seconds',
    help: 'Duration of payment provider calls, by method, operation and outcome.',
    question: 'Is the payment provider slow enough to hold up the checkout queue?',
    labels: { ...byMethodAndOperation, [LABEL_NAMES.outcome]: SHARED_LABELS.successFailure },
    buckets: BUCKETS.paymentSeconds,
  }),
  unknown: defineMetric({
    ...common,
    name: 'payments_unknown',
    type: 'gauge',
    unit: 'count',
    help: 'Payments whose outcome at the provider is not known yet (a timeout, a lost answer or an abandoned request), as of the last reconciliation.',
    question: 'Is money waiting to be accounted for: did the provider perhaps charge customers the store has no record of?',
    labels: {},
  }),
  reconciliations: defineMetric({
    ...common,
    name: 'payments_reconciliations_total',
    type: 'counter',
    unit: 'count',
    help: 'Payments with an unknown outcome the reconciler settled by asking the provider, by resolution (lookup_failed: the provider could not be asked; tried again later).',
    question: 'Do lost answers end as recorded captures or released holds, and can the provider be reached to settle them?',
    labels: { resolution: closedLabel('How the payment was settled.', LABEL_VALUES.paymentResolution) },
  }),
  reconciliationLastSuccess: defineMetric({
    ...common,
    name: 'payments_reconciliation_last_success_timestamp_seconds',
    type: 'gauge',
    unit: 'seconds',
    help: 'Unix time of the last reconciliation run that finished (every open payment looked at, whether or not it could be settled).',
    question: 'Is the reconciler running, or could unknown payments pile up unseen?',
    labels: {},
  }),
} as const;
