/** Public exports of the health feature, listed by name. */
export { Health } from './health.ts';
export type { HealthDeps } from './health.ts';
export type { HealthCheck, CheckResult } from './health-check.ts';
export type { ProbeResponse, ReadyStatus } from './probe-response.ts';
export { DuplicateHealthCheckError, isDuplicateHealthCheckError } from './duplicate-check-error.ts';
export type { CommonCheckOptions } from './checks/check-options.ts';
export { postgresCheck } from './checks/postgres-check.ts';
export type { PostgresCheckOptions, PostgresQueryable } from './checks/postgres-check.ts';
export { pgliteCheck } from './checks/pglite-check.ts';
export type { PgliteCheckOptions, PgliteQueryable } from './checks/pglite-check.ts';
export { redisCheck } from './checks/redis-check.ts';
export type { RedisCheckOptions, RedisPingable } from './checks/redis-check.ts';
export { httpCheck } from './checks/http-check.ts';
export type { HttpCheckOptions } from './checks/http-check.ts';
export { diskSpaceCheck, DEFAULT_MIN_FREE_RATIO } from './checks/disk-space-check.ts';
export type { DiskSpaceCheckOptions } from './checks/disk-space-check.ts';
export { customCheck } from './checks/custom-check.ts';
