/**
 * Burn-rate behaviour of the generated SLO rules, proven with promtool on synthetic series
 * (https://prometheus.io/docs/prometheus/latest/configuration/unit_testing_rules/). The SLO is 99.9% availability
 * over 30 days (testdata/in-burn.ts), so the error budget is 0.1% and the page thresholds are 1.44% (14.4x,
 * 1h & 5m) and 0.6% (6x, 6h & 30m). Traffic is 600 requests a minute unless a scenario says otherwise.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { promtool, requireTools, runCli, TESTDATA } from './helpers.ts';

const OK = 'http_requests_total{method="POST",route="/orders",status_code="200"}';
const ERR = 'http_requests_total{method="POST",route="/orders",status_code="500"}';
const PAGE = 'AvailabilityErrorBudgetBurnPage';
const TICKET = 'AvailabilityErrorBudgetBurnTicket';

/** `count(ALERTS{...})` of firing alerts with these labels. */
function firing(alertname: string, extra: Record<string, string> = {}): string {
  const labels = { alertname, alertstate: 'firing', ...extra };
  return `count(ALERTS{${Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(',')}})`;
}
/** Whether any sample of these alerts (pending or firing) existed in the last `range`. */
function everAlerted(selector: string, range: string): string {
  return `count(count_over_time(ALERTS{${selector}}[${range}]))`;
}
const yes = [{ labels: '{}', value: 1 }];
const no: never[] = [];

function generateRules(t: import('node:test').TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'tw-burn-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const r = runCli(['generate', '--config', join(TESTDATA, 'in-burn.ts'), '--out', dir]);
  assert.equal(r.status, 0, r.stderr);
  return dir;
}

function runScenario(dir: string, name: string, doc: Record<string, unknown>): void {
  const file = join(dir, 'prometheus/tests', `scenario-${name}.yml`);
  // The generated test file for these rules carries the group order (recordings before alerts); reuse it,
  // or promtool picks a random order per step and an alert can lag its recordings by one interval.
  const generated = parse(readFileSync(join(dir, 'prometheus/tests/slo-availability.yml'), 'utf8')) as { group_eval_order: string[] };
  writeFileSync(file, stringify({ rule_files: ['../rules/slo-availability.yml'], group_eval_order: generated.group_eval_order, ...doc }, { lineWidth: 0 }));
  const r = promtool(['test', 'rules', file]);
  assert.equal(r.status, 0, `${name}:\n${r.stdout}${r.stderr}`);
}

