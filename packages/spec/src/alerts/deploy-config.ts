/**
 * The deploy config (tillwatch/v1): one TypeScript file per service that the CLI turns into a Prometheus and
 * Alertmanager bundle (`tillwatch generate --config <file> --out <dir>`). Unknown keys are errors. Secrets are
 * references to files (or environment variables) and are never written into generated files.
 *
 * @example
 * import { availabilitySlo, paymentSuccessSlo, type TillwatchDeployConfig } from '@tillwatch/spec';
 * export default {
 *   version: 'tillwatch/v1',
 *   service: 'store',
 *   team: 'store-ops',
 *   slos: [
 *     availabilitySlo({ name: 'availability', target: 0.999, period: '30d', team: 'store-ops' }),
 *     paymentSuccessSlo({ name: 'payment-success', target: 0.995, period: '30d', team: 'payments' }),
 *   ],
 *   alerts: { thresholds: { paymentFailureRatio: 0.02 } },
 *   prometheus: {
 *     scrape: { targets: ['store:3000'], bearerTokenFile: '/etc/prometheus/secrets/metrics_token' },
 *     externalLabels: { region: 'eu-west' },
 *     alertmanagers: ['alertmanager-0:9093', 'alertmanager-1:9093'],
 *   },
 *   alertmanager: {
 *     peers: ['alertmanager-0:9094', 'alertmanager-1:9094'],
 *     receivers: {
 *       pagerduty: { routingKey: { file: '/etc/alertmanager/secrets/pagerduty_routing_key' } },
 *       slack: { apiUrl: { file: '/etc/alertmanager/secrets/slack_webhook_url' }, channel: '#store-alerts' },
 *       email: { to: 'ops@example.com', from: 'alertmanager@example.com', smarthost: 'smtp.example.com:587' },
 *     },
 *   },
 * } satisfies TillwatchDeployConfig;
 */
import type { Catalogue } from '../catalogue.ts';
import type { SpecVersion } from '../conventions.ts';
import type { DashboardsConfig } from '../dashboards/store-dashboards.ts';
import type { SloSpec } from '../slo/slo-spec.ts';
import type { AlertSeverity, AlertSpec } from './alert-spec.ts';
import type { Duration } from './duration.ts';
import type { StoreThresholds } from './store-thresholds.ts';
import type { RetentionClass } from '../retention.ts';

/**
 * A secret the generated config points at. `file` becomes an Alertmanager `*_file` field (read when a
 * notification is sent). `env` becomes a `${NAME}` placeholder that the deployment substitutes (envsubst)
 * before starting Alertmanager, which does not expand environment variables itself.
 */
export type SecretRef = { readonly file: string } | { readonly env: string };

export interface PagerDutyReceiver {
  /** Events API v2 integration (routing) key. */
  readonly routingKey: SecretRef;
  /** Default `https://events.pagerduty.com/v2/enqueue`; a local receiver in tests. */
  readonly url?: string;
}

export interface SlackReceiver {
  /** Incoming-webhook URL (it is the credential). */
  readonly apiUrl: SecretRef;
  readonly channel: string;
}

export interface EmailReceiver {
  readonly to: string;
  readonly from: string;
  /** host:port */
  readonly smarthost: string;
  readonly authUsername?: string;
  readonly authPassword?: SecretRef;
  /** Default true; false for a local relay without STARTTLS. */
  readonly requireTls?: boolean;
}

/** An extra inhibition: while an alert matching `source` fires, alerts matching `target` with equal `equal` labels are muted. */
export interface InhibitionSpec {
  readonly source: Readonly<Record<string, string>>;
  readonly target: Readonly<Record<string, string>>;
  /** Labels that must be equal on source and target; never empty (an empty list mutes across services and locations). */
  readonly equal: readonly string[];
}

