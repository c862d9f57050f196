/**
 * One external dependency (a payment provider, an SMS gateway, a warehouse API), as the service registers it:
 * every call through {@link Dependency.fetch} or {@link Dependency.call} is timed and labelled with its outcome
 * (ok, error, timeout, circuit_open); an optional circuit breaker (cockatiel) refuses calls while the dependency
 * keeps failing; a periodic check, off the request path, sets `dependency_up` and answers the dependency's
 * readiness check from its last result, so probes never call the provider themselves.
 */
import { catalogue, TillwatchConfigError, type ConfigIssue } from '@tillwatch/spec';
import type { Logger } from 'pino';
import type { MetricRegistrar } from '../metrics/metric-registrar.ts';
import { loadBreaker, type Breaker } from './breaker.ts';

export type DependencyOutcome = 'ok' | 'error' | 'timeout' | 'circuit_open';

export interface DependencyOptions {
  /** The `dependency` label and the health check's name: lower-case snake_case, e.g. payment_provider. */
  readonly name: string;
  /** When false, a failing dependency makes readiness `degraded` (200) instead of 503. Default true. */
  readonly required?: boolean;
  /**
   * The periodic check: a URL answered with a status under 500 means up (`GET`, its own timeout), or a
   * function that resolves when the dependency is usable. Default none: `dependency_up` is not exported for it.
   */
  readonly check?: string | ((signal: AbortSignal) => Promise<void>);
  /** Between checks. Default 15 000 ms. */
  readonly checkIntervalMs?: number;
  /** Timeout of one check. Default 2 000 ms. */
  readonly checkTimeoutMs?: number;
  /**
   * A circuit breaker (cockatiel, an optional peer): after `consecutiveFailures` failed calls (errors and
   * timeouts, default 5) calls are refused for `halfOpenAfterMs` (default 10 000), then one is let through.
   */
  readonly breaker?: { readonly consecutiveFailures?: number; readonly halfOpenAfterMs?: number };
}

/** A call refused because the dependency's circuit is open: nothing was sent. */
export class DependencyUnavailableError extends Error {
  readonly dependency: string;
  readonly code = 'TW_DEPENDENCY_CIRCUIT_OPEN';
  constructor(dependency: string) {
    super(`${dependency}: circuit open, call not attempted`);
    this.name = 'DependencyUnavailableError';
    this.dependency = dependency;
  }
}

export interface DependencyStatus {
  readonly name: string;
  readonly required: boolean;
  /** undefined until the first check (or when there is no check). */
  readonly up: boolean | undefined;
  readonly checked_at: string | undefined;
  readonly error: string | undefined;
  readonly circuit: 'closed' | 'open' | 'half_open' | 'none';
}

export interface DependencyHost {
  readonly metrics: MetricRegistrar;
  readonly logger: Pick<Logger, 'warn' | 'info'>;
}

const m = catalogue.metrics.dependencies;
const NAME = /^[a-z][a-z0-9_]{0,39}$/;

function isTimeout(err: unknown): boolean {
  const name = (err as { name?: unknown } | null)?.name;
  return name === 'TimeoutError' || name === 'AbortError';
}

export function validateDependency(o: DependencyOptions, index: number): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const at = `dependencies[${index}]`;
  const bad = (field: string, expected: string, got: unknown) => issues.push({ option: `${at}.${field}`, expected, got: String(got).slice(0, 80), code: 'TW_ERR_CONFIG_INVALID' });
  if (typeof o?.name !== 'string' || !NAME.test(o.name)) bad('name', 'lower-case snake_case, 1 to 40 characters', JSON.stringify(o?.name));
  if (o.required !== undefined && typeof o.required !== 'boolean') bad('required', 'a boolean', typeof o.required);
  if (o.check !== undefined && typeof o.check !== 'function') {
    try {
      const u = new URL(o.check);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') bad('check', 'an http(s) URL or a function', u.protocol);
    } catch {
      bad('check', 'an http(s) URL or a function', 'not a URL');
    }
  }
  for (const [field, v, min] of [['checkIntervalMs', o.checkIntervalMs, 100], ['checkTimeoutMs', o.checkTimeoutMs, 10], ['breaker.consecutiveFailures', o.breaker?.consecutiveFailures, 1], ['breaker.halfOpenAfterMs', o.breaker?.halfOpenAfterMs, 10]] as const) {
    if (v !== undefined && (!Number.isInteger(v) || v < min)) bad(field, `an integer of at least ${min}`, v);
  }
  return issues;
}

export class Dependency {
  readonly name: string;
  readonly required: boolean;
  readonly #duration;
  readonly #up;
  readonly #breaker: Breaker | undefined;
  readonly #check: ((signal: AbortSignal) => Promise<void>) | undefined;
  readonly #checkTimeoutMs: number;
  readonly #intervalMs: number;
  readonly #logger: Pick<Logger, 'warn' | 'info'>;
  #timer: NodeJS.Timeout | undefined;
  #state: { up: boolean | undefined; at: number | undefined; error: string | undefined } = { up: undefined, at: undefined, error: undefined };
  #running: Promise<void> | undefined;

