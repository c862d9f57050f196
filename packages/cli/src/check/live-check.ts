/**
 * `tillwatch check --live <url> --config <file>`: no dead alerts and no dead panels. Reads what a running service
 * really exports (its /metrics, Prometheus text format) and fails when a generated rule, SLO or dashboard panel
 * selects a series the service never exports: a metric name missing from the exposition, or a label matcher that
 * cannot match. Labels Prometheus attaches when it scrapes are not in the exposition: `service` must match the
 * config's service (the generated scrape config sets it), `job` and `instance` are not checked. For a closed
 * label (the catalogue lists its values) the matcher must match a declared value: a failure reason that has not
 * happened yet is still a value the service can write. For an open label (a pipeline, a location, a bucket's
 * `le`) it must match an exported sample: an SLO selecting `pipeline="sales_to_warehouse"` while the service
 * writes `pipeline="warehouse"` can never fire. Metrics whose catalogue status is `planned` are listed as
 * waiting, not failed; an open-label matcher on a metric registered without samples yet cannot be checked and is
 * listed as unverified.
 */
import { isClosedLabel, PROMETHEUS_SERIES, promqlSelectors, withRateWindow, type AnyMetricHandle, type PromqlMatcher } from '@tillwatch/spec';
import type { Model } from '../model/model.ts';
import { modelDashboards } from '../render/grafana-dashboards.ts';

export interface LiveProblem {
  /** The alert or recording rule (and its SLO when it has one), or the dashboard panel (`panel <uid>: <title>`). */
  readonly rule: string;
  readonly selector: string;
  readonly problem: string;
}

export interface LiveCheckResult {
  readonly problems: readonly LiveProblem[];
  /** Selectors checked against the exposition. */
  readonly checked: number;
  /** `rule: metric` pairs skipped because the metric is planned in the catalogue. */
  readonly waiting: readonly string[];
  /** `rule: selector` pairs whose metric is registered but has no sample, so label values could not be checked. */
  readonly unverified: readonly string[];
}

