/**
 * Every metric a generated rule reads exists in the catalogue (or is a recording rule of the same bundle, or
 * Prometheus' own `up`). Handles make this a compile-time property for typed specs; this test also covers raw
 * PromQL and anything that reaches the YAML another way.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { unknownSeries } from '@tillwatch/spec';
import { REPO, TESTDATA } from './helpers.ts';

interface RulesFile {
  groups: { rules: { record?: string; alert?: string; expr: string }[] }[];
}

for (const bundle of [join(REPO, 'deploy'), join(TESTDATA, 'out-minimal')]) {
  test(`every rule in ${bundle.replace(REPO, '')} reads only catalogue metrics and its own recordings`, () => {
    const dir = join(bundle, 'prometheus/rules');
    const rules = readdirSync(dir).flatMap((f) => (parse(readFileSync(join(dir, f), 'utf8')) as RulesFile).groups.flatMap((g) => g.rules));
    const recorded = new Set(rules.flatMap((r) => (r.record !== undefined ? [r.record] : [])));
    assert.ok(rules.length > 30, 'the pack and the SLO rules are there');
    for (const r of rules) assert.deepEqual(unknownSeries(r.expr, recorded), [], `${r.record ?? r.alert}: ${r.expr}`);
  });
}

test('every alerting rule of the store bundle has a firing and a silent promtool test', () => {
  const rulesDir = join(REPO, 'deploy/prometheus/rules');
  const testsDir = join(REPO, 'deploy/prometheus/tests');
  for (const f of readdirSync(rulesDir)) {
    const alerts = (parse(readFileSync(join(rulesDir, f), 'utf8')) as RulesFile).groups.flatMap((g) => g.rules.flatMap((r) => (r.alert !== undefined ? [r.alert] : [])));
    if (alerts.length === 0) continue;
    const tests = (parse(readFileSync(join(testsDir, f), 'utf8')) as { tests: { name: string }[] }).tests.map((t) => t.name);
    for (const a of new Set(alerts)) {
      const n = alerts.filter((x) => x === a).length;
      assert.equal(tests.filter((t) => t.startsWith(`${a} `) && t.includes('fires once')).length, n, `${f}: ${a} has a firing test per rule`);
      assert.equal(tests.filter((t) => t.startsWith(`${a} `) && t.includes('stays silent')).length, n, `${f}: ${a} has a silent test per rule`);
    }
  }
});
