/**
 * Evaluates a parsed PromQL expression at one instant over {@link SeriesWindows}, with Prometheus' semantics
 * for the subset that alert and SLO rules use: selectors with the four matchers and a 5 m look-back, range
 * selectors and subqueries, rate/increase (Prometheus' extrapolation), *_over_time, histogram_quantile
 * (Prometheus' bucket interpolation), vector/scalar/time/absent/clamp, sum/min/max/avg/count by/without,
 * arithmetic and comparisons (with `bool`), and/or/unless, one-to-one `on`/`ignoring` matching.
 *
 * Hand-written: no maintained PromQL engine runs in Node (the Prometheus project publishes only the grammar,
 * which parse-promql.ts uses). The rules of each operation follow Prometheus' promql/engine.go and
 * promql/functions.go, and the equivalence test runs the same rules through the real `prometheus`.
 */
import type { Labels, RangeSummary, SeriesWindows } from '../series-windows.ts';
import type { BinaryOp, Expr, Matcher } from './parse-promql.ts';

export interface Sample {
  readonly labels: Labels;
  readonly value: number;
}
export interface RangeSeries {
  readonly labels: Labels;
  readonly points: readonly (readonly [number, number])[];
}

export type Value =
  | { readonly kind: 'scalar'; readonly value: number }
  | { readonly kind: 'vector'; readonly samples: readonly Sample[] }
  | { readonly kind: 'matrix'; readonly series: readonly RangeSeries[] }
  | { readonly kind: 'string'; readonly value: string };

export interface EvalContext {
  readonly windows: SeriesWindows;
  /** Evaluation time, ms since the epoch. */
  readonly timeMs: number;
  /** Look-back of instant selectors; Prometheus' default is 5 m. */
  readonly lookbackMs?: number;
  /** Series that exist only for evaluation (e.g. `up` of this process). */
  readonly extraSeries?: readonly Sample[];
}

export class PromqlEvalError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PromqlEvalError';
  }
}

const DEFAULT_LOOKBACK_MS = 300_000;

function matches(labels: Labels, ms: readonly Matcher[]): boolean {
  for (const m of ms) {
    const v = labels[m.name] ?? '';
    switch (m.op) {
      case '=':
        if (v !== m.value) return false;
        break;
      case '!=':
        if (v === m.value) return false;
        break;
      case '=~':
        if (!m.re!.test(v)) return false;
        break;
      case '!~':
        if (m.re!.test(v)) return false;
        break;
    }
  }
  return true;
}

function dropName(labels: Labels): Labels {
  if (!('__name__' in labels)) return labels;
  const { __name__: _, ...rest } = labels;
  return rest;
}

function pick(labels: Labels, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of names) if (labels[n] !== undefined && labels[n] !== '') out[n] = labels[n];
  return out;
}

function omit(labels: Labels, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = { ...labels };
  for (const n of names) delete out[n];
  return out;
}

