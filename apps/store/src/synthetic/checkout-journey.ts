/**
 * The store's synthetic checkout journey (`STORE_CHECKOUT_JOURNEY` in the spec), run by `tillwatch/synthetic`
 * against the store's public URL like a cashier would: log in, ring up one item, pay by card, complete, wait for
 * the receipt to print. The runner records the catalogue's synthetic metrics (`probe_success`,
 * `probe_duration_seconds`, per-step durations and failures), which SyntheticJourneyFailing and the journey
 * dashboard read; this file only says what each step does.
 *
 * | variable | default | meaning |
 * | --- | --- | --- |
 * | SYNTHETIC_JOURNEYS | `on` with `npm start`'s simulated printers, else `off` | run the journey |
 * | SYNTHETIC_INTERVAL_MS | the journey's interval (30 s) | time between runs (1000 to 3600000) |
 * | SYNTHETIC_USERNAME, SYNTHETIC_PASSWORD | the demo cashier | the account the journey logs in with |
 * | SYNTHETIC_LOCATION | the first location | where it sells (its printer prints the receipt) |
 * | SYNTHETIC_SKU | SNACK-CHIPS-SALT | what it sells (not age-restricted) |
 *
 * The journey makes real sales (one item every interval) on terminal `synthetic`, so they can be told apart.
 */
import { STORE_CHECKOUT_JOURNEY, type JourneySpec } from '@tillwatch/spec';
import type { Tillwatch } from 'tillwatch';
import { createJourneyRunner, JourneyStepError, type JourneyRequestRecord, type JourneyRunner, type JourneyStep } from 'tillwatch/synthetic';

export interface JourneyOptions {
  /** Where the probe metrics go; without it (a bench) runs only return results. */
  readonly tw?: Tillwatch;
  /** The store's public base URL. */
  readonly baseUrl: string;
  readonly location: string;
  readonly username: string;
  readonly password: string;
  readonly sku?: string;
  readonly intervalMs?: number;
  readonly journey?: JourneySpec;
  /** Called after every HTTP call of a step (the budget bench times routes with it). */
  readonly onRequest?: (r: JourneyRequestRecord) => void;
  /** Terminal id on the orders it makes; default `synthetic`. */
  readonly terminal?: string;
}

/** The test card the simulated provider approves. */
const CARD = { number: '4242424242424242', cvv: '123', expiry: '12/30' };

/** The checkout journey's steps, for `tillwatch/synthetic`'s runner. */
export function checkoutSteps(opts: Pick<JourneyOptions, 'location' | 'username' | 'password' | 'sku' | 'terminal'>): Record<string, JourneyStep> {
  const token = (s: Record<string, unknown>): string => String(s.token ?? '');
  const order = (s: Record<string, unknown>): Record<string, string> => ({ id: String(s.orderId ?? '') });
  return {
    login: { method: 'POST', route: '/auth/login', body: () => ({ username: opts.username, password: opts.password }), expect: 200, then: (b, s) => (s.token = String(b.token ?? '')) },
    ring_up: {
      method: 'POST',
      route: '/orders',
      bearer: token,
      body: () => ({ location: opts.location, terminal: opts.terminal ?? 'synthetic', channel: 'in_store', items: [{ sku: opts.sku ?? 'SNACK-CHIPS-SALT', quantity: 1 }] }),
      expect: 201,
      then: (b, s) => (s.orderId = String(b.id)),
    },
    pay: { method: 'POST', route: '/orders/:id/pay', params: order, bearer: token, body: () => ({ method: 'card', card: CARD }), expect: 200 },
    complete: { method: 'POST', route: '/orders/:id/complete', params: order, bearer: token, expect: 200 },
    receipt_printed: async (ctx) => {
      for (;;) {
        const { body } = await ctx.http('GET', '/printing/jobs', { query: { location: opts.location, limit: 50 }, bearer: token(ctx.state), expect: 200 });
        const job = (body.jobs as { order_id: string; status: string; failure_reason: string | null }[] | undefined)?.find((x) => x.order_id === ctx.state.orderId);
        if (job?.status === 'printed') return;
        if (job?.status === 'failed') throw new JourneyStepError(`print job failed: ${job.failure_reason ?? 'unknown'}`);
        await ctx.sleep(250);
      }
    },
  };
}

/** The checkout journey against the store at `baseUrl`. */
export function checkoutJourney(opts: JourneyOptions): JourneyRunner {
  return createJourneyRunner({
    journey: opts.journey ?? STORE_CHECKOUT_JOURNEY,
    baseUrl: opts.baseUrl,
    steps: checkoutSteps(opts),
    ...(opts.tw ? { tw: opts.tw } : {}),
    ...(opts.intervalMs !== undefined ? { intervalMs: opts.intervalMs } : {}),
    ...(opts.onRequest ? { onRequest: opts.onRequest } : {}),
  });
}
