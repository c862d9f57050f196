/**
 * `tillwatch/prisma`: a Prisma Client extension (Prisma 7, any driver adapter such as `@prisma/adapter-pg`) that
 * records every model query with the database metrics of `tillwatch/pg`: `db_query_duration_seconds` by
 * operation (the Prisma action mapped to select, insert, update, delete or other) and table (the model, within the
 * table budget), failures by error type (Prisma's P2002 unique violation as constraint, P2034 write conflict as
 * serialization, P1001/P1017 as connection, P2024 pool timeout as timeout; a driver error's SQLSTATE otherwise)
 * and slow queries (the line names the model and action; Prisma never hands the extension the SQL). Pool metrics:
 * build the adapter on your own `pg.Pool` and instrument it with `instrumentPg(tw, pool, { queries: false })`, so
 * the pool records checkouts and sizes and the extension the queries, none twice. Nothing here imports Prisma.
 */
import { DbTelemetry, type DbInstrumentationOptions, type DbTelemetryHost } from '../db/db-telemetry.ts';
import type { DbOperation } from '../db/sql-shape.ts';

const READS = new Set(['findUnique', 'findUniqueOrThrow', 'findFirst', 'findFirstOrThrow', 'findMany', 'count', 'aggregate', 'groupBy']);
const INSERTS = new Set(['create', 'createMany', 'createManyAndReturn']);
const UPDATES = new Set(['update', 'updateMany', 'updateManyAndReturn', 'upsert']);
const DELETES = new Set(['delete', 'deleteMany']);

/** The `operation` label of a Prisma action. */
export function prismaOperation(action: string): DbOperation {
  if (READS.has(action)) return 'select';
  if (INSERTS.has(action)) return 'insert';
  if (UPDATES.has(action)) return 'update';
  if (DELETES.has(action)) return 'delete';
  return 'other';
}

const PRISMA_CODES: Record<string, string> = { P2002: '23505', P2003: '23503', P2011: '23502', P2034: '40001', P1001: '08001', P1017: '08006', P2024: '57014' };

/** A Prisma error as the database telemetry classifies it: its SQLSTATE when Prisma's code maps to one. */
function asDbError(err: unknown): unknown {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && PRISMA_CODES[code] !== undefined) return { code: PRISMA_CODES[code] };
  const cause = (err as { cause?: { code?: unknown } } | null)?.cause;
  return cause !== undefined && typeof cause?.code === 'string' ? cause : err;
}

interface QueryParams {
  model?: string;
  operation: string;
  args: unknown;
  query: (args: unknown) => Promise<unknown>;
}

/**
 * The extension: `prisma.$extends(tillwatchPrisma(tw, { pool: 'prisma' }))`.
 * @example
 * const pool = instrumentPg(tw, new pg.Pool({ connectionString }), { pool: 'prisma', queries: false });
 * const prisma = new PrismaClient({ adapter: new PrismaPg(pool) }).$extends(tillwatchPrisma(tw, { pool: 'prisma' }));
 */
export function tillwatchPrisma(host: DbTelemetryHost, opts: DbInstrumentationOptions = {}) {
  const db = new DbTelemetry(host, opts);
  return {
    name: 'tillwatch',
    query: {
      $allModels: {
        async $allOperations({ model, operation, args, query }: QueryParams): Promise<unknown> {
          const start = performance.now();
          const op = prismaOperation(operation);
          const table = db.boundedTable(typeof model === 'string' ? model.toLowerCase() : 'none');
          try {
            const result = await query(args);
            db.record(op, table, (performance.now() - start) / 1000, undefined, `${model ?? ''}.${operation}`);
            return result;
          } catch (err) {
            db.record(op, table, (performance.now() - start) / 1000, asDbError(err), `${model ?? ''}.${operation}`);
            throw err;
          }
        },
      },
    },
  };
}
