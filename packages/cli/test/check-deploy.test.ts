import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireTools, runCli, TESTDATA } from './helpers.ts';

test('tillwatch check deploy passes: promtool config (and each scale-out replica), rules and unit tests, amtool config and routes per severity, the scale-out topology', (t) => {
  if (!requireTools(t)) return;
  const r = runCli(['check', 'deploy']);
  assert.equal(r.status, 0, r.stderr);
  for (const step of ['promtool check config', 'promtool check rules', 'promtool test rules', 'amtool check-config']) assert.match(r.stdout, new RegExp(`ok  ${step}`));
  assert.match(r.stdout, /ok {2}amtool config routes test severity=critical -> pagerduty-critical/);
  assert.match(r.stdout, /ok {2}amtool config routes test severity=warning -> slack-warning/);
  assert.match(r.stdout, /ok {2}amtool config routes test severity=info -> email-info/);
  assert.match(r.stdout, /ok {2}amtool config routes test team=payments severity=critical -> pagerduty-critical-payments/);
  assert.match(r.stdout, /ok {2}grafana dashboards/);
  assert.match(r.stdout, /ok {2}kubernetes manifests/);
  assert.match(r.stdout, /ok {2}amtool check-config compose\/alertmanager\.yml/);
  assert.match(r.stdout, /ok {2}promtool check config --syntax-only compose\/prometheus\.yml/);
  assert.match(r.stdout, /ok {2}compose file \(compose-spec JSON schema/);
  assert.match(r.stdout, /ok {2}promtool check config scale-out\/prometheus-0\.yml/);
  assert.match(r.stdout, /ok {2}promtool check config scale-out\/prometheus-1\.yml/);
  assert.match(r.stdout, /ok {2}scale-out topology/);
});

test('check refuses a manifest its model does not accept and a dashboard panel Grafana cannot draw', (t) => {
  if (!requireTools(t)) return;
  const out = mkdtempSync(join(tmpdir(), 'tw-broken-ops-'));
  t.after(() => rmSync(out, { recursive: true, force: true }));
  cpSync('deploy', out, { recursive: true });
  const deployment = join(out, 'kubernetes/base/deployment.yaml');
  writeFileSync(deployment, readFileSync(deployment, 'utf8').replace('replicas: 2', 'replicas: two'));
  const printing = join(out, 'grafana/dashboards/store-printing.json');
  writeFileSync(printing, readFileSync(printing, 'utf8').replace('"type": "piechart"', '"type": "sparkles"'));
  const r = runCli(['check', out]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /deployment\.yaml: .*replicas/);
  assert.match(r.stderr, /type "sparkles" is not a panel kind/);
});

test('the other generated bundles pass the real tools (env secret placeholder, 28-day SLOs, every SLO kind)', (t) => {
  if (!requireTools(t)) return;
  const committed = runCli(['check', join(TESTDATA, 'out-minimal')]);
  assert.equal(committed.status, 0, committed.stderr);
  const out = mkdtempSync(join(tmpdir(), 'tw-all-slos-'));
  t.after(() => rmSync(out, { recursive: true, force: true }));
  const g = runCli(['generate', '--config', join(TESTDATA, 'validate/good/good-all-slos-28d.ts'), '--out', out]);
  assert.equal(g.status, 0, g.stderr);
  const c = runCli(['check', out]);
  assert.equal(c.status, 0, c.stderr);
});

test('check fails with the tools own messages when a generated file is edited by hand', (t) => {
  if (!requireTools(t)) return;
  const out = mkdtempSync(join(tmpdir(), 'tw-broken-'));
  t.after(() => rmSync(out, { recursive: true, force: true }));
  cpSync('deploy', out, { recursive: true });
  const rules = join(out, 'prometheus/rules/business.yml');
  writeFileSync(rules, readFileSync(rules, 'utf8').replace('> 0.01', '> > 0.01'));
  const am = join(out, 'alertmanager/alertmanager.yml');
  writeFileSync(am, readFileSync(am, 'utf8').replace(/receiver: pagerduty-critical$/gm, 'receiver: slack-warning'));
  const r = runCli(['check', out]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /--- promtool check rules/);
  assert.match(r.stderr, /parse error/i);
  assert.match(r.stderr, /--- amtool config routes test severity=critical -> pagerduty-critical\nexit code 1\n[^]*slack-warning\nWARNING: Expected receivers did not match resolved receivers/);
  assert.match(r.stderr, /TW_ERR_ALERTS_CHECK_FAILED/);
});
