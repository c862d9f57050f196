/** What every rule-pack module receives: the thresholds and who owns what. */
import type { StoreThresholds } from '../store-thresholds.ts';

export interface PackContext {
  /** The service name: the scrape job and the `service` label. */
  readonly service: string;
  readonly thresholds: StoreThresholds;
  /** Owning teams by area. */
  readonly teams: { readonly platform: string; readonly commerce: string; readonly security: string };
}

/** Rounds away float noise for thresholds written into PromQL (0.1 + 0.2 style). */
export function n(x: number): string {
  return String(Math.round(x * 1e9) / 1e9);
}
