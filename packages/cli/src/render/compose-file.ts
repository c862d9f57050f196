/**
 * Writer: a local stack as a compose file (https://compose-spec.io), `compose/compose.yaml`, next to the
 * Prometheus and Alertmanager configurations it runs (`compose/prometheus.yml`, `compose/alertmanager.yml`, derived
 * from the generated ones by local-stack.ts). Services: the service itself, Postgres, Redis, Prometheus (the
 * generated rules), Alertmanager (the generated routing, every receiver delivering to the webhook receiver), Grafana
 * (the generated datasource and dashboards provisioning) and the webhook receiver (`tillwatch receiver`), standing in
 * for PagerDuty, Slack and e-mail. Every file it mounts is part of the bundle, except `compose.source`.
 * `tillwatch check` validates it against the compose-spec schema and checks its consistency (check-compose.ts).
 */
import { parse } from 'yaml';
import type { Model } from '../model/model.ts';
import { renderAlertmanagerConfig } from './alertmanager-config.ts';
import { GRAFANA_DASHBOARDS_PATH } from './grafana-dashboards.ts';
import { demoTimings, localAlertmanagerConfig, localPrometheusConfig } from './local-stack.ts';
import { renderPrometheusConfig } from './prometheus-config.ts';
import { yamlFile } from './yaml-file.ts';
import { CLI_VERSION } from '../version.ts';

/** Images of the parts around the service, pinned (the versions the generated configurations are checked with, or newer of the same major). */
export const COMPOSE_IMAGES = Object.freeze({
  postgres: 'postgres:17',
  redis: 'redis:7',
  prometheus: 'prom/prometheus:v2.53.3',
  alertmanager: 'prom/alertmanager:v0.27.0',
  grafana: 'grafana/grafana:11.4.0',
  node: 'node:24-bookworm-slim',
});

/** Container (and host) ports of the stack's parts; Grafana's host port is 3001 so the service may keep 3000. */
export const COMPOSE_PORTS = Object.freeze({ prometheus: 9090, alertmanager: 9093, grafana: 3000, grafanaHost: 3001, receiver: 9099 });

const POSTGRES_PASSWORD = 'tillwatch-local';

/** Port the service listens on in its container. */
function servicePort(model: Model): number {
  return model.config.compose?.port ?? model.config.kubernetes?.port ?? 3000;
}

