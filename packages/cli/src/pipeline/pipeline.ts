/**
 * The generator: an ordered list of small steps over the model (sloth's internal/app/generate discipline).
 * Adding a rule type means adding a step file and a line here.
 */
import type { Model } from '../model/model.ts';
import { packAlerts } from './pack-alerts.ts';
import { sloAlerts } from './slo-alerts.ts';
import { sloRecordings } from './slo-recordings.ts';

export type Step = (model: Model) => void;

const STEPS: readonly { readonly name: string; readonly run: Step }[] = [
  { name: 'slo-recordings', run: sloRecordings },
  { name: 'slo-alerts', run: sloAlerts },
  { name: 'pack-alerts', run: packAlerts },
];

/** Runs every step in order, wrapping failures with the step's name. */
export function runPipeline(model: Model): Model {
  for (const step of STEPS) {
    try {
      step.run(model);
    } catch (cause) {
      throw new Error(`could not run generator step ${step.name}: ${(cause as Error).message}`, { cause });
    }
  }
  return model;
}
