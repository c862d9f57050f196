import { brandGuard } from './brand-guard.ts';
import { TillwatchError } from './tillwatch-error.ts';
import type { ErrorCode } from './codes.ts';

/** One problem found while validating options. */
export interface ConfigIssue {
  /** Dotted option path, e.g. `lifecycle.shutdownTimeoutMs`, or the env var name. */
  readonly option: string;
  readonly expected: string;
  /** A short, secret-free rendering of the value given. */
  readonly got: string;
  readonly code: ErrorCode;
}

/** Thrown at start-up (only) when options are invalid. Lists every problem, not just the first. */
export class TillwatchConfigError extends TillwatchError {
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[]) {
    const first = issues[0];
    const code = first?.code ?? 'TW_ERR_CONFIG_INVALID';
    const lines = issues.map((i) => `  - ${i.option}: expected ${i.expected}, got ${i.got}`);
    super(code, `${code}: invalid tillwatch configuration\n${lines.join('\n')}`);
    this.name = 'TillwatchConfigError';
    this.issues = issues;
  }
}

/** True for a {@link TillwatchConfigError} from any copy of tillwatch. */
export const isTillwatchConfigError = brandGuard<TillwatchConfigError>('TillwatchConfigError');
