import type { HealthCheck } from '../health-check.ts';
import { commonFields, type CommonCheckOptions } from './check-options.ts';

/**
 * Makes a check from a function: resolve when healthy (optionally with details), throw when not.
 * @example
 * ```ts
 * health.add(customCheck('payment-terminal-gateway', async (signal) => {
 *   await gateway.ping({ signal });
 * }, { required: false, timeoutMs: 500 }));
 * ```
 */
export function customCheck(
  name: string,
  fn: (signal: AbortSignal) => Promise<void | Record<string, unknown>>,
  opts: CommonCheckOptions = {},
): HealthCheck {
  return { name, ...commonFields(opts), run: fn };
}
