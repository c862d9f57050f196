/**
 * `tillwatch/synthetic`: run the journeys a service declares in its spec (`defineJourney` in @tillwatch/spec)
 * against its public URL on a schedule, recording the blackbox exporter's `probe_success` and
 * `probe_duration_seconds` plus per-step durations and failures. See docs/synthetic.md. Every public export is
 * listed here.
 */
export { createJourneyRunner, JourneyStepError } from './journey-runner.ts';
export type {
  JourneyRunner,
  JourneyRunnerOptions,
  JourneyResult,
  JourneyStepResult,
  JourneySession,
  JourneyStep,
  JourneyStepFn,
  HttpStep,
  JourneyStepContext,
  JourneyHttpOptions,
  JourneyHttpResponse,
  JourneyRequestRecord,
} from './journey-runner.ts';
