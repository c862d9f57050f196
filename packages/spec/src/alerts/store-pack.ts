/**
 * The default rule pack for a store: the alerts a retail or restaurant backend needs, with their thresholds as
 * overridable defaults. The SLO
 * burn-rate alerts are generated from the SLOs, not listed here.
 */
import type { AlertSpec } from './alert-spec.ts';
import { businessAlerts } from './pack/business.ts';
import { databaseCacheAlerts } from './pack/database-cache.ts';
import { httpRuntimeAlerts } from './pack/http-runtime.ts';
import { operationsAlerts } from './pack/operations.ts';
import type { PackContext } from './pack/pack-context.ts';
import { securityAlerts } from './pack/security.ts';

export type { PackContext };

/**
 * Every alert of the default pack, for one service.
 * @example storeAlertPack({ service: 'store', thresholds: DEFAULT_STORE_THRESHOLDS, teams: { platform: 'ops', commerce: 'ops', security: 'ops' } })
 */
export function storeAlertPack(ctx: PackContext): AlertSpec[] {
  return [...httpRuntimeAlerts(ctx), ...databaseCacheAlerts(ctx), ...businessAlerts(ctx), ...securityAlerts(ctx), ...operationsAlerts(ctx)];
}
