/**
 * PromQL text -> a small expression tree, with the Prometheus project's own grammar
 * (`@prometheus-io/lezer-promql`, the parser behind the Prometheus UI's editor). This file only walks the
 * syntax tree into plain data; it refuses syntax errors and the parts of PromQL the evaluator does not
 * implement, naming them, so a rule that cannot be evaluated in process is known at start-up.
 */
import { parser } from '@prometheus-io/lezer-promql';

type SyntaxNode = ReturnType<typeof parser.parse>['topNode'];

export type MatchOp = '=' | '!=' | '=~' | '!~';

export interface Matcher {
  readonly name: string;
  readonly op: MatchOp;
  readonly value: string;
  /** Anchored regular expression for `=~` and `!~`. */
  readonly re?: RegExp;
}

export type BinaryOp = '+' | '-' | '*' | '/' | '%' | '^' | '==' | '!=' | '>' | '<' | '>=' | '<=' | 'and' | 'or' | 'unless';

export type Expr =
  | { readonly type: 'number'; readonly value: number }
  | { readonly type: 'string'; readonly value: string }
  | { readonly type: 'selector'; readonly name?: string; readonly matchers: readonly Matcher[] }
  | { readonly type: 'matrix'; readonly selector: Extract<Expr, { type: 'selector' }>; readonly rangeMs: number }
  | { readonly type: 'subquery'; readonly expr: Expr; readonly rangeMs: number; readonly stepMs?: number }
  | { readonly type: 'call'; readonly func: string; readonly args: readonly Expr[] }
  | {
      readonly type: 'aggregate';
      readonly op: string;
      readonly grouping?: { readonly without: boolean; readonly labels: readonly string[] };
      readonly param?: Expr;
      readonly expr: Expr;
    }
  | {
      readonly type: 'binary';
      readonly op: BinaryOp;
      readonly bool: boolean;
      readonly matching?: { readonly on: boolean; readonly labels: readonly string[] };
      readonly lhs: Expr;
      readonly rhs: Expr;
    }
  | { readonly type: 'unary'; readonly op: '-' | '+'; readonly expr: Expr };

export class PromqlParseError extends Error {
  constructor(expr: string, reason: string) {
    super(`cannot evaluate PromQL in process: ${reason} in ${JSON.stringify(expr)}`);
    this.name = 'PromqlParseError';
  }
}

const BINARY_OPS: Record<string, BinaryOp> = {
  Add: '+', Sub: '-', Mul: '*', Div: '/', Mod: '%', Pow: '^',
  Eql: '==', Neq: '!=', Gtr: '>', Lss: '<', Gte: '>=', Lte: '<=',
  And: 'and', Or: 'or', Unless: 'unless',
};

const UNITS_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000, y: 31_536_000_000 };

/** Milliseconds of a PromQL duration such as `5m` or `1h30m`; NaN when malformed. */
export function parseDurationMs(text: string): number {
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w|y)/gy;
  let total = 0;
  let m: RegExpExecArray | null;
  let end = 0;
  while ((m = re.exec(text)) !== null) {
    total += Number(m[1]) * UNITS_MS[m[2]!]!;
    end = re.lastIndex;
  }
  return end === text.length && end > 0 ? total : Number.NaN;
}

function unquote(text: string): string {
  if (text.startsWith('`')) return text.slice(1, -1);
  if (text.startsWith("'")) return JSON.parse(`"${text.slice(1, -1).replace(/\\'/g, "'").replace(/"/g, '\\"')}"`) as string;
  return JSON.parse(text) as string;
}

function children(node: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let c = node.firstChild; c !== null; c = c.nextSibling) out.push(c);
  return out;
}

