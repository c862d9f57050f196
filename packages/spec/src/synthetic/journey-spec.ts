/**
 * Synthetic journeys as data: what a scripted customer does, step by step, how often and within what time. The
 * runner in `tillwatch/synthetic` (the reference store's checkout is apps/store/src/synthetic/) performs the steps against the service's public URL
 * and records the synthetic metrics of the catalogue; the alert pack's SyntheticJourneyFailing and the journey
 * dashboard read them.
 */

export interface JourneyStepSpec {
  /** snake_case; the `step` label value. */
  readonly name: string;
  readonly description: string;
  /** The step fails when it takes longer; default the journey's `timeoutSeconds` (a run never exceeds that). */
  readonly timeoutSeconds?: number;
}

export interface JourneySpec {
  /** snake_case; the `journey` label value. */
  readonly name: string;
  readonly description: string;
  /** Seconds between the start of two runs. */
  readonly intervalSeconds: number;
  /** A run taking longer fails at the step it is in. */
  readonly timeoutSeconds: number;
  readonly steps: readonly JourneyStepSpec[];
}

/** Declares a journey and freezes it. */
export function defineJourney<const J extends JourneySpec>(j: J): J {
  return Object.freeze(j);
}

/** The store's critical journey: a cashier sells an item and the receipt prints. */
export const STORE_CHECKOUT_JOURNEY = defineJourney({
  name: 'checkout',
  description: 'A cashier logs in, rings up one item, pays by card, completes the sale, and its receipt prints.',
  intervalSeconds: 30,
  timeoutSeconds: 20,
  steps: [
    { name: 'login', description: 'POST /auth/login as the synthetic cashier.' },
    { name: 'ring_up', description: 'POST /orders with one non-age-restricted item.' },
    { name: 'pay', description: 'POST /orders/:id/pay by card (the payment provider).' },
    { name: 'complete', description: 'POST /orders/:id/complete.' },
    { name: 'receipt_printed', description: 'GET /printing/jobs until the receipt of the order is printed.' },
  ],
});
