/** Options every built-in check factory accepts besides its own. */
export interface CommonCheckOptions {
  /** When false, a failure only makes readiness `degraded` (200). Default true. */
  required?: boolean;
  /** Per-check timeout; default `health.checkTimeoutMs`. */
  timeoutMs?: number;
}

/** Copies only the options that were given, so the check's defaults stay the Health instance's. */
export function commonFields(opts: CommonCheckOptions): { required?: boolean; timeoutMs?: number } {
  const out: { required?: boolean; timeoutMs?: number } = {};
  if (opts.required !== undefined) out.required = opts.required;
  if (opts.timeoutMs !== undefined) out.timeoutMs = opts.timeoutMs;
  return out;
}
