/** The writers, one per target; each returns relative path -> content. Adding a target means adding a line. */
import type { Model } from '../model/model.ts';
import { renderAlertmanagerConfig } from './alertmanager-config.ts';
import { renderAlertsDocFile } from './alerts-doc.ts';
import { renderBlackboxConfig } from './blackbox-config.ts';
import { renderComposeFile } from './compose-file.ts';
import { renderGrafanaDashboards } from './grafana-dashboards.ts';
import { renderKubernetesManifests } from './kubernetes-manifests.ts';
import { renderLogShipperConfig } from './log-shipper-config.ts';
import { renderMetricsDocFile } from './metrics-doc.ts';
import { renderPrometheusConfig } from './prometheus-config.ts';
import { renderRulesFiles } from './rules-files.ts';
import { renderTestsFiles } from './tests-files.ts';
import { renderScaleOut } from '../scale-out/render-scale-out.ts';

const WRITERS: readonly ((model: Model) => Map<string, string>)[] = [
  renderPrometheusConfig,
  renderRulesFiles,
  renderTestsFiles,
  renderAlertmanagerConfig,
  renderBlackboxConfig,
  renderAlertsDocFile,
  renderMetricsDocFile,
  renderGrafanaDashboards,
  renderKubernetesManifests,
  renderLogShipperConfig,
  renderComposeFile,
  renderScaleOut,
];

/** Every generated file of a model. */
export function renderBundle(model: Model): Map<string, string> {
  const out = new Map<string, string>();
  for (const w of WRITERS) for (const [k, v] of w(model)) out.set(k, v);
  return out;
}
