/**
 * What a failed statement's error may carry to a log: the statement and its SQLSTATE, never the values
 * bound to it.
 *
 * Both drivers put request data on their errors. PGlite attaches the statement's bound parameters
 * (`params`) and the query options to every error it throws; the redactor writes an error's own
 * properties, so an e-mail address, a phone number or a free-text secret in a parameter would reach the
 * log in clear. Postgres itself echoes values in `detail` ("Key (email)=(...) already exists", "Failing
 * row contains (...)") and, for data exceptions (SQLSTATE class 22), at the end of the message
 * (`invalid input syntax for type integer: "..."`). Every error leaving the store's Db is cleaned here:
 * those fields are removed, the quoted value is cut from a data exception's message, and the statement
 * text (the store's own SQL, parameterised) and the SQLSTATE are set as `statement` and `sqlstate`.
 */
import type { Db, Queryable } from './db.ts';

/** Error fields that can hold bound parameters or row values (pg's DatabaseError and PGlite's). */
const VALUE_FIELDS = ['params', 'queryOptions', 'query', 'detail', 'where', 'internalQuery'] as const;
/** Longest statement text kept on an error. */
const MAX_STATEMENT_CHARS = 2000;
/** A data exception's message ends with the offending value in double quotes. */
const TRAILING_QUOTED_VALUE = /: ".*"$/s;

function setField(err: object, key: string, value: unknown): void {
  try {
    Object.defineProperty(err, key, { value, enumerable: true, configurable: true, writable: true });
  } catch {
    // a frozen error: nothing more can be done to it
  }
}

/** Strips bound values from a database error and names its statement; returns the same object. */
export function cleanStatementError(err: unknown, sql: string): unknown {
  if (typeof err !== 'object' || err === null) return err;
  const e = err as Record<string, unknown>;
  for (const key of VALUE_FIELDS) {
    if (Object.prototype.hasOwnProperty.call(e, key)) {
      try {
        delete e[key];
      } catch {
        setField(e, key, undefined);
      }
    }
  }
  const code = typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code) ? e.code : undefined;
  if (code?.startsWith('22') && typeof e.message === 'string' && TRAILING_QUOTED_VALUE.test(e.message)) {
    setField(e, 'message', e.message.replace(TRAILING_QUOTED_VALUE, ': "…"'));
    if (typeof e.stack === 'string') setField(e, 'stack', `${String(e.name ?? 'Error')}: ${e.message as string}${e.stack.slice(e.stack.indexOf('\n'))}`);
  }
  setField(e, 'statement', sql.length > MAX_STATEMENT_CHARS ? `${sql.slice(0, MAX_STATEMENT_CHARS)}…` : sql);
  if (code !== undefined) setField(e, 'sqlstate', code);
  return err;
}

function guardQueryable(q: Queryable): Queryable {
  return {
    async query<T>(sql: string, params?: unknown[]): Promise<T[]> {
      try {
        return await q.query<T>(sql, params);
      } catch (err) {
        throw cleanStatementError(err, sql);
      }
    },
    async exec(sql: string): Promise<void> {
      try {
        await q.exec(sql);
      } catch (err) {
        throw cleanStatementError(err, sql);
      }
    },
  };
}

/** The same Db, with every statement's error cleaned by {@link cleanStatementError}, in transactions too. */
export function withStatementErrors(db: Db): Db {
  const outer = guardQueryable(db);
  return Object.assign(Object.create(db) as Db, {
    query: outer.query,
    exec: outer.exec,
    tx: <T>(fn: (q: Queryable) => Promise<T>): Promise<T> => db.tx((q) => fn(guardQueryable(q))),
  });
}
