/**
 * The access log: one line per finished request, `msg: "request completed"`, written inside the
 * request's context so the logger's mixin adds its correlation id.
 *
 * Which requests get a line ({@link AccessLog.shouldLog}), in order:
 * 1. always: 5xx (level error), requests at least `slowMs` long (warn, `slow: true`), and statuses in
 *    `alwaysLogStatuses` (warn; 401/403/429 by default: auth failures and rate limiting are security signals);
 * 2. never: paths in `skipPaths` (health probes, /metrics);
 * 3. otherwise sampled at `sampleRates["METHOD /route"]`, else `sampleRates["/route"]`, else 1.
 * Other 4xx are info: they are the client's problem, and a scanner's 404 storm must not page anyone.
 */
import type { Logger } from 'pino';
import type { ResolvedTillwatchOptions } from '../config/options.ts';
import type { ContextStore, RequestContext } from '../context/request-context.ts';
import { parseUserAgent, type ParsedUserAgent } from './user-agent.ts';
import { jsonString, markRedacted, writeFixedLine } from './logger.ts';

const MSG = jsonString('request completed');

/** A finite number as pino writes it (`null` otherwise). */
function jsonNumber(n: number): string {
  return Number.isFinite(n) ? `${n}` : 'null';
}

/**
 * `Math.round(ms * 100) / 100` as JSON, the text `${}` gives it (`12`, `12.5`, `12.05`), built from two integers:
 * printing a fraction costs several times printing an integer. Below 10^11 ms a hundredth is far above a double's
 * spacing, so the shortest text of the rounded value is exactly its integer and hundredths parts.
 */
function jsonHundredths(ms: number): string {
  const c = Math.round(ms * 100);
  if (!(c >= 0 && c < 1e13)) return jsonNumber(c / 100);
  const whole = Math.floor(c / 100);
  const frac = c - whole * 100;
  if (frac === 0) return `${whole}`;
  if (frac % 10 === 0) return `${whole}.${frac / 10}`;
  return frac < 10 ? `${whole}.0${frac}` : `${whole}.${frac}`;
}

/** What an adapter knows about a finished request. */
export interface AccessEntry {
  method: string;
  /** Route template (`/orders/:id`): what the line is grouped by. */
  route: string;
  /** Raw path, used only to match `skipPaths`; never written (it can hold ids and query strings). */
  path: string;
  status: number;
  durationMs: number;
  bytes: number | undefined;
  userAgent: string | undefined;
  /** `userAgent` already classified for this request (by the client metrics); classified here otherwise. */
  parsedUserAgent?: ParsedUserAgent | undefined;
  /** The handler's error, already logged once by the adapter: only its type is written here. */
  error?: unknown;
  /** The request's context, when the line is recorded outside it (on the response's 'close'). */
  context?: RequestContext;
}

export interface AccessLog {
  /** Writes the line for a request that {@link AccessLog.shouldLog} accepted. Does not sample again. Never throws. */
  record(e: AccessEntry): void;
  /** Applies always-log rules, skipPaths and sampling; call once per request. Never throws. */
  shouldLog(e: AccessEntry): boolean;
}

export interface CreateAccessLogOptions {
  logger: Logger;
  options: ResolvedTillwatchOptions['log']['access'];
  /** Source of randomness for sampling, in [0, 1). Tests pass a fixed sequence. Default Math.random. */
  random?: () => number;
  /** The shared redactor's string scrub, applied to the route and method (the only fields not from a closed set). */
  scrub?: (s: string) => string;
  /** Enters `entry.context` for a line that takes pino's generic path (its mixin reads the current context). */
  contextStore?: ContextStore;
}

type Level = 'error' | 'warn' | 'info';

function errorType(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return err === undefined ? undefined : typeof err;
  try {
    const name = (err as { name?: unknown }).name;
    if (typeof name === 'string' && /^[A-Za-z0-9_$.]{1,64}$/.test(name)) return name;
  } catch {
    // a throwing getter: fall through
  }
  return 'Error';
}

/**
 * Creates the access log.
 *
 * @param o the logger to write to, `log.access` options and optionally the sampling random source.
 * @returns an {@link AccessLog}.
 * @example
 * const access = createAccessLog({ logger, options: options.log.access });
 * if (access.shouldLog(entry)) access.record({ ...entry, context: ctx });
 */
