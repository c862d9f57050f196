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

test('dashboard panels are checked like rules: a metric or label value a panel selects that the service does not export is a dead panel', async () => {
  const config = join(REPO, 'deploy/tillwatch.config.ts');
  const model = modelOf(await loadConfig(config), config);
  // The panels read these; the store writes closed-label values it has declared, and this one open label value.
  const base = [
    '# TYPE security_events_total counter',
    'security_events_total{type="privilege_escalation",severity="high"} 0',
    '# TYPE auth_password_spray_sources gauge',
    'auth_password_spray_sources 0',
  ];
  const panelProblems = (text: string) => liveCheck(model, text).problems.filter((p) => p.rule.startsWith('panel store-security: '));
  const ok = panelProblems(base.join('\n'));
  assert.ok(!ok.some((p) => /Privilege-escalation|Password-spray/.test(p.rule)), JSON.stringify(ok, null, 1));
  // Every other security panel reads a metric this exposition lacks: each is named, with the metric.
  assert.ok(ok.some((p) => p.rule === 'panel store-security: CORS violations per minute' && /cors_violations_total is never exported/.test(p.problem)), JSON.stringify(ok, null, 1));
  // Without the spray gauge, its panel is dead.
  const noSpray = panelProblems(base.slice(0, 2).join('\n'));
  assert.ok(noSpray.some((p) => p.rule === 'panel store-security: Password-spray sources' && /auth_password_spray_sources is never exported/.test(p.problem)));

  // A panel of the deploy config selecting an event type the service never writes, or another service, is dead.
  const bad = { ...model, config: { ...model.config, dashboards: { panels: [{ dashboard: 'security', row: 'Extra', panels: [
    { title: 'Typo', kind: 'timeseries' as const, unit: 'short' as const, queries: [{ expr: 'sum(rate(security_events_total{service="store",type="privilege_escalaton"}[$__rate_interval]))' }] },
    { title: 'Other service', kind: 'stat' as const, unit: 'short' as const, queries: [{ expr: 'max(auth_password_spray_sources{service="till"})' }] },
  ] }] } } };
  const dead = liveCheck(bad, base.join('\n')).problems;
  assert.ok(dead.some((p) => p.rule === 'panel store-security: Typo' && /type="privilege_escalaton" matches none of the label's declared values/.test(p.problem)), JSON.stringify(dead.filter((p) => p.rule.includes('Typo')), null, 1));
  assert.ok(dead.some((p) => p.rule === 'panel store-security: Other service' && /service="till" does not match this service/.test(p.problem)));
});
