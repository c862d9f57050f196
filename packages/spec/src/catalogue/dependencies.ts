/**
 * External dependencies (payment provider, SMS gateway, warehouse...): every outbound call by outcome, and
 * whether the dependency's periodic check passes. Recorded by `tw.dependencies` (docs/data-layer.md).
 */
import { LABEL_NAMES, LABEL_VALUES } from '../conventions.ts';
import { closedLabel, openLabel } from '../label-spec.ts';
import { defineMetric } from '../metric-spec.ts';

const common = { group: 'dependencies', owner: 'data' } as const;
const byDependency = { [LABEL_NAMES.dependency]: openLabel('Dependency name as the service registers it, e.g. payment_provider.', 'dependencies are registered in code, at most 30', 30) } as const;

export const dependenciesMetrics = {
  requestDuration: defineMetric({
    ...common,
    name: 'dependency_request_duration_seconds',
    type: 'histogram',
    unit: 'seconds',
    help: 'Duration of calls to an external dependency, by dependency and outcome (ok, error, timeout, circuit_open).',
    question: 'Is a provider slow or failing, and is its circuit breaker refusing calls?',
    labels: { ...byDependency, [LABEL_NAMES.outcome]: closedLabel('How the call ended.', LABEL_VALUES.dependencyOutcome) },
    buckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
  }),
  up: defineMetric({
    ...common,
    name: 'dependency_up',
    type: 'gauge',
    unit: 'count',
    help: '1 when the last periodic check of the dependency passed, 0 when it failed.',
    question: 'Which external dependency is down right now?',
    labels: byDependency,
  }),
} as const;
