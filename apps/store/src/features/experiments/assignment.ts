/**
 * Deterministic assignment: a unit (terminal or customer) lands in the same bucket of the same
 * flag or experiment on every evaluation, on every instance, with no state. The bucket is the first
 * 32 bits of SHA-256 over `key:unitType:unitId`, scaled to 0..9999; salting with the key keeps a
 * terminal's buckets independent across flags and experiments (being in one rollout says nothing
 * about the next).
 */
import { createHash } from 'node:crypto';
import type { AssignmentUnit, ExperimentDefinition, FlagDefinition } from './catalogue.ts';

export const BUCKETS = 10_000;

export function bucketOf(key: string, unitType: AssignmentUnit, unitId: string): number {
  const digest = createHash('sha256').update(`${key}:${unitType}:${unitId}`).digest();
  return Math.floor((digest.readUInt32BE(0) / 2 ** 32) * BUCKETS);
}

/** True when the terminal is in the flag's rollout. */
export function flagEnabled(flag: FlagDefinition, terminalId: string): boolean {
  return bucketOf(flag.key, 'terminal', terminalId) < Math.round(flag.rolloutPercent * (BUCKETS / 100));
}

export interface Assignment {
  readonly variant: string;
  readonly unitType: AssignmentUnit;
  readonly unitId: string;
}

/** The variant of an experiment for a customer (when known) or else a terminal. */
export function assignVariant(experiment: ExperimentDefinition, unit: { terminalId: string; customerId?: string | undefined }): Assignment {
  const unitType: AssignmentUnit = unit.customerId !== undefined ? 'customer' : 'terminal';
  const unitId = unit.customerId ?? unit.terminalId;
  const total = experiment.variants.reduce((s, v) => s + v.weight, 0);
  const point = (bucketOf(experiment.key, unitType, unitId) / BUCKETS) * total;
  let acc = 0;
  for (const v of experiment.variants) {
    acc += v.weight;
    if (point < acc) return { variant: v.name, unitType, unitId };
  }
  // Unreachable with positive weights; the last variant keeps the function total.
  return { variant: (experiment.variants[experiment.variants.length - 1] as { name: string }).name, unitType, unitId };
}
