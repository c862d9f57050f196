/**
 * The synthetic journey runner: walks a journey declared in the spec (`defineJourney` in @tillwatch/spec) against
 * a service's public URL, step by step, like a customer would, and records the catalogue's synthetic metrics
 * (owner `synthetic`), named as the blackbox exporter names its probe metrics: `probe_success` and
 * `probe_duration_seconds` per journey, plus `probe_step_duration_seconds` and `probe_step_failures_total` per step
 * (a single blackbox probe cannot report steps) and `probe_runs_total`.
 *
 * Steps are the service's: a function of a {@link JourneyStepContext} (which makes HTTP calls to the service and
 * hands values on to later steps), or a declared {@link HttpStep}. Each step runs under its own timeout (the step
 * spec's `timeoutSeconds`, else the journey's) and within what is left of the journey's timeout; a step past it
 * fails as `timed out`. A run stops at the first failing step and never throws: a failure is a result.
 *
 * Hand-written: the blackbox exporter probes one URL per module and has no multi-step journeys with state handed
 * between steps (a token, an order id), and the browser-driven runners (Playwright, Checkly) need a browser or a
 * SaaS account for what is a sequence of API calls.
 */
import type { JourneySpec, JourneyStepSpec } from '@tillwatch/spec';
import { catalogue, TillwatchConfigError, type ConfigIssue } from '@tillwatch/spec';
import type { Logger } from 'pino';
import type { Metrics } from '../metrics/metrics.ts';

