/**
 * Synthetic journeys (see synthetic/journey-spec.ts), named like the blackbox exporter's probe metrics so the
 * same queries and alerts read either: `probe_success` and `probe_duration_seconds` per journey, plus the duration
 * and failures of each step, which a single blackbox probe cannot report.
 */
import { LABEL_NAMES } from '../conventions.ts';
import { openLabel } from '../label-spec.ts';
import { defineMetric } from '../metric-spec.ts';

const common = { group: 'synthetic', owner: 'synthetic' } as const;
const journey = { [LABEL_NAMES.journey]: openLabel('The journey, as declared in the spec, e.g. checkout.', 'journeys are declared in the spec, at most 10', 10) } as const;
const byStep = {
  ...journey,
  [LABEL_NAMES.step]: openLabel('The step of the journey, e.g. pay.', 'steps are declared in the spec, at most 10 per journey', 10),
} as const;

export const syntheticMetrics = {
  success: defineMetric({
    ...common,
    name: 'probe_success',
    type: 'gauge',
    unit: 'score',
    help: 'Whether the last run of the journey succeeded (1) or failed (0), as the blackbox exporter reports a probe.',
    question: 'Can a customer get through the journey right now?',
    labels: journey,
  }),
  duration: defineMetric({
    ...common,
    name: 'probe_duration_seconds',
    type: 'gauge',
    unit: 'seconds',
    help: 'How long the last run of the journey took, start to end or to the failing step.',
    question: 'Is the journey getting slower for customers?',
    labels: journey,
  }),
  stepDuration: defineMetric({
    ...common,
    name: 'probe_step_duration_seconds',
    type: 'gauge',
    unit: 'seconds',
    help: 'How long each step of the last run took (steps after a failure are not run and keep their last value).',
    question: 'Which step of the journey is slow?',
    labels: byStep,
  }),
  stepFailures: defineMetric({
    ...common,
    name: 'probe_step_failures_total',
    type: 'counter',
    unit: 'count',
    help: 'Runs of the journey that failed, by the step that failed.',
    question: 'Where does the journey break: logging in, ringing up, paying, completing or printing?',
    labels: byStep,
  }),
  runs: defineMetric({
    ...common,
    name: 'probe_runs_total',
    type: 'counter',
    unit: 'count',
    help: 'Runs of the journey, whatever their outcome.',
    question: 'Are the journeys running at all (a stalled scheduler looks like success)?',
    labels: journey,
  }),
} as const;
