/**
 * The tillwatch logger: pino writing JSON lines, with every line's fields, message and error passed
 * through the shared redactor, and the request's correlation and trace ids added from the context.
 *
 * A line looks like:
 * `{"level":"info","time":"2024-06-10T12:00:00.000Z","service":"pos-api","env":"production","version":"1.4.2","correlation_id":"0190f5e2-...","module":"payments","msg":"payment captured"}`
 */
import { types } from 'node:util';
import { pino, type Bindings, type ChildLoggerOptions, type Logger, type LoggerOptions } from 'pino';
import type { ResolvedTillwatchOptions } from '../config/options.ts';
import type { ContextStore, RequestContext } from '../context/request-context.ts';
import type { Redactor } from '@tillwatch/redact';
import { safeDestination, type LogDestination } from './safe-destination.ts';
import { BatchedFdDestination } from './batched-fd-destination.ts';

export interface CreateLoggerOptions {
  options: ResolvedTillwatchOptions;
  context: ContextStore;
  redactor: Redactor;
  /**
   * Called when the destination fails (EPIPE, disk full, a write that throws) or a line is dropped
   * because it is closed. The caller counts it (tillwatch_sink_errors_total); logging is never
   * interrupted and the caller of `logger.info()` never sees the error. Default: one process warning
   * with code TW_ERR_SINK_WRITE_FAILED for the first failure, then silence.
   */
  onSinkError?: (err: Error) => void;
  /**
   * The active OpenTelemetry span's ids, when tracing is on. Called once per line: it must be cheap
   * and must not allocate (`activeSpanContext` of @tillwatch/otel). Its ids win over the ones the
   * request context captured at the start of the request, so a line logged inside a database span
   * names that span.
   */
  activeSpan?: () => { readonly traceId: string; readonly spanId: string } | undefined;
}

function isErrorObject(v: unknown): v is Error {
  return typeof v === 'object' && v !== null && (types.isNativeError(v) || v instanceof Error);
}

function warnOnce(): (err: Error) => void {
  let warned = false;
  return (err) => {
    if (warned) return;
    warned = true;
    try {
      process.emitWarning(`log destination failed, lines are being dropped: ${err.message}`, { code: 'TW_ERR_SINK_WRITE_FAILED' });
    } catch {
      // nothing left to tell
    }
  };
}

/**
 * Creates the root logger. Make one child per module (`logger.child({ module: 'payments' })`); children
 * keep redaction and context fields.
 *
 * What is redacted where:
 * - the merge object (`logger.info({ card }, ...)`) and printf arguments (`%o`, `%j`): `redactor.value`,
 *   in `hooks.logMethod`, before pino reads a single property, so a throwing getter or Proxy cannot
 *   throw into the caller;
 * - an Error as first argument, or under any key: `redactor.error` (message, stack, cause chain);
 * - the final message, after printf interpolation: `redactor.string`, as pino's serializer for `msg`;
 * - base and child bindings (`logger.child({...})`, `setBindings`): `redactor.value`;
 * - context bindings (`ContextStore.bind`): `redactor.value`, in the mixin.
 *
 * No pid or hostname: in containers pid is 1 and the collector adds pod and node names.
 *
 * @param o resolved options, the context store, the shared redactor and an optional sink-error hook.
 * @returns a pino Logger; never throws while logging.
 * @example
 * const { options } = resolveOptions({ service: { name: 'pos-api' } });
 * const logger = createLogger({ options, context: new ContextStore(), redactor: createRedactor() });
 * logger.child({ module: 'payments' }).info({ orderId: 'o-1' }, 'payment captured');
 */
/**
 * Log objects built only from values that are safe by construction (closed sets, numbers, already
 * scrubbed strings), so the redactor's walk can be skipped for them. The access log's one line per request
 * is the case this exists for: skipping a second walk of it is a measurable part of the per-request cost.
 */
const preRedacted = new WeakSet<object>();

/** Marks a log object as already redacted; the logger then writes it as is. Use only for objects built from safe values. */
export function markRedacted<T extends object>(obj: T): T {
  preRedacted.add(obj);
  return obj;
}

let lastMs = -1;
let lastTime = '';
/**
 * pino's isoTime, cached per millisecond: formatting a Date was 12% of an access-log line's cost, and
 * under load many lines share a millisecond.
 */