/** A parsed response: the status and the JSON body (`{}` when the body is empty or not JSON). */
export interface JourneyHttpResponse {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

export interface JourneyHttpOptions {
  /** Values of the route's `:params` (URL-encoded). */
  readonly params?: Readonly<Record<string, string>>;
  readonly query?: Readonly<Record<string, string | number>>;
  /** Sent as JSON. */
  readonly body?: unknown;
  /** The status the step needs; any other fails the step with `HTTP <status> <error code>`. Unset: any status. */
  readonly expect?: number;
  /** Sent as `authorization: Bearer <token>` when set. */
  readonly bearer?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** What a step sees: its journey and name, its abort signal (the step's timeout), the state of the run. */
export interface JourneyStepContext {
  readonly journey: string;
  readonly step: string;
  /** Aborts when the step's time is up; {@link JourneyStepContext.http} and {@link JourneyStepContext.sleep} honour it. */
  readonly signal: AbortSignal;
  /** Values a step hands on to later steps of the same run (a token, an order id). */
  readonly state: Record<string, unknown>;
  /** One call to the service: `route` is a template (`/orders/:id/pay`) filled from `params`. */
  http(method: string, route: string, options?: JourneyHttpOptions): Promise<JourneyHttpResponse>;
  /** Waits (for a step that polls), or rejects when the step's time is up. */
  sleep(ms: number): Promise<void>;
}

export type JourneyStepFn = (ctx: JourneyStepContext) => Promise<void>;

/** A step that is one HTTP call, declared as data; functions of the run's state fill what changes per run. */
export interface HttpStep {
  readonly method: string;
  readonly route: string;
  readonly params?: (state: Record<string, unknown>) => Record<string, string>;
  readonly body?: (state: Record<string, unknown>) => unknown;
  readonly bearer?: (state: Record<string, unknown>) => string | undefined;
  readonly expect: number;
  /** Keeps what later steps need from the response body. */
  readonly then?: (body: Record<string, unknown>, state: Record<string, unknown>) => void;
}

export type JourneyStep = JourneyStepFn | HttpStep;

/** Thrown by a step to fail with this message (any other error fails it too, with its message). */
export class JourneyStepError extends Error {
  override readonly name = 'JourneyStepError';
}

/** One HTTP call a step made: for budgets and benches ({@link JourneyRunnerOptions.onRequest}). */
export interface JourneyRequestRecord {
  readonly journey: string;
  readonly step: string;
  readonly method: string;
  /** The route template as the step named it, e.g. `/orders/:id/pay`. */
  readonly route: string;
  /** 0 when no response came (network error, timeout). */
  readonly status: number;
  readonly seconds: number;
}

export interface JourneyStepResult {
  readonly name: string;
  readonly success: boolean;
  readonly durationSeconds: number;
  readonly error?: string;
}

export interface JourneyResult {
  readonly success: boolean;
  readonly durationSeconds: number;
  /** The step that failed, and why. */
  readonly failedStep?: string;
  readonly error?: string;
  /** The steps that ran, in order (none after a failure). */
  readonly steps: readonly JourneyStepResult[];
}

/** A run driven step by step (a bench runs many of them in lock-step); it records no metrics. */
export interface JourneySession {
  readonly state: Record<string, unknown>;
  /** Runs the next step; `undefined` once every step has run or one has failed. */
  next(): Promise<JourneyStepResult | undefined>;
}

export interface JourneyRunner {
  readonly journey: JourneySpec;
  readonly intervalMs: number;
  /** One run: every step in order, within the journey's timeout; records the metrics. Never throws. */
  runOnce(): Promise<JourneyResult>;
  /** Runs now, then every interval (unref'd timer; runs never overlap). */
  start(): void;
  /** Stops the schedule and waits for a run in flight. */
  stop(): Promise<void>;
  last(): JourneyResult | undefined;
  /** A run driven by the caller, one step at a time, each under its step timeout only. */
  session(): JourneySession;
}

export interface JourneyRunnerOptions {
  readonly journey: JourneySpec;
  /** The service's public base URL, e.g. `https://store.example.com`. */
  readonly baseUrl: string;
  /** An implementation for every step the journey declares. */
  readonly steps: Readonly<Record<string, JourneyStep>>;
  /** Where the metrics go and failed runs are logged (a tillwatch instance); without it runs only return results. */
  readonly tw?: { readonly metrics: Metrics; readonly logger: Logger };
  /** Time between runs; default the journey's `intervalSeconds`. */
  readonly intervalMs?: number;
  /** Sent with every call; the runner adds `x-synthetic-journey: <journey>` so the service can tell its calls apart. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Called after every HTTP call (it must not throw). */
  readonly onRequest?: (r: JourneyRequestRecord) => void;
}

const SNAKE = /^[a-z][a-z0-9_]*$/;

/** The configuration errors a journey and its steps can have, each naming option, expected and given. */
function checkOptions(o: JourneyRunnerOptions): void {
  const problems: ConfigIssue[] = [];
  const bad = (option: string, expected: string, got: unknown): void => {
    problems.push({ option: `synthetic.${option}`, expected, got: JSON.stringify(got) ?? 'undefined', code: 'TW_ERR_CONFIG_INVALID' });
  };
  const j = o.journey;
  if (!SNAKE.test(j.name)) bad('journey.name', 'snake_case', j.name);
  if (!(j.timeoutSeconds > 0)) bad('journey.timeoutSeconds', 'a positive number of seconds', j.timeoutSeconds);
  let base: URL | undefined;
  try {
    base = new URL(o.baseUrl);
  } catch {
    // reported below
  }
  if (base === undefined || (base.protocol !== 'http:' && base.protocol !== 'https:')) bad('baseUrl', 'an http(s) URL', o.baseUrl);
  for (const s of j.steps) {
    if (o.steps[s.name] === undefined) bad(`steps.${s.name}`, `an implementation of the journey's step ${s.name}`, undefined);
    if (s.timeoutSeconds !== undefined && !(s.timeoutSeconds > 0)) bad(`journey.steps.${s.name}.timeoutSeconds`, 'a positive number of seconds', s.timeoutSeconds);
  }
  for (const name of Object.keys(o.steps)) {
    if (!j.steps.some((s) => s.name === name)) bad(`steps.${name}`, `one of the journey's steps (${j.steps.map((s) => s.name).join(', ')})`, name);
  }
  const interval = o.intervalMs ?? j.intervalSeconds * 1000;
  if (!Number.isFinite(interval) || interval < 1) bad('intervalMs', 'a positive number of milliseconds', o.intervalMs ?? j.intervalSeconds);
  if (problems.length > 0) throw new TillwatchConfigError(problems);
}

function fillRoute(route: string, params: Readonly<Record<string, string>> | undefined): string {
  return route.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, (whole, name: string) => {
    const v = params?.[name];
    if (v === undefined) throw new JourneyStepError(`no value for ${whole} in ${route}`);
    return encodeURIComponent(v);
  });
}

function errorCode(body: Record<string, unknown>): string {
  const e = body.error as { code?: unknown } | undefined;
  const code = (typeof e === 'object' && e !== null ? e.code : undefined) ?? body.code;
  return typeof code === 'string' ? code : '';
}

function describe(err: unknown, signal: AbortSignal, seconds: number): string {
  if (signal.aborted) return `timed out after ${seconds} s`;
  if (err instanceof Error) return err.name === 'TimeoutError' || err.name === 'AbortError' ? `timed out after ${seconds} s` : err.message;
  return String(err);
}

/**
 * A runner for one journey. Throws a TillwatchConfigError at creation when the journey and its implementations do not match
 * (a configuration error); afterwards nothing it does throws.
 *
 * @example
 * const runner = createJourneyRunner({ tw, journey: CHECKOUT, baseUrl: 'https://store.example.com', steps: { login, pay } });
 * runner.start(); // every journey.intervalSeconds; stop() at shutdown
 */
export function createJourneyRunner(o: JourneyRunnerOptions): JourneyRunner {
  checkOptions(o);
  const journey = o.journey;
  const baseUrl = o.baseUrl.replace(/\/+$/, '');
  const intervalMs = o.intervalMs ?? journey.intervalSeconds * 1000;
  const m = catalogue.metrics.synthetic;
  const rec = o.tw && {
    success: o.tw.metrics.register(m.success),
    duration: o.tw.metrics.register(m.duration),
    stepDuration: o.tw.metrics.register(m.stepDuration),
    stepFailures: o.tw.metrics.register(m.stepFailures),
    runs: o.tw.metrics.register(m.runs),
  };
  const j = { journey: journey.name };
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<JourneyResult> | undefined;
  let lastResult: JourneyResult | undefined;

  const runStep = async (spec: JourneyStepSpec, state: Record<string, unknown>, deadline: number | undefined): Promise<JourneyStepResult> => {
    const own = (spec.timeoutSeconds ?? journey.timeoutSeconds) * 1000;
    const ms = Math.max(1, deadline === undefined ? own : Math.min(own, deadline - Date.now()));
    const signal = AbortSignal.timeout(ms);
    const timeoutSeconds = Math.round(ms) / 1000;
    const http = async (method: string, route: string, h: JourneyHttpOptions = {}): Promise<JourneyHttpResponse> => {
      const headers: Record<string, string> = { ...o.headers, ...h.headers, 'x-synthetic-journey': journey.name };
      if (h.body !== undefined) headers['content-type'] = 'application/json';
      if (h.bearer) headers.authorization = `Bearer ${h.bearer}`;
      const query = h.query ? `?${new URLSearchParams(Object.entries(h.query).map(([k, v]): [string, string] => [k, String(v)])).toString()}` : '';
      const t0 = performance.now();
      let status = 0;
      try {
        const res = await fetch(`${baseUrl}${fillRoute(route, h.params)}${query}`, {
          method,
          headers,
          ...(h.body === undefined ? {} : { body: JSON.stringify(h.body) }),
          signal,
        });
        status = res.status;
        const text = await res.text();
        let body: Record<string, unknown> = {};
        try {
          const parsed: unknown = text ? JSON.parse(text) : {};
          if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
        } catch {
          // not JSON: the status says enough
        }
        if (h.expect !== undefined && status !== h.expect) throw new JourneyStepError(`HTTP ${status} ${errorCode(body)}`.trim());
        return { status, body };
      } finally {
        try {
          o.onRequest?.({ journey: journey.name, step: spec.name, method, route, status, seconds: (performance.now() - t0) / 1000 });
        } catch {
          // an observer's bug is not the journey's failure
        }
      }
    };
    const sleep = (delay: number): Promise<void> =>
      new Promise((resolve, reject) => {
        if (signal.aborted) return reject(signal.reason as Error);
        const t = setTimeout(() => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        }, delay);
        const onAbort = (): void => {
          clearTimeout(t);
          reject(signal.reason as Error);
        };
        signal.addEventListener('abort', onAbort, { once: true });
      });
    const ctx: JourneyStepContext = { journey: journey.name, step: spec.name, signal, state, http, sleep };
    const impl = o.steps[spec.name]!;
    const t0 = performance.now();
    let timeout: (() => void) | undefined;
    try {
      const run =
        typeof impl === 'function'
          ? impl(ctx)
          : http(impl.method, impl.route, {
              ...(impl.params ? { params: impl.params(state) } : {}),
              ...(impl.body ? { body: impl.body(state) } : {}),
              ...(impl.bearer ? { bearer: impl.bearer(state) ?? '' } : {}),
              expect: impl.expect,
            }).then((r) => impl.then?.(r.body, state));
      // A step that ignores its signal still fails at its timeout.
      await Promise.race([
        run,
        new Promise<never>((_, reject) => {
          timeout = () => reject(new JourneyStepError(`timed out after ${timeoutSeconds} s`));
          if (signal.aborted) timeout();
          else signal.addEventListener('abort', timeout, { once: true });
        }),
      ]);
      return { name: spec.name, success: true, durationSeconds: (performance.now() - t0) / 1000 };
    } catch (err) {
      return { name: spec.name, success: false, durationSeconds: (performance.now() - t0) / 1000, error: describe(err, signal, timeoutSeconds) };
    } finally {
      if (timeout) signal.removeEventListener('abort', timeout);
    }
  };

