/**
 * Error budget and burn rate from cumulative (bad, total) samples: the arithmetic of the SRE Workbook
 * (ch. 5, "Alerting on SLOs"), in process. Pure and synchronous, so it is tested with synthetic samples.
 */

/** Cumulative counts at one instant, as read from the service's own counters. */
export interface SloSample {
  readonly atMs: number;
  /** Bad events since the process started (or bad samples, for a time SLI). */
  readonly bad: number;
  /** All events since the process started (or samples, for a time SLI). */
  readonly total: number;
}

export interface SloStatus {
  readonly name: string;
  readonly target: number;
  /** Error ratio over the short window (newest sample minus the oldest one inside the window); null without traffic. */
  readonly errorRatio: number | null;
  /** errorRatio / (1 - target): 1 spends the budget exactly over the period, 14.4 pages. Null without traffic. */
  readonly burnRate: number | null;
  /**
   * Share of the error budget left, computed over what this process has seen since it started (not the SLO
   * period: Prometheus' `tillwatch:slo_error_budget_remaining:ratio` is the authority). Negative when overspent.
   */
  readonly budgetRemaining: number | null;
  /** Events inside the short window. */
  readonly windowEvents: number;
  /** Seconds the short window actually covers (less than configured right after start). */
  readonly windowSeconds: number;
}

/**
 * Computes one SLO's status from its samples (oldest first).
 * @param windowMs the short window: samples older than `now - windowMs` are ignored for the burn rate.
 */
export function computeSloStatus(name: string, target: number, samples: readonly SloSample[], windowMs: number, nowMs: number): SloStatus {
  const budget = 1 - target;
  const newest = samples.at(-1);
  if (newest === undefined) return { name, target, errorRatio: null, burnRate: null, budgetRemaining: null, windowEvents: 0, windowSeconds: 0 };
  const inWindow = samples.filter((s) => s.atMs >= nowMs - windowMs);
  const oldest = inWindow[0] ?? newest;
  // Counters restart at 0 with the process; a drop means a reset inside the window: count from zero.
  const reset = newest.total < oldest.total || newest.bad < oldest.bad;
  const dTotal = reset ? newest.total : newest.total - oldest.total;
  const dBad = reset ? newest.bad : newest.bad - oldest.bad;
  const errorRatio = dTotal > 0 ? dBad / dTotal : null;
  const lifetime = newest.total > 0 ? newest.bad / newest.total : null;
  return {
    name,
    target,
    errorRatio,
    burnRate: errorRatio === null ? null : errorRatio / budget,
    budgetRemaining: lifetime === null ? null : 1 - lifetime / budget,
    windowEvents: dTotal,
    windowSeconds: Math.max(0, (newest.atMs - oldest.atMs) / 1000),
  };
}
