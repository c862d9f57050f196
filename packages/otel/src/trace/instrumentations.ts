/**
 * The OpenTelemetry instrumentations tillwatch turns on: incoming and outgoing node:http, Fastify
 * (through `@fastify/otel`, which replaces the retired instrumentation-fastify for Fastify 5), Express,
 * pg, ioredis and outgoing fetch (undici).
 *
 * They are process-wide, like the module patching they do: enabled once, by whichever comes first of
 * `--import @tillwatch/otel/register` (before the application's modules load, which ESM needs) and
 * `createTillwatch()` with tracing on (enough for modules loaded with `require()` afterwards). They
 * take their tracer from the global `@opentelemetry/api` provider through its proxy, so they can be
 * enabled before any provider exists: spans start flowing when tillwatch registers one.
 */
import { ExpressInstrumentation } from '@opentelemetry/instrumentation-express';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { registerInstrumentations, type Instrumentation } from '@opentelemetry/instrumentation';
import { FastifyOtelInstrumentation } from '@fastify/otel';
import { UNTRACED_SERVER } from '@tillwatch/spec';

/** Process-wide state, on a global symbol so that two copies of tillwatch share one set of patches. */
interface InstrumentationState {
  readonly instrumentations: Instrumentation[];
  /** Exact request paths never traced (health probes, /metrics); set by createTillwatch(). */
  readonly ignoredPaths: Set<string>;
}

const kState = Symbol.for('tillwatch.trace.instrumentations');
type Global = typeof globalThis & { [kState]?: InstrumentationState };

function untracedServer(req: { socket?: unknown }): boolean {
  const server = (req.socket as { server?: Record<symbol, unknown> } | undefined)?.server;
  return server !== undefined && server !== null && server[UNTRACED_SERVER] === true;
}

function pathOf(url: string | undefined): string {
  if (url === undefined) return '/';
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

/** The module names the instrumentations patch: import-in-the-middle hooks these and nothing else. */
const INSTRUMENTED_MODULES: readonly string[] = ['http', 'https', 'node:http', 'node:https', 'fastify', 'express', 'pg', 'pg-pool', 'ioredis', 'undici'];

/**
 * Enables the instrumentations once per process and returns the shared state. Never throws: an
 * instrumentation that cannot load is skipped (OpenTelemetry logs it through `diag`).
 */
export function enableInstrumentations(): InstrumentationState {
  const g = globalThis as Global;
  const existing = g[kState];
  if (existing) return existing;
  const ignoredPaths = new Set<string>();
  const instrumentations: Instrumentation[] = [];
  const add = (make: () => Instrumentation): void => {
    try {
      instrumentations.push(make());
    } catch {
      // An instrumentation that fails to construct must not stop the service: it simply is not traced.
    }
  };
  add(
    () =>
      new HttpInstrumentation({
        // Probes and scrapes arrive every few seconds and say nothing about checkout: no spans for them.
        ignoreIncomingRequestHook: (req) => ignoredPaths.has(pathOf(req.url)) || untracedServer(req),
      }),
  );
  // registerOnInitialization: the plugin adds itself to every Fastify instance through Fastify's
  // 'fastify.initialization' diagnostics channel, so neither CJS nor ESM loading order matters.
  // instrumentHooks false: the request and handler spans only. A span per hook per request (tillwatch's
  // own hooks included) tripled the span count and most of tracing's CPU cost (bench/tracing-overhead.ts);
  // a slow hook still shows as the gap before the handler span, and a route can opt back in with
  // `config: { otel: { instrumentHooks: true } }`.
  add(() => new FastifyOtelInstrumentation({ registerOnInitialization: true, instrumentHooks: false }) as unknown as Instrumentation);
  add(() => new ExpressInstrumentation());
  // requireParentSpan: a pool's idle-connection housekeeping outside any request is not worth a trace.
  add(() => new PgInstrumentation({ requireParentSpan: true }));
  add(() => new IORedisInstrumentation({ requireParentSpan: true }));
  add(() => new UndiciInstrumentation());
  try {
    registerInstrumentations({ instrumentations });
  } catch {
    // see above
  }
  const state: InstrumentationState = { instrumentations, ignoredPaths };
  g[kState] = state;
  return state;
}

/** True once {@link enableInstrumentations} ran in this process. */
function instrumentationsEnabled(): boolean {
  return (globalThis as Global)[kState] !== undefined;
}
