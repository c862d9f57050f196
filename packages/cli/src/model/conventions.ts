/**
 * Names the generator writes: recording rules, labels and files (sloth's pkg/common/conventions discipline).
 * Recording-rule names follow level:metric:operations (https://prometheus.io/docs/practices/rules/).
 */
import type { Duration } from '@tillwatch/spec';

export const SLO_RECORD = {
  errorRatio: (w: Duration | string) => `tillwatch:slo_errors:ratio_rate${w}`,
  eventRate: (w: Duration | string) => `tillwatch:slo_events:rate${w}`,
  objective: 'tillwatch:slo_objective:ratio',
  errorBudget: 'tillwatch:slo_error_budget:ratio',
  budgetRemaining: 'tillwatch:slo_error_budget_remaining:ratio',
  burnRate: 'tillwatch:slo_burn_rate:ratio',
} as const;

/** Labels on every SLO recording and burn alert. */
export const SLO_LABELS = { service: 'service', slo: 'slo' } as const;
/** `page` or `ticket` on SLO burn alerts (the inhibition pairs them), and the long window of the rule. */
export const BURN_LABEL = 'burn';
export const LONG_WINDOW_LABEL = 'long_window';

/** The burn-rate recording over the long window of the fastest page, for dashboards and the health summary. */
export const CURRENT_BURN_WINDOW: Duration = '1h';

export const GROUP_PREFIX = 'tillwatch';
