/** Public exports of the health feature, listed by name. */
export { Health, SLOW_CHECK_WARNING_INTERVAL_MS } from './health.ts';
export type { HealthCheck, CheckResult, ProbeResponse, ReadyStatus, HealthDeps } from './health.ts';
export { DuplicateHealthCheckError, isDuplicateHealthCheckError } from './duplicate-check-error.ts';
export { createProbeHandler } from './probe-handler.ts';
export type { ProbeSource } from './probe-handler.ts';
export { scrubCredentials } from './safe-error-message.ts';
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
