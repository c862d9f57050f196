/**
 * `tillwatch/dependencies`: outbound calls per named external dependency (latency and outcome), periodic
 * checks behind `dependency_up` and readiness, an optional cockatiel circuit breaker, and `/health/external`.
 */
export { createDependencies } from './dependencies.ts';
export type { Dependencies, DependenciesHost } from './dependencies.ts';
export { Dependency, DependencyUnavailableError } from './dependency.ts';
export type { DependencyOptions, DependencyOutcome, DependencyStatus, DependencyHost } from './dependency.ts';
