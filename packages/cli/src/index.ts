/**
 * @tillwatch/cli as a library: what the `tillwatch` command does, for build scripts and tests.
 * Every public export is listed here by name.
 */
export { generateBundle, generateRuleGroups, writeBundle } from './generate.ts';
export { generateDashboards } from './dashboards.ts';
export type { RuleFileGroupData, RuleData } from './render/rules-files.ts';
export { checkBundle } from './check/check-bundle.ts';
export type { CheckStep } from './check/check-bundle.ts';
export { validateDeployConfig } from './model/validate-deploy-config.ts';
export { CliError, isCliError } from './cli-error.ts';
export type { CliErrorCode } from './cli-error.ts';
