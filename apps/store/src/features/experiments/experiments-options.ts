/**
 * Experiment settings from the store's environment (`deps.config.env`):
 *
 * | variable                          | default | meaning |
 * | --------------------------------- | ------- | ------- |
 * | FLAG_EXPRESS_CHECKOUT_PERCENT     | 50      | share of terminals (0-100) with express checkout on |
 */
import { StoreConfigError, type Env } from '../../config.ts';
import { DEFAULT_EXPERIMENTS, DEFAULT_FLAGS, EXPRESS_CHECKOUT, type ExperimentDefinition, type FlagDefinition } from './catalogue.ts';

export function readExperimentsConfig(env: Env): { flags: readonly FlagDefinition[]; experiments: readonly ExperimentDefinition[] } {
  const raw = env.FLAG_EXPRESS_CHECKOUT_PERCENT?.trim();
  let flags = DEFAULT_FLAGS;
  if (raw !== undefined && raw !== '') {
    const n = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
    if (!(n >= 0 && n <= 100)) {
      throw new StoreConfigError([{ variable: 'FLAG_EXPRESS_CHECKOUT_PERCENT', expected: 'an integer between 0 and 100', got: JSON.stringify(raw.slice(0, 40)) }]);
    }
    flags = DEFAULT_FLAGS.map((f) => (f.key === EXPRESS_CHECKOUT ? { ...f, rolloutPercent: n } : f));
  }
  return Object.freeze({ flags, experiments: DEFAULT_EXPERIMENTS });
}