test('burn-rate alerts on synthetic series behave as the SRE Workbook table promises', async (t) => {
  if (!requireTools(t)) return;
  const dir = generateRules(t);

  await t.test('a total outage pages within 2 minutes, not before the short window sees it', () => {
    // An hour of clean traffic, then every request fails from minute 60.
    runScenario(dir, 'total-outage', {
      evaluation_interval: '1m',
      tests: [
        {
          interval: '1m',
          input_series: [
            { series: OK, values: '0+600x60 36000+0x30' },
            { series: ERR, values: '0+0x60 600+600x30' },
          ],
          promql_expr_test: [
            { expr: everAlerted(`alertname="${PAGE}"`, '60m'), eval_time: '60m', exp_samples: no },
            { expr: firing(PAGE, { long_window: '1h', severity: 'critical', burn: 'page' }), eval_time: '61m', exp_samples: no },
            { expr: firing(PAGE, { long_window: '1h', severity: 'critical', burn: 'page' }), eval_time: '62m', exp_samples: yes },
          ],
        },
      ],
    });
  });

  await t.test('a steady 1% error ratio never fires the 14.4x page but fires the 6x page', () => {
    // 1% is a 10x burn: above 6x, below 14.4x. Seven hours, so the 6h window fills.
    runScenario(dir, 'steady-1pct', {
      evaluation_interval: '1m',
      tests: [
        {
          interval: '1m',
          input_series: [
            { series: OK, values: '0+594x420' },
            { series: ERR, values: '0+6x420' },
          ],
          promql_expr_test: [
            { expr: everAlerted(`alertname="${PAGE}",long_window="1h"`, '7h'), eval_time: '420m', exp_samples: no },
            { expr: firing(PAGE, { long_window: '6h' }), eval_time: '420m', exp_samples: yes },
            { expr: firing(TICKET, { long_window: '1d' }), eval_time: '420m', exp_samples: yes },
          ],
        },
      ],
    });
  });

  await t.test('0.05% errors for 7 days fires nothing and leaves half the budget', () => {
    // 0.05% is a 0.5x burn: under every factor, including the 1x ticket over 3 days. Sampled every 5 minutes
    // to keep the week short to evaluate; a 5m rate still sees two samples.
    runScenario(dir, 'seven-days-half-burn', {
      evaluation_interval: '5m',
      tests: [
        {
          interval: '5m',
          input_series: [
            { series: OK, values: '0+2998.5x2016' },
            { series: ERR, values: '0+1.5x2016' },
          ],
          promql_expr_test: [
            { expr: everAlerted('slo="availability"', '7d'), eval_time: '7d', exp_samples: no },
            { expr: 'round(tillwatch:slo_error_budget_remaining:ratio{slo="availability"} * 100)', eval_time: '7d', exp_samples: [{ labels: '{service="kiosk",slo="availability"}', value: 50 }] },
          ],
        },
      ],
    });
  });

  await t.test('a 4-minute outage pages, then resolves after recovery: the 1h page within 10 minutes, the 6h page within 35, the ticket an hour after its condition holds', () => {
    runScenario(dir, 'four-minute-outage', {
      evaluation_interval: '1m',
      tests: [
        {
          interval: '1m',
          input_series: [
            { series: OK, values: '0+600x60 36000+0x4 36600+600x200' },
            { series: ERR, values: '0+0x60 600+600x3 2400+0x200' },
          ],
          promql_expr_test: [
            { expr: firing(PAGE, { long_window: '1h' }), eval_time: '63m', exp_samples: yes },
            { expr: firing(PAGE, { long_window: '1h' }), eval_time: '74m', exp_samples: no },
            { expr: firing(PAGE), eval_time: '100m', exp_samples: no },
            // The ticket waits until its condition has held an hour (a fresh Prometheus holds minutes, not a day).
            { expr: firing(TICKET, { long_window: '1d' }), eval_time: '100m', exp_samples: no },
            { expr: firing(TICKET, { long_window: '1d' }), eval_time: '130m', exp_samples: yes },
            { expr: firing(TICKET, { long_window: '1d' }), eval_time: '190m', exp_samples: no },
          ],
        },
      ],
    });
  });

  await t.test('without a single 5xx the availability SLI is 0, not absent (a healthy service shows 0, not "No data")', () => {
    runScenario(dir, 'no-errors', {
      evaluation_interval: '1m',
      tests: [
        {
          interval: '1m',
          input_series: [{ series: OK, values: '0+600x30' }],
          promql_expr_test: [{ expr: 'tillwatch:slo_errors:ratio_rate5m{slo="availability"}', eval_time: '10m', exp_samples: [{ labels: 'tillwatch:slo_errors:ratio_rate5m{service="kiosk",slo="availability"}', value: 0 }] }],
        },
      ],
    });
  });

  await t.test('one failure at 3 a.m. on a quiet store does not page (minimum-traffic guard)', () => {
    // Three requests an hour; one of them fails: a 33% error ratio on 4 requests.
    runScenario(dir, 'quiet-store', {
      evaluation_interval: '1m',
      tests: [
        {
          interval: '1m',
          input_series: [
            { series: OK, values: '0+0.05x120' },
            { series: ERR, values: '0+0x60 1+0x60' },
          ],
          promql_expr_test: [{ expr: everAlerted('slo="availability"', '2h'), eval_time: '120m', exp_samples: no }],
        },
      ],
    });
  });
});
