/**
 * The one redactor every tillwatch sink shares: log lines now; error reports, span attributes, metric
 * labels, dead-letter payloads and audit records later. It makes a bounded, JSON-safe deep copy with
 * secrets and cardholder data removed, and never throws, whatever it is given.
 *
 * What it removes and masks, the placeholders it writes and its limits are listed in docs/redaction.md.
 */
import { maskCardNumberValue } from './card-number.ts';
import {
  CIRCULAR,
  MAX_DEPTH,
  THROWN,
  TRUNCATED_KEY,
  UNSERIALIZABLE,
  bufferPlaceholder,
  truncatedItems,
  truncatedKeys,
} from './placeholders.ts';
import { createKeyMatcher } from './sensitive-keys.ts';
import { createTextScrubber } from './text-scrubber.ts';

export interface RedactorOptions {
  /** Extra key names to remove, matched like the built-in ones (case-insensitive, ignoring `-`, `_`, spaces, any depth). */
  extraKeys?: readonly string[];
  /** Objects nested deeper than this many levels become `[MaxDepth]`. Default 8. */
  maxDepth?: number;
  /** Longer strings are cut and marked `…[Truncated: N chars]`. Default 16384 (16 KiB). */
  maxStringLength?: number;
  /** Longer arrays keep this many items plus a `[Truncated: N more items]` marker. Default 100. */
  maxArrayLength?: number;
  /** Objects (and Maps) keep this many keys plus a `[Truncated]` key. Default 200. */
  maxKeys?: number;
  /** Budget of values copied per call, so a wide and deep object cannot stall the event loop; past it values become `[Truncated]`. Default 10000. */
  maxTotalValues?: number;
}

/** An error as the redactor writes it: JSON-safe, scrubbed, with its cause chain. */
export interface SerializedError {
  /** The error's `name` (`TypeError`, `TillwatchError`), else its constructor's name. */
  type: string;
  message: string;
  stack?: string;
  code?: string | number;
  cause?: SerializedError | unknown;
  [k: string]: unknown;
}

/** A redactor; see {@link createRedactor}. Every method is total: hostile input yields placeholders, never an exception. */
export interface Redactor {
  /** A deep, JSON-safe copy of `v` with sensitive keys removed and every string scrubbed. */
  value(v: unknown): unknown;
  /** Free text with card numbers masked and credentials (URL userinfo, sensitive `key=value`, Bearer tokens) replaced. */
  string(s: string): string;
  /** Any thrown value as a {@link SerializedError}: message and stack scrubbed, own properties redacted, cause chain bounded by maxDepth. */
  error(e: unknown): SerializedError;
  /** True when a field or parameter of this name is removed. */
  isSensitiveKey(key: string): boolean;
}

export const DEFAULT_MAX_DEPTH = 8;
export const DEFAULT_MAX_STRING_LENGTH = 16 * 1024;
export const DEFAULT_MAX_ARRAY_LENGTH = 100;
export const DEFAULT_MAX_KEYS = 200;
export const DEFAULT_MAX_TOTAL_VALUES = 10_000;