export function renderComposeFile(model: Model): Map<string, string> {
  const c = model.config;
  const compose = c.compose;
  if (compose === undefined) return new Map();
  const name = c.service;
  const port = servicePort(model);
  const image = compose.image ?? c.kubernetes?.image ?? COMPOSE_IMAGES.node;
  const mountSource = compose.source !== undefined ? { working_dir: '/app', volumes: [`${compose.source}:/app`] } : {};
  const healthcheck = (test: string[]) => ({ test, interval: '5s', timeout: '5s', retries: 30 });
  const timings = demoTimings(c.prometheus.scrape.intervalSeconds ?? 15, c.prometheus.evaluationIntervalSeconds ?? 15);

  const services: Record<string, unknown> = {
    [name]: {
      image,
      ...mountSource,
      ...(compose.command !== undefined ? { command: [...compose.command] } : {}),
      // KEY=VALUE strings: a plain YAML value such as `off` could be read as a boolean.
      environment: Object.entries({
        ...(compose.env ?? c.kubernetes?.env ?? {}),
        HOST: '0.0.0.0',
        PORT: String(port),
        DATABASE_URL: `postgres://postgres:${POSTGRES_PASSWORD}@postgres:5432/${name}`,
        REDIS_URL: 'redis://redis:6379',
      }).map(([k, v]) => `${k}=${v}`),
      ports: [`${port}:${port}`],
      depends_on: { postgres: { condition: 'service_healthy' }, redis: { condition: 'service_healthy' } },
      // Node is in the image (the service is a Node service); no curl needed.
      healthcheck: healthcheck(['CMD', 'node', '-e', `fetch('http://127.0.0.1:${port}/health/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))`]),
    },
    postgres: {
      image: COMPOSE_IMAGES.postgres,
      environment: [`POSTGRES_PASSWORD=${POSTGRES_PASSWORD}`, `POSTGRES_DB=${name}`],
      volumes: ['postgres-data:/var/lib/postgresql/data'],
      healthcheck: healthcheck(['CMD-SHELL', `pg_isready -U postgres -d ${name}`]),
    },
    redis: {
      image: COMPOSE_IMAGES.redis,
      healthcheck: healthcheck(['CMD', 'redis-cli', 'ping']),
    },
    prometheus: {
      image: COMPOSE_IMAGES.prometheus,
      command: ['--config.file=/etc/prometheus/prometheus.yml', '--storage.tsdb.path=/prometheus', '--web.enable-lifecycle'],
      volumes: ['./prometheus.yml:/etc/prometheus/prometheus.yml:ro', '../prometheus/rules:/etc/prometheus/rules:ro', 'prometheus-data:/prometheus'],
      ports: [`${COMPOSE_PORTS.prometheus}:${COMPOSE_PORTS.prometheus}`],
      depends_on: [name, 'alertmanager'],
    },
    alertmanager: {
      image: COMPOSE_IMAGES.alertmanager,
      // One instance: an empty cluster address turns clustering off.
      command: ['--config.file=/etc/alertmanager/alertmanager.yml', '--storage.path=/alertmanager', '--cluster.listen-address='],
      volumes: ['./alertmanager.yml:/etc/alertmanager/alertmanager.yml:ro'],
      ports: [`${COMPOSE_PORTS.alertmanager}:${COMPOSE_PORTS.alertmanager}`],
      depends_on: ['receiver'],
    },
    grafana: {
      image: COMPOSE_IMAGES.grafana,
      environment: ['GF_AUTH_ANONYMOUS_ENABLED=true', 'GF_AUTH_ANONYMOUS_ORG_ROLE=Viewer'],
      volumes: ['../grafana/provisioning:/etc/grafana/provisioning:ro', `../grafana/dashboards:${GRAFANA_DASHBOARDS_PATH}:ro`],
      ports: [`${COMPOSE_PORTS.grafanaHost}:${COMPOSE_PORTS.grafana}`],
      depends_on: ['prometheus'],
    },
    receiver: {
      image: compose.source !== undefined ? image : COMPOSE_IMAGES.node,
      ...mountSource,
      command:
        compose.source !== undefined
          ? ['node', 'node_modules/@tillwatch/cli/bin/tillwatch.js', 'receiver', '--host', '0.0.0.0', '--port', String(COMPOSE_PORTS.receiver)]
          : ['npx', '--yes', `@tillwatch/cli@${CLI_VERSION}`, 'receiver', '--host', '0.0.0.0', '--port', String(COMPOSE_PORTS.receiver)],
      ports: [`${COMPOSE_PORTS.receiver}:${COMPOSE_PORTS.receiver}`],
    },
  };

  const prometheus = localPrometheusConfig(parse(renderPrometheusConfig(model).get('prometheus/prometheus.yml')!) as never, {
    target: `${name}:${port}`,
    alertmanager: `alertmanager:${COMPOSE_PORTS.alertmanager}`,
    scrapeSeconds: timings.scrapeSeconds,
    evaluationSeconds: timings.evaluationSeconds,
    ruleFiles: ['/etc/prometheus/rules/*.yml'],
  });
  const alertmanager = localAlertmanagerConfig(parse(renderAlertmanagerConfig(model).get('alertmanager/alertmanager.yml')!) as never, `http://receiver:${COMPOSE_PORTS.receiver}`);
  const usage = ` Run where Docker is: docker compose -f compose/compose.yaml up (from the bundle directory).
 ${name} http://localhost:${port}   Prometheus http://localhost:${COMPOSE_PORTS.prometheus}   Alertmanager http://localhost:${COMPOSE_PORTS.alertmanager}
 Grafana http://localhost:${COMPOSE_PORTS.grafanaHost}   receiver http://localhost:${COMPOSE_PORTS.receiver} (every notification)`;
  return new Map([
    ['compose/compose.yaml', yamlFile({ name: `${name}-stack`, services, volumes: { 'postgres-data': {}, 'prometheus-data': {} } }, 'local stack (compose file)', usage)],
    ['compose/prometheus.yml', yamlFile(prometheus, 'Prometheus configuration of the local stack (the generated rules; short intervals)')],
    ['compose/alertmanager.yml', yamlFile(alertmanager, 'Alertmanager configuration of the local stack (the generated routing; every receiver posts to the webhook receiver)')],
  ]);
}
