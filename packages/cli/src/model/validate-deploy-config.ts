/**
 * Validates a deploy config at the boundary: unknown keys are errors, names are safe, secrets are file or env
 * references, inhibitions have a non-empty `equal`, and the service's own catalogue is well-formed; SLOs and
 * alerts may read the built-in catalogue and the service's own. Returns every problem at once.
 */
import { BUCKETS, RETENTION_CLASSES, SPEC_VERSION, validateSlos, ALERT_SEVERITIES, isDuration, LABEL_NAME, SAFE_NAME, shown, type AlertSpecProblem, DEFAULT_STORE_THRESHOLDS, DURATION_THRESHOLDS, validateAlerts } from '@tillwatch/spec';
import { serviceCatalogue } from './service-catalogue.ts';

type Obj = Record<string, unknown>;

const HOST_PORT = /^[A-Za-z0-9][A-Za-z0-9._-]*:\d{1,5}$/;
const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;
const EMAIL = /^[^\s@"<>{}]+@[^\s@"<>{}]+$/;

/** Alertmanager counts weekdays from sunday; a range must not wrap (https://prometheus.io/docs/alerting/latest/configuration/#time_interval). */
const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
function validWeekdays(d: unknown): boolean {
  if (typeof d !== 'string') return false;
  const [from = '', to = from, ...rest] = d.split(':');
  return rest.length === 0 && WEEKDAYS.includes(from) && WEEKDAYS.includes(to) && WEEKDAYS.indexOf(from) <= WEEKDAYS.indexOf(to);
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

class Checker {
  readonly problems: AlertSpecProblem[] = [];
  bad(path: string, code: AlertSpecProblem['code'], message: string): void {
    this.problems.push({ path, code, message });
  }
  /** Reports unknown keys; returns the object (or undefined when it is not an object). */
  obj(v: unknown, path: string, keys: readonly string[], required = true): Obj | undefined {
    if (v === undefined && !required) return undefined;
    if (!isObj(v)) {
      this.bad(path, 'TW_ERR_ALERTS_INVALID_SPEC', `must be an object, got ${shown(v)}`);
      return undefined;
    }
    for (const k of Object.keys(v)) if (!keys.includes(k)) this.bad(`${path}.${k}`, 'TW_ERR_ALERTS_UNKNOWN_KEY', `unknown key "${k}" (known: ${keys.join(', ')})`);
    return v;
  }
  safeName(v: unknown, path: string): void {
    if (typeof v !== 'string' || !SAFE_NAME.test(v)) this.bad(path, 'TW_ERR_ALERTS_UNSAFE_NAME', `must be lower-case letters, digits, - or _ (${SAFE_NAME}), got ${shown(v)}`);
  }
  line(v: unknown, path: string, required = true): void {
    if (v === undefined && !required) return;
    if (typeof v !== 'string' || v === '' || /[\r\n]/.test(v) || v.includes('{{')) this.bad(path, 'TW_ERR_ALERTS_UNSAFE_NAME', `must be a non-empty single line without template braces, got ${shown(v)}`);
  }
  hostPorts(v: unknown, path: string, required = true): void {
    if (v === undefined && !required) return;
    if (!Array.isArray(v) || (required && v.length === 0)) return this.bad(path, 'TW_ERR_ALERTS_INVALID_SPEC', `must be a non-empty list of host:port, got ${shown(v)}`);
    v.forEach((t, i) => {
      if (typeof t !== 'string' || !HOST_PORT.test(t)) this.bad(`${path}[${i}]`, 'TW_ERR_ALERTS_INVALID_SPEC', `must be host:port, got ${shown(t)}`);
    });
  }
  absPath(v: unknown, path: string): void {
    if (typeof v !== 'string' || !v.startsWith('/') || /[\s\r\n"'{}$]/.test(v)) this.bad(path, 'TW_ERR_ALERTS_INVALID_SPEC', `must be an absolute file path without spaces or quotes, got ${shown(v)}`);
  }
  secret(v: unknown, path: string, required = true): void {
    if (v === undefined && !required) return;
    if (typeof v === 'string') {
      return this.bad(
        path,
        'TW_ERR_ALERTS_INLINE_SECRET',
        'inline secret: secrets are never written into generated files; use { file: "/etc/alertmanager/secrets/<name>" } or { env: "NAME" }',
      );
    }
    const o = this.obj(v, path, ['file', 'env']);
    if (o === undefined) return;
    const keys = Object.keys(o);
    if (keys.length !== 1) return this.bad(path, 'TW_ERR_ALERTS_INVALID_SPEC', 'a secret reference has exactly one of file or env');
    if ('file' in o) this.absPath(o.file, `${path}.file`);
    if ('env' in o && (typeof o.env !== 'string' || !ENV_NAME.test(o.env))) this.bad(`${path}.env`, 'TW_ERR_ALERTS_INVALID_SPEC', `must be an environment variable name (${ENV_NAME}), got ${shown(o.env)}`);
  }
  labels(v: unknown, path: string): void {
    if (v === undefined) return;
    if (!isObj(v)) return this.bad(path, 'TW_ERR_ALERTS_INVALID_SPEC', `must be an object of label names to values, got ${shown(v)}`);
    for (const [k, val] of Object.entries(v)) {
      if (!LABEL_NAME.test(k) || k.startsWith('__')) this.bad(`${path}.${k}`, 'TW_ERR_ALERTS_UNSAFE_NAME', `${shown(k)} is not a valid label name`);
      this.line(val, `${path}.${k}`);
    }
  }
}

/** Receivers (the defaults, all three required, or a team's own, any of them), each validated alike. */
function checkReceivers(c: Checker, r: Obj, path: string, required: boolean): void {
  const pd = c.obj(r.pagerduty, `${path}.pagerduty`, ['routingKey', 'url'], required);
  if (pd !== undefined) {
    c.secret(pd.routingKey, `${path}.pagerduty.routingKey`);
    if (pd.url !== undefined && (typeof pd.url !== 'string' || !/^https?:\/\/[^\s"'{}@]+$/.test(pd.url))) c.bad(`${path}.pagerduty.url`, 'TW_ERR_ALERTS_INVALID_SPEC', `must be an http(s) URL without credentials, got ${shown(pd.url)}`);
  }
  const slack = c.obj(r.slack, `${path}.slack`, ['apiUrl', 'channel'], required);
  if (slack !== undefined) {
    c.secret(slack.apiUrl, `${path}.slack.apiUrl`);
    if (typeof slack.channel !== 'string' || !/^[#@][A-Za-z0-9._-]{1,80}$/.test(slack.channel)) c.bad(`${path}.slack.channel`, 'TW_ERR_ALERTS_UNSAFE_NAME', `must look like #channel, got ${shown(slack.channel)}`);
  }
  const email = c.obj(r.email, `${path}.email`, ['to', 'from', 'smarthost', 'authUsername', 'authPassword', 'requireTls'], required);
  if (email !== undefined) {
    for (const k of ['to', 'from'] as const) if (typeof email[k] !== 'string' || !EMAIL.test(email[k] as string)) c.bad(`${path}.email.${k}`, 'TW_ERR_ALERTS_INVALID_SPEC', `must be an e-mail address, got ${shown(email[k])}`);
    c.hostPorts([email.smarthost], `${path}.email.smarthost`);
    c.line(email.authUsername, `${path}.email.authUsername`, false);
    c.secret(email.authPassword, `${path}.email.authPassword`, false);
    if (email.requireTls !== undefined && typeof email.requireTls !== 'boolean') c.bad(`${path}.email.requireTls`, 'TW_ERR_ALERTS_INVALID_SPEC', `must be a boolean, got ${shown(email.requireTls)}`);
  }
}

/**
 * Every problem with a deploy config; empty when it can be generated.
 * @param config the default export of the config file (unknown: it has not been type-checked at run time).
 * @param packAlertNames names of the default pack's alerts (for `disable` and `overrides`).
 */
export function validateDeployConfig(config: unknown, packAlertNames: readonly string[]): AlertSpecProblem[] {
  const c = new Checker();
  const root = c.obj(config, 'config', ['version', 'service', 'team', 'catalogue', 'slos', 'alerts', 'dashboards', 'kubernetes', 'compose', 'prometheus', 'alertmanager', 'retention', 'scaleOut']);
  if (root === undefined) return c.problems;
  const retention = c.obj(root.retention, 'retention', RETENTION_CLASSES, false);
  for (const [k, v] of Object.entries(retention ?? {})) {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 36_500) c.bad(`retention.${k}`, 'TW_ERR_ALERTS_INVALID_SPEC', `must be a number of days between 1 and 36500, got ${shown(v)}`);
  }
  if (root.version !== SPEC_VERSION) c.bad('version', 'TW_ERR_ALERTS_INVALID_SPEC', `must be "${SPEC_VERSION}", got ${shown(root.version)}`);
  c.safeName(root.service, 'service');
  c.safeName(root.team, 'team');
  const { catalogue, problems: catalogueProblems } = serviceCatalogue(root.catalogue);
  c.problems.push(...catalogueProblems);
  c.problems.push(...validateSlos(root.slos as never, 'slos', catalogue));

  const dashboards = c.obj(root.dashboards, 'dashboards', ['extra', 'panels', 'disable'], false);
  for (const k of ['extra', 'panels', 'disable'] as const) if (dashboards?.[k] !== undefined && !Array.isArray(dashboards[k])) c.bad(`dashboards.${k}`, 'TW_ERR_ALERTS_INVALID_SPEC', 'must be a list');

  const k8s = c.obj(root.kubernetes, 'kubernetes', ['namespace', 'image', 'replicas', 'port', 'lifecycle', 'resources', 'env', 'secrets'], false);
  if (k8s !== undefined) {
    c.safeName(k8s.namespace, 'kubernetes.namespace');
    c.line(k8s.image, 'kubernetes.image');
    for (const k of ['replicas', 'port'] as const) if (k8s[k] !== undefined && (!Number.isInteger(k8s[k]) || (k8s[k] as number) < 1)) c.bad(`kubernetes.${k}`, 'TW_ERR_ALERTS_INVALID_SPEC', `must be a positive integer, got ${shown(k8s[k])}`);
    const lc = c.obj(k8s.lifecycle, 'kubernetes.lifecycle', ['drainDelayMs', 'shutdownTimeoutMs'], false);
    for (const [k, v] of Object.entries(lc ?? {})) if (!Number.isInteger(v) || (v as number) < 0) c.bad(`kubernetes.lifecycle.${k}`, 'TW_ERR_ALERTS_INVALID_SPEC', `must be a non-negative integer of milliseconds, got ${shown(v)}`);
    const res = c.obj(k8s.resources, 'kubernetes.resources', ['requests', 'limits'], false);
    for (const k of ['requests', 'limits'] as const) c.obj(res?.[k], `kubernetes.resources.${k}`, ['cpu', 'memory'], false);
    c.labels(k8s.env, 'kubernetes.env');
    const sec = c.obj(k8s.secrets, 'kubernetes.secrets', ['env', 'metricsToken'], false);
    const ref = (v: unknown, p: string) => {
      const o = c.obj(v, p, ['secret', 'key']);
      if (o !== undefined) for (const k of ['secret', 'key'] as const) if (typeof o[k] !== 'string' || !/^[A-Za-z0-9._-]{1,253}$/.test(o[k] as string)) c.bad(`${p}.${k}`, 'TW_ERR_ALERTS_UNSAFE_NAME', `must be a Kubernetes name, got ${shown(o[k])}`);
    };
    if (isObj(sec?.env)) for (const [name, v] of Object.entries(sec.env)) ref(v, `kubernetes.secrets.env.${name}`);
    if (sec?.metricsToken !== undefined) ref(sec.metricsToken, 'kubernetes.secrets.metricsToken');
  }

  const compose = c.obj(root.compose, 'compose', ['image', 'source', 'command', 'port', 'env'], false);
  if (compose !== undefined) {
    c.line(compose.image, 'compose.image', false);
    c.line(compose.source, 'compose.source', false);
    if (compose.image === undefined && k8s?.image === undefined) c.bad('compose.image', 'TW_ERR_ALERTS_INVALID_SPEC', 'must be set when kubernetes.image is not (the service needs an image)');
    if (compose.command !== undefined && (!Array.isArray(compose.command) || compose.command.length === 0 || compose.command.some((a) => typeof a !== 'string'))) c.bad('compose.command', 'TW_ERR_ALERTS_INVALID_SPEC', `must be a non-empty list of strings, got ${shown(compose.command)}`);
    if (compose.port !== undefined && (!Number.isInteger(compose.port) || (compose.port as number) < 1 || (compose.port as number) > 65535)) c.bad('compose.port', 'TW_ERR_ALERTS_INVALID_SPEC', `must be a port number, got ${shown(compose.port)}`);
    c.labels(compose.env, 'compose.env');
  }

  const alerts = c.obj(root.alerts, 'alerts', ['thresholds', 'teams', 'disable', 'overrides', 'extra', 'runbookBaseUrl'], false);
  if (alerts !== undefined) {
    const th = c.obj(alerts.thresholds, 'alerts.thresholds', Object.keys(DEFAULT_STORE_THRESHOLDS), false);
    for (const [k, v] of Object.entries(th ?? {})) {
      const p = `alerts.thresholds.${k}`;
      if (DURATION_THRESHOLDS.includes(k as never)) {
        if (!isDuration(v)) c.bad(p, 'TW_ERR_ALERTS_INVALID_SPEC', `must be a duration such as 5m, got ${shown(v)}`);
      } else if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) c.bad(p, 'TW_ERR_ALERTS_INVALID_SPEC', `must be a non-negative number, got ${shown(v)}`);
      else if (k.endsWith('Ratio') || k === 'dbPoolUtilisation') {
        if (v <= 0 || v >= 1) c.bad(p, 'TW_ERR_ALERTS_INVALID_SPEC', `must be a ratio strictly between 0 and 1, got ${shown(v)}`);
      } else if ((k === 'httpP95Seconds' || k === 'httpP99Seconds') && !(BUCKETS.httpSeconds.slice(0, -1) as readonly number[]).includes(v)) {
        // histogram_quantile() reports the top finite bound for anything in +Inf, so the top bound can never be exceeded.
        c.bad(p, 'TW_ERR_ALERTS_NOT_A_BUCKET', `${v} s is not a bucket boundary of http_request_duration_seconds below its largest (boundaries: ${BUCKETS.httpSeconds.slice(0, -1).join(', ')})`);
      }
    }
    const teams = c.obj(alerts.teams, 'alerts.teams', ['platform', 'commerce', 'security'], false);
    for (const [k, v] of Object.entries(teams ?? {})) c.safeName(v, `alerts.teams.${k}`);
    if (alerts.disable !== undefined) {
      if (!Array.isArray(alerts.disable)) c.bad('alerts.disable', 'TW_ERR_ALERTS_INVALID_SPEC', 'must be a list of alert names');
      else alerts.disable.forEach((n, i) => {
        if (!packAlertNames.includes(n)) c.bad(`alerts.disable[${i}]`, 'TW_ERR_ALERTS_INVALID_SPEC', `${shown(n)} is not an alert of the default pack (${packAlertNames.join(', ')})`);
      });
    }
    const overrides = c.obj(alerts.overrides, 'alerts.overrides', packAlertNames, false);
    for (const [name, o] of Object.entries(overrides ?? {})) {
      const ov = c.obj(o, `alerts.overrides.${name}`, ['severity', 'for']);
      if (ov?.severity !== undefined && !ALERT_SEVERITIES.includes(ov.severity as never)) c.bad(`alerts.overrides.${name}.severity`, 'TW_ERR_ALERTS_INVALID_SPEC', `must be one of ${ALERT_SEVERITIES.join(', ')}, got ${shown(ov.severity)}`);
      if (ov?.for !== undefined && !isDuration(ov.for)) c.bad(`alerts.overrides.${name}.for`, 'TW_ERR_ALERTS_INVALID_SPEC', `must be a duration, got ${shown(ov.for)}`);
    }
    if (alerts.extra !== undefined) {
      if (!Array.isArray(alerts.extra)) c.bad('alerts.extra', 'TW_ERR_ALERTS_INVALID_SPEC', 'must be a list of alerts');
      else {
        c.problems.push(...validateAlerts(alerts.extra, 'alerts.extra', { catalogue }));
        alerts.extra.forEach((a: { name?: unknown }, i) => {
          if (packAlertNames.includes(a?.name as string)) c.bad(`alerts.extra[${i}]`, 'TW_ERR_ALERTS_INVALID_SPEC', `${shown(a.name)} is already an alert of the default pack; use overrides or disable it first`);
        });
      }
    }
    if (alerts.runbookBaseUrl !== undefined && (typeof alerts.runbookBaseUrl !== 'string' || !/^https?:\/\/[^\s"'{}]+$/.test(alerts.runbookBaseUrl))) {
      c.bad('alerts.runbookBaseUrl', 'TW_ERR_ALERTS_INVALID_SPEC', `must be an http(s) URL, got ${shown(alerts.runbookBaseUrl)}`);
    }
  }

  const prom = c.obj(root.prometheus, 'prometheus', ['scrape', 'evaluationIntervalSeconds', 'externalLabels', 'alertmanagers']);
  if (prom !== undefined) {
    const scrape = c.obj(prom.scrape, 'prometheus.scrape', ['targets', 'metricsPath', 'scheme', 'intervalSeconds', 'bearerTokenFile']);
    if (scrape !== undefined) {
      c.hostPorts(scrape.targets, 'prometheus.scrape.targets');
      if (scrape.metricsPath !== undefined && (typeof scrape.metricsPath !== 'string' || !/^\/[A-Za-z0-9/_.-]*$/.test(scrape.metricsPath))) c.bad('prometheus.scrape.metricsPath', 'TW_ERR_ALERTS_INVALID_SPEC', `must be a path such as /metrics, got ${shown(scrape.metricsPath)}`);
      if (scrape.scheme !== undefined && scrape.scheme !== 'http' && scrape.scheme !== 'https') c.bad('prometheus.scrape.scheme', 'TW_ERR_ALERTS_INVALID_SPEC', `must be http or https, got ${shown(scrape.scheme)}`);
      if (scrape.intervalSeconds !== undefined && !(Number.isInteger(scrape.intervalSeconds) && (scrape.intervalSeconds as number) >= 1)) c.bad('prometheus.scrape.intervalSeconds', 'TW_ERR_ALERTS_INVALID_SPEC', `must be a whole number of seconds, got ${shown(scrape.intervalSeconds)}`);
      if (scrape.bearerTokenFile !== undefined) c.absPath(scrape.bearerTokenFile, 'prometheus.scrape.bearerTokenFile');
    }
    if (prom.evaluationIntervalSeconds !== undefined && !(Number.isInteger(prom.evaluationIntervalSeconds) && (prom.evaluationIntervalSeconds as number) >= 1)) c.bad('prometheus.evaluationIntervalSeconds', 'TW_ERR_ALERTS_INVALID_SPEC', `must be a whole number of seconds, got ${shown(prom.evaluationIntervalSeconds)}`);
    c.labels(prom.externalLabels, 'prometheus.externalLabels');
    c.hostPorts(prom.alertmanagers, 'prometheus.alertmanagers');
  }

  const so = c.obj(root.scaleOut, 'scaleOut', ['prometheusReplicas', 'replicaLabel', 'victoriaMetrics'], false);
  if (so !== undefined) {
    const n = so.prometheusReplicas;
    if (n !== undefined && !(Number.isInteger(n) && (n as number) >= 2 && (n as number) <= 10)) c.bad('scaleOut.prometheusReplicas', 'TW_ERR_ALERTS_INVALID_SPEC', `must be a whole number from 2 to 10, got ${shown(n)}`);
    const label = so.replicaLabel;
    if (label !== undefined && (typeof label !== 'string' || !LABEL_NAME.test(label) || label.startsWith('__'))) c.bad('scaleOut.replicaLabel', 'TW_ERR_ALERTS_UNSAFE_NAME', `must be a label name, got ${shown(label)}`);
    const external = isObj(root.prometheus) && isObj(root.prometheus.externalLabels) ? root.prometheus.externalLabels : {};
    if (Object.hasOwn(external, typeof label === 'string' ? label : 'replica')) c.bad('scaleOut.replicaLabel', 'TW_ERR_ALERTS_INVALID_SPEC', `${shown(label ?? 'replica')} is already one of prometheus.externalLabels: each replica sets its own value`);
    const vm = c.obj(so.victoriaMetrics, 'scaleOut.victoriaMetrics', ['url', 'retentionPeriod']);
    if (vm !== undefined) {
      if (typeof vm.url !== 'string' || !/^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?\/?$/.test(vm.url)) c.bad('scaleOut.victoriaMetrics.url', 'TW_ERR_ALERTS_INVALID_SPEC', `must be the base URL of VictoriaMetrics such as http://victoria-metrics:8428, got ${shown(vm.url)}`);
      if (vm.retentionPeriod !== undefined && (typeof vm.retentionPeriod !== 'string' || !/^\d+(h|d|w|y)?$/.test(vm.retentionPeriod))) c.bad('scaleOut.victoriaMetrics.retentionPeriod', 'TW_ERR_ALERTS_INVALID_SPEC', `must be a VictoriaMetrics retention such as 400d, 56w or 1y (a bare number counts months), got ${shown(vm.retentionPeriod)}`);
    }
    // The cluster: node i serves prometheus.alertmanagers[i] and gossips on alertmanager.peers[i].
    const nodes = isObj(root.prometheus) && Array.isArray(root.prometheus.alertmanagers) ? root.prometheus.alertmanagers.length : 0;
    const peers = isObj(root.alertmanager) && Array.isArray(root.alertmanager.peers) ? root.alertmanager.peers.length : 0;
    if (nodes < 2 || peers !== nodes) c.bad('alertmanager.peers', 'TW_ERR_ALERTS_INVALID_SPEC', `scale-out needs an Alertmanager cluster: at least 2 prometheus.alertmanagers and one alertmanager.peers entry (cluster address) for each, in the same order; got ${nodes} and ${peers}`);
  }

  const am = c.obj(root.alertmanager, 'alertmanager', ['receivers', 'teams', 'peers', 'storeHours', 'groupWait', 'groupInterval', 'repeatInterval', 'inhibitions']);
  if (am !== undefined) {
    for (const k of ['groupWait', 'groupInterval'] as const) {
      if (am[k] !== undefined && !isDuration(am[k])) c.bad(`alertmanager.${k}`, 'TW_ERR_ALERTS_INVALID_SPEC', `must be a duration such as 30s, got ${shown(am[k])}`);
    }
    const r = c.obj(am.receivers, 'alertmanager.receivers', ['pagerduty', 'slack', 'email']);
    if (r !== undefined) checkReceivers(c, r, 'alertmanager.receivers', true);
    const teams = c.obj(am.teams, 'alertmanager.teams', Object.keys(isObj(am.teams) ? am.teams : {}), false);
    for (const [team, v] of Object.entries(teams ?? {})) {
      const p = `alertmanager.teams.${team}`;
      c.safeName(team, p);
      const tr = c.obj(v, p, ['pagerduty', 'slack', 'email']);
      if (tr !== undefined) checkReceivers(c, tr, p, false);
    }
    c.hostPorts(am.peers, 'alertmanager.peers', false);
    const sh = c.obj(am.storeHours, 'alertmanager.storeHours', ['timeZone', 'weekdays', 'start', 'end'], false);
    if (sh !== undefined) {
      if (typeof sh.timeZone !== 'string' || !/^[A-Za-z_]+(\/[A-Za-z_+-]+)*$/.test(sh.timeZone)) c.bad('alertmanager.storeHours.timeZone', 'TW_ERR_ALERTS_INVALID_SPEC', `must be an IANA time zone, got ${shown(sh.timeZone)}`);
      if (!Array.isArray(sh.weekdays) || sh.weekdays.length === 0 || sh.weekdays.some((d) => !validWeekdays(d))) {
        c.bad('alertmanager.storeHours.weekdays', 'TW_ERR_ALERTS_INVALID_SPEC', `must be a list of days or ranges in week order starting on sunday, such as ["monday:saturday"], got ${shown(sh.weekdays)}`);
      }
      for (const k of ['start', 'end'] as const) if (typeof sh[k] !== 'string' || !/^([01]\d|2[0-4]):[0-5]\d$/.test(sh[k] as string)) c.bad(`alertmanager.storeHours.${k}`, 'TW_ERR_ALERTS_INVALID_SPEC', `must be HH:MM, got ${shown(sh[k])}`);
    }
    const ri = c.obj(am.repeatInterval, 'alertmanager.repeatInterval', ALERT_SEVERITIES, false);
    for (const [k, v] of Object.entries(ri ?? {})) if (!isDuration(v)) c.bad(`alertmanager.repeatInterval.${k}`, 'TW_ERR_ALERTS_INVALID_SPEC', `must be a duration, got ${shown(v)}`);
    if (am.inhibitions !== undefined) {
      if (!Array.isArray(am.inhibitions)) c.bad('alertmanager.inhibitions', 'TW_ERR_ALERTS_INVALID_SPEC', 'must be a list');
      else am.inhibitions.forEach((inh, i) => {
        const p = `alertmanager.inhibitions[${i}]`;
        const o = c.obj(inh, p, ['source', 'target', 'equal']);
        if (o === undefined) return;
        c.labels(o.source, `${p}.source`);
        c.labels(o.target, `${p}.target`);
        if (!isObj(o.source) || Object.keys(o.source).length === 0 || !isObj(o.target) || Object.keys(o.target).length === 0) c.bad(p, 'TW_ERR_ALERTS_INVALID_SPEC', 'source and target need at least one label each');
        if (!Array.isArray(o.equal) || o.equal.length === 0) {
          c.bad(`${p}.equal`, 'TW_ERR_ALERTS_INHIBITION_EQUAL', 'an inhibition needs a non-empty equal list (e.g. ["service"]): without it one alert mutes every matching alert of every service and location');
        } else o.equal.forEach((l, j) => {
          if (typeof l !== 'string' || !LABEL_NAME.test(l)) c.bad(`${p}.equal[${j}]`, 'TW_ERR_ALERTS_UNSAFE_NAME', `${shown(l)} is not a label name`);
        });
      });
    }
  }
  return c.problems;
}