/** Store hours (an Alertmanager time interval); info notifications are only sent inside them. */
export interface StoreHours {
  /** IANA time zone, e.g. Europe/London. */
  readonly timeZone: string;
  /** e.g. ['monday:saturday'] */
  readonly weekdays: readonly string[];
  /** 'HH:MM' */
  readonly start: string;
  readonly end: string;
}

/**
 * A team's own receivers (any of the three). Alerts whose `team` label names the team go there; a severity
 * whose receiver the team does not name goes to the default receiver.
 */
export interface TeamReceivers {
  readonly pagerduty?: PagerDutyReceiver;
  readonly slack?: SlackReceiver;
  readonly email?: EmailReceiver;
}

/** A key of a Kubernetes Secret. */
export interface SecretKeyRef {
  readonly secret: string;
  readonly key: string;
}

/** Kubernetes manifests (`kubernetes/base`, a kustomize base); probe timings derive from `lifecycle`. */
export interface KubernetesConfig {
  readonly namespace: string;
  readonly image: string;
  /** Default 2. */
  readonly replicas?: number;
  /** Container port; default 3000. */
  readonly port?: number;
  /** The runtime's lifecycle options as the service runs them (defaults: drain 5000 ms, shutdown 10000 ms). */
  readonly lifecycle?: { readonly drainDelayMs?: number; readonly shutdownTimeoutMs?: number };
  readonly resources?: {
    readonly requests?: { readonly cpu?: string; readonly memory?: string };
    readonly limits?: { readonly cpu?: string; readonly memory?: string };
  };
  /** Plain environment variables (no secrets). */
  readonly env?: Readonly<Record<string, string>>;
  readonly secrets?: {
    /** Environment variable -> Secret key (e.g. JWT_SECRET, DATABASE_URL). */
    readonly env?: Readonly<Record<string, SecretKeyRef>>;
    /** The /metrics bearer token (METRICS_TOKEN), also used by the ServiceMonitor. */
    readonly metricsToken?: SecretKeyRef;
  };
}

/**
 * Scale-out (`scale-out/` in the bundle, docs/scale-out.md): Prometheus replicas that scrape the same targets and
 * evaluate the same rules, told apart by an external label; every replica alerts every node of the Alertmanager
 * cluster (`prometheus.alertmanagers`, gossiping on `alertmanager.peers`, in the same order); every replica
 * remote-writes to VictoriaMetrics, which keeps one sample per series and scrape interval.
 */
export interface ScaleOutConfig {
  /** Prometheus replicas; default 2. */
  readonly prometheusReplicas?: number;
  /**
   * The external label telling replicas apart; default `replica`. It is dropped from alerts (so Alertmanager
   * sees one alert, not one per replica) and from remote writes (so VictoriaMetrics deduplicates one series).
   */
  readonly replicaLabel?: string;
  readonly victoriaMetrics: {
    /** Base URL of VictoriaMetrics (single node), e.g. http://victoria-metrics:8428. */
    readonly url: string;
    /** `-retentionPeriod`: h, d, w or y suffix (a bare number counts months); default 400d. */
    readonly retentionPeriod?: string;
  };
}

/**
 * A local stack as a compose file (`compose/compose.yaml`): the service, Postgres, Redis, Prometheus, Alertmanager,
 * Grafana (provisioned datasource and the generated dashboards) and a webhook receiver standing in for PagerDuty,
 * Slack and e-mail (`tillwatch receiver`). None is written without it.
 */
export interface ComposeConfig {
  /** The service's image; default `kubernetes.image`. With `source`, an image with Node that runs the mounted sources. */
  readonly image?: string;
  /**
   * A host directory, relative to the compose file, mounted read-only at /app (the working directory of the service
   * and of the receiver): the service's sources with `npm ci` and `npm run build` done. Without it the image must
   * hold the service, and the receiver runs `npx @tillwatch/cli receiver`.
   */
  readonly source?: string;
  /** The service's command; default the image's. */
  readonly command?: readonly string[];
  /** Port the service listens on; default `kubernetes.port`, else 3000. */
  readonly port?: number;
  /** Plain environment variables; default `kubernetes.env`. DATABASE_URL, REDIS_URL, HOST and PORT are set by the stack. */
  readonly env?: Readonly<Record<string, string>>;
}

