/**
 * The browser's redactor: the server's rules (tillwatch/redact/portable: sensitive key names, card
 * numbers with the Luhn check, URL credentials, `key=value` and JSON secrets, Bearer/Basic tokens)
 * applied by a small deep-copy walker that needs no Node built-ins.
 *
 * It implements tillwatch's `Redactor` interface, so the server's Sentry event and breadcrumb
 * scrubbers (report/scrub-event.ts) run unchanged on top of it. Limits default to the server's
 * (packages/browser/test/redactor.test.ts checks they stay equal).
 */
import {
  CIRCULAR,
  MAX_DEPTH,
  THROWN,
  TRUNCATED_KEY,
  UNSERIALIZABLE,
  bufferPlaceholder,
  createKeyMatcher,
  createTextScrubber,
  maskCardNumberValue,
  truncatedItems,
  truncatedKeys,
} from 'tillwatch/redact/portable';
import type { Redactor, RedactorOptions, SerializedError } from 'tillwatch/redact/portable';

export type BrowserRedactorOptions = RedactorOptions;

/** The server redactor's defaults (packages/tillwatch/src/redact/redactor.ts). */
export const BROWSER_REDACTOR_DEFAULTS = {
  maxDepth: 8,
  maxStringLength: 16 * 1024,
  maxArrayLength: 100,
  maxKeys: 200,
  maxTotalValues: 10_000,
} as const;

const DROP: unique symbol = Symbol('drop');

function limit(v: number | undefined, fallback: number): number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.floor(v) : fallback;
}

function read(o: object, key: PropertyKey): unknown {
  try {
    return (o as Record<PropertyKey, unknown>)[key];
  } catch {
    return THROWN;
  }
}

function safeString(v: unknown): string {
  try {
    return String(v);
  } catch {
    return UNSERIALIZABLE;
  }
}

/**
 * Creates a redactor for browser code. Every method is total: hostile input yields placeholders.
 *
 * @param options extra sensitive keys and limits, as for the server's `createRedactor`.
 * @example
 * const r = createBrowserRedactor({ extraKeys: ['loyaltyPin'] });
 * r.value({ note: 'card 4111 1111 1111 1111', cvv: '123' }); // => { note: 'card 411111******1111' }
 */
export function createBrowserRedactor(options: BrowserRedactorOptions = {}): Redactor {
  const maxDepth = limit(options.maxDepth, BROWSER_REDACTOR_DEFAULTS.maxDepth);
  const maxStringLength = limit(options.maxStringLength, BROWSER_REDACTOR_DEFAULTS.maxStringLength);
  const maxArrayLength = limit(options.maxArrayLength, BROWSER_REDACTOR_DEFAULTS.maxArrayLength);
  const maxKeys = limit(options.maxKeys, BROWSER_REDACTOR_DEFAULTS.maxKeys);
  const maxTotalValues = limit(options.maxTotalValues, BROWSER_REDACTOR_DEFAULTS.maxTotalValues);
  const isSensitiveKey = createKeyMatcher(options.extraKeys);
  const scrub = createTextScrubber({ isSensitiveKey, maxStringLength });

  interface State {
    ancestors: object[];
    values: number;
  }

  function outputKey(key: string): string | null {
    if (isSensitiveKey(key)) return null;
    const k = key.length > 256 ? `${key.slice(0, 256)}…` : key;
    return k === '__proto__' ? '[__proto__]' : scrub(k);
  }

  function walk(v: unknown, depth: number, st: State): unknown {
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

  function walkObject(o: object, depth: number, st: State): unknown {
    if (Array.isArray(o)) return walkArray(o, depth, st);
    if (o instanceof Error) return serializeError(o, depth, st);
    if (o instanceof Date) return Number.isNaN(o.getTime()) ? 'Invalid Date' : o.toISOString();
    if (ArrayBuffer.isView(o)) return bufferPlaceholder(o.byteLength);
    if (o instanceof ArrayBuffer) return bufferPlaceholder(o.byteLength);
    if (o instanceof Map) return walkEntries(Array.from(o.entries()), o.size, depth, st);
    if (o instanceof Set) return walkArray(Array.from(o), depth, st);
    if (o instanceof URL || o instanceof URLSearchParams) return scrub(o.toString());
    // DOM nodes, events, windows: huge, cyclic, and never what an error report wants.
    if (typeof (o as { nodeType?: unknown }).nodeType === 'number' || (typeof Event !== 'undefined' && o instanceof Event)) {
      return `[${safeString(Object.prototype.toString.call(o)).slice(8, -1)}]`;
    }
    const toJSON = read(o, 'toJSON');
    if (typeof toJSON === 'function') {
      const j: unknown = toJSON.call(o);
      if (j !== o) return walk(j, depth + 1, st);
    }
    const keys = Object.keys(o);
    return walkEntries(keys.slice(0, maxKeys).map((k) => [k, read(o, k)]), keys.length, depth, st);
  }

  function walkEntries(entries: [unknown, unknown][], total: number, depth: number, st: State): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const n = Math.min(entries.length, maxKeys);
    for (let i = 0; i < n; i++) {
      const [key, value] = entries[i] as [unknown, unknown];
      const k = outputKey(typeof key === 'string' ? key : safeString(key));
      if (k === null) continue;
      const w = walk(value, depth + 1, st);
      if (w !== DROP) out[k] = w;
    }
    if (total > maxKeys) out[TRUNCATED_KEY] = truncatedKeys(total - maxKeys);
    return out;
  }

  function walkArray(a: readonly unknown[], depth: number, st: State): unknown[] {
    const n = Math.min(a.length, maxArrayLength);
    const out: unknown[] = [];
    for (let i = 0; i < n; i++) {
      const w = walk(read(a, i), depth + 1, st);
      out.push(w === DROP ? null : w);
    }
    if (a.length > n) out.push(truncatedItems(a.length - n));
    return out;
  }

  function serializeError(e: Error, depth: number, st: State): SerializedError {
    const name = read(e, 'name');
    const message = read(e, 'message');
    const out: SerializedError = {
      type: scrub(typeof name === 'string' && name !== '' ? name : 'Error'),
      message: typeof message === 'string' ? scrub(message) : scrub(safeString(message ?? '')),
    };
    const stack = read(e, 'stack');
    if (typeof stack === 'string') out.stack = scrub(stack);
    const code = read(e, 'code');
    if (typeof code === 'string') out.code = scrub(code);
    else if (typeof code === 'number') out.code = code;
    for (const key of Object.keys(e)) {
      if (['name', 'message', 'stack', 'code', 'cause'].includes(key)) continue;
      const k = outputKey(key);
      if (k === null) continue;
      const w = walk(read(e, key), depth + 1, st);
      if (w !== DROP) out[k] = w;
    }
    if ('cause' in e) {
      const cause = walk(read(e, 'cause'), depth + 1, st);
      if (cause !== DROP && cause !== undefined) out.cause = cause;
    }
    return out;
  }

  const state = (): State => ({ ancestors: [], values: 0 });

  return {
    value(v: unknown): unknown {
      try {
        const w = walk(v, 0, state());
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
        if (e instanceof Error) {
          const st = state();
          st.ancestors.push(e);
          return serializeError(e, 0, st);
        }
        return { type: e === null ? 'null' : typeof e, message: typeof e === 'string' ? scrub(e) : scrub(safeString(e)) };
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
