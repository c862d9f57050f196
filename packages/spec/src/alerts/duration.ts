/**
 * Prometheus durations (https://prometheus.io/docs/prometheus/latest/querying/basics/#time-durations), restricted
 * to one unit each so they read the same in rules, tests and docs.
 */
export type DurationUnit = 's' | 'm' | 'h' | 'd';
export type Duration = `${number}${DurationUnit}`;

const UNIT_SECONDS: Record<DurationUnit, number> = { s: 1, m: 60, h: 3600, d: 86400 };
const DURATION = /^(\d+)([smhd])$/;

/** True for a well-formed single-unit duration such as `5m` or `3d`. */
export function isDuration(value: unknown): value is Duration {
  return typeof value === 'string' && DURATION.test(value);
}

/** Seconds in a duration; NaN when it is malformed. */
export function durationSeconds(d: string): number {
  const m = DURATION.exec(d);
  if (m === null) return Number.NaN;
  return Number(m[1]) * UNIT_SECONDS[m[2] as DurationUnit];
}

/** Whole minutes in a duration (rounded up); NaN when it is malformed. */
export function durationMinutes(d: string): number {
  return Math.ceil(durationSeconds(d) / 60);
}
