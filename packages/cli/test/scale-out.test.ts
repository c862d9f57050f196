/**
 * The scale-out bundle (`scale-out/`): generated from the store's deploy config, consistent, passed by `tillwatch
 * check` (check-deploy.test.ts runs it over the store bundle), refused when a replica would keep its
 * label on alerts or remote writes; and the deploy config validator's scale-out rules.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import store from '../../../deploy/tillwatch.config.ts';
import { packAlertNames } from '../src/model/build-model.ts';
import { validateDeployConfig } from '../src/model/validate-deploy-config.ts';
import { scaleOutProblems } from '../src/scale-out/check-scale-out.ts';
import type { ScaleOutTopology } from '../src/scale-out/render-scale-out.ts';
import { REPO, requireTools, runCli } from './helpers.ts';

const DEPLOY = join(REPO, 'deploy');

test('the store bundle has two replicas with distinct replica labels, the same rules, every node alerted, and VictoriaMetrics deduplicating per scrape interval', () => {
  const topology = parse(readFileSync(join(DEPLOY, 'scale-out/topology.yml'), 'utf8')) as ScaleOutTopology;
  assert.deepEqual(scaleOutProblems(DEPLOY), []);
  assert.equal(topology.prometheus.length, 2);
  const replicas = topology.prometheus.map((p) => parse(readFileSync(join(DEPLOY, p.config), 'utf8')) as { global: { external_labels: Record<string, string> }; rule_files: string[]; remote_write: { url: string }[] });
  assert.deepEqual(replicas.map((r) => r.global.external_labels.replica), ['prometheus-0', 'prometheus-1']);
  for (const r of replicas) {
    assert.deepEqual(r.rule_files, ['../prometheus/rules/*.yml'], 'the same rule files as the single Prometheus');
    assert.equal(r.global.external_labels.environment, 'production', 'the config\'s own external labels stay');
    assert.deepEqual(r.remote_write.map((w) => w.url), ['http://victoria-metrics:8428/api/v1/write']);
  }
  assert.deepEqual(topology.alertmanager.map((a) => a.args.filter((x) => x.startsWith('--cluster.'))), [
    ['--cluster.listen-address=0.0.0.0:9094', '--cluster.peer=alertmanager-1:9094', '--cluster.peer-timeout=15s'],
    ['--cluster.listen-address=0.0.0.0:9094', '--cluster.peer=alertmanager-0:9094', '--cluster.peer-timeout=15s'],
  ]);
  assert.ok(topology.victoriaMetrics.args.includes(`-dedup.minScrapeInterval=${store.prometheus.scrape.intervalSeconds}s`));
});

test('check refuses replicas that keep their label on alerts or remote writes, a node that does not peer, and a flag VictoriaMetrics refuses', (t) => {
  if (!requireTools(t)) return;
  const out = mkdtempSync(join(tmpdir(), 'tw-scale-out-'));
  t.after(() => rmSync(out, { recursive: true, force: true }));
  cpSync(DEPLOY, out, { recursive: true });
  const p1 = join(out, 'scale-out/prometheus-1.yml');
  writeFileSync(p1, readFileSync(p1, 'utf8').replace(/alert_relabel_configs:\n\s+- action: labeldrop\n\s+regex: replica\n/, ''));
  const topo = join(out, 'scale-out/topology.yml');
  writeFileSync(topo, readFileSync(topo, 'utf8').replace('      - --cluster.peer=alertmanager-0:9094\n', '').replace('-retentionPeriod=400d', '-retentionPeriod=13mo'));
  const r = runCli(['check', out]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /scale-out\/prometheus-1\.yml must drop replica from alerts/);
  assert.match(r.stderr, /scale-out\/prometheus-1\.yml differs from scale-out\/prometheus-0\.yml in more than the replica label/);
  assert.match(r.stderr, /alertmanager-1 must peer with alertmanager-0:9094/);
  assert.match(r.stderr, /victoria-metrics refuses its flags \(exit 2\): invalid value "13mo" for flag -retentionPeriod/);
});

test('the validator refuses scale-out without an Alertmanager cluster, with a replica label that is already an external label, or with a bad VictoriaMetrics URL', () => {
  const problems = validateDeployConfig(
    {
      ...store,
      prometheus: { ...store.prometheus, alertmanagers: ['alertmanager-0:9093'], externalLabels: { replica: 'x' } },
      alertmanager: { ...store.alertmanager, peers: ['alertmanager-0:9094', 'alertmanager-1:9094'] },
      scaleOut: { replicaLabel: 'replica', prometheusReplicas: 1, victoriaMetrics: { url: 'victoria-metrics:8428' } },
    },
    packAlertNames(),
  ).map((p) => `${p.path}: ${p.message}`);
  assert.ok(problems.some((p) => p.startsWith('alertmanager.peers: scale-out needs an Alertmanager cluster')), problems.join('\n'));
  assert.ok(problems.some((p) => p.startsWith('scaleOut.replicaLabel: "replica" is already one of prometheus.externalLabels')), problems.join('\n'));
  assert.ok(problems.some((p) => p.startsWith('scaleOut.prometheusReplicas: must be a whole number from 2 to 10')), problems.join('\n'));
  assert.ok(problems.some((p) => p.startsWith('scaleOut.victoriaMetrics.url: must be the base URL')), problems.join('\n'));
});
