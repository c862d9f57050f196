/**
 * The CLI's one error type. Every failure carries a code from tillwatch's error table and an exit code;
 * main.ts maps errors to exit codes in one place.
 */
import { brandGuard, TillwatchError } from '@tillwatch/spec';

export type CliErrorCode =
  | 'TW_ERR_ALERTS_USAGE'
  | 'TW_ERR_ALERTS_CONFIG_LOAD'
  | 'TW_ERR_ALERTS_INVALID_CONFIG'
  | 'TW_ERR_ALERTS_CHECK_FAILED'
  | 'TW_ERR_ALERTS_TOOL_MISSING'
  | 'TW_ERR_DLQ_USAGE'
  | 'TW_ERR_DLQ_UNAVAILABLE'
  | 'TW_ERR_AUDIT_USAGE'
  | 'TW_ERR_AUDIT_UNAVAILABLE'
  | 'TW_ERR_AUDIT_VERIFY_FAILED'
  | 'TW_ERR_DELIVERY_NOT_FOUND'
  | 'TW_ERR_DELIVERY_MISSING_PEER';

export class CliError extends TillwatchError {
  declare readonly code: CliErrorCode;
  constructor(code: CliErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'CliError';
  }
}

/** True for a {@link CliError} from any copy of the CLI. */
export const isCliError = brandGuard<CliError>('CliError');

/**
 * Exit codes: 0 ok, 1 the check failed or the dead letter was not found, 2 usage, 3 the config is invalid or
 * cannot be loaded, 4 a tool or library is missing, 5 the queues or the audit table cannot be reached, 70 a bug.
 * `tillwatch audit verify`: 1 when the log does not verify.
 */
export const EXIT_CODES: Record<CliErrorCode, number> = {
  TW_ERR_ALERTS_USAGE: 2,
  TW_ERR_ALERTS_CONFIG_LOAD: 3,
  TW_ERR_ALERTS_INVALID_CONFIG: 3,
  TW_ERR_ALERTS_CHECK_FAILED: 1,
  TW_ERR_ALERTS_TOOL_MISSING: 4,
  TW_ERR_DLQ_USAGE: 2,
  TW_ERR_DLQ_UNAVAILABLE: 5,
  TW_ERR_AUDIT_USAGE: 2,
  TW_ERR_AUDIT_UNAVAILABLE: 5,
  TW_ERR_AUDIT_VERIFY_FAILED: 1,
  TW_ERR_DELIVERY_NOT_FOUND: 1,
  TW_ERR_DELIVERY_MISSING_PEER: 4,
};
