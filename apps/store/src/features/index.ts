/**
 * The peripheral features, each a Fastify plugin in ./<name>/plugin.ts exporting
 * `export async function <name>Feature(app: FastifyInstance, deps: StoreDeps): Promise<void>`.
 *
 * They are loaded by file existence, so the store starts with any subset of them present: a feature
 * whose plugin file is missing is reported as skipped, never as an error. A plugin that exists but
 * fails to load or register is an error (start-up fails loudly).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import type { StoreDeps } from '../deps.ts';

export type StoreFeature = (app: FastifyInstance, deps: StoreDeps) => Promise<void>;

/** Registration order: printing first (it listens for order.completed), then the rest. */
export const FEATURES = [
  { name: 'printing', exportName: 'printingFeature' },
  { name: 'notifications', exportName: 'notificationsFeature' },
  { name: 'offline', exportName: 'offlineFeature' },
  { name: 'sales-sync', exportName: 'salesSyncFeature' },
  { name: 'experiments', exportName: 'experimentsFeature' },
] as const;

export type FeatureName = (typeof FEATURES)[number]['name'];

export interface LoadedFeature {
  readonly name: FeatureName;
  readonly register: StoreFeature;
}

export interface LoadFeaturesResult {
  readonly loaded: readonly LoadedFeature[];
  readonly missing: readonly FeatureName[];
}

/** Imports every feature plugin that exists. @throws when a present plugin lacks its export. */
export async function loadFeatures(only?: readonly FeatureName[]): Promise<LoadFeaturesResult> {
  const loaded: LoadedFeature[] = [];
  const missing: FeatureName[] = [];
  for (const f of FEATURES) {
    if (only && !only.includes(f.name)) continue;
    const url = new URL(`./${f.name}/plugin.ts`, import.meta.url);
    if (!existsSync(fileURLToPath(url))) {
      missing.push(f.name);
      continue;
    }
    // A computed specifier: the type checker must not require files that may not exist yet.
    const mod = (await import(url.href)) as Record<string, unknown>;
    const register = mod[f.exportName];
    if (typeof register !== 'function') {
      throw new Error(`${fileURLToPath(url)} must export an async function ${f.exportName}(app, deps)`);
    }
    loaded.push({ name: f.name, register: register as StoreFeature });
  }
  return { loaded, missing };
}
