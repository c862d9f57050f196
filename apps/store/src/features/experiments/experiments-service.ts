/**
 * Evaluates the store's flags and experiments for a terminal (and customer), and records what
 * product analytics needs: every flag evaluation, each unit's first assignment to a variant, and
 * each unit's first conversion. Assignment is a pure function (assignment.ts); the table only makes
 * "first" exact, so a till that asks a thousand times a shift counts as one assignment.
 */
import type { Db, Logger } from '../../deps.ts';
import { StoreError } from '../../http/store-error.ts';
import { assignVariant, flagEnabled } from './assignment.ts';
import type { ExperimentDefinition, FlagDefinition } from './catalogue.ts';

export interface AnalyticsPort {
  flagEvaluated(flag: string, variant: boolean): void;
  assigned(experiment: string, variant: string): void;
  converted(experiment: string, variant: string): void;
}

export interface Evaluation {
  readonly terminal_id: string;
  readonly customer_id: string | null;
  readonly flags: Readonly<Record<string, boolean>>;
  readonly experiments: Readonly<Record<string, { readonly variant: string; readonly unit: 'terminal' | 'customer' }>>;
}

export interface Conversion {
  readonly experiment: string;
  readonly variant: string;
  readonly unit: 'terminal' | 'customer';
  /** False when this unit had converted before (counted once). */
  readonly first_conversion: boolean;
}

export interface ExperimentsOptions {
  readonly db: Db;
  readonly analytics: AnalyticsPort;
  readonly logger: Logger;
  readonly flags: readonly FlagDefinition[];
  readonly experiments: readonly ExperimentDefinition[];
}

export class Experiments {
  readonly #o: ExperimentsOptions;

  constructor(options: ExperimentsOptions) {
    this.#o = options;
  }

  /** The flags and experiments as `GET /experiments/config` shows them. */
  config(): Record<string, unknown> {
    return {
      flags: this.#o.flags.map((f) => ({ key: f.key, description: f.description, rollout_percent: f.rolloutPercent, unit: f.unit })),
      experiments: this.#o.experiments.map((e) => ({ key: e.key, description: e.description, variants: e.variants, unit: e.unit, goal: e.goal })),
    };
  }

  async evaluate(unit: { terminalId: string; customerId?: string | undefined }): Promise<Evaluation> {
    const { db, analytics } = this.#o;
    const flags: Record<string, boolean> = {};
    for (const f of this.#o.flags) {
      flags[f.key] = flagEnabled(f, unit.terminalId);
      analytics.flagEvaluated(f.key, flags[f.key] as boolean);
    }
    const experiments: Record<string, { variant: string; unit: 'terminal' | 'customer' }> = {};
    for (const e of this.#o.experiments) {
      const a = assignVariant(e, unit);
      experiments[e.key] = { variant: a.variant, unit: a.unitType };
      const first = await db.query<{ variant: string }>(
        `INSERT INTO experiment_assignments (experiment, unit_type, unit_id, variant) VALUES ($1, $2, $3, $4)
         ON CONFLICT (experiment, unit_type, unit_id) DO NOTHING RETURNING variant`,
        [e.key, a.unitType, a.unitId, a.variant],
      );
      if (first[0] !== undefined) analytics.assigned(e.key, a.variant);
    }
    return { terminal_id: unit.terminalId, customer_id: unit.customerId ?? null, flags, experiments };
  }

  /**
   * Records that a unit reached an experiment's goal. A unit never evaluated before is assigned now
   * (its variant is the same either way).
   * @throws StoreError STORE_EXPERIMENT_UNKNOWN (404)
   */
  async convert(experimentKey: string, unit: { terminalId: string; customerId?: string | undefined }): Promise<Conversion> {
    const e = this.#o.experiments.find((x) => x.key === experimentKey);
    if (e === undefined) throw new StoreError('STORE_EXPERIMENT_UNKNOWN', `no such experiment; known: ${this.#o.experiments.map((x) => x.key).join(', ')}`, { statusCode: 404 });
    const { db, analytics } = this.#o;
    const a = assignVariant(e, unit);
    const result = await db.tx(async (q) => {
      const inserted = await q.query<{ variant: string }>(
        `INSERT INTO experiment_assignments (experiment, unit_type, unit_id, variant) VALUES ($1, $2, $3, $4)
         ON CONFLICT (experiment, unit_type, unit_id) DO NOTHING RETURNING variant`,
        [e.key, a.unitType, a.unitId, a.variant],
      );
      const converted = await q.query<{ variant: string }>(
        `UPDATE experiment_assignments SET converted_at = now()
          WHERE experiment = $1 AND unit_type = $2 AND unit_id = $3 AND converted_at IS NULL RETURNING variant`,
        [e.key, a.unitType, a.unitId],
      );
      return { newlyAssigned: inserted[0] !== undefined, firstConversion: converted[0] !== undefined };
    });
    if (result.newlyAssigned) analytics.assigned(e.key, a.variant);
    if (result.firstConversion) analytics.converted(e.key, a.variant);
    return { experiment: e.key, variant: a.variant, unit: a.unitType, first_conversion: result.firstConversion };
  }
}
