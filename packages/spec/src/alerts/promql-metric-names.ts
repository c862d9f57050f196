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

/** One label matcher of a selector. */
export interface PromqlMatcher {
  readonly label: string;
  readonly op: '=' | '!=' | '=~' | '!~';
  readonly value: string;
}

/** A vector selector: its metric name and its label matchers. */
export interface PromqlSelector {
  readonly name: string;
  readonly matchers: readonly PromqlMatcher[];
}

const MATCHER = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*(["'`])((?:\\.|(?!\3).)*)\3\s*,?/;

function parseMatchers(body: string): PromqlMatcher[] {
  const out: PromqlMatcher[] = [];
  let rest = body;
  for (;;) {
    const m = MATCHER.exec(rest);
    if (m === null) break;
    const raw = m[4] as string;
    const value = m[3] === '`' ? raw : raw.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    if (m[1] !== '__name__') out.push({ label: m[1] as string, op: m[2] as PromqlMatcher['op'], value });
    rest = rest.slice(m[0].length);
  }
  return out;
}

/**
 * Every vector selector of an expression with its label matchers, in order of appearance (one entry per
 * occurrence): what a live check compares with what a service really exports.
 * @example promqlSelectors('sum(rate(x_total{a="1",b=~"2|3"}[5m]))') // [{ name: 'x_total', matchers: [{ label: 'a', op: '=', value: '1' }, { label: 'b', op: '=~', value: '2|3' }] }]
 */
export function promqlSelectors(expr: string): PromqlSelector[] {
  const out: PromqlSelector[] = [];
  const names = new Set(promqlMetricNames(expr));
  let i = 0;
  while (i < expr.length) {
    const c = expr[i] as string;
    if (c === '"' || c === "'" || c === '`') {
      i = skipString(expr, i);
    } else if (c === '#') {
      while (i < expr.length && expr[i] !== '\n') i++;
    } else if (c === '[') {
      while (i < expr.length && expr[i] !== ']') i++;
      i++;
    } else if (c === '{') {
      // A selector without a leading name: `{__name__="x", ...}`.
      const r = readMatchers(expr, i);
      if (r.name !== undefined) out.push({ name: r.name, matchers: parseMatchers(expr.slice(i + 1, r.end - 1)) });
      i = r.end;
    } else if (/[0-9.]/.test(c) && (i === 0 || !IDENT_PART.test(expr[i - 1] as string))) {
      while (i < expr.length && /[0-9a-zA-Z_.]/.test(expr[i] as string)) i++;
    } else if (IDENT_START.test(c)) {
      let j = i + 1;
      while (j < expr.length && IDENT_PART.test(expr[j] as string)) j++;
      const ident = expr.slice(i, j);
      const after = nextNonSpace(expr, j);
      if (names.has(ident) && expr[after] !== '(') {
        if (expr[after] === '{') {
          const r = readMatchers(expr, after);
          out.push({ name: ident, matchers: parseMatchers(expr.slice(after + 1, r.end - 1)) });
          j = r.end;
        } else {
          out.push({ name: ident, matchers: [] });
        }
      } else if (LABEL_LIST_KEYWORDS.has(ident.toLowerCase()) && expr[after] === '(') {
        j = after;
        while (j < expr.length && expr[j] !== ')') j++;
        j++;
      }
      i = j;
    } else {
      i++;
    }
  }
  return out;
}
