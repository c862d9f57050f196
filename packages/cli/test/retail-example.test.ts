/**
 * The retail example (examples/retail): a service declares its own metrics with the typed catalogue API,
 * records them, and its alerts and SLOs are generated over the union with the built-in catalogue. Runs the
 * example as a user would, scrapes its /metrics, then generates its bundle and runs promtool over the rules
 * and their unit tests.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mergeCatalogues, metricsRead, catalogue, WINDOW_PLACEHOLDER } from '@tillwatch/spec';
import { startListening } from '../../tillwatch/test/helpers/listening-child.ts';
import { hasCommand, requireReal } from '../../tillwatch/test/helpers/real-parts.ts';
import { promtool, REPO, runCli } from './helpers.ts';
import config from '../../../examples/retail/tillwatch.config.ts';
import { retail } from '../../../examples/retail/metrics.ts';

/** The value of one sample line (`name{labels}`) of a Prometheus-format exposition, or undefined. */
function sample(body: string, series: string): number | undefined {
  const line = body.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

test('the retail example exports its own metrics as declared, including every metric its alerts and SLOs read', async (t) => {
  const service = await startListening(process.execPath, [join(REPO, 'examples/retail/server.ts')], { cwd: REPO, env: { ...process.env, PORT: '0' } });
  t.after(() => service.stop());
  const get = (path: string) => fetch(`${service.url}${path}`);
  const say = (text: string) => fetch(`${service.url}/voice/commands`, { method: 'POST', body: JSON.stringify({ text }) });
  assert.equal((await get('/recommendations?customer=c-42')).status, 200);
  assert.equal((await get('/recommendations?customer=guest')).status, 200);
  assert.equal((await say('order two flat whites please')).status, 201);
  assert.equal((await say('help')).status, 200);
  assert.equal((await say('sing me a song')).status, 200);
  assert.equal((await get('/health/ready')).status, 200);

  const body = await (await get('/metrics')).text();
  assert.equal(sample(body, 'recommendations_served_total{strategy="collaborative"}'), 3);
  assert.equal(sample(body, 'recommendations_served_total{strategy="popular_fallback"}'), 3);
  assert.equal(sample(body, 'recommendation_confidence_count{strategy="popular_fallback"}'), 3);
  assert.equal(sample(body, 'recommendation_confidence_bucket{le="0.5",strategy="popular_fallback"}'), 3);
  assert.equal(sample(body, 'voice_commands_total{intent="order"}'), 1);
  assert.equal(sample(body, 'voice_commands_total{intent="help"}'), 1);
  assert.equal(sample(body, 'voice_commands_total{intent="other"}'), 1, 'an intent outside the closed set records as other');
  assert.equal(sample(body, 'voice_orders_created_total'), 1);
  assert.equal(sample(body, 'intent_confidence_count'), 3);
  assert.equal(sample(body, 'http_requests_total{method="POST",route="/voice/commands",status_code="201"}'), 1, 'next to the built-in RED metrics');

  const union = mergeCatalogues(catalogue, retail);
  const exprs = [
    ...(config.alerts.extra ?? []).map((a) => a.expr),
    ...config.slos.flatMap((s) => (s.sli.kind === 'events' ? [s.sli.bad, s.sli.total] : [s.sli.badInstant]).map((e) => e.replaceAll(WINDOW_PLACEHOLDER, '5m'))),
  ];
  const read = [...new Set(exprs.flatMap((e) => metricsRead(e, union)))];
  assert.ok(read.some((h) => h.owner === 'service') && read.some((h) => h.owner === 'core'));
  for (const h of read) assert.ok(body.includes(`# TYPE ${h.name} ${h.type}\n`), `the rules read ${h.name}, which the service exports`);
});

test('the retail bundle holds the team\'s alerts and SLO, its rules pass promtool and their unit tests pass', (t) => {
  if (!requireReal(t, 'promtool', hasCommand('promtool'), 'apt-get install prometheus')) return;
  const out = mkdtempSync(join(tmpdir(), 'tw-retail-'));
  t.after(() => rmSync(out, { recursive: true, force: true }));
  const r = runCli(['generate', '--config', 'examples/retail/tillwatch.config.ts', '--out', out]);
  assert.equal(r.status, 0, r.stderr);
  const rules = readdirSync(join(out, 'prometheus/rules')).map((f) => join(out, 'prometheus/rules', f));
  const tests = readdirSync(join(out, 'prometheus/tests')).map((f) => join(out, 'prometheus/tests', f));
  const all = rules.map((f) => readFileSync(f, 'utf8')).join('\n');
  assert.match(all, /alert: LowRecommendationQuality\n\s+expr: sum\(rate\(recommendation_confidence_sum\[10m\]\)\) \/ sum\(rate\(recommendation_confidence_count\[10m\]\)\) < 0\.5/);
  assert.match(all, /alert: VoiceConversionDrop\n\s+expr: sum\(rate\(voice_orders_created_total\[1h\]\)\) \/ sum\(rate\(voice_commands_total\[1h\]\)\) < 0\.1/);
  assert.match(all, /alert: IntentAccuracyErrorBudgetBurnPage/);
  const check = promtool(['check', 'rules', ...rules]);
  assert.equal(check.status, 0, check.stdout + check.stderr);
  const unit = promtool(['test', 'rules', ...tests]);
  assert.equal(unit.status, 0, unit.stdout + unit.stderr);
  assert.ok(tests.some((f) => readFileSync(f, 'utf8').includes('VoiceConversionDrop fires once its condition has held for 1h')));
  const doc = readFileSync(join(out, 'docs/metrics.md'), 'utf8');
  for (const name of ['recommendations_served_total', 'recommendation_confidence', 'voice_commands_total', 'voice_orders_created_total', 'intent_confidence']) {
    assert.ok(doc.includes(`| \`${name}\` |`), `docs/metrics.md lists ${name}`);
  }
});
