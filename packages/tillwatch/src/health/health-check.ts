/**
 * A dependency check as the service registers it, its result as probe bodies show it, and the validation a
 * check goes through when it is registered (start-up only; may throw).
 */
import type { ConfigIssue } from '@tillwatch/spec';

/** A dependency check. Register with `Health.add` or build one with the factories in `checks/`. */
export interface HealthCheck {
  /** Unique; letters, digits and `._:-`, at most 64 characters. Appears in probe bodies and logs. */
  name: string;
  /** When false, a failure makes readiness `degraded` (still 200) instead of 503. Default true. */
  required?: boolean;
  /** Per-check timeout; default `health.checkTimeoutMs`. */
  timeoutMs?: number;
  /**
   * Resolves when the dependency is usable; throws or rejects when not. May resolve with details
   * (pool stats, free bytes) shown in the probe body: keep them free of secrets.
   * @param signal aborted when the timeout fires; pass it on to I/O that accepts one.
   */
  run(signal: AbortSignal): Promise<void | Record<string, unknown>>;
}

/** The outcome of one check, as it appears in readiness and summary bodies. */
export interface CheckResult {
  name: string;
  status: 'pass' | 'fail';
  required: boolean;
  latency_ms: number;
  /** Present when failing. The message has credentials and stack traces removed. */
  error?: { code: 'TW_ERR_HEALTH_CHECK_TIMEOUT' | 'TW_ERR_HEALTH_CHECK_FAILED'; message: string };
  details?: Record<string, unknown>;
}

/** Letters, digits, `._:-`: safe as a JSON key, a log field and a metric label value. */
const CHECK_NAME = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/;
const MAX_CHECK_TIMEOUT_MS = 60_000;

/** Every problem with a check's definition (TW_ERR_HEALTH_INVALID_CHECK); empty when it can be registered. */
export function validateCheck(check: HealthCheck): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const label = typeof check?.name === 'string' ? `health check ${JSON.stringify(check.name.slice(0, 64))}` : 'health check';
  const issue = (field: string, expected: string, got: string): void => {
    issues.push({ option: `${label}.${field}`, expected, got, code: 'TW_ERR_HEALTH_INVALID_CHECK' });
  };
  if (typeof check !== 'object' || check === null) {
    issue('', 'an object with name and run', String(check));
    return issues;
  }
  if (typeof check.name !== 'string' || !CHECK_NAME.test(check.name)) {
    issue('name', 'letters, digits and ._:- (1 to 64, starting with a letter or digit)', typeof check.name === 'string' ? JSON.stringify(check.name.slice(0, 70)) : typeof check.name);
  }
  if (typeof check.run !== 'function') issue('run', 'a function (signal) => Promise', typeof check.run);
  if (check.required !== undefined && typeof check.required !== 'boolean') issue('required', 'a boolean', typeof check.required);
  const t = check.timeoutMs;
  if (t !== undefined && (typeof t !== 'number' || !Number.isInteger(t) || t < 1 || t > MAX_CHECK_TIMEOUT_MS)) {
    issue('timeoutMs', `an integer between 1 and ${MAX_CHECK_TIMEOUT_MS}`, `${typeof t} ${String(t)}`);
  }
  return issues;
}
