/**
 * Writer: alertmanager.yml (https://prometheus.io/docs/alerting/latest/configuration/). Routes by team (the
 * `team` label, for teams with receivers of their own) and then by severity, groups by alertname, service and
 * location, and inhibits so that one incident pages once: the ticket of an SLO while its page fires, the
 * threshold alerts measuring an SLO's objective while that SLO's page fires, and everything of a service while
 * it is down. Secrets are `*_file` fields (or `${ENV}` placeholders), never values.
 */
import { type AlertSeverity, type EmailReceiver, type PagerDutyReceiver, type SecretRef, type SlackReceiver, type TeamReceivers, BURN_LABEL, SLO_LABELS } from '@tillwatch/spec';
import { allAlerts, type Model } from '../model/model.ts';
import { yamlFile } from './yaml-file.ts';

/** Receiver per severity; `amtool config routes test` in `tillwatch check` asserts this mapping. */
export const RECEIVERS: Record<AlertSeverity, string> = { critical: 'pagerduty-critical', warning: 'slack-warning', info: 'email-info' };

/** The receiver of a team for a severity: its own when it names one, else the default. */
export function teamReceiver(team: string, own: TeamReceivers, severity: AlertSeverity): string {
  const has = { critical: own.pagerduty, warning: own.slack, info: own.email }[severity] !== undefined;
  return has ? `${RECEIVERS[severity]}-${team}` : RECEIVERS[severity];
}
const STORE_HOURS_INTERVAL = 'store-hours';

const DEFAULT_REPEAT: Record<AlertSeverity, string> = { critical: '1h', warning: '4h', info: '24h' };

/** `{ file }` -> `<field>_file: path`; `{ env }` -> `<field>: ${NAME}` for envsubst at deploy time. */
function secret(field: string, ref: SecretRef): Record<string, string> {
  return 'file' in ref ? { [`${field}_file`]: ref.file } : { [field]: `\${${ref.env}}` };
}

function matcher(k: string, v: string): string {
  return `${k}="${v.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

function pagerduty(p: PagerDutyReceiver): Record<string, unknown> {
  return {
    ...secret('routing_key', p.routingKey),
    ...(p.url !== undefined ? { url: p.url } : {}),
    severity: 'critical',
    send_resolved: true,
    description: '{{ .CommonLabels.alertname }}: {{ .CommonAnnotations.summary }}',
  };
}

function slack(sl: SlackReceiver): Record<string, unknown> {
  return {
    ...secret('api_url', sl.apiUrl),
    channel: sl.channel,
    send_resolved: true,
    title: '[{{ .Status | toUpper }}] {{ .CommonLabels.alertname }} ({{ .CommonLabels.service }})',
    text: '{{ range .Alerts }}{{ .Annotations.summary }}\n{{ end }}',
  };
}

function email(e: EmailReceiver): Record<string, unknown> {
  return {
    to: e.to,
    from: e.from,
    smarthost: e.smarthost,
    ...(e.authUsername !== undefined ? { auth_username: e.authUsername } : {}),
    ...(e.authPassword !== undefined ? secret('auth_password', e.authPassword) : {}),
    require_tls: e.requireTls ?? true,
    send_resolved: false,
  };
}

/** One inhibition per SLO that has threshold alerts on its objective: its burn page mutes them. */
function objectiveInhibitions(model: Model): { source_matchers: string[]; target_matchers: string[]; equal: string[] }[] {
  const thresholdAlerts = allAlerts(model).filter((a) => a.origin !== 'slo' && a.objective !== undefined);
  return model.slos.flatMap((slo) => {
    const names = [...new Set(thresholdAlerts.filter((a) => a.objective === slo.kind).map((a) => a.name))].sort();
    if (names.length === 0) return [];
    return [
      {
        source_matchers: [`${BURN_LABEL}="page"`, matcher(SLO_LABELS.slo, slo.name)],
        target_matchers: [`alertname=~"${names.join('|')}"`],
        equal: [SLO_LABELS.service],
      },
    ];
  });
}

export function renderAlertmanagerConfig(model: Model): Map<string, string> {
  const am = model.config.alertmanager;
  const r = am.receivers;
  const repeat = { ...DEFAULT_REPEAT, ...am.repeatInterval };
  const hours = am.storeHours ?? { timeZone: 'UTC', weekdays: ['sunday:saturday'], start: '08:00', end: '22:00' };
  const teams = Object.entries(am.teams ?? {}).sort(([a], [b]) => a.localeCompare(b));
  const severityRoutes = (receiver: (s: AlertSeverity) => string) => [
    { matchers: ['severity="critical"'], receiver: receiver('critical'), group_wait: am.groupWait ?? '10s', repeat_interval: repeat.critical },
    { matchers: ['severity="warning"'], receiver: receiver('warning'), repeat_interval: repeat.warning },
    // Info mail only goes out during store hours; outside them it waits (muted, not dropped) until they start.
    { matchers: ['severity="info"'], receiver: receiver('info'), repeat_interval: repeat.info, active_time_intervals: [STORE_HOURS_INTERVAL] },
  ];
  const config = {
    route: {
      receiver: RECEIVERS.warning,
      group_by: ['alertname', 'service', 'location'],
      group_wait: am.groupWait ?? '30s',
      group_interval: am.groupInterval ?? '5m',
      repeat_interval: repeat.warning,
      routes: [
        // A team with receivers of its own gets its alerts there, severity by severity.
        ...teams.map(([team, own]) => ({ matchers: [matcher('team', team)], routes: severityRoutes((sev) => teamReceiver(team, own, sev)) })),
        ...severityRoutes((sev) => RECEIVERS[sev]),
      ],
    },
    inhibit_rules: [
      // A firing page of an SLO silences the ticket of the same SLO (SRE Workbook ch. 5: one notification per problem).
      { source_matchers: [`${BURN_LABEL}="page"`], target_matchers: [`${BURN_LABEL}="ticket"`], equal: [SLO_LABELS.service, SLO_LABELS.slo] },
      // A threshold alert measuring an SLO's objective (PaymentFailureRateHigh and the payment-success SLO) is
      // the same incident as that SLO's burn page: while the page fires, the threshold alert stays quiet.
      ...objectiveInhibitions(model),
      // A service that is down fails every other check: ServiceDown alone is what matters.
      { source_matchers: ['alertname="ServiceDown"'], target_matchers: ['alertname!="ServiceDown"'], equal: [SLO_LABELS.service] },
      ...(am.inhibitions ?? []).map((i) => ({
        source_matchers: Object.entries(i.source).map(([k, v]) => matcher(k, v)),
        target_matchers: Object.entries(i.target).map(([k, v]) => matcher(k, v)),
        equal: [...i.equal],
      })),
    ],
    receivers: [
      { name: RECEIVERS.critical, pagerduty_configs: [pagerduty(r.pagerduty)] },
      { name: RECEIVERS.warning, slack_configs: [slack(r.slack)] },
      { name: RECEIVERS.info, email_configs: [email(r.email)] },
      ...teams.flatMap(([team, own]) => [
        ...(own.pagerduty ? [{ name: teamReceiver(team, own, 'critical'), pagerduty_configs: [pagerduty(own.pagerduty)] }] : []),
        ...(own.slack ? [{ name: teamReceiver(team, own, 'warning'), slack_configs: [slack(own.slack)] }] : []),
        ...(own.email ? [{ name: teamReceiver(team, own, 'info'), email_configs: [email(own.email)] }] : []),
      ]),
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
