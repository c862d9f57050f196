/**
 * Extracts the metric names a PromQL expression reads, so raw PromQL (the escape hatch next to typed handles)
 * can still be checked against the catalogue. A small tokenizer, not a full parser: it skips string literals,
 * label matchers (`{...}`, except a `__name__` matcher), range and subquery brackets, numbers and durations,
 * function and aggregation names (an identifier followed by `(`), keywords, and the label lists after
 * `by`/`without`/`on`/`ignoring`/`group_left`/`group_right`. Grammar: https://prometheus.io/docs/prometheus/latest/querying/basics/
 */

/** Keywords that are followed by a parenthesised list of label names, never metric names. */
const LABEL_LIST_KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);

/** Keywords and aggregation operators that may appear without a directly following `(`. */
const KEYWORDS = new Set([
  'and', 'or', 'unless', 'bool', 'offset', 'atan2', 'inf', 'nan',
  'sum', 'min', 'max', 'avg', 'group', 'stddev', 'stdvar', 'count', 'count_values', 'bottomk', 'topk', 'quantile', 'limitk', 'limit_ratio',
]);

const IDENT_START = /[a-zA-Z_:]/;
const IDENT_PART = /[a-zA-Z0-9_:]/;

function skipString(expr: string, i: number): number {
  const quote = expr[i];
  let j = i + 1;
  while (j < expr.length && expr[j] !== quote) j += quote !== '`' && expr[j] === '\\' ? 2 : 1;
  return j + 1;
}

function nextNonSpace(expr: string, i: number): number {
  let j = i;
  while (j < expr.length && /\s/.test(expr[j] as string)) j++;
  return j;
}

/** Reads `{...}` from `i` (at `{`); returns the end index and a `__name__="x"` value if there is one. */
function readMatchers(expr: string, i: number): { end: number; name?: string } {
  let j = i + 1;
  let name: string | undefined;
  while (j < expr.length && expr[j] !== '}') {
    const c = expr[j] as string;
    if (c === '"' || c === "'" || c === '`') {
      j = skipString(expr, j);
      continue;
    }
    if (expr.startsWith('__name__', j)) {
      const m = /^__name__\s*=\s*(["'`])((?:\\.|(?!\1).)*)\1/.exec(expr.slice(j));
      if (m !== null) {
        name = m[2];
        j += m[0].length;
        continue;
      }
    }
    j++;
  }
  return name === undefined ? { end: j + 1 } : { end: j + 1, name };
}

/**
 * The distinct metric names an expression selects, in order of appearance.
 * @example promqlMetricNames('sum by (le) (rate(x_bucket{le="1"}[5m])) / on() y') // ['x_bucket', 'y']
 */
export function promqlMetricNames(expr: string): string[] {
  const names: string[] = [];
  const add = (n: string) => {
    if (!names.includes(n)) names.push(n);
  };
  let i = 0;
  while (i < expr.length) {
    const c = expr[i] as string;
    if (c === '"' || c === "'" || c === '`') {
      i = skipString(expr, i);
    } else if (c === '#') {
      while (i < expr.length && expr[i] !== '\n') i++;
    } else if (c === '{') {
      const r = readMatchers(expr, i);
      if (r.name !== undefined) add(r.name);
      i = r.end;
    } else if (c === '[') {
      while (i < expr.length && expr[i] !== ']') i++;
      i++;
    } else if (/[0-9.]/.test(c)) {
      while (i < expr.length && /[0-9a-zA-Z_.]/.test(expr[i] as string)) i++;
    } else if (IDENT_START.test(c)) {
      let j = i + 1;
      while (j < expr.length && IDENT_PART.test(expr[j] as string)) j++;
      const ident = expr.slice(i, j);
      const after = nextNonSpace(expr, j);
      const lower = ident.toLowerCase();
      if (LABEL_LIST_KEYWORDS.has(lower)) {
        if (expr[after] === '(') {
          j = after;
          while (j < expr.length && expr[j] !== ')') j++;
          j++;
        }
      } else if (expr[after] === '(') {
        // a function or an aggregation call: its name is not a metric
      } else if (!KEYWORDS.has(lower)) {
        add(ident);
      }
      i = j;
    } else {
      i++;
    }
  }
  return names;
}