  constructor(host: DependencyHost, o: DependencyOptions) {
    this.name = o.name;
    this.required = o.required ?? true;
    this.#logger = host.logger;
    this.#duration = host.metrics.register(m.requestDuration);
    this.#up = host.metrics.register(m.up);
    this.#breaker = o.breaker === undefined ? undefined : loadBreaker(o.name, o.breaker.consecutiveFailures ?? 5, o.breaker.halfOpenAfterMs ?? 10_000);
    this.#checkTimeoutMs = o.checkTimeoutMs ?? 2000;
    this.#intervalMs = o.checkIntervalMs ?? 15_000;
    const check = o.check;
    this.#check =
      check === undefined
        ? undefined
        : typeof check === 'function'
          ? check
          : async (signal) => {
              const res = await fetch(check, { signal });
              await res.body?.cancel();
              if (res.status >= 500) throw new Error(`${check.replace(/\/\/[^@/]*@/, '//')} answered ${res.status}`);
            };
  }

  /** True, false, or undefined before the first check or without one. */
  get up(): boolean | undefined {
    return this.#state.up;
  }

  #record(outcome: DependencyOutcome, start: number): void {
    try {
      this.#duration.observe({ dependency: this.name, outcome }, (performance.now() - start) / 1000);
    } catch {
      // telemetry never breaks a call
    }
  }

  /**
   * Runs one call to the dependency. `fn` gets nothing special: pass your own timeout signal. A rejection is
   * `error` (or `timeout` for a TimeoutError/AbortError); `isFailure` may turn a resolved value into an error
   * (an HTTP 5xx). With a breaker, an open circuit rejects with {@link DependencyUnavailableError} without calling.
   */
  async call<T>(fn: () => Promise<T>, isFailure?: (value: T) => boolean): Promise<T> {
    const start = performance.now();
    const attempt = async (): Promise<T> => {
      const value = await fn();
      if (isFailure?.(value)) throw new FailedValue(value);
      return value;
    };
    try {
      const value = this.#breaker ? await this.#breaker.execute(attempt) : await attempt();
      this.#record('ok', start);
      return value;
    } catch (err) {
      if (err instanceof FailedValue) {
        this.#record('error', start);
        return err.value as T;
      }
      if (this.#breaker?.isOpenError(err)) {
        this.#record('circuit_open', start);
        throw new DependencyUnavailableError(this.name);
      }
      this.#record(isTimeout(err) ? 'timeout' : 'error', start);
      throw err;
    }
  }

  /**
   * `fetch`, timed and labelled: a 5xx answer is an `error` outcome (and a breaker failure) but is returned as
   * is; thrown errors pass through unchanged, so callers keep their own classification.
   * @example
   * const warehouse = new WarehouseClient({ fetch: deps.get('warehouse').fetch });
   */
  readonly fetch = (input: string | URL | Request, init?: RequestInit): Promise<Response> => this.call(() => fetch(input, init), (res) => res.status >= 500);

  /** Runs the check once now (and on the timer after {@link start}); never rejects. */
  checkNow(): Promise<void> {
    if (this.#check === undefined) return Promise.resolve();
    if (this.#running) return this.#running;
    const check = this.#check;
    this.#running = (async () => {
      const before = this.#state.up;
      try {
        await check(AbortSignal.timeout(this.#checkTimeoutMs));
        this.#state = { up: true, at: Date.now(), error: undefined };
      } catch (err) {
        this.#state = { up: false, at: Date.now(), error: isTimeout(err) ? `timed out after ${this.#checkTimeoutMs} ms` : String((err as Error)?.message ?? err).slice(0, 200) };
      }
      try {
        this.#up.set({ dependency: this.name }, this.#state.up ? 1 : 0);
        if (before !== this.#state.up && before !== undefined) {
          if (this.#state.up) this.#logger.info({ dependency: this.name }, 'dependency is up again');
          else this.#logger.warn({ dependency: this.name, error: this.#state.error }, 'dependency check failed');
        }
      } catch {
        // telemetry
      }
    })().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  /** Starts the periodic check (unref'd timer); the first runs now. */
  start(): void {
    if (this.#check === undefined || this.#timer !== undefined) return;
    void this.checkNow();
    this.#timer = setInterval(() => void this.checkNow(), this.#intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** The readiness check: the last periodic check's verdict (no I/O; passes while there is none yet). */
  assertUp(): void {
    if (this.#state.up === false) throw new Error(`${this.name} is down: ${this.#state.error ?? 'check failed'}`);
  }

  status(): DependencyStatus {
    return {
      name: this.name,
      required: this.required,
      up: this.#state.up,
      checked_at: this.#state.at === undefined ? undefined : new Date(this.#state.at).toISOString(),
      error: this.#state.error,
      circuit: this.#breaker?.state() ?? 'none',
    };
  }
}

/** A resolved value the caller counts as a failure (an HTTP 5xx): thrown through the breaker, then returned. */
class FailedValue {
  readonly value: unknown;
  constructor(value: unknown) {
    this.value = value;
  }
}

export function configError(issues: ConfigIssue[]): never {
  throw new TillwatchConfigError(issues);
}
