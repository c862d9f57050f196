/**
 * The local stack's compose file (compose/compose.yaml and the Prometheus and Alertmanager configurations it mounts):
 * generated from the same config as the rest of the bundle, valid against the official compose-spec schema,
 * consistent (mounts exist, ports unique, every address names a service), and running the generated rules and
 * routing unchanged. There is no Docker here, so this is as far as it goes: schema, parser and the real
 * promtool/amtool over the configurations it mounts.
 */
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { checkCompose } from '../src/check/check-compose.ts';
import { demoTimings } from '../src/render/local-stack.ts';
import { promtool, REPO, requireTools, runCli } from './helpers.ts';

const DEPLOY = join(REPO, 'deploy');
const read = (rel: string) => parse(readFileSync(join(DEPLOY, rel), 'utf8')) as Record<string, any>;

test('the store\'s compose file has the whole stack, and check validates it with the compose-spec schema; amtool and promtool accept what it mounts', (t) => {
  if (!requireTools(t)) return;
  const compose = read('compose/compose.yaml');
  assert.deepEqual(Object.keys(compose.services).sort(), ['alertmanager', 'grafana', 'postgres', 'prometheus', 'receiver', 'redis', 'store']);
  assert.deepEqual(checkCompose(DEPLOY), { ok: true, output: '7 services valid and consistent' });
  // What `tillwatch check` runs over the configurations the compose file mounts (check-deploy.test.ts runs it whole).
  const am = spawnSync('amtool', ['check-config', join(DEPLOY, 'compose/alertmanager.yml')], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(am.status, 0, am.stdout + am.stderr);
  const prom = promtool(['check', 'config', '--syntax-only', 'prometheus.yml'], join(DEPLOY, 'compose'));
  assert.equal(prom.status, 0, prom.stdout + prom.stderr);
});

test('the compose stack runs the generated rules and routing: same routes, inhibitions and time intervals; every receiver posts to the webhook receiver', () => {
  const generated = read('alertmanager/alertmanager.yml');
  const local = read('compose/alertmanager.yml');
  assert.deepEqual(local.route, generated.route);
  assert.deepEqual(local.inhibit_rules, generated.inhibit_rules);
  assert.deepEqual(local.time_intervals, generated.time_intervals);
  assert.deepEqual(local.receivers.map((r: { name: string }) => r.name), generated.receivers.map((r: { name: string }) => r.name));
  for (const r of local.receivers) assert.deepEqual(Object.keys(r).sort(), ['name', 'webhook_configs'], r.name);
  assert.ok(local.receivers.every((r: any) => r.webhook_configs[0].url === 'http://receiver:9099/alerts'));

  const prom = read('compose/prometheus.yml');
  const production = read('prometheus/prometheus.yml');
  const compose = read('compose/compose.yaml');
  assert.ok(compose.services.prometheus.volumes.includes('../prometheus/rules:/etc/prometheus/rules:ro'), 'the generated rule files, mounted');
  assert.deepEqual(prom.rule_files, ['/etc/prometheus/rules/*.yml']);
  assert.deepEqual(prom.scrape_configs[0].static_configs, [{ targets: ['store:3000'], labels: { service: 'store' } }]);
  assert.equal(prom.scrape_configs[0].job_name, production.scrape_configs[0].job_name);
  const { scrapeSeconds, evaluationSeconds } = demoTimings(15, 15);
  assert.equal(prom.global.scrape_interval, `${scrapeSeconds}s`);
  assert.equal(prom.global.evaluation_interval, `${evaluationSeconds}s`);
  // Grafana gets the generated provisioning and dashboards; its datasource names the compose service.
  assert.deepEqual(compose.services.grafana.volumes, ['../grafana/provisioning:/etc/grafana/provisioning:ro', '../grafana/dashboards:/var/lib/grafana/dashboards:ro']);
  assert.equal(read('grafana/provisioning/datasources/prometheus.yml').datasources[0].url, 'http://prometheus:9090');
});

test('the demo intervals derive from the fastest page\'s for: a dozen evaluations inside it, never under 5 s, never longer than production', () => {
  assert.deepEqual(demoTimings(15, 15), { scrapeSeconds: 5, evaluationSeconds: 5 });
  assert.deepEqual(demoTimings(2, 60), { scrapeSeconds: 2, evaluationSeconds: 5 });
});

test('check refuses a compose file outside the schema, a doubly published port, a missing mount, an unknown dependency and addresses that name no service', (t) => {
  const out = mkdtempSync(join(tmpdir(), 'tw-broken-compose-'));
  t.after(() => rmSync(out, { recursive: true, force: true }));
  cpSync(DEPLOY, out, { recursive: true });
  const file = join(out, 'compose/compose.yaml');
  const doc = parse(readFileSync(file, 'utf8')) as Record<string, any>;
  doc.services.store.restart_policy = 'always'; // not a compose-spec key of a service (deploy.restart_policy is)
  doc.services.grafana.ports = ['9090:3000'];
  doc.services.grafana.volumes.push('../grafana/alerting:/etc/grafana/alerting:ro');
  doc.services.receiver.depends_on = ['smtp'];
  writeFileSync(file, stringify(doc));
  const am = join(out, 'compose/alertmanager.yml');
  writeFileSync(am, readFileSync(am, 'utf8').replaceAll('http://receiver:9099', 'http://webhook:9099'));
  const r = checkCompose(out)!;
  assert.equal(r.ok, false);
  assert.match(r.output, /compose-spec schema: \/services\/store must NOT have additional properties \(restart_policy\)/);
  assert.match(r.output, /host port 9090 is published by both prometheus and grafana/);
  assert.match(r.output, /services\.grafana\.volumes: \.\.\/grafana\/alerting does not exist/);
  assert.match(r.output, /services\.receiver\.depends_on: smtp is not a service/);
  assert.match(r.output, /alertmanager\.yml receiver pagerduty-critical: http:\/\/webhook:9099\/alerts points at webhook, which is not a service/);
});

test('no compose file is written without a compose section, and a compose section without an image is refused', (t) => {
  const out = mkdtempSync(join(tmpdir(), 'tw-no-compose-'));
  t.after(() => rmSync(out, { recursive: true, force: true }));
  const store = JSON.stringify(new URL('deploy/tillwatch.config.ts', `file://${REPO}`).href);
  const without = join(out, 'without.config.mjs');
  writeFileSync(without, `import store from ${store};\nconst { compose, ...rest } = store;\nexport default rest;\n`);
  const r = runCli(['generate', '--config', without, '--out', join(out, 'bundle')]);
  assert.equal(r.status, 0, r.stderr);
  assert.throws(() => readFileSync(join(out, 'bundle/compose/compose.yaml')), /ENOENT/);
  const noImage = join(out, 'no-image.config.mjs');
  writeFileSync(noImage, `import store from ${store};\nconst { compose, kubernetes, ...rest } = store;\nexport default { ...rest, compose: { source: '..' } };\n`);
  const bad = runCli(['generate', '--config', noImage, '--out', join(out, 'bad')]);
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /compose\.image.*must be set when kubernetes\.image is not/);
});