function isoTimeCached(): string {
  const now = Date.now();
  if (now !== lastMs) {
    lastMs = now;
    lastTime = `,"time":"${new Date(now).toISOString()}"`;
  }
  return lastTime;
}

/** What a logger made by {@link createLogger} carries for {@link writeFixedLine}; children inherit it. */
const kFixedLine = Symbol('tillwatch.fixedLine');
interface FixedLineSupport {
  /**
   * The mixin's fields as JSON members (`,"correlation_id":"..."`) for `ctx` (default: the current request's), or
   * undefined when they need the generic path.
   */
  contextJson(ctx?: RequestContext): string | undefined;
}

const SAFE_JSON_STRING = /^[\x20-\x21\x23-\x5b\x5d-\x7e]*$/;

/**
 * A JSON string literal, as pino writes one (its `asString` escapes the same characters). Short strings (ids,
 * routes, enum values: what the fixed-shape lines carry) are checked with a character loop, which costs a
 * fraction of entering the regular-expression engine.
 */
export function jsonString(s: string): string {
  const n = s.length;
  if (n > 64) return SAFE_JSON_STRING.test(s) ? `"${s}"` : JSON.stringify(s);
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    // outside printable ASCII, or `"`, or `\`: JSON.stringify escapes it
    if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) return JSON.stringify(s);
  }
  return `"${s}"`;
}

const { lsCacheSym, timeSym, chindingsSym, streamSym, needsMetadataGsym, hooksSym } = pino.symbols;

/**
 * Writes one line of a fixed shape without pino's generic path: `members` are JSON object members already
 * serialised from safe values (`,"status":200,...`), `msgJson` the message as a JSON string. The line is the
 * one pino would write for `logger[level]({ ...members }, msg)`: level, time, bindings, the context fields of
 * the mixin, the members, the message. Skips the merge-object walk, the redaction hook (callers pass only
 * values that are safe by construction or already scrubbed) and pino's per-key dispatch.
 * @param ctx The request context whose ids the line carries, when the caller is outside it; default the current one.
 * @returns false when this logger cannot take the fast path (not made by createLogger, a transport that needs
 *   pino's metadata, a stream hook, or context bindings, which need the redactor): log it the generic way.
 */
export function writeFixedLine(logger: Logger, level: 'info' | 'warn' | 'error', members: string, msgJson: string, ctx?: RequestContext): boolean {
  const l = logger as unknown as Record<symbol, unknown> & Logger;
  const support = l[kFixedLine] as FixedLineSupport | undefined;
  if (support === undefined) return false;
  if (!logger.isLevelEnabled(level)) return true;
  const stream = l[streamSym] as { write(s: string): unknown; [k: symbol]: unknown };
  if (stream[needsMetadataGsym] === true || (l[hooksSym] as { streamWrite?: unknown }).streamWrite !== undefined) return false;
  const context = support.contextJson(ctx);
  if (context === undefined) return false;
  const num = logger.levels.values[level] as number;
  const head = (l[lsCacheSym] as Record<number, string>)[num] as string;
  stream.write(`${head}${(l[timeSym] as () => string)()}${l[chindingsSym] as string}${context}${members},"msg":${msgJson}}\n`);
  return true;
}