export function createAccessLog(o: CreateAccessLogOptions): AccessLog {
  const { logger, options } = o;
  const random = o.random ?? Math.random;
  const scrub = o.scrub ?? ((v: string) => v);
  // Templates repeat: scrub each distinct route once, and keep it as a JSON string too (bounded, so raw paths from
  // a misbehaving adapter cannot grow it).
  const routeCache = new Map<string, { readonly safe: string; readonly json: string }>();
  const scrubbed = (route: string): { readonly safe: string; readonly json: string } => {
    let hit = routeCache.get(route);
    if (hit === undefined) {
      const safe = scrub(route);
      hit = { safe, json: jsonString(safe) };
      if (routeCache.size < 1000) routeCache.set(route, hit);
    }
    return hit;
  };
  const skip = new Set(options.skipPaths);
  // Most paths differ in length from every skip path: those are answered without hashing the (new) path string.
  const skipLengths = new Set(options.skipPaths.map((p) => p.length));
  // Statuses are integers; a flag per status from 0 to 999 answers without hashing.
  const always = new Uint8Array(1000);
  for (const status of options.alwaysLogStatuses) if (Number.isInteger(status) && status >= 0 && status < 1000) always[status] = 1;
  const rates = options.sampleRates as Readonly<Record<string, number>>;

  const isSlow = (e: AccessEntry): boolean => e.durationMs >= options.slowMs;

  /** Why this request is logged whatever the sampling, as its level; undefined when it is an ordinary request. */
  const forcedLevel = (e: AccessEntry): Level | undefined => {
    if (e.status >= 500) return 'error';
    if (isSlow(e) || always[e.status] === 1) return 'warn';
    return undefined;
  };

  const sampled = Object.keys(rates).length > 0;
  const rateFor = (e: AccessEntry): number => {
    // Without sample rates (the default) no key is built per request.
    if (!sampled) return 1;
    const specific = rates[`${e.method.toUpperCase()} ${e.route}`];
    if (specific !== undefined) return specific;
    return rates[e.route] ?? 1;
  };

  const pathOnly = (path: string): string => {
    const q = path.indexOf('?');
    return q < 0 ? path : path.slice(0, q);
  };

  return {
    shouldLog(e: AccessEntry): boolean {
      try {
        if (forcedLevel(e) !== undefined) return true;
        const path = pathOnly(e.path);
        if (skipLengths.has(path.length) && skip.has(path)) return false;
        const rate = rateFor(e);
        if (rate >= 1) return true;
        if (rate <= 0) return false;
        return random() < rate;
      } catch {
        return true;
      }
    },
    record(e: AccessEntry): void {
      try {
        const level = forcedLevel(e) ?? 'info';
        const ua = e.parsedUserAgent ?? parseUserAgent(e.userAgent);
        const method = scrubbed(e.method);
        const route = scrubbed(e.route);
        const slow = isSlow(e);
        // lets log-based request counts be re-weighted: each sampled line stands for 1/rate requests
        const rate = level === 'info' ? rateFor(e) : 1;
        const errType = errorType(e.error);
        // The line has a fixed shape: serialised here member by member (the route and method are the only strings
        // not from a closed set, and they are scrubbed above), then written without pino's generic object walk.
        let members = `,"method":${method.json},"route":${route.json},"status":${jsonNumber(e.status)},"duration_ms":${jsonHundredths(e.durationMs)}`;
        if (e.bytes !== undefined) members += `,"bytes":${jsonNumber(e.bytes)}`;
        members += `,"ua_family":${jsonString(ua.family)},"device_class":${jsonString(ua.device)}`;
        if (slow) members += ',"slow":true';
        if (rate < 1) members += `,"sample_rate":${jsonNumber(rate)}`;
        if (errType !== undefined) members += `,"err_type":${jsonString(errType)}`;
        if (writeFixedLine(logger, level, members, MSG, e.context)) return;
        // Every field is from a closed set, a number, or scrubbed here: the logger can skip its redaction walk.
        const fields: Record<string, unknown> = markRedacted({
          method: method.safe,
          route: route.safe,
          status: e.status,
          duration_ms: Math.round(e.durationMs * 100) / 100,
          bytes: e.bytes,
          ua_family: ua.family,
          device_class: ua.device,
        });
        if (slow) fields.slow = true;
        if (rate < 1) fields.sample_rate = rate;
        if (errType !== undefined) fields.err_type = errType;
        const write = (): void => logger[level](fields, 'request completed');
        if (e.context !== undefined && o.contextStore !== undefined) o.contextStore.run(e.context, write);
        else write();
      } catch {
        // the access line is telemetry: losing it must not affect the response
      }
    },
  };
}
