/**
 * Writer: blackbox/blackbox.yml, the modules of the Prometheus blackbox exporter
 * (https://github.com/prometheus/blackbox_exporter/blob/master/CONFIGURATION.md) for users who run it as an
 * outside uptime check of the service: its readiness and liveness probes over HTTP, and a TCP connect. The
 * multi-step journeys (log in, ring up, pay, print) are run by the service's own runner, which a single blackbox
 * probe cannot do; both report `probe_success`, which SyntheticJourneyFailing reads. The scrape job that drives the
 * exporter is in the trailing comment (it needs the exporter's address, which the deploy config does not hold).
 */
import { DEFAULT_HEALTH_BASE_PATH, managementPaths } from '@tillwatch/spec';
import type { Model } from '../model/model.ts';
import { yamlFile } from './yaml-file.ts';

export function renderBlackboxConfig(model: Model): Map<string, string> {
  const service = model.config.service;
  const scheme = model.config.prometheus.scrape.scheme ?? 'http';
  const paths = managementPaths(DEFAULT_HEALTH_BASE_PATH);
  const http = (statusRegexp: string) => ({
    prober: 'http',
    timeout: '5s',
    http: {
      method: 'GET',
      valid_status_codes: [200],
      preferred_ip_protocol: 'ip4',
      fail_if_body_not_matches_regexp: [statusRegexp],
      ...(scheme === 'https' ? { fail_if_not_ssl: true } : {}),
    },
  });
  const modules = {
    [`${service}_ready`]: http('"status":"(ok|degraded)"'),
    [`${service}_live`]: http('"status":"ok"'),
    [`${service}_tcp`]: { prober: 'tcp', timeout: '5s', tcp: { preferred_ip_protocol: 'ip4' } },
  };
  const targets = model.config.prometheus.scrape.targets;
  const scrapeExample = ` Scrape job for prometheus.yml (replace blackbox-exporter:9115 with the exporter's address):
 - job_name: ${service}-blackbox
   metrics_path: /probe
   params: { module: [${service}_ready] }
   static_configs:
     - targets: [${targets.map((t) => `${scheme}://${t}${paths.probes.ready}`).join(', ')}]
   relabel_configs:
     - { source_labels: [__address__], target_label: __param_target }
     - { source_labels: [__param_target], target_label: instance }
     - { target_label: __address__, replacement: blackbox-exporter:9115 }`;
  return new Map([['blackbox/blackbox.yml', yamlFile({ modules }, 'Prometheus blackbox exporter modules', scrapeExample)]]);
}
