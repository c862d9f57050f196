/**
 * The circuit breaker behind `breaker:` of a dependency: cockatiel's `circuitBreaker` with a
 * `ConsecutiveBreaker`, loaded only when a dependency asks for one (cockatiel is an optional peer).
 */
import { createRequire } from 'node:module';
import { TillwatchConfigError } from '@tillwatch/spec';

export interface Breaker {
  execute<T>(fn: () => Promise<T>): Promise<T>;
  isOpenError(err: unknown): boolean;
  state(): 'closed' | 'open' | 'half_open';
}

interface Cockatiel {
  circuitBreaker(policy: unknown, opts: { halfOpenAfter: number; breaker: unknown }): { execute<T>(fn: () => Promise<T>): Promise<T>; readonly state: number };
  handleAll: unknown;
  ConsecutiveBreaker: new (n: number) => unknown;
  isBrokenCircuitError(e: unknown): boolean;
  CircuitState: { Closed: number; Open: number; HalfOpen: number; Isolated: number };
}

const require = createRequire(import.meta.url);

export function loadBreaker(name: string, consecutiveFailures: number, halfOpenAfterMs: number): Breaker {
  let c: Cockatiel;
  try {
    c = require('cockatiel') as Cockatiel;
  } catch {
    throw new TillwatchConfigError([{ option: `dependencies.${name}.breaker`, expected: 'the cockatiel package installed (npm install cockatiel)', got: 'cockatiel not found', code: 'TW_ERR_CONFIG_MISSING_PACKAGE' }]);
  }
  const policy = c.circuitBreaker(c.handleAll, { halfOpenAfter: halfOpenAfterMs, breaker: new c.ConsecutiveBreaker(consecutiveFailures) });
  return {
    execute: (fn) => policy.execute(fn),
    isOpenError: (e) => c.isBrokenCircuitError(e),
    state: () => (policy.state === c.CircuitState.Closed ? 'closed' : policy.state === c.CircuitState.HalfOpen ? 'half_open' : 'open'),
  };
}
