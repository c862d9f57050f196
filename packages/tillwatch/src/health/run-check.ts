/**
 * Runs one health check under a timeout: the policy every probe goes through.
 *
 * Modelled on cockatiel's `TimeoutPolicy`: the check gets an AbortSignal that is aborted when the
 * timeout fires, the timer is unref'd so a pending probe never keeps the process alive, and the result
 * never waits for a check that ignores its signal. A check that throws (even synchronously) becomes a
 * failing result: probes report failures as values, they never throw into the server.
 */
import { TillwatchError } from '@tillwatch/spec';
import type { CheckResult, HealthCheck } from './health-check.ts';
import { safeErrorMessage } from './safe-error-message.ts';

/** One started run of a check. */
export interface CheckRun {
  /** Resolves (never rejects) with the result, at the latest when the timeout fires. */
  readonly result: Promise<CheckResult>;
  /**
   * Settles when `check.run` itself settles: after `result` when the check ignores its signal and
   * keeps going past the timeout. Used to avoid starting a second run while the first still hangs.
   */
  readonly settled: Promise<void>;
}

type Outcome = { readonly kind: 'pass'; readonly value: unknown } | { readonly kind: 'fail'; readonly error: unknown } | { readonly kind: 'timeout' };

const noop = (): void => {};

/**
 * Starts `check.run(signal)` and races it against `timeoutMs`.
 * @param required copied into the result.
 * @param scrub applied to error messages after the built-in credential scrubbing.
 */
export function runCheck(check: HealthCheck, required: boolean, timeoutMs: number, scrub?: (s: string) => string): CheckRun {
  const controller = new AbortController();
  const startedAt = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<Outcome>((resolve) => {
    timer = setTimeout(() => {
      // Abort first so the check can release its connection/socket while we report.
      controller.abort(new TillwatchError('TW_ERR_HEALTH_CHECK_TIMEOUT', `health check "${check.name}" timed out after ${timeoutMs} ms`));
      resolve({ kind: 'timeout' });
    }, timeoutMs);
    timer.unref();
  });

  let op: Promise<unknown>;
  try {
    op = Promise.resolve(check.run(controller.signal));
  } catch (error) {
    op = Promise.reject(error);
  }
  const settled = op.then(noop, noop);
  const finished = op.then(
    (value): Outcome => ({ kind: 'pass', value }),
    (error: unknown): Outcome => ({ kind: 'fail', error }),
  );

  const result = Promise.race([finished, timedOut]).then((outcome): CheckResult => {
    clearTimeout(timer);
    const latency_ms = roundMs(performance.now() - startedAt);
    const name = check.name;
    // Key order is the JSON order in probe bodies: name and status first, for humans reading curl output.
    switch (outcome.kind) {
      case 'pass': {
        const details = toDetails(outcome.value);
        return details === undefined ? { name, status: 'pass', required, latency_ms } : { name, status: 'pass', required, latency_ms, details };
      }
      case 'fail': {
        const message = safeErrorMessage(outcome.error, scrub);
        return { name, status: 'fail', required, latency_ms, error: { code: 'TW_ERR_HEALTH_CHECK_FAILED', message } };
      }
      case 'timeout': {
        const message = `did not finish within ${timeoutMs} ms`;
        return { name, status: 'fail', required, latency_ms, error: { code: 'TW_ERR_HEALTH_CHECK_TIMEOUT', message } };
      }
    }
  });
  return { result, settled };
}

/** Milliseconds with two decimals: enough to tell a 0.3 ms Redis PING from a 30 ms one. */
export function roundMs(ms: number): number {
  return Math.round(ms * 100) / 100;
}

function toDetails(value: unknown): Record<string, unknown> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  return { ...(value as Record<string, unknown>) };
}
