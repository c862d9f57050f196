/**
 * Evaluates Prometheus rule groups (the same data `tillwatch generate` writes to prometheus/rules/*.yml) on the
 * in-process windows, the way Prometheus' rule manager does: groups in order, rules in order within a group,
 * recording rules written back as series so later rules read them, alerts pending until `for` has passed, then
 * firing, then resolved when the expression returns nothing.
 *
 * A rule the in-process evaluator cannot run (an unsupported function) is parsed at construction and reported
 * in `skipped`, not thrown at every evaluation. Evaluation never throws: a rule that fails at run time is
 * reported in `lastErrors` and the others still run.
 */
import { evaluatePromql, type Sample } from '../promql/evaluate-promql.ts';
import { parseDurationMs, parsePromql, type Expr } from '../promql/parse-promql.ts';
import { labelsKey, type Labels, type SeriesWindows } from '../series-windows.ts';
import { expandAlertTemplate } from './alert-template.ts';

/** One rule as written in a Prometheus rules file. */
export interface RuleFileRule {
  readonly record?: string;
  readonly alert?: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** One group of a Prometheus rules file. */
export interface RuleFileGroup {
  readonly name: string;
  readonly rules: readonly RuleFileRule[];
}

export type AlertState = 'pending' | 'firing';

export interface ActiveAlert {
  readonly name: string;
  /** Sample labels, the rule's labels and `alertname`. */
  readonly labels: Labels;
  readonly annotations: Readonly<Record<string, string>>;
  readonly state: AlertState;
  readonly activeAtMs: number;
  readonly firedAtMs?: number;
  readonly value: number;
}

export interface AlertTransition {
  readonly kind: 'firing' | 'resolved';
  readonly alert: ActiveAlert;
  /** When it resolved (kind `resolved`). */
  readonly resolvedAtMs?: number;
}

export interface SkippedRule {
  readonly group: string;
  readonly name: string;
  readonly reason: string;
}

interface CompiledRule {
  readonly group: string;
  readonly rule: RuleFileRule;
  readonly name: string;
  readonly expr: Expr;
  readonly forMs: number;
  /** Total evaluation time, ms, and count (for the cost figures). */
  costMs: number;
  runs: number;
}

export interface RuleEngineOptions {
  readonly groups: readonly RuleFileGroup[];
  readonly windows: SeriesWindows;
  /** Series that exist only for evaluation, e.g. `up{job="<service>"} 1` for this process. */
  readonly extraSeries?: () => readonly Sample[];
  /** Instant-selector look-back; default 5 m, like Prometheus. */
  readonly lookbackMs?: number;
}

export interface RuleCost {
  readonly group: string;
  readonly name: string;
  readonly meanMs: number;
  readonly runs: number;
}

export class RuleEngine {
  readonly #rules: CompiledRule[] = [];
  readonly #skipped: SkippedRule[] = [];
  readonly #active = new Map<string, ActiveAlert>();
  readonly #opts: RuleEngineOptions;
  #lastErrors: { rule: string; message: string }[] = [];
  #lastEvalMs = Number.NaN;

  constructor(opts: RuleEngineOptions) {
    this.#opts = opts;
    for (const g of opts.groups) {
      for (const rule of g.rules) {
        const name = rule.alert ?? rule.record ?? '';
        try {
          const forMs = rule.for === undefined ? 0 : parseDurationMs(rule.for);
          if (Number.isNaN(forMs)) throw new Error(`bad for: ${rule.for}`);
          this.#rules.push({ group: g.name, rule, name, expr: parsePromql(rule.expr), forMs, costMs: 0, runs: 0 });
        } catch (err) {
          this.#skipped.push({ group: g.name, name, reason: (err as Error).message });
        }
      }
    }
  }

  /** Rules that cannot be evaluated in process, with the reason. */
  get skipped(): readonly SkippedRule[] {
    return this.#skipped;
  }