  const session = (deadline?: number): JourneySession => {
    const state: Record<string, unknown> = {};
    let i = 0;
    let failed = false;
    return {
      state,
      async next() {
        const spec = journey.steps[i];
        if (failed || spec === undefined) return undefined;
        i += 1;
        const r = await runStep(spec, state, deadline);
        if (!r.success) failed = true;
        return r;
      },
    };
  };

  const runOnce = async (): Promise<JourneyResult> => {
    const start = performance.now();
    const s = session(Date.now() + journey.timeoutSeconds * 1000);
    const steps: JourneyStepResult[] = [];
    for (let r = await s.next(); r !== undefined; r = await s.next()) {
      steps.push(r);
      rec?.stepDuration.set({ ...j, step: r.name }, r.durationSeconds);
      if (!r.success) rec?.stepFailures.inc({ ...j, step: r.name });
    }
    const failed = steps.find((r) => !r.success);
    const result: JourneyResult = {
      success: failed === undefined,
      durationSeconds: (performance.now() - start) / 1000,
      ...(failed ? { failedStep: failed.name, error: failed.error ?? 'failed' } : {}),
      steps,
    };
    rec?.success.set(j, result.success ? 1 : 0);
    rec?.duration.set(j, result.durationSeconds);
    rec?.runs.inc(j);
    lastResult = result;
    if (!result.success) o.tw?.logger.warn({ module: 'synthetic', journey: journey.name, step: result.failedStep, error: result.error }, 'synthetic journey failed');
    return result;
  };

  const tick = (): void => {
    if (inFlight) return;
    inFlight = runOnce().finally(() => (inFlight = undefined));
  };

  return {
    journey,
    intervalMs,
    runOnce,
    start() {
      if (timer) return;
      tick();
      timer = setInterval(tick, intervalMs);
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      timer = undefined;
      await inFlight;
    },
    last: () => lastResult,
    session: () => session(),
  };
}
