/** Validates a loaded config (all problems at once) and resolves its defaults into an empty model. */
import {
  DEFAULT_STORE_THRESHOLDS,
  formatProblems,
  storeAlertPack,
  storeDashboards,
  validateDashboards,
  type TillwatchDeployConfig,
} from '@tillwatch/spec';
import { CliError } from '../cli-error.ts';
import { serviceCatalogue } from './service-catalogue.ts';
import { validateDeployConfig } from './validate-deploy-config.ts';
import type { Model } from './model.ts';

/** Names of the default pack's alerts, for validating `disable` and `overrides`. */
export function packAlertNames(): string[] {
  return storeAlertPack({ service: 'x', thresholds: DEFAULT_STORE_THRESHOLDS, teams: { platform: 'x', commerce: 'x', security: 'x' } }).map((a) => a.name);
}

/**
 * @throws CliError TW_ERR_ALERTS_INVALID_CONFIG listing every problem, each with its own code.
 */
export function buildModel(raw: unknown, source: string): Model {
  const problems = validateDeployConfig(raw, packAlertNames());
  if (problems.length > 0) {
    throw new CliError('TW_ERR_ALERTS_INVALID_CONFIG', `invalid config ${source} (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${formatProblems(problems)}`);
  }
  const config = raw as TillwatchDeployConfig;
  const catalogue = serviceCatalogue(config.catalogue).catalogue;
  const dashboards = storeDashboards({ service: config.service, slos: config.slos, ...(config.catalogue ? { ownCatalogue: config.catalogue } : {}), ...(config.dashboards ? { config: config.dashboards } : {}) });
  const dashboardProblems = validateDashboards(dashboards, catalogue);
  if (dashboardProblems.length > 0) {
    throw new CliError('TW_ERR_ALERTS_INVALID_CONFIG', `invalid dashboards in ${source} (${dashboardProblems.length} problem${dashboardProblems.length === 1 ? '' : 's'}):\n${formatProblems(dashboardProblems)}`);
  }
  return {
    config,
    catalogue,
    thresholds: { ...DEFAULT_STORE_THRESHOLDS, ...config.alerts?.thresholds },
    slos: config.slos,
    groups: [],
  };
}
