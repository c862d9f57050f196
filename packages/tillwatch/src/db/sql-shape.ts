/**
 * What a SQL statement is, for labels and logs, without a SQL parser: its kind (select, insert, update, delete,
 * transaction, migration, other), the table it names first, and a normalised form for the slow-query log with
 * every literal and parameter replaced by `?`. Hand-written on purpose: a real parser (pgsql-ast-parser,
 * libpg-query) costs far more per query than the instrumentation's whole budget, and labels only need the
 * leading keyword and the first table; a statement it cannot read records as `other` / `none`.
 */

export type DbOperation = 'select' | 'insert' | 'update' | 'delete' | 'transaction' | 'migration' | 'other';

export interface SqlShape {
  readonly operation: DbOperation;
  /** Lower-case table name without schema or quotes, or `none`. */
  readonly table: string;
}

const TRANSACTION = new Set(['begin', 'commit', 'rollback', 'savepoint', 'release', 'start', 'end', 'abort', 'prepare']);
const MIGRATION = new Set(['create', 'alter', 'drop', 'truncate', 'comment', 'grant', 'revoke']);
const DML = new Set(['select', 'insert', 'update', 'delete']);

/** Strips leading comments and whitespace. */
function skipLeading(sql: string): string {
  let s = sql.trimStart();
  for (;;) {
    if (s.startsWith('--')) {
      const nl = s.indexOf('\n');
      s = nl === -1 ? '' : s.slice(nl + 1).trimStart();
    } else if (s.startsWith('/*')) {
      const end = s.indexOf('*/');
      s = end === -1 ? '' : s.slice(end + 2).trimStart();
    } else return s;
  }
}

const IDENT = String.raw`((?:"[^"]+"|[A-Za-z_][A-Za-z0-9_$]*)(?:\s*\.\s*(?:"[^"]+"|[A-Za-z_][A-Za-z0-9_$]*))?)`;
const TABLE_AFTER: Record<'select' | 'insert' | 'update' | 'delete', RegExp> = {
  select: new RegExp(String.raw`\bfrom\s+(?:only\s+)?${IDENT}`, 'i'),
  insert: new RegExp(String.raw`\binto\s+${IDENT}`, 'i'),
  update: new RegExp(String.raw`^update\s+(?:only\s+)?${IDENT}`, 'i'),
  delete: new RegExp(String.raw`\bfrom\s+(?:only\s+)?${IDENT}`, 'i'),
};

function tableName(raw: string | undefined): string {
  if (raw === undefined) return 'none';
  const last = raw.split('.').pop()!.trim();
  const name = (last.startsWith('"') ? last.slice(1, -1) : last).toLowerCase();
  return /^[a-z_][a-z0-9_$]{0,62}$/.test(name) ? name : 'none';
}

/** The kind of statement and its first table. Pure; cache the result per statement text. */
export function sqlShape(sql: string): SqlShape {
  let s = skipLeading(sql);
  let keyword = /^[A-Za-z]+/.exec(s)?.[0].toLowerCase() ?? '';
  if (keyword === 'with') {
    // A common table expression: the statement's kind is the first DML keyword after the last `)` of the CTEs.
    const main = /\)\s*(select|insert|update|delete)\b/gi;
    let m: RegExpExecArray | null;
    let last: RegExpExecArray | null = null;
    while ((m = main.exec(s)) !== null) last = m;
    if (last === null) return { operation: 'other', table: 'none' };
    keyword = last[1]!.toLowerCase();
    s = s.slice(last.index + last[0].length - keyword.length);
  }
  if (DML.has(keyword)) {
    const op = keyword as 'select' | 'insert' | 'update' | 'delete';
    return { operation: op, table: tableName(TABLE_AFTER[op].exec(s)?.[1]) };
  }
  if (TRANSACTION.has(keyword)) return { operation: 'transaction', table: 'none' };
  if (MIGRATION.has(keyword)) return { operation: 'migration', table: 'none' };
  return { operation: 'other', table: 'none' };
}

const MAX_NORMALISED = 1000;

/**
 * The statement with every string, number, dollar-quoted and escape literal and every `$n` parameter replaced by
 * `?`, comments dropped and whitespace collapsed; at most 1000 characters. Bound values never reach it: they
 * travel separately from the text, and literals in the text are stripped here.
 */
export function normaliseSql(sql: string): string {
  const out = sql
    .replace(/--[^\n]*/g, ' ')
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/\$([A-Za-z_]*)\$[\s\S]*?\$\1\$/g, '?')
    .replace(/[Ee]'(?:[^'\\]|\\.|'')*'|(?:[BbXx]|[Uu]&)?'(?:[^']|'')*'/g, '?')
    .replace(/\$\d+/g, '?')
    .replace(/(?<![A-Za-z_0-9$"])-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?\b/g, '?')
    .replace(/\s+/g, ' ')
    .trim();
  return out.length > MAX_NORMALISED ? `${out.slice(0, MAX_NORMALISED)}...` : out;
}