interface Exposition {
  /** Family name -> type, from `# TYPE` lines. */
  readonly types: Map<string, string>;
  /** Sample name -> label sets. */
  readonly samples: Map<string, Record<string, string>[]>;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+\S+/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:\\.|[^"\\])*)"/g;

/** Parses a Prometheus text exposition into families and labelled samples. */
export function parseExposition(text: string): Exposition {
  const types = new Map<string, string>();
  const samples = new Map<string, Record<string, string>[]>();
  for (const line of text.split('\n')) {
    if (line.startsWith('# TYPE ')) {
      const [, , name, type] = line.split(' ');
      if (name !== undefined && type !== undefined) types.set(name, type);
      continue;
    }
    if (line === '' || line.startsWith('#')) continue;
    const m = SAMPLE.exec(line);
    if (m === null) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(LABEL)) labels[l[1] as string] = (l[2] as string).replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    const list = samples.get(m[1] as string) ?? [];
    list.push(labels);
    samples.set(m[1] as string, list);
  }
  return { types, samples };
}

/** The family a series name belongs to (`x_bucket` -> `x` when `x` is a histogram). */
function familyOf(name: string, types: Map<string, string>): string {
  for (const suffix of ['_bucket', '_count', '_sum']) {
    if (name.endsWith(suffix)) {
      const base = name.slice(0, -suffix.length);
      if (types.get(base) === 'histogram' || types.get(base) === 'summary') return base;
    }
  }
  // prom-client writes a counter's family without `_total` in # TYPE only in OpenMetrics; the text format keeps it.
  return name;
}

/**
 * Open labels whose possible values are known all the same: an HTTP status code is any of 100 to 599, so a
 * `status_code=~"5.."` selector is live before the first 5xx happens.
 */
const KNOWN_VALUES: Readonly<Record<string, readonly string[]>> = {
  status_code: Array.from({ length: 500 }, (_, i) => String(100 + i)),
};

function render(name: string, matchers: readonly PromqlMatcher[]): string {
  return matchers.length === 0 ? name : `${name}{${matchers.map((m) => `${m.label}${m.op}${JSON.stringify(m.value)}`).join(',')}}`;
}

function satisfies(m: PromqlMatcher, value: string | undefined): boolean {
  const v = value ?? '';
  if (m.op === '=') return v === m.value;
  if (m.op === '!=') return v !== m.value;
  const re = new RegExp(`^(?:${m.value})$`);
  return m.op === '=~' ? re.test(v) : !re.test(v);
}

/** Compares every selector of the model's rules with an exposition. Pure. */
export function liveCheck(model: Model, text: string): LiveCheckResult {
  const exposition = parseExposition(text);
  const recorded = new Set(model.groups.flatMap((g) => g.recordings.map((r) => r.record)));
  const byName = new Map<string, AnyMetricHandle>();
  for (const group of Object.values(model.catalogue.metrics)) {
    for (const h of Object.values(group)) {
      byName.set(h.name, h);
      if (h.type === 'histogram') for (const s of ['_bucket', '_count', '_sum']) byName.set(`${h.name}${s}`, h);
    }
  }
  const problems: LiveProblem[] = [];
  const waiting = new Set<string>();
  const unverified = new Set<string>();
  let checked = 0;
  const rules = [
    ...model.groups.flatMap((g) => [
      ...g.recordings.map((r) => ({ rule: `recording ${r.record}${r.labels.slo ? ` (SLO ${r.labels.slo})` : ''}`, expr: r.expr })),
      ...g.alerts.map((a) => ({ rule: `alert ${a.name}${a.slo ? ` (SLO ${a.slo})` : ''}`, expr: a.expr })),
    ]),
    // The dashboards `generate` writes for Grafana (and the live console draws).
    ...modelDashboards(model).flatMap((d) => d.rows.flatMap((r) => r.panels.flatMap((p) => p.queries.map((q) => ({ rule: `panel ${d.uid}: ${p.title}`, expr: withRateWindow(q.expr, '5m') }))))),
  ];
  /** Labels the scrape attaches: `service` is the config's; `job` and `instance` depend on the deployment. */
  const targetLabel = (m: PromqlMatcher): 'ok' | 'dead' | undefined => {
    if (m.label === 'job' || m.label === 'instance') return 'ok';
    if (m.label === 'service') return satisfies(m, model.config.service) ? 'ok' : 'dead';
    return undefined;
  };
  const seen = new Set<string>();
  for (const { rule, expr } of rules) {
    for (const sel of promqlSelectors(expr)) {
      if (recorded.has(sel.name) || PROMETHEUS_SERIES.includes(sel.name)) continue;
      const selector = render(sel.name, sel.matchers);
      const key = `${rule}\u0000${selector}`;
      if (seen.has(key)) continue;
      seen.add(key);
      if (byName.get(sel.name)?.status === 'planned') {
        waiting.add(`${rule}: ${sel.name}`);
        continue;
      }
      checked++;
      const handle = byName.get(sel.name);
      const family = familyOf(sel.name, exposition.types);
      const samples = exposition.samples.get(sel.name) ?? [];
      if (samples.length === 0 && !exposition.types.has(family)) {
        problems.push({ rule, selector, problem: `${sel.name} is never exported` });
        continue;
      }
      for (const m of sel.matchers) {
        if (m.op === '!=' || m.op === '!~') continue;
        const target = targetLabel(m);
        if (target === 'dead') problems.push({ rule, selector, problem: `${m.label}${m.op}${JSON.stringify(m.value)} does not match this service (${m.label}="${model.config.service}", set by the scrape)` });
        if (target !== undefined) continue;
        const spec = handle?.labels[m.label];
        const known = KNOWN_VALUES[m.label];
        if (known !== undefined) {
          if (!known.some((v) => satisfies(m, v))) problems.push({ rule, selector, problem: `${m.label}${m.op}${JSON.stringify(m.value)} matches no possible ${m.label}` });
        } else if (spec !== undefined && isClosedLabel(spec)) {
          const declared = [...spec.values, 'other'];
          if (!declared.some((v) => satisfies(m, v))) problems.push({ rule, selector, problem: `${m.label}${m.op}${JSON.stringify(m.value)} matches none of the label's declared values (${declared.join(', ')})` });
        } else if (samples.length === 0) {
          unverified.add(`${rule}: ${selector}`);
        } else if (!samples.some((x) => satisfies(m, x[m.label]))) {
          const values = [...new Set(samples.map((x) => x[m.label]).filter((v): v is string => v !== undefined))].slice(0, 10);
          problems.push({ rule, selector, problem: `no exported ${sel.name} sample has ${m.label}${m.op}${JSON.stringify(m.value)} (exported: ${values.length > 0 ? values.map((v) => JSON.stringify(v)).join(', ') : `no ${m.label} label`})` });
        }
      }
    }
  }
  return { problems, checked, waiting: [...waiting], unverified: [...unverified] };
}
