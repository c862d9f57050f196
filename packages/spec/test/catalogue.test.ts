import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { catalogue, findMetric, listMetrics, type Catalogue } from '../src/catalogue.ts';
import { defineCatalogue, mergeCatalogues } from '../src/define-catalogue.ts';
import { BUCKETS, SPEC_VERSION } from '../src/conventions.ts';
import { closedLabel, openLabel } from '../src/label-spec.ts';
import { defineMetric, type AnyMetricHandle } from '../src/metric-spec.ts';
import { validateCatalogue } from '../src/validate-catalogue.ts';

const m = catalogue.metrics;

/** A catalogue holding `handles` in the groups they declare, for feeding the validator bad definitions. */
function catalogueOf(...handles: AnyMetricHandle[]): Catalogue {
  const metrics: Record<string, Record<string, AnyMetricHandle>> = {};
  handles.forEach((h, i) => {
    (metrics[h.group] ??= {})[`m${i}`] = h;
  });
  const groups = Object.fromEntries(Object.keys(metrics).map((g) => [g, { title: g, summary: `The ${g} group.` }]));
  return { version: SPEC_VERSION, groups, metrics };
}

const base = { group: 'orders', owner: 'commerce', help: 'Something counted.', question: 'Is it working?', labels: {} } as const;

test('the catalogue is well-formed: names, units, labels, buckets and questions pass every check', () => {
  assert.deepEqual(validateCatalogue(catalogue), []);
  assert.equal(catalogue.version, 'tillwatch/v1');
});

test('the validator reports each kind of malformed definition', () => {
  const problemsOf = (h: AnyMetricHandle) => validateCatalogue(catalogueOf(h)).map((p) => p.problem);
  const has = (h: AnyMetricHandle, fragment: string) =>
    assert.ok(problemsOf(h).some((p) => p.includes(fragment)), `expected "${fragment}" in ${JSON.stringify(problemsOf(h))}`);

  has(defineMetric({ ...base, name: 'orders_done', type: 'counter', unit: 'count' }), 'must end in _total');
  has(defineMetric({ ...base, name: 'queue_depth_total', type: 'gauge', unit: 'count' }), 'must not end in _total');
  has(defineMetric({ ...base, name: 'payment_latency', type: 'histogram', unit: 'seconds', buckets: [1, 2] }), '_seconds');
  has(defineMetric({ ...base, name: 'payment_latency_ms', type: 'gauge', unit: 'count' }), 'base units');
  has(defineMetric({ ...base, name: 'ordersDone_total', type: 'counter', unit: 'count' }), 'snake_case');
  has(defineMetric({ ...base, name: 'orders:rate5m', type: 'gauge', unit: 'count' }), 'colons');
  has(defineMetric({ ...base, name: 'x_seconds', type: 'histogram', unit: 'seconds', buckets: [1, 1, 2] }), 'strictly increasing');
  has(defineMetric({ ...base, name: 'x_seconds', type: 'histogram', unit: 'seconds' }), 'needs buckets');
  has(defineMetric({ ...base, name: 'x_seconds', type: 'gauge', unit: 'seconds', buckets: [1] }), 'only histograms');
  has(defineMetric({ ...base, name: 'takings_total', type: 'counter', unit: 'currency' }), 'currency label');
  has(defineMetric({ ...base, name: 'x_total', type: 'counter', unit: 'count', question: 'Payments' }), 'must be a question');
  has(defineMetric({ ...base, name: 'x_total', type: 'counter', unit: 'count', labels: { le: closedLabel('Bucket.', ['a']) } }), 'reserved');
  has(defineMetric({ ...base, name: 'x_total', type: 'counter', unit: 'count', labels: { __x: closedLabel('X.', ['a']) } }), 'must not start with __');
  has(defineMetric({ ...base, name: 'x_total', type: 'counter', unit: 'count', labels: { c: closedLabel('C.', ['a', 'other']) } }), 'implicit');
  has(defineMetric({ ...base, name: 'x_total', type: 'counter', unit: 'count', labels: { c: closedLabel('C.', []) } }), 'empty value set');
  has(defineMetric({ ...base, name: 'x_total', type: 'counter', unit: 'count', labels: { sku: openLabel('SKU.', '', 100000) } }), 'why it is bounded');
  has(defineMetric({ ...base, name: 'x_total', type: 'counter', unit: 'count', labels: { c: closedLabel('', ['a']) } }), 'needs a doc');
  has(defineMetric({ ...base, name: 'loyalty_total', type: 'counter', unit: 'points' }), '_points');
});

test('the validator rejects the same name, or a colliding exposed name, in two groups', () => {
  const a = defineMetric({ ...base, name: 'dupe_total', type: 'counter', unit: 'count' });
  const b = defineMetric({ ...base, group: 'payments', name: 'dupe_total', type: 'counter', unit: 'count' });
  assert.ok(validateCatalogue(catalogueOf(a, b)).some((p) => p.problem.includes('already used by dupe_total')));
  const h = defineMetric({ ...base, name: 'wait_seconds', type: 'histogram', unit: 'seconds', buckets: [1] });
  const g = defineMetric({ ...base, group: 'sync', name: 'wait_seconds_count', type: 'gauge', unit: 'count' });
  assert.ok(validateCatalogue(catalogueOf(h, g)).length > 0);
});

test('no metric name appears twice in the catalogue', () => {
  const names = listMetrics().map((x) => x.name);
  assert.equal(new Set(names).size, names.length);
  assert.equal(findMetric('payments_failures_total'), m.payments.failures);
});

