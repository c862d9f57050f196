/**
 * The store's feature flags and experiments, declared in code (bounded label values: a flag or
 * experiment key is a metric label, so they cannot come from user input or a database).
 *
 * - `express_checkout` (flag): a one-tap checkout step for terminals in the rollout; rolled out to a
 *   share of terminals, by terminal id, so a till behaves the same all shift.
 * - `receipt_prompt` (experiment): at the receipt step, `control` asks "printed receipt?" as today,
 *   `digital_first` offers an SMS/WhatsApp receipt first. Assigned by customer when the customer is
 *   known (the same person sees the same prompt at every till), else by terminal. Goal: the customer
 *   takes a digital receipt.
 */

export type AssignmentUnit = 'terminal' | 'customer';

export interface FlagDefinition {
  readonly key: string;
  readonly description: string;
  /** Share of units that get the flag on, 0-100. */
  readonly rolloutPercent: number;
  readonly unit: 'terminal';
}

export interface VariantDefinition {
  readonly name: string;
  /** Relative weight; the weights of an experiment add up to 100. */
  readonly weight: number;
}

export interface ExperimentDefinition {
  readonly key: string;
  readonly description: string;
  readonly variants: readonly VariantDefinition[];
  /** `customer_or_terminal`: by customer id when given, else by terminal id. */
  readonly unit: 'customer_or_terminal';
  /** What counts as a conversion. */
  readonly goal: string;
}

export const EXPRESS_CHECKOUT = 'express_checkout';
const RECEIPT_PROMPT = 'receipt_prompt';

export const DEFAULT_FLAGS: readonly FlagDefinition[] = [
  {
    key: EXPRESS_CHECKOUT,
    description: 'One-tap checkout step (skip the basket review) on terminals in the rollout.',
    rolloutPercent: 50,
    unit: 'terminal',
  },
];

export const DEFAULT_EXPERIMENTS: readonly ExperimentDefinition[] = [
  {
    key: RECEIPT_PROMPT,
    description: 'Receipt step: ask for a printed receipt (control) or offer a digital receipt first (digital_first).',
    variants: [
      { name: 'control', weight: 50 },
      { name: 'digital_first', weight: 50 },
    ],
    unit: 'customer_or_terminal',
    goal: 'digital_receipt_accepted',
  },
];
