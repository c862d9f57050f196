/**
 * Writers: the log shipper's config, carrying the retention classes (packages/spec/src/retention.ts).
 *
 * - `logs/vector.yaml`: Vector reads the service's JSON log lines (container stdout through `kubernetes_logs`),
 *   tags each with `retention_class` (audit, security, access, application) by the fields tillwatch writes, and
 *   ships them to Loki with `service` and `retention_class` as stream labels;
 * - `logs/loki-retention.yaml`: Loki's `limits_config` with one `retention_stream` per class, so each class is kept
 *   exactly as long as the deploy config says (the compactor's retention must be enabled).
 *
 * Generated only: neither Vector nor Loki runs in this repository's tests; the files are checked as YAML and by
 * the golden tests. The audit trail itself lives in the database and its signed archives (docs/audit.md), whose
 * retention is the same `audit` class.
 */
import { DEFAULT_RETENTION_DAYS, RETENTION_CLASSES, type RetentionClass } from '@tillwatch/spec';
import type { Model } from '../model/model.ts';
import { yamlFile } from './yaml-file.ts';

/** VRL that sets .retention_class from the line's fields (same order as the classes' precedence). */
const CLASSIFY = `. = parse_json(.message) ?? .
if exists(.security_event) {
  .retention_class = "security"
} else if .module == "audit" || starts_with(string(.msg) ?? "", "audit") {
  .retention_class = "audit"
} else if .msg == "request completed" {
  .retention_class = "access"
} else {
  .retention_class = "application"
}`;

export function retentionDays(model: Model): Record<RetentionClass, number> {
  return { ...DEFAULT_RETENTION_DAYS, ...(model.config.retention ?? {}) };
}

export function renderLogShipperConfig(model: Model): Map<string, string> {
  const days = retentionDays(model);
  const service = model.config.service;
  const vector = {
    sources: { [`${service}_logs`]: { type: 'kubernetes_logs', extra_label_selector: `app.kubernetes.io/name=${service}` } },
    transforms: { retention_class: { type: 'remap', inputs: [`${service}_logs`], source: CLASSIFY } },
    sinks: {
      loki: {
        type: 'loki',
        inputs: ['retention_class'],
        endpoint: 'http://loki:3100',
        encoding: { codec: 'json' },
        labels: { service, retention_class: '{{ retention_class }}' },
      },
    },
  };
  const loki = {
    limits_config: {
      retention_period: `${days.application * 24}h`,
      retention_stream: RETENTION_CLASSES.map((c, i) => ({ selector: `{service="${service}", retention_class="${c}"}`, priority: RETENTION_CLASSES.length - i, period: `${days[c] * 24}h` })),
    },
  };
  const table = RETENTION_CLASSES.map((c) => ` ${c}: ${days[c]} days`).join('\n');
  return new Map([
    ['logs/vector.yaml', yamlFile(vector, `Vector log shipping with retention classes (generated only: not run by the tests)`, ` Retention classes (days):\n${table}`)],
    ['logs/loki-retention.yaml', yamlFile(loki, 'Loki per-class retention (limits_config; enable the compactor retention)', ` Retention classes (days):\n${table}`)],
  ]);
}
