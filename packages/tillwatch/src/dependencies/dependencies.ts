/**
 * The service's external dependencies, registered together: each gets its metrics, its periodic check and a
 * readiness check (required ones fail readiness, optional ones degrade it), and the registry answers
 * `/health/external` (see {@link Dependencies.report}) and the `external` section of the `/health` summary.
 */
import type { HealthCheck } from '../health/health-check.ts';
import type { ProbeResponse } from '../health/probe-response.ts';
import { configError, Dependency, validateDependency, type DependencyHost, type DependencyOptions, type DependencyStatus } from './dependency.ts';

export interface DependenciesHost extends DependencyHost {
  /** `tw.health`: each dependency is added as a check; the summary gets an `external` section. */
  readonly health?: { add(check: HealthCheck): void; setSummarySection(name: string, section: () => unknown): void };
  /** `tw.onShutdown`: the periodic checks stop at shutdown. */
  readonly onShutdown?: (name: string, hook: () => void | Promise<void>) => void;
}

export interface Dependencies {
  /** Registers one more dependency (a feature registering its provider); same validation. */
  add(options: DependencyOptions): Dependency;
  get(name: string): Dependency;
  readonly list: readonly Dependency[];
  /** Every dependency's last check; 503 when a required one is down, else 200 (`degraded` when an optional one is). */
  report(): ProbeResponse;
  /** Runs every check once now (tests, start-up). */
  checkAll(): Promise<void>;
  stop(): void;
}

/**
 * Registers the dependencies, validates them (start-up errors name the option), starts their periodic checks.
 * @example
 * const deps = createDependencies(tw, [
 *   { name: 'payment_provider', check: `${PAYMENT_URL}/health` },
 *   { name: 'sms_provider', required: false, check: SMS_URL, breaker: {} },
 * ]);
 * new PaymentClient({ fetch: deps.get('payment_provider').fetch });
 */
export function createDependencies(host: DependenciesHost, options: readonly DependencyOptions[] = []): Dependencies {
  const list: Dependency[] = [];
  const byName = new Map<string, Dependency>();
  const add = (o: DependencyOptions): Dependency => {
    const issues = validateDependency(o, list.length);
    if (issues.length === 0 && byName.has(o.name)) issues.push({ option: `dependencies[${list.length}].name`, expected: 'a name not registered yet', got: o.name, code: 'TW_ERR_CONFIG_INVALID' });
    if (issues.length > 0) configError(issues);
    const d = new Dependency(host, o);
    list.push(d);
    byName.set(d.name, d);
    host.health?.add({ name: `dependency:${d.name}`, required: d.required, run: async () => d.assertUp() });
    d.start();
    return d;
  };
  const report = (): ProbeResponse => {
    const all: DependencyStatus[] = list.map((d) => d.status());
    const requiredDown = all.some((s) => s.required && s.up === false);
    const anyDown = all.some((s) => s.up === false);
    const status = requiredDown ? 'fail' : anyDown ? 'degraded' : 'ok';
    return { httpStatus: requiredDown ? 503 : 200, body: { status, dependencies: all } };
  };
  host.health?.setSummarySection('external', () => report().body);
  const stop = () => {
    for (const d of list) d.stop();
  };
  host.onShutdown?.('dependency checks', stop);
  // Validate the whole initial list first, so one start-up error names every bad option.
  const issues = options.flatMap((o, i) => validateDependency(o, i));
  if (issues.length > 0) configError(issues);
  for (const o of options) add(o);
  return {
    add,
    get(name) {
      const d = byName.get(name);
      if (d === undefined) throw new Error(`unknown dependency ${JSON.stringify(name)}; registered: ${[...byName.keys()].join(', ')}`);
      return d;
    },
    list,
    report,
    checkAll: async () => {
      await Promise.all(list.map((d) => d.checkNow()));
    },
    stop,
  };
}
