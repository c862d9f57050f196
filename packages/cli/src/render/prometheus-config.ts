/** Writer: prometheus.yml (https://prometheus.io/docs/prometheus/latest/configuration/configuration/). */
import type { Model } from '../model/model.ts';
import { yamlFile } from './yaml-file.ts';

const REMOTE_WRITE_EXAMPLE = ` Long-term storage (example, disabled): uncomment and point at your remote-write endpoint.
 remote_write:
   - url: https://metrics.example.com/api/v1/write
     authorization:
       credentials_file: /etc/prometheus/secrets/remote_write_token
     queue_config:
       max_samples_per_send: 2000`;

/** The prometheus.yml document as data (scale-out replicas start from it). */
export function prometheusConfigObject(model: Model) {
  const p = model.config.prometheus;
  const s = p.scrape;
  return {
    global: {
      scrape_interval: `${s.intervalSeconds ?? 15}s`,
      evaluation_interval: `${p.evaluationIntervalSeconds ?? 15}s`,
      ...(p.externalLabels !== undefined && Object.keys(p.externalLabels).length > 0 ? { external_labels: { ...p.externalLabels } } : {}),
    },
    rule_files: ['rules/*.yml'],
    alerting: {
      // Every Alertmanager is listed: Prometheus sends each alert to all of them and the cluster deduplicates.
      // A load balancer in front would split alerts between instances (https://prometheus.io/docs/alerting/latest/alertmanager/#high-availability).
      alertmanagers: [{ static_configs: [{ targets: [...p.alertmanagers] }] }],
    },
    scrape_configs: [
      {
        job_name: model.config.service,
        metrics_path: s.metricsPath ?? '/metrics',
        scheme: s.scheme ?? 'http',
        ...(s.bearerTokenFile !== undefined ? { authorization: { type: 'Bearer', credentials_file: s.bearerTokenFile } } : {}),
        static_configs: [{ targets: [...s.targets], labels: { service: model.config.service } }],
      },
    ],
  };
}

export function renderPrometheusConfig(model: Model): Map<string, string> {
  return new Map([['prometheus/prometheus.yml', yamlFile(prometheusConfigObject(model), 'Prometheus configuration', REMOTE_WRITE_EXAMPLE)]]);
}
