/**
 * TWWRN001: the shutdown budget does not fit in the pod's termination grace period. Kubernetes sends SIGKILL
 * `terminationGracePeriodSeconds` after SIGTERM, so a drain delay plus a shutdown timeout longer than that is
 * cut short: in-flight requests and the last hooks never finish.
 */
import type { Logger } from 'pino';
import type { ResolvedTillwatchOptions } from '../config/options.ts';

type GraceOptions = Pick<ResolvedTillwatchOptions['lifecycle'], 'drainDelayMs' | 'shutdownTimeoutMs' | 'terminationGracePeriodSeconds'>;

/** Logs TWWRN001 when drain delay plus shutdown timeout exceed the grace period; returns whether it did. */
export function warnIfOverGracePeriod(options: GraceOptions, logger: Logger): boolean {
  const { drainDelayMs, shutdownTimeoutMs, terminationGracePeriodSeconds } = options;
  if (drainDelayMs + shutdownTimeoutMs <= terminationGracePeriodSeconds * 1000) return false;
  logger.warn(
    { code: 'TWWRN001', drain_delay_ms: drainDelayMs, shutdown_timeout_ms: shutdownTimeoutMs, termination_grace_period_seconds: terminationGracePeriodSeconds },
    `drainDelayMs (${drainDelayMs}) + shutdownTimeoutMs (${shutdownTimeoutMs}) = ${drainDelayMs + shutdownTimeoutMs} ms is longer than terminationGracePeriodSeconds (${terminationGracePeriodSeconds} s): Kubernetes will SIGKILL the pod before shutdown can finish`,
  );
  return true;
}
