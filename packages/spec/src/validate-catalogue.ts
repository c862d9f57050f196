/**
 * Checks a catalogue against the Prometheus data model and naming practices
 * (https://prometheus.io/docs/concepts/data_model/, https://prometheus.io/docs/practices/naming/) and
 * against tillwatch's own rules: every label bounded and documented, every metric with a question, no two
 * metrics exposing the same series. Returns the problems instead of throwing, so a test or the generator
 * (which validates the union of the built-in catalogue and a service's own) can list them all.
 */
import { OTHER_LABEL_VALUE, SPEC_VERSION } from './conventions.ts';
import { isClosedLabel, type LabelSpec } from './label-spec.ts';
import type { AnyMetricHandle, MetricUnit } from './metric-spec.ts';
import { listMetrics, type Catalogue } from './catalogue.ts';

export interface SpecProblem {
  /** Metric name (or the group key when the problem is with a group). */
  readonly metric: string;
  readonly problem: string;
}

const METRIC_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const SNAKE_CASE = /^[a-z][a-z0-9]*(_[a-z0-9]+)*$/;
/** `le` and `quantile` belong to histograms and summaries; `job` and `instance` are target labels Prometheus would rename. */
const RESERVED_LABELS = new Set(['le', 'quantile', 'job', 'instance']);
/** Units the name must end with (before `_total`), because Prometheus tooling infers units from suffixes. */
const SUFFIX_UNITS: Partial<Record<MetricUnit, string>> = { seconds: '_seconds', bytes: '_bytes', ratio: '_ratio', info: '_info' };
/** Domain units the name must mention, so a reader can tell points from items from orders. */
const WORD_UNITS: Partial<Record<MetricUnit, string>> = { items: '_items', points: '_points' };
const UNIT_SUFFIXES = ['_seconds', '_bytes', '_ratio', '_info', '_milliseconds', '_ms', '_percent', '_kilobytes', '_megabytes', '_minutes', '_hours'];

function exposedNames(m: AnyMetricHandle): string[] {
  if (m.type === 'counter') return [m.name, m.name.replace(/_total$/, '')];
  if (m.type === 'histogram') return [m.name, `${m.name}_bucket`, `${m.name}_sum`, `${m.name}_count`];
  return [m.name];
}

function checkName(m: AnyMetricHandle, report: (p: string) => void): void {
  const { name, type, unit } = m;
  if (!METRIC_NAME.test(name)) report('name must match [a-zA-Z_][a-zA-Z0-9_]* (no colons: they are for recording rules)');
  if (!SNAKE_CASE.test(name)) report('name must be lower snake_case');
  if (type === 'counter' && !name.endsWith('_total')) report('counter name must end in _total');
  if (type !== 'counter' && name.endsWith('_total')) report(`${type} name must not end in _total (counters only)`);
  if (type !== 'histogram' && /_(bucket|sum|count)$/.test(name)) report('only histograms may write _bucket, _sum and _count series');
  const base = name.replace(/_total$/, '');
  const suffix = SUFFIX_UNITS[unit];
  if (suffix !== undefined && !base.endsWith(suffix)) report(`unit ${unit} must be the name's suffix (${suffix}${type === 'counter' ? '_total' : ''})`);
  if (suffix === undefined) {
    const wrong = UNIT_SUFFIXES.find((s) => base.endsWith(s));
    if (wrong !== undefined) report(`name ends in ${wrong} but the unit is ${unit}`);
  }
  if (/_(milliseconds|ms|percent|kilobytes|megabytes|minutes|hours)(_|$)/.test(name)) report('use base units (seconds, bytes, ratio), not ms, percent, KB, MB, minutes or hours');
  const word = WORD_UNITS[unit];
  if (word !== undefined && !`${name}_`.includes(`${word}_`)) report(`unit ${unit} must appear in the name (${word})`);
  if (unit === 'info' && (type !== 'gauge' || Object.keys(m.labels).length === 0)) report('an info metric is a gauge with labels');
  if (unit === 'currency' && !('currency' in m.labels)) report('a metric in currency units needs a currency label');
}

