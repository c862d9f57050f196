/** SLOs as code (tillwatch/v1): SLO specs, burn-rate windows as data, and their validation. */
export { BURN_WINDOWS, SLI_WINDOWS, SLO_PERIODS, burnFactor } from './burn-windows.ts';
export type { BurnWindow, BurnAlertKind, SloPeriod } from './burn-windows.ts';
export { availabilitySlo, latencySlo, eventRatioSlo, timeSlo, WINDOW_PLACEHOLDER, DEFAULT_MIN_EVENTS } from './slo-spec.ts';
export { SLO_KINDS } from './slo-spec.ts';
export type { SloSpec, SloKind, Sli, EventRatioSli, TimeSli, CountMatcher, CounterQuery, InProcessCounts, SloCommonOptions, LatencySloOptions, EventRatioSloOptions, TimeSloOptions } from './slo-spec.ts';
export { paymentSuccessSlo, orderSuccessSlo, printSuccessSlo, syncFreshnessSlo, PAYMENT_SYSTEM_FAILURE_REASONS, ORDER_SYSTEM_FAILURE_REASONS } from './business-slos.ts';
export type { SyncFreshnessSloOptions } from './business-slos.ts';
export { validateSlos } from './validate-slos.ts';
