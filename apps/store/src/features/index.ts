/**
 * The peripheral features, each a Fastify plugin in ./<name>/plugin.ts, registered after the core
 * routes in this order (printing first: listeners run in registration order, so a completed order's
 * receipt is dispatched before the other features handle the same event).
 *
 * A plugin that fails to register fails start-up, naming the feature.
 */
import type { FastifyInstance } from 'fastify';
import type { StoreDeps } from '../deps.ts';
import { experimentsFeature } from './experiments/plugin.ts';
import { notificationsFeature } from './notifications/plugin.ts';
import { offlineFeature } from './offline/plugin.ts';
import { printingFeature } from './printing/plugin.ts';
import { salesSyncFeature } from './sales-sync/plugin.ts';

export type StoreFeature = (app: FastifyInstance, deps: StoreDeps) => Promise<void>;

const FEATURES = [
  { name: 'printing', register: printingFeature },
  { name: 'notifications', register: notificationsFeature },
  { name: 'offline', register: offlineFeature },
  { name: 'sales-sync', register: salesSyncFeature },
  { name: 'experiments', register: experimentsFeature },
] as const satisfies readonly { name: string; register: StoreFeature }[];

export type FeatureName = (typeof FEATURES)[number]['name'];

/** Every feature (`'all'`), none, or the listed ones, in registration order. */
export type FeatureSelection = 'all' | 'none' | readonly FeatureName[];

/** Registers the selected features on `app`, each in its own encapsulated context; returns their names. */
export async function registerFeatures(app: FastifyInstance, deps: StoreDeps, selection: FeatureSelection = 'all'): Promise<FeatureName[]> {
  const selected = FEATURES.filter((f) => selection === 'all' || (selection !== 'none' && selection.includes(f.name)));
  for (const f of selected) {
    await app.register(async (child) => {
      try {
        await f.register(child, deps);
      } catch (err) {
        throw new Error(`feature "${f.name}" failed to register: ${(err as Error).message}`, { cause: err });
      }
    });
  }
  return selected.map((f) => f.name);
}