/** Parses one PromQL expression. @throws PromqlParseError on a syntax error or an unsupported construct. */
export function parsePromql(src: string): Expr {
  const tree = parser.parse(src);
  const text = (n: SyntaxNode) => src.slice(n.from, n.to);
  const fail = (reason: string): never => {
    throw new PromqlParseError(src, reason);
  };
  tree.iterate({
    enter: (n) => {
      if (n.type.isError) fail(`syntax error at offset ${n.from}`);
    },
  });

  const duration = (n: SyntaxNode): number => {
    const ms = parseDurationMs(text(n));
    if (Number.isNaN(ms)) fail(`unsupported duration ${text(n)}`);
    return ms;
  };

  const matchers = (n: SyntaxNode): Matcher[] =>
    children(n).map((m) => {
      if (m.name !== 'UnquotedLabelMatcher') fail(`unsupported label matcher ${text(m)}`);
      const [nameNode, opNode, valueNode] = children(m);
      const op = text(opNode!) as MatchOp;
      const value = unquote(text(valueNode!));
      const name = text(nameNode!);
      return op === '=~' || op === '!~' ? { name, op, value, re: new RegExp(`^(?:${value})$`) } : { name, op, value };
    });

  const selector = (n: SyntaxNode): Extract<Expr, { type: 'selector' }> => {
    let name: string | undefined;
    let ms: Matcher[] = [];
    for (const c of children(n)) {
      if (c.name === 'Identifier') name = text(c);
      else if (c.name === 'LabelMatchers') ms = matchers(c);
      else fail(`unsupported selector part ${text(c)}`);
    }
    const nameMatcher = ms.find((m) => m.name === '__name__' && m.op === '=');
    if (name === undefined && nameMatcher !== undefined) name = nameMatcher.value;
    return { type: 'selector', ...(name === undefined ? {} : { name }), matchers: ms.filter((m) => m !== nameMatcher) };
  };

  const grouping = (n: SyntaxNode): { on: boolean; labels: string[] } => {
    const [kw, labels] = children(n);
    return { on: kw!.name === 'On' || kw!.name === 'By', labels: labels === undefined ? [] : children(labels).map(text) };
  };

  const walk = (n: SyntaxNode): Expr => {
    switch (n.name) {
      case 'PromQL':
      case 'ParenExpr': {
        const inner = children(n);
        if (inner.length !== 1) fail('unexpected expression shape');
        return walk(inner[0]!);
      }
      case 'NumberDurationLiteral':
      case 'NumberLiteral': {
        const t = text(n);
        const lower = t.toLowerCase();
        if (lower === 'inf' || lower === '+inf') return { type: 'number', value: Infinity };
        if (lower === '-inf') return { type: 'number', value: -Infinity };
        if (lower === 'nan') return { type: 'number', value: Number.NaN };
        const num = Number(t);
        if (!Number.isNaN(num)) return { type: 'number', value: num };
        const ms = parseDurationMs(t);
        if (Number.isNaN(ms)) fail(`bad number ${t}`);
        return { type: 'number', value: ms / 1000 };
      }
      case 'StringLiteral':
        return { type: 'string', value: unquote(text(n)) };
      case 'VectorSelector':
        return selector(n);
      case 'MatrixSelector': {
        const [sel, dur] = children(n);
        if (sel?.name !== 'VectorSelector' || dur === undefined) fail('unsupported range selector');
        return { type: 'matrix', selector: selector(sel!), rangeMs: duration(dur!) };
      }
      case 'SubqueryExpr': {
        const [inner, range, step, ...rest] = children(n);
        if (rest.length > 0) fail('subquery modifiers (offset, @) are not supported');
        return { type: 'subquery', expr: walk(inner!), rangeMs: duration(range!), ...(step === undefined ? {} : { stepMs: duration(step) }) };
      }
      case 'FunctionCall': {
        const [ident, body] = children(n);
        return { type: 'call', func: text(ident!), args: body === undefined ? [] : children(body).map(walk) };
      }
      case 'AggregateExpr': {
        let op = '';
        let group: { without: boolean; labels: string[] } | undefined;
        let args: Expr[] = [];
        for (const c of children(n)) {
          if (c.name === 'AggregateOp') op = text(c);
          else if (c.name === 'AggregateModifier') {
            const g = grouping(c);
            group = { without: !g.on, labels: g.labels };
          } else if (c.name === 'FunctionCallBody') args = children(c).map(walk);
        }
        if (args.length === 0 || args.length > 2) fail(`aggregation ${op} needs one expression`);
        const expr = args[args.length - 1]!;
        return { type: 'aggregate', op, ...(group ? { grouping: group } : {}), ...(args.length === 2 ? { param: args[0]! } : {}), expr };
      }
      case 'BinaryExpr': {
        const parts = children(n);
        const lhs = walk(parts[0]!);
        const rhs = walk(parts[parts.length - 1]!);
        const opName = parts[1]!.name;
        const op = BINARY_OPS[opName];
        if (op === undefined) fail(`unsupported operator ${text(parts[1]!)}`);
        let bool = false;
        let matching: { on: boolean; labels: string[] } | undefined;
        for (const mod of parts.slice(2, -1)) {
          if (mod.name === 'BoolModifier') bool = true;
          else if (mod.name === 'MatchingModifierClause') {
            if (children(mod).some((c) => c.name === 'GroupLeft' || c.name === 'GroupRight')) fail('group_left/group_right are not supported');
            matching = grouping(mod);
          } else fail(`unsupported modifier ${text(mod)}`);
        }
        return { type: 'binary', op: op!, bool, ...(matching ? { matching } : {}), lhs, rhs };
      }
      case 'UnaryExpr': {
        const [opNode, inner] = children(n);
        return { type: 'unary', op: text(opNode!) === '-' ? '-' : '+', expr: walk(inner!) };
      }
      default:
        return fail(`unsupported ${n.name} (${text(n)})`);
    }
  };
  return walk(tree.topNode);
}
