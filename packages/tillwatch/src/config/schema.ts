/**
 * A small typed schema for options: one declaration gives the TypeScript types (input and resolved),
 * validation with messages that name the option, what was expected and what was given,
 * environment overrides, and the rows of docs/config.md.
 *
 * Why not zod or ajv: options are validated once at start-up, the schema must also carry
 * documentation and env bindings, and the runtime package keeps its dependency list to pino and prom-client.
 */
import type { ConfigIssue } from '@tillwatch/spec';

/** Read-only view of process.env (or a test double). */
export type Env = Readonly<Record<string, string | undefined>>;

export interface ParseContext {
  readonly issues: ConfigIssue[];
  readonly env: Env;
  /** Warnings about env values that could not be used (TWWRN002); the default is used instead. */
  readonly envWarnings: { variable: string; expected: string; got: string }[];
}

export interface DocRow {
  option: string;
  type: string;
  default: string;
  env: string;
  doc: string;
}

export interface Schema<Out, In = Out> {
  /** Phantom fields for type inference only. */
  readonly _out?: Out;
  readonly _in?: In;
  readonly expected: string;
  parse(value: unknown, path: string, ctx: ParseContext): Out;
  docRows(path: string): DocRow[];
}

export type Output<S> = S extends Schema<infer O, unknown> ? O : never;
export type Input<S> = S extends Schema<unknown, infer I> ? I : never;

interface LeafOptions<T> {
  default?: T;
  /** The value is a credential: error messages give its length only. */
  secret?: boolean;
  /** Environment variable that overrides the option when set and non-empty. */
  env?: string;
  /**
   * An env value that cannot be used is a configuration error (naming the option and the variable), not a
   * TWWRN002 warning with the default: for an option whose default is "off" and whose purpose is protection
   * (a bearer token), falling back would fail open.
   */
  failClosed?: boolean;
  doc?: string;
}

/** Renders a value for an error message: short, and never the full content of a string (it could be a secret). */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (v === null) return 'null';
  if (typeof v === 'string') return v.length > 24 ? `a string of ${v.length} characters` : JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return `${typeof v} ${String(v)}`;
  if (typeof v === 'function') return 'a function';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  return `an object`;
}

function describeSecret(v: unknown): string {
  return typeof v === 'string' ? `a string of ${v.length} characters` : describeValue(v);
}

function issue(ctx: ParseContext, option: string, expected: string, got: unknown, code: ConfigIssue['code'] = 'TW_ERR_CONFIG_INVALID', secret = false): void {
  ctx.issues.push({ option, expected, got: secret ? describeSecret(got) : describeValue(got), code });
}

type Coerce<T> = (raw: string) => T | undefined;

function leaf<T>(
  expected: string,
  check: (v: unknown) => v is T,
  coerce: Coerce<T>,
  typeName: string,
  opts: LeafOptions<T> & { required?: boolean },
): Schema<T, T | undefined> {
  return {
    expected,
    parse(value, path, ctx) {
      const envName = opts.env;
      const raw = envName === undefined ? undefined : ctx.env[envName];
      if (envName !== undefined && raw !== undefined && raw.trim() !== '') {
        const coerced = coerce(raw.trim());
        if (coerced !== undefined && check(coerced)) return coerced;
        if (opts.failClosed) {
          issue(ctx, `${path} (${envName})`, expected, raw, undefined, opts.secret);
          return (opts.default ?? undefined) as T;
        }
        ctx.envWarnings.push({ variable: envName, expected, got: opts.secret ? describeSecret(raw) : describeValue(raw) });
      }
      if (value === undefined) {
        if (opts.default !== undefined) return opts.default;
        if (opts.required) issue(ctx, path, expected, value, undefined, opts.secret);
        return undefined as T;
      }
      if (!check(value)) {
        issue(ctx, path, expected, value, undefined, opts.secret);
        return (opts.default ?? value) as T;
      }
      return value;
    },
    docRows(path) {
      return [{ option: path, type: typeName, default: opts.default === undefined ? '' : JSON.stringify(opts.default), env: opts.env ?? '', doc: opts.doc ?? '' }];
    },
  };
}

export interface StringOptions extends LeafOptions<string> {
  pattern?: RegExp;
  minLength?: number;
  maxLength?: number;
  required?: boolean;
}

export function string(opts: StringOptions = {}): Schema<string, string | undefined> {
  const min = opts.minLength ?? 0;
  const max = opts.maxLength ?? Infinity;
  const parts = ['a string'];
  if (min > 0 || max !== Infinity) parts.push(`of ${min} to ${max === Infinity ? 'any number of' : max} characters`);
  if (opts.pattern) parts.push(`matching ${opts.pattern}`);
  const expected = parts.join(' ');
  const check = (v: unknown): v is string =>
    typeof v === 'string' && v.length >= min && v.length <= max && (opts.pattern === undefined || opts.pattern.test(v));
  return leaf<string>(expected, check, (raw) => raw, 'string', opts);
}

export interface NumberOptions extends LeafOptions<number> {
  min?: number;
  max?: number;
  integer?: boolean;
}

export function number(opts: NumberOptions = {}): Schema<number, number | undefined> {
  const min = opts.min ?? -Infinity;
  const max = opts.max ?? Infinity;
  const kind = opts.integer ? 'an integer' : 'a number';
  const range =
    min !== -Infinity && max !== Infinity ? ` between ${min} and ${max}` : min !== -Infinity ? ` >= ${min}` : max !== Infinity ? ` <= ${max}` : '';
  const check = (v: unknown): v is number =>
    typeof v === 'number' && Number.isFinite(v) && v >= min && v <= max && (!opts.integer || Number.isInteger(v));
  const coerce = (raw: string) => (/^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : undefined);
  return leaf<number>(kind + range, check, coerce, opts.integer ? 'integer' : 'number', opts);
}

