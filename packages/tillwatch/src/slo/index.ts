/** In-process SLO status for the health summary (`createTillwatch({ slos })`). */
export { createSloTracker, SloTracker } from './slo-tracker.ts';
export type { SloTrackerOptions, SloReport, SnapshotSource } from './slo-tracker.ts';
export { computeSloStatus } from './slo-status.ts';
export type { SloSample, SloStatus } from './slo-status.ts';
export { sumSeries, maxSeries } from './count-series.ts';
export type { MetricSnapshot } from './count-series.ts';
