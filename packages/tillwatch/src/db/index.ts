/**
 * `tillwatch/pg`: database instrumentation for node-postgres (`pg.Pool`, `pg.Client`) and PGlite. The drivers
 * are optional peers: nothing here imports them, the instrumentation patches the instance it is given.
 */
export { instrumentPg } from './pg.ts';
export type { PgPoolLike, PgClientLike } from './pg.ts';
export { instrumentPglite } from './pglite.ts';
export type { PgliteLike } from './pglite.ts';
export { DbTelemetry } from './db-telemetry.ts';
export type { DbInstrumentationOptions, DbTelemetryHost, PoolStats } from './db-telemetry.ts';
export { sqlShape, normaliseSql } from './sql-shape.ts';
export type { DbOperation, SqlShape } from './sql-shape.ts';
export { dbErrorLabels, sqlStateOf } from './sqlstate.ts';
export type { DbErrorLabels, DbErrorType } from './sqlstate.ts';
