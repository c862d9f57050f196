/**
 * Telemetry never breaks checkout: a recorder that hits a bug in itself or in the
 * runtime swallows it. The runtime already counts invalid values in
 * `tillwatch_metrics_invalid_observations_total`, so nothing is hidden from operators.
 */

/** Wraps a recorder function so that it cannot throw into business code. */
export function neverThrow<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void {
  return (...args: A) => {
    try {
      fn(...args);
    } catch {
      // Recording is best effort by design; see the module comment.
    }
  };
}
