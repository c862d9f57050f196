/**
 * The operational parts of the generated bundle for the reference store (deploy/tillwatch.config.ts):
 * Kubernetes manifests validated through the kubernetes-models schemas and consistent with the lifecycle
 * config, Grafana dashboards (SDK fields, the printing panels by name, panels added through the config), and
 * the Alertmanager routing that makes an incident page once (objective inhibitions, team routes).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import { PRINTING_PANEL_TITLES, storeDashboards, validateDashboards, catalogue } from '@tillwatch/spec';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { parse } from 'yaml';
import store from '../../../deploy/tillwatch.config.ts';
import { dashboardProblems } from '../src/check/check-dashboards.ts';
import { modelOf } from '../src/generate.ts';
import { renderBundle } from '../src/render/writers.ts';

const files = renderBundle(modelOf(store, 'deploy/tillwatch.config.ts'));
const yaml = <T>(path: string): T => {
  const text = files.get(path);
  assert.ok(text !== undefined, `${path} is generated`);
  return parse(text) as T;
};

test('the Kubernetes manifests validate against the models and derive their probes from the lifecycle config', () => {
  const d = new Deployment(yaml('kubernetes/base/deployment.yaml'));
  d.validate();
  const pod = d.spec!.template.spec!;
  const c = pod.containers[0]!;
  const env = Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value]));
  const drain = store.kubernetes.lifecycle.drainDelayMs;
  const shutdown = store.kubernetes.lifecycle.shutdownTimeoutMs;
  assert.ok(pod.terminationGracePeriodSeconds! * 1000 > drain + shutdown, 'the kubelet waits longer than drain + shutdown timeout');
  assert.ok(c.readinessProbe!.periodSeconds! * 1000 < drain, 'readiness is probed more often than the drain lasts');
  assert.equal(c.readinessProbe!.failureThreshold, 1, 'one failed readiness probe takes the pod out of the Service');
  assert.deepEqual([env.TILLWATCH_DRAIN_DELAY_MS, env.TILLWATCH_SHUTDOWN_TIMEOUT_MS, env.TILLWATCH_TERMINATION_GRACE_PERIOD_SECONDS], [String(drain), String(shutdown), String(pod.terminationGracePeriodSeconds)], 'the runtime runs with the numbers the pod spec was derived from');
  assert.deepEqual([c.livenessProbe?.httpGet?.path, c.readinessProbe?.httpGet?.path, c.startupProbe?.httpGet?.path], ['/health/live', '/health/ready', '/health/startup']);
  assert.ok(c.resources?.requests?.memory && c.resources.limits?.memory, 'memory request and limit');
  const secretRefs = (c.env ?? []).filter((e) => e.valueFrom?.secretKeyRef).map((e) => e.name);
  assert.deepEqual(secretRefs.sort(), ['DATABASE_URL', 'JWT_SECRET', 'METRICS_TOKEN'], 'secrets come from Secret references, never values');

  const monitor = new ServiceMonitor(yaml('kubernetes/base/service-monitor.yaml'));
  monitor.validate();
  assert.equal(monitor.spec.endpoints?.[0]?.interval, `${store.prometheus.scrape.intervalSeconds}s`);
  const rule = new PrometheusRule(yaml('kubernetes/base/prometheus-rule.yaml'));
  rule.validate();
  const ruleCount = [...files].filter(([f]) => f.startsWith('prometheus/rules/')).flatMap(([, text]) => (parse(text) as { groups: { rules: unknown[] }[] }).groups.flatMap((g) => g.rules)).length;
  assert.equal(rule.spec.groups?.flatMap((g) => g.rules ?? []).length, ruleCount, 'the PrometheusRule carries every generated rule');
  const k = yaml<{ resources: string[] }>('kubernetes/base/kustomization.yaml');
  for (const r of k.resources) assert.ok(files.has(`kubernetes/base/${r}`), `kustomization lists ${r}, which exists`);
  // A wrong manifest is refused by the model's schema.
  assert.throws(() => new Deployment({ metadata: { name: 'x' }, spec: { replicas: 'two' as never, selector: {}, template: {} } }).validate());
});

test('the dashboards are valid SDK dashboards; printing carries its fourteen panels; a config adds panels', () => {
  const dashboards = [...files].filter(([f]) => f.startsWith('grafana/dashboards/'));
  assert.deepEqual(dashboards.map(([f]) => f.replace('grafana/dashboards/store-', '').replace('.json', '')).sort(), ['commerce', 'data', 'own-metrics', 'printing', 'security', 'service', 'slos', 'sync-delivery']);
  for (const [f, text] of dashboards) assert.deepEqual(dashboardProblems(JSON.parse(text), f), [], f);
  const printing = JSON.parse(files.get('grafana/dashboards/store-printing.json')!) as { panels: { type: string; title: string }[] };
  assert.deepEqual(printing.panels.filter((p) => p.type !== 'row').map((p) => p.title), [...PRINTING_PANEL_TITLES]);
  const slos = JSON.parse(files.get('grafana/dashboards/store-slos.json')!) as { panels: { type: string; title: string }[] };
  assert.equal(slos.panels.filter((p) => p.type === 'row').length, store.slos.length, 'one row per SLO');

  const audit = { title: 'Refunds per hour', kind: 'timeseries', unit: 'currency', queries: [{ expr: 'sum(rate(revenue_refunded_total[$__rate_interval])) * 3600' }] } as const;
  const extended = storeDashboards({ service: 'store', slos: store.slos, config: { panels: [{ dashboard: 'security', row: 'Audit', panels: [audit] }], disable: ['data'] } });
  const security = extended.find((d) => d.uid === 'store-security')!;
  assert.deepEqual(security.rows.at(-1), { title: 'Audit', panels: [audit] }, 'the new row carries the added panel');
  assert.ok(!extended.some((d) => d.uid === 'store-data'), 'a disabled dashboard is left out');
  const wrong = storeDashboards({ service: 'store', slos: [], config: { panels: [{ dashboard: 'security', row: 'Audit', panels: [{ ...audit, queries: [{ expr: 'rate(no_such_metric_total[5m])' }] }] }] } });
  assert.match(JSON.stringify(validateDashboards(wrong, catalogue)), /no_such_metric_total/, 'a panel reading an unknown metric is refused');
});

test('alertmanager.yml inhibits threshold alerts while the SLO page of their objective fires, and routes by team', () => {
  const am = yaml<{ inhibit_rules: { source_matchers: string[]; target_matchers: string[]; equal: string[] }[]; route: { routes: { matchers: string[]; routes?: { matchers: string[]; receiver: string }[] }[] } }>('alertmanager/alertmanager.yml');
  const inhibits = (slo: string) => am.inhibit_rules.find((r) => r.source_matchers.includes('burn="page"') && r.source_matchers.includes(`slo="${slo}"`) && !r.target_matchers.some((m) => m.startsWith('burn=')));
  assert.deepEqual(inhibits('payment-success')?.target_matchers, ['alertname=~"PaymentFailureRateHigh"']);
  assert.deepEqual(inhibits('order-success')?.target_matchers, ['alertname=~"OrderFailureRateHigh|SyntheticJourneyFailing"']);
  assert.deepEqual(inhibits('print-success')?.target_matchers, ['alertname=~"PrintSuccessRateLow"']);
  assert.deepEqual(inhibits('availability')?.equal, ['service']);
  const payments = am.route.routes.find((r) => r.matchers.includes('team="payments"'));
  assert.equal(payments?.routes?.find((r) => r.matchers.includes('severity="critical"'))?.receiver, 'pagerduty-critical-payments');
  const text = files.get('alertmanager/alertmanager.yml')!;
  assert.match(text, /routing_key_file: \/etc\/alertmanager\/secrets\/pagerduty_routing_key_payments/);
  const ticket = (parse(files.get('prometheus/rules/slo-payment-success.yml')!) as { groups: { rules: { alert?: string; for?: string }[] }[] }).groups.flatMap((g) => g.rules).find((r) => r.alert === 'PaymentSuccessErrorBudgetBurnTicket');
  assert.equal(ticket?.for, '1h', 'tickets wait an hour before they fire');
});
