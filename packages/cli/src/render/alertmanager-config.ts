/**
 * Writer: alertmanager.yml (https://prometheus.io/docs/alerting/latest/configuration/). Routes by severity,
 * groups by alertname, service and location, inhibits tickets while the page of the same SLO fires and
 * everything of a service while it is down. Secrets are `*_file` fields (or `${ENV}` placeholders), never values.
 */
import { type AlertSeverity, type SecretRef, BURN_LABEL, SLO_LABELS } from '@tillwatch/spec';
import type { Model } from '../model/model.ts';
import { yamlFile } from './yaml-file.ts';

/** Receiver per severity; `amtool config routes test` in `tillwatch check` asserts this mapping. */
export const RECEIVERS: Record<AlertSeverity, string> = { critical: 'pagerduty-critical', warning: 'slack-warning', info: 'email-info' };
const STORE_HOURS_INTERVAL = 'store-hours';

const DEFAULT_REPEAT: Record<AlertSeverity, string> = { critical: '1h', warning: '4h', info: '24h' };

/** `{ file }` -> `<field>_file: path`; `{ env }` -> `<field>: ${NAME}` for envsubst at deploy time. */
function secret(field: string, ref: SecretRef): Record<string, string> {
  return 'file' in ref ? { [`${field}_file`]: ref.file } : { [field]: `\${${ref.env}}` };
}

function matcher(k: string, v: string): string {
  return `${k}="${v.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

export function renderAlertmanagerConfig(model: Model): Map<string, string> {
  const am = model.config.alertmanager;
  const r = am.receivers;
  const repeat = { ...DEFAULT_REPEAT, ...am.repeatInterval };
  const hours = am.storeHours ?? { timeZone: 'UTC', weekdays: ['sunday:saturday'], start: '08:00', end: '22:00' };
  const config = {
    route: {
      receiver: RECEIVERS.warning,
      group_by: ['alertname', 'service', 'location'],
      group_wait: am.groupWait ?? '30s',
      group_interval: am.groupInterval ?? '5m',
      repeat_interval: repeat.warning,
      routes: [
        { matchers: ['severity="critical"'], receiver: RECEIVERS.critical, group_wait: am.groupWait ?? '10s', repeat_interval: repeat.critical },
        { matchers: ['severity="warning"'], receiver: RECEIVERS.warning, repeat_interval: repeat.warning },
        // Info mail only goes out during store hours; outside them it waits (muted, not dropped) until they start.
        { matchers: ['severity="info"'], receiver: RECEIVERS.info, repeat_interval: repeat.info, active_time_intervals: [STORE_HOURS_INTERVAL] },
      ],
    },
    inhibit_rules: [
      // A firing page of an SLO silences the ticket of the same SLO (SRE Workbook ch. 5: one notification per problem).
      { source_matchers: [`${BURN_LABEL}="page"`], target_matchers: [`${BURN_LABEL}="ticket"`], equal: [SLO_LABELS.service, SLO_LABELS.slo] },
      // A service that is down fails every other check: ServiceDown alone is what matters.
      { source_matchers: ['alertname="ServiceDown"'], target_matchers: ['alertname!="ServiceDown"'], equal: [SLO_LABELS.service] },
      ...(am.inhibitions ?? []).map((i) => ({
        source_matchers: Object.entries(i.source).map(([k, v]) => matcher(k, v)),
        target_matchers: Object.entries(i.target).map(([k, v]) => matcher(k, v)),
        equal: [...i.equal],
      })),
    ],
    receivers: [
      {
        name: RECEIVERS.critical,
        pagerduty_configs: [
          {
            ...secret('routing_key', r.pagerduty.routingKey),
            ...(r.pagerduty.url !== undefined ? { url: r.pagerduty.url } : {}),
            severity: 'critical',
            send_resolved: true,
            description: '{{ .CommonLabels.alertname }}: {{ .CommonAnnotations.summary }}',
          },
        ],
      },
      {
        name: RECEIVERS.warning,
        slack_configs: [
          {
            ...secret('api_url', r.slack.apiUrl),
            channel: r.slack.channel,
            send_resolved: true,
            title: '[{{ .Status | toUpper }}] {{ .CommonLabels.alertname }} ({{ .CommonLabels.service }})',
            text: '{{ range .Alerts }}{{ .Annotations.summary }}\n{{ end }}',
          },
        ],
      },
      {
        name: RECEIVERS.info,
        email_configs: [
          {
            to: r.email.to,
            from: r.email.from,
            smarthost: r.email.smarthost,
            ...(r.email.authUsername !== undefined ? { auth_username: r.email.authUsername } : {}),
            ...(r.email.authPassword !== undefined ? secret('auth_password', r.email.authPassword) : {}),
            require_tls: r.email.requireTls ?? true,
            send_resolved: false,
          },
        ],
      },
    ],
    time_intervals: [
      {
        name: STORE_HOURS_INTERVAL,
        time_intervals: [{ weekdays: [...hours.weekdays], times: [{ start_time: hours.start, end_time: hours.end }], location: hours.timeZone }],
      },
    ],
  };
  const peers = am.peers ?? [];
  const trailer =
    ` High availability: run every instance with the cluster flags, e.g.\n   prometheus-alertmanager --config.file=alertmanager.yml --cluster.listen-address=0.0.0.0:9094` +
    (peers.length > 0 ? ` ${peers.map((p) => `--cluster.peer=${p}`).join(' ')}` : '') +
    `\n Secrets are read from the *_file paths above when a notification is sent; ${'${NAME}'} placeholders (env secrets), if any, are substituted with envsubst before start.`;
  return new Map([['alertmanager/alertmanager.yml', yamlFile(config, 'Alertmanager configuration', trailer)]]);
}
