/**
 * Recording rules of the default pack: ratios computed once per evaluation, which alerts (and dashboards) read by
 * name instead of repeating the division. Each names the alerts that read it, so a service that disables all of them
 * gets no rule selecting series it may not export.
 */
import { catalogue } from '../catalogue.ts';
import { PACK_RECORD } from '../conventions.ts';
import type { PackContext } from './pack/pack-context.ts';

export interface PackRecording {
  /** Alert group (rules file) it is written to, before the alerts of that group. */
  readonly group: string;
  readonly record: string;
  readonly expr: string;
  /** Pack alerts that read it. */
  readonly usedBy: readonly string[];
}

const m = catalogue.metrics;

/**
 * The default pack's recording rules for one service.
 * @example storePackRecordings(ctx).map((r) => r.record) // ['tillwatch:cache_hit:ratio_rate5m']
 */
export function storePackRecordings(ctx: Pick<PackContext, 'thresholds'>): PackRecording[] {
  const w = ctx.thresholds.rateWindow;
  const hits = `sum by (cache) (rate(${m.cache.hits}[${w}]))`;
  return [
    {
      group: 'cache',
      record: PACK_RECORD.cacheHitRatio(w),
      expr: `${hits} / (${hits} + sum by (cache) (rate(${m.cache.misses}[${w}])))`,
      usedBy: ['CacheHitRateLow'],
    },
  ];
}
