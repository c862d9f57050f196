/**
 * Node.js runtime metrics: prom-client's default collectors (CPU, memory, heap spaces, event-loop lag, GC,
 * file descriptors, active handles/requests/resources, Node version).
 *
 * They describe the process, not a tillwatch instance, and two of them start process-lifetime machinery that
 * prom-client cannot stop (an event-loop delay monitor and a GC PerformanceObserver). So they are created once
 * per process (per prefix) and the same metric objects are registered in every instance's registry: ten
 * instances in one test process cost one observer, not ten.
 */
import { Registry, collectDefaultMetrics, type Metric } from 'prom-client';

/**
 * prom-client 15 gauges that `promtool check metrics` flags ("non-counter metrics should not have "_total"
 * suffix"). Each is the sum over the `type` label of the gauge without the suffix (`sum(nodejs_active_handles)`
 * etc.), so leaving them out loses nothing. prom-client has no option to skip single collectors, hence
 * filtering after creation; their collect callbacks are then never called.
 */
export const LINT_FAILING_RUNTIME_METRICS: readonly string[] = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

interface RuntimeMetric {
  readonly name: string;
  readonly type: string;
}

/** prefix -> the runtime metric objects created for it, once per process. */
const shared = new Map<string, readonly RuntimeMetric[]>();

function runtimeMetricsFor(prefix: string): readonly RuntimeMetric[] {
  let metrics = shared.get(prefix);
  if (metrics === undefined) {
    const scratch = new Registry();
    collectDefaultMetrics({ register: scratch, prefix });
    const skip = new Set(LINT_FAILING_RUNTIME_METRICS.map((n) => prefix + n));
    metrics = (scratch.getMetricsAsArray() as unknown as RuntimeMetric[]).filter((m) => !skip.has(m.name));
    shared.set(prefix, metrics);
  }
  return metrics;
}

/**
 * Registers the process's runtime metrics, names prefixed with `prefix`, in `registry`, minus
 * {@link LINT_FAILING_RUNTIME_METRICS}.
 * @returns the name and type of each metric registered.
 */
export function registerRuntimeMetrics(registry: Registry, prefix: string): readonly RuntimeMetric[] {
  const metrics = runtimeMetricsFor(prefix);
  for (const m of metrics) registry.registerMetric(m as unknown as Metric);
  return metrics;
}