export function createLogger(o: CreateLoggerOptions): Logger {
  const { options, context, redactor, activeSpan } = o;
  const onSinkError = o.onSinkError ?? warnOnce();
  const target: LogDestination = (options.log.destination as LogDestination | undefined) ?? new BatchedFdDestination({ fd: 1 });

  const redactBindings = (bindings: Bindings): Bindings => {
    const copy = redactor.value(bindings);
    return typeof copy === 'object' && copy !== null && !Array.isArray(copy) ? (copy as Bindings) : {};
  };

  const base: Record<string, string> = {
    service: options.service.name,
    env: options.service.environment,
    version: options.service.version,
  };
  if (options.service.location !== undefined) base.location = options.service.location;

  const loggerOptions: LoggerOptions = {
    level: options.log.level,
    base,
    timestamp: isoTimeCached,
    messageKey: 'msg',
    errorKey: 'err',
    formatters: {
      level: (label) => ({ level: label }),
      bindings: redactBindings,
    },
    // Runs on the already-redacted copy; pino's default err serializer would re-serialize it and lose `type`.
    serializers: {
      err: (v: unknown) => v,
      msg: (v: unknown) => (typeof v === 'string' ? redactor.string(v) : v),
    },
    mixin() {
      const ctx = context.get();
      const span = activeSpan?.();
      if (ctx === undefined) return span === undefined ? {} : { trace_id: span.traceId, span_id: span.spanId };
      const traceId = span?.traceId ?? ctx.traceId;
      const spanId = span?.spanId ?? ctx.spanId;
      const fields: Record<string, unknown> = { correlation_id: ctx.correlationId };
      if (traceId !== undefined) fields.trace_id = traceId;
      if (spanId !== undefined) fields.span_id = spanId;
      // The ids are safe by construction (a correlation id is [A-Za-z0-9._:-]{1,128} or a UUIDv7; trace and
      // span ids are hex), so only the app's bindings need the redactor.
      if (ctx.bindings === undefined) return fields;
      const bound = redactor.value(ctx.bindings);
      const merged: Record<string, unknown> = typeof bound === 'object' && bound !== null && !Array.isArray(bound) ? { ...bound } : {};
      // Bindings are app data; they must not overwrite the ids that tie the line to its request.
      merged.correlation_id = ctx.correlationId;
      if (traceId !== undefined) merged.trace_id = traceId;
      if (spanId !== undefined) merged.span_id = spanId;
      return merged;
    },
    hooks: {
      logMethod(args, method) {
        const a = args as unknown[];
        const first = a[0];
        let formatFrom = 1;
        if (isErrorObject(first)) {
          const err = redactor.error(first);
          a[0] = { err };
          // pino would use err.message as msg; make sure it is the scrubbed one
          if (a.length < 2) a.push(err.message);
          formatFrom = 2;
        } else if (typeof first === 'object' && first !== null && preRedacted.has(first)) {
          formatFrom = 2;
        } else if (typeof first === 'object' && first !== null) {
          const copy = redactor.value(first);
          a[0] = typeof copy === 'object' && copy !== null && !Array.isArray(copy) ? copy : { value: copy };
          formatFrom = 2;
        }
        // printf arguments: %o/%j would JSON-encode an object with its secrets into the message
        for (let i = formatFrom; i < a.length; i++) {
          const v = a[i];
          if ((typeof v === 'object' && v !== null) || typeof v === 'bigint') a[i] = redactor.value(v);
        }
        return (method as (...xs: unknown[]) => void).apply(this, a);
      },
    },
  };
  const logger = pino(loggerOptions, safeDestination(target, onSinkError));
  const fixedLine: FixedLineSupport = {
    // The mixin above, as JSON members; undefined (generic path) when the app bound fields to the context.
    contextJson(given) {
      const ctx = given ?? context.get();
      const span = activeSpan?.();
      if (ctx === undefined) return span === undefined ? '' : `,"trace_id":${jsonString(span.traceId)},"span_id":${jsonString(span.spanId)}`;
      if (ctx.bindings !== undefined) return undefined;
      const traceId = span?.traceId ?? ctx.traceId;
      const spanId = span?.spanId ?? ctx.spanId;
      let out = `,"correlation_id":${jsonString(ctx.correlationId)}`;
      if (traceId !== undefined) out += `,"trace_id":${jsonString(traceId)}`;
      if (spanId !== undefined) out += `,"span_id":${jsonString(spanId)}`;
      return out;
    },
  };
  (logger as unknown as Record<symbol, unknown>)[kFixedLine] = fixedLine;
  // pino resets `formatters.bindings` to the identity for children (lib/proto.js), so child bindings are
  // redacted here. Children are created with Object.create(parent): they inherit these two methods.
  // pino's child() is generic over custom levels; tillwatch defines none, so a plain signature is enough.
  type ChildFn = (this: Logger, bindings: Bindings, options?: ChildLoggerOptions) => Logger;
  const child = logger.child as unknown as ChildFn;
  const setBindings = logger.setBindings as (this: Logger, bindings: Bindings) => void;
  logger.child = function redactedChild(this: Logger, bindings: Bindings, childOptions?: ChildLoggerOptions): Logger {
    return child.call(this, redactBindings(bindings), childOptions);
  } as unknown as Logger['child'];
  logger.setBindings = function redactedSetBindings(this: Logger, bindings: Bindings): void {
    setBindings.call(this, redactBindings(bindings));
  };
  return logger;
}
