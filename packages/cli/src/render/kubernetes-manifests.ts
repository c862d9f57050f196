/**
 * Writer: Kubernetes manifests (a kustomize base) for the service, built with the typed models of
 * `kubernetes-models` and `@kubernetes-models/prometheus-operator` and validated against their schemas while
 * rendering: Deployment (probes derived from the lifecycle config), Service, PodDisruptionBudget,
 * ServiceMonitor, PrometheusRule carrying the generated rules, and kustomization.yaml.
 *
 * Probe timings follow the runtime's shutdown sequence (docs/config.md, lifecycle): on SIGTERM readiness fails
 * at once and the server keeps serving for `drainDelayMs`, then drains within `shutdownTimeoutMs`. So
 * - the readiness probe runs more often than the drain lasts (period < drain), and one failure takes the pod out
 *   of the Service, so the load balancer has noticed before the server stops accepting;
 * - terminationGracePeriodSeconds exceeds drain + shutdown timeout, so the kubelet never SIGKILLs a pod that is
 *   still finishing requests;
 * - the container gets the same three values as environment variables, so the runtime's own start-up check
 *   (TWWRN001) agrees with the pod spec.
 */
import { PrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import type { KubernetesConfig } from '@tillwatch/spec';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { Service } from 'kubernetes-models/v1/Service';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { parse } from 'yaml';
import type { Model } from '../model/model.ts';
import { renderRulesFiles } from './rules-files.ts';
import { yamlFile } from './yaml-file.ts';

/** The lifecycle numbers the manifests are derived from, with the runtime's production defaults. */
export interface ProbeTimings {
  readonly drainDelayMs: number;
  readonly shutdownTimeoutMs: number;
  readonly terminationGracePeriodSeconds: number;
  readonly readinessPeriodSeconds: number;
  readonly readinessTimeoutSeconds: number;
}

/** Derives the probe and grace-period timings from the lifecycle config (see the file header). */
export function probeTimings(k: KubernetesConfig): ProbeTimings {
  const drainDelayMs = k.lifecycle?.drainDelayMs ?? 5000;
  const shutdownTimeoutMs = k.lifecycle?.shutdownTimeoutMs ?? 10_000;
  // Half the drain (at least 1 s, the probe's minimum): the pod is out of the endpoints within the drain.
  const readinessPeriodSeconds = Math.max(1, Math.floor(drainDelayMs / 2000));
  return {
    drainDelayMs,
    shutdownTimeoutMs,
    terminationGracePeriodSeconds: Math.ceil((drainDelayMs + shutdownTimeoutMs) / 1000) + 5,
    readinessPeriodSeconds,
    readinessTimeoutSeconds: Math.max(1, Math.min(readinessPeriodSeconds, 2)),
  };
}

type Resource = { toJSON(): unknown; validate(): void };

export function renderKubernetesManifests(model: Model): Map<string, string> {
  const k = model.config.kubernetes;
  if (k === undefined) return new Map();
  const service = model.config.service;
  const ns = k.namespace;
  const labels = { 'app.kubernetes.io/name': service, 'app.kubernetes.io/part-of': 'tillwatch' };
  const port = k.port ?? 3000;
  const t = probeTimings(k);
  const scrape = model.config.prometheus.scrape;
  const metricsToken = k.secrets?.metricsToken;

  const deployment = new Deployment({
    metadata: { name: service, namespace: ns, labels },
    spec: {
      replicas: k.replicas ?? 2,
      selector: { matchLabels: labels },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: { labels },
        spec: {
          terminationGracePeriodSeconds: t.terminationGracePeriodSeconds,
          securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [
            {
              name: service,
              image: k.image,
              ports: [{ name: 'http', containerPort: port }],
              env: [
                { name: 'NODE_ENV', value: 'production' },
                { name: 'PORT', value: String(port) },
                { name: 'TILLWATCH_DRAIN_DELAY_MS', value: String(t.drainDelayMs) },
                { name: 'TILLWATCH_SHUTDOWN_TIMEOUT_MS', value: String(t.shutdownTimeoutMs) },
                { name: 'TILLWATCH_TERMINATION_GRACE_PERIOD_SECONDS', value: String(t.terminationGracePeriodSeconds) },
                ...Object.entries(k.env ?? {}).map(([name, value]) => ({ name, value })),
                ...Object.entries(k.secrets?.env ?? {}).map(([name, ref]) => ({ name, valueFrom: { secretKeyRef: { name: ref.secret, key: ref.key } } })),
                ...(metricsToken ? [{ name: 'METRICS_TOKEN', valueFrom: { secretKeyRef: { name: metricsToken.secret, key: metricsToken.key } } }] : []),
              ],
              resources: {
                requests: { cpu: k.resources?.requests?.cpu ?? '250m', memory: k.resources?.requests?.memory ?? '256Mi' },
                limits: { memory: k.resources?.limits?.memory ?? '512Mi', ...(k.resources?.limits?.cpu ? { cpu: k.resources.limits.cpu } : {}) },
              },
              // Startup: migrations may take a while; until it passes, liveness and readiness do not run.
              startupProbe: { httpGet: { path: '/health/startup', port: 'http' }, periodSeconds: 5, timeoutSeconds: 2, failureThreshold: 60 },
              livenessProbe: { httpGet: { path: '/health/live', port: 'http' }, periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 3 },
              readinessProbe: {
                httpGet: { path: '/health/ready', port: 'http' },
                periodSeconds: t.readinessPeriodSeconds,
                timeoutSeconds: t.readinessTimeoutSeconds,
                failureThreshold: 1,
                successThreshold: 1,
              },
              securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
              // A read-only root file system: Node and the runtime write temporary files to /tmp only.
              volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
            },
          ],
          volumes: [{ name: 'tmp', emptyDir: {} }],
        },
      },
    },
  });

  const svc = new Service({
    metadata: { name: service, namespace: ns, labels },
    spec: { selector: labels, ports: [{ name: 'http', port, targetPort: 'http' }] },
  });

  const pdb = new PodDisruptionBudget({
    metadata: { name: service, namespace: ns, labels },
    spec: { maxUnavailable: 1, selector: { matchLabels: labels } },
  });

  const monitor = new ServiceMonitor({
    metadata: { name: service, namespace: ns, labels },
    spec: {
      selector: { matchLabels: labels },
      endpoints: [
        {
          port: 'http',
          path: scrape.metricsPath ?? '/metrics',
          interval: `${scrape.intervalSeconds ?? 15}s`,
          // The generated rules select on `service`, as the static scrape config labels it.
          relabelings: [{ targetLabel: 'service', replacement: service, action: 'replace' }],
          ...(metricsToken ? { authorization: { type: 'Bearer', credentials: { name: metricsToken.secret, key: metricsToken.key } } } : {}),
        },
      ],
    },
  });

  const groups = [...renderRulesFiles(model).values()].flatMap((text) => (parse(text) as { groups: unknown[] }).groups);
  const rule = new PrometheusRule({
    metadata: { name: `${service}-tillwatch`, namespace: ns, labels },
    spec: { groups: groups as never },
  });

  const resources: [string, Resource][] = [
    ['deployment.yaml', deployment],
    ['service.yaml', svc],
    ['pod-disruption-budget.yaml', pdb],
    ['service-monitor.yaml', monitor],
    ['prometheus-rule.yaml', rule],
  ];
  const out = new Map<string, string>();
  for (const [file, r] of resources) {
    r.validate(); // the model's JSON schema: a malformed manifest stops the generator here
    out.set(`kubernetes/base/${file}`, yamlFile(r.toJSON(), `Kubernetes ${file.replace('.yaml', '')}`));
  }
  out.set(
    'kubernetes/base/kustomization.yaml',
    yamlFile({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', namespace: ns, labels: [{ pairs: labels, includeSelectors: false }], resources: resources.map(([f]) => f) }, 'kustomize base'),
  );
  return out;
}
