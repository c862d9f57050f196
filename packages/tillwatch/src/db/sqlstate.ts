/**
 * Database errors as labels: the catalogue's closed `error_type` and the two-character SQLSTATE class
 * (https://www.postgresql.org/docs/current/errcodes-appendix.html). node-postgres and PGlite both put the
 * SQLSTATE in `code`; errors without one are the driver's own (socket closed, connection refused, timeouts).
 */

export type DbErrorType = 'connection' | 'timeout' | 'constraint' | 'deadlock' | 'serialization' | 'syntax' | 'permission' | 'other';

export interface DbErrorLabels {
  readonly error_type: DbErrorType;
  readonly sqlstate_class: string;
}

const SQLSTATE = /^[0-9A-Z]{5}$/;
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

/** The SQLSTATE of a database error, or undefined. */
export function sqlStateOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && SQLSTATE.test(code) ? code : undefined;
}

function typeOfState(state: string): DbErrorType {
  if (state === '40P01') return 'deadlock';
  if (state === '40001') return 'serialization';
  if (state === '57014' || state === '55P03' || state === '25P03') return 'timeout'; // canceled, lock_not_available, idle tx timeout
  if (state === '42501') return 'permission';
  const cls = state.slice(0, 2);
  if (cls === '08' || cls === '57' || cls === '53') return 'connection'; // connection, operator intervention (shutdown), resources
  if (cls === '23') return 'constraint';
  if (cls === '28') return 'permission';
  if (cls === '42') return 'syntax';
  return 'other';
}

/** The labels of a failed query. */
export function dbErrorLabels(err: unknown): DbErrorLabels {
  const state = sqlStateOf(err);
  if (state !== undefined) return { error_type: typeOfState(state), sqlstate_class: state.slice(0, 2) };
  const code = (err as { code?: unknown } | null)?.code;
  const message = String((err as { message?: unknown } | null)?.message ?? '');
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || code.startsWith('ECONN'))) return { error_type: 'connection', sqlstate_class: 'none' };
  if (typeof code === 'string' && code === 'ETIMEDOUT') return { error_type: 'timeout', sqlstate_class: 'none' };
  if (/timeout|timed out/i.test(message)) return { error_type: 'timeout', sqlstate_class: 'none' };
  if (/connection|terminated|not queryable|closed/i.test(message)) return { error_type: 'connection', sqlstate_class: 'none' };
  return { error_type: 'other', sqlstate_class: 'none' };
}