test('every label is bounded: closed with values, or open with a reason and a maximum', () => {
  for (const metric of listMetrics()) {
    for (const [key, label] of Object.entries(metric.labels)) {
      const closed = Array.isArray(label.values) && label.values.length > 0;
      const open = typeof label.bounded === 'string' && label.bounded.length > 0 && Number.isInteger(label.maxValues);
      assert.ok(closed !== open, `${metric.name}{${key}} must be either closed or open-and-bounded`);
    }
  }
});

test('commerce histograms carry no location label (each value would cost a series per bucket)', () => {
  for (const metric of listMetrics().filter((x) => x.type === 'histogram' && x.owner === 'commerce')) {
    assert.ok(!('location' in metric.labels), `${metric.name} has a location label`);
  }
});

test('the default alert and SLO thresholds are bucket boundaries, so they are exact', () => {
  assert.ok(BUCKETS.printSeconds.includes(0.5) && BUCKETS.printSeconds.includes(1), 'print p95 target 0.5 s and alert 1 s');
  assert.ok(BUCKETS.dbQuerySeconds.includes(1), 'slow query threshold 1 s');
  for (const t of [1, 2, 3, 5]) assert.ok((BUCKETS.paymentSeconds as readonly number[]).includes(t), `payment threshold ${t} s`);
  for (const t of [1, 5, 10, 30, 60, 120]) assert.ok((BUCKETS.syncBatchSeconds as readonly number[]).includes(t), `sync bucket ${t} s`);
});

test('a handle renders as its name and builds escaped PromQL selectors over its own labels only', () => {
  assert.equal(`rate(${m.payments.failures}[5m])`, 'rate(payments_failures_total[5m])');
  assert.equal(m.payments.duration.bucket, 'payments_duration_seconds_bucket');
  assert.equal(m.orders.value.sum, 'orders_value_sum');
  assert.equal(m.payments.failures.select(), 'payments_failures_total');
  assert.equal(
    m.payments.failures.select({ method: 'card', reason: { re: 'declined|timeout' }, operation: { ne: 'refund' } }),
    'payments_failures_total{method="card",operation!="refund",reason=~"declined|timeout"}',
  );
  assert.equal(m.printing.jobs.select({ location: 'a"b\\c\nd' }), 'print_jobs_total{location="a\\"b\\\\c\\nd"}');
  // @ts-expect-error: `branch` is not a label of print_jobs_total; a renamed label breaks the build
  m.printing.jobs.select({ branch: 'x' });
  // @ts-expect-error: a renamed metric breaks the build
  void m.payments.failure;
  assert.ok(Object.isFrozen(m.payments.failures));
});

test('the spec imports nothing: no package, no module outside its src', () => {
  const dir = new URL('../src/', import.meta.url);
  const files = (readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts'));
  assert.ok(files.length > 10);
  for (const f of files) {
    const depth = f.split('/').length - 1;
    for (const [, spec] of readFileSync(new URL(f, dir), 'utf8').matchAll(/^import[^'"]*['"]([^'"]+)['"]/gm)) {
      assert.ok(spec!.startsWith('.'), `${f} imports package ${spec}`);
      const ups = spec!.split('/').filter((p) => p === '..').length;
      assert.ok(ups <= depth, `${f} imports ${spec}, outside the package's src`);
    }
  }
});

test('a service declares its own metrics with defineCatalogue: typed handles, titled groups, merged with the built-in ones', () => {
  const own = defineCatalogue({
    kiosk: {
      title: 'Self-service kiosks',
      summary: 'Sessions at the kiosks.',
      metrics: {
        sessions: defineMetric({
          ...base,
          group: 'kiosk',
          owner: 'service',
          name: 'kiosk_sessions_total',
          type: 'counter',
          unit: 'count',
          labels: { outcome: closedLabel('How the session ended.', ['paid', 'abandoned']) },
        }),
      },
    },
  });
  assert.equal(own.version, SPEC_VERSION);
  assert.equal(`${own.metrics.kiosk.sessions}`, 'kiosk_sessions_total');
  assert.equal(own.metrics.kiosk.sessions.select({ outcome: 'paid' }), 'kiosk_sessions_total{outcome="paid"}');
  // @ts-expect-error: the handle keeps its label keys
  own.metrics.kiosk.sessions.select({ location: 'x' });
  const union = mergeCatalogues(catalogue, own);
  assert.deepEqual(validateCatalogue(union), []);
  assert.equal(findMetric('kiosk_sessions_total', union), own.metrics.kiosk.sessions);
  assert.equal(findMetric('orders_completed_total', union), m.orders.completed);
  assert.equal(union.groups.kiosk?.title, 'Self-service kiosks');
  assert.equal(listMetrics(union).length, listMetrics().length + 1);
  assert.ok(Object.isFrozen(own) && Object.isFrozen(own.metrics.kiosk));
});

test('the validator reports a service metric that reuses a built-in name and a group without a title', () => {
  const clash = defineMetric({ ...base, group: 'kiosk', owner: 'service', name: 'orders_completed_total', type: 'counter', unit: 'count' });
  const union = mergeCatalogues(catalogue, defineCatalogue({ kiosk: { title: 'Kiosk', summary: 'Kiosk.', metrics: { clash } } }));
  assert.ok(validateCatalogue(union).some((p) => p.metric === 'orders_completed_total' && p.problem.includes('already used by')));
  const untitled = { version: SPEC_VERSION, groups: {}, metrics: { kiosk: { clash } } } as unknown as Catalogue;
  assert.ok(validateCatalogue(untitled).some((p) => p.metric === 'kiosk' && p.problem.includes('title')));
});
