/**
 * The store's synthetic checkout journey (`STORE_CHECKOUT_JOURNEY` in the spec), run on a schedule against the
 * store's public URL like a cashier would: log in, ring up one item, pay by card, complete, wait for the receipt
 * to print. Each run records the synthetic metrics of the catalogue (the blackbox exporter's `probe_success` and
 * `probe_duration_seconds`, plus per-step durations and failures), which SyntheticJourneyFailing and the journey
 * dashboard read. A run never throws: a failure is a result.
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
import { catalogue, STORE_CHECKOUT_JOURNEY, type JourneySpec } from '@tillwatch/spec';
import type { Tillwatch } from 'tillwatch';

export interface JourneyOptions {
  readonly tw: Tillwatch;
  /** The store's public base URL. */
  readonly baseUrl: string;
  readonly location: string;
  readonly username: string;
  readonly password: string;
  readonly sku?: string;
  readonly intervalMs?: number;
  readonly journey?: JourneySpec;
}

export interface JourneyResult {
  readonly success: boolean;
  readonly durationSeconds: number;
  /** The step that failed, and why. */
  readonly failedStep?: string;
  readonly error?: string;
}

export interface JourneyRunner {
  runOnce(): Promise<JourneyResult>;
  /** Runs now, then every interval (unref'd timer; runs never overlap). */
  start(): void;
  /** Stops the schedule and waits for a run in flight. */
  stop(): Promise<void>;
  last(): JourneyResult | undefined;
}

/** The test card the simulated provider approves. */
const CARD = { number: '4242424242424242', cvv: '123', expiry: '12/30' };

class StepError extends Error {}

export function checkoutJourney(opts: JourneyOptions): JourneyRunner {
  const journey = opts.journey ?? STORE_CHECKOUT_JOURNEY;
  const m = catalogue.metrics.synthetic;
  const success = opts.tw.metrics.register(m.success);
  const duration = opts.tw.metrics.register(m.duration);
  const stepDuration = opts.tw.metrics.register(m.stepDuration);
  const stepFailures = opts.tw.metrics.register(m.stepFailures);
  const runs = opts.tw.metrics.register(m.runs);
  const j = { journey: journey.name };
  const intervalMs = opts.intervalMs ?? journey.intervalSeconds * 1000;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<JourneyResult> | undefined;
  let lastResult: JourneyResult | undefined;

  const call = async (deadline: number, method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: Record<string, unknown> }> => {
    const headers: Record<string, string> = { 'x-synthetic-journey': journey.name };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (token) headers.authorization = `Bearer ${token}`;
    const res = await fetch(`${opts.baseUrl}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(Math.max(1, deadline - Date.now())),
    });
    const text = await res.text();
    let parsed: Record<string, unknown> = {};
    try {
      parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      // not JSON: the status says enough
    }
    return { status: res.status, body: parsed };
  };
  const expect = (r: { status: number; body: Record<string, unknown> }, status: number): Record<string, unknown> => {
    if (r.status !== status) throw new StepError(`HTTP ${r.status} ${String((r.body.error as { code?: string } | undefined)?.code ?? r.body.code ?? '')}`.trim());
    return r.body;
  };

  const runOnce = async (): Promise<JourneyResult> => {
    const start = performance.now();
    const deadline = Date.now() + journey.timeoutSeconds * 1000;
    let token = '';
    let orderId = '';
    const steps: Record<string, () => Promise<void>> = {
      login: async () => {
        token = String(expect(await call(deadline, 'POST', '/auth/login', { username: opts.username, password: opts.password }), 200).token ?? '');
      },
      ring_up: async () => {
        const order = expect(
          await call(deadline, 'POST', '/orders', { location: opts.location, terminal: 'synthetic', channel: 'in_store', items: [{ sku: opts.sku ?? 'SNACK-CHIPS-SALT', quantity: 1 }] }, token),
          201,
        );
        orderId = String(order.id);
      },
      pay: async () => {
        expect(await call(deadline, 'POST', `/orders/${orderId}/pay`, { method: 'card', card: CARD }, token), 200);
      },
      complete: async () => {
        expect(await call(deadline, 'POST', `/orders/${orderId}/complete`, undefined, token), 200);
      },
      receipt_printed: async () => {
        for (;;) {
          const { jobs } = expect(await call(deadline, 'GET', `/printing/jobs?location=${encodeURIComponent(opts.location)}&limit=50`, undefined, token), 200) as { jobs?: { order_id: string; status: string; failure_reason: string | null }[] };
          const job = jobs?.find((x) => x.order_id === orderId);
          if (job?.status === 'printed') return;
          if (job?.status === 'failed') throw new StepError(`print job failed: ${job.failure_reason ?? 'unknown'}`);
          if (Date.now() + 250 >= deadline) throw new StepError('no printed receipt before the journey timeout');
          await new Promise((r) => setTimeout(r, 250));
        }
      },
    };
    let result: JourneyResult | undefined;
    for (const step of journey.steps) {
      const fn = steps[step.name];
      const t0 = performance.now();
      try {
        if (fn === undefined) throw new StepError(`no implementation for step ${step.name}`);
        await fn();
        stepDuration.set({ ...j, step: step.name }, (performance.now() - t0) / 1000);
      } catch (err) {
        stepDuration.set({ ...j, step: step.name }, (performance.now() - t0) / 1000);
        stepFailures.inc({ ...j, step: step.name });
        const message = err instanceof StepError ? err.message : (err as Error).name === 'TimeoutError' ? 'timed out' : (err as Error).message;
        result = { success: false, durationSeconds: (performance.now() - start) / 1000, failedStep: step.name, error: message };
        break;
      }
    }
    result ??= { success: true, durationSeconds: (performance.now() - start) / 1000 };
    success.set(j, result.success ? 1 : 0);
    duration.set(j, result.durationSeconds);
    runs.inc(j);
    lastResult = result;
    if (!result.success) opts.tw.logger.warn({ module: 'synthetic', journey: journey.name, step: result.failedStep, error: result.error }, 'synthetic journey failed');
    return result;
  };

  const tick = (): void => {
    if (inFlight) return;
    inFlight = runOnce().finally(() => (inFlight = undefined));
  };

  return {
    runOnce,
    start() {
      if (timer) return;
      tick();
      timer = setInterval(tick, intervalMs);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      timer = undefined;
      await inFlight;
    },
    last: () => lastResult,
  };
}