function sig(labels: Labels): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}\u0000${labels[k]}`)
    .join('\u0001');
}

/** Prometheus' extrapolatedRate (promql/functions.go): `rate`, `increase` and `delta`. */
function extrapolatedRate(s: RangeSummary | undefined, rangeStartMs: number, rangeEndMs: number, isCounter: boolean, isRate: boolean): number | undefined {
  if (s === undefined || s.count < 2) return undefined;
  const { first, last } = s;
  let result = last[1] - first[1];
  if (isCounter) result += s.lost;
  let durationToStart = (first[0] - rangeStartMs) / 1000;
  let durationToEnd = (rangeEndMs - last[0]) / 1000;
  const sampledInterval = (last[0] - first[0]) / 1000;
  const averageBetween = sampledInterval / (s.count - 1);
  if (isCounter && result > 0 && first[1] >= 0) {
    const durationToZero = sampledInterval * (first[1] / result);
    if (durationToZero < durationToStart) durationToStart = durationToZero;
  }
  const threshold = averageBetween * 1.1;
  let extrapolateTo = sampledInterval;
  extrapolateTo += durationToStart >= threshold ? averageBetween / 2 : durationToStart;
  extrapolateTo += durationToEnd >= threshold ? averageBetween / 2 : durationToEnd;
  let factor = extrapolateTo / sampledInterval;
  if (isRate) factor /= (rangeEndMs - rangeStartMs) / 1000;
  return result * factor;
}

/** Prometheus' bucketQuantile (promql/quantile.go) over classic buckets. */
export function bucketQuantile(q: number, buckets: { le: number; count: number }[]): number {
  if (Number.isNaN(q)) return Number.NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  buckets.sort((a, b) => a.le - b.le);
  if (buckets.length < 2 || buckets[buckets.length - 1]!.le !== Infinity) return Number.NaN;
  // Monotonicity fix, as Prometheus does for buckets scraped at slightly different times.
  for (let i = 1; i < buckets.length; i += 1) if (buckets[i]!.count < buckets[i - 1]!.count) buckets[i]!.count = buckets[i - 1]!.count;
  const total = buckets[buckets.length - 1]!.count;
  if (total === 0) return Number.NaN;
  const rank = q * total;
  const b = buckets.findIndex((x) => x.count >= rank);
  if (b === buckets.length - 1) return buckets[buckets.length - 2]!.le;
  if (b === 0 && buckets[0]!.le <= 0) return buckets[0]!.le;
  let start = 0;
  const end = buckets[b]!.le;
  let count = buckets[b]!.count;
  let r = rank;
  if (b > 0) {
    start = buckets[b - 1]!.le;
    count -= buckets[b - 1]!.count;
    r -= buckets[b - 1]!.count;
  }
  return start + (end - start) * (r / count);
}

function arith(op: BinaryOp, a: number, b: number): number {
  switch (op) {
    case '+': return a + b;
    case '-': return a - b;
    case '*': return a * b;
    case '/': return a / b;
    case '%': return a % b;
    case '^': return a ** b;
    default: return Number.NaN;
  }
}

function compare(op: BinaryOp, a: number, b: number): boolean {
  switch (op) {
    case '==': return a === b;
    case '!=': return a !== b;
    case '>': return a > b;
    case '<': return a < b;
    case '>=': return a >= b;
    case '<=': return a <= b;
    default: return false;
  }
}

const COMPARISON = new Set<BinaryOp>(['==', '!=', '>', '<', '>=', '<=']);
const SET_OPS = new Set<BinaryOp>(['and', 'or', 'unless']);

function scalarOf(v: Value, what: string): number {
  if (v.kind === 'scalar') return v.value;
  throw new PromqlEvalError(`${what}: expected a scalar, got a ${v.kind}`);
}

function vectorOf(v: Value, what: string): readonly Sample[] {
  if (v.kind === 'vector') return v.samples;
  throw new PromqlEvalError(`${what}: expected an instant vector, got a ${v.kind}`);
}

function matrixOf(v: Value, what: string): readonly RangeSeries[] {
  if (v.kind === 'matrix') return v.series;
  throw new PromqlEvalError(`${what}: expected a range vector, got a ${v.kind}`);
}

const OVER_TIME: Record<string, (vs: number[]) => number> = {
  avg_over_time: (vs) => vs.reduce((a, b) => a + b, 0) / vs.length,
  sum_over_time: (vs) => vs.reduce((a, b) => a + b, 0),
  min_over_time: (vs) => Math.min(...vs),
  max_over_time: (vs) => Math.max(...vs),
  count_over_time: (vs) => vs.length,
  last_over_time: (vs) => vs[vs.length - 1]!,
};

/** Evaluates `expr` at `ctx.timeMs`. @throws PromqlEvalError on a type error (a rule that can never work). */
export function evaluatePromql(expr: Expr, ctx: EvalContext): Value {
  const lookback = ctx.lookbackMs ?? DEFAULT_LOOKBACK_MS;
  const t = ctx.timeMs;
  switch (expr.type) {
    case 'number':
      return { kind: 'scalar', value: expr.value };
    case 'string':
      return { kind: 'string', value: expr.value };
    case 'selector': {
      const out: Sample[] = [];
      for (const s of ctx.windows.seriesNamed(expr.name)) {
        if (!matches(s.labels, expr.matchers)) continue;
        const p = ctx.windows.latest(s, t, lookback);
        if (p !== undefined) out.push({ labels: s.labels, value: p[1] });
      }
      for (const s of ctx.extraSeries ?? []) if ((expr.name === undefined || s.labels.__name__ === expr.name) && matches(s.labels, expr.matchers)) out.push(s);
      return { kind: 'vector', samples: out };
    }
    case 'matrix': {
      const out: RangeSeries[] = [];
      for (const s of ctx.windows.seriesNamed(expr.selector.name)) {
        if (!matches(s.labels, expr.selector.matchers)) continue;
        const points = ctx.windows.points(s, t - expr.rangeMs, t);
        if (points.length > 0) out.push({ labels: s.labels, points });
      }
      return { kind: 'matrix', series: out };
    }
    case 'subquery': {
      // A step finer than the windows' resolution at the start of the range re-reads the same coarse sample, so
      // the step is widened to it: a 3d:1m subquery runs 144 evaluations on 30 m samples, not 4320 (same average).
      const step = Math.max(expr.stepMs ?? 60_000, ctx.windows.resolutionAt(t - expr.rangeMs));
      const byKey = new Map<string, { labels: Labels; points: [number, number][] }>();
      // Prometheus aligns subquery steps to multiples of the step, within (t - range, t].
      for (let ts = Math.floor(t / step) * step; ts > t - expr.rangeMs; ts -= step) {
        for (const s of vectorOf(evaluatePromql(expr.expr, { ...ctx, timeMs: ts }), 'subquery')) {
          const k = sig(s.labels);
          let e = byKey.get(k);
          if (e === undefined) byKey.set(k, (e = { labels: s.labels, points: [] }));
          e.points.unshift([ts, s.value]);
        }
      }
      return { kind: 'matrix', series: [...byKey.values()] };
    }
    case 'unary': {
      const v = evaluatePromql(expr.expr, ctx);
      if (expr.op === '+') return v;
      if (v.kind === 'scalar') return { kind: 'scalar', value: -v.value };
      return { kind: 'vector', samples: vectorOf(v, 'unary -').map((s) => ({ labels: dropName(s.labels), value: -s.value })) };
    }
    case 'call':
      return call(expr.func, expr.args, ctx);
    case 'aggregate':
      return aggregate(expr, ctx);
    case 'binary':
      return binary(expr, ctx);
  }
}

function call(func: string, args: readonly Expr[], ctx: EvalContext): Value {
  const t = ctx.timeMs;
  const arg = (i: number) => evaluatePromql(args[i]!, ctx);
  switch (func) {
    case 'rate':
    case 'increase':
    case 'delta': {
      const range = args[0];
      if (range?.type !== 'matrix') throw new PromqlEvalError(`${func}() needs a range selector`);
      // Straight from the windows (first, last, count, resets), without materialising the points.
      const out: Sample[] = [];
      for (const s of ctx.windows.seriesNamed(range.selector.name)) {
        if (!matches(s.labels, range.selector.matchers)) continue;
        const v = extrapolatedRate(ctx.windows.rangeSummary(s, t - range.rangeMs, t), t - range.rangeMs, t, func !== 'delta', func === 'rate');
        if (v !== undefined) out.push({ labels: dropName(s.labels), value: v });
      }
      return { kind: 'vector', samples: out };
    }
    case 'avg_over_time':
    case 'sum_over_time':
    case 'min_over_time':
    case 'max_over_time':
    case 'count_over_time':
    case 'last_over_time': {
      const f = OVER_TIME[func]!;
      return { kind: 'vector', samples: matrixOf(arg(0), func).filter((s) => s.points.length > 0).map((s) => ({ labels: dropName(s.labels), value: f(s.points.map((p) => p[1])) })) };
    }
    case 'histogram_quantile': {
      const q = scalarOf(arg(0), 'histogram_quantile');
      const groups = new Map<string, { labels: Labels; buckets: { le: number; count: number }[] }>();
      for (const s of vectorOf(arg(1), 'histogram_quantile')) {
        const le = s.labels.le;
        if (le === undefined) continue;
        const labels = dropName(omit(s.labels, ['le']));
        const k = sig(labels);
        let g = groups.get(k);
        if (g === undefined) groups.set(k, (g = { labels, buckets: [] }));
        g.buckets.push({ le: le === '+Inf' ? Infinity : Number(le), count: s.value });
      }
      return { kind: 'vector', samples: [...groups.values()].map((g) => ({ labels: g.labels, value: bucketQuantile(q, g.buckets) })) };
    }
    case 'vector':
      return { kind: 'vector', samples: [{ labels: {}, value: scalarOf(arg(0), 'vector') }] };
    case 'scalar': {
      const v = vectorOf(arg(0), 'scalar');
      return { kind: 'scalar', value: v.length === 1 ? v[0]!.value : Number.NaN };
    }
    case 'time':
      return { kind: 'scalar', value: t / 1000 };
    case 'absent': {
      if (vectorOf(arg(0), 'absent').length > 0) return { kind: 'vector', samples: [] };
      const a = args[0]!;
      const labels: Record<string, string> = {};
      if (a.type === 'selector') for (const m of a.matchers) if (m.op === '=') labels[m.name] = m.value;
      return { kind: 'vector', samples: [{ labels, value: 1 }] };
    }
    case 'clamp_min':
    case 'clamp_max': {
      const bound = scalarOf(arg(1), func);
      const f = func === 'clamp_min' ? (v: number) => Math.max(v, bound) : (v: number) => Math.min(v, bound);
      return { kind: 'vector', samples: vectorOf(arg(0), func).map((s) => ({ labels: dropName(s.labels), value: f(s.value) })) };
    }
    case 'abs':
      return { kind: 'vector', samples: vectorOf(arg(0), func).map((s) => ({ labels: dropName(s.labels), value: Math.abs(s.value) })) };
    default:
      throw new PromqlEvalError(`function ${func}() is not supported in process`);
  }
}

function aggregate(expr: Extract<Expr, { type: 'aggregate' }>, ctx: EvalContext): Value {
  const samples = vectorOf(evaluatePromql(expr.expr, ctx), expr.op);
  const groups = new Map<string, { labels: Labels; values: number[] }>();
  for (const s of samples) {
    const g = expr.grouping;
    const labels = g === undefined ? {} : g.without ? dropName(omit(s.labels, g.labels)) : pick(s.labels, g.labels);
    const k = sig(labels);
    let e = groups.get(k);
    if (e === undefined) groups.set(k, (e = { labels, values: [] }));
    e.values.push(s.value);
  }
  const reduce: Record<string, (vs: number[]) => number> = {
    sum: (vs) => vs.reduce((a, b) => a + b, 0),
    avg: (vs) => vs.reduce((a, b) => a + b, 0) / vs.length,
    min: (vs) => Math.min(...vs),
    max: (vs) => Math.max(...vs),
    count: (vs) => vs.length,
    group: () => 1,
  };
  const f = reduce[expr.op];
  if (f === undefined) throw new PromqlEvalError(`aggregation ${expr.op} is not supported in process`);
  return { kind: 'vector', samples: [...groups.values()].map((g) => ({ labels: g.labels, value: f(g.values) })) };
}

function binary(expr: Extract<Expr, { type: 'binary' }>, ctx: EvalContext): Value {
  const l = evaluatePromql(expr.lhs, ctx);
  const r = evaluatePromql(expr.rhs, ctx);
  const { op } = expr;
  const isCmp = COMPARISON.has(op);
  if (l.kind === 'scalar' && r.kind === 'scalar') {
    if (isCmp) return { kind: 'scalar', value: compare(op, l.value, r.value) ? 1 : 0 };
    return { kind: 'scalar', value: arith(op, l.value, r.value) };
  }
  if (l.kind === 'scalar' || r.kind === 'scalar') {
    const vec = vectorOf(l.kind === 'scalar' ? r : l, op);
    const k = scalarOf(l.kind === 'scalar' ? l : r, op);
    const scalarLeft = l.kind === 'scalar';
    const out: Sample[] = [];
    for (const s of vec) {
      const [a, b] = scalarLeft ? [k, s.value] : [s.value, k];
      if (isCmp) {
        const ok = compare(op, a, b);
        if (expr.bool) out.push({ labels: dropName(s.labels), value: ok ? 1 : 0 });
        else if (ok) out.push(s);
      } else out.push({ labels: dropName(s.labels), value: arith(op, a, b) });
    }
    return { kind: 'vector', samples: out };
  }
  const lv = vectorOf(l, op);
  const rv = vectorOf(r, op);
  const m = expr.matching;
  const matchKey = (labels: Labels) => sig(m === undefined ? dropName(labels) : m.on ? pick(labels, m.labels) : dropName(omit(labels, m.labels)));
  if (SET_OPS.has(op)) {
    const rightKeys = new Set(rv.map((s) => matchKey(s.labels)));
    if (op === 'and') return { kind: 'vector', samples: lv.filter((s) => rightKeys.has(matchKey(s.labels))) };
    if (op === 'unless') return { kind: 'vector', samples: lv.filter((s) => !rightKeys.has(matchKey(s.labels))) };
    const leftKeys = new Set(lv.map((s) => matchKey(s.labels)));
    return { kind: 'vector', samples: [...lv, ...rv.filter((s) => !leftKeys.has(matchKey(s.labels)))] };
  }
  const right = new Map<string, Sample>();
  for (const s of rv) {
    const k = matchKey(s.labels);
    if (right.has(k)) throw new PromqlEvalError(`many-to-one matching for ${op}: the right side has duplicate series`);
    right.set(k, s);
  }
  const out: Sample[] = [];
  for (const s of lv) {
    const other = right.get(matchKey(s.labels));
    if (other === undefined) continue;
    const resultLabels = (): Labels => {
      if (m === undefined) return dropName(s.labels);
      return m.on ? pick(s.labels, m.labels) : dropName(omit(s.labels, m.labels));
    };
    if (isCmp) {
      const ok = compare(op, s.value, other.value);
      if (expr.bool) out.push({ labels: resultLabels(), value: ok ? 1 : 0 });
      else if (ok) out.push({ labels: m === undefined ? s.labels : resultLabels(), value: s.value });
    } else out.push({ labels: resultLabels(), value: arith(op, s.value, other.value) });
  }
  return { kind: 'vector', samples: out };
}