function checkLabel(key: string, label: LabelSpec, report: (p: string) => void): void {
  if (!LABEL_NAME.test(key)) report(`label "${key}" must match [a-zA-Z_][a-zA-Z0-9_]*`);
  if (key.startsWith('__')) report(`label "${key}" must not start with __ (reserved)`);
  if (!SNAKE_CASE.test(key)) report(`label "${key}" must be lower snake_case`);
  if (RESERVED_LABELS.has(key)) report(`label "${key}" is reserved`);
  if (typeof label.doc !== 'string' || label.doc.trim() === '') report(`label "${key}" needs a doc`);
  if (isClosedLabel(label)) {
    if (label.values.length === 0) report(`label "${key}" has an empty value set`);
    if (new Set(label.values).size !== label.values.length) report(`label "${key}" lists a value twice`);
    if (label.values.includes(OTHER_LABEL_VALUE)) report(`label "${key}" lists "${OTHER_LABEL_VALUE}", which is implicit in every closed set`);
    for (const v of label.values) if (v === '' || v.startsWith('__')) report(`label "${key}" value "${v}" is empty or reserved`);
  } else {
    if (typeof label.bounded !== 'string' || label.bounded.trim() === '') report(`open label "${key}" must say why it is bounded`);
    if (!Number.isInteger(label.maxValues) || label.maxValues < 1) report(`open label "${key}" needs an integer maxValues of at least 1`);
  }
}

function checkBuckets(m: AnyMetricHandle, report: (p: string) => void): void {
  if (m.type !== 'histogram') {
    if (m.buckets !== undefined) report('only histograms have buckets');
    return;
  }
  const b = m.buckets;
  if (b === undefined || b.length === 0) return report('a histogram needs buckets');
  b.forEach((x, i) => {
    if (!Number.isFinite(x)) report(`bucket ${x} must be finite (+Inf is implicit)`);
    if (i > 0 && !(x > (b[i - 1] as number))) report(`buckets must be strictly increasing (${b[i - 1]} then ${x})`);
  });
  if ((b[0] as number) <= 0 && m.unit !== 'ratio' && m.unit !== 'score') report('the first bucket must be above 0');
  if (m.unit === 'score' && (b.some((x) => x < 0 || x > 1))) report('the buckets of a score lie between 0 and 1');
}

/**
 * Every problem with a catalogue; empty when it is well-formed.
 * @param cat the catalogue to check.
 */
export function validateCatalogue(cat: Catalogue): SpecProblem[] {
  const problems: SpecProblem[] = [];
  if (cat.version !== SPEC_VERSION) problems.push({ metric: '(catalogue)', problem: `version must be ${SPEC_VERSION}` });
  for (const [group, handles] of Object.entries(cat.metrics)) {
    const info = cat.groups[group];
    if (info === undefined) problems.push({ metric: group, problem: 'group has no title and summary (declare it with defineCatalogue)' });
    else if (typeof info.title !== 'string' || info.title.trim() === '' || typeof info.summary !== 'string' || info.summary.trim() === '') {
      problems.push({ metric: group, problem: 'group needs a title and a summary' });
    }
    for (const m of Object.values(handles)) {
      if (m.group !== group) problems.push({ metric: m.name, problem: `declares group ${m.group} but is listed under ${group}` });
    }
  }
  const owners = new Map<string, string>();
  for (const m of listMetrics(cat)) {
    const report = (problem: string) => problems.push({ metric: m.name, problem });
    checkName(m, report);
    if (m.help.trim() === '') report('help must not be empty');
    if (!m.question.trim().endsWith('?')) report('question must be a question (end with "?")');
    for (const [key, label] of Object.entries(m.labels) as [string, LabelSpec][]) checkLabel(key, label, report);
    checkBuckets(m, report);
    if (m.maxSeries !== undefined && (!Number.isInteger(m.maxSeries) || m.maxSeries < 1)) report('maxSeries must be an integer of at least 1');
    for (const exposed of exposedNames(m)) {
      const first = owners.get(exposed);
      if (first !== undefined) report(`exposes ${exposed}, already used by ${first}`);
      else owners.set(exposed, m.name);
    }
  }
  return problems;
}
