/**
 * `tillwatch check` for the generated Kubernetes manifests: every file of `kubernetes/base` is validated against
 * the JSON schema of its typed model (kubernetes-models, prometheus-operator models), and the kustomization
 * lists only files that exist.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { Service } from 'kubernetes-models/v1/Service';
import { parse } from 'yaml';

const MODELS: Record<string, (data: never) => { validate(): void }> = {
  Deployment: (d) => new Deployment(d),
  Service: (d) => new Service(d),
  PodDisruptionBudget: (d) => new PodDisruptionBudget(d),
  ServiceMonitor: (d) => new ServiceMonitor(d),
  PrometheusRule: (d) => new PrometheusRule(d),
};

/** Checks `<bundle>/kubernetes/base`; undefined when the bundle has none. */
export function checkManifests(bundleDir: string): { ok: boolean; output: string } | undefined {
  const dir = join(bundleDir, 'kubernetes', 'base');
  if (!existsSync(dir)) return undefined;
  const problems: string[] = [];
  const files = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();
  for (const f of files) {
    try {
      const doc = parse(readFileSync(join(dir, f), 'utf8')) as { kind?: string; resources?: string[] };
      if (doc.kind === 'Kustomization') {
        for (const r of doc.resources ?? []) if (!files.includes(r)) problems.push(`${f}: lists ${r}, which does not exist`);
        continue;
      }
      const model = MODELS[doc.kind ?? ''];
      if (model === undefined) problems.push(`${f}: kind ${JSON.stringify(doc.kind)} has no model to validate it`);
      else model(doc as never).validate();
    } catch (err) {
      problems.push(`${f}: ${(err as Error).message}`);
    }
  }
  return problems.length > 0 ? { ok: false, output: problems.join('\n') } : { ok: true, output: `${files.length} manifests valid` };
}