  get ruleCount(): number {
    return this.#rules.length;
  }

  /** Errors of the last evaluation (empty when every rule ran). */
  get lastErrors(): readonly { rule: string; message: string }[] {
    return this.#lastErrors;
  }

  get lastEvaluationMs(): number {
    return this.#lastEvalMs;
  }

  /** Pending and firing alerts, firing first. */
  alerts(): ActiveAlert[] {
    return [...this.#active.values()].sort((a, b) => (a.state === b.state ? a.name.localeCompare(b.name) : a.state === 'firing' ? -1 : 1));
  }

  /** Mean evaluation time of each rule so far. */
  costs(): RuleCost[] {
    return this.#rules.map((r) => ({ group: r.group, name: r.name, meanMs: r.runs === 0 ? 0 : r.costMs / r.runs, runs: r.runs }));
  }

  /**
   * Evaluates every rule at `timeMs` (or only the rules of `groups`, to follow Prometheus' per-group schedule);
   * returns the alerts that started firing or resolved.
   */
  evaluate(timeMs: number, groups?: ReadonlySet<string>): AlertTransition[] {
    this.#lastEvalMs = timeMs;
    const errors: { rule: string; message: string }[] = [];
    const transitions: AlertTransition[] = [];
    const seen = new Set<string>();
    const extra = this.#opts.extraSeries?.() ?? [];
    for (const [index, r] of this.#rules.entries()) {
      if (groups !== undefined && !groups.has(r.group)) continue;
      const prefix = `${index}\u0000`;
      const start = performance.now();
      let samples: readonly Sample[];
      try {
        const v = evaluatePromql(r.expr, { windows: this.#opts.windows, timeMs, extraSeries: extra, ...(this.#opts.lookbackMs ? { lookbackMs: this.#opts.lookbackMs } : {}) });
        samples = v.kind === 'vector' ? v.samples : v.kind === 'scalar' ? [{ labels: {}, value: v.value }] : [];
      } catch (err) {
        errors.push({ rule: r.name, message: (err as Error).message });
        samples = [];
      }
      if (r.rule.record !== undefined) {
        const record = r.rule.record;
        this.#opts.windows.ingest(
          timeMs,
          samples.filter((s) => !Number.isNaN(s.value)).map((s) => ({ labels: { ...s.labels, ...r.rule.labels, __name__: record }, value: s.value, counter: false })),
        );
      } else {
        for (const s of samples) {
          const { __name__: _, ...sampleLabels } = s.labels;
          const labels: Labels = { ...sampleLabels, ...r.rule.labels, alertname: r.name };
          const key = `${prefix}${labelsKey(labels)}`;
          seen.add(key);
          const annotations = Object.fromEntries(Object.entries(r.rule.annotations ?? {}).map(([k, text]) => [k, expandAlertTemplate(text, labels, s.value)]));
          const prev = this.#active.get(key);
          const activeAtMs = prev?.activeAtMs ?? timeMs;
          const firing = prev?.state === 'firing' || timeMs - activeAtMs >= r.forMs;
          const next: ActiveAlert = {
            name: r.name,
            labels,
            annotations,
            state: firing ? 'firing' : 'pending',
            activeAtMs,
            ...(firing ? { firedAtMs: prev?.firedAtMs ?? timeMs } : {}),
            value: s.value,
          };
          this.#active.set(key, next);
          if (firing && prev?.state !== 'firing') transitions.push({ kind: 'firing', alert: next });
        }
        for (const [key, a] of this.#active) {
          if (!key.startsWith(prefix) || seen.has(key)) continue;
          this.#active.delete(key);
          if (a.state === 'firing') transitions.push({ kind: 'resolved', alert: a, resolvedAtMs: timeMs });
        }
      }
      r.costMs += performance.now() - start;
      r.runs += 1;
    }
    this.#lastErrors = errors;
    return transitions;
  }
}
