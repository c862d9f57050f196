/** Route budgets: derivation from the latency SLO, overrides, configuration errors, the verdict and its table. Pure. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { availabilitySlo, catalogue, deriveRouteBudgets, isTillwatchConfigError, judgeRouteBudgets, latencySlo, renderBudgetTable, type RouteMeasurement } from '../src/index.ts';

const team = 'store-ops';
const slos = [
  availabilitySlo({ name: 'availability', target: 0.999, period: '30d', team }),
  latencySlo({ name: 'latency', target: 0.99, period: '30d', team, thresholdSeconds: 1 }),
  // Not on the HTTP histogram: never a route budget.
  latencySlo({ name: 'payment-latency', target: 0.99, period: '30d', team, thresholdSeconds: 0.5, metric: catalogue.metrics.payments.duration }),
];
const routes = ['POST /auth/login', 'POST /orders', 'POST /orders/:id/pay'];

test('each route gets the HTTP latency SLO as its quantile budget and threshold / concurrency as its CPU budget', () => {
  const b = deriveRouteBudgets({ slos, routes, concurrency: 4 });
  assert.deepEqual(
    b.map((x) => [x.route, x.quantile, x.latencySeconds, x.cpuSecondsPerRequest, x.source]),
    routes.map((r) => [r, 0.99, 1, 0.25, 'slo latency']),
  );
});

test('the strictest latency SLO on the HTTP histogram wins', () => {
  const strict = latencySlo({ name: 'fast', target: 0.95, period: '30d', team, thresholdSeconds: 0.5 });
  const [b] = deriveRouteBudgets({ slos: [...slos, strict], routes: ['POST /orders'], concurrency: 2 });
  assert.equal(b!.latencySeconds, 0.5);
  assert.equal(b!.quantile, 0.95);
  assert.equal(b!.cpuSecondsPerRequest, 0.25);
  assert.equal(b!.source, 'slo fast');
});

test('an override replaces part of a route\'s budget; the CPU budget follows an overridden latency', () => {
  const b = deriveRouteBudgets({
    slos,
    routes,
    concurrency: 4,
    overrides: { 'POST /orders/:id/pay': { latencySeconds: 5 }, 'POST /auth/login': { cpuSecondsPerRequest: 0.05 } },
  });
  const pay = b.find((x) => x.route === 'POST /orders/:id/pay')!;
  assert.deepEqual([pay.quantile, pay.latencySeconds, pay.cpuSecondsPerRequest, pay.source], [0.99, 5, 1.25, 'slo latency + override']);
  const login = b.find((x) => x.route === 'POST /auth/login')!;
  assert.deepEqual([login.latencySeconds, login.cpuSecondsPerRequest, login.source], [1, 0.05, 'slo latency + override']);
  const full = deriveRouteBudgets({ slos: [], routes: ['GET /reports'], concurrency: 1, overrides: { 'GET /reports': { latencySeconds: 3, quantile: 0.9 } } });
  assert.deepEqual(full, [{ route: 'GET /reports', quantile: 0.9, latencySeconds: 3, cpuSecondsPerRequest: 3, source: 'override' }]);
});

test('configuration errors name every option, what was expected and what was given', () => {
  assert.throws(
    () =>
      deriveRouteBudgets({
        slos: [slos[0]!],
        routes: ['POST /orders', 'orders'],
        concurrency: 0,
        overrides: { 'GET /nope': { latencySeconds: 1, quantile: 0.9 }, 'POST /orders': { quantile: 1.5 } },
      }),
    (err: unknown) => {
      assert.ok(isTillwatchConfigError(err));
      const options = err.issues.map((i) => i.option);
      assert.deepEqual(options.sort(), ['concurrency', 'overrides["GET /nope"]', 'overrides["POST /orders"]', 'overrides["POST /orders"].quantile', 'overrides["orders"]', 'routes'].sort());
      assert.match(err.message, /overrides\["POST \/orders"\]\.quantile: expected a number strictly between 0 and 1, got 1\.5/);
      assert.match(err.message, /no latency SLO on http_request_duration_seconds/);
      return true;
    },
  );
});

const m = (route: string, latencySeconds: number, cpuSecondsPerRequest: number, requests = 100): RouteMeasurement => ({ route, requests, latencySeconds, cpuSecondsPerRequest });

test('the verdict: over on CPU, or on latency while the baseline met it; the machine, not the service, when the baseline is over too', () => {
  const budgets = deriveRouteBudgets({ slos, routes: [...routes, 'GET /printing/jobs', 'GET /health'], concurrency: 4 });
  const report = judgeRouteBudgets(
    budgets,
    [m('POST /auth/login', 0.2, 0.01), m('POST /orders', 1.2, 0.02), m('POST /orders/:id/pay', 0.3, 0.3), m('GET /printing/jobs', 0.1, 0.01, 0), m('GET /health', 1.5, 0.001)],
    [m('POST /auth/login', 0.1, 0.005), m('POST /orders', 1.1, 0.01), m('POST /orders/:id/pay', 0.2, 0.1), m('GET /health', 0.9, 0.001)],
  );
  assert.deepEqual(
    report.rows.map((r) => [r.budget.route, r.verdict, r.latencyOver, r.cpuOver, r.baselineLatencyOver]),
    [
      ['POST /auth/login', 'ok', false, false, false],
      ['POST /orders', 'machine too slow', true, false, true],
      ['POST /orders/:id/pay', 'over', false, true, false],
      ['GET /printing/jobs', 'not measured', false, false, false],
      ['GET /health', 'over', true, false, false],
    ],
  );
  assert.equal(report.failed, true);
  assert.equal(judgeRouteBudgets(budgets.slice(0, 2), [m('POST /auth/login', 0.2, 0.01), m('POST /orders', 1.2, 0.02)], [m('POST /orders', 1.1, 0.01)]).failed, false, 'a slow machine alone fails nothing');
  assert.equal(judgeRouteBudgets(budgets.slice(1, 2), [m('POST /orders', 1.2, 0.02)]).failed, true, 'without a baseline, latency is judged as is');
  const noisy = (spread: number) => judgeRouteBudgets(budgets.slice(1, 2), [m('POST /orders', 1.2, 0.02)], [{ ...m('POST /orders', 0.8, 0.01), latencySpread: spread }]).rows[0]!.verdict;
  assert.equal(noisy(0.2), 'over', 'a baseline within the budget by more than the run\'s noise');
  assert.equal(noisy(0.3), 'machine too slow', 'a baseline within the run\'s noise of the budget');
});

test('the table has a row per route with the figures in ms, marks what is over, and the ratio to the baseline', () => {
  const budgets = deriveRouteBudgets({ slos, routes: routes.slice(0, 2), concurrency: 4 });
  const table = renderBudgetTable(judgeRouteBudgets(budgets, [m('POST /auth/login', 0.0123, 0.004), m('POST /orders', 1.5, 0.3)], [m('POST /auth/login', 0.01, 0.002), m('POST /orders', 1.2, 0.01)]));
  const rows = table.split('\n');
  assert.equal(rows.length, 4);
  assert.match(rows[0]!, /^\| route \| requests \| quantile \| latency ms \(baseline\) \|/);
  assert.equal(rows[2], '| POST /auth/login | 100 | p99 | 12.3 (10.0) | 1000.0 | 4.00 (2.00) | 2.00× | 250.0 | slo latency | ok |');
  assert.equal(rows[3], '| POST /orders | 100 | p99 | 1500.0 ! (1200.0) | 1000.0 | 300.0 ! (10.0) | 30.00× | 250.0 | slo latency | over |');
  const slow = renderBudgetTable(judgeRouteBudgets(budgets.slice(1), [m('POST /orders', 1.5, 0.01)], [{ ...m('POST /orders', 0.9, 0.01), latencySpread: 0.25 }]));
  assert.equal(slow.split('\n')[2], '| POST /orders | 100 | p99 | 1500.0 ! (900.0 ±25%) | 1000.0 | 10.0 (10.0) | 1.00× | 250.0 | slo latency | machine too slow (baseline over too) |');
});
