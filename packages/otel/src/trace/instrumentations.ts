/**
 * The OpenTelemetry instrumentations tillwatch still turns on: pg and ioredis, whose client libraries
 * publish no diagnostics channels to trace from. Incoming requests are traced at the edge by tillwatch's
 * adapters (edge.ts) and outgoing node:http and fetch calls from Node's and undici's diagnostics channels
 * (client-channels.ts), so http, Fastify, Express and undici are no longer patched.
 *
 * Both run with `requireParentSpan`: they start a span only under an active span, and inside an unsampled
 * request there is none (the context stays the root context), so its queries run unwrapped by a span;
 * a pool's idle-connection housekeeping outside any request is not worth a trace either.
 *
 * They are process-wide, like the module patching they do: enabled once, by whichever comes first of
 * `--import @tillwatch/otel/register` (before the application's modules load, which ESM needs) and
 * `createTillwatch()` with tracing on (enough for modules loaded with `require()` afterwards). They
 * take their tracer from the global `@opentelemetry/api` provider through its proxy, so they can be
 * enabled before any provider exists: spans start flowing when tillwatch registers one.
 */
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { registerInstrumentations, type Instrumentation } from '@opentelemetry/instrumentation';

/** Process-wide state, on a global symbol so that two copies of tillwatch share one set of patches. */
interface InstrumentationState {
  readonly instrumentations: Instrumentation[];
}

const kState = Symbol.for('tillwatch.trace.instrumentations');
type Global = typeof globalThis & { [kState]?: InstrumentationState };

/**
 * Enables the instrumentations once per process and returns the shared state. Never throws: an
 * instrumentation that cannot load is skipped (OpenTelemetry logs it through `diag`).
 */
export function enableInstrumentations(): InstrumentationState {
  const g = globalThis as Global;
  const existing = g[kState];
  if (existing) return existing;
  const instrumentations: Instrumentation[] = [];
  const add = (make: () => Instrumentation): void => {
    try {
      instrumentations.push(make());
    } catch {
      // An instrumentation that fails to construct must not stop the service: it simply is not traced.
    }
  };
  add(() => new PgInstrumentation({ requireParentSpan: true }));
  add(() => new IORedisInstrumentation({ requireParentSpan: true }));
  try {
    registerInstrumentations({ instrumentations });
  } catch {
    // see above
  }
  const state: InstrumentationState = { instrumentations };
  g[kState] = state;
  return state;
}