export function boolean(opts: LeafOptions<boolean> = {}): Schema<boolean, boolean | undefined> {
  const coerce = (raw: string) => {
    const l = raw.toLowerCase();
    if (l === 'true' || l === '1' || l === 'yes') return true;
    if (l === 'false' || l === '0' || l === 'no') return false;
    return undefined;
  };
  return leaf<boolean>('true or false', (v): v is boolean => typeof v === 'boolean', coerce, 'boolean', opts);
}

export function oneOf<const T extends string>(values: readonly T[], opts: LeafOptions<T> = {}): Schema<T, T | undefined> {
  const set = new Set<string>(values);
  const check = (v: unknown): v is T => typeof v === 'string' && set.has(v);
  return leaf<T>(`one of ${values.map((v) => JSON.stringify(v)).join(', ')}`, check, (raw) => raw as T, values.join(' | '), opts);
}

/** A list of numbers (strictly increasing when `increasing` is set), e.g. histogram buckets. */
export function numberList(opts: LeafOptions<number[]> & { increasing?: boolean; min?: number } = {}): Schema<number[], number[] | undefined> {
  const min = opts.min ?? -Infinity;
  const expected = `a non-empty array of finite numbers${min !== -Infinity ? ` >= ${min}` : ''}${opts.increasing ? ', strictly increasing' : ''}`;
  const check = (v: unknown): v is number[] =>
    Array.isArray(v) &&
    v.length > 0 &&
    v.every((n, i) => typeof n === 'number' && Number.isFinite(n) && n >= min && (!opts.increasing || i === 0 || n > (v[i - 1] as number)));
  const coerce = (raw: string) => raw.split(',').map((s) => Number(s.trim()));
  return leaf<number[]>(expected, check, coerce, 'number[]', opts);
}

export function stringList(opts: LeafOptions<string[]> = {}): Schema<string[], string[] | undefined> {
  const check = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');
  const coerce = (raw: string) => raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
  return leaf<string[]>('an array of strings', check, coerce, 'string[]', opts);
}

/** A map from string to number within [min, max], e.g. per-route sample rates. */
export function numberRecord(opts: LeafOptions<Record<string, number>> & { min?: number; max?: number } = {}): Schema<Record<string, number>, Record<string, number> | undefined> {
  const min = opts.min ?? -Infinity;
  const max = opts.max ?? Infinity;
  const check = (v: unknown): v is Record<string, number> =>
    typeof v === 'object' && v !== null && !Array.isArray(v) &&
    Object.values(v).every((n) => typeof n === 'number' && n >= min && n <= max);
  return leaf<Record<string, number>>(`an object whose values are numbers between ${min} and ${max}`, check, () => undefined, 'Record<string, number>', opts);
}

/** Any value accepted by a predicate: functions, streams, client objects. Not settable from env. */
export function custom<T>(expected: string, check: (v: unknown) => v is T, opts: { default?: T; doc?: string; typeName?: string } = {}): Schema<T, T | undefined> {
  return leaf<T>(expected, check, () => undefined, opts.typeName ?? 'object', opts);
}

type Shape = Record<string, Schema<unknown, unknown>>;
type ObjOut<S extends Shape> = { readonly [K in keyof S]: Output<S[K]> };
type ObjIn<S extends Shape> = { [K in keyof S]?: Input<S[K]> };

/** An object of options. Unknown keys are errors (TW_ERR_CONFIG_UNKNOWN_OPTION): a typo must not be silently ignored. */
export function object<S extends Shape>(shape: S, opts: { doc?: string } = {}): Schema<ObjOut<S>, ObjIn<S> | undefined> {
  const keys = Object.keys(shape);
  return {
    expected: 'an object',
    parse(value, path, ctx) {
      const prefix = path === '' ? '' : `${path}.`;
      let src: Record<string, unknown> = {};
      if (value !== undefined) {
        if (typeof value !== 'object' || value === null || Array.isArray(value)) {
          issue(ctx, path || '(options)', 'an object', value);
        } else {
          src = value as Record<string, unknown>;
          for (const k of Object.keys(src)) {
            if (!Object.hasOwn(shape, k)) issue(ctx, prefix + k, `one of the known options (${keys.join(', ')})`, 'an unknown option', 'TW_ERR_CONFIG_UNKNOWN_OPTION');
          }
        }
      }
      const out: Record<string, unknown> = {};
      for (const k of keys) out[k] = (shape[k] as Schema<unknown>).parse(src[k], prefix + k, ctx);
      return out as ObjOut<S>;
    },
    docRows(path) {
      const prefix = path === '' ? '' : `${path}.`;
      return keys.flatMap((k) => (shape[k] as Schema<unknown>).docRows(prefix + k));
    },
  };
}

/** Makes a schema's resolved value optional (no default, may be undefined). */
export function optional<O, I>(s: Schema<O, I>): Schema<O | undefined, I | undefined> {
  return s as Schema<O | undefined, I | undefined>;
}

/** Deep-freezes a resolved config so nothing can change it after validation. Skips functions and class instances. */
export function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null && (Array.isArray(v) || Object.getPrototypeOf(v) === Object.prototype)) {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
}
