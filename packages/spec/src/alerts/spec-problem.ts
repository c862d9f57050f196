/** A problem found while validating alert, SLO or deploy specs, with the code from errors/codes.ts. */
export type AlertsErrorCode =
  | 'TW_ERR_ALERTS_INVALID_SPEC'
  | 'TW_ERR_ALERTS_UNKNOWN_KEY'
  | 'TW_ERR_ALERTS_UNKNOWN_METRIC'
  | 'TW_ERR_ALERTS_UNSAFE_NAME'
  | 'TW_ERR_ALERTS_NOT_A_BUCKET'
  | 'TW_ERR_ALERTS_INLINE_SECRET'
  | 'TW_ERR_ALERTS_INHIBITION_EQUAL';

export interface AlertSpecProblem {
  /** Where: a dotted path into the config or spec, e.g. `slos[1].latency.thresholdSeconds`. */
  readonly path: string;
  readonly code: AlertsErrorCode;
  /** Names the field, what was expected and what was given. */
  readonly message: string;
}

/** One line per problem, for error messages. */
export function formatProblems(problems: readonly AlertSpecProblem[]): string {
  return problems.map((p) => `  - ${p.path}: ${p.message} [${p.code}]`).join('\n');
}