/** Keys longer than this are cut: a key is a field name, not a payload. */
const MAX_KEY_LENGTH = 256;
/** Distinct keys remembered (sensitive or not, sanitised form). Cleared when full: hostile key churn costs a re-check, never memory. */
const KEY_CACHE_SIZE = 4096;
/** Characters that must not reach a sink unescaped in a key: a raw newline or quote could forge a JSON line in a sink that does not escape keys. */
const UNSAFE_KEY_CHAR = /[\u0000-\u001f\u007f"\\\u2028\u2029]/;
const UNSAFE_KEY_CHARS = /[\u0000-\u001f\u007f"\\\u2028\u2029]/g;
/** Error properties written from dedicated logic, never copied from own properties. */
const ERROR_OWN_FIELDS = new Set(['name', 'message', 'stack', 'code', 'cause', 'type', 'errors']);

/** Marks a value to leave out (functions, symbols). */
const DROP: unique symbol = Symbol('drop');

interface WalkState {
  /** Objects on the path from the root to the current value: a repeat is a cycle. Shared, non-cyclic references are copied each time. */
  readonly ancestors: object[];
  values: number;
}

function positiveInt(v: number | undefined, fallback: number): number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.floor(v) : fallback;
}

function constructorName(o: object): string {
  try {
    const c = (o as { constructor?: unknown }).constructor;
    const name = typeof c === 'function' ? (c as { name?: unknown }).name : undefined;
    return typeof name === 'string' && name !== '' ? name : 'Object';
  } catch {
    return 'Object';
  }
}

function safeString(v: unknown): string {
  try {
    return String(v);
  } catch {
    return UNSERIALIZABLE;
  }
}

/** Reads a property; a throwing getter or Proxy trap yields {@link THROWN}. */
function read(o: object, key: PropertyKey): unknown {
  try {
    return (o as Record<PropertyKey, unknown>)[key];
  } catch {
    return THROWN;
  }
}

/**
 * Errors from this realm and from others (vm contexts, iframes): the `[object Error]` brand is what
 * util.types.isNativeError checks, without importing node:util (this module also runs in browsers).
 */
function isError(o: object): boolean {
  return o instanceof Error || Object.prototype.toString.call(o) === '[object Error]';
}

/**
 * Node's EventEmitters (sockets, streams, http requests and responses), recognised by shape rather than
 * `instanceof` so this module needs no node:events and still runs in browsers.
 */
function isEventEmitter(o: object): boolean {
  const e = o as { on?: unknown; emit?: unknown; removeListener?: unknown };
  return typeof e.on === 'function' && typeof e.emit === 'function' && typeof e.removeListener === 'function';
}

/**
 * Creates a redactor. Build one per tillwatch instance (from `log.redactKeys`) and hand it to every sink.
 *
 * @param options limits and extra keys; every field is optional.
 * @returns a {@link Redactor} whose methods never throw.
 * @example
 * const redactor = createRedactor({ extraKeys: ['loyaltyPin'] });
 * redactor.value({ card: '4111 1111 1111 1111', cvv: '123', loyaltyPin: '9876', total: 12.5 });
 * // => { card: '411111******1111', total: 12.5 }
 * redactor.string('GET /pay?token=abc&amount=5'); // => 'GET /pay?token=[REDACTED]&amount=5'
 */
export function createRedactor(options: RedactorOptions = {}): Redactor {
  const maxDepth = positiveInt(options.maxDepth, DEFAULT_MAX_DEPTH);
  const maxStringLength = positiveInt(options.maxStringLength, DEFAULT_MAX_STRING_LENGTH);
  const maxArrayLength = positiveInt(options.maxArrayLength, DEFAULT_MAX_ARRAY_LENGTH);
  const maxKeys = positiveInt(options.maxKeys, DEFAULT_MAX_KEYS);
  const maxTotalValues = positiveInt(options.maxTotalValues, DEFAULT_MAX_TOTAL_VALUES);
  const isSensitiveKey = createKeyMatcher(options.extraKeys);
  const scrub = createTextScrubber({ isSensitiveKey, maxStringLength });

  const keyCache = new Map<string, string | null>();

  /** The key to write for `key`, or null when the key is sensitive and the field must be removed. */
  function outputKey(key: string): string | null {
    const cached = keyCache.get(key);
    if (cached !== undefined) return cached;
    let out: string | null = null;
    if (!isSensitiveKey(key)) {
      out = key.length > MAX_KEY_LENGTH ? `${key.slice(0, MAX_KEY_LENGTH)}…` : key;
      if (UNSAFE_KEY_CHAR.test(out)) out = out.replace(UNSAFE_KEY_CHARS, '_');
      // An own "__proto__" key (JSON.parse makes them) would set the prototype of the copy instead of a field.
      if (out === '__proto__') out = '[__proto__]';
      out = scrub(out); // a Map keyed by card number must not leak it through its keys
    }
    if (keyCache.size >= KEY_CACHE_SIZE) keyCache.clear();
    keyCache.set(key, out);
    return out;
  }

  function walk(v: unknown, depth: number, st: WalkState): unknown {
    if (++st.values > maxTotalValues) return TRUNCATED_KEY;
    switch (typeof v) {
      case 'string':
        return scrub(v);
      case 'number':
        return maskCardNumberValue(v);
      case 'bigint':
        return scrub(v.toString());
      case 'boolean':
      case 'undefined':
        return v;
      case 'function':
      case 'symbol':
        return DROP;
    }
    if (v === null) return null;
    const o = v as object;
    if (st.ancestors.includes(o)) return CIRCULAR;
    if (depth >= maxDepth) return MAX_DEPTH;
    st.ancestors.push(o);
    try {
      return walkObject(o, depth, st);
    } catch {
      return UNSERIALIZABLE;
    } finally {
      st.ancestors.pop();
    }
  }

  function walkObject(o: object, depth: number, st: WalkState): unknown {
    if (Array.isArray(o)) return walkArray(o, depth, st);
    const proto: unknown = Object.getPrototypeOf(o);
    if ((proto === Object.prototype || proto === null) && typeof read(o, 'toJSON') !== 'function') return walkPlain(o, depth, st);
    if (isError(o)) return serializeError(o, depth, st);
    if (o instanceof Date) return Number.isNaN(o.getTime()) ? 'Invalid Date' : o.toISOString();
    if (ArrayBuffer.isView(o)) return bufferPlaceholder(o.byteLength);
    // SharedArrayBuffer is undefined in browsers that are not cross-origin isolated.
    if (o instanceof ArrayBuffer || (typeof SharedArrayBuffer !== 'undefined' && o instanceof SharedArrayBuffer)) return bufferPlaceholder(o.byteLength);
    if (o instanceof Map) return walkMap(o, depth, st);
    if (o instanceof Set) return walkArray(Array.from(o), depth, st);
    if (o instanceof URL || o instanceof URLSearchParams) return scrub(o.toString());
    // Sockets, streams, http requests and responses: huge, cyclic, and never what a log line wants.
    if (isEventEmitter(o)) return `[${constructorName(o)}]`;
    const toJSON = read(o, 'toJSON');
    if (typeof toJSON === 'function') {
      // Money and id types (Decimal.js, Big.js, ObjectId, Luxon) say how they want to be written.
      const j: unknown = toJSON.call(o);
      return j === o ? walkPlain(o, depth, st) : walk(j, depth + 1, st);
    }
    return walkPlain(o, depth, st);
  }

  function walkPlain(o: object, depth: number, st: WalkState): Record<string, unknown> {
    const keys = Object.keys(o);
    const out: Record<string, unknown> = {};
    const limit = Math.min(keys.length, maxKeys);
    for (let i = 0; i < limit; i++) {
      const key = keys[i] as string;
      const k = outputKey(key);
      if (k === null) continue;
      const w = walk(read(o, key), depth + 1, st);
      if (w !== DROP) out[k] = w;
    }
    if (keys.length > limit) out[TRUNCATED_KEY] = truncatedKeys(keys.length - limit);
    return out;
  }

  function walkArray(a: readonly unknown[], depth: number, st: WalkState): unknown[] {
    const n = a.length;
    const limit = Math.min(n, maxArrayLength);
    const out: unknown[] = new Array<unknown>(limit);
    for (let i = 0; i < limit; i++) {
      const w = walk(read(a, i), depth + 1, st);
      out[i] = w === DROP ? null : w; // as JSON.stringify does, so positions keep their meaning
    }
    if (n > limit) out.push(truncatedItems(n - limit));
    return out;
  }

  function walkMap(m: Map<unknown, unknown>, depth: number, st: WalkState): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    let seen = 0;
    for (const [key, value] of m) {
      if (seen++ >= maxKeys) break;
      const raw = typeof key === 'string' ? key : typeof key === 'object' && key !== null ? `[${constructorName(key)}]` : safeString(key);
      const k = outputKey(raw);
      if (k === null) continue;
      const w = walk(value, depth + 1, st);
      if (w !== DROP) out[k] = w;
    }
    if (m.size > maxKeys) out[TRUNCATED_KEY] = truncatedKeys(m.size - maxKeys);
    return out;
  }

  function errorType(e: object): string {
    const name = read(e, 'name');
    let type = typeof name === 'string' && name !== '' && name !== 'Error' ? name : constructorName(e);
    if (type === 'Object') type = typeof name === 'string' && name !== '' ? name : 'Error';
    return scrub(type.length > 128 ? type.slice(0, 128) : type);
  }

  function textOf(v: unknown): string {
    if (typeof v === 'string') return scrub(v);
    if (v === undefined) return '';
    return scrub(safeString(v));
  }

  function serializeError(e: object, depth: number, st: WalkState): SerializedError {
    const out: SerializedError = { type: errorType(e), message: textOf(read(e, 'message')) };
    const stack = read(e, 'stack');
    if (typeof stack === 'string') out.stack = scrub(stack);
    const code = read(e, 'code');
    if (typeof code === 'string') out.code = scrub(code);
    else if (typeof code === 'number') out.code = code;
    let keys: string[] = [];
    try {
      keys = Object.keys(e);
    } catch {
      // a Proxy whose ownKeys trap throws: keep what was read so far
    }
    let copied = 0;
    for (const key of keys) {
      if (ERROR_OWN_FIELDS.has(key)) continue;
      if (copied++ >= maxKeys) break;
      const k = outputKey(key);
      if (k === null) continue;
      const w = walk(read(e, key), depth + 1, st);
      if (w !== DROP) out[k] = w;
    }
    const errors = read(e, 'errors'); // AggregateError
    if (Array.isArray(errors)) out.errors = walk(errors, depth + 1, st);
    let hasCause = false;
    try {
      hasCause = 'cause' in e;
    } catch {
      // Proxy `has` trap threw
    }
    if (hasCause) {
      const cause = walk(read(e, 'cause'), depth + 1, st);
      if (cause !== DROP && cause !== undefined) out.cause = cause;
    }
    return out;
  }

  const newState = (): WalkState => ({ ancestors: [], values: 0 });

  return {
    value(v: unknown): unknown {
      try {
        const w = walk(v, 0, newState());
        return w === DROP ? undefined : w;
      } catch {
        return UNSERIALIZABLE;
      }
    },
    string(s: string): string {
      try {
        return scrub(typeof s === 'string' ? s : safeString(s));
      } catch {
        return UNSERIALIZABLE;
      }
    },
    error(e: unknown): SerializedError {
      try {
        if (typeof e !== 'object' || e === null) {
          return { type: e === null ? 'null' : typeof e, message: typeof e === 'symbol' ? UNSERIALIZABLE : textOf(e) };
        }
        const st = newState();
        st.ancestors.push(e);
        return serializeError(e, 0, st);
      } catch {
        return { type: 'Error', message: UNSERIALIZABLE };
      }
    },
    isSensitiveKey(key: string): boolean {
      try {
        return isSensitiveKey(key);
      } catch {
        return false;
      }
    },
  };
}