export interface TillwatchDeployConfig {
  readonly version: SpecVersion;
  /** Service name: scrape job, `service` label. Lower-case letters, digits, - and _. */
  readonly service: string;
  /** Default owning team (label `team`). */
  readonly team: string;
  /**
   * The service's own metrics (`defineCatalogue`), added to the built-in catalogue: its SLOs and alerts may
   * read them, and the bundle's docs/metrics.md lists them.
   */
  readonly catalogue?: Catalogue;
  readonly slos: readonly SloSpec[];
  readonly alerts?: {
    /** Overrides of the default pack's thresholds. */
    readonly thresholds?: Partial<StoreThresholds>;
    /** Owning teams by area; default `team`. */
    readonly teams?: { readonly platform?: string; readonly commerce?: string; readonly security?: string };
    /** Alert names of the default pack to leave out. */
    readonly disable?: readonly string[];
    /** Per-alert overrides of the default pack. */
    readonly overrides?: Readonly<Record<string, { readonly severity?: AlertSeverity; readonly for?: Duration }>>;
    /** Additional alerts (typed handles or checked raw PromQL). */
    readonly extra?: readonly AlertSpec[];
    /** Base URL of the rendered docs/alerts.md, for `runbook_url` annotations. */
    readonly runbookBaseUrl?: string;
  };
  /** Kubernetes manifests; none are written without it. */
  readonly kubernetes?: KubernetesConfig;
  /** A local stack as a compose file; none is written without it. */
  readonly compose?: ComposeConfig;
  /** Dashboards: built-in ones to leave out, panels to add to them, dashboards of the service's own (docs/dashboards.md). */
  readonly dashboards?: DashboardsConfig;
  readonly prometheus: {
    readonly scrape: {
      /** host:port of every instance. */
      readonly targets: readonly string[];
      /** Default /metrics. */
      readonly metricsPath?: string;
      /** Default http. */
      readonly scheme?: 'http' | 'https';
      /** Default 15. */
      readonly intervalSeconds?: number;
      /** When /metrics is protected (metrics.token): the file holding the bearer token. */
      readonly bearerTokenFile?: string;
    };
    /** Default 15. */
    readonly evaluationIntervalSeconds?: number;
    readonly externalLabels?: Readonly<Record<string, string>>;
    /** host:port of every Alertmanager, listed directly (never behind a load balancer). */
    readonly alertmanagers: readonly string[];
  };
  /** HA Prometheus replicas, the Alertmanager cluster and VictoriaMetrics; none are written without it. */
  readonly scaleOut?: ScaleOutConfig;
  /** Retention in days per class (retention.ts); the generated log-shipper config carries them. */
  readonly retention?: Partial<Record<RetentionClass, number>>;
  readonly alertmanager: {
    readonly receivers: { readonly pagerduty: PagerDutyReceiver; readonly slack: SlackReceiver; readonly email: EmailReceiver };
    /** Routing by the `team` label: team name -> its own receivers (e.g. `payments` pages its own PagerDuty service). */
    readonly teams?: Readonly<Record<string, TeamReceivers>>;
    /** Cluster peers (host:port of the cluster listener, 9094), for the deployment's --cluster.peer flags. */
    readonly peers?: readonly string[];
    readonly storeHours?: StoreHours;
    /** How long a new group waits for more alerts before the first notification. Default 30s (critical: 10s). */
    readonly groupWait?: Duration;
    /** How long a group waits before notifying about changes (new alerts, resolution). Default 5m. */
    readonly groupInterval?: Duration;
    /** Default: critical 1h, warning 4h, info 24h. */
    readonly repeatInterval?: Partial<Record<AlertSeverity, Duration>>;
    readonly inhibitions?: readonly InhibitionSpec[];
  };
}
