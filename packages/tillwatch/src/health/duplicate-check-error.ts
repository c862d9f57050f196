import { brandGuard, TillwatchError } from '@tillwatch/spec';

/**
 * Thrown by `Health.add` (start-up only) when a check name is already registered. Two checks with one
 * name would overwrite each other in probe bodies, logs and dashboards.
 */
export class DuplicateHealthCheckError extends TillwatchError {
  /** The name registered twice. */
  readonly checkName: string;

  constructor(checkName: string) {
    super('TW_ERR_HEALTH_DUPLICATE_CHECK', `TW_ERR_HEALTH_DUPLICATE_CHECK: a health check named ${JSON.stringify(checkName)} is already registered`);
    this.name = 'DuplicateHealthCheckError';
    this.checkName = checkName;
  }
}

/** True for a {@link DuplicateHealthCheckError} from any copy of tillwatch. */
export const isDuplicateHealthCheckError = brandGuard<DuplicateHealthCheckError>('DuplicateHealthCheckError');
