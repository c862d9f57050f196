/** The live check: selectors of the store's generated rules against an exposition, and the selector extraction it relies on. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promqlSelectors } from '@tillwatch/spec';
import { liveCheck } from '../src/check/live-check.ts';
import { loadConfig } from '../src/load/load-config.ts';
import { modelOf } from '../src/generate.ts';
import { REPO } from './helpers.ts';
import { join } from 'node:path';

test('selectors and their matchers are extracted, label lists and functions skipped', () => {
  assert.deepEqual(promqlSelectors('sum by (pipeline) (rate(x_total{a="1",b=~"2|3"}[5m])) / on (pipeline) y'), [
    { name: 'x_total', matchers: [{ label: 'a', op: '=', value: '1' }, { label: 'b', op: '=~', value: '2|3' }] },
    { name: 'y', matchers: [] },
  ]);
  assert.deepEqual(promqlSelectors('time() - max(s{pipeline="sales_to_warehouse"}) > bool 900'), [{ name: 's', matchers: [{ label: 'pipeline', op: '=', value: 'sales_to_warehouse' }] }]);
});

test('the store rules against an exposition: a pipeline label value the service does not write is a dead selector; a failure reason that has not happened is not', async () => {
  const config = join(REPO, 'deploy/tillwatch.config.ts');
  const model = modelOf(await loadConfig(config), config);
  const names = new Set(model.groups.flatMap((g) => [...g.recordings.map((r) => r.expr), ...g.alerts.map((a) => a.expr)]).flatMap((e) => promqlSelectors(e).map((s) => s.name)));
  // Every selected series once, with plausible labels; the sync pipeline as the store once exported it.
  const lines = [...names].map((n) => `# TYPE ${n} gauge\n${n}{pipeline="warehouse",le="1",state="in_use",dependency="payment_provider",target="database"} 1`);
  const dead = liveCheck(model, lines.join('\n'));
  const sync = dead.problems.filter((p) => p.selector.includes('sync_last_success_timestamp_seconds'));
  assert.ok(sync.some((p) => p.rule.includes('SLO sync-freshness') && /pipeline="sales_to_warehouse"/.test(p.problem) && /"warehouse"/.test(p.problem)), JSON.stringify(dead.problems, null, 1));
  assert.ok(!dead.problems.some((p) => p.selector.includes('payments_failures_total')), 'closed-label values need not have happened yet');

  const fixed = liveCheck(model, lines.join('\n').replaceAll('pipeline="warehouse"', 'pipeline="sales_to_warehouse"'));
  assert.deepEqual(fixed.problems.filter((p) => p.selector.includes('sync_last_success')), []);
  const missing = liveCheck(model, lines.filter((l) => !l.includes('dependency_up')).join('\n'));
  assert.ok(missing.problems.some((p) => p.rule === 'alert DependencyDown' && /never exported/.test(p.problem)));
});
